"""The New pool wizard: the console's five steps, then the pool, its new roles and their attachment.

Owns :class:`PoolWizard` (a ``QWizard``) over a :class:`~cognito_desk.admin.wizard.WizardPlan`: user access,
identity providers (the plain fields, and IAM OIDC / SAML providers picked or created there with
:class:`~.iam_picker.IamProviderPicker`; a typed ARN IAM does not know is refused inline before Next), roles
(an existing role from IAM ``ListRoles``, loaded in the background, or a new one with the standard Cognito
trust policy, optionally with a per-identity permissions template as its inline policy), properties (name,
tags) and review. Each page checks its step with the plan before Next. Finish runs
:func:`~cognito_desk.admin.provision.provision` on the window's runner with the step in progress shown; a
failure midway says what exists and offers Roll back (or Keep what was made). ``created`` carries the new
pool's ID once done.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ...admin.pool_form import PoolFields, lines, parse_tags, parse_user_pools
from ...admin.pools import FieldProblem
from ...admin.provision import Created, ProvisioningFailed, provision, roll_back
from ...admin.wizard import STEPS, RoleChoice, WizardPlan, default_role_name, unknown_providers
from ..context import AppContext
from ..widgets.error_banner import ErrorBanner
from ..widgets.template_fields import TemplateFields
from .fields import ProblemLabel, ProviderFields, with_problem
from .iam_picker import IamProviderPicker

_SLOT_TITLES = {"authenticated": "Authenticated role", "unauthenticated": "Guest role"}


class _StepPage(QWizardPage):
    """A page that writes its widgets into the plan and refuses Next while its step has problems."""

    def __init__(self, wizard: PoolWizard, step: int, subtitle: str) -> None:
        super().__init__()
        self.pool_wizard = wizard
        self.step = step
        self.setTitle(f"{step + 1}. {STEPS[step]}")
        self.setSubTitle(subtitle)
        self.general_problem = ProblemLabel("")

    def write(self) -> None:
        """Copy the widgets into the plan."""

    def show_problems(self, problems: list[FieldProblem]) -> None:
        self.general_problem.show_problems(problems)

    def validatePage(self) -> bool:
        self.write()
        problems = self.pool_wizard.plan.problems(self.step)
        self.show_problems(problems)
        return not problems


class _AccessPage(_StepPage):
    def __init__(self, wizard: PoolWizard) -> None:
        super().__init__(wizard, 0, "Who gets AWS credentials from this pool.")
        self.authenticated = QCheckBox("Authenticated access: users signed in with an identity provider")
        self.authenticated.setAccessibleName("Authenticated access")
        self.authenticated.setChecked(True)
        self.guest = QCheckBox("Guest access: anyone, without signing in")
        self.guest.setAccessibleName("Guest access")
        self.basic_flow = QCheckBox("Allow the basic (classic) flow (GetOpenIdToken + STS)")
        self.basic_flow.setAccessibleName("Basic flow")
        self.access_problem = ProblemLabel("AllowUnauthenticatedIdentities")
        box = QVBoxLayout(self)
        for widget in (self.authenticated, self.guest, self.access_problem, self.basic_flow, self.general_problem):
            box.addWidget(widget)
        box.addStretch()

    def write(self) -> None:
        plan = self.pool_wizard.plan
        plan.authenticated, plan.guest = self.authenticated.isChecked(), self.guest.isChecked()
        plan.basic_flow = self.basic_flow.isChecked()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        super().show_problems(problems)
        self.access_problem.show_problems(problems)


class _ProvidersPage(_StepPage):
    def __init__(self, wizard: PoolWizard) -> None:
        super().__init__(wizard, 1, "The identity providers users sign in with: social and user-pool providers "
                                    "by their IDs, IAM OIDC and SAML providers picked from the list or created "
                                    "here, or an ARN typed in.")
        self.providers = ProviderFields()
        self.errors = ErrorBanner(name="Identity providers error")
        self.iam = IamProviderPicker(wizard.ctx.runner, wizard.connection, self.errors)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Identity provider kinds")
        self.tabs.addTab(self.iam, "IAM OIDC and SAML providers")
        self.tabs.addTab(self.providers, "Social, user pools, developer, ARNs")
        box = QVBoxLayout(self)
        box.addWidget(self.errors)
        box.addWidget(self.tabs, 1)
        box.addWidget(self.general_problem)
        #: The provider ARNs IAM confirmed for the plan (Next asks again only when they change).
        self._confirmed: tuple[str, ...] | None = None

    def initializePage(self) -> None:
        self.iam.load()

    def write(self) -> None:
        fields = self.providers.read(PoolFields())
        plan = self.pool_wizard.plan
        plan.social = {provider: app_id.strip() for provider, app_id in fields.social.items() if app_id.strip()}
        plan.user_pools = parse_user_pools(fields.user_pools)
        plan.oidc_arns = list(dict.fromkeys([*self.iam.chosen("OIDC"), *lines(fields.oidc_arns)]))
        plan.saml_arns = list(dict.fromkeys([*self.iam.chosen("SAML"), *lines(fields.saml_arns)]))
        plan.developer_provider = fields.developer.strip()

    def validatePage(self) -> bool:
        """The step's own checks; then, for provider ARNs IAM did not list, IAM is asked before going on."""
        if not super().validatePage():
            return False
        plan = self.pool_wizard.plan
        typed = tuple(arn for arn in [*plan.oidc_arns, *plan.saml_arns] if arn not in self.iam.listed())
        if not typed or typed == self._confirmed:
            return True
        self.pool_wizard.ctx.runner.run(unknown_providers(self.pool_wizard.connection.iam, plan, self.iam.listed()),
                                        label="Checking the providers exist in IAM", busy=self, errors=self.errors,
                                        on_success=lambda problems: self._checked(typed, problems))
        return False

    def _checked(self, typed: tuple[str, ...], problems: list[FieldProblem]) -> None:
        self.show_problems(problems)
        if problems:
            self.tabs.setCurrentWidget(self.providers)
            return
        self._confirmed = typed
        if self.pool_wizard.currentPage() is self:
            self.pool_wizard.next()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        super().show_problems(problems)
        self.providers.show_problems(problems)


