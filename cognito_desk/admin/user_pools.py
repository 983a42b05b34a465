"""The user pools behind an identity pool's Cognito providers: the picker's choices and the groups → roles table.

Owns what the Identity providers tab's user-pool picker shows — the connection's user pools
(:func:`list_user_pools`), a pool's app clients with their allowed auth flows and whether they have a secret
(:func:`list_app_clients`, :class:`AppClient`), and the provider entry a choice makes
(:func:`provider_entry`) — and what the Roles & rules tab shows next to a user-pool provider's mapping:
its groups by precedence with their IAM roles, and the roles this identity pool could not hand out
(:func:`load_group_roles`, :class:`GroupRoles`; the rule itself is ``core.groups``), and what the preview
adds for a Token mapping (:func:`token_mapping_lines`). Everything goes through the connection's
:class:`~cognito_desk.aws.CognitoIdpClient` (signed admin reads) on any connection kind that has a
user-pool API; the roles' trust policies are the ones the pool state already read (no second IAM read).
:data:`SERVER_SIDE_TOKEN_CHECK` explains that provider toggle.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..aws import CognitoIdpClient, Endpoint
from ..aws.endpoints import COGNITO_IDP
from ..core.groups import Group, GroupRoleFinding, explain_token_role, lint_group_roles
from ..core.tokens import USER_POOL_ID_PATTERN, user_pool_provider_name
from .rules import RolesForm

__all__ = [
    "SERVER_SIDE_TOKEN_CHECK",
    "AppClient",
    "GroupRoles",
    "UserPoolSummary",
    "idp_in_region",
    "list_app_clients",
    "list_user_pools",
    "load_group_roles",
    "provider_entry",
    "token_mapping_lines",
    "user_pool_of",
]

SERVER_SIDE_TOKEN_CHECK = (
    "Server-side token check: Cognito Identity also asks the user pool whether the user is still signed in "
    "(not signed out globally, tokens not revoked) before it vends credentials. Off: a valid, unexpired ID "
    "token is enough, even after the user signed out.")
_FLOW_NAMES = {"ALLOW_USER_SRP_AUTH": "SRP", "USER_SRP_AUTH": "SRP", "ALLOW_USER_PASSWORD_AUTH": "password",
               "USER_PASSWORD_AUTH": "password", "ALLOW_REFRESH_TOKEN_AUTH": "refresh",
               "ALLOW_CUSTOM_AUTH": "custom", "CUSTOM_AUTH_FLOW_ONLY": "custom",
               "ALLOW_ADMIN_USER_PASSWORD_AUTH": "admin password", "ADMIN_NO_SRP_AUTH": "admin password",
               "ALLOW_USER_AUTH": "choice-based"}


@dataclass(frozen=True)
class UserPoolSummary:
    id: str
    name: str

    def label(self) -> str:
        return f"{self.name} ({self.id})"


@dataclass(frozen=True)
class AppClient:
    user_pool_id: str
    client_id: str
    name: str
    auth_flows: tuple[str, ...]
    has_secret: bool

    @property
    def flows(self) -> tuple[str, ...]:
        """The allowed flows in plain words (SRP, password, refresh …), in the order AWS lists them."""
        return tuple(dict.fromkeys(_FLOW_NAMES.get(flow, flow) for flow in self.auth_flows))

    def describe(self) -> str:
        flows = ", ".join(self.flows) or "no explicit auth flows (AWS then allows SRP and refresh)"
        return f"{flows} · {'has a client secret' if self.has_secret else 'no client secret (public client)'}"

    def label(self) -> str:
        return f"{self.name} ({self.client_id})"


_AWS_HOST = re.compile(r"(https://cognito-idp\.)[a-z0-9-]+(\.amazonaws\.com(?:\.cn)?)")


def idp_in_region(idp: CognitoIdpClient, region: str) -> CognitoIdpClient:
    """The same connection's user-pool API in ``region``: AWS's regional host, or the same custom endpoint
    (moto, LocalStack) signed for ``region`` — which is how those servers tell regions apart."""
    endpoint = idp.transport.endpoint
    url = _AWS_HOST.sub(lambda m: f"{m.group(1)}{region}{m.group(2)}", endpoint.url)
    return CognitoIdpClient(idp.transport.http, Endpoint(url, region, COGNITO_IDP), idp.transport.credentials)


async def list_user_pools(idp: CognitoIdpClient) -> list[UserPoolSummary]:
    return sorted([UserPoolSummary(str(p["Id"]), str(p.get("Name", ""))) async for p in idp.iter_user_pools()],
                  key=lambda p: (p.name.casefold(), p.id))


async def list_app_clients(idp: CognitoIdpClient, user_pool_id: str) -> list[AppClient]:
    """The pool's app clients, each described (flows, secret) — the descriptions fetched side by side."""
    listed = [c async for c in idp.iter_user_pool_clients(user_pool_id)]
    described = await asyncio.gather(*(idp.describe_user_pool_client(user_pool_id=user_pool_id,
                                                                     client_id=str(c["ClientId"])) for c in listed))
    clients = []
    for answer in described:
        raw = answer.get("UserPoolClient", {})
        clients.append(AppClient(user_pool_id, str(raw.get("ClientId", "")), str(raw.get("ClientName", "")),
                                 tuple(raw.get("ExplicitAuthFlows") or ()), bool(raw.get("ClientSecret"))))
    return sorted(clients, key=lambda c: (c.name.casefold(), c.client_id))


