"""Everything the Roles & rules and Principal tags tabs show for one pool: one snapshot both tabs share.

Owns :class:`RolesSnapshot` — the pool's description, its roles form (``GetIdentityPoolRoles``), the account's
role ARNs (IAM ``ListRoles``, for the searchable pickers) with their trust policies (so a role picked while
editing is linted and previewed at once; a role the form names that is not listed is fetched with ``GetRole``) and
the principal-tag map of every provider — assembled by :func:`assemble_snapshot` from parts the pool state
(:mod:`.pool_state`) loads once and shares (:func:`load_account_roles`, :func:`load_tag_maps`), :func:`login_keys`
(the ``Logins`` keys a token can be presented under on this pool) and :func:`mapping_keys` (the keys a role
mapping may be stored under: the same, plus IAM provider ARNs for OIDC and user-pool ``name:client`` keys, as the
service accepts them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cognito_desk.admin.principal_tags import PrincipalTagMap
from cognito_desk.admin.role_trust import load_trust_policies, roles_in_use
from cognito_desk.admin.rules import RolesForm
from cognito_desk.aws import CognitoIdentityClient, IamClient


@dataclass
class RolesSnapshot:
    pool: dict
    form: RolesForm
    role_arns: list[str] = field(default_factory=list)
    trust_policies: dict[str, dict | None] = field(default_factory=dict)
    tag_maps: dict[str, PrincipalTagMap] = field(default_factory=dict)

    @property
    def pool_id(self) -> str:
        return self.pool["IdentityPoolId"]

    def uses_principal_tags(self) -> bool:
        return any(tag_map.active for tag_map in self.tag_maps.values())


def login_keys(pool: Mapping) -> list[str]:
    """The ``Logins`` keys of the pool's identity providers, in the console's order."""
    keys = list(pool.get("SupportedLoginProviders") or {})
    keys += list(dict.fromkeys(p.get("ProviderName", "") for p in pool.get("CognitoIdentityProviders") or []))
    keys += [arn.partition(":oidc-provider/")[2] for arn in pool.get("OpenIdConnectProviderARNs") or []]
    keys += list(pool.get("SamlProviderARNs") or [])
    return [key for key in keys if key]


def mapping_keys(pool: Mapping) -> list[str]:
    """Keys a role mapping can be stored under on this pool."""
    keys = login_keys(pool)
    keys += [f"{p['ProviderName']}:{p['ClientId']}" for p in pool.get("CognitoIdentityProviders") or []
             if p.get("ProviderName") and p.get("ClientId")]
    keys += list(pool.get("OpenIdConnectProviderARNs") or [])
    return list(dict.fromkeys(keys))


async def load_account_roles(iam: IamClient) -> dict[str, dict | None]:
    """Every role of the account (IAM ``ListRoles``, page by page): ARN → trust policy."""
    return {role["Arn"]: role.get("AssumeRolePolicyDocument") async for role in iam.iter_roles()}


async def load_tag_maps(identity: CognitoIdentityClient, pool: Mapping) -> dict[str, PrincipalTagMap]:
    """The principal-tag map of every provider of ``pool`` (one ``GetPrincipalTagAttributeMap`` each)."""
    maps = {}
    for key in login_keys(pool):
        answer = await identity.get_principal_tag_attribute_map(identity_pool_id=pool["IdentityPoolId"],
                                                                identity_provider_name=key)
        maps[key] = PrincipalTagMap.from_api(answer)
    return maps


async def assemble_snapshot(iam: IamClient, pool: dict, form: RolesForm, account_roles: Mapping[str, dict | None],
                            tag_maps: Mapping[str, PrincipalTagMap]) -> RolesSnapshot:
    """The snapshot from its parts; a role the form names that the account list lacks (another account's, or
    deleted) is looked up with ``GetRole``."""
    snapshot = RolesSnapshot(pool, form, sorted(account_roles), dict(account_roles), dict(tag_maps))
    missing = [arn for arn in roles_in_use(form) if arn not in account_roles]
    snapshot.trust_policies.update(await load_trust_policies(iam, missing))
    return snapshot
