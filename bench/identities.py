"""The identity browser on a pool of 100,000 identities: first rows, memory while scrolling, UI-thread stalls.

Seeding (bench-only): an embedded service is started on a temporary data dir, a pool with a developer
provider (and an empty second pool) is created through the API, then 100,000 identities — every tenth with a
developer user, so the Logins column has something to show — are written straight through the service's own
store in one transaction (``Store.transaction``, the same table and columns ``GetId`` writes), and the
service is stopped. Each kind below then runs in a fresh process, offscreen, with the real main window
(``build_window``) shown at 1280×800 and the Identities tab current:

* **joined** — a ``cognito-desk serve`` process holds the data dir and the app's Local connection joins it, so
  the app's memory and UI thread carry only the app;
* **embedded** — the app serves the data dir itself, in-process (what a first run does);
* **memory** (baseline) — embedded, but the tab's page source is replaced by pages built in memory with no
  network (same model, view, columns and row shape), the floor any lazily paged table pays here.

Measured: selecting the pool → its first rows painted (5 times, switching from the empty pool and back; the
target is < 300 ms); resident memory before listing, after scrolling to 1,000 rows and after scrolling to the
end (it must grow with the rows fetched, not with the pool: bytes per fetched row are printed); the longest
gap between the ticks of a 5 ms QTimer while pages are fetched (the longest UI-thread stall; target < 50 ms).
Usage: ``python bench/identities.py [--identities 100000]``. RSS is read from ``/proc`` (Linux).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

DEVELOPER = "login.bench.example"
KINDS = ("joined", "embedded", "memory")


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


# --- seeding (parent process) ----------------------------------------------------------------------------

def seed(data_dir: Path, count: int) -> tuple[str, str]:
    import boto3

    from cognito_desk.service.context import ServiceSettings
    from cognito_desk.service.server import ServiceThread

    thread = ServiceThread(data_dir, ServiceSettings()).start()
    try:
        client = boto3.client("cognito-identity", endpoint_url=thread.url, region_name="us-east-1",
                              aws_access_key_id=thread.settings.access_key_id,
                              aws_secret_access_key=thread.settings.secret_access_key)
        pool = client.create_identity_pool(IdentityPoolName="Load test", AllowUnauthenticatedIdentities=True,
                                           DeveloperProviderName=DEVELOPER)["IdentityPoolId"]
        empty = client.create_identity_pool(IdentityPoolName="Empty", AllowUnauthenticatedIdentities=True)
        now = time.time()
        ids = [f"us-east-1:{uuid.uuid4()}" for _ in range(count)]
        with thread.store.transaction() as conn:
            conn.executemany("INSERT INTO identities (id, pool_id, created, modified) VALUES (?, ?, ?, ?)",
                             [(i, pool, now - count + n, now - count + n) for n, i in enumerate(ids)])
            conn.executemany("INSERT INTO developer_users (pool_id, user_identifier, identity_id, linked) "
                             "VALUES (?, ?, ?, ?)", [(pool, f"user-{n}", i, now) for n, i in enumerate(ids)
                                                     if n % 10 == 0])
        return pool, empty["IdentityPoolId"]
    finally:
        thread.stop()


# --- one kind (child process) ----------------------------------------------------------------------------

def memory_pages(count: int, loaded_pool: str):
    """The baseline's page source: the same row shape as ListIdentities, built in memory, no network (the other
    pool is empty, as it is on the service)."""
    def pages(_client, pool_id, *, hide_disabled):
        async def page(token):
            if pool_id != loaded_pool:
                return [], None
            start = int(token or 0)
            await asyncio.sleep(0)
            created = datetime.now(UTC)
            rows = [{"IdentityId": f"us-east-1:{uuid.UUID(int=n)}", "CreationDate": created,
                     "LastModifiedDate": created, "HiddenDisabled": hide_disabled,
                     "Logins": (DEVELOPER,) if n % 10 == 0 else ()} for n in range(start, min(start + 60, count))]
            return rows, str(start + 60) if start + 60 < count else None
        return page
    return pages


class StallMeter:
    """Gaps between the ticks of a 5 ms timer on the UI thread, while armed: the longest is the longest stall
    (on a shared machine it also catches the OS preempting the process, hence the 99th percentile too)."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last: float | None = None
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def arm(self) -> None:
        self.gaps, self._last = [], time.perf_counter()
        self.timer.start()

    def disarm(self) -> dict:
        self._tick()
        self.timer.stop()
        gaps = sorted(self.gaps) or [0.0]
        return {"max": gaps[-1] * 1000, "p99": gaps[int(len(gaps) * 0.99)] * 1000,
                "over_50": sum(gap > 0.05 for gap in gaps)}

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.append(now - self._last)
        self._last = now


