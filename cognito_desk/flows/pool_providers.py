"""The providers a pool accepts, as provider client drafts the tester can run (and the user can complete).

Owns :func:`pool_provider_clients`: from a pool as DescribeIdentityPool returns it (and, for IAM OIDC
providers, the issuer URL and client ids IAM knows) to one :class:`~.clients.ProviderClient` per provider —
guest when the pool allows it, each social provider with its app id (Google as an OpenID provider),
each Cognito user pool with its app client, each IAM OIDC and SAML provider, the developer provider —
then the saved clients of the connection laid over them: a saved client with the same ``Logins`` key
and kind replaces the draft, so what the user completed once is what runs next time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..aws import BackendError, IamClient
from ..core import errors
from ..core.providers import AMAZON, FACEBOOK, GOOGLE
from .clients import ProviderClient, ProviderKind

__all__ = ["load_pool_providers", "pool_provider_clients"]

_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def _issuer_for(host_path: str) -> str:
    """IAM keeps an OIDC provider's URL without its scheme: loopback issuers are http, all others https."""
    host = host_path.split("/", 1)[0].rsplit(":", 1)[0]
    return ("http://" if host in _LOOPBACK else "https://") + host_path


def _drafts(connection: str, pool: Mapping[str, Any], oidc: Mapping[str, Mapping[str, Any]]) -> list[ProviderClient]:
    drafts = []
    if pool.get("AllowUnauthenticatedIdentities"):
        drafts.append(ProviderClient(connection, "Guest", ProviderKind.GUEST))
    for key, app_id in (pool.get("SupportedLoginProviders") or {}).items():
        if key == GOOGLE:
            drafts.append(ProviderClient(connection, "Google", ProviderKind.OIDC, issuer="https://accounts.google.com",
                                         client_id=app_id))
        elif key in (FACEBOOK, AMAZON):
            kind = ProviderKind.FACEBOOK if key == FACEBOOK else ProviderKind.AMAZON
            drafts.append(ProviderClient(connection, "Facebook" if kind is ProviderKind.FACEBOOK else
                                         "Login with Amazon", kind, client_id=app_id, response_type="token",
                                         scopes=()).with_oauth_defaults())
    for provider in pool.get("CognitoIdentityProviders") or []:
        name = str(provider.get("ProviderName", ""))
        drafts.append(ProviderClient(connection, f"User pool {name.rsplit('/', 1)[-1]}", ProviderKind.USER_POOL,
                                     issuer=f"https://{name}", client_id=str(provider.get("ClientId", "")),
                                     scopes=("openid", "email")))
    for arn in pool.get("OpenIdConnectProviderARNs") or []:
        host_path = arn.split(":oidc-provider/", 1)[-1]
        known = oidc.get(arn, {})
        client_ids = list(known.get("ClientIDList") or [])
        issuer = _issuer_for(str(known.get("Url") or host_path).split("://", 1)[-1])
        drafts.append(ProviderClient(connection, host_path, ProviderKind.OIDC, issuer=issuer,
                                     client_id=client_ids[0] if client_ids else ""))
    for arn in pool.get("SamlProviderARNs") or []:
        drafts.append(ProviderClient(connection, arn.rsplit("/", 1)[-1], ProviderKind.SAML, saml_provider_arn=arn))
    if pool.get("DeveloperProviderName"):
        drafts.append(ProviderClient(connection, "Developer", ProviderKind.DEVELOPER,
                                     developer_provider_name=str(pool["DeveloperProviderName"]),
                                     developer_user_identifier="qa-user-1"))
    return drafts


def pool_provider_clients(connection: str, pool: Mapping[str, Any], saved: Iterable[ProviderClient],
                          oidc: Mapping[str, Mapping[str, Any]] | None = None) -> list[ProviderClient]:
    """The runnable providers of ``pool``: drafts from its configuration, saved settings laid over them."""
    saved_by_key = {(c.kind, c.logins_key): c for c in saved if c.connection == connection}
    clients = []
    for draft in _drafts(connection, pool, oidc or {}):
        chosen = saved_by_key.pop((draft.kind, draft.logins_key), None)
        clients.append(chosen if chosen is not None else draft)
    return clients


async def load_pool_providers(iam: IamClient, connection: str, pool: Mapping[str, Any],
                              saved: Iterable[ProviderClient]) -> list[ProviderClient]:
    """:func:`pool_provider_clients` for ``pool`` (a ``DescribeIdentityPool`` answer), with the IAM OIDC details
    where IAM answers."""
    oidc: dict[str, Mapping[str, Any]] = {}
    for arn in pool.get("OpenIdConnectProviderARNs") or []:
        try:
            oidc[arn] = await iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn)
        except (errors.AwsError, BackendError):
            continue  # the draft then guesses the issuer from the ARN and leaves the client id to the user
    return pool_provider_clients(connection, pool, saved, oidc)
