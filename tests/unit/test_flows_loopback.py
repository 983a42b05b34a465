"""The RFC 8252 loopback listener: real sockets on 127.0.0.1, answers by query, form_post and fragment page."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from cognito_desk.flows.agent import Arrival, reaches
from cognito_desk.flows.loopback import DONE_PAGE, FRAGMENT_PAGE, LoopbackListener, SystemBrowserAgent


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


async def _get(url: str, **kwargs) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.request(kwargs.pop("method", "GET"), url, **kwargs)


def test_a_redirect_query_is_the_arrival_and_gets_the_close_this_tab_page():
    async def main():
        async with LoopbackListener() as listener:
            assert listener.redirect_uri.startswith("http://127.0.0.1:")
            assert listener.redirect_uri.endswith("/callback")
            waiting = asyncio.create_task(listener.wait())
            page = await _get(listener.redirect_uri + "?code=abc&state=xyz")
            return await waiting, page, listener.redirect_uri

    arrival, page, redirect_uri = run(main())
    assert page.status_code == 200 and page.text == DONE_PAGE
    assert arrival.method == "GET" and arrival.params() == {"code": "abc", "state": "xyz"}
    assert reaches(arrival.url, redirect_uri)


def test_form_post_fields_are_captured():
    async def main():
        async with LoopbackListener(path="saml") as listener:
            waiting = asyncio.create_task(listener.wait())
            await _get(listener.redirect_uri, method="POST", data={"SAMLResponse": "PHNhbWw+", "RelayState": "r"})
            return await waiting

    arrival = run(main())
    assert arrival.method == "POST" and arrival.form == {"SAMLResponse": "PHNhbWw+", "RelayState": "r"}


def test_no_query_serves_the_fragment_page_and_other_paths_are_not_found():
    async def main():
        async with LoopbackListener() as listener:
            bare = await _get(listener.redirect_uri)
            other = await _get(listener.redirect_uri.replace("/callback", "/favicon.ico"))
            put = await _get(listener.redirect_uri + "?code=1", method="PUT")
            return bare, other, put

    bare, other, put = run(main())
    assert bare.text == FRAGMENT_PAGE and "location.hash" in bare.text
    assert other.status_code == 404 and put.status_code == 405


def test_the_port_is_closed_after_the_listener_closes():
    async def main():
        listener = LoopbackListener()
        redirect_uri = await listener.start()
        await listener.close()
        with pytest.raises(asyncio.CancelledError):
            await listener.wait()
        return redirect_uri

    port = int(run(main()).rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


def test_system_browser_agent_uses_the_registered_fixed_port_and_path():
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    opened: list[str] = []

    async def main():
        async def browser():
            while not opened:
                await asyncio.sleep(0.01)
            await _get(opened[0].split("redirect=")[1] + "?code=c")

        agent = SystemBrowserAgent(opened.append)
        task = asyncio.create_task(browser())
        arrival = await agent.navigate(lambda target: f"https://idp.example/auth?redirect={target}",
                                       f"http://127.0.0.1:{port}/oauth/done")
        await task
        return arrival

    arrival = run(main())
    assert opened == [f"https://idp.example/auth?redirect=http://127.0.0.1:{port}/oauth/done"]
    assert arrival.params() == {"code": "c"}


def test_arrival_params_merge_query_fragment_and_form():
    arrival = Arrival("http://127.0.0.1/cb?a=1&state=q#id_token=t&state=f", "POST", {"code": "c"})
    assert arrival.params() == {"a": "1", "state": "f", "id_token": "t", "code": "c"}
    assert reaches("http://127.0.0.1/cb/?x=1", "http://127.0.0.1:80/cb")
    assert not reaches("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb")
    assert not reaches("https://signin.aws.amazon.com/saml2", "https://signin.aws.amazon.com/saml")
