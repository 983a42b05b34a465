"""The request context of a Cognito identity's credentials, as IAM sees it when a policy is evaluated.

Credentials from Cognito (the enhanced flow, or the basic flow's ``AssumeRoleWithWebIdentity`` with a
Cognito OpenID token) carry the web-identity keys of ``cognito-identity.amazonaws.com`` — ``:sub`` (the
identity ID, not any user pool's ``sub``), ``:aud`` (the identity pool ID), ``:amr`` (``authenticated`` or
``unauthenticated`` and the login provider entries) — plus ``aws:userid`` = ``<role id>:<session name>``
(Cognito names the session ``CognitoIdentityCredentials``), ``aws:PrincipalArn`` (the role),
``aws:PrincipalTag/<k>`` for the session tags of the pool's principal-tag map, and never
``aws:username`` (a role has none). Provider keys such as ``graph.facebook.com:id`` or
``accounts.google.com:sub`` exist only when an app calls STS directly with that provider's token
(``direct_provider``); through Cognito they are absent, which is why such variables never match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

COGNITO = "cognito-identity.amazonaws.com"
SESSION_NAME = "CognitoIdentityCredentials"
# provider (Logins key / issuer) -> the claim its web-identity key is named after and where the value comes from
PROVIDER_KEYS = {"graph.facebook.com": ("id", "id"), "accounts.google.com": ("sub", "sub"),
                 "www.amazon.com": ("user_id", "user_id")}


@dataclass(frozen=True)
class IdentityFacts:
    """What is known about one identity's credentials; ``role_id`` is IAM's ``AROA…`` RoleId."""

    identity_id: str
    pool_id: str
    authenticated: bool = True
    logins: Sequence[str] = ()  # the Logins keys (provider names) the identity signed in with
    role_arn: str = ""
    role_id: str = ""
    principal_tags: Mapping[str, str] = field(default_factory=dict)
    session_name: str = SESSION_NAME
    direct_provider: str | None = None  # set when STS was called with the provider's own token
    provider_claims: Mapping[str, object] = field(default_factory=dict)
    extra: Mapping[str, str | Sequence[str]] = field(default_factory=dict)

    @property
    def amr(self) -> list[str]:
        if not self.authenticated:
            return ["unauthenticated"]
        return ["authenticated", *self.logins]

    @property
    def account(self) -> str:
        parts = self.role_arn.split(":")
        return parts[4] if len(parts) > 4 else ""


def provider_key(provider: str, claim: str) -> str:
    """The web-identity context key for ``claim`` of ``provider`` (an issuer URL loses its scheme)."""
    host = provider.removeprefix("https://").rstrip("/")
    return f"{host}:{claim}"


def request_context(facts: IdentityFacts) -> dict[str, str | list[str]]:
    """The condition keys (and so the policy variables) the credentials of ``facts`` carry."""
    context: dict[str, str | list[str]] = {}
    if facts.direct_provider:
        claim, source = PROVIDER_KEYS.get(provider_key(facts.direct_provider, "").rstrip(":"), ("sub", "sub"))
        value = facts.provider_claims.get(source)
        if value is not None:
            context[provider_key(facts.direct_provider, claim)] = str(value)
        audience = facts.provider_claims.get("aud")
        if isinstance(audience, str):
            context[provider_key(facts.direct_provider, "aud")] = audience
    else:
        context[f"{COGNITO}:sub"] = facts.identity_id
        context[f"{COGNITO}:aud"] = facts.pool_id
        context[f"{COGNITO}:amr"] = facts.amr
    if facts.role_arn:
        context["aws:PrincipalArn"] = facts.role_arn
        context["aws:PrincipalType"] = "AssumedRole"
        if facts.account:
            context["aws:PrincipalAccount"] = facts.account
    if facts.role_id:
        context["aws:userid"] = f"{facts.role_id}:{facts.session_name}"
    for key, value in facts.principal_tags.items():
        context[f"aws:PrincipalTag/{key}"] = value
    context.update(facts.extra)
    return context
