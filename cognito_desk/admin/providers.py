"""The Identity providers form of one pool, and the requests that create IAM OIDC and SAML providers.

Owns :class:`ProvidersEdit`, a typed view over a pool edit (:class:`~cognito_desk.admin.pools.PoolEdit`, which keeps
every member the form does not show and detects conflicts on save): the social providers (Google, Facebook,
Login with Amazon, Sign in with Apple → app / client ID), Cognito user pools (provider name built from region and
user pool ID, app client ID, server-side token check), attached IAM OIDC and SAML provider ARNs, and the developer
provider name (read-only once set). :meth:`ProvidersEdit.problems` lists what AWS would refuse: the model's
constraints (the service's validator, via ``admin.pools``) and the semantic checks the embedded service applies to
a pool's provider configuration. :func:`oidc_provider_request` / :func:`saml_provider_request` build IAM
``CreateOpenIDConnectProvider`` / ``CreateSAMLProvider`` requests, checked the same way, and
:func:`update_oidc_provider` sets an existing OIDC provider's client IDs (audiences) and thumbprints.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cognito_desk.admin.pools import FieldProblem, InvalidPool, PoolEdit, model_problems
from cognito_desk.aws import IamClient
from cognito_desk.core import errors
from cognito_desk.core.pool_config import check_pool_config  # the service's own semantic checks
from cognito_desk.core.providers import AMAZON, APPLE, FACEBOOK, GOOGLE
from cognito_desk.core.tokens import user_pool_provider_name

#: Social providers by ``SupportedLoginProviders`` key, with the name people know them by.
SOCIAL_PROVIDERS = {GOOGLE: "Google", FACEBOOK: "Facebook", AMAZON: "Login with Amazon", APPLE: "Sign in with Apple"}
#: How the service's semantic messages name the member they are about.
_MEMBER_IN_MESSAGE = {"SupportedLoginProviders": "SupportedLoginProviders",
                      "OpenIdConnectProviderARN": "OpenIdConnectProviderARNs", "SamlProviderARN": "SamlProviderARNs",
                      "Cognito Identity Provider": "CognitoIdentityProviders", "ag": "IdentityPoolTags"}

__all__ = ["SOCIAL_PROVIDERS", "ProvidersEdit", "user_pool_provider_name"]


class ProvidersEdit:
    """The provider members of a pool edit, read and changed with the domain's words."""

    def __init__(self, edit: PoolEdit) -> None:
        self.edit = edit

    # --- social ---------------------------------------------------------------------------------
    def social(self) -> dict[str, str]:
        return dict(self.edit.get("SupportedLoginProviders") or {})

    def set_social(self, domain: str, app_id: str | None) -> None:
        """Set (or, with an empty ``app_id``, remove) the app / client ID of a social provider."""
        if domain not in SOCIAL_PROVIDERS:
            raise ValueError(f"{domain!r} is not a social provider; those are {', '.join(SOCIAL_PROVIDERS)}.")
        providers = self.social()
        if app_id and app_id.strip():
            providers[domain] = app_id.strip()
        else:
            providers.pop(domain, None)
        self.edit.set("SupportedLoginProviders", providers)

    # --- Cognito user pools -----------------------------------------------------------------------
    def user_pools(self) -> list[dict[str, Any]]:
        return [dict(p) for p in self.edit.get("CognitoIdentityProviders") or []]

    def add_user_pool(self, region: str, user_pool_id: str, client_id: str,
                      server_side_token_check: bool = False) -> dict[str, Any]:
        provider = {"ProviderName": user_pool_provider_name(region, user_pool_id), "ClientId": client_id.strip(),
                    "ServerSideTokenCheck": server_side_token_check}
        self.edit.set("CognitoIdentityProviders", [*self.user_pools(), provider])
        return provider

    def update_user_pool(self, index: int, **changes: Any) -> None:
        providers = self.user_pools()
        providers[index].update(changes)
        self.edit.set("CognitoIdentityProviders", providers)

    def remove_user_pool(self, index: int) -> dict[str, Any]:
        providers = self.user_pools()
        removed = providers.pop(index)
        self.edit.set("CognitoIdentityProviders", providers)
        return removed

    # --- IAM OIDC and SAML providers -----------------------------------------------------------------
    def attached(self, member: str) -> list[str]:
        return list(self.edit.get(member) or [])

    def set_attached(self, member: str, arns: Iterable[str]) -> None:
        if member not in ("OpenIdConnectProviderARNs", "SamlProviderARNs"):
            raise KeyError(member)
        self.edit.set(member, list(dict.fromkeys(arns)))

    # --- developer provider -------------------------------------------------------------------------
    @property
    def developer_provider_read_only(self) -> bool:
        return self.edit.read_only("DeveloperProviderName")

    def set_developer_provider(self, name: str | None) -> None:
        self.edit.set("DeveloperProviderName", (name or "").strip() or None)

    # --- checks --------------------------------------------------------------------------------------
    def problems(self) -> list[FieldProblem]:
        """Model constraints, then the first semantic refusal the service would answer (as it does)."""
        found = self.edit.problems()
        try:
            check_pool_config(self.edit.request)
        except errors.AwsError as exc:
            member = next((m for text, m in _MEMBER_IN_MESSAGE.items() if text in exc.message), "")
            found.append(FieldProblem(member, f"{exc.code}: {exc.message}"))
        return found


