"""Names and rules of identity providers that the embedded service and the app both need.

Owns the ``Logins`` keys of the social providers (and the retired ones), the key of Cognito's own tokens, the
SAML attribute names role mapping and default principal tags read, the issuers a token under a Logins key may
carry, the Role-attribute rule that picks a SAML login's roles, the condition keys STS evaluates for a Cognito
token, and AWS's refusal for a key that is not a provider of the pool. The service validates tokens with these
(``service.providers``); the role preview and the tester predict with the same rules, so the two never differ.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from .hosts import is_loopback_host

#: The Logins key of this service's (Cognito's) own OpenID tokens.
COGNITO_PROVIDER = "cognito-identity.amazonaws.com"

GOOGLE = "accounts.google.com"
APPLE = "appleid.apple.com"
FACEBOOK = "graph.facebook.com"
AMAZON = "www.amazon.com"
#: The social providers whose logins are validated (``SupportedLoginProviders`` keys).
SOCIAL = frozenset({GOOGLE, APPLE, FACEBOOK, AMAZON})
TWITTER = "api.twitter.com"
DIGITS = "www.digits.com"
#: Retired social providers: a pool may still name them, their logins are refused.
RETIRED = frozenset({TWITTER, DIGITS})

#: The SAML 2.0 assertion namespace.
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
#: The attribute whose ``roleArn,providerArn`` values offer a SAML login its roles.
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
NAME_IDENTIFIER = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"
NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"

#: AWS's NotAuthorizedException message for a key that names no provider of the pool.
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."


def roles_for(provider_arn: str, values: list[str]) -> tuple[str, ...]:
    """Role ARNs of Role attribute values ``roleArn,providerArn`` (either order) naming ``provider_arn``."""
    roles = []
    for value in values:
        parts = [part.strip() for part in value.split(",")]
        if len(parts) != 2:
            continue
        role = next((p for p in parts if ":role/" in p), None)
        provider = next((p for p in parts if ":saml-provider/" in p), None)
        if role and provider == provider_arn and role not in roles:
            roles.append(role)
    return tuple(roles)


@lru_cache(maxsize=256)
def issuers_for_key(key: str) -> tuple[str, ...]:
    """Issuer values a token under Logins key ``key`` may carry: ``https://<key>``; ``http://`` too on loopback.

    A trailing slash may differ (Auth0 issuers end with one; IAM ARNs do not keep it).
    """
    schemes = ("https", "http") if is_loopback_host(urlsplit("//" + key).hostname) else ("https",)
    return tuple(issuer for scheme in schemes for issuer in with_or_without_slash(f"{scheme}://{key}"))


def with_or_without_slash(issuer: str) -> tuple[str, str]:
    return issuer.rstrip("/"), issuer.rstrip("/") + "/"


def trust_context(pool_id: str, identity_id: str, amr: Iterable[str]) -> dict:
    """The condition keys STS evaluates for a Cognito token (reference §5.7)."""
    return {f"{COGNITO_PROVIDER}:aud": pool_id, f"{COGNITO_PROVIDER}:amr": list(amr),
            f"{COGNITO_PROVIDER}:sub": identity_id}