class _RoleSlot(QGroupBox):
    def __init__(self, kind: str) -> None:
        super().__init__(_SLOT_TITLES[kind])
        self.kind = kind
        self.setAccessibleName(_SLOT_TITLES[kind])
        self.create = QRadioButton("Create a new role that trusts only this pool")
        self.create.setAccessibleName(f"Create a new {kind} role")
        self.create.setChecked(True)
        self.existing = QRadioButton("Use an existing role")
        self.existing.setAccessibleName(f"Use an existing {kind} role")
        group = QButtonGroup(self)
        group.addButton(self.create)
        group.addButton(self.existing)
        self.new_name = QLineEdit()
        self.new_name.setAccessibleName(f"New {kind} role name")
        self.roles = QComboBox()
        self.roles.setAccessibleName(f"Existing {kind} role")
        self.roles.setEditable(True)
        self.roles.lineEdit().setPlaceholderText("arn:aws:iam::<account>:role/<name> (loading roles…)")
        self.roles.currentIndexChanged.connect(lambda _: self.roles.lineEdit().setCursorPosition(0))
        self.problem = ProblemLabel(kind)
        form = QFormLayout(self)
        form.addRow(self.create, self.new_name)
        form.addRow(self.existing, self.roles)
        form.addRow(self.problem)
        self.create.toggled.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        self.new_name.setEnabled(self.create.isChecked())
        self.roles.setEnabled(not self.create.isChecked())

    def choice(self) -> RoleChoice:
        return RoleChoice(existing_arn=self.roles.currentText().strip(), create=self.create.isChecked(),
                          new_name=self.new_name.text().strip())


