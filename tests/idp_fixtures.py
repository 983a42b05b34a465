"""Real identity providers for the tests: the npm ``oidc-provider`` and ``saml-idp`` run as Node processes
(``tests/idp/oidc.mjs``, ``tests/idp/saml.mjs``) on loopback ports, and pytest fixtures drive their real
login flows over HTTP with httpx to get an OIDC id_token or a base64 SAMLResponse, as a browser would.

Fixtures (session scope; one process per provider, killed with its process group at teardown):
``oidc_idp`` / ``other_oidc_idp`` (two independent OpenID Providers with their own keys) and
``oidc_idp_factory(name, accounts=..., claims=...)``; ``saml_idp`` / ``other_saml_idp`` (same entity id,
another key pair: for "signed by another key") and ``saml_idp_factory(name, entity_id=..., attributes=...)``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

IDP_DIR = Path(__file__).resolve().parent / "idp"
START_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0
READY_LINE = re.compile(r"^listening (http://127\.0\.0\.1:\d+)$", re.MULTILINE)

CALLBACK = "http://127.0.0.1/callback"
#: OIDC clients: public native PKCE clients (id_token alg in the name, RS256 when none) and one confidential.
PUBLIC_CLIENTS = {"qa-desk": "RS256", "qa-desk-es256": "ES256", "qa-desk-ps256": "PS256", "other-app": "RS256"}
CONFIDENTIAL_CLIENT = "qa-server"
#: Claims each OIDC provider releases (in the id_token) unless its factory call names others.
OIDC_CLAIMS = ("email", "email_verified", "name", "preferred_username", "groups", "department", "custom:tier")
OIDC_ACCOUNTS = {
    "alice": {"email": "alice@example.com", "email_verified": True, "name": "Alice Adams",
              "groups": ["qa", "admins"], "department": "qa", "custom:tier": "gold"},
    "bob": {"email": "bob@example.com", "email_verified": False, "name": "Bob Brown",
            "groups": ["dev"], "department": "engineering", "custom:tier": "silver"},
}

SAML_ENTITY_ID = "urn:cognito-desk:test-idp"
SAML_AUDIENCE = "urn:amazon:webservices"
SAML_ACS_URL = "https://signin.aws.amazon.com/saml"
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
NAME_ID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
#: SAML attributes each IdP can send unless its factory call names others (values are chosen per response).
SAML_ATTRIBUTES = (ROLE_ATTRIBUTE, SESSION_NAME_ATTRIBUTE, "email", "department", "groups")
SAML_USERS = {
    "alice": {"email": "alice@example.com", "department": "qa"},
    "bob": {"email": "bob@example.com", "department": "engineering"},
}


class NodeServer:
    """A ``tests/idp`` Node script in its own process group; it prints its URL when ready and exits when
    its stdin closes, so it also dies when the test session is killed."""

    def __init__(self, script: str, config: dict, log_path: Path) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.fail("the test identity providers need Node.js 20+ (`node` is not on PATH)")
        if not (IDP_DIR / "node_modules").is_dir():
            pytest.fail(f"{IDP_DIR / 'node_modules'} is missing: run `python3 dev.py test` (or `npm ci` in tests/idp)")
        self.log_path = log_path
        env = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "NODE_OPTIONS"}}
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [node, str(IDP_DIR / script), json.dumps(config)], cwd=IDP_DIR, env=env, stdin=subprocess.PIPE,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self.url = self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            ready = READY_LINE.search(self.log_path.read_text(errors="replace"))
            if ready:
                return ready.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        tail = self.log_path.read_text(errors="replace")[-2000:]
        pytest.fail(f"{self.log_path.stem} did not start (exit code {self.process.poll()}); its output:\n{tail}")

    def stop(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        for sig in (None, signal.SIGTERM, signal.SIGKILL):
            if sig is not None:
                try:
                    os.killpg(self.process.pid, sig)
                except ProcessLookupError:
                    pass
            try:
                self.process.wait(timeout=3)
                return
            except subprocess.TimeoutExpired:
                continue


@dataclass
class Form:
    """A POST form of an HTML page: its absolute action URL and its named input values."""

    action: str
    fields: dict[str, str]


class _FormParser(HTMLParser):
    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and values.get("method", "get").lower() == "post":
            self.forms.append(Form(urljoin(self.base_url, values.get("action", "")), {}))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1].fields[values["name"]] = values.get("value", "")


def post_form(response: httpx.Response) -> Form:
    """The first POST form of an HTML response (fails with the page's status when there is none)."""
    parser = _FormParser(str(response.url))
    parser.feed(response.text)
    if not parser.forms:
        raise AssertionError(f"no form on {response.url} (HTTP {response.status_code})")
    return parser.forms[0]


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


@dataclass
class OidcIdp:
    """A running OpenID Provider; ``id_token()`` logs a user in through its real code + PKCE flow."""

    server: NodeServer
    accounts: dict[str, dict]
    claims: tuple[str, ...]
    client_secrets: dict[str, str | None]

    @property
    def issuer(self) -> str:
        return self.server.url

    @property
    def host(self) -> str:
        """The issuer without its scheme: the key of this provider in Cognito ``Logins``."""
        return self.issuer.removeprefix("http://")

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/jwks"

    def id_token(self, user: str, client_id: str = "qa-desk", **claims: object) -> str:
        """Log ``user`` in (any password) to ``client_id`` and return the id_token; ``claims`` replace the
        user's configured claims for this login (``**{"custom:tier": "gold"}``; names from ``self.claims``; None
        leaves a claim out)."""
        unknown = sorted(set(claims) - set(self.claims))
        if unknown:
            raise ValueError(f"claims {unknown} are not released by this provider: pass them to oidc_idp_factory")
        if client_id not in self.client_secrets:
            raise ValueError(f"unknown client {client_id!r}; clients: {sorted(self.client_secrets)}")
        with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False) as http:
            account = {k: v for k, v in {**self.accounts.get(user, {}), **claims}.items() if v is not None}
            http.put(f"{self.issuer}/test-accounts/{quote(user, safe='')}", json=account).raise_for_status()
            verifier, challenge = _pkce_pair()
            state = secrets.token_urlsafe(16)
            code = self._authorize(http, user, client_id, state, challenge)
            body = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
                    "code_verifier": verifier}
            secret = self.client_secrets[client_id]
            if secret is None:
                response = http.post(f"{self.issuer}/token", data={**body, "client_id": client_id})
            else:
                response = http.post(f"{self.issuer}/token", data=body, auth=(client_id, secret))
            if response.status_code != 200:
                raise AssertionError(f"token request failed: HTTP {response.status_code} {response.text[:300]}")
            return response.json()["id_token"]

    def _authorize(self, http: httpx.Client, user: str, client_id: str, state: str, challenge: str) -> str:
        query = urlencode({"client_id": client_id, "redirect_uri": CALLBACK, "response_type": "code",
                           "scope": "openid", "state": state, "nonce": secrets.token_urlsafe(16),
                           "code_challenge": challenge, "code_challenge_method": "S256"})
        response = http.get(f"{self.issuer}/auth?{query}")
        for _ in range(12):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if location.startswith(CALLBACK):
                    return self._code_from(location, state)
                response = http.get(location)
                continue
            form = post_form(response)
            if form.fields.get("prompt") == "login":
                form.fields.update(login=user, password="any-password")
            response = http.post(form.action, data=form.fields)
        raise AssertionError(f"the login flow of {self.issuer} did not reach {CALLBACK}")

    @staticmethod
    def _code_from(location: str, state: str) -> str:
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        if "error" in params:
            raise AssertionError(f"authorization failed: {params['error']}: {params.get('error_description', '')}")
        if params.get("state") != state:
            raise AssertionError("the authorization response carries another state")
        return params["code"]


