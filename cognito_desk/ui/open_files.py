"""Files handed to the app (``cognito-desk FILE…``, the desktop's "Open with", the installers' associations).

Owns :func:`file_kind`, :func:`open_paths` and :class:`ScenarioFileDialog`. An exported pool (``.cdpool``,
or ``.json``) opens the Import dialog on the current connection with its preview; a scenario
(``.cdscenario`` or ``.toml``) opens a dialog that shows what the scenario does and runs the very
commands a CI job would — ``cognito-desk scenarios check`` and ``scenarios run`` on the current
connection — as a child process (:class:`QProcess`: never blocking, cancellable), its output shown live.
A file that cannot be read is reported in the window's status bar and the connection's error banner.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ScenarioFileDialog", "file_kind", "open_paths"]

POOL_SUFFIXES = (".cdpool", ".json")
SCENARIO_SUFFIXES = (".cdscenario", ".toml")


def file_kind(path: str | Path) -> str | None:
    """``"pool"``, ``"scenario"`` or None (not a file this app opens)."""
    suffix = Path(path).suffix.lower()
    return "pool" if suffix in POOL_SUFFIXES else "scenario" if suffix in SCENARIO_SUFFIXES else None


def command_line() -> list[str]:
    """How to start ``cognito-desk`` again: the bundle's executable, or this Python with ``-m``."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "cognito_desk"]


def open_paths(window, paths: list[str]) -> list[QWidget]:
    """Open each file in ``window`` (its connection must be open); returns the dialogs it opened."""
    opened: list[QWidget] = []
    for path in paths:
        kind = file_kind(path)
        if kind == "pool":
            dialog = window.pool_screens.import_file(path)
            if dialog is not None:
                opened.append(dialog)
        elif kind == "scenario":
            dialog = ScenarioFileDialog(window, path)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()
            opened.append(dialog)
        else:
            window.status.showMessage(f"cognito-desk does not open {Path(path).name}: not a pool export "
                                      f"({', '.join(POOL_SUFFIXES)}) or a scenario ({', '.join(SCENARIO_SUFFIXES)})")
    return opened


class ScenarioFileDialog(QDialog):
    """A scenario file: what it does, and Check / Run on the window's connection as the CI command would."""

    def __init__(self, window, path: str) -> None:
        super().__init__(window)
        self.window_ = window
        self.path = str(Path(path).resolve())
        self.setWindowTitle(f"Scenario — {Path(path).name}")
        self.setAccessibleName("Scenario file")
        self.resize(760, 520)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("What the scenario does")
        self.output = QPlainTextEdit()
        self.output.setReadOnly(True)
        self.output.setFont(QFont("monospace"))
        self.output.setAccessibleName("Command output")
        self.output.setPlaceholderText("Check validates the file on this connection; Run signs in as it says.")
        self.check_button = QPushButton("Check")
        self.check_button.setAccessibleName("Check the scenario on this connection")
        self.run_button = QPushButton("Run")
        self.run_button.setAccessibleName("Run the scenario on this connection")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop the command")
        self.stop_button.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.stop_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(lambda: self.start("check"))
        self.run_button.clicked.connect(lambda: self.start("run"))
        self.stop_button.clicked.connect(self.stop)
        box = QVBoxLayout(self)
        box.addWidget(self.summary)
        box.addWidget(self.output, 1)
        box.addWidget(buttons)
        self.process = QProcess(self)
        self.process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        self.process.readyReadStandardOutput.connect(self._read)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._failed)
        self.exit_code: int | None = None
        self._describe()

    def _describe(self) -> None:
        from ..scenarios.model import ScenarioError, load_scenario

        try:
            scenario = load_scenario(self.path)
        except (ScenarioError, OSError) as exc:
            self.summary.setText(f"<b>This scenario cannot be used:</b> {_escape(str(exc))}")
            self.check_button.setEnabled(False)
            self.run_button.setEnabled(False)
            return
        expect = scenario.expect
        wanted = [f"outcome <code>{_escape(expect.outcome)}</code>"]
        if expect.role_arn:
            wanted.append(f"role <code>{_escape(expect.role_arn)}</code>")
        if expect.identity:
            wanted.append(f"{expect.identity} identity")
        connection = self.window_.connection.name if self.window_.connection else "(none)"
        self.summary.setText(
            f"<b>{_escape(scenario.label)}</b> — {_escape(scenario.provider.kind.value)} provider "
            f"<code>{_escape(scenario.provider.name)}</code>, {scenario.flow.value} flow, pool "
            f"<code>{_escape(scenario.pool_id)}</code>, {len(scenario.steps)} login-page steps.<br>"
            f"Expects {', '.join(wanted)}.<br>Runs on the connection <b>{_escape(connection)}</b> "
            f"(as <code>cognito-desk scenarios run</code> would).")

    def start(self, verb: str) -> None:
        connection = self.window_.connection
        if connection is None or self.process.state() != QProcess.ProcessState.NotRunning:
            return
        program, *args = command_line()
        args += ["scenarios", verb, self.path, "--connection", connection.name]
        self.output.appendPlainText(f"$ cognito-desk scenarios {verb} {Path(self.path).name} "
                                    f"--connection {connection.name}")
        self.exit_code = None
        self._busy(True)
        self.process.start(program, args)

    def stop(self) -> None:
        if self.process.state() != QProcess.ProcessState.NotRunning:
            self.process.kill()

    def _read(self) -> None:
        text = bytes(self.process.readAllStandardOutput()).decode(errors="replace")
        self.output.appendPlainText(text.rstrip("\n"))

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._busy(False)
        self.exit_code = code
        if status == QProcess.ExitStatus.CrashExit:
            self.output.appendPlainText("(stopped)")
        else:
            self.output.appendPlainText("passed" if code == 0 else f"failed (exit status {code})")

    def _failed(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._busy(False)
            self.exit_code = -1
            self.output.appendPlainText(f"could not start cognito-desk: {self.process.errorString()}")

    def _busy(self, busy: bool) -> None:
        self.check_button.setEnabled(not busy)
        self.run_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    def done(self, result: int) -> None:
        self.stop()
        self.process.waitForFinished(3000)
        super().done(result)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
