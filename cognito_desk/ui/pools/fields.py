"""The identity-provider fields of a pool (Settings tab and wizard page 2) and inline problem labels.

Owns :class:`ProviderFields` — one line edit per social provider the console lists, user-pool providers and
OIDC/SAML provider ARNs one per line, the developer provider name (read-only, with a note, once the pool has
one) — and :class:`ProblemLabel`, the text under a field saying why the API would refuse it. The widgets
only show and forward; reading and writing requests is :mod:`cognito_desk.admin.pool_form`.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLayout, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from ...admin.pool_form import SOCIAL_FIELDS, PoolFields
from ...admin.pools import FieldProblem

#: Which request member each provider field writes.
MEMBERS = ("SupportedLoginProviders", "CognitoIdentityProviders", "OpenIdConnectProviderARNs", "SamlProviderARNs",
           "DeveloperProviderName")


class ProblemLabel(QLabel):
    """Why the field above would be refused; hidden when there is nothing to say."""

    def __init__(self, member: str) -> None:
        super().__init__()
        self.member = member
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setAccessibleName(f"Problem with {member}")
        self.hide()

    def show_problems(self, problems: list[FieldProblem]) -> None:
        mine = [problem for problem in problems if problem.member == self.member]
        self.setText("\n".join(problem.message for problem in mine))
        # A screen reader reads the name: the message itself, not "Problem with <member>".
        self.setAccessibleName(" ".join(problem.message for problem in mine) or f"Problem with {self.member}")
        self.setToolTip("\n".join(problem.detail for problem in mine if problem.detail))
        self.setVisible(bool(mine))


def with_problem(field: QWidget | QLayout, problem: ProblemLabel) -> QWidget:
    """``field`` with its problem label right under it (taking no room while there is no problem)."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    if isinstance(field, QLayout):
        column.addLayout(field)
    else:
        column.addWidget(field)
    column.addWidget(problem)
    return box


def _lines_edit(name: str, placeholder: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(64)
    return edit


class ProviderFields(QWidget):
    """The provider part of a pool's settings."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.social: dict[str, QLineEdit] = {}
        for provider, label in SOCIAL_FIELDS.items():
            edit = QLineEdit()
            edit.setAccessibleName(label)
            edit.setPlaceholderText(f"none ({provider})")
            edit.textEdited.connect(self.changed)
            self.social[provider] = edit
            form.addRow(label + ":", edit)
        self.user_pools = _lines_edit("Cognito user pool providers",
                                      "cognito-idp.<region>.amazonaws.com/<user pool id>,<app client id>")
        self.oidc = _lines_edit("OpenID Connect provider ARNs", "arn:aws:iam::<account>:oidc-provider/<host>")
        self.saml = _lines_edit("SAML provider ARNs", "arn:aws:iam::<account>:saml-provider/<name>")
        self.developer = QLineEdit()
        self.developer.setAccessibleName("Developer provider name")
        self.developer.setPlaceholderText("e.g. login.mycompany.myapp (cannot be changed once set)")
        self.developer_note = QLabel("Set once: the developer provider name can never change or be removed.")
        self.developer_note.setWordWrap(True)
        self.developer_note.hide()
        self.problems = {member: ProblemLabel(member) for member in MEMBERS}
        form.addRow(self.problems["SupportedLoginProviders"])
        for label, widget, member in (("User pools:", self.user_pools, "CognitoIdentityProviders"),
                                      ("OpenID Connect:", self.oidc, "OpenIdConnectProviderARNs"),
                                      ("SAML:", self.saml, "SamlProviderARNs")):
            form.addRow(label, with_problem(widget, self.problems[member]))
            widget.textChanged.connect(self.changed)
        developer = with_problem(self.developer, self.problems["DeveloperProviderName"])
        developer.layout().addWidget(self.developer_note)
        form.addRow("Developer provider:", developer)
        self.developer.textChanged.connect(self.changed)

    def read(self, fields: PoolFields) -> PoolFields:
        """``fields`` with the provider part taken from the widgets."""
        fields.social = {provider: edit.text() for provider, edit in self.social.items()}
        fields.user_pools = self.user_pools.toPlainText()
        fields.oidc_arns = self.oidc.toPlainText()
        fields.saml_arns = self.saml.toPlainText()
        fields.developer = self.developer.text()
        return fields

    def show_fields(self, fields: PoolFields, *, developer_locked: bool = False) -> None:
        self.blockSignals(True)
        for provider, edit in self.social.items():
            edit.setText(fields.social.get(provider, ""))
        self.user_pools.setPlainText(fields.user_pools)
        self.oidc.setPlainText(fields.oidc_arns)
        self.saml.setPlainText(fields.saml_arns)
        self.developer.setText(fields.developer)
        self.developer.setReadOnly(developer_locked)
        self.developer_note.setVisible(developer_locked)
        self.blockSignals(False)

    def show_problems(self, problems: list[FieldProblem]) -> None:
        for label in self.problems.values():
            label.show_problems(problems)
