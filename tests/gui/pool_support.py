"""What the pool GUI tests share: waits that end only when the window is idle. Test modules wrap these in their
own fixtures (``call``, ``settle``)."""

from __future__ import annotations

import asyncio


def call_until_idle(window, run):
    """``call(coro)``: run it, and keep the loop running until the window's own requests are done too (a
    request left half-way when the loop stops would be resumed by Qt outside the asyncio loop)."""
    async def until_idle(coro):
        result = await coro
        while window.ctx.runner.running:
            await asyncio.sleep(0.02)
        return result
    return lambda coro: run(until_idle(coro))


def settle_when_idle(window, wait_until):
    """``settle(predicate, what)``: wait until ``predicate`` holds and nothing runs any more."""
    return lambda predicate, what="the condition": wait_until(
        lambda: bool(predicate()) and not window.ctx.runner.running, 30, what)


def check_model(qtmodeltester, model) -> None:
    """Run pytest-qt's model tester over ``model``, then stop it: the dialogs delete their models when closed,
    and Qt's tester must not watch a model being destroyed."""
    qtmodeltester.check(model)
    qtmodeltester._qt_tester = None
