"""Provider client settings, saved per provider and connection in ``provider-clients.json``.

Owns :class:`ProviderClient` — how the tester signs in with one provider of one connection: the kind of
login, issuer or endpoints, client id, scopes, redirect URI, response type, extra authorize parameters,
SAML SSO/ACS addresses, the developer provider — and the ``Logins`` key it implies
(:attr:`ProviderClient.logins_key`: built from the provider, never typed). :class:`ProviderClientsFile`
keeps them as one small versioned JSON file next to ``settings.json`` (never inside it), replaced
atomically; client secrets are never in it: they live in the OS keyring (:func:`client_secret` /
:func:`store_client_secret`, keyring profile ``<connection>/provider:<name>``).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from ..core import errors
from ..core.providers import AMAZON, FACEBOOK
from ..core.tokens import user_pool_provider_name
from ..settings import Secret, SecretField, SecretStore, config_dir
from ..settings.files import write_atomically

__all__ = [
    "FILE_NAME",
    "ProviderClient",
    "ProviderClientsError",
    "ProviderClientsFile",
    "ProviderKind",
    "client_secret",
    "format_extra_params",
    "parse_extra_params",
    "store_client_secret",
]

FILE_NAME = "provider-clients.json"
VERSION = 1
DEFAULT_REDIRECT_URI = "http://127.0.0.1/callback"


class ProviderKind(StrEnum):
    OIDC = "oidc"  # any OpenID Provider (Google, Apple, Okta …): authorization code + PKCE, or implicit/hybrid
    USER_POOL = "user-pool"  # a Cognito user pool's hosted UI (OIDC with the user pool as issuer)
    USER_POOL_PASSWORD = "user-pool-password"  # InitiateAuth with username & password (SRP or plain), no browser
    SAML = "saml"
    FACEBOOK = "facebook"
    AMAZON = "amazon"
    DEVELOPER = "developer"
    GUEST = "guest"


#: Where the two OAuth-only providers authorize and issue tokens (a setting may point elsewhere).
OAUTH_DEFAULTS = {
    ProviderKind.FACEBOOK: ("https://www.facebook.com/v19.0/dialog/oauth",
                            "https://graph.facebook.com/v19.0/oauth/access_token", ("public_profile",)),
    ProviderKind.AMAZON: ("https://www.amazon.com/ap/oa", "https://api.amazon.com/auth/o2/token", ("profile",)),
}
RESPONSE_TYPES = ("code", "id_token", "code id_token", "id_token token", "code id_token token", "token")


class ProviderClientsError(errors.CognitoDeskError):
    """The provider clients file cannot be read, or a client's settings are unusable."""


def _host_key(issuer: str) -> str:
    return issuer.split("://", 1)[-1].rstrip("/")


