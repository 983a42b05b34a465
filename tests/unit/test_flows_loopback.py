"""The RFC 8252 loopback listener: real sockets on 127.0.0.1, answers by query and fragment page; only this login's
answer (its state) is taken, forged ones are ignored while it keeps waiting, only GET with a loopback Host, and a
half-sent connection gets a read deadline and is closed with the listener (issue 15 §2)."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from cognito_desk.flows.agent import Arrival, ProviderError, reaches
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.loopback import DONE_PAGE, FRAGMENT_PAGE, LoopbackListener, SystemBrowserAgent
from cognito_desk.flows.oauth import authorize
from cognito_desk.flows.timeline import Timeline


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


def test_forged_answers_are_ignored_and_the_listener_keeps_waiting_for_its_state():
    forged = "?error=access_denied&error_description=Your+account+is+locked.+Call+IT"

    async def main():
        async with LoopbackListener(state="s-42") as listener:
            waiting = asyncio.create_task(listener.wait())
            pages = [await _get(listener.redirect_uri + forged),  # any local process, or a page's <img src>
                     await _get(listener.redirect_uri + forged + "&state=guess"),
                     await _get(listener.redirect_uri + "?state=s-42&code=c", method="POST"),  # cross-site form
                     await _get(listener.redirect_uri + "?state=s-42&code=c", headers={"Host": "evil.example"})]
            await asyncio.sleep(0)
            still_waiting = not waiting.done()
            pages.append(await _get(listener.redirect_uri + "?code=real&state=s-42"))
            return pages, still_waiting, await waiting

    pages, still_waiting, arrival = run(main())
    assert [p.status_code for p in pages] == [400, 400, 405, 421, 200]
    assert "ignored" in pages[0].text and pages[-1].text == DONE_PAGE
    assert still_waiting and arrival.params() == {"code": "real", "state": "s-42"}


async def _closed_by_peer(reader: asyncio.StreamReader) -> bool:
    """The peer closed the connection without answering (EOF, or a reset when it dropped unread bytes)."""
    try:
        return await asyncio.wait_for(reader.read(), 5) == b""
    except ConnectionResetError:
        return True


def test_a_half_sent_request_gets_a_read_deadline_and_is_closed_with_the_listener():
    async def main():
        listener = LoopbackListener(read_seconds=0.3)
        await listener.start()
        port = int(listener.redirect_uri.rsplit(":", 1)[1].split("/")[0])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /callback?code=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the end of the head
        dropped = await _closed_by_peer(reader)  # closed by the deadline, no answer
        patient = LoopbackListener(read_seconds=60)
        await patient.start()
        port = int(patient.redirect_uri.rsplit(":", 1)[1].split("/")[0])
        reader2, writer2 = await asyncio.open_connection("127.0.0.1", port)
        writer2.write(b"GET /callback?code=1 HTTP/1.1\r\n")
        await writer2.drain()
        while patient.open_connections == 0:
            await asyncio.sleep(0.01)
        await patient.close()
        closed = await _closed_by_peer(reader2)  # closed with the listener, not 60 s later
        await listener.close()
        for w in (writer, writer2):
            w.close()
        return dropped, closed, patient.open_connections

    assert run(main()) == (True, True, 0)


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
            await _get(opened[0].split("redirect=")[1] + "?code=c&state=st")

        agent = SystemBrowserAgent(opened.append)
        task = asyncio.create_task(browser())
        arrival = await agent.navigate(lambda target: f"https://idp.example/auth?state=st&redirect={target}",
                                       f"http://127.0.0.1:{port}/oauth/done")
        await task
        return arrival

    arrival = run(main())
    assert opened == [f"https://idp.example/auth?state=st&redirect=http://127.0.0.1:{port}/oauth/done"]
    assert arrival.params() == {"code": "c", "state": "st"}


def test_system_browser_agent_refuses_form_post_before_opening_anything():
    opened: list[str] = []

    async def main():
        agent = SystemBrowserAgent(opened.append)
        with pytest.raises(ProviderError) as caught:
            await agent.navigate(lambda target: f"https://idp.example/auth?state=s&response_mode=form_post"
                                                f"&redirect_uri={target}", "http://127.0.0.1/callback")
        return caught.value, agent

    error, agent = run(main())
    assert error.error == "form_post_unsupported" and "embedded browser" in error.message
    assert opened == [] and agent.listener is None


def test_the_state_is_checked_before_the_error_and_provider_text_is_labelled():
    client = ProviderClient("", "corp", ProviderKind.OIDC, issuer="https://idp.example", client_id="c")

    class Answering:
        def __init__(self, query):
            self.query = query

        async def navigate(self, start, stop_at):
            state = dict(parse_qsl(urlsplit(start(stop_at)).query))["state"]
            return Arrival(stop_at + "?" + self.query.replace("STATE", state))

    async def answer(query):
        with pytest.raises(ProviderError) as caught:
            await authorize(Answering(query), client, "https://idp.example/auth", Timeline())
        return caught.value

    forged = run(answer("error=access_denied&error_description=Call+IT+and+read+them+your+MFA+code&state=x"))
    assert forged.error == "state_mismatch" and "MFA" not in forged.message
    real = run(answer("error=access_denied&error_description=Call+IT&state=STATE"))
    assert real.error == "access_denied"
    assert real.message == ("The provider refused the sign-in: access_denied. The provider's own description (its "
                            "text, not cognito-desk's): “Call IT”")


def test_arrival_params_merge_query_fragment_and_form():
    arrival = Arrival("http://127.0.0.1/cb?a=1&state=q#id_token=t&state=f", "POST", {"code": "c"})
    assert arrival.params() == {"a": "1", "state": "f", "id_token": "t", "code": "c"}
    assert reaches("http://127.0.0.1/cb/?x=1", "http://127.0.0.1:80/cb")
    assert not reaches("http://127.0.0.1:8080/cb", "http://127.0.0.1/cb")
    assert not reaches("https://signin.aws.amazon.com/saml2", "https://signin.aws.amazon.com/saml")
