"""The real app as a process (as qutebrowser's end-to-end tests do): it starts on the embedded service,
prints nothing unexpected, never loads QtWebEngine for the main screens, holds its data dir against a second
service, closes cleanly on SIGTERM, and says in one line when there is no display."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading

import pytest

#: Lines Qt's offscreen platform prints that say nothing about the app.
BENIGN = re.compile(r"This plugin does not support propagateSizeHints\(\)")
WRAPPER = ("import sys; from cognito_desk import cli; code = cli.main(sys.argv[1:]); "
           "print('webengine-loaded', any(m.startswith('PySide6.QtWebEngine') for m in sys.modules), "
           "file=sys.stderr); sys.exit(code)")


def _env(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", COGNITO_DESK_CONFIG_DIR=str(tmp_path / "config"),
               COGNITO_DESK_DATA_DIR=str(tmp_path / "data"), COGNITO_DESK_TRACE_T0="0",
               XDG_STATE_HOME=str(tmp_path / "state"), **extra)  # the app's log file goes there
    return env


def _unexpected(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if line.strip() and not BENIGN.search(line) and not re.match(r"(painted|ready) \d", line)
            and not line.startswith("webengine-loaded")]


def test_the_app_starts_on_the_embedded_service_and_quits_cleanly(tmp_path):
    done = subprocess.run([sys.executable, "-c", WRAPPER], env=_env(tmp_path, COGNITO_DESK_QUIT_WHEN_READY="1"),
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
                          preexec_fn=lambda: os.umask(0o022))  # the usual umask: the app must not rely on it
    assert done.returncode == 0, done.stderr
    assert re.search(r"^painted \d", done.stderr, re.M) and re.search(r"^ready \d", done.stderr, re.M)
    assert "webengine-loaded False" in done.stderr  # the tester loads QtWebEngine on demand only
    assert _unexpected(done.stderr) == []
    assert (tmp_path / "data" / "cognito-desk.sqlite3").exists()  # the Local connection served serve's dir
    assert (tmp_path / "config" / "window-state.ini").exists()  # geometry remembered
    written = [path for folder in ("config", "data", "state") for path in (tmp_path / folder).rglob("*")]
    assert written and [str(p) for p in written if p.stat().st_mode & 0o077] == []  # owner-only (issue 15 §4)
    log = (tmp_path / "state" / "cognito-desk" / "log" / "cognito-desk.log").read_text()
    assert "qt default: This plugin does not support propagateSizeHints()" in log  # Qt's notes: the log's
    assert "propagateSizeHints" not in done.stderr  # … not the terminal's


def test_serve_on_the_data_dir_the_app_holds_says_where_it_runs(tmp_path):
    app = subprocess.Popen([sys.executable, "-m", "cognito_desk"], env=_env(tmp_path), stderr=subprocess.PIPE,
                           stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True)
    lines: list[str] = []
    ready = threading.Event()

    def drain():
        for line in app.stderr:
            lines.append(line)
            if line.startswith("ready "):
                ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        assert ready.wait(60), "".join(lines)
        serve = subprocess.run([sys.executable, "-m", "cognito_desk", "serve", "--port", "0",
                                "--data-dir", str(tmp_path / "data")], capture_output=True, text=True, timeout=60,
                               stdin=subprocess.DEVNULL)
        assert serve.returncode != 0
        assert re.search(r"already serving .* on http://127\.0\.0\.1:\d+", serve.stderr), serve.stderr
    finally:
        app.send_signal(signal.SIGTERM)
        code = app.wait(30)
        reader.join(10)
        app.stderr.close()
    assert code == 0, "".join(lines)
    assert _unexpected("".join(lines)) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is Linux's")
def test_without_a_display_it_says_so_in_one_line_and_points_to_serve(tmp_path):
    env = _env(tmp_path)
    del env["QT_QPA_PLATFORM"]
    done = subprocess.run([sys.executable, "-m", "cognito_desk"], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "no display" in done.stderr and "cognito-desk serve" in done.stderr
    assert done.stdout == ""


def test_plugging_every_screen_in_does_not_load_qtwebengine(tmp_path):
    """Only the Tester loads QtWebEngine, when it is first shown: the screens' modules and widgets do not."""
    script = ("import sys, tempfile; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
              "from cognito_desk.ui import app as A; from cognito_desk.backend import LocalServices; "
              "from cognito_desk.settings import SessionSecrets, SettingsFile; A.import_screens(); "
              "d = tempfile.mkdtemp(); ctx = A.make_context(d + '/w.ini', settings_file=SettingsFile(d), "
              "secrets=SessionSecrets(), local=LocalServices()); w = A.build_window(ctx); "
              "print(w.tabs.count(), any(m.startswith('PySide6.QtWebEngine') for m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], env=_env(tmp_path), capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    tabs, loaded = done.stdout.split()
    assert int(tabs) >= 7 and loaded == "False"
