"""The providers a pool accepts, as provider client drafts the tester can run (and the user can complete).

Owns :func:`pool_provider_clients`: from a pool as DescribeIdentityPool returns it (and, for IAM OIDC
providers, the issuer URL and client ids IAM knows) to one :class:`~.clients.ProviderClient` per provider —
guest when the pool allows it, each social provider with its app id (Google as an OpenID provider),
each Cognito user pool with its app client, each IAM OIDC and SAML provider, the developer provider —
then the saved clients of the connection laid over them: a saved client with the same ``Logins`` key
and kind (and, for a user-pool username & password sign-in, the same app client) replaces the draft, so
what the user completed once is what runs next time. :func:`client_id_choices` lists every client ID the
configuration names per provider (an IAM OIDC provider may list several), for a pick list;
:func:`load_pool_providers` reads both (:class:`PoolProviders`). What the app knows is never asked again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..aws import BackendError, IamClient
from ..core import errors
from ..core.providers import AMAZON, FACEBOOK, GOOGLE
from .clients import ProviderClient, ProviderKind

__all__ = ["PoolProviders", "client_id_choices", "load_pool_providers", "pool_provider_clients"]

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
        client_id = str(provider.get("ClientId", ""))
        drafts.append(ProviderClient(connection, f"User pool {name.rsplit('/', 1)[-1]} app {client_id} "
                                     "(username & password)", ProviderKind.USER_POOL_PASSWORD,
                                     user_pool_id=name.rsplit("/", 1)[-1], client_id=client_id))
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


def _overlay_key(client: ProviderClient) -> tuple[str, ...]:
    """Which draft a saved client's settings belong to: kind and Logins key — and, for a user-pool
    sign-in, the app client (one user pool may be trusted with several)."""
    if client.kind is ProviderKind.USER_POOL_PASSWORD:
        return client.kind.value, client.logins_key, client.client_id
    return client.kind.value, client.logins_key


def pool_provider_clients(connection: str, pool: Mapping[str, Any], saved: Iterable[ProviderClient],
                          oidc: Mapping[str, Mapping[str, Any]] | None = None) -> list[ProviderClient]:
    """The runnable providers of ``pool``: drafts from its configuration, saved settings laid over them."""
    saved_by_key = {_overlay_key(c): c for c in saved if c.connection == connection}
    clients = []
    for draft in _drafts(connection, pool, oidc or {}):
        chosen = saved_by_key.pop(_overlay_key(draft), None)
        clients.append(chosen if chosen is not None else draft)
    return clients


def client_id_choices(pool: Mapping[str, Any], oidc: Mapping[str, Mapping[str, Any]] | None = None,
                      ) -> dict[str, tuple[str, ...]]:
    """Every client ID the pool's configuration names, by ``Logins`` key: the app IDs of its social providers,
    the app clients of its user pools, the client IDs its IAM OIDC providers list."""
    choices: dict[str, list[str]] = {}
    for key, app_id in (pool.get("SupportedLoginProviders") or {}).items():
        choices.setdefault(key, []).append(str(app_id))
    for provider in pool.get("CognitoIdentityProviders") or []:
        choices.setdefault(str(provider.get("ProviderName", "")), []).append(str(provider.get("ClientId", "")))
    for arn in pool.get("OpenIdConnectProviderARNs") or []:
        listed = (oidc or {}).get(arn, {}).get("ClientIDList") or []
        choices.setdefault(arn.split(":oidc-provider/", 1)[-1], []).extend(str(c) for c in listed)
    return {key: tuple(dict.fromkeys(c for c in ids if c)) for key, ids in choices.items() if any(ids)}


@dataclass(frozen=True)
class PoolProviders:
    """What :func:`load_pool_providers` found: the runnable providers and the client IDs to pick from."""

    clients: list[ProviderClient]
    client_ids: dict[str, tuple[str, ...]] = field(default_factory=dict)


async def load_pool_providers(iam: IamClient, connection: str, pool: Mapping[str, Any],
                              saved: Iterable[ProviderClient]) -> PoolProviders:
    """:func:`pool_provider_clients` and :func:`client_id_choices` for ``pool`` (a ``DescribeIdentityPool``
    answer), with the IAM OIDC details where IAM answers."""
    oidc: dict[str, Mapping[str, Any]] = {}
    for arn in pool.get("OpenIdConnectProviderARNs") or []:
        try:
            oidc[arn] = await iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn)
        except (errors.AwsError, BackendError):
            continue  # the draft then guesses the issuer from the ARN and leaves the client id to the user
    return PoolProviders(pool_provider_clients(connection, pool, saved, oidc), client_id_choices(pool, oidc))