def self_signed_pair(common_name: str) -> tuple[str, str]:
    """(key PEM in PKCS#1, as saml-idp wants it; certificate PEM) of a new RSA 2048 key, valid for 10 days."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=10))
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                serialization.NoEncryption())
    return key_pem.decode(), cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class SamlIdp:
    """A running SAML IdP; ``saml_response()`` signs a user in through its IdP-initiated login form."""

    server: NodeServer
    entity_id: str
    cert_pem: str
    attributes: tuple[str, ...]
    _metadata: str | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return self.server.url

    def metadata_xml(self) -> str:
        """The IdP metadata document (entityID, signing certificate, SSO endpoints) from ``/metadata``."""
        if self._metadata is None:
            response = httpx.get(f"{self.url}/metadata", timeout=HTTP_TIMEOUT)
            response.raise_for_status()
            self._metadata = response.text
        return self._metadata

    def saml_response(self, user: str = "alice", *, roles: Iterable[str | tuple[str, str]] = (),
                      session_name: str | None = None, name_id_format: str = NAME_ID_PERSISTENT,
                      attributes: Mapping[str, str | list[str] | None] | None = None) -> str:
        """The base64 ``SAMLResponse`` a browser would POST to the ACS after ``user`` signs in.

        ``roles``: Role attribute values, ``"<roleArn>,<samlProviderArn>"`` or ``(roleArn, providerArn)``.
        ``session_name``: RoleSessionName (default: the user). ``attributes``: values over the user's defaults
        in ``SAML_USERS`` and the two above (a list gives several values; None leaves the attribute out)."""
        values: dict[str, str | list[str] | None] = {**SAML_USERS.get(user, {})}
        values[ROLE_ATTRIBUTE] = [role if isinstance(role, str) else ",".join(role) for role in roles] or None
        values[SESSION_NAME_ATTRIBUTE] = session_name or user
        values.update(attributes or {})
        unknown = sorted(set(values) - set(self.attributes))
        if unknown:
            raise ValueError(f"attributes {unknown} are not configured: pass them to saml_idp_factory")
        with httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False) as http:
            form = post_form(http.get(f"{self.url}/"))
            fields = {k: v for k, v in form.fields.items() if v and k not in values}
            fields.update({k: v for k, v in values.items() if v is not None}, userName=user,
                          nameIdFormat=name_id_format)
            response = http.post(form.action, data=fields)
            posted = post_form(response)
        if "SAMLResponse" not in posted.fields:
            raise AssertionError(f"{self.url} answered without a SAMLResponse (HTTP {response.status_code})")
        return posted.fields["SAMLResponse"]


class _Instances:
    """Providers started by a factory fixture, one per name; a name asked for again with other settings fails."""

    def __init__(self) -> None:
        self.started: dict[str, tuple[object, object]] = {}

    def get(self, name: str, settings: object, start):
        if name in self.started:
            known, instance = self.started[name]
            if known != settings:
                raise ValueError(f"identity provider {name!r} already runs with other settings: use another name")
            return instance
        instance = start()
        self.started[name] = (settings, instance)
        return instance

    def stop_all(self) -> None:
        for _, instance in self.started.values():
            instance.server.stop()


@pytest.fixture(scope="session")
def oidc_idp_factory(tmp_path_factory):
    """``oidc_idp_factory(name, accounts=OIDC_ACCOUNTS, claims=OIDC_CLAIMS)`` → an :class:`OidcIdp`, one process
    per name for the session, each with its own signing keys (RS256, PS256, ES256)."""
    instances = _Instances()
    log_dir = tmp_path_factory.mktemp("oidc-idp")

    def start(name: str = "main", *, accounts: Mapping[str, dict] = OIDC_ACCOUNTS,
              claims: Iterable[str] = OIDC_CLAIMS) -> OidcIdp:
        accounts, claims = {k: dict(v) for k, v in accounts.items()}, tuple(claims)
        secrets_by_client: dict[str, str | None] = dict.fromkeys(PUBLIC_CLIENTS)
        secrets_by_client[CONFIDENTIAL_CLIENT] = secrets.token_urlsafe(32)
        clients = [{"client_id": client_id, "token_endpoint_auth_method": "none", "application_type": "native",
                    "redirect_uris": [CALLBACK], "id_token_signed_response_alg": alg}
                   for client_id, alg in PUBLIC_CLIENTS.items()]
        clients.append({"client_id": CONFIDENTIAL_CLIENT, "client_secret": secrets_by_client[CONFIDENTIAL_CLIENT],
                        "token_endpoint_auth_method": "client_secret_basic", "redirect_uris": [CALLBACK]})
        config = {"clients": clients, "accounts": accounts, "claims": list(claims)}
        return instances.get(name, (accounts, claims), lambda: OidcIdp(
            NodeServer("oidc.mjs", config, log_dir / f"oidc-{name}.log"), accounts, claims, secrets_by_client))

    try:
        yield start
    finally:
        instances.stop_all()


@pytest.fixture(scope="session")
def oidc_idp(oidc_idp_factory) -> OidcIdp:
    """The session's OpenID Provider (issuer ``http://127.0.0.1:<port>``; clients in ``PUBLIC_CLIENTS`` and
    ``CONFIDENTIAL_CLIENT``; users ``OIDC_ACCOUNTS`` and any other login)."""
    return oidc_idp_factory("main")


@pytest.fixture(scope="session")
def other_oidc_idp(oidc_idp_factory) -> OidcIdp:
    """A second, independent OpenID Provider (other issuer, other keys): "a provider not attached to the pool"."""
    return oidc_idp_factory("other")


@pytest.fixture(scope="session")
def saml_idp_factory(tmp_path_factory):
    """``saml_idp_factory(name, entity_id=SAML_ENTITY_ID, attributes=SAML_ATTRIBUTES)`` → a :class:`SamlIdp`, one
    process per name for the session, each with a new key pair and self-signed certificate."""
    instances = _Instances()
    work_dir = tmp_path_factory.mktemp("saml-idp")

    def start(name: str = "main", *, entity_id: str = SAML_ENTITY_ID,
              attributes: Iterable[str] = SAML_ATTRIBUTES) -> SamlIdp:
        attributes = tuple(attributes)

        def launch() -> SamlIdp:
            key_pem, cert_pem = self_signed_pair(f"cognito-desk test IdP {name}")
            key_file, cert_file = work_dir / f"{name}-key.pem", work_dir / f"{name}-cert.pem"
            key_file.write_text(key_pem)
            key_file.chmod(0o600)
            cert_file.write_text(cert_pem)
            config = {"issuer": entity_id, "audience": SAML_AUDIENCE, "acsUrl": SAML_ACS_URL,
                      "keyFile": str(key_file), "certFile": str(cert_file), "attributes": list(attributes),
                      "user": {"nameIdFormat": NAME_ID_PERSISTENT}}
            server = NodeServer("saml.mjs", config, work_dir / f"saml-{name}.log")
            return SamlIdp(server, entity_id, cert_pem, attributes)

        return instances.get(name, (entity_id, attributes), launch)

    try:
        yield start
    finally:
        instances.stop_all()


@pytest.fixture(scope="session")
def saml_idp(saml_idp_factory) -> SamlIdp:
    """The session's SAML IdP (entity id ``SAML_ENTITY_ID``, audience ``urn:amazon:webservices``, ACS
    ``https://signin.aws.amazon.com/saml``)."""
    return saml_idp_factory("main")


@pytest.fixture(scope="session")
def other_saml_idp(saml_idp_factory) -> SamlIdp:
    """The same entity id as ``saml_idp`` with another key pair: its responses are "signed by another key"."""
    return saml_idp_factory("other")
