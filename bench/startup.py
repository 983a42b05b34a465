"""Cold start of the desktop app against a bare PySide6 QMainWindow started the same way, in one run.

Each sample is a fresh process, started with ``COGNITO_DESK_TRACE_T0`` set to the launcher's clock just
before ``Popen``, offscreen (``QT_QPA_PLATFORM=offscreen``):

* **bare** — ``python -c`` importing PySide6.QtWidgets, making a QApplication and a QMainWindow, and
  printing the time of its first paint (the floor any Qt app pays here);
* **app, first run** — ``python -m cognito_desk`` on an empty config and data dir: it prints
  ``painted`` (main window painted) and ``ready`` (the Local connection open on the embedded service it
  started, the pool list shown), then quits (``COGNITO_DESK_QUIT_WHEN_READY``);
* **app, warm** — the same on the data dir of the previous run (keys and database exist).

Samples alternate between the kinds so that machine noise hits all of them alike. Printed: median and
best of each, and the targets of issue 7 — painted ≤ 1.5 × bare, ready ≤ 1.0 s. Usage::

    python bench/startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE = """
import os, sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
t0 = float(os.environ["COGNITO_DESK_TRACE_T0"])
app = QApplication(sys.argv)
window = QMainWindow()
class Paint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            print(f"painted {time.time() - t0:.3f}", file=sys.stderr, flush=True)
            QTimer.singleShot(0, app.quit)
        return False
watcher = Paint()
window.installEventFilter(watcher)
window.resize(1200, 760)
window.show()
app.exec()
"""


def sample(command: list[str], env: dict[str, str]) -> dict[str, float]:
    env = {**env, "COGNITO_DESK_TRACE_T0": f"{time.time():.6f}"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    marks = {}
    for line in done.stderr.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("painted", "ready"):
            marks[parts[0]] = float(parts[1])
    if done.returncode != 0 or "painted" not in marks:
        raise SystemExit(f"{command} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return marks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    base = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    base.update(QT_QPA_PLATFORM="offscreen", COGNITO_DESK_QUIT_WHEN_READY="1")
    results: dict[str, list[dict[str, float]]] = {"bare": [], "first": [], "warm": []}
    app = [sys.executable, "-m", "cognito_desk"]
    with tempfile.TemporaryDirectory(prefix="cognito-desk-startup-") as temp:
        for run in range(args.runs):
            results["bare"].append(sample([sys.executable, "-c", BARE], base))
            fresh = Path(temp) / f"run{run}"
            env = {**base, "COGNITO_DESK_CONFIG_DIR": str(fresh / "config"),
                   "COGNITO_DESK_DATA_DIR": str(fresh / "data")}
            results["first"].append(sample(app, env))
            results["warm"].append(sample(app, env))
    print(f"cold start, {args.runs} runs each, offscreen, median (best) in seconds")
    for kind, label in (("bare", "bare QMainWindow"), ("first", "cognito-desk, first run"),
                        ("warm", "cognito-desk, warm data dir")):
        for mark in ("painted", "ready"):
            values = [r[mark] for r in results[kind] if mark in r]
            if values:
                print(f"  {label:30} {mark:8} {statistics.median(values):6.3f} ({min(values):.3f})")
    bare = statistics.median(r["painted"] for r in results["bare"])
    for kind in ("first", "warm"):
        painted = statistics.median(r["painted"] for r in results[kind])
        ready = statistics.median(r["ready"] for r in results[kind])
        verdict = "PASS" if painted <= 1.5 * bare else "FAIL"
        print(f"  {kind:5}: painted / bare = {painted / bare:.2f} (target <= 1.5: {verdict}),"
              f" ready {ready:.3f} s (target <= 1.0 s: {'PASS' if ready <= 1.0 else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
