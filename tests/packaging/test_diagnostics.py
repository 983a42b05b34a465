"""The diagnostics report (About → Copy diagnostics): versions and folders, and nothing secret."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cognito_desk import __version__
from cognito_desk.diagnostics import AppPaths, diagnostics_text

SECRET = "AKIAEXAMPLE/secret-value-that-must-not-leak"


def test_report_lists_versions_folders_and_qt_switches_only(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COGNITO_DESK_DATA_DIR", str(tmp_path / "data"))
    paths = AppPaths.current()
    environ = {"QTWEBENGINE_DISABLE_SANDBOX": "1", "COGNITO_DESK_SECRET_ACCESS_KEY": SECRET,
               "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": SECRET, "HOME": "/home/someone"}
    text = diagnostics_text(paths, {"Qt": "6.0.0"}, environ=environ, keyring_backend="keyring.backends.fail.Keyring")
    lines = text.splitlines()
    assert lines[0] == f"cognito-desk {__version__} (source)"
    assert "Qt: 6.0.0" in lines and f"Data: {tmp_path / 'data'}" in lines
    assert f"Install: {Path(__file__).resolve().parents[2]}" in lines
    assert "Keyring backend: keyring.backends.fail.Keyring" in lines and "License: Apache-2.0" in lines
    assert "Environment QTWEBENGINE_DISABLE_SANDBOX=1" in lines
    assert SECRET not in text and "/home/someone" not in text


def test_writable_folders_inside_the_install_folder_are_named(tmp_path) -> None:
    outside = replace(AppPaths.current(), install=tmp_path / "app")
    assert outside.inside_install() == []
    inside = replace(outside, settings=tmp_path / "app" / "settings")
    assert inside.inside_install() == ["settings"]
