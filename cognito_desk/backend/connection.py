"""One open backend connection: the clients of a connection profile over one ``httpx.AsyncClient``.

Owns :func:`open_connection` — from a :class:`~cognito_desk.settings.ConnectionProfile` and the secret
store to a :class:`Connection` holding the cognito-identity, STS and IAM clients — and
:meth:`Connection.test`, the "Test connection" report (endpoint, account, caller ARN, latency). A Local
profile is served by the embedded service (:mod:`.local`), and :meth:`Connection.recover` moves its clients
to whatever serves the data directory once the service it used went away; AWS and Custom endpoint profiles sign with the
credentials their profile names (an AWS shared-config profile incl. SSO, keyring keys, or the
environment). Used by the desktop app, the ``pools`` and ``scenarios`` commands alike; nothing here
imports Qt.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

import httpx

from ..aws import (
    CognitoIdentityClient,
    CognitoIdpClient,
    CredentialsProvider,
    Endpoints,
    IamClient,
    StsClient,
    aws_endpoints,
    custom_endpoints,
)
from ..aws.credentials import EnvironmentCredentials, ProfileCredentials, StaticCredentials
from ..aws.endpoints import COGNITO_IDP, Endpoint
from ..aws.retry import RetryPolicy
from ..core import errors
from ..settings import (
    AwsProfile,
    ConnectionProfile,
    CredentialSource,
    EndpointProfile,
    KeyringSecrets,
    LocalProfile,
    SecretField,
    SecretStore,
    SettingsFile,
)

# light: .local imports the embedded service only when a Local profile opens
from .local import AttachedService, LocalServices, Reattached

__all__ = ["Connection", "ConnectionReport", "MissingSecret", "connected", "credentials_for", "open_connection"]


class MissingSecret(errors.CognitoDeskError):
    """A profile that signs with keyring keys has none stored."""


@dataclass(frozen=True)
class ConnectionReport:
    """What "Test connection" found: where it went, who we are there, and how long it took."""

    endpoint: str
    account: str
    arn: str
    latency_ms: float


class Connection:
    """The clients of one profile; close it with :meth:`aclose` (the HTTP pool; never the shared service)."""

    def __init__(self, profile: ConnectionProfile, endpoints: Endpoints, http: httpx.AsyncClient,
                 credentials: CredentialsProvider | None, *, local: tuple[LocalServices, AttachedService] | None = None,
                 retry: RetryPolicy | None = None) -> None:
        self.profile = profile
        self.endpoints = endpoints
        self.http = http
        self.credentials = credentials
        #: For a Local profile: the process's embedded services and the one this connection uses.
        self._local = local
        self.identity = CognitoIdentityClient(http, endpoints.cognito_identity, credentials, retry=retry)
        self.sts = StsClient(http, endpoints.sts, credentials, retry=retry)
        self.iam = IamClient(http, endpoints.iam, credentials, retry=retry)
        #: The user-pool API; None for a Local profile without a user pool endpoint.
        self.cognito_idp = (CognitoIdpClient(http, endpoints.cognito_idp, credentials, retry=retry)
                            if endpoints.cognito_idp else None)

    @property
    def local_service(self) -> AttachedService | None:
        """The embedded service a Local connection uses (None for other profiles)."""
        return self._local[1] if self._local else None

    @property
    def local_port(self) -> int | None:
        return self._local[1].port if self._local else None

    @property
    def local_owned(self) -> bool:
        """Whether this process serves the Local connection's service (False: it joined a ``serve``)."""
        return bool(self._local and self._local[1].owned)

    async def recover(self) -> Reattached | None:
        """After a connection failure on a Local profile: if its service went away, move to the one now serving
        the data directory (this process's own, started if need be) and say what happened; else None."""
        if self._local is None:
            return None
        services, current = self._local
        moved = await services.reattach(self.profile, current)  # type: ignore[arg-type]
        if moved is not None:
            self._local = (services, moved.after)
            self.endpoints = custom_endpoints(moved.after.url, self.profile.region)
            self.credentials = StaticCredentials(moved.after.access_key_id, moved.after.secret_access_key)
            for client, endpoint in ((self.identity, self.endpoints.cognito_identity), (self.sts, self.endpoints.sts),
                                     (self.iam, self.endpoints.iam)):
                client.transport.endpoint = endpoint
                client.transport.credentials = self.credentials
        return moved

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def region(self) -> str:
        return self.profile.region

    @property
    def endpoint_url(self) -> str:
        return self.endpoints.cognito_identity.url

    async def test(self) -> ConnectionReport:
        """Call STS ``GetCallerIdentity`` and report who the connection signs as, and how fast."""
        started = time.perf_counter()
        answer = await self.sts.get_caller_identity()
        latency = (time.perf_counter() - started) * 1000
        return ConnectionReport(self.endpoint_url, str(answer.get("Account", "")), str(answer.get("Arn", "")),
                                round(latency, 1))

    async def aclose(self) -> None:
        await self.http.aclose()

    def __repr__(self) -> str:
        return f"Connection({self.profile.name!r}, {self.endpoint_url!r})"


