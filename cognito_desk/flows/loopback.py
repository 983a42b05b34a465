"""The system-browser user agent's core: an RFC 8252 loopback listener on ``127.0.0.1``, no Qt.

:class:`LoopbackListener` binds ``127.0.0.1`` on an ephemeral port (or the fixed one a provider's client
registration needs) and waits for the first request to its callback path: a redirect's query, a
``form_post`` (OIDC ``response_mode=form_post``, a SAML POST to the ACS) or, for a fragment response, the
small page it serves that hands the fragment back as a query. That request is answered with a "you can
close this tab" page and becomes the :class:`~.agent.Arrival`; anything else gets a 404. The listener is
closed when the login finishes, fails or is cancelled. :class:`SystemBrowserAgent` is the
:class:`~.agent.UserAgent` built on it: it opens the login page through a callable (the GUI passes
``QDesktopServices.openUrl``, a test an HTTP client playing the browser) and waits for the redirect.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from .agent import Arrival

__all__ = ["LoopbackListener", "SystemBrowserAgent"]

LOOPBACK_HOST = "127.0.0.1"
MAX_HEAD = 16 * 1024
MAX_BODY = 1024 * 1024

DONE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in received</title></head>
<body style="font-family:sans-serif;margin:3em"><h1>Sign-in received</h1>
<p>cognito-desk has the answer of the identity provider. You can close this tab.</p></body></html>"""

# A fragment (#id_token=…) never reaches a server: this page sends it back as the query of the same path.
FRAGMENT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Finishing sign-in</title></head>
<body style="font-family:sans-serif;margin:3em"><p id="m">Finishing sign-in…</p><script>
if (location.hash.length > 1) { location.replace(location.pathname + "?" + location.hash.slice(1)); }
else { document.getElementById("m").textContent = "The identity provider sent no answer to this address."; }
</script></body></html>"""


class LoopbackListener:
    """Waits on ``http://127.0.0.1:<port><path>`` for one provider answer (``port=0``: any free port)."""

    def __init__(self, *, port: int = 0, path: str = "/callback") -> None:
        self._port = port
        self.path = path if path.startswith("/") else "/" + path
        self._server: asyncio.Server | None = None
        self._arrival: asyncio.Future[Arrival] | None = None

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
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)
        if self._arrival is not None and not self._arrival.done():
            self._arrival.cancel()

    async def __aenter__(self) -> LoopbackListener:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            status, page = await self._answer(reader)
            body = page.encode()
            writer.write(f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n"
                         f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
                         .encode() + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[str, str]:
        head = await reader.readuntil(b"\r\n\r\n")
        if len(head) > MAX_HEAD:
            return "431 Request Header Fields Too Large", "<p>Request too large.</p>"
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _version = request_line.split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in header_lines if line)}
        parts = urlsplit(target)
        if parts.path.rstrip("/") != self.path.rstrip("/"):
            return "404 Not Found", "<p>Not found.</p>"
        form: dict[str, str] = {}
        if method == "POST":
            length = int(headers.get("content-length", "0"))
            if length > MAX_BODY:
                return "413 Content Too Large", "<p>Request too large.</p>"
            body = await reader.readexactly(length)
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        elif method != "GET":
            return "405 Method Not Allowed", "<p>Method not allowed.</p>"
        elif not parts.query:
            return "200 OK", FRAGMENT_PAGE
        arrival = Arrival(self.redirect_uri.removesuffix(self.path) + target, method, form)
        if self._arrival is not None and not self._arrival.done():
            self._arrival.set_result(arrival)
        return "200 OK", DONE_PAGE


def _loopback_port(stop_at: str) -> int:
    """The fixed port a registered loopback redirect URI names, else 0 (any free port)."""
    parts = urlsplit(stop_at)
    return (parts.port or 0) if parts.hostname in (LOOPBACK_HOST, "localhost") else 0


class SystemBrowserAgent:
    """The :class:`~.agent.UserAgent` for the default browser: ``open_url`` shows the page, a listener catches it."""

    def __init__(self, open_url: Callable[[str], object], *, port: int | None = None) -> None:
        self._open_url = open_url
        self._port = port
        #: The listener of the login in progress (None when none is running): for tests and the UI's status.
        self.listener: LoopbackListener | None = None

    async def navigate(self, start: Callable[[str], str], stop_at: str) -> Arrival:
        port = self._port if self._port is not None else _loopback_port(stop_at)
        listener = LoopbackListener(port=port, path=urlsplit(stop_at).path or "/callback")
        self.listener = listener
        try:
            async with listener:
                self._open_url(start(listener.redirect_uri))
                return await listener.wait()
        finally:
            self.listener = None
