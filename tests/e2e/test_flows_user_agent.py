"""The user agents of the sign-in flows, played by an HTTP client: the test "browser" and system-browser mode.

:class:`FormBrowser` is the browser of the flow tests: it follows redirects, fills the IdPs' real login
forms (oidc-provider's login and consent pages, saml-idp's user form) and either stops at the redirect
URI / ACS (as the embedded view does) or delivers the redirect to a loopback listener (as the system
browser does). The tests here run the system-browser mode end to end through the RFC 8252 listener.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from urllib.parse import urljoin

import httpx
import pytest
from idp_fixtures import post_form

from cognito_desk.flows.agent import Arrival, ProviderError, reaches
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.loopback import SystemBrowserAgent
from cognito_desk.flows.oauth import access_token_login
from cognito_desk.flows.oidc import oidc_login
from cognito_desk.flows.timeline import Timeline


class FormBrowser:
    """An HTTP-client browser that signs ``user`` in; ``fields`` are extra values for the IdP's user form."""

    def __init__(self, user: str = "alice", *, fields: Mapping[str, str] | None = None, cancel_at_login: bool = False
                 ) -> None:
        self.user = user
        self.fields = dict(fields or {})
        self.cancel_at_login = cancel_at_login
        self.at_login = asyncio.Event()
        self.visited: list[str] = []

    async def navigate(self, start: Callable[[str], str], stop_at: str) -> Arrival:
        """The embedded view's part: stop at ``stop_at`` without requesting it."""
        arrival = await self.browse(start(stop_at), stop_at)
        assert arrival is not None
        return arrival

    async def browse(self, url: str, stop_at: str | None = None) -> Arrival | None:
        """Load ``url`` and sign in; with ``stop_at`` return the navigation that reaches it, else deliver it."""
        async with httpx.AsyncClient(timeout=10, follow_redirects=False) as http:
            response = await http.get(url)
            for _ in range(20):
                self.visited.append(str(response.url))
                if response.is_redirect:
                    location = urljoin(str(response.url), response.headers["location"])
                    if stop_at and reaches(location, stop_at):
                        return Arrival(location)
                    response = await http.get(location)
                    continue
                if response.status_code == 200 and "<form" not in response.text:
                    return None  # a page without a form: the listener's "you can close this tab"
                form = post_form(response)
                if stop_at and reaches(form.action, stop_at):
                    return Arrival(form.action, "POST", form.fields)
                if form.fields.get("prompt") == "login":
                    self.at_login.set()
                    if self.cancel_at_login:
                        await asyncio.Event().wait()  # the user never finishes: only cancelling ends this
                    form.fields.update(login=self.user, password="any-password")
                if "userName" in form.fields:  # saml-idp's user form
                    form.fields = {k: v for k, v in form.fields.items() if v}
                    form.fields.update(userName=self.user, **self.fields)
                response = await http.post(form.action, data=form.fields)
        raise AssertionError(f"the login did not finish; pages: {self.visited}")


def oidc_client(oidc_idp, **overrides) -> ProviderClient:
    values = {"connection": "local", "name": "test-op", "kind": ProviderKind.OIDC, "issuer": oidc_idp.issuer,
              "client_id": "qa-desk", **overrides}
    return ProviderClient(**values)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 60))


def system_browser(browser: FormBrowser, tasks: list) -> SystemBrowserAgent:
    """A system-browser agent whose "default browser" is ``browser`` (opened as QDesktopServices would)."""
    return SystemBrowserAgent(lambda url: tasks.append(asyncio.get_running_loop().create_task(browser.browse(url))))


def test_system_browser_code_flow_through_the_loopback_listener(oidc_idp):
    async def main():
        tasks: list = []
        agent = system_browser(FormBrowser("alice"), tasks)
        async with httpx.AsyncClient() as http:
            login = await oidc_login(http, agent, oidc_client(oidc_idp), None, Timeline())
        await asyncio.gather(*tasks)
        return login, agent

    login, agent = run(main())
    assert login.claims["sub"] == "alice" and login.claims["iss"] == oidc_idp.issuer
    assert login.logins_key == oidc_idp.host and login.token_type == "id_token"
    assert agent.listener is None


def test_system_browser_refuses_a_form_post_answer_it_could_not_tell_from_a_forged_one(oidc_idp):
    async def main(response_type: str, response_mode: str):
        tasks: list = []
        client = oidc_client(oidc_idp, response_type=response_type, response_mode=response_mode)
        async with httpx.AsyncClient() as http:
            with pytest.raises(ProviderError) as caught:
                await oidc_login(http, system_browser(FormBrowser("bob"), tasks), client, None, Timeline())
        await asyncio.gather(*tasks)
        return caught.value, tasks

    error, tasks = run(main("code", "form_post"))
    assert error.error == "form_post_unsupported" and tasks == []  # no browser was opened


def test_cancel_mid_login_closes_the_listener(oidc_idp):
    async def main():
        tasks: list = []
        browser = FormBrowser("alice", cancel_at_login=True)
        agent = system_browser(browser, tasks)
        async with httpx.AsyncClient() as http:
            login = asyncio.create_task(oidc_login(http, agent, oidc_client(oidc_idp), None, Timeline()))
            await asyncio.wait_for(browser.at_login.wait(), 10)
            redirect_uri = agent.listener.redirect_uri
            login.cancel()
            with pytest.raises(asyncio.CancelledError):
                await login
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return agent, redirect_uri

    agent, redirect_uri = run(main())
    assert agent.listener is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(redirect_uri, timeout=2)


def test_provider_error_comes_back_through_the_listener(oidc_idp):
    async def main():
        tasks: list = []
        client = oidc_client(oidc_idp, extra_params={"prompt": "none"})  # no session at the OP: it must refuse
        async with httpx.AsyncClient() as http:
            with pytest.raises(ProviderError) as caught:
                await oidc_login(http, system_browser(FormBrowser("alice"), tasks), client, None, Timeline())
        await asyncio.gather(*tasks)
        return caught.value

    error = run(main())
    assert error.error == "login_required"
    assert error.message.startswith("The provider refused the sign-in: login_required")


def test_confidential_client_authenticates_with_its_secret(oidc_idp):
    client = oidc_client(oidc_idp, client_id="qa-server")

    async def main(secret):
        async with httpx.AsyncClient() as http:
            return await oidc_login(http, FormBrowser("alice"), client, secret, Timeline())

    assert run(main(oidc_idp.client_secrets["qa-server"])).claims["aud"] == "qa-server"
    with pytest.raises(ProviderError) as caught:
        run(main("wrong-secret"))
    assert caught.value.error == "invalid_client"


def test_access_token_login_by_code_exchange(oidc_idp):
    client = ProviderClient("local", "lwa-lab", ProviderKind.AMAZON, client_id="qa-desk", scopes=("openid",),
                            authorization_endpoint=f"{oidc_idp.issuer}/auth", token_endpoint=f"{oidc_idp.issuer}/token")

    async def main():
        async with httpx.AsyncClient() as http:
            timeline = Timeline()
            return await access_token_login(http, FormBrowser("alice"), client, None, timeline), timeline

    before = time.time()
    login, timeline = run(main())
    assert login.token_type == "access_token" and login.logins_key == "www.amazon.com"
    assert login.token == login.access_token and login.expires_at > before
    assert [call.name for call in timeline.calls] == ["Provider authorize", "Provider token"]
