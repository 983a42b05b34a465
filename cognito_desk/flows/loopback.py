"""The system-browser user agent's core: an RFC 8252 loopback listener on ``127.0.0.1``, no Qt.

:class:`LoopbackListener` binds ``127.0.0.1`` on an ephemeral port (or the fixed one a provider's client
registration needs) and waits for the answer to *this* login at its callback path: a redirect's query or,
for a fragment response, the small page it serves that hands the fragment back as a query. Any local
process or web page can reach the port, so the listener trusts nothing about a request but its ``state``:
only a GET on the callback path, with a loopback ``Host`` (no DNS-rebound name), carrying the login's
``state`` becomes the :class:`~.agent.Arrival` (answered with a "you can close this tab" page); a request
with another state (a forged ``error=access_denied`` …) is answered 400 and ignored — the listener keeps
waiting; other paths get 404, other methods 405 (a cross-site form POST included: ``form_post`` answers
need the embedded browser). Each connection has a read deadline (a half-sent request is dropped), and
closing the listener closes every connection it still holds; it is closed when the login finishes, fails
or is cancelled. :class:`SystemBrowserAgent` is the
:class:`~.agent.UserAgent` built on it: it opens the login page through a callable (the GUI passes
``QDesktopServices.openUrl``, a test an HTTP client playing the browser) and waits for the redirect — at most
:attr:`SystemBrowserAgent.patience` seconds (its :attr:`~SystemBrowserAgent.deadline` is there for a countdown):
the app cannot see that browser's pages, so a provider's error page there would otherwise keep the run waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from ..core.hosts import is_loopback_host
from .agent import Arrival, ProviderError

__all__ = ["LoopbackListener", "SystemBrowserAgent"]

LOOPBACK_HOST = "127.0.0.1"
#: How long the login in the system browser may take before the run ends there (the user sees it counted down).
PATIENCE_SECONDS = 600.0
MAX_HEAD = 16 * 1024
#: Seconds a connection may take to send its request head (a half-sent one is closed after that).
READ_SECONDS = 10.0

DONE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in received</title></head>
<body style="font-family:sans-serif;margin:3em"><h1>Sign-in received</h1>
<p>cognito-desk has the answer of the identity provider. You can close this tab.</p></body></html>"""

# A fragment (#id_token=…) never reaches a server: this page sends it back as the query of the same path.
FRAGMENT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Finishing sign-in</title></head>
<body style="font-family:sans-serif;margin:3em"><p id="m">Finishing sign-in…</p><script>
if (location.hash.length > 1) { location.replace(location.pathname + "?" + location.hash.slice(1)); }
else { document.getElementById("m").textContent = "The identity provider sent no answer to this address."; }
</script></body></html>"""


WRONG_STATE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not this sign-in</title>
</head><body style="font-family:sans-serif;margin:3em"><h1>Not this sign-in's answer</h1>
<p>cognito-desk ignored this request: it does not carry the sign-in's state. The sign-in is still waiting.</p>
</body></html>"""