def provider_entry(region: str, client: AppClient, server_side_token_check: bool = False) -> dict:
    """The ``CognitoIdentityProviders`` entry for ``client`` (raises ValueError for a pool of another region)."""
    return {"ProviderName": user_pool_provider_name(region, client.user_pool_id), "ClientId": client.client_id,
            "ServerSideTokenCheck": server_side_token_check}


def user_pool_of(provider_name: str) -> str | None:
    """``cognito-idp.<region>.amazonaws.com/<pool id>`` → the pool id (None for other providers)."""
    head, _, pool_id = provider_name.rpartition("/")
    return pool_id if head.startswith("cognito-idp.") and USER_POOL_ID_PATTERN.fullmatch(pool_id) else None


@dataclass(frozen=True)
class GroupRoles:
    user_pool_id: str
    #: The pool's groups, highest precedence first (lowest value; unset last).
    groups: tuple[Group, ...]
    findings: tuple[GroupRoleFinding, ...]


async def load_group_roles(idp: CognitoIdpClient, user_pool_id: str, identity_pool_id: str,
                           trust_policies: Mapping[str, object | None]) -> GroupRoles:
    """The groups of ``user_pool_id`` with their roles, and the roles ``identity_pool_id`` could not use, judged
    on ``trust_policies`` (the account's roles the pool state already holds: ARN → trust policy)."""
    groups = sorted([Group.from_wire(g) async for g in idp.iter_groups(user_pool_id)], key=lambda g: (g.rank, g.name))
    return GroupRoles(user_pool_id, tuple(groups), tuple(lint_group_roles(groups, trust_policies, identity_pool_id)))


def token_mapping_lines(form: RolesForm, logins_key: str, claims: Mapping, groups: Sequence[Group] = (),
                        custom_role_arn: str | None = None) -> list[str]:
    """For a user-pool token presented under ``logins_key`` whose app client has a **Token** mapping in the
    (unsaved) ``form``: which role ``cognito:preferred_role`` / ``cognito:roles`` give and why. Empty otherwise."""
    if user_pool_of(logins_key) is None:
        return []
    mapping = form.mappings.get(f"{logins_key}:{claims.get('aud', '')}")
    if mapping is None:
        mapping = next((m for key, m in form.mappings.items() if key.startswith(f"{logins_key}:")), None)
    if mapping is None or mapping.type != "Token":
        return []
    return explain_token_role(claims, ambiguous=mapping.ambiguous_role_resolution,
                              default_role=form.default_roles.get("authenticated"), custom_role_arn=custom_role_arn,
                              groups=groups)