@dataclass(frozen=True)
class ProviderClient:
    """How to sign in with one provider of one connection. Empty strings mean "not set"."""

    connection: str
    name: str
    kind: ProviderKind
    issuer: str = ""
    authorization_endpoint: str = ""
    token_endpoint: str = ""
    jwks_uri: str = ""
    client_id: str = ""
    scopes: tuple[str, ...] = ("openid",)
    redirect_uri: str = DEFAULT_REDIRECT_URI
    response_type: str = "code"
    response_mode: str = ""
    extra_params: dict[str, str] = field(default_factory=dict)
    #: OIDC kinds: which token goes into Logins (``id_token``; ``access_token`` to test that refusal).
    send_token: str = "id_token"
    #: SAML: the IAM SAML provider (the Logins key), the IdP's SSO URL (SP-initiated) or its own start page
    #: (IdP-initiated), the ACS the response is posted to, the SP entity id the AuthnRequest names.
    saml_provider_arn: str = ""
    saml_sso_url: str = ""
    saml_idp_initiated_url: str = ""
    saml_acs_url: str = "https://signin.aws.amazon.com/saml"
    saml_sp_entity_id: str = "urn:amazon:webservices"
    #: Developer-authenticated: the pool's developer provider name and the user identifier to sign in as.
    developer_provider_name: str = ""
    developer_user_identifier: str = ""
    #: User pool (username & password): the pool, the auth flow (``srp`` or ``password``) and the username;
    #: ``client_id`` is the app client. The password is never saved here (keyring or typed per run).
    user_pool_id: str = ""
    auth_flow: str = "srp"
    username: str = ""

    @property
    def logins_key(self) -> str:
        """The key of this provider in Cognito ``Logins`` (empty for guests)."""
        if self.kind in (ProviderKind.OIDC, ProviderKind.USER_POOL):
            return _host_key(self.issuer)
        if self.kind is ProviderKind.SAML:
            return self.saml_provider_arn
        if self.kind is ProviderKind.FACEBOOK:
            return FACEBOOK
        if self.kind is ProviderKind.AMAZON:
            return AMAZON
        if self.kind is ProviderKind.DEVELOPER:
            return self.developer_provider_name
        if self.kind is ProviderKind.USER_POOL_PASSWORD:
            try:
                return user_pool_provider_name("", self.user_pool_id)
            except ValueError:
                return ""
        return ""

    @property
    def secret_profile(self) -> str:
        """The keyring profile name of this client's secret."""
        return f"{self.connection}/provider:{self.name}"

    def with_oauth_defaults(self) -> ProviderClient:
        """Facebook / Amazon with their public endpoints filled in where none is set."""
        defaults = OAUTH_DEFAULTS.get(self.kind)
        if defaults is None:
            return self
        authorize, token, scopes = defaults
        return replace(self, authorization_endpoint=self.authorization_endpoint or authorize,
                       token_endpoint=self.token_endpoint or token,
                       scopes=self.scopes if self.scopes != ("openid",) else scopes)

    def problems(self) -> list[str]:
        """What keeps this client from a sign-in, one sentence each (empty when usable)."""
        found = []
        if not self.name.strip():
            found.append("The provider needs a name.")
        if self.kind in (ProviderKind.OIDC, ProviderKind.USER_POOL):
            if not self.issuer:
                found.append("An OpenID provider needs its issuer URL (e.g. https://accounts.google.com).")
            elif urlsplit(self.issuer).scheme not in ("http", "https"):
                found.append(f"The issuer {self.issuer!r} is not an http(s) URL.")
            if self.response_type not in RESPONSE_TYPES or self.response_type == "token":
                found.append(f"Response type {self.response_type!r} does not return an id_token; use one of "
                             + ", ".join(t for t in RESPONSE_TYPES if "id_token" in t or t == "code") + ".")
            if "openid" not in self.scopes:
                found.append("The scopes must include 'openid' to get an id_token.")
        if self.kind in (ProviderKind.FACEBOOK, ProviderKind.AMAZON) and self.response_type not in ("code", "token"):
            found.append("An access-token provider uses response type 'code' or 'token'.")
        if self.kind in (ProviderKind.OIDC, ProviderKind.USER_POOL, ProviderKind.FACEBOOK, ProviderKind.AMAZON):
            if not self.client_id:
                found.append("The provider's client id is missing.")
            if urlsplit(self.redirect_uri).scheme not in ("http", "https"):
                found.append(f"The redirect URI {self.redirect_uri!r} is not an http(s) URL.")
        if self.kind is ProviderKind.SAML:
            if ":saml-provider/" not in self.saml_provider_arn:
                found.append("A SAML login needs the IAM SAML provider ARN (arn:aws:iam::…:saml-provider/NAME).")
            if not (self.saml_sso_url or self.saml_idp_initiated_url):
                found.append("A SAML login needs the IdP's SSO URL (SP-initiated) or its start page (IdP-initiated).")
        if self.kind is ProviderKind.USER_POOL_PASSWORD:
            found += self._user_pool_problems()
        developer = self.developer_provider_name and self.developer_user_identifier
        if self.kind is ProviderKind.DEVELOPER and not developer:
            found.append("A developer login needs the pool's developer provider name and a user identifier.")
        return found

    def _user_pool_problems(self) -> list[str]:
        found = []
        try:
            user_pool_provider_name("", self.user_pool_id)
        except ValueError as exc:
            found.append(str(exc))
        if not self.client_id:
            found.append("The user pool's app client id is missing.")
        if self.auth_flow not in ("srp", "password"):
            found.append(f"The auth flow must be 'srp' or 'password', not {self.auth_flow!r}.")
        return found  # the username is the run's (typed in the tester, or the scenario's)

    def to_dict(self) -> dict[str, Any]:
        raw = asdict(self)
        raw["kind"] = self.kind.value
        raw["scopes"] = list(self.scopes)
        return raw

    @classmethod
    def from_dict(cls, raw: Any) -> ProviderClient:
        if not isinstance(raw, dict):
            raise ProviderClientsError(f"a provider client must be a JSON object, not {type(raw).__name__}")
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        try:
            values["kind"] = ProviderKind(values.get("kind"))
            values["scopes"] = tuple(values.get("scopes", ("openid",)))
            values["extra_params"] = {str(k): str(v) for k, v in dict(values.get("extra_params", {})).items()}
            return cls(**values)
        except (TypeError, ValueError) as exc:
            raise ProviderClientsError(f"provider client {raw.get('name')!r} is unusable: {exc}") from None