class _RolesPage(_StepPage):
    def __init__(self, wizard: PoolWizard) -> None:
        super().__init__(wizard, 2, "The IAM role each kind of identity gets. New roles are created after the "
                                    "pool, because their trust policy names the pool's ID.")
        self.slots = {kind: _RoleSlot(kind) for kind in _SLOT_TITLES}
        self.errors = ErrorBanner(name="Role list error")
        self.template = TemplateFields(allow_none=True)
        permissions = QGroupBox("Permissions of the new roles (optional starting point)")
        permissions.setAccessibleName("Permissions template of the new roles")
        QVBoxLayout(permissions).addWidget(self.template)
        box = QVBoxLayout(self)
        box.addWidget(self.errors)
        for slot in self.slots.values():
            box.addWidget(slot)
        box.addWidget(permissions)
        box.addWidget(self.general_problem)
        box.addStretch()
        self._loaded = False

    def initializePage(self) -> None:
        plan = self.pool_wizard.plan
        for kind, slot in self.slots.items():
            slot.setVisible(kind in plan.slots())
            example = default_role_name(plan.name, kind) if plan.name else default_role_name(
                "POOLNAME", kind).replace("POOLNAME", "<pool name>")
            slot.new_name.setPlaceholderText(f"default: {example}")
        if not self._loaded:
            self._loaded = True
            self.pool_wizard.ctx.runner.run(self._list_roles(), label="Listing IAM roles", errors=self.errors,
                                            on_success=self._show_roles)

    async def _list_roles(self) -> list[str]:
        return [role["Arn"] async for role in self.pool_wizard.connection.iam.iter_roles()]

    def _show_roles(self, arns: list[str]) -> None:
        for slot in self.slots.values():
            typed = slot.roles.currentText()
            slot.roles.addItems(arns)
            slot.roles.setEditText(typed)
            slot.roles.lineEdit().setCursorPosition(0)
            slot.roles.lineEdit().setPlaceholderText("arn:aws:iam::<account>:role/<name>")

    def write(self) -> None:
        plan = self.pool_wizard.plan
        for kind, slot in self.slots.items():
            plan.roles[kind] = slot.choice()
        plan.permissions_template, plan.template_values = self.template.template_id(), self.template.values()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        super().show_problems(problems)
        for slot in self.slots.values():
            slot.problem.show_problems(problems)
        self.template.show_problems(problems)


class _PropertiesPage(_StepPage):
    def __init__(self, wizard: PoolWizard) -> None:
        super().__init__(wizard, 3, "Name the pool and, if you like, tag it.")
        self.name = QLineEdit()
        self.name.setAccessibleName("Pool name")
        self.name_problem = ProblemLabel("IdentityPoolName")
        self.tags = QPlainTextEdit()
        self.tags.setAccessibleName("Tags")
        self.tags.setPlaceholderText("key=value, one per line")
        self.tags.setTabChangesFocus(True)
        self.tags_problem = ProblemLabel("IdentityPoolTags")
        self._bad_tags: list[str] = []
        form = QFormLayout(self)
        form.addRow("Name:", with_problem(self.name, self.name_problem))
        form.addRow("Tags:", with_problem(self.tags, self.tags_problem))
        form.addRow(self.general_problem)

    def write(self) -> None:
        plan = self.pool_wizard.plan
        plan.name = self.name.text().strip()
        plan.tags, self._bad_tags = parse_tags(self.tags.toPlainText())

    def validatePage(self) -> bool:
        valid = super().validatePage()
        if self._bad_tags:
            self.tags_problem.show_problems([FieldProblem("IdentityPoolTags", text) for text in self._bad_tags])
        return valid and not self._bad_tags

    def show_problems(self, problems: list[FieldProblem]) -> None:
        super().show_problems(problems)
        self.name_problem.show_problems(problems)
        self.tags_problem.show_problems(problems)


