"""The Permissions view: what this identity can do with the role it actually assumed, and why.

Owns :class:`PermissionsView`, a widget the Tester's result (after a sign-in), the Identities tab and the
Roles & rules preview place and feed with an identity (:meth:`PermissionsView.show_identity`, or
:meth:`~PermissionsView.show_sign_in` for a tester run). It reads the role's policies over IAM through the
window's runner, then shows the Qt-free :class:`~cognito_desk.admin.permissions.Permissions`: every
statement with this identity's values substituted, the pitfalls that apply, and an access check (action and
resource pre-filled from the statements) answered Allowed/Denied with the deciding statement highlighted,
each condition with its resolved values and why every other statement did not apply. On AWS connections
IAM ``SimulateCustomPolicy`` is asked too and its answer shown beside the local one.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ...admin.permissions import (
    NOT_EVALUATED,
    STORED_NOTE,
    Permissions,
    ask_aws,
    compare,
    preview_facts,
    principal_tags_for,
    read_role_policies,
    stored_identity_facts,
)
from ...admin.preview import Preview
from ...core.permissions import ALLOWED, Evaluation
from ...core.permissions.identity import IdentityFacts
from ...flows.run import RunResult
from ...settings.profiles import ProfileKind
from ..icons import icon
from ..widgets.error_banner import ErrorBanner
from .statements_model import StatementsModel

__all__ = ["PermissionsView", "sign_in_facts"]


async def sign_in_facts(connection, result: RunResult) -> IdentityFacts:
    """The identity a tester run produced: its ID, pool, logins, assumed role and principal tags."""
    login, pool = result.login, result.pool_config.pool
    tags = {}
    if login is not None and pool:
        tags = await principal_tags_for(connection.identity, pool, login.logins_key, login.claims)
    return IdentityFacts(result.identity_id or "", result.request.pool_id, authenticated=bool(result.logins),
                         logins=tuple(result.logins), role_arn=result.assumed_role or "", principal_tags=tags)


def _label(name: str) -> QLabel:
    label = QLabel()
    label.setAccessibleName(name)
    label.setWordWrap(True)
    return label


def _combo(name: str) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(True)
    combo.setAccessibleName(name)
    combo.lineEdit().setAccessibleName(name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(16)  # actions and ARNs run long: the form's layout stretches it
    return combo


class PermissionsView(QWidget):
    #: The statements and pitfalls of a newly loaded identity are on screen.
    loaded = Signal()
    #: An access check's answer (and, on AWS, IAM's) is on screen.
    checked = Signal()

    def __init__(self, runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Permissions")
        self.runner = runner
        self.model: Permissions | None = None
        self.connection = None
        self.evaluation: Evaluation | None = None
        self.operation = None
        self.extra_notes: tuple[str, ...] = ()
        self.subject = _label("Permissions subject")
        self.errors = ErrorBanner(name="Permissions error")
        self.notes = _label("Not evaluated")
        self.statements = StatementsModel(self)
        self.table = QTableView()
        self.table.setAccessibleName("Policy statements")
        self.table.setModel(self.statements)
        self.table.setWordWrap(False)  # one line a statement; the full text is the tooltip
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()  # set widths: measuring 200 long rows would cost a frame
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for column, width in ((0, 170), (1, 55), (3, 220)):
            header.resizeSection(column, width)
        self.table.setMinimumHeight(140)
        self.pitfalls = _label("Pitfalls")
        self.pitfalls.setObjectName("permissionPitfalls")
        self.action = _combo("Action to check")
        self.resource = _combo("Resource to check")
        self.check_button = QPushButton(icon("permissions"), "Check access")
        self.check_button.setAccessibleName("Check access")
        self.check_button.setToolTip("Evaluate the role's policies for this action and resource (Enter)")
        self.check_button.clicked.connect(self.run_check)
        self.action.lineEdit().returnPressed.connect(self.run_check)
        self.resource.lineEdit().returnPressed.connect(self.run_check)
        self.verdict = _label("Access check result")
        self.verdict.setObjectName("accessVerdict")
        self.aws_answer = _label("AWS IAM answer")
        self.explanation = QPlainTextEdit()
        self.explanation.setReadOnly(True)
        self.explanation.setAccessibleName("Access check explanation")
        self.explanation.setMinimumHeight(90)

        check = QGroupBox("Access check")
        form = QFormLayout(check)
        form.addRow("Action", self.action)
        form.addRow("Resource", self.resource)
        buttons = QHBoxLayout()
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.verdict, 1)
        form.addRow(buttons)
        form.addRow(self.aws_answer)
        form.addRow(self.explanation)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        for widget in (self.subject, self.errors, self.pitfalls):
            box.addWidget(widget)
        split = QSplitter(Qt.Orientation.Vertical)  # statements above, the check below; the user sets the share
        split.addWidget(self.table)
        split.addWidget(check)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        box.addWidget(split, 1)
        box.addWidget(self.notes)
        self.clear()

    # --- loading ---------------------------------------------------------------------------------------
    def clear(self, text: str = "No identity: sign in, or pick an identity, to see what it can do.") -> None:
        if self.operation is not None:
            self.operation.cancel()
        self.model, self.evaluation, self.operation = None, None, None
        self.subject.setText(text)
        self.errors.clear()
        self.statements.set_statements([])
        self.pitfalls.setText("")
        self.pitfalls.setVisible(False)
        for combo in (self.action, self.resource):
            combo.clear()
        self._show_check(None)
        self.check_button.setEnabled(False)
        self.notes.setText("")

    def show_sign_in(self, connection, result: RunResult) -> None:
        """The identity and role of a finished tester run (nothing to show when no role was assumed)."""
        if not result.assumed_role or not result.identity_id:
            self.clear("No role was assumed in this run: nothing to evaluate.")
            return
        self.show_identity(connection, sign_in_facts(connection, result),
                           provider_sub=str(result.login.claims.get("sub")) if result.login else None)

    def show_stored_identity(self, connection, pool_id: str, identity_id: str, logins) -> None:
        """An identity from the Identities tab: the pool's default role for its kind (a note says so)."""
        self.show_identity(connection, stored_identity_facts(connection.identity, pool_id, identity_id, logins),
                           notes=(STORED_NOTE,))

    def show_preview(self, connection, pool_id: str, result: Preview | None) -> None:
        """The hypothetical identity of the Roles & rules preview, with the role and tags it would get."""
        facts = preview_facts(pool_id, result) if result is not None else None
        if facts is None:
            self.clear("The previewed token gets no role: nothing to evaluate.")
            return
        self.show_identity(connection, facts, provider_sub=str(result.token.claims.get("sub") or "") or None,
                           notes=("A hypothetical identity: its ID is shown as (identity id).",))

    def show_identity(self, connection, facts: IdentityFacts | Awaitable[IdentityFacts], *,
                      provider_sub: str | None = None, session_policy: str | None = None,
                      notes: tuple[str, ...] = ()) -> None:
        """Read the role's policies over ``connection``'s IAM and show what ``facts``' identity can do."""
        self.clear("Reading the role's policies…")
        self.connection, self.extra_notes = connection, notes

        async def load() -> Permissions:
            known = facts if isinstance(facts, IdentityFacts) else await facts
            role = await read_role_policies(connection.iam, known.role_arn)
            return Permissions(replace(known, role_id=role.role_id), role, provider_sub=provider_sub,
                               session_policy=session_policy)

        self.operation = self.runner.run(load(), label="Reading the role's policies", busy=self,
                                         errors=self.errors, on_success=self.show_model)

    def show_model(self, model: Permissions) -> None:
        self.operation = None
        self.model = model
        facts = model.facts
        count = len(model.role.policies)
        policies = f"{count} {'policy' if count == 1 else 'policies'}"
        self.subject.setText(f"What identity {facts.identity_id} can do as {facts.role_arn} "
                             f"({len(model.statements)} statements in {policies})")
        self.statements.set_statements(model.statements)
        pitfalls = model.pitfalls()
        self.pitfalls.setText("\n".join(f"⚠ {p.title}: {p.detail}" for p in pitfalls))
        self.pitfalls.setVisible(bool(pitfalls))
        suggestions = model.suggestions()
        self.action.addItems(list(dict.fromkeys(a for a, _ in suggestions)))
        self.resource.addItems(list(dict.fromkeys(r for _, r in suggestions)))
        self.check_button.setEnabled(True)
        notes = [*self.extra_notes, *model.problems, *model.role.notes,
                 "Not evaluated here (the app cannot see them): " + "; ".join(NOT_EVALUATED) + "."]
        self.notes.setText("\n".join(notes))
        self.loaded.emit()

    # --- the access check ------------------------------------------------------------------------------
    def run_check(self) -> None:
        if self.model is None:
            return
        action, resource = self.action.currentText().strip(), self.resource.currentText().strip() or "*"
        if not action:
            self.verdict.setText("Enter an action, such as s3:GetObject.")
            return
        self.evaluation = self.model.check(action, resource)
        self._show_check(self.evaluation, self.model.check_pitfalls(resource))
        if self.connection is not None and self.connection.profile.kind == ProfileKind.AWS:
            self.aws_answer.setText("Asking AWS IAM SimulateCustomPolicy…")
            evaluation = self.evaluation
            self.runner.run(ask_aws(self.connection.iam, self.model, action, resource), label="Asking AWS IAM",
                            errors=self.errors,
                            on_success=lambda answer: self._show_aws(compare(evaluation, answer).describe()))
        self.checked.emit()

    def _show_aws(self, text: str) -> None:
        self.aws_answer.setText(text)
        self.checked.emit()

    def _show_check(self, evaluation: Evaluation | None, pitfalls=()) -> None:
        self.statements.set_check(evaluation)
        self.aws_answer.setText("")
        if evaluation is None:
            self.verdict.setText("")
            self.explanation.setPlainText("")
            return
        allowed = evaluation.decision == ALLOWED
        self.verdict.setText("✔ Allowed" if allowed else f"✖ Denied ({evaluation.decision})")  # which deny
        self.verdict.setStyleSheet(f"QLabel#accessVerdict {{ font-weight: bold; color: "
                                   f"{'#1b7f3b' if allowed else '#b3261e'}; }}")
        lines = [evaluation.summary + "."]
        for check in evaluation.deciding:
            lines.append(f"Deciding: {check.label} ({check.kind} policy, statement index {check.index}).")
        for check in evaluation.statements:
            for condition in check.conditions:
                lines.append(f"  {check.label}: {condition.describe()}")
        lines += [f"⚠ {p.title}: {p.detail}" for p in pitfalls]
        others = [c for c in evaluation.statements if not c.applies]
        if others:
            lines.append("Why the other statements did not apply:")
            lines += [f"  {c.label}: {c.reason}" for c in others]
        self.explanation.setPlainText("\n".join(lines))
        for row in self.statements.deciding_rows()[:1]:
            self.table.scrollTo(self.statements.index(row, 0))
