"""The live preview pane of the Roles & rules tab: paste a token, see which role it gets and why, as you edit.

Owns :class:`PreviewPanel` — the pasted JWT / claims JSON / SAML response, the ``Logins`` key it is presented
under, an optional ``CustomRoleArn``, and the answer of ``admin.preview.preview`` on the tab's unsaved form: a
headline (role, the rule that chose it, whether STS would assume it) and the numbered explanation — for a
user-pool token under a Token mapping, also which group role it got and why (``admin.user_pools``). It
recomputes on every edit of its inputs and whenever the page calls :meth:`refresh` (a rule changed); nothing
here touches the network.
"""

from __future__ import annotations

import time

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from cognito_desk.admin.preview import Preview, preview
from cognito_desk.admin.roles_snapshot import RolesSnapshot, login_keys
from cognito_desk.admin.user_pools import token_mapping_lines
from cognito_desk.core.login_keys import NotPreviewable
from cognito_desk.core.presented import UnreadableToken, read_presented
from cognito_desk.scenarios.recent import RecentSignIn

__all__ = ["PreviewPanel"]


class PreviewPanel(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.snapshot: RolesSnapshot | None = None
        self.result: Preview | None = None
        #: The user-pool groups of the provider being edited (``core.groups.Group``), when known.
        self.groups: tuple = ()
        self.token = QPlainTextEdit()
        self.token.setAccessibleName("Token to preview")
        self.token.setPlaceholderText("Paste a JWT (id_token), a JSON object of claims or a SAML response")
        self.token.setMaximumHeight(110)
        self.recent = QComboBox()
        self.recent.setAccessibleName("Recent sign-in")
        self.recent.setToolTip("Replay the claims of a sign-in recorded by the Tester or a scenario")
        self.recent_sign_ins: list[RecentSignIn] = []
        self.key = QComboBox()
        self.key.setAccessibleName("Presented under provider")
        self.key.setEditable(True)
        self.custom_role = QLineEdit()
        self.custom_role.setAccessibleName("CustomRoleArn")
        self.custom_role.setPlaceholderText("optional: arn:aws:iam::<account>:role/<name>")
        self.headline = QLabel("Paste a token to see which role it gets.")
        self.headline.setObjectName("previewHeadline")
        self.headline.setAccessibleName("Preview result")
        self.headline.setWordWrap(True)
        self.explanation = QPlainTextEdit()
        self.explanation.setReadOnly(True)
        self.explanation.setAccessibleName("Why this role")
        self.explanation.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        form = QFormLayout()
        form.addRow("&Recent:", self.recent)
        form.addRow("&Token:", self.token)
        form.addRow("&Provider key:", self.key)
        form.addRow("&CustomRoleArn:", self.custom_role)
        layout = QVBoxLayout(self)
        title = QLabel("<b>Live preview</b> — which role would this sign-in get? (unsaved rules included)")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addLayout(form)
        layout.addWidget(self.headline)
        layout.addWidget(self.explanation, 1)
        self.token.textChanged.connect(self.refresh)
        self.key.currentTextChanged.connect(self.refresh)
        self.custom_role.textChanged.connect(self.refresh)
        self.recent.activated.connect(self._recent_picked)
        self.show_recent([])

    def show_recent(self, recent: list[RecentSignIn]) -> None:
        """Offer these recorded sign-ins (newest first) for replay."""
        self.recent_sign_ins = recent
        self.recent.clear()
        self.recent.addItem("— recent sign-ins of this pool —" if recent else "— no recorded sign-ins —")
        self.recent.addItems([item.label for item in recent])

    def _recent_picked(self, index: int) -> None:
        if 1 <= index <= len(self.recent_sign_ins):
            picked = self.recent_sign_ins[index - 1]
            self.key.setCurrentText(picked.logins_key)
            self.token.setPlainText(picked.claims_json)

    def show_snapshot(self, snapshot: RolesSnapshot | None) -> None:
        self.snapshot = snapshot
        current = self.key.currentText()
        self.key.blockSignals(True)
        self.key.clear()
        if snapshot is not None:
            self.key.addItems(login_keys(snapshot.pool))
            if current:
                self.key.setCurrentText(current)
        self.key.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        """Recompute the preview from the inputs and the page's (unsaved) form."""
        self.result = None
        text = self.token.toPlainText().strip()
        if self.snapshot is None or not text:
            self._show("Paste a token to see which role it gets.", "")
            return
        try:
            token = read_presented(text, now=time.time())
            tag_map = self.snapshot.tag_maps.get(self.key.currentText())
            self.result = preview(self.snapshot.pool, self.snapshot.form, token, self.key.currentText(),
                                  custom_role_arn=self.custom_role.text().strip() or None,
                                  trust_policies=self.snapshot.trust_policies, tag_map=tag_map)
        except UnreadableToken as exc:
            self._show(f"Cannot read this: {exc}", "")
            return
        except NotPreviewable as exc:
            self._show(f"Not previewable under {self.key.currentText()!r}: {exc.code}", exc.message)
            return
        groups = token_mapping_lines(self.snapshot.form, self.key.currentText(), token.claims, self.groups,
                                     self.custom_role.text().strip() or None)
        groups_text = "\n\nGroups → roles (Token mapping):\n" + "\n".join(f"  {line}" for line in groups)
        self._show(self.result.headline(), self.result.describe() + (groups_text if groups else ""))

    def show_groups(self, groups) -> None:
        """The user-pool groups of the provider being edited (they explain a Token mapping's role)."""
        self.groups = tuple(groups)
        self.refresh()

    def _show(self, headline: str, body: str) -> None:
        self.headline.setText(headline)
        self.explanation.setPlainText(body)
