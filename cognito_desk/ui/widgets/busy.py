"""A busy state on the thing being loaded: a translucent cover with what is running and a Cancel button.

Owns :class:`BusyOverlay`. A :class:`BusyOverlay` lays itself over a widget (stacking when several
operations cover the same widget) and :meth:`release` removes it; the covered widget keeps its
contents visible but takes no input meanwhile. Escape cancels. :meth:`show_status` changes the words shown
(the runner says so when AWS throttles the work and it waits to retry).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class BusyOverlay(QWidget):
    def __init__(self, target: QWidget, label: str, cancel: Callable[[], None]) -> None:
        super().__init__(target)
        self.setObjectName("busyOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setAccessibleName(f"Busy: {label}")
        self._target = target
        self.label = QLabel(f"{label}…")
        self.label.setAccessibleName("Busy message")
        bar = QProgressBar()
        bar.setRange(0, 0)
        bar.setMaximumWidth(160)
        bar.setAccessibleName("Working")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName(f"Cancel {label}")
        self.cancel_button.clicked.connect(cancel)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=cancel)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.label)
        row.addWidget(bar)
        row.addWidget(self.cancel_button)
        row.addStretch()
        box = QVBoxLayout(self)
        box.addStretch()
        box.addLayout(row)
        box.addStretch()
        target.installEventFilter(self)
        self.setGeometry(target.rect())
        self.show()
        self.raise_()

    def show_status(self, text: str) -> None:
        self.label.setText(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._target and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._target.rect())
        return False

    def release(self) -> None:
        self._target.removeEventFilter(self)
        self.hide()
        self.deleteLater()
