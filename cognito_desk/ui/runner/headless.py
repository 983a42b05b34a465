"""``cognito-desk scenarios run``: scenarios signed in by QtWebEngine without a display, reports written.

Owns :func:`run` (the command): reads every file first (a broken one stops the run before anything signs
in), prepares Qt for a machine without a screen — the ``offscreen`` platform and Chromium without GPU
unless the environment says otherwise; as root, Chromium's sandbox cannot start, so the command refuses
with the exact switch to set (``QTWEBENGINE_DISABLE_SANDBOX=1``) rather than turning it off silently —
then opens the connection, runs the scenarios ``--parallel`` at a time through
:func:`cognito_desk.scenarios.runner.run_scenarios` with a private browser profile each, prints one line per
scenario as it ends, keeps every run in the history and writes ``--junit`` / ``--html``. Exit status: 0 when
every expectation held, 1 when one did not, 2 when the run could not start (a broken file is reported
before Chromium starts). Chromium's log is cut to fatal errors and Qt's usual no-GPU messages are dropped,
so a CI log holds the scenario lines.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...scenarios.history import HistoryStore
    from ...scenarios.runner import ScenarioOutcome

__all__ = ["prepare_environment", "run"]

#: What QtWebEngine prints on every start in a container without a GPU (or as root with the sandbox off).
GPU_LESS_NOISE = ("QRhiGles2: Failed to create", "Failed to create RHI for backend", "GPUInfo not initialized",
                  "Sandboxing disabled by user", "This plugin does not support createPlatformVulkanInstance",
                  "QVulkanInstance: Failed to initialize Vulkan", "GBM is not supported")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def prepare_environment() -> str | None:
    """Set Qt up for no display; the reason it cannot start here, if any."""
    from ..qt_log import quiet_chromium

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--disable-gpu" not in flags:  # no GPU in CI
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --disable-gpu".strip()
    quiet_chromium(os.environ)  # Chromium's own log: fatal errors only, unless asked otherwise
    sandbox_off = os.environ.get("QTWEBENGINE_DISABLE_SANDBOX") == "1" or "--no-sandbox" in flags
    if hasattr(os, "geteuid") and os.geteuid() == 0 and not sandbox_off:
        return ("Chromium's sandbox cannot run as root. In a CI container that runs as root, set "
                "QTWEBENGINE_DISABLE_SANDBOX=1 (the container is the sandbox), or run as an ordinary user.")
    return None


async def _run_all(args: argparse.Namespace, scenarios, history: HistoryStore) -> list[ScenarioOutcome]:
    from ...backend.connection import connected
    from ...scenarios.cli import approval_for, connection_for, outcome_line
    from ...scenarios.runner import run_scenarios
    from ...settings import KeyringSecrets
    from .scripted import private_agents, trace_first_load

    name, endpoint, region = connection_for(scenarios, args)
    async with connected(name, endpoint=endpoint, region=region) as conn:
        return await run_scenarios(conn, scenarios, private_agents(trace_first_load()), connection=conn.name,
                                   parallel=args.parallel, history=history, secrets=KeyringSecrets(),
                                   timeout=args.timeout, approval=approval_for(args),
                                   on_done=lambda outcome: print(outcome_line(outcome), flush=True))


def _quiet(kind, context, message: str) -> None:
    """Qt's messages on stderr, less what QtWebEngine says every time it runs without a GPU or sandbox."""
    if not message.startswith(GPU_LESS_NOISE):
        print(message, file=sys.stderr, flush=True)


def _start_chromium():
    """A QApplication and a blank off-the-record page: Chromium starts its processes while the connection opens."""
    from PySide6.QtCore import QCoreApplication, Qt, qInstallMessageHandler
    from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile
    from PySide6.QtWidgets import QApplication

    qInstallMessageHandler(_quiet)
    QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    profile = QWebEngineProfile(app)
    page = QWebEnginePage(profile)
    page.destroyed.connect(profile.deleteLater)
    page.setUrl("about:blank")
    return app, page


def run(args: argparse.Namespace) -> int:
    from ...core import errors
    from ...scenarios.cli import load_all, write_reports
    from ...scenarios.history import HistoryStore, history_path
    from ...scenarios.model import ScenarioError
    from ...settings.files import owner_only_umask

    scenarios, problems = load_all(args.paths)
    for problem in problems:
        _say(f"cognito-desk: {problem}")
    if problems or not scenarios:
        return 2
    owner_only_umask()  # the history, reports and Chromium's profile files: owner-only
    problem = prepare_environment()
    if problem:
        _say(f"cognito-desk: {problem}")
        return 2
    app, warm_page = _start_chromium()
    import qasync
    from PySide6.QtCore import QCoreApplication, QEvent

    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    history = HistoryStore(args.history or history_path())
    try:
        outcomes = loop.run_until_complete(_run_all(args, scenarios, history))
    except (ScenarioError, KeyError, errors.CognitoDeskError) as exc:
        _say(f"cognito-desk: {exc}")
        return 2
    finally:
        history.close()
        warm_page.deleteLater()
        for _ in range(3):  # pages, then their profiles (deleted once their page is gone)
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        loop.close()
        asyncio.set_event_loop(None)
    write_reports(outcomes, args.junit, args.html)
    failed = sum(1 for o in outcomes if not o.passed)
    _say(f"{len(outcomes) - failed} of {len(outcomes)} scenarios passed")
    return 1 if failed else 0