class LoopbackListener:
    """Waits on ``http://127.0.0.1:<port><path>`` for one provider answer (``port=0``: any free port)."""

    def __init__(self, *, port: int = 0, path: str = "/callback", state: str | None = None,
                 read_seconds: float = READ_SECONDS) -> None:
        self._port = port
        self.path = path if path.startswith("/") else "/" + path
        #: The login's ``state``: an answer without it is ignored (None: the first answer on the path wins).
        self.state = state
        self.read_seconds = read_seconds
        self._server: asyncio.Server | None = None
        self._arrival: asyncio.Future[Arrival] | None = None
        self._connections: set[asyncio.StreamWriter] = set()

    @property
    def redirect_uri(self) -> str:
        if self._server is None:
            raise RuntimeError("the loopback listener is not started")
        port = self._server.sockets[0].getsockname()[1]
        return f"http://{LOOPBACK_HOST}:{port}{self.path}"

    @property
    def listening(self) -> bool:
        return self._server is not None

    async def start(self) -> str:
        """Bind the port and return the redirect URI to register with the provider."""
        self._arrival = asyncio.get_running_loop().create_future()
        self._server = await asyncio.start_server(self._serve, LOOPBACK_HOST, self._port)
        return self.redirect_uri

    async def wait(self) -> Arrival:
        """The first answer that reached the callback path."""
        if self._arrival is None:
            raise RuntimeError("the loopback listener is not started")
        return await asyncio.shield(self._arrival)

    async def close(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            for writer in list(self._connections):  # half-sent requests do not outlive the listener
                writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        if self._arrival is not None and not self._arrival.done():
            self._arrival.cancel()

    async def __aenter__(self) -> LoopbackListener:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._connections.add(writer)  # until its request is read: closing the listener drops it
        try:
            status, page, arrival = await asyncio.wait_for(self._answer(reader), self.read_seconds)
            self._connections.discard(writer)
            body = page.encode()
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                         f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
                         .encode() + body)
            await writer.drain()
            if arrival is not None and self._arrival is not None and not self._arrival.done():
                self._arrival.set_result(arrival)  # once answered: the login then closes the listener
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, TimeoutError):
            pass
        finally:
            self._connections.discard(writer)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[str, str, Arrival | None]:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD:
            return "431 Request Header Fields Too Large", "<p>Request too large.</p>", None
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines if line)}
        host = urlsplit("//" + headers.get("host", "")).hostname
        if not is_loopback_host(host):
            return "421 Misdirected Request", "<p>This listener answers only to 127.0.0.1.</p>", None
        parts = urlsplit(target)
        if parts.path.rstrip("/") != self.path.rstrip("/"):
            return "404 Not Found", "<p>Not found.</p>", None
        if method != "GET":
            return "405 Method Not Allowed", "<p>Method not allowed.</p>", None
        if not parts.query:
            return "200 OK", FRAGMENT_PAGE, None
        if self.state is not None and dict(parse_qsl(parts.query)).get("state") != self.state:
            return "400 Bad Request", WRONG_STATE_PAGE, None  # not this login's answer: ignored, still waiting
        return "200 OK", DONE_PAGE, Arrival(self.redirect_uri.removesuffix(self.path) + target, method)


def _loopback_port(stop_at: str) -> int:
    """The fixed port a registered loopback redirect URI names, else 0 (any free port)."""
    parts = urlsplit(stop_at)
    return (parts.port or 0) if parts.hostname in (LOOPBACK_HOST, "localhost") else 0


class SystemBrowserAgent:
    """The :class:`~.agent.UserAgent` for the default browser: ``open_url`` shows the page, a listener catches it
    (only the answer carrying the ``state`` of the authorization URL it opened)."""

    def __init__(self, open_url: Callable[[str], object], *, port: int | None = None,
                 patience: float = PATIENCE_SECONDS) -> None:
        self._open_url = open_url
        self._port = port
        #: Seconds the login in the browser may take before the run ends (the app cannot see that browser's pages).
        self.patience = patience
        #: The listener of the login in progress (None when none is running): for tests and the UI's status.
        self.listener: LoopbackListener | None = None
        #: When the login in progress is given up (``time.monotonic()``), for the UI's countdown.
        self.deadline: float | None = None

    async def navigate(self, start: Callable[[str], str], stop_at: str) -> Arrival:
        port = self._port if self._port is not None else _loopback_port(stop_at)
        listener = LoopbackListener(port=port, path=urlsplit(stop_at).path or "/callback")
        self.listener = listener
        try:
            async with listener:
                url = start(listener.redirect_uri)
                query = dict(parse_qsl(urlsplit(url).query))
                if query.get("response_mode") == "form_post":
                    raise ProviderError("A form_post answer cannot reach the system browser's loopback listener, "
                                        "which accepts only the redirect (GET): use the embedded browser, or "
                                        "another response mode.", error="form_post_unsupported")
                listener.state = query.get("state")  # the answer must carry this login's state
                self._open_url(url)
                self.deadline = time.monotonic() + self.patience
                try:
                    return await asyncio.wait_for(listener.wait(), self.patience)
                except TimeoutError:
                    raise ProviderError(f"The login in your browser did not come back to {listener.redirect_uri} "
                                        f"within {self.patience:g} s, so the sign-in was ended: the login was not "
                                        "finished there, or the provider showed an error page.",
                                        error="page_stalled") from None
        finally:
            self.listener = None
            self.deadline = None
