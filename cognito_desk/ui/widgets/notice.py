"""A one-line piece of news for the whole window that is not an error: it says what changed, until dismissed.

Owns :class:`NoticeBar` — a framed label with a Dismiss button, hidden until :meth:`NoticeBar.say` is called.
The main window uses it to say once that the Local connection moved to another embedded service.
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton


class NoticeBar(QFrame):
    def __init__(self, parent=None, *, name: str = "Notice") -> None:
        super().__init__(parent)
        self.setObjectName("noticeBar")
        self.setAccessibleName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setAccessibleName(name)
        self.dismiss_button = QToolButton(text="Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss the notice")
        self.dismiss_button.clicked.connect(self.hide)
        box = QHBoxLayout(self)
        box.setContentsMargins(10, 6, 10, 6)
        box.addWidget(self.text, 1)
        box.addWidget(self.dismiss_button)
        self.hide()

    def say(self, message: str) -> None:
        self.text.setText(message)
        self.text.setAccessibleDescription(message)
        self.show()
