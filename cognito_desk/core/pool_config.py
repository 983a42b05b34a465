"""The semantic checks of an identity pool's configuration, beyond the shapes of the botocore model.

Owns :func:`check_pool_config` — which providers a pool may name (the ``SupportedLoginProviders`` domains,
retired ones included, since AWS still accepts them in a pool; IAM OIDC and SAML provider ARN forms; user pool
provider names, no duplicate user pool + app client) — and :func:`check_tags` (at most 50 tags, no ``aws:``
prefix). The service runs them on CreateIdentityPool / UpdateIdentityPool / TagResource; the Identity providers
tab runs the same ones before a save, so the form and the service never disagree.
"""

from __future__ import annotations

import re

from . import errors
from .providers import RETIRED, SOCIAL

MAX_TAGS = 50
#: The ``SupportedLoginProviders`` keys a pool may name (AWS keeps accepting the retired ones).
SOCIAL_PROVIDERS = SOCIAL | RETIRED
_OIDC_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:oidc-provider/\S+")
_SAML_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:saml-provider/[\w+=,.@-]+")
_USER_POOL = re.compile(r"cognito-idp\.[a-z]{2}(-gov)?-[a-z]+-\d\.amazonaws\.com(\.cn)?/[\w-]+_[0-9a-zA-Z]+")


def check_pool_config(params: dict) -> None:
    for name in params.get("SupportedLoginProviders") or {}:
        if name not in SOCIAL_PROVIDERS:
            raise errors.InvalidParameterException(
                f"Invalid login provider '{name}' in SupportedLoginProviders; supported providers are "
                f"{', '.join(sorted(SOCIAL_PROVIDERS))}. Add OpenID Connect providers through "
                "OpenIdConnectProviderARNs.")
    for arn in params.get("OpenIdConnectProviderARNs") or []:
        if not _OIDC_ARN.fullmatch(arn):
            raise errors.InvalidParameterException(f"Invalid OpenIdConnectProviderARN: {arn}")
    for arn in params.get("SamlProviderARNs") or []:
        if not _SAML_ARN.fullmatch(arn):
            raise errors.InvalidParameterException(f"Invalid SamlProviderARN: {arn}")
    seen = set()
    for provider in params.get("CognitoIdentityProviders") or []:
        name = provider.get("ProviderName", "")
        if not _USER_POOL.fullmatch(name):
            raise errors.InvalidParameterException(
                f"Invalid Cognito Identity Provider name '{name}': expected "
                "cognito-idp.<region>.amazonaws.com/<userPoolId>")
        key = (name, provider.get("ClientId"))
        if key in seen:
            raise errors.InvalidParameterException(
                f"Duplicate Cognito Identity Provider {name} with client id {key[1]}")
        seen.add(key)
    check_tags(params.get("IdentityPoolTags") or {})


def check_tags(tags: dict) -> None:
    if len(tags) > MAX_TAGS:
        raise errors.InvalidParameterException(f"An identity pool can have at most {MAX_TAGS} tags.")
    for key in tags:
        if key.lower().startswith("aws:"):
            raise errors.InvalidParameterException(f"Tag key '{key}' uses the reserved prefix 'aws:'.")