def _keyring_credentials(profile: ConnectionProfile, secrets: SecretStore) -> StaticCredentials:
    key = secrets.get(profile.name, SecretField.ACCESS_KEY_ID)
    secret = secrets.get(profile.name, SecretField.SECRET_ACCESS_KEY)
    if not key or not secret:
        raise MissingSecret(f"Connection '{profile.name}' signs with an access key kept in the keyring, but none "
                            "is stored: edit the connection and enter the access key pair.")
    token = secrets.get(profile.name, SecretField.SESSION_TOKEN)
    return StaticCredentials(key.reveal(), secret.reveal(), token.reveal() if token else None)


def credentials_for(profile: AwsProfile | EndpointProfile, secrets: SecretStore) -> CredentialsProvider:
    """The credentials provider a remote profile names (resolved lazily: SSO and files are read on first use)."""
    if profile.credentials == CredentialSource.AWS_PROFILE:
        return ProfileCredentials(profile.aws_profile or "default")
    if profile.credentials == CredentialSource.ENVIRONMENT:
        return EnvironmentCredentials()
    return _keyring_credentials(profile, secrets)


async def open_connection(profile: ConnectionProfile, secrets: SecretStore, local: LocalServices,
                          *, http: httpx.AsyncClient | None = None, retry: RetryPolicy | None = None) -> Connection:
    """Open ``profile``: start or join its embedded service (Local), build one HTTP client and the three clients
    (retrying as ``retry`` says; default: botocore's standard mode).

    Raises :class:`MissingSecret`, :class:`~cognito_desk.settings.KeyringUnavailable`, ``ValueError`` (a bad
    region or URL), or whatever starting the embedded service raises — before any HTTP client is left open.
    """
    if isinstance(profile, LocalProfile):
        attached = await local.attach(profile)
        endpoints = replace(custom_endpoints(attached.url, profile.region), cognito_idp=(
            Endpoint(profile.user_pool_endpoint.rstrip("/"), profile.region, COGNITO_IDP)
            if profile.user_pool_endpoint else None))
        credentials: CredentialsProvider | None = StaticCredentials(attached.access_key_id,
                                                                    attached.secret_access_key)
        return Connection(profile, endpoints, http or httpx.AsyncClient(), credentials, local=(local, attached),
                          retry=retry)
    endpoints = (aws_endpoints(profile.region) if isinstance(profile, AwsProfile)
                 else custom_endpoints(profile.url, profile.region))
    credentials = credentials_for(profile, secrets)
    return Connection(profile, endpoints, http or httpx.AsyncClient(), credentials, retry=retry)


@asynccontextmanager
async def connected(name: str | None = None, *, endpoint: str | None = None, region: str = "us-east-1",
                    settings: SettingsFile | None = None, secrets: SecretStore | None = None,
                    ) -> AsyncIterator[Connection]:
    """A connection for the headless commands (``pools``, ``scenarios``), closed (and its service stopped) after.

    ``endpoint`` wins: any compatible URL signed with the environment's AWS credentials (CI). Otherwise
    the settings' profile called ``name``, or the active one. Unknown names raise ``KeyError`` with the
    names there are.
    """
    if endpoint is not None:
        profile: ConnectionProfile = EndpointProfile("command line", endpoint, region, CredentialSource.ENVIRONMENT)
    else:
        loaded = (settings or SettingsFile()).load()
        wanted = name or loaded.active_profile
        try:
            profile = loaded.profile(wanted)
        except KeyError:
            known = ", ".join(p.name for p in loaded.profiles)
            raise KeyError(f"no connection named {wanted!r} (there are: {known})") from None
    local = LocalServices()
    try:
        connection = await open_connection(profile, secrets or KeyringSecrets(), local)
        try:
            yield connection
        finally:
            await connection.aclose()
    finally:
        await asyncio.to_thread(local.stop_all)