class ProviderClientsFile:
    """``provider-clients.json`` in the config directory: every saved provider client of every connection."""

    def __init__(self, directory: str | os.PathLike | None = None) -> None:
        self.path = config_dir(directory) / FILE_NAME

    def load(self) -> list[ProviderClient]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except json.JSONDecodeError as exc:
            raise ProviderClientsError(f"{self.path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
        if not isinstance(raw, dict) or raw.get("version") != VERSION or not isinstance(raw.get("clients"), list):
            raise ProviderClientsError(f"{self.path} is not a version {VERSION} provider clients file")
        return [ProviderClient.from_dict(item) for item in raw["clients"]]

    def for_connection(self, connection: str) -> list[ProviderClient]:
        return [client for client in self.load() if client.connection == connection]

    def put(self, client: ProviderClient) -> None:
        """Add or replace (same connection and name) one client."""
        problems = client.problems()
        if problems:
            raise ProviderClientsError(" ".join(problems))
        clients = [c for c in self.load() if (c.connection, c.name) != (client.connection, client.name)]
        self._save([*clients, client])

    def remove(self, connection: str, name: str) -> None:
        self._save([c for c in self.load() if (c.connection, c.name) != (connection, name)])

    def _save(self, clients: list[ProviderClient]) -> None:
        write_atomically(self.path,
                         json.dumps({"version": VERSION, "clients": [c.to_dict() for c in clients]}, indent=2) + "\n")


def client_secret(secrets: SecretStore, client: ProviderClient) -> Secret | None:
    """The client's secret from the keyring (None for a public client)."""
    return secrets.get(client.secret_profile, SecretField.CLIENT_SECRET)


def store_client_secret(secrets: SecretStore, client: ProviderClient, value: Secret | None) -> None:
    """Keep (or, with None / empty, forget) the client's secret in the keyring."""
    if value:
        secrets.set(client.secret_profile, SecretField.CLIENT_SECRET, value)
    else:
        secrets.delete(client.secret_profile, SecretField.CLIENT_SECRET)


def parse_extra_params(text: str) -> dict[str, str]:
    """``key=value`` lines (blank lines ignored) as authorize parameters; a line without ``=`` is refused."""
    params: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ProviderClientsError(f"Extra parameter line {number} ({line.strip()!r}) is not key=value.")
        params[key.strip()] = value.strip()
    return params


def format_extra_params(params: dict[str, str]) -> str:
    return "\n".join(f"{key}={value}" for key, value in params.items())
