"""The status bar: which connection, region and account, which endpoint, the embedded service's port, and
what is running right now (with Cancel).

Owns :class:`StatusBar`. It listens to the window's :class:`~.tasks.Runner` for the activity indicator
and is told about the connection by the main window (:meth:`show_connection`, :meth:`show_caller`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar, QToolButton

from .tasks import Runner

if TYPE_CHECKING:
    from ..backend import Connection, ConnectionReport

__all__ = ["StatusBar"]


class StatusBar(QStatusBar):
    def __init__(self, runner: Runner, parent=None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.connection_label = QLabel("Not connected")
        self.connection_label.setAccessibleName("Connection")
        self.account_label = QLabel("")
        self.account_label.setAccessibleName("Region and account")
        self.endpoint_label = QLabel("")
        self.endpoint_label.setAccessibleName("Endpoint")
        self.activity_label = QLabel("")
        self.activity_label.setAccessibleName("Activity")
        self.activity_bar = QProgressBar()
        self.activity_bar.setRange(0, 0)
        self.activity_bar.setMaximumWidth(90)
        self.activity_bar.setMaximumHeight(14)
        self.activity_bar.setAccessibleName("Working")
        self.cancel_button = QToolButton(text="Cancel")
        self.cancel_button.setAccessibleName("Cancel everything that is running")
        self.cancel_button.clicked.connect(runner.cancel_all)
        for widget in (self.connection_label, self.account_label, self.endpoint_label):
            self.addWidget(widget)
        for widget in (self.activity_label, self.activity_bar, self.cancel_button):
            self.addPermanentWidget(widget)
        runner.changed.connect(self._activity)
        self._activity()

    def show_connection(self, connection: Connection | None, *, connecting: str = "") -> None:
        if connection is None:
            self.connection_label.setText(f"Connecting to {connecting}…" if connecting else "Not connected")
            self.account_label.setText("")
            self.endpoint_label.setText("")
            return
        kind = {"local": "Local", "aws": "AWS", "endpoint": "Custom endpoint"}[connection.profile.kind.value]
        self.connection_label.setText(f"<b>{connection.name}</b> ({kind})")
        self.account_label.setText(f"{connection.region}")
        where = connection.endpoint_url
        if connection.local_port:
            how = "embedded service" if connection.local_owned else "joined the running cognito-desk serve"
            where += f" — {how} on port {connection.local_port}"
        self.endpoint_label.setText(where)

    def show_caller(self, report: ConnectionReport) -> None:
        region = self.account_label.text().split(" ·")[0]
        self.account_label.setText(f"{region} · account {report.account}")
        self.account_label.setToolTip(f"Signed as {report.arn} ({report.latency_ms:.0f} ms)")

    def _activity(self) -> None:
        running = self.runner.running
        busy = bool(running)
        self.activity_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.activity_label.setToolTip("\n".join(operation.status for operation in running))
        if not busy:
            self.activity_label.setText("Ready")
        elif len(running) == 1:
            self.activity_label.setText(running[0].status)
        else:
            self.activity_label.setText(f"{running[0].status} (+{len(running) - 1} more)")