async def measure(window, page, pools: tuple[str, str], count: int) -> dict:
    from PySide6.QtCore import QEvent, QObject

    async def until(predicate, timeout=60.0):
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the identity browser did not get there in time (running: "
                                   f"{window.ctx.runner.running}, error: {page.errors.title.text()})")
            await asyncio.sleep(0.001)

    painted = []

    class Paints(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint and page.model is not None and page.model.rows:
                painted.append(time.perf_counter())
            return False

    paints = Paints()
    page.view.viewport().installEventFilter(paints)
    await until(lambda: window.connection is not None and window.pool_list.model.complete)
    await until(lambda: len(window.pool_list.model.rows) == 2)
    window.tabs.setCurrentWidget(page)
    pool, empty = pools
    first = []
    for _ in range(5):
        window.pool_list.select_pool(empty)
        await until(lambda: page.model.complete and not page.model.loading)
        await asyncio.sleep(0.05)
        rss_before = rss_mib()
        painted.clear()
        started = time.perf_counter()
        window.pool_list.select_pool(pool)
        await until(lambda: bool(painted))
        first.append((painted[0] - started) * 1000)
    meter, model, view = StallMeter(), page.model, page.view
    await until(lambda: not model.loading)

    async def scroll_until(rows: int) -> tuple[dict, float]:
        meter.arm()
        started = time.perf_counter()
        while len(model.rows) < rows and not model.complete:
            view.scrollToBottom()
            await until(lambda: not model.loading)
            await asyncio.sleep(0)
        return meter.disarm(), time.perf_counter() - started

    stall_1000, _ = await scroll_until(1000)
    rss_1000, rows_1000 = rss_mib(), len(model.rows)
    stall_end, seconds_end = await scroll_until(count + 1)
    return {"first_ms": first, "rss_before": rss_before, "rss_1000": rss_1000, "rows_1000": rows_1000,
            "rss_end": rss_mib(), "rows_end": len(model.rows), "stall_1000": stall_1000,
            "stall_end": stall_end, "seconds_to_end": seconds_end}


def child(kind: str, data_dir: Path, pools: tuple[str, str], count: int) -> None:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import qasync
    from PySide6.QtWidgets import QApplication

    from cognito_desk.ui.app import build_window, scratch_context
    from cognito_desk.ui.collector import GuiThreadCollector
    from cognito_desk.ui.identities import IdentitiesPage
    from cognito_desk.ui.identities import page as page_module

    if kind == "memory":
        page_module.identity_pages = memory_pages(count, pools[0])
    app = QApplication(["bench-identities"])
    collector = GuiThreadCollector(app)  # as ui.app.run: cyclic garbage is collected on the GUI thread only
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with tempfile.TemporaryDirectory(prefix="cognito-desk-bench-") as temp:
        ctx = scratch_context(Path(temp), data_dir)
        window = build_window(ctx)
        window.resize(1280, 800)
        window.show()
        page = next(window.tabs.widget(i) for i in range(window.tabs.count())
                    if isinstance(window.tabs.widget(i), IdentitiesPage))
        window.start()
        try:
            with loop:
                figures = loop.run_until_complete(measure(window, page, pools, count))
                loop.run_until_complete(window.connection.aclose())
        finally:
            window.close()
            ctx.local.stop_all()
            collector.stop()
    print(json.dumps(figures), flush=True)


# --- the run (parent process) ----------------------------------------------------------------------------

def run_kind(kind: str, data_dir: Path, pools: tuple[str, str], count: int) -> dict:
    command = [sys.executable, __file__, "--child", kind, "--data-dir", str(data_dir), "--pools", *pools,
               "--identities", str(count)]
    server = None
    if kind == "joined":
        from cognito_desk.service.server import running_instance

        server = subprocess.Popen([sys.executable, "-m", "cognito_desk", "serve", "--port", "0", "--data-dir",
                                   str(data_dir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while running_instance(data_dir) is None:
            if time.time() > deadline or server.poll() is not None:
                raise SystemExit("cognito-desk serve did not start")
            time.sleep(0.1)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
    if done.returncode != 0:
        raise SystemExit(f"{kind} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(results: dict[str, dict], count: int) -> None:
    print(f"identity browser, {count:,} identities, offscreen, 1280x800; first rows: median (best) of 5")
    print("stalls: longest / 99th percentile gap of a 5 ms UI-thread timer, and how many gaps were over 50 ms")
    print(f"{'kind':<10} {'first rows ms':>15} {'RSS before':>11} {'@1,000 rows':>12} {'@end':>9} "
          f"{'B/row':>7} {'stall ms to 1,000':>19} {'stall ms to end':>19} {'s to end':>9}")
    for kind, r in results.items():
        per_row = (r["rss_end"] - r["rss_1000"]) * 2**20 / max(1, r["rows_end"] - r["rows_1000"])
        stalls = [f"{s['max']:.0f} / {s['p99']:.0f} ({s['over_50']})" for s in (r["stall_1000"], r["stall_end"])]
        print(f"{kind:<10} {statistics.median(r['first_ms']):>8.1f} ({min(r['first_ms']):>5.1f}) "
              f"{r['rss_before']:>8.1f} MiB {r['rss_1000']:>8.1f} MiB {r['rss_end']:>5.0f} MiB {per_row:>7.0f} "
              f"{stalls[0]:>19} {stalls[1]:>19} {r['seconds_to_end']:>9.1f}")
    app = [r for kind, r in results.items() if kind in ("joined", "embedded")]
    if not app:
        print("targets: judged on the app's kinds (joined, embedded); only the baseline ran")
        return
    worst_first = max(statistics.median(r["first_ms"]) for r in app)
    worst_stall = max(max(r["stall_1000"]["max"], r["stall_end"]["max"]) for r in app)
    print(f"targets: first rows < 300 ms: {'met' if worst_first < 300 else 'MISSED'} (worst median "
          f"{worst_first:.1f} ms); longest stall < 50 ms: {'met' if worst_stall < 50 else 'MISSED'} "
          f"({worst_stall:.1f} ms); rows at the end = {count:,}: "
          f"{'yes' if all(r['rows_end'] == count for r in results.values()) else 'NO'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--identities", type=int, default=100_000)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pools", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data_dir, tuple(args.pools), args.identities)
        os._exit(0)  # skip interpreter finalization: PySide6 can crash collecting Qt wrappers at exit
    with tempfile.TemporaryDirectory(prefix="cognito-desk-bench-data-") as temp:
        data_dir = Path(temp) / "data"
        started = time.perf_counter()
        pools = seed(data_dir, args.identities)
        print(f"seeded {args.identities:,} identities through the service's store in "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        results = {kind: run_kind(kind, data_dir, pools, args.identities) for kind in args.kinds}
    report(results, args.identities)
    return 0


if __name__ == "__main__":
    sys.exit(main())
