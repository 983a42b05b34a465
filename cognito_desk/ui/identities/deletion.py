"""Progress of a many-identity delete: how far it got, and a Stop that ends it after the batch in flight.

Owns :class:`DeletionBar`, an inline strip the Identities page shows while a
:class:`~cognito_desk.admin.identities.Deletion` runs: "Deleted 60 of 130…", a determinate progress bar
advanced after every ``DeleteIdentities`` batch, and Stop (Escape) — a stop between batches, so what was
deleted is always known exactly. The page hides it again when the deletion settles.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton

from ...admin.identities import Deletion

__all__ = ["DeletionBar"]


class DeletionBar(QFrame):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName("Deleting identities")
        self.deletion: Deletion | None = None
        self.label = QLabel()
        self.label.setAccessibleName("Deletion progress")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Identities deleted")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop deleting after this batch")
        self.stop_button.setToolTip("Stop after the DeleteIdentities call in flight (Escape)")
        self.stop_button.clicked.connect(self.stop)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.label)
        row.addWidget(self.bar, 1)
        row.addWidget(self.stop_button)
        self.hide()

    def start(self, deletion: Deletion) -> None:
        self.deletion = deletion
        self.bar.setRange(0, deletion.total)
        self.stop_button.setEnabled(True)
        self.advance(deletion)
        self.show()

    def advance(self, deletion: Deletion) -> None:
        self.bar.setValue(deletion.processed)
        self.label.setText(deletion.progress_text())

    def stop(self) -> None:
        if self.deletion is not None:
            self.deletion.stop()
            self.stop_button.setEnabled(False)
            self.label.setText("Stopping after this batch…")

    def finish(self) -> None:
        self.deletion = None
        self.hide()
