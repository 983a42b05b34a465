"""Which provider a ``Logins`` key names on a pool, and what a login under it contributes to role mapping.

Owns :func:`login_for`: given a pool's description (``DescribeIdentityPool``), a key and a token read by
:mod:`.presented`, it decides — as the service's provider verifier does — what kind of provider the key names
(social, user pool, IAM OIDC, IAM SAML) and so which ``RoleMappings`` keys, ``amr`` values, default principal
tags and SAML-offered roles the login gets (:class:`ProviderLogin`), or raises :class:`NotPreviewable` with
AWS's error — and :func:`trust_decision`, whether a role's trust policy lets STS give that login's Cognito token
the role. The role preview, the tester's role prediction and its explanation of a refused role use them;
nothing here talks to the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from . import policy
from .presented import PresentedToken, default_tag_source
from .providers import COGNITO_PROVIDER, NOT_SUPPORTED, ROLE_ATTRIBUTE, SOCIAL, roles_for, trust_context
from .trust_lint import WEB_IDENTITY


class NotPreviewable(ValueError):
    """The token cannot be previewed under this key (AWS's error code and message when it has one)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass(frozen=True)
class ProviderLogin:
    """What the service would derive from a login under one ``Logins`` key of the pool."""

    kind: str  # "social" | "user-pool" | "oidc" | "saml"
    mapping_keys: tuple[str, ...]
    amr: tuple[str, ...]
    default_tags: dict[str, str]
    saml_roles: tuple[str, ...] = ()


def _audience(claims: Mapping, allowed: list[str], use_azp: bool) -> str:
    """The client id the service would record (``azp`` first for OIDC), or the first audience."""
    if use_azp and isinstance(claims.get("azp"), str):
        return claims["azp"]
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else [a for a in aud or [] if isinstance(a, str)]
    return next((a for a in audiences if a in allowed), audiences[0] if audiences else "")


def login_for(pool: Mapping, key: str, token: PresentedToken) -> ProviderLogin:
    """The login the service would validate under ``key`` of ``pool``; raises :class:`NotPreviewable`."""
    claims = token.claims
    sub = str(claims.get("sub", ""))
    social = pool.get("SupportedLoginProviders") or {}
    if key in social and key in SOCIAL:
        app_id = social[key]
        return ProviderLogin("social", (key,), (key, f"{key}:{app_id}:{sub}"), {"client": app_id, "username": sub})
    user_pool_clients = [p.get("ClientId") for p in pool.get("CognitoIdentityProviders") or []
                         if p.get("ProviderName") == key]
    if user_pool_clients:
        client = _audience(claims, user_pool_clients, use_azp=False)
        return ProviderLogin("user-pool", (f"{key}:{client}", key), (key, f"{key}:CognitoSignIn:{sub}"),
                             {"client": client, "username": sub})
    oidc = next((arn for arn in pool.get("OpenIdConnectProviderARNs") or []
                 if arn.partition(":oidc-provider/")[2] == key), None)
    if oidc is not None:
        client = _audience(claims, [], use_azp=True)
        return ProviderLogin("oidc", (oidc, key), (key, f"{oidc}:OIDC:{sub}"), {"client": client, "username": sub})
    if key in (pool.get("SamlProviderARNs") or []):
        if token.kind == "jwt":
            raise NotPreviewable("NotAuthorizedException", "A SAML provider's login is a SAML response, not a JWT.")
        name_id = token.name_id or ""
        attributes = token.saml_attributes
        return ProviderLogin("saml", (key,), (key, f"{key}:SAML:{name_id}"), default_tag_source(token),
                             roles_for(key, attributes.get(ROLE_ATTRIBUTE, [])))
    if key == COGNITO_PROVIDER or key == pool.get("DeveloperProviderName"):
        raise NotPreviewable("InvalidParameterException",
                             f"{key!r} is not an identity provider login: developer and Cognito tokens get the "
                             "default authenticated role.")
    raise NotPreviewable("NotAuthorizedException", NOT_SUPPORTED)


def trust_decision(document: object, pool_id: str, login: ProviderLogin, identity_id: str,
                   tags: Mapping[str, str]) -> policy.PolicyDecision:
    """Whether STS lets this pool's Cognito token for ``login`` assume a role whose trust policy is ``document``
    (with ``sts:TagSession`` too when the login carries session ``tags``); raises MalformedPolicyDocument."""
    context = trust_context(pool_id, identity_id, ["authenticated", *login.amr])
    decision = policy.evaluate_trust_policy(document, federated_principal=COGNITO_PROVIDER, action=WEB_IDENTITY,
                                            context=context)
    if not decision.allowed or not tags:
        return decision
    tagged = {**context, **{f"aws:RequestTag/{k}": v for k, v in tags.items()}, "aws:TagKeys": list(tags)}
    tagging = policy.evaluate_trust_policy(document, federated_principal=COGNITO_PROVIDER, action="sts:TagSession",
                                           context=tagged)
    return policy.PolicyDecision(tagging.allowed, tagging.explicit_deny, decision.reasons + tagging.reasons)
