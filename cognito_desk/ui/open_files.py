"""Files handed to the app (``cognito-desk FILE…``, the desktop's "Open with", the installers' associations).

Owns :func:`file_kind`, :func:`open_paths` and :class:`ScenarioFileDialog`. An exported pool (``.cdpool``,
or ``.json``) opens the Import dialog on the current connection with its preview; a scenario
(``.cdscenario`` or ``.toml``) opens a dialog that shows what the scenario does and runs the very
commands a CI job would — ``cognito-desk scenarios check`` and ``scenarios run`` on the current
connection — as a child process (:class:`QProcess`: never blocking, cancellable), its output shown live.
Before Run it lists what ``scenarios check`` lists (:func:`cognito_desk.scenarios.origins.plan_of`): every
origin the file would contact and every reference it would resolve. A file whose references would go to a
provider not approved yet (not among the provider clients saved in the app) runs only after the person ticks
"Approve…" — its origins are then passed as ``--allow-origin`` for that run, and for nothing else.
A file that cannot be read is reported in the window's status bar and the connection's error banner.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QProcess, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
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
            dialog = window.screens["pools"].import_file(path)
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
        self.plan_view = QPlainTextEdit()
        self.plan_view.setReadOnly(True)
        self.plan_view.setAccessibleName("What the scenario would contact and resolve")
        self.approve = QCheckBox()
        self.approve.setAccessibleName("Approve the scenario's provider origins for its secrets")
        self.approve.toggled.connect(lambda _on: self._busy(False))
        self.approve.hide()
        #: Origins this file's secrets would go to that nobody approved yet (ticking ``approve`` approves them).
        self.unapproved: list[str] = []
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
        box.addWidget(self.plan_view, 1)  # as tall as the output: a file from elsewhere lists a lot before Run
        box.addWidget(self.approve)
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
            self.plan_view.hide()
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
        self._show_plan(scenario)

    def _show_plan(self, scenario) -> None:
        from ..flows.clients import ProviderClientsError, ProviderClientsFile
        from ..flows.origins import may_carry_secrets
        from ..scenarios.origins import Approval, plan_of

        try:
            saved = ProviderClientsFile(self.window_.ctx.settings_file.path.parent).load()
        except ProviderClientsError:
            saved = []
        approval = Approval.of((), saved)
        plan = plan_of(scenario, approval)
        lines = plan.lines() or ["contacts only the connection; resolves no secret"]
        self.plan_view.setPlainText("\n".join([*lines, *(f"refused: {v}" for v in plan.violations)]))
        if plan.uses:
            self.unapproved = sorted({c.origin for c in plan.contacts if not c.approved
                                      and not c.what.startswith("connection") and may_carry_secrets(c.origin)})
        if self.unapproved:
            self.approve.setText("Approve " + ", ".join(self.unapproved) + " to receive this file's secrets "
                                 "(for this run only)")
            self.approve.show()
        self._busy(False)
    def start(self, verb: str) -> None:
        connection = self.window_.connection
        if connection is None or self.process.state() != QProcess.ProcessState.NotRunning:
            return
        if verb == "run" and self.unapproved and not self.approve.isChecked():
            return  # a file from elsewhere never runs with secrets unless its origins were approved here
        program, *args = command_line()
        args += ["scenarios", verb, self.path, "--connection", connection.name]
        if self.approve.isChecked():
            args += [arg for origin in self.unapproved for arg in ("--allow-origin", origin)]
        self.output.appendPlainText(f"$ cognito-desk scenarios {verb} {Path(self.path).name} "
                                    + " ".join(args[args.index("--connection"):]))
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
        usable = not self.plan_view.isHidden()  # hidden when the file cannot be used
        self.check_button.setEnabled(not busy and usable)
        self.run_button.setEnabled(not busy and usable and (not self.unapproved or self.approve.isChecked()))
        self.run_button.setToolTip("Tick the approval above first: this file's secrets would go to origins you "
                                   "have not approved." if self.unapproved and not self.approve.isChecked() else "")
        self.stop_button.setEnabled(busy)

    def done(self, result: int) -> None:
        self.stop()
        self.process.waitForFinished(3000)
        super().done(result)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
