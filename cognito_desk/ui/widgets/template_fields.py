"""The fields of a per-identity permissions template: which template, and the values it needs.

Owns :class:`TemplateFields` — a template picker (optionally with "None"), the template's summary, one line
edit per value it needs (bucket, table, region, account; only the chosen template's are shown) each with its
problem label (``template.<key>``, as ``admin.policy_templates`` names them). It only shows and forwards:
the templates, their checks and their documents live in ``admin.policy_templates``. The pool wizard and the
role editor's template dialog use it.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from ...admin.policy_templates import TEMPLATES, template
from ...admin.pools import FieldProblem
from ..pools.fields import ProblemLabel, with_problem

_NONE = ""


class TemplateFields(QWidget):
    """Template picker and values; ``changed`` fires on every edit."""

    changed = Signal()

    def __init__(self, *, allow_none: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice = QComboBox()
        self.choice.setAccessibleName("Permissions template")
        if allow_none:
            self.choice.addItem("None (add permissions later)", _NONE)
        for item in TEMPLATES:
            self.choice.addItem(item.title, item.id)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Template summary")
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Template:", self.choice)
        self.form.addRow(self.summary)
        self.inputs: dict[str, QLineEdit] = {}
        self.problems: dict[str, ProblemLabel] = {}
        for item in TEMPLATES:
            for parameter in item.parameters:
                if parameter.key in self.inputs:
                    continue
                edit = QLineEdit(parameter.default)
                edit.setAccessibleName(parameter.label)
                edit.setPlaceholderText(parameter.rule)
                edit.textChanged.connect(self.changed)
                self.inputs[parameter.key] = edit
                self.problems[parameter.key] = ProblemLabel(f"template.{parameter.key}")
                self.form.addRow(parameter.label + ":", with_problem(edit, self.problems[parameter.key]))
        self.choice.currentIndexChanged.connect(self._sync)
        self._sync()

    def template_id(self) -> str:
        return self.choice.currentData() or _NONE

    def set_template(self, template_id: str) -> None:
        self.choice.setCurrentIndex(max(self.choice.findData(template_id), 0))

    def values(self) -> dict[str, str]:
        """The values of the fields the chosen template uses."""
        chosen = self.template_id()
        if not chosen:
            return {}
        return {parameter.key: self.inputs[parameter.key].text().strip() for parameter in template(chosen).parameters}

    def show_problems(self, problems: list[FieldProblem] | list[tuple[str, str]]) -> None:
        as_fields = [problem if isinstance(problem, FieldProblem) else FieldProblem(*problem) for problem in problems]
        for label in self.problems.values():
            label.show_problems(as_fields)

    def _sync(self) -> None:
        chosen = self.template_id()
        used = {parameter.key for parameter in template(chosen).parameters} if chosen else set()
        self.summary.setText(template(chosen).summary if chosen else "")
        self.summary.setVisible(bool(chosen))
        for key, edit in self.inputs.items():
            self.form.setRowVisible(edit.parentWidget(), key in used)
        self.show_problems([])
        self.changed.emit()
