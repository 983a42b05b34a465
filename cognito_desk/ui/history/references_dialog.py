"""Where a saved scenario takes the values the user typed on the provider's pages: one reference per field.

Owns :class:`ReferencesDialog`: for each field the run filled (login, password…), a line with the reference
the scenario will hold instead of the value — ``env:NAME`` or ``keyring:NAME``, offered as
``env:<PERSONA>_<FIELD>`` — and, before the dialog accepts, a check that each is a reference and never a value.
What the user typed during the run was never recorded; the names chosen here are all a scenario holds.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from ...scenarios.references import is_reference

__all__ = ["ReferencesDialog"]


class ReferencesDialog(QDialog):
    def __init__(self, fields: Sequence[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Values of the login fields")
        self.setAccessibleName("Values of the login fields")
        self.setMinimumWidth(480)
        intro = QLabel("The scenario fills these fields as this run did. It holds a reference for each value — an "
                       "environment variable (env:NAME) or an OS keyring entry (keyring:NAME) — never the value.")
        intro.setWordWrap(True)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for field, offered in fields:
            edit = QLineEdit(offered)
            edit.setAccessibleName(f"Reference for {field}")
            self.edits[field] = edit
            form.addRow(f"{field}:", edit)
        self.problem = QLabel(wordWrap=True, visible=False, accessibleName="Problem with the references")
        box = QVBoxLayout(self)
        for part in (intro, form, self.problem, QDialogButtonBox(
                QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                accepted=self.accept, rejected=self.reject)):
            box.addLayout(part) if isinstance(part, QFormLayout) else box.addWidget(part)

    def references(self) -> dict[str, str]:
        return {field: edit.text().strip() for field, edit in self.edits.items()}

    def accept(self) -> None:
        wrong = [field for field, value in self.references().items() if not is_reference(value)]
        if wrong:
            self.problem.setText(f"Write env:NAME or keyring:NAME for {', '.join(wrong)}: a scenario holds "
                                 "references only, never a value.")
            self.problem.show()
            return
        super().accept()
