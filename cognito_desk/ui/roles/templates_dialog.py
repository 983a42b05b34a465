""""Add permissions from template…" of the Roles & rules tab: a per-identity template put on a role in use.

Owns :class:`TemplatesDialog` — pick one of the pool's roles (the default roles and the rules' roles), who it
serves (signed-in or guest identities; set from the role's slot), a template and its values, and the inline
policy's name; the policy JSON is shown as it will be saved, and "Add to role" sends ``PutRolePolicy``
through the window's runner (errors in the dialog's banner). What the dialog holds, checks and sends is
``admin.policy_templates.TemplatePolicy``; the widgets only show and forward.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cognito_desk.admin.policy_templates import AUTHENTICATED, UNAUTHENTICATED, TemplatePolicy, put_template_policy
from cognito_desk.admin.pools import FieldProblem
from cognito_desk.aws import IamClient

from ..context import AppContext
from ..pools.fields import ProblemLabel, with_problem
from ..widgets.error_banner import ErrorBanner
from ..widgets.template_fields import TemplateFields

_KINDS = ((AUTHENTICATED, "Signed-in (authenticated) identities"), (UNAUTHENTICATED, "Guest identities"))


class TemplatesDialog(QDialog):
    """Put a permissions template on one of ``roles`` (role ARN → the slot it serves)."""

    #: The ``PutRolePolicy`` request that was sent.
    added = Signal(dict)

    def __init__(self, ctx: AppContext, iam: IamClient, roles: Mapping[str, str], parent: QWidget | None = None,
                 ) -> None:
        super().__init__(parent)
        self.ctx, self.iam, self.roles = ctx, iam, dict(roles)
        self.setWindowTitle("Add permissions from template")
        self.setAccessibleName("Add permissions from template")
        self.errors = ErrorBanner(name="Add permissions error")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        self.role.addItems(list(self.roles))
        self.kind = QComboBox()
        self.kind.setAccessibleName("Identities the role serves")
        for kind, label in _KINDS:
            self.kind.addItem(label, kind)
        self.fields = TemplateFields(allow_none=False)
        self.policy_name = QLineEdit()
        self.policy_name.setAccessibleName("Inline policy name")
        self.preview = QPlainTextEdit()
        self.preview.setAccessibleName("Policy JSON")
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.status = QLabel("")
        self.status.setAccessibleName("Result")
        self.status.setWordWrap(True)
        self.problems = {name: ProblemLabel(name) for name in ("role", "kind", "policy_name")}
        self.add_button = QPushButton("&Add to role")
        self.add_button.setAccessibleName("Add permissions to role")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.add_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Role:", with_problem(self.role, self.problems["role"]))
        form.addRow("Serves:", with_problem(self.kind, self.problems["kind"]))
        form.addRow(self.fields)
        form.addRow("Policy name:", with_problem(self.policy_name, self.problems["policy_name"]))
        layout = QVBoxLayout(self)
        layout.addWidget(self.errors)
        layout.addLayout(form)
        layout.addWidget(QLabel("Policy as it will be saved (${cognito-identity.amazonaws.com:sub} is the "
                                "identity ID):"))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.role.currentTextChanged.connect(self._role_changed)
        for signal in (self.kind.currentIndexChanged, self.fields.changed, self.policy_name.textChanged):
            signal.connect(self._refresh)
        self.add_button.clicked.connect(self.add)
        self._role_changed(self.role.currentText())

    def policy(self) -> TemplatePolicy:
        return TemplatePolicy(role_arn=self.role.currentText(), kind=self.kind.currentData(),
                              template_id=self.fields.template_id(), values=self.fields.values(),
                              policy_name=self.policy_name.text())

    def _role_changed(self, arn: str) -> None:
        self.kind.setCurrentIndex(max(self.kind.findData(self.roles.get(arn, AUTHENTICATED)), 0))
        self._refresh()

    def _refresh(self) -> None:
        policy = self.policy()
        self.policy_name.setPlaceholderText(policy.template.policy_name)
        self.preview.setPlainText(policy.preview())
        self._show_problems([])

    def _show_problems(self, problems: list[tuple[str, str]]) -> None:
        fields = [FieldProblem(name, message) for name, message in problems]
        for label in self.problems.values():
            label.show_problems(fields)
        self.fields.show_problems(fields)

    def add(self) -> None:
        policy = self.policy()
        problems = policy.problems()
        self._show_problems(problems)
        if problems:
            return
        self.status.setText("")
        self.ctx.runner.run(put_template_policy(self.iam, policy), label=f"Adding permissions to {policy.role_arn}",
                            busy=self, errors=self.errors, on_success=self._added)

    def _added(self, request: dict) -> None:
        self.status.setText(f"Added inline policy {request['PolicyName']} to role {request['RoleName']}.")
        self.added.emit(request)
