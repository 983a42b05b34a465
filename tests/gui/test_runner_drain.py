"""``Runner.drain`` (what a window closing for good, and every GUI test's teardown, does): every operation is
cancelled and over when it returns — also one that its cancelled predecessor's clean-up started — and a cancelled
operation whose coroutine fails while unwinding is silent, its exception retrieved (never "Task exception was
never retrieved" in whatever runs next)."""

from __future__ import annotations

import asyncio
import gc

from cognito_desk.ui.tasks import Runner


def test_drain_waits_for_what_clean_ups_start_and_retrieves_unwinding_errors(run, caplog):
    runner = Runner()
    events: list[str] = []

    async def forever(name: str):
        try:
            await asyncio.Event().wait()
        finally:
            events.append(f"{name} unwound")

    async def fails_while_unwinding():
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise RuntimeError("no running event loop") from None

    def start_closing() -> None:
        runner.run(forever("closing"), label="Closing", on_settled=lambda: events.append("closing settled"))

    first = runner.run(forever("first"), label="First", on_settled=start_closing,
                       on_failure=lambda error: events.append(f"failure {error}"))
    failing = runner.run(fails_while_unwinding(), label="Failing",
                         on_failure=lambda error: events.append(f"failure {error}"))

    async def started():
        await asyncio.sleep(0)
        assert [op.label for op in runner.running] == ["First", "Failing"]
        await runner.drain()

    run(started(), 10)
    assert runner.running == []
    assert first.cancelled and first.task.cancelled() and failing.done
    assert sorted(events) == ["closing settled", "closing unwound", "first unwound"]  # no failure reported
    del first, failing
    gc.collect()
    assert "never retrieved" not in caplog.text


def test_drain_with_nothing_running_returns_at_once(run):
    runner = Runner()
    run(runner.drain(), 5)
    assert runner.running == []
