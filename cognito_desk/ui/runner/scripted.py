"""The scripted browser: a scenario's login-page steps played in an offscreen QtWebEngine page.

Owns :class:`ScriptedBrowser`, a :class:`~cognito_desk.flows.agent.UserAgent` with no window: it loads the
provider's page in a :class:`~cognito_desk.ui.tester.browser.CatchingPage` (the tester's own redirect
catcher), then plays the steps in order — fill a selector with a value (the native value setter plus
``input``/``change`` events, as typing would), click a selector (a submit button submits with the page's
own form validation), wait for a selector or for a URL prefix — each step waiting up to its timeout for its
element. A value read from a reference is typed only into a page whose origin the run approved, checked
inside the page, in the same script that types it (a page of another origin waits out the step's timeout and
fails it, nothing typed). The first navigation reaching the stop address ends the login, whatever steps are
left; a provider page that loads as an HTTP error document ends it at once, naming the provider's error
(``invalid_client``…). A step whose element never appears fails as a
:class:`~cognito_desk.flows.agent.ProviderError` naming the step, its selector and the page it stayed on; so
do steps that finish without the redirect. :func:`private_agents`
gives each scenario its own off-the-record profile (parallel runs share no cookies).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from PySide6.QtCore import QCoreApplication, QUrl
from PySide6.QtWebEngineCore import QWebEngineProfile

from ...flows.agent import Arrival, ProviderError
from ...flows.origins import origin_of, redact_urls
from ...scenarios.model import Scenario
from ...scenarios.runner import AgentFactory, ResolvedStep
from ..tester.browser import _FORM_FIELDS, CatchingPage, _arrival

__all__ = ["ScriptedBrowser", "private_agents", "trace_first_load"]

POLL_SECONDS = 0.1
JS_PATIENCE = 2.0
#: How long the page may take to reach the redirect after the last step.
REDIRECT_PATIENCE = 15.0

_FIND = "document.querySelector(%s) ? '1' : ''"
# ``allowed`` is null, or the origins a reference's value may be typed into: checked in the document typed into
# (``location.origin`` cannot be redefined by the page; a plain loop, since a page may replace Array methods).
_FILL = """(function (selector, value, allowed) {
  if (allowed !== null) {
    let ok = false;
    for (let i = 0; i < allowed.length; i++) { if (allowed[i] === location.origin) ok = true; }
    if (!ok) return 'origin';
  }
  const el = document.querySelector(selector);
  if (!el) return '';
  el.focus();
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(el), 'value');
  if (setter && setter.set) setter.set.call(el, value); else el.value = value;
  el.dispatchEvent(new Event('input', {bubbles: true}));
  el.dispatchEvent(new Event('change', {bubbles: true}));
  return '1';
})(%s, %s, %s)"""
_CLICK = "(function (el) { if (!el) return ''; el.click(); return '1'; })(document.querySelector(%s))"


class ScriptedBrowser:
    def __init__(self, profile: QWebEngineProfile, steps: Sequence[ResolvedStep],
                 on_first_load: Callable[[], None] | None = None) -> None:
        self.page = CatchingPage(profile)
        self.steps = list(steps)
        self.on_first_load = on_first_load

    async def _js(self, script: str) -> str:
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self.page.runJavaScript(script, 0, lambda value: done.done() or done.set_result(str(value or "")))
        try:
            return await asyncio.wait_for(done, JS_PATIENCE)
        except TimeoutError:
            return ""  # the page navigated away while the script ran: not there yet

    def _where(self) -> str:
        title = self.page.title()
        url = redact_urls(self.page.url().toString())
        return f"the page stayed at {url}" + (f" (its title, the provider's text: {title!r})"
                                              if title and title not in self.page.url().toString() else "")

    async def _play(self, step: ResolvedStep, number: int) -> None:
        spec = step.step
        deadline = time.monotonic() + spec.timeout
        selector = json.dumps(spec.target)
        refused = ""
        while True:
            if spec.action == "wait_url":
                if self.page.url().toString().startswith(spec.target):
                    return
            elif spec.action == "fill":
                value = step.value.reveal() if step.value else ""
                allowed = None if step.origins is None else sorted(step.origins)
                typed = await self._js(_FILL % (selector, json.dumps(value), json.dumps(allowed)))
                if typed == "origin":  # not typed: this page is not (yet) one of an approved origin
                    refused = origin_of(self.page.url().toString()) or refused
                elif typed:
                    return
            elif await self._js((_CLICK if spec.action == "click" else _FIND) % selector):
                return
            if time.monotonic() >= deadline:
                if refused:
                    raise ProviderError(f"Login page step {number} ({spec.describe()}) was not played: the page is "
                                        f"at {refused}, which is not approved for this run's secrets, so nothing "
                                        "was typed.", error="origin_not_approved")
                missing = "the URL never started with it" if spec.action == "wait_url" else \
                    f"no element matched the selector {spec.target!r}"
                raise ProviderError(f"Login page step {number} ({spec.describe()}) timed out after {spec.timeout:g} "
                                    f"s: {missing}; {self._where()}.", error="step_timeout")
            await asyncio.sleep(POLL_SECONDS)

    async def _play_all(self, stop_at: str) -> None:
        for number, step in enumerate(self.steps, start=1):
            await self._play(step, number)
        await asyncio.sleep(REDIRECT_PATIENCE)
        raise ProviderError(f"The login page steps are done but the page did not reach {stop_at} within "
                            f"{REDIRECT_PATIENCE:g} s; {self._where()}.", error="step_timeout")

    async def navigate(self, start: Callable[[str], str], stop_at: str) -> Arrival:
        page = self.page
        arrival: asyncio.Future[Arrival] = asyncio.get_running_loop().create_future()
        target = stop_at.split("?", 1)[0].rstrip("/")

        def caught(url: QUrl) -> None:
            page.runJavaScript(_FORM_FIELDS % json.dumps(target), 0,
                               lambda found: arrival.done() or arrival.set_result(_arrival(url, found)))

        def provider_refused(error: ProviderError) -> None:  # the provider's error page: no step gets past it
            arrival.done() or arrival.set_exception(error)

        page.caught.connect(caught)
        page.provider_refused.connect(provider_refused)
        page.stop_at = stop_at
        steps = None
        try:
            page.load(QUrl(start(stop_at)))
            if self.on_first_load is not None:
                self.on_first_load()
                self.on_first_load = None
            steps = asyncio.ensure_future(self._play_all(stop_at))
            await asyncio.wait([arrival, steps], return_when=asyncio.FIRST_COMPLETED)
            if arrival.done():
                return arrival.result()
            return steps.result()  # type: ignore[return-value]  # it only ever raises
        finally:
            if steps is not None and not steps.done():
                steps.cancel()
            page.stop_at = None
            page.caught.disconnect(caught)
            page.provider_refused.disconnect(provider_refused)
            if not arrival.done():
                page.triggerAction(page.WebAction.Stop)


def trace_first_load() -> Callable[[], None] | None:
    """With ``COGNITO_DESK_TRACE_T0`` (epoch seconds at process start), say when the first page is requested."""
    t0 = os.environ.get("COGNITO_DESK_TRACE_T0")
    if not t0:
        return None
    return lambda: print(f"first provider page requested {time.time() - float(t0):.3f}", file=sys.stderr, flush=True)


def private_agents(on_first_load: Callable[[], None] | None = None) -> AgentFactory:
    """The agent factory of a run: each scenario gets a scripted browser on a new off-the-record profile, deleted
    (page first) after it; ``on_first_load`` is called when the run's first provider page is requested."""
    pending = [on_first_load] if on_first_load else []

    @asynccontextmanager
    async def private_agent(scenario: Scenario, steps: Sequence[ResolvedStep]) -> AsyncIterator[ScriptedBrowser]:
        profile = QWebEngineProfile(QCoreApplication.instance())  # owned by Qt: it must outlive its page
        browser = ScriptedBrowser(profile, steps, pending.pop() if pending else None)
        try:
            yield browser
        finally:
            browser.page.destroyed.connect(profile.deleteLater)
            browser.page.deleteLater()

    return private_agent
