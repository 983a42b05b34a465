"""Help → About: versions, folders, license, and a diagnostics report on the clipboard without secrets."""

from __future__ import annotations

from pathlib import Path

import PySide6
import pytest
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWebEngineCore import qWebEngineChromiumVersion

from cognito_desk import __version__
from cognito_desk.diagnostics import AppPaths
from cognito_desk.ui.about import AboutDialog, show_about

SECRET = "wJalrXUtnFEMI-k7MDENG-bPxRfiCYEXAMPLEKEY-about"


@pytest.fixture
def folders(tmp_path, monkeypatch) -> AppPaths:
    monkeypatch.setenv("COGNITO_DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COGNITO_DESK_CONFIG_DIR", str(tmp_path / "settings"))
    return AppPaths.current()


@pytest.fixture
def dialog(qtbot, qt_loop, folders):
    dialog = AboutDialog(None)
    qtbot.addWidget(dialog)
    return dialog


def test_shows_versions_folders_and_license(dialog, folders, assert_accessible) -> None:
    shown = {name: label.text() for name, label in dialog.fields.items()}
    assert shown["Version"].startswith(__version__) and "source checkout" in shown["Version"]
    assert shown["Qt"] == qVersion() and shown["Qt for Python"] == PySide6.__version__
    assert shown["Chromium"].startswith(qWebEngineChromiumVersion())
    assert shown["Data folder"] == str(folders.data) and shown["Settings folder"] == str(folders.settings)
    assert shown["Log folder"] == str(folders.logs)
    assert shown["Install folder"] == str(Path(__file__).resolve().parents[2])
    assert shown["License"] == "Apache-2.0"
    assert all(label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
               for label in dialog.fields.values())
    assert_accessible(dialog)


def test_copy_diagnostics_puts_a_report_without_secrets_on_the_clipboard(dialog, folders, monkeypatch,
                                                                         qtbot, wait_until) -> None:
    for name in ("COGNITO_DESK_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, SECRET)
    monkeypatch.setenv("QTWEBENGINE_CHROMIUM_FLAGS", "--disable-gpu")
    QGuiApplication.clipboard().setText("before")
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    wait_until(lambda: dialog.copied.text() == "Copied to the clipboard", what="the diagnostics report")
    report = QGuiApplication.clipboard().text()
    assert report.startswith(f"cognito-desk {__version__} (source)")
    for line in (f"Qt: {qVersion()}", f"Data: {folders.data}", f"Settings: {folders.settings}",
                 f"Logs: {folders.logs}", "License: Apache-2.0",
                 "Environment QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu"):
        assert line in report.splitlines()
    assert any(line.startswith("Keyring backend: ") for line in report.splitlines())
    assert SECRET not in report and "SECRET" not in report


def test_show_about_opens_window_modal_and_escape_closes_it(qtbot, qt_loop, folders) -> None:
    dialog = show_about(None)
    qtbot.addWidget(dialog)
    assert dialog.isVisible() and dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
