"""Issue 15 §4: the command line is parsed whole — the desktop app takes only files to open, an unknown option
is a usage error, and Qt gets none of the user's arguments (``-platformpluginpath DIR -platform NAME`` would load
code from any directory)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cognito_desk import cli

ROOT = Path(__file__).resolve().parents[2]


def test_qt_options_are_a_usage_error_before_anything_loads(tmp_path, capsys):
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    for argv in (["-platformpluginpath", str(plugins), "-platform", "evil"], ["--platform=offscreen"],
                 ["-style", "x"], [str(tmp_path / "missing.cdpool")], ["notes.txt"]):
        with pytest.raises(SystemExit) as caught:
            cli.main(argv)
        assert caught.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("usage: cognito-desk [-h] [FILE ...]") and "error:" in err


def test_files_to_open_reach_the_desktop_app_and_nothing_else(tmp_path, monkeypatch):
    (tmp_path / "qa.cdpool").write_text("{}")
    (tmp_path / "login.cdscenario").write_text("")
    handed: list = []
    monkeypatch.setattr(cli, "_gui", lambda files: handed.append(files) or 0)
    assert cli.main([]) == 0 and cli.main([str(tmp_path / "qa.cdpool"), str(tmp_path / "login.cdscenario")]) == 0
    assert handed == [[], [str(tmp_path / "qa.cdpool"), str(tmp_path / "login.cdscenario")]]


def test_the_running_app_gives_qt_only_the_program_name(tmp_path):
    wrapper = ("import sys; import PySide6.QtWidgets as W; seen = []\n"
               "class Recording(W.QApplication):\n"
               "    def __init__(self, args):\n"
               "        seen.append(list(args)); super().__init__(args)\n"
               "import cognito_desk.ui.app as A; A.QApplication = Recording\n"
               "from cognito_desk import cli; code = cli.main(sys.argv[1:]); print('qt-args', seen, file=sys.stderr)\n"
               "sys.exit(code)")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", COGNITO_DESK_CONFIG_DIR=str(tmp_path / "config"),
               COGNITO_DESK_DATA_DIR=str(tmp_path / "data"), COGNITO_DESK_QUIT_WHEN_READY="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", wrapper, "-platform", "offscreen"], env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL, cwd=ROOT)
    assert done.returncode == 2 and "error: unrecognized arguments: -platform" in done.stderr
    assert "qt-args" not in done.stderr  # refused before any QApplication
    done = subprocess.run([sys.executable, "-c", wrapper], env=env, capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "qt-args [['-c']]" in done.stderr
