"""The connection's IAM identity providers and the pools that use each.

Owns :func:`load_iam_providers` — every IAM OIDC provider (``ListOpenIDConnectProviders``) and SAML provider
(``ListSAMLProviders``) of the connection, which the Providers tab's attach lists need (two requests, whatever the
number of pools) — and :func:`load_provider_usage`, which also says which pools name each provider in their
``OpenIdConnectProviderARNs`` / ``SamlProviderARNs``: it walks the pool list page by page and describes every pool
once, so it runs only where usage is shown (Pool ▸ IAM identity providers…, the guarded delete) and the
connection's state keeps the answer with the pool list (:func:`record_pool` updates it after a save, with no
request). :func:`delete_provider` refuses while any pool still uses the provider (the pools are named) and
otherwise deletes it from IAM.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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


def _sorted(providers) -> list[IamProvider]:
    return sorted(providers, key=lambda p: (p.kind, p.name))


async def load_iam_providers(iam: IamClient) -> list[IamProvider]:
    """The connection's IAM OIDC and SAML providers (their ``pools`` left empty: not looked up)."""
    oidc = (await iam.list_open_id_connect_providers()).get("OpenIDConnectProviderList") or []
    saml = (await iam.list_saml_providers()).get("SAMLProviderList") or []
    providers = {p["Arn"]: IamProvider(p["Arn"], "OIDC") for p in oidc}
    providers.update({p["Arn"]: IamProvider(p["Arn"], "SAML") for p in saml})
    return _sorted(providers.values())


def record_pool(providers: list[IamProvider], pool: Mapping) -> None:
    """Update ``providers``' usage in place for ``pool`` as described now (after a save, or a describe)."""
    pool_id = pool["IdentityPoolId"]
    named = {*(pool.get("OpenIdConnectProviderARNs") or []), *(pool.get("SamlProviderARNs") or [])}
    for provider in providers:
        provider.pools = [entry for entry in provider.pools if entry[0] != pool_id]
        if provider.arn in named:
            provider.pools.append((pool_id, pool["IdentityPoolName"]))


async def load_provider_usage(identity: CognitoIdentityClient, iam: IamClient,
                              progress: Callable[[int], object] | None = None) -> list[IamProvider]:
    """:func:`load_iam_providers` with the pools using each: the pool list page by page, every pool described
    once (``progress`` is told how many pools were read so far)."""
    providers = await load_iam_providers(iam)
    read = 0
    async for listed in identity.iter_identity_pools():
        record_pool(providers, await identity.describe_identity_pool(identity_pool_id=listed["IdentityPoolId"]))
        read += 1
        if progress is not None:
            progress(read)
    return providers


async def delete_provider(iam: IamClient, provider: IamProvider) -> None:
    """Delete ``provider`` from IAM unless a pool uses it (:class:`ProviderInUse` names them)."""
    if provider.pools:
        names = ", ".join(f"{name} ({pool_id})" for pool_id, name in provider.pools)
        raise ProviderInUse(f"{provider.name} is used by {names}: detach it from those pools first.")
    if provider.kind == "OIDC":
        await iam.delete_open_id_connect_provider(open_id_connect_provider_arn=provider.arn)
    else:
        await iam.delete_saml_provider(saml_provider_arn=provider.arn)
