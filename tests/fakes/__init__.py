"""Local stand-ins for internet identity providers, as real HTTP servers on loopback sockets, for tests.

Each fake honours the documented contract of the provider it replaces (JWKS documents, OpenID discovery,
the Graph API, Login with Amazon) so the service's real HTTP code runs against it. :class:`FakeHttpServer`
is the shared machinery: a ``ThreadingHTTPServer`` on ``127.0.0.1:0`` in a daemon thread that records every
request (for counting fetches) and can be told to fail (``fail_status``) or to stop answering.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit


class FakeHttpServer:
    """Base of every fake: subclasses implement :meth:`answer`."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        #: When set, every request is answered with this HTTP status and a non-JSON body.
        self.fail_status: int | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str]) -> tuple[int, Any]:
        """``(status, JSON-able body)`` for one request."""
        raise NotImplementedError

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, path: str) -> int:
        """How many requests reached ``path``."""
        return self.requests.count(path)

    def start(self) -> Self:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                fake.requests.append(parts.path)
                if fake.fail_status is not None:
                    status, body = fake.fail_status, b"<html>unavailable</html>"
                else:
                    status, value = fake.answer("GET", parts.path, dict(parse_qsl(parts.query)),
                                                {k.lower(): v for k, v in self.headers.items()})
                    body = json.dumps(value).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name=type(self).__name__,
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
