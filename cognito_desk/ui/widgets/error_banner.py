"""A failure shown next to what caused it: plain-language explanation first, the raw error one click away.

Owns :class:`ErrorBanner`, an inline panel (never a modal box) that a screen places above the thing it
loads or saves. :meth:`ErrorBanner.show_error` turns any exception into words through
:func:`cognito_desk.admin.failures.describe_failure`; "Details" reveals the raw AWS code, message, request
id and decision notes (selectable, with Copy); Retry appears when the caller gives a retry action;
Dismiss hides it. It stays hidden until there is something to say. A long explanation scrolls inside the
banner (a few lines high at most) rather than growing the window past the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
)

#: The most lines of explanation shown at once; more scroll.
EXPLANATION_LINES = 6

if TYPE_CHECKING:
    from ...admin.failures import FailureReport


class ErrorBanner(QFrame):
    def __init__(self, parent=None, *, name: str = "Error") -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.report: FailureReport | None = None
        self._retry: Callable[[], object] | None = None
        self.title = QLabel()
        self.title.setObjectName("errorTitle")
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Error title")
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setAccessibleName("Error explanation")
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.body_scroll = QScrollArea()
        self.body_scroll.setAccessibleName("Error explanation (scrolls)")
        self.body_scroll.setWidget(self.body)
        self.body_scroll.setWidgetResizable(True)
        self.body_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.body_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.body_scroll.setMaximumHeight(self.body.fontMetrics().lineSpacing() * EXPLANATION_LINES + 4)
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setAccessibleName("Raw error")
        self.raw.setMaximumHeight(110)
        self.raw.hide()
        self.details_button = QToolButton(text="Details", checkable=True)
        self.details_button.setAccessibleName("Show the raw error")
        self.details_button.toggled.connect(self.raw.setVisible)
        self.copy_button = QToolButton(text="Copy")
        self.copy_button.setAccessibleName("Copy the error")
        self.copy_button.clicked.connect(self._copy)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAccessibleName("Retry")
        self.retry_button.clicked.connect(self._do_retry)
        self.dismiss_button = QToolButton(text="Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss the error")
        self.dismiss_button.clicked.connect(self.clear)
        buttons = QHBoxLayout()
        buttons.addWidget(self.details_button)
        buttons.addWidget(self.copy_button)
        buttons.addStretch()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.dismiss_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(10, 8, 10, 8)
        box.addWidget(self.title)
        box.addWidget(self.body_scroll)
        box.addLayout(buttons)
        box.addWidget(self.raw)
        self.hide()

    def show_error(self, error: BaseException, *, label: str = "", retry: Callable[[], object] | None = None,
                   **context: Any) -> FailureReport:
        from ...admin.failures import describe_failure  # brings in the AWS client layer: not before it is needed

        report = describe_failure(error, **context)
        self.show_report(report, label=label, retry=retry)
        return report

    def show_report(self, report: FailureReport, *, label: str = "", retry: Callable[[], object] | None = None,
                    ) -> None:
        self.report = report
        self._retry = retry
        self.title.setText(f"<b>{_escape(label + ' failed: ' if label else '')}{_escape(report.title)}</b>")
        lines = [_escape(report.cause)]
        if report.fix:
            lines.append(f"<i>What to do:</i> {_escape(report.fix)}")
        lines += [f"{_escape(k)}: <code>{_escape(v)}</code>" for k, v in report.details]
        self.body.setText("<br>".join(lines))
        self.raw.setPlainText(report.raw)
        self.retry_button.setVisible(retry is not None)
        self.details_button.setChecked(False)
        self.details_button.setVisible(bool(report.raw))
        self.show()

    def clear(self) -> None:
        self.report = None
        self._retry = None
        self.hide()

    def _do_retry(self) -> None:
        retry = self._retry
        self.clear()
        if retry is not None:
            retry()

    def _copy(self) -> None:
        if self.report is not None:
            text = "\n".join([self.report.title, self.report.cause, self.report.fix, self.report.raw])
            QGuiApplication.clipboard().setText(text.strip())


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