class _ReviewPage(_StepPage):
    def __init__(self, wizard: PoolWizard) -> None:
        super().__init__(wizard, 4, "Check what will be created, then choose Create pool.")
        self.rows = QTreeWidget()
        self.rows.setAccessibleName("Review")
        self.rows.setHeaderLabels(["Setting", "Value"])
        self.rows.setRootIsDecorated(False)
        self.rows.setColumnWidth(0, 200)
        self.progress = QLabel("")
        self.progress.setAccessibleName("Progress")
        self.progress.setWordWrap(True)
        self.errors = ErrorBanner(name="Create pool error")
        self.roll_back_button = QPushButton("Roll back (delete what was created)")
        self.roll_back_button.setAccessibleName("Roll back")
        self.keep_button = QPushButton("Keep what was created")
        self.keep_button.setAccessibleName("Keep what was created")
        failure_buttons = QHBoxLayout()
        failure_buttons.addStretch()
        failure_buttons.addWidget(self.roll_back_button)
        failure_buttons.addWidget(self.keep_button)
        self.failure_actions = QWidget()
        self.failure_actions.setLayout(failure_buttons)
        self.failure_actions.hide()
        box = QVBoxLayout(self)
        box.addWidget(self.rows, 1)
        box.addWidget(self.general_problem)
        box.addWidget(self.progress)
        box.addWidget(self.errors)
        box.addWidget(self.failure_actions)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Create pool")

    def initializePage(self) -> None:
        self.rows.clear()
        for label, value in self.pool_wizard.plan.review():
            item = QTreeWidgetItem([label, value])
            item.setToolTip(1, value)
            self.rows.addTopLevelItem(item)

    def validatePage(self) -> bool:
        if self.pool_wizard.created is not None:
            return True
        if super().validatePage():
            self.pool_wizard.create()
        return False


class PoolWizard(QWizard):
    #: The pool was created (its description).
    pool_created = Signal(dict)

    def __init__(self, ctx: AppContext, connection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.connection = connection
        self.plan = WizardPlan()
        self.created: Created | None = None
        self.failed: ProvisioningFailed | None = None
        self.setWindowTitle(f"New identity pool on {connection.name}")
        self.setAccessibleName("New identity pool")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.access_page = _AccessPage(self)
        self.providers_page = _ProvidersPage(self)
        self.roles_page = _RolesPage(self)
        self.properties_page = _PropertiesPage(self)
        self.review_page = _ReviewPage(self)
        for page in (self.access_page, self.providers_page, self.roles_page, self.properties_page,
                     self.review_page):
            self.addPage(page)
        self.review_page.roll_back_button.clicked.connect(self.roll_back)
        self.review_page.keep_button.clicked.connect(self._keep)
        self.resize(860, 580)

    def create(self) -> None:
        review = self.review_page
        review.errors.clear()
        self.ctx.runner.run(
            provision(self.connection.identity, self.connection.iam, self.plan.provisioning(),
                      lambda step: review.progress.setText(f"{step}…")),
            label="Creating the pool", busy=self, on_success=self._created, on_failure=self._failed)

    def _created(self, created: Created) -> None:
        self.created = created
        self.review_page.progress.setText("Created " + "; ".join(created.summary()) + ".")
        self.pool_created.emit(created.pool)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        review = self.review_page
        if isinstance(error, ProvisioningFailed):
            self.failed = error
            review.progress.setText("Already created: " + ("; ".join(error.created.summary()) or "nothing") + ".")
            review.errors.show_error(error.cause, label=error.step)
            review.failure_actions.setVisible(bool(error.created.summary()))
        else:
            review.errors.show_error(error, label="Creating the pool")

    def roll_back(self) -> None:
        failed = self.failed
        if failed is None:
            return
        review = self.review_page
        self.ctx.runner.run(roll_back(self.connection.identity, self.connection.iam, failed.created),
                            label="Rolling back", busy=self, errors=review.errors,
                            on_success=self._rolled_back)

    def _rolled_back(self, left: list[str]) -> None:
        review = self.review_page
        if left:
            review.progress.setText("Could not delete: " + "; ".join(left))
            return
        self.failed = None
        review.failure_actions.hide()
        review.errors.clear()
        review.progress.setText("Rolled back: nothing was left behind. Fix the problem and try again.")

    def _keep(self) -> None:
        failed = self.failed
        if failed is not None and failed.created.pool is not None:
            self.pool_created.emit(failed.created.pool)
        self.reject()
