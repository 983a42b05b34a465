"""The trust-policy part of the Roles & rules tab: each role the pool uses, its policy, the lint and its fixes.

Owns :class:`TrustPanel` — a role picker (roles in use, with the slot each serves), the formatted trust policy
(the line of the selected finding highlighted), the lint findings of ``core.trust_lint`` in this pool's
context, and "Fix…": the diff of the fix in :class:`FixDialog`, then IAM ``UpdateAssumeRolePolicy`` through the
runner; the page reloads afterwards. Findings are plain list items, so keyboard and screen readers reach them.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from cognito_desk.admin.role_trust import fix_diff, lint_role, roles_in_use
from cognito_desk.admin.roles_snapshot import RolesSnapshot
from cognito_desk.core.trust_lint import Finding, format_policy

__all__ = ["FixDialog", "TrustPanel"]


def _monospace(widget: QPlainTextEdit) -> None:
    widget.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))


class FixDialog(QDialog):
    """Shows what a fix changes (``summary``: the findings it fixes, in words); Apply sends it."""

    def __init__(self, role_arn: str, summary: str, diff: str, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Fix the trust policy")
        self.setAccessibleName("Fix the trust policy")
        text = QLabel(f"<b>{role_arn}</b><br>{summary}<br>IAM UpdateAssumeRolePolicy will store:")
        text.setWordWrap(True)
        self.diff = QPlainTextEdit(diff)
        self.diff.setReadOnly(True)
        self.diff.setAccessibleName("Trust policy diff")
        _monospace(self.diff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Apply | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Apply).setAccessibleName("Apply the fix")
        buttons.button(QDialogButtonBox.StandardButton.Apply).clicked.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.diff, 1)
        layout.addWidget(buttons)
        self.resize(640, 480)


class TrustPanel(QWidget):
    #: (role ARN, fixed document) — the user confirmed a fix; the page applies it.
    fix_requested = Signal(str, dict)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.snapshot: RolesSnapshot | None = None
        self.findings: list[Finding] = []
        #: Role ARN → the slot it serves (the picker's item data is the ARN).
        self.slots: dict[str, str] = {}
        self.role = QComboBox()
        self.role.setAccessibleName("Role whose trust policy is shown")
        self.policy = QPlainTextEdit()
        self.policy.setReadOnly(True)
        self.policy.setAccessibleName("Trust policy")
        _monospace(self.policy)
        self.list = QListWidget()
        self.list.setAccessibleName("Trust policy findings")
        self.list.setMaximumHeight(120)
        self.list.setWordWrap(True)
        self.fix_button = QPushButton("&Fix…")
        self.fix_button.setAccessibleName("Fix the selected finding")
        self.fix_button.setEnabled(False)
        row = QHBoxLayout()
        row.addWidget(QLabel("Role:"))
        row.addWidget(self.role, 1)
        row.addWidget(self.fix_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)
        layout.addWidget(self.policy, 1)
        self.role.currentIndexChanged.connect(self._show_role)
        self.list.currentRowChanged.connect(self._finding_selected)
        self.fix_button.clicked.connect(self.ask_fix)

    def show_snapshot(self, snapshot: RolesSnapshot | None) -> None:
        self.snapshot = snapshot
        current = self.role.currentData()
        self.role.blockSignals(True)
        self.role.clear()
        self.slots = roles_in_use(snapshot.form) if snapshot is not None else {}
        if snapshot is not None:
            for arn, slot in self.slots.items():
                self.role.addItem(f"{arn.rsplit('/', 1)[-1]} ({slot})", arn)
            found = self.role.findData(current) if current else -1
            self.role.setCurrentIndex(max(found, 0))
        self.role.blockSignals(False)
        self._show_role()

    def _show_role(self) -> None:
        self.list.clear()
        self.findings = []
        arn = self.role.currentData()
        document = self.snapshot.trust_policies.get(arn) if self.snapshot and arn else None
        if arn is None:
            self.policy.setPlainText("")
            return
        if document is None:
            missing = self.snapshot is not None and arn in self.snapshot.trust_policies
            self.policy.setPlainText(f"The role {arn} does not exist in IAM: create it trusted by this pool."
                                     if missing else f"The trust policy of {arn} is not loaded.")
            return
        self.policy.setPlainText(format_policy(document))
        self.findings = lint_role(document, pool_id=self.snapshot.pool_id, slot=self.slots[arn],
                                  uses_principal_tags=self.snapshot.uses_principal_tags())
        for finding in self.findings:
            fixable = " — fix available" if finding.fix is not None else ""
            item = QListWidgetItem(f"line {finding.line} · {finding.severity}: {finding.message}{fixable}")
            item.setToolTip(finding.code)
            self.list.addItem(item)
        if not self.findings:
            self.list.addItem("No problems: this pool's users can assume this role.")
        self._finding_selected(0 if self.findings else -1)
        if self.findings:
            self.list.setCurrentRow(0)

    def _finding_selected(self, row: int) -> None:
        finding = self.findings[row] if 0 <= row < len(self.findings) else None
        self.fix_button.setEnabled(finding is not None and finding.fix is not None)
        selections = []
        if finding is not None:
            block = self.policy.document().findBlockByNumber(finding.line - 1)
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(QColor(255, 80, 80, 70))
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(block)
            selections.append(selection)
            self.policy.setTextCursor(QTextCursor(block))
        self.policy.setExtraSelections(selections)

    def selected_finding(self) -> Finding | None:
        row = self.list.currentRow()
        return self.findings[row] if 0 <= row < len(self.findings) else None

    def ask_fix(self) -> None:
        finding, arn = self.selected_finding(), self.role.currentData()
        if finding is None or finding.fix is None or arn is None:
            return
        document = self.snapshot.trust_policies[arn]
        dialog = FixDialog(arn, finding.message, fix_diff(document, finding.fix), self)
        dialog.finished.connect(lambda result: self._fix_answered(result, arn, finding, dialog))
        dialog.open()

    def _fix_answered(self, result: int, role_arn: str, finding: Finding, dialog: FixDialog) -> None:
        dialog.deleteLater()
        if result == QDialog.DialogCode.Accepted:
            self.fix_requested.emit(role_arn, finding.fix)
