"""A slow endpoint for the latest-wins tests: a loopback HTTP proxy in front of the real embedded service.

:class:`SlowProxy` forwards every request (headers untouched, so SigV4 signatures stay valid) to the service after
``delay`` seconds; a request whose body names one of :attr:`SlowProxy.failing` gets, after the same delay, the
AWS-shaped error the service would send for an unknown pool instead. It runs on its own threads
(``ThreadingHTTPServer``) so the app's loop never waits on it.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class SlowProxy:
    def __init__(self, target_url: str, delay: float = 0.0) -> None:
        self.target = urlsplit(target_url)
        self.delay = delay
        #: Strings (pool IDs) whose requests fail with ResourceNotFoundException.
        self.failing: set[str] = set()
        #: The bodies of the requests received so far (the test waits for one to be in flight).
        self.seen: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                text = body.decode("utf-8", "replace")
                proxy.seen.append(text)
                time.sleep(proxy.delay)
                failing = next((pool for pool in proxy.failing if pool in text), None)
                if failing is not None:
                    answer = json.dumps({"__type": "ResourceNotFoundException",
                                         "message": f"IdentityPool '{failing}' not found."}).encode()
                    self._reply(400, [("Content-Type", "application/x-amz-json-1.1")], answer)
                    return
                upstream = http.client.HTTPConnection(proxy.target.hostname, proxy.target.port, timeout=30)
                try:
                    upstream.request("POST", self.path, body, dict(self.headers.items()))
                    response = upstream.getresponse()
                    self._reply(response.status, [(k, v) for k, v in response.getheaders()
                                                  if k.lower() not in ("content-length", "connection",
                                                                       "transfer-encoding")], response.read())
                finally:
                    upstream.close()

            def _reply(self, status: int, headers, body: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, name="slow-proxy", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)
