"""A pool click with 1,000 pools in the account against the same click with 1 pool: time and requests.

Two data dirs are seeded through the API (boto3 ``CreateIdentityPool``): one with 1,000 pools, one with 1 (the
baseline). Both are served by embedded services started here (so the benchmark reads each service's own request
counts, ``Service.requests``), and the real main window (``build_window``, offscreen, shown at 1280×800) has one
Local profile on each; it joins them as it joins ``cognito-desk serve``. Rounds alternate between the two
connections, in turn first (so drift on a shared machine hits both alike); each round opens the connection, makes
one warm-up click (the connection-wide lists — roles, IAM providers — are read then, once per connection; reported
apart), then clicks the first pool of the list ``--clicks`` times, each from "no pool selected". A click is timed
from the selection to every pool tab's data shown: Settings, Identities, Identity providers, Roles & rules and
Principal tags are shown in turn (each loads when first shown) and each is waited for; the tester reads its
providers at the selection. Requests per click are what the service answered meanwhile, per operation.

Targets: time with 1,000 pools ≤ 1.2 × time with 1; requests per click ≤ 4 and the same for both. Usage: ``python
bench/pool_click.py [--pools 1000] [--rounds 4] [--clicks 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TABS = ("pools", "identities", "providers", "roles", "tags")


def seed(data_dir: Path, count: int):
    """A running service on ``data_dir`` with ``count`` pools (none uses a provider: no principal-tag maps)."""
    import boto3

    from cognito_desk.service.server import ServiceThread

    thread = ServiceThread(data_dir).start()
    client = boto3.client("cognito-identity", endpoint_url=thread.url, region_name="us-east-1",
                          aws_access_key_id=thread.settings.access_key_id,
                          aws_secret_access_key=thread.settings.secret_access_key)
    for n in range(count):
        client.create_identity_pool(IdentityPoolName=f"bench {n:04}", AllowUnauthenticatedIdentities=True)
    return thread


def shown(window, name: str, pool_id: str) -> bool:
    """Whether the tab ``name`` shows the data of ``pool_id``."""
    screen = window.screens[name]
    if name == "pools":
        return screen.settings_page.edit is not None and screen.settings_page.edit.pool_id == pool_id
    if name == "identities":
        return screen.model is not None and screen.model.complete and not screen.model.loading
    if name == "providers":
        return screen.edit is not None and screen.edit.edit.pool_id == pool_id
    return screen.snapshot is not None and screen.snapshot.pool_id == pool_id


async def until(window, predicate, timeout: float = 60.0) -> None:
    deadline = time.perf_counter() + timeout
    while not (predicate() and not window.ctx.runner.running):
        if time.perf_counter() > deadline:
            raise TimeoutError(f"not there in time (running: {window.ctx.runner.running})")
        await asyncio.sleep(0.001)


async def click(window, pool_id: str) -> float:
    """Select ``pool_id`` from "no pool selected", then show every tab until its data is there; seconds."""
    from PySide6.QtCore import QModelIndex

    window.tabs.setCurrentWidget(window.screens["pools"].settings_page)
    window.pool_list.view.setCurrentIndex(QModelIndex())
    await until(window, lambda: window.current_pool() is None)
    started = time.perf_counter()
    assert window.pool_list.select_pool(pool_id)
    for name in TABS:
        page = window.screens[name] if name != "pools" else window.screens[name].settings_page
        window.tabs.setCurrentWidget(page)
        await until(window, lambda name=name: shown(window, name, pool_id))
    return time.perf_counter() - started


async def measure(window, name: str, service, clicks: int) -> dict:
    window.open_profile(name)
    await until(window, lambda: window.connection is not None and window.connection.name == name
                and bool(window.pool_list.model.rows))
    pool_id = window.pool_list.model.rows[0]["IdentityPoolId"]
    requests = service.service.requests
    before = requests.snapshot()
    warm = await click(window, pool_id)
    warm_requests = requests.since(before)
    times, per_click = [], []
    for _ in range(clicks):
        before = requests.snapshot()
        times.append(await click(window, pool_id))
        per_click.append(requests.since(before))
    return {"warm": warm, "warm_requests": warm_requests, "times": times, "requests": per_click}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pools", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clicks", type=int, default=5)
    args = parser.parse_args()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    import qasync
    from PySide6.QtWidgets import QApplication

    from cognito_desk.settings import LocalProfile, Settings
    from cognito_desk.ui.app import build_window, scratch_context
    from cognito_desk.ui.collector import GuiThreadCollector

    with tempfile.TemporaryDirectory(prefix="cognito-desk-bench-") as temp:
        temp_path = Path(temp)
        started = time.perf_counter()
        many = seed(temp_path / "many", args.pools)
        one = seed(temp_path / "one", 1)
        print(f"seeded {args.pools} + 1 pools in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        services = {"one": one, "many": many}
        app = QApplication(["bench-pool-click"])
        collector = GuiThreadCollector(app)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        ctx = scratch_context(temp_path / "app")
        ctx.settings_file.save(Settings((LocalProfile("one", data_dir=str(temp_path / "one")),
                                         LocalProfile("many", data_dir=str(temp_path / "many"))), "one"))
        window = build_window(ctx)
        window.resize(1280, 800)
        window.show()
        results: dict[str, list[dict]] = {"one": [], "many": []}

        async def run_all() -> None:
            window.start()
            await until(window, lambda: window.settings is not None)
            for round_ in range(args.rounds):
                for name in (("one", "many") if round_ % 2 == 0 else ("many", "one")):
                    results[name].append(await measure(window, name, services[name], args.clicks))

        try:
            with loop:
                loop.run_until_complete(run_all())
                ctx.runner.cancel_all()
                if window.connection is not None:
                    loop.run_until_complete(window.connection.aclose())
        finally:
            window.close()
            collector.stop()
            one.stop()
            many.stop()
    report(results, args.pools)


def report(results: dict[str, list[dict]], pools: int) -> None:
    def per_click(name: str) -> tuple[float, list[int], dict]:
        times = [t for run in results[name] for t in run["times"]]
        totals = [sum(r.values()) for run in results[name] for r in run["requests"]]
        return statistics.median(times) * 1000, totals, results[name][0]["requests"][0]

    one_ms, one_requests, one_ops = per_click("one")
    many_ms, many_requests, many_ops = per_click("many")
    warm = {name: statistics.median(run["warm"] for run in results[name]) * 1000 for name in results}
    print(f"pool click → every tab's data shown (median of {len(one_requests)} clicks each; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  1 pool (baseline)  {one_ms:7.1f} ms   requests per click {sorted(set(one_requests))}  {one_ops}")
    print(f"  {pools} pools  {many_ms:10.1f} ms   requests per click {sorted(set(many_requests))}  {many_ops}")
    print(f"  ratio {many_ms / one_ms:.2f} (target ≤ 1.2)")
    print(f"  first click of a connection (reads the account's roles and IAM providers once): "
          f"1 pool {warm['one']:.1f} ms {results['one'][0]['warm_requests']}, "
          f"{pools} pools {warm['many']:.1f} ms {results['many'][0]['warm_requests']}")
    same = one_requests == many_requests and one_ops == many_ops
    fine = many_ms <= 1.2 * one_ms and max(many_requests) <= 4 and same
    print("  targets met" if fine else "  TARGET MISSED")


if __name__ == "__main__":
    main()
