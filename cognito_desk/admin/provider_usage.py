"""The connection's IAM identity providers and the pools that use each, for the IAM identity providers view.

Owns :func:`load_provider_usage` — every IAM OIDC provider (``ListOpenIDConnectProviders``) and SAML provider
(``ListSAMLProviders``) of the connection, with the identity pools whose ``OpenIdConnectProviderARNs`` /
``SamlProviderARNs`` name it (every pool described once) — and :func:`delete_provider`, which refuses while any
pool still uses the provider (the pools are named) and otherwise deletes it from IAM. The same list feeds the
Providers tab's attach lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cognito_desk.aws import CognitoIdentityClient, IamClient
from cognito_desk.core import errors


@dataclass
class IamProvider:
    arn: str
    kind: str  # "OIDC" | "SAML"
    #: Pools using it: (pool ID, pool name).
    pools: list[tuple[str, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The issuer host/path (OIDC) or the provider name (SAML)."""
        return self.arn.split(":oidc-provider/" if self.kind == "OIDC" else ":saml-provider/", 1)[-1]


class ProviderInUse(errors.CognitoDeskError):
    """Deleting a provider that pools still use would break their sign-ins."""


async def load_provider_usage(identity: CognitoIdentityClient, iam: IamClient) -> list[IamProvider]:
    oidc = (await iam.list_open_id_connect_providers()).get("OpenIDConnectProviderList") or []
    saml = (await iam.list_saml_providers()).get("SAMLProviderList") or []
    providers = {p["Arn"]: IamProvider(p["Arn"], "OIDC") for p in oidc}
    providers.update({p["Arn"]: IamProvider(p["Arn"], "SAML") for p in saml})
    async for listed in identity.iter_identity_pools():
        pool = await identity.describe_identity_pool(identity_pool_id=listed["IdentityPoolId"])
        for arn in [*(pool.get("OpenIdConnectProviderARNs") or []), *(pool.get("SamlProviderARNs") or [])]:
            if arn in providers:
                providers[arn].pools.append((pool["IdentityPoolId"], pool["IdentityPoolName"]))
    return sorted(providers.values(), key=lambda p: (p.kind, p.name))


async def delete_provider(iam: IamClient, provider: IamProvider) -> None:
    """Delete ``provider`` from IAM unless a pool uses it (:class:`ProviderInUse` names them)."""
    if provider.pools:
        names = ", ".join(f"{name} ({pool_id})" for pool_id, name in provider.pools)
        raise ProviderInUse(f"{provider.name} is used by {names}: detach it from those pools first.")
    if provider.kind == "OIDC":
        await iam.delete_open_id_connect_provider(open_id_connect_provider_arn=provider.arn)
    else:
        await iam.delete_saml_provider(saml_provider_arn=provider.arn)
