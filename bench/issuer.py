"""The benchmark's OpenID provider: an RSA-2048 signing key, its discovery document and JWKS, and id_tokens.

:class:`Issuer` generates a key, serves ``/.well-known/openid-configuration`` (issuer
``http://127.0.0.1:<port>``, ``jwks_uri``) and the JWKS from a threaded ``http.server`` on loopback in a
daemon thread, and mints RS256 id_tokens with pyjwt (``iss``, ``aud`` = the client id, ``sub``, ``iat``,
``exp`` = now + 2 h, ``kid`` header). It counts the documents it served, so the benchmark can show the
service cached them (fetched once or twice, not per sign-in). Use it as a context manager; leaving stops
the server.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_ID = "bench-key-1"
TOKEN_LIFETIME_S = 2 * 3600


class Issuer:
    """A local OpenID provider for ``client_id``; ``url`` is its issuer, ``login_key`` its Cognito Logins key."""

    def __init__(self, client_id: str = "signin-bench-client") -> None:
        self.client_id = client_id
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        self._jwks = {"keys": [{**public, "kid": KEY_ID, "use": "sig", "alg": "RS256"}]}
        #: documents served, by path: the service should fetch each once and then use its cache.
        self.served: dict[str, int] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.login_key = self.url.removeprefix("http://")
        self._thread = threading.Thread(target=self._server.serve_forever, name="bench-issuer", daemon=True)
        self._thread.start()

    def _documents(self) -> dict[str, dict]:
        return {"/.well-known/openid-configuration": {
                    "issuer": self.url, "jwks_uri": f"{self.url}/jwks.json",
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "response_types_supported": ["id_token"], "subject_types_supported": ["public"]},
                "/jwks.json": self._jwks}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                document = issuer._documents().get(self.path)
                issuer.served[self.path] = issuer.served.get(self.path, 0) + 1
                body = json.dumps(document or {"error": "not found"}).encode()
                self.send_response(200 if document else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:  # quiet: no line per request
                pass

        return Handler

    def mint(self, subject: str, now: float | None = None) -> str:
        """An RS256 id_token for ``subject`` issued to the client id, valid for 2 hours from ``now``."""
        issued = int(time.time() if now is None else now)
        claims = {"iss": self.url, "aud": self.client_id, "sub": subject, "iat": issued,
                  "exp": issued + TOKEN_LIFETIME_S}
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": KEY_ID})

    def write_tokens(self, path: Path, subjects: list[str]) -> Path:
        """Mint a token for each subject into ``path``, one a line (what ``signin_auth.lua`` reads)."""
        now = time.time()
        path.write_text("".join(self.mint(subject, now) + "\n" for subject in subjects))
        return path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> Issuer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
