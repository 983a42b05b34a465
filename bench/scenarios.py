"""The headless scenario runner: scenarios per minute at ``--parallel 1`` and ``--parallel 4``, and its start-up.

Starts a fresh embedded service (``cognito-desk serve --port 0``) and the real ``oidc-provider`` of ``tests/idp``,
creates a pool whose rules give QA users a role, writes ``--scenarios`` OIDC scenario files (login form filled,
consent clicked, role and claims expected) and runs ``cognito-desk scenarios run`` as CI would — a new
process, QtWebEngine offscreen — ``--reps`` times at each parallelism, alternating. Printed:

* **scenarios/minute** at ``--parallel 1`` (the baseline) and ``--parallel 4``, over the whole command (start-up
  included) and over the scenarios alone (from the first provider page to the exit), with the speed-up;
* **start-up overhead** — process start → first provider page requested (``COGNITO_DESK_TRACE_T0``), against
  the baseline **bare QtWebEngine**: a process that only makes a QApplication and an off-the-record page and
  asks it to load the same page (the floor any QtWebEngine runner pays here).

Run: ``.venv/bin/python bench/scenarios.py [--scenarios 8] [--reps 3]`` (needs Node.js and ``npm ci`` in tests/idp).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tester import setup_pool, start_oidc

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1"}
BARE = """
import os, sys, time
from PySide6.QtCore import QCoreApplication, Qt, QUrl, QTimer
from PySide6.QtWidgets import QApplication
QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
app = QApplication(sys.argv)
from PySide6.QtWebEngineCore import QWebEngineProfile, QWebEnginePage
profile = QWebEngineProfile()
page = QWebEnginePage(profile)
page.load(QUrl(sys.argv[1]))
print(f"first provider page requested {time.time() - float(os.environ['COGNITO_DESK_TRACE_T0']):.3f}",
      file=sys.stderr, flush=True)
