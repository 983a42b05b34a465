"""Issue 10 §2 (parse cache) and §3: fetches from identity providers — deadlines, shared fetches, no link-local hop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import httpcore
import httpx
import pytest
from fakes.jwt_issuer import OidcProvider
from fakes.pools import NOW, add_oidc_provider, add_pool, run_verifier
from fakes.pools import store_fixture as store_fixture  # the ``store`` fixture

from cognito_desk.core import errors
from cognito_desk.service.providers import fetch, signed_jwt

CLIENT = "hardening-client"


class DrippingServer:
    """Answers every request with headers promising 1000 bytes, then sends one byte every ``interval`` seconds."""

    def __init__(self, interval: float = 0.2, drip_for: float = 15.0) -> None:
        self.interval, self.drip_for = interval, drip_for
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
            until = time.monotonic() + self.drip_for
            while time.monotonic() < until and not self._stopped.wait(self.interval):
                try:
                    conn.sendall(b" ")
                except OSError:
                    return

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()


@pytest.fixture
def dripping():
    server = DrippingServer()
    yield server
    server.stop()


def oidc_setup(store, key: str):
    arn = add_oidc_provider(store, f"http://{key}", [CLIENT])
    return add_pool(store, oidc_arns=[arn])


def test_one_deadline_per_fetch_and_concurrent_sign_ins_share_it(store, dripping, monkeypatch):
    monkeypatch.setattr(fetch, "TIMEOUT_SECONDS", 1.0)
    key = dripping.url.removeprefix("http://")
    pool = oidc_setup(store, key)
    with OidcProvider() as issuer:  # only to mint a token claiming the dripping server as issuer
        token = issuer.mint(now=NOW, aud=CLIENT, sub="u", iss=dripping.url)

    async def scenario(verifier):
        return await asyncio.gather(*(verifier.validate(pool, key, token, now=NOW) for _ in range(10)),
                                    return_exceptions=True)

    results = run_verifier(store, scenario)
    assert all(isinstance(result, errors.ExternalServiceException) for result in results), results
    assert {result.message for result in results} == {fetch.UNAVAILABLE}
    # The overall deadline fired, not a per-read timeout (a byte came every 0.2 s, for 15 s).
    assert results[0].notes == (f"idp={key}: no complete answer within 1 s",)
    assert dripping.connections == 1  # ten sign-ins, one fetch: none queued behind another's network call


def test_link_local_is_refused_at_every_hop(store):
    with OidcProvider() as idp:
        idp_answer = idp.answer

        def metadata_jwks(method, path, query, headers):
            if path == "/.well-known/openid-configuration":
                return 200, {"issuer": idp.issuer, "jwks_uri": "http://169.254.169.254/latest/meta-data/"}
            return idp_answer(method, path, query, headers)

        idp.answer = metadata_jwks
        pool = oidc_setup(store, idp.logins_key)
        token = idp.mint(now=NOW, aud=CLIENT, sub="u")

        async def scenario(verifier):
            with pytest.raises(errors.ExternalServiceException) as excinfo:
                await verifier.validate(pool, idp.logins_key, token, now=NOW)
            return excinfo.value

        refused = run_verifier(store, scenario)
    assert refused.message == fetch.UNAVAILABLE and "169.254" not in refused.message
    assert refused.notes == ("idp=169.254.169.254: link-local addresses are never fetched",)
    for url in ("http://169.254.169.254/x", "https://[fe80::1]/jwks", "http://[::ffff:169.254.169.254]/"):
        with pytest.raises(errors.ExternalServiceException) as excinfo:
            asyncio.run(fetch.get_json(httpx.AsyncClient(), url))
        assert "link-local addresses are never fetched" in excinfo.value.notes[0]


def test_host_names_resolving_to_link_local_are_refused_but_loopback_is_not(store):
    with OidcProvider() as idp:
        port = int(idp.url.rsplit(":", 1)[1])
        answers = {"metadata.lab.internal": ["169.254.169.254"], "mixed.lab.internal": ["127.0.0.1", "fe80::1"],
                   "idp.lab.internal": ["127.0.0.1"]}

        async def resolve(host: str, _port: int) -> list[str]:
            return answers[host]

        async def scenario():
            async with httpx.AsyncClient(transport=fetch.guarded_transport(resolve)) as http:
                outcomes = {}
                for host in answers:
                    try:
                        status, _ = await fetch.get_json(http, f"http://{host}:{port}/.well-known/openid-configuration")
                        outcomes[host] = status
                    except errors.ExternalServiceException as exc:
                        outcomes[host] = exc.notes[0]
                return outcomes

        outcomes = asyncio.run(scenario())
    assert outcomes == {
        "metadata.lab.internal": f"idp=metadata.lab.internal:{port}: metadata.lab.internal resolves to "
                                 "169.254.169.254: link-local addresses are never fetched",
        "mixed.lab.internal": f"idp=mixed.lab.internal:{port}: mixed.lab.internal resolves to fe80::1: link-local "
                              "addresses are never fetched",
        "idp.lab.internal": 200}


def test_junk_tokens_never_fill_the_parse_cache(store):
    """Unique junk JWTs of a wrong issuer cost a parse each but are never remembered (issue 10 §2)."""
    import base64
    import json

    def junk(n: int, iss: str) -> str:
        header = base64.urlsafe_b64encode(b'{"alg":"RS256"}').decode().rstrip("=")
        claims = base64.urlsafe_b64encode(json.dumps({"iss": iss, "pad": "x" * 30_000, "n": n}).encode()).decode()
        return f"{header}.{claims.rstrip('=')}.sig"

    before = signed_jwt._parsed.chars
    for n in range(200):
        with pytest.raises(errors.NotAuthorizedException, match="Issuer doesn't match"):
            signed_jwt.issued_by(junk(n, "https://evil.example"), signed_jwt.NOT_OIDC, ("https://idp.example",))
    assert signed_jwt._parsed.chars == before
    with pytest.raises(errors.NotAuthorizedException, match="longer than 50000"):
        signed_jwt.issued_by("a." + "b" * 50_000 + ".c", signed_jwt.NOT_OIDC, ("https://idp.example",))
    cache = signed_jwt._ParsedTokens(max_chars=200_000)
    for n in range(100):
        cache.put(signed_jwt.parse(junk(n, "https://idp.example"), signed_jwt.NOT_OIDC))
    assert cache.chars <= 200_000 and cache.get(junk(99, "https://idp.example")) is not None
    assert cache.get(junk(0, "https://idp.example")) is None  # the oldest went first


class RecordingBackend(httpcore.AsyncNetworkBackend):
    """The network as the guard sees it, minus the network: records each connection asked for and refuses it, so
    no packet is ever sent to a metadata address (issue 15 §3)."""

    def __init__(self) -> None:
        self.connects: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.connects.append((host, port))
        raise httpcore.ConnectError("the recording backend never connects")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


METADATA_FORMS = ["169.254.169.254", "fd00:ec2::254", "fd00:ec2::23", "100.100.100.200", "::169.254.169.254",
                  "::ffff:169.254.169.254", "::ffff:100.100.100.200", "::100.100.100.200", "2002:a9fe:a9fe::1",
                  "0.0.0.0", "0.1.2.3", "::", "fe80::1%eth0"]


def _fetch_all(urls, resolve=None) -> tuple[dict[str, str], list]:
    backend = RecordingBackend()

    async def main():
        outcomes = {}
        async with httpx.AsyncClient(transport=fetch.guarded_transport(resolve, backend)) as http:
            for url in urls:
                try:
                    await fetch.get_json(http, url)
                    outcomes[url] = "fetched"
                except errors.ExternalServiceException as exc:
                    assert exc.message == fetch.UNAVAILABLE
                    outcomes[url] = exc.notes[0]
        return outcomes

    return asyncio.run(main()), backend.connects


@pytest.mark.parametrize("address", METADATA_FORMS)
def test_every_metadata_address_form_is_refused_as_a_literal_and_as_a_resolved_name(address):
    literal = f"http://[{address}]/latest" if ":" in address else f"http://{address}/latest"

    async def resolve(host: str, _port: int) -> list[str]:
        return {"idp.lab.internal": ["10.0.0.7", address.split("%")[0]]}[host]

    outcomes, connects = _fetch_all([literal, "http://idp.lab.internal/jwks"], resolve)
    assert connects == []  # refused before any connection was even asked of the network
    assert "are never fetched" in outcomes[literal]
    assert outcomes["http://idp.lab.internal/jwks"].startswith("idp=idp.lab.internal: idp.lab.internal resolves to ")
    assert outcomes["http://idp.lab.internal/jwks"].endswith("are never fetched")


def test_allowed_addresses_reach_the_network_backend():
    async def resolve(host: str, _port: int) -> list[str]:
        return {"idp.lab.internal": ["10.0.0.7"], "v6.lab.internal": ["fd00:ec3::1"]}.get(host, [host])

    outcomes, connects = _fetch_all(["http://idp.lab.internal/jwks", "http://v6.lab.internal/jwks",
                                     "http://127.0.0.1:9/jwks", "http://100.100.100.201/"], resolve)
    assert connects == [("10.0.0.7", 80), ("fd00:ec3::1", 80), ("127.0.0.1", 9), ("100.100.100.201", 80)]
    assert set(outcomes.values()) == {f"idp={host}: connection failed (ConnectError)" for host in (
        "idp.lab.internal", "v6.lab.internal", "127.0.0.1:9", "100.100.100.201")}


def test_a_name_that_does_not_resolve_is_the_same_fixed_failure():
    """``169.254.169.254.`` and unknown names: no gaierror escapes as a 500 with a traceback."""
    async def resolve(host: str, _port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    outcomes, connects = _fetch_all(["http://169.254.169.254./x", "http://nowhere.invalid/jwks"], resolve)
    assert connects == []
    assert outcomes == {"http://169.254.169.254./x": "idp=169.254.169.254.: 169.254.169.254. does not resolve "
                                                     "(gaierror)",
                        "http://nowhere.invalid/jwks": "idp=nowhere.invalid: nowhere.invalid does not resolve "
                                                       "(gaierror)"}
    # the machine's own resolver, through the service's guarded client: the fixed AWS-worded failure
    async def real():
        async with httpx.AsyncClient(transport=fetch.guarded_transport(inner=RecordingBackend())) as http:
            with pytest.raises(errors.ExternalServiceException) as caught:
                await fetch.get_json(http, "https://nowhere.invalid/.well-known/jwks.json")
            return caught.value

    refused = asyncio.run(real())
    assert refused.message == fetch.UNAVAILABLE
    assert refused.notes == ("idp=nowhere.invalid: nowhere.invalid does not resolve (gaierror)",)