def oidc_provider_request(url: str, client_ids: Iterable[str], thumbprints: Iterable[str] = ()) -> dict:
    """IAM ``CreateOpenIDConnectProvider`` parameters (empty entries dropped)."""
    request: dict = {"Url": url.strip(), "ClientIDList": [c.strip() for c in client_ids if c.strip()]}
    thumbprints = [t.strip() for t in thumbprints if t.strip()]
    if thumbprints:
        request["ThumbprintList"] = thumbprints
    return request


def saml_provider_request(name: str, metadata_xml: str) -> dict:
    """IAM ``CreateSAMLProvider`` parameters."""
    return {"Name": name.strip(), "SAMLMetadataDocument": metadata_xml}


def iam_problems(operation: str, request: dict) -> list[FieldProblem]:
    """What IAM's model refuses in a provider request (``CreateOpenIDConnectProvider``, ``CreateSAMLProvider``…)."""
    return model_problems(operation, request, service="iam")


class InvalidProviderChange(InvalidPool):
    """IAM's model refuses a client ID or thumbprint before anything is sent (``problems`` name each)."""


async def update_oidc_provider(iam: IamClient, arn: str, client_ids: Iterable[str],
                               thumbprints: Iterable[str]) -> list[str]:
    """Make an IAM OIDC provider's audiences and thumbprints exactly these; returns what changed, one line each.

    Checked against IAM's model first (``InvalidPool``-style: :class:`InvalidProviderChange`); then the client IDs
    missing are added, the ones not wanted removed, and the thumbprint list replaced when it differs.
    """
    wanted = list(dict.fromkeys(c.strip() for c in client_ids if c.strip()))
    prints = list(dict.fromkeys(t.strip() for t in thumbprints if t.strip()))
    problems = [problem for client in wanted for problem in iam_problems(
        "AddClientIDToOpenIDConnectProvider", {"OpenIDConnectProviderArn": arn, "ClientID": client})]
    problems += iam_problems("UpdateOpenIDConnectProviderThumbprint",
                             {"OpenIDConnectProviderArn": arn, "ThumbprintList": prints})
    if problems:
        raise InvalidProviderChange(problems)
    current = await iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn)
    have = current.get("ClientIDList") or []
    changed = []
    for client in [c for c in wanted if c not in have]:
        await iam.add_client_id_to_open_id_connect_provider(open_id_connect_provider_arn=arn, client_id=client)
        changed.append(f"added client ID {client}")
    for client in [c for c in have if c not in wanted]:
        await iam.remove_client_id_from_open_id_connect_provider(open_id_connect_provider_arn=arn, client_id=client)
        changed.append(f"removed client ID {client}")
    if sorted(prints) != sorted(current.get("ThumbprintList") or []):
        await iam.update_open_id_connect_provider_thumbprint(open_id_connect_provider_arn=arn, thumbprint_list=prints)
        changed.append(f"thumbprints set to {', '.join(prints) or 'none'}")
    return changed