page.loadFinished.connect(lambda ok: QTimer.singleShot(0, app.quit))
app.exec()
del page
"""
STEPS = """
[[steps]]
fill = "input[name=login]"
value = "{user}"
[[steps]]
fill = "input[name=password]"
value = "env:BENCH_PASSWORD"
[[steps]]
click = "button[type=submit]"
[[steps]]
wait_for = "input[name=prompt][value=consent]"
[[steps]]
click = "button[type=submit]"
"""


def start_service(data_dir: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "cognito_desk", "serve", "--port", "0", "--data-dir",
                                str(data_dir)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    line = process.stdout.readline()
    found = re.search(r"listening on (http://\S+)", line)
    if not found:
        raise SystemExit(f"the service did not start: {line!r}")
    return process, found.group(1)


class _Admin:
    """What ``bench/tester.setup_pool`` reads of a connection: the endpoint, the region and admin credentials."""

    def __init__(self, url: str, key: str, secret: str) -> None:
        self.endpoint_url, self.region, self.credentials = url, "us-east-1", self
        self._keys = SimpleNamespace(access_key=key, secret_key=secret)

    async def get(self) -> SimpleNamespace:
        return self._keys


def setup(url: str, data_dir: Path, issuer: str) -> tuple[dict, str, str]:
    """The pool of bench/tester.py (an OIDC provider, an authenticated role); (admin keys, pool id, role ARN)."""
    from cognito_desk.service.server import admin_credentials

    key, secret, _ = admin_credentials(data_dir)
    pool_id = asyncio.run(setup_pool(_Admin(url, key, secret), issuer))
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                       aws_secret_access_key=secret)
    role = iam.get_role(RoleName="bench-auth")["Role"]["Arn"]
    return {"AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret}, pool_id, role


def write_scenarios(directory: Path, count: int, pool_id: str, issuer: str, role: str) -> list[str]:
    paths = []
    for number in range(count):
        user = f"bench-user-{number}"
        text = (f'version = 1\nname = "{user}"\npersona = "{user}"\npool_id = "{pool_id}"\n\n[provider]\n'
                f'name = "bench-op"\nkind = "oidc"\nissuer = "{issuer}"\nclient_id = "qa-desk"\n'
                f'{STEPS.format(user=user)}\n[expect]\nrole_arn = "{role}"\nclaims = ["sub"]\n')
        path = directory / f"{user}.toml"
        path.write_text(text)
        paths.append(str(path))
    return paths


def first_page(stderr: str) -> float:
    found = re.search(r"^first provider page requested ([\d.]+)$", stderr, re.M)
    if not found:
        raise SystemExit(f"no start-up trace in:\n{stderr[-2000:]}")
    return float(found.group(1))


def run_once(paths: list[str], parallel: int, url: str, env: dict, history: Path) -> tuple[float, float]:
    """(whole command seconds, start-up seconds)."""
    t0 = time.time()
    done = subprocess.run([sys.executable, "-m", "cognito_desk", "scenarios", "run", *paths, "--parallel",
                           str(parallel), "--endpoint", url, "--history", str(history)],
                          env={**env, "COGNITO_DESK_TRACE_T0": repr(t0)}, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.time() - t0
    if done.returncode != 0:
        raise SystemExit(f"the scenarios did not pass:\n{done.stdout}\n{done.stderr[-2000:]}")
    return elapsed, first_page(done.stderr)


def bare_once(url: str) -> float:
    t0 = time.time()
    done = subprocess.run([sys.executable, "-c", BARE, url], env={**ENV, "COGNITO_DESK_TRACE_T0": repr(t0)},
                          capture_output=True, text=True)
    return first_page(done.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", type=int, default=8)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scenarios-") as temp:
        temp_dir = Path(temp)
        service, url = start_service(temp_dir / "data")
        oidc, issuer = start_oidc()
        try:
            keys, pool_id, role = setup(url, temp_dir / "data", issuer)
            env = {**ENV, **keys, "BENCH_PASSWORD": "bench-password", "COGNITO_DESK_CONFIG_DIR": str(temp_dir / "c"),
                   "COGNITO_DESK_DATA_DIR": str(temp_dir / "d")}
            paths = write_scenarios(temp_dir, args.scenarios, pool_id, issuer, role)
            runs: dict[int, list[tuple[float, float]]] = {1: [], 4: []}
            bare: list[float] = []
            for _ in range(args.reps):
                for parallel in (1, 4):
                    runs[parallel].append(run_once(paths, parallel, url, env, temp_dir / "history.sqlite3"))
                bare.append(bare_once(f"{issuer}/.well-known/openid-configuration"))
        finally:
            oidc.stdin.close()
            oidc.terminate()
            service.terminate()
            oidc.wait(10)
            service.wait(10)
    n = args.scenarios
    print(f"{n} OIDC scenarios (login form + consent, role and claims checked), {args.reps} runs each, "
          f"{os.cpu_count()} CPUs")
    rates = {}
    for parallel, samples in runs.items():
        whole = statistics.median(n / elapsed * 60 for elapsed, _ in samples)
        alone = statistics.median(n / (elapsed - start) * 60 for elapsed, start in samples)
        rates[parallel] = alone
        print(f"--parallel {parallel}: {whole:6.1f} scenarios/min (whole command)   {alone:6.1f} scenarios/min "
              f"(after start-up)")
    print(f"speed-up of --parallel 4 over the --parallel 1 baseline: {rates[4] / rates[1]:.2f}x")
    startup = statistics.median(start for samples in runs.values() for _, start in samples)
    floor = statistics.median(bare)
    print(f"start-up (process start -> first provider page requested): {startup * 1000:6.0f} ms; baseline bare "
          f"QtWebEngine page: {floor * 1000:6.0f} ms; overhead {max(0.0, startup - floor) * 1000:.0f} ms "
          f"({startup / floor:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
