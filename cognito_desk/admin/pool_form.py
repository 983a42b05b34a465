"""What the pool Settings form and the wizard's provider page show, as text, and how it goes back into a request.

:class:`PoolFields` is the form's view of a pool: name, guest access, basic flow, the app IDs of the four
social providers the console lists, user-pool providers and OIDC/SAML provider ARNs one per line, and the
developer provider name. :func:`fields_of` reads them from a request; :func:`apply_fields` writes them into a
:class:`~cognito_desk.admin.pools.PoolEdit` without disturbing anything the form does not show — other
social providers (Twitter, Digits), a user-pool provider's ``ServerSideTokenCheck``, members this app does
not know — and never touches a read-only member.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .pools import PoolEdit

#: The social providers the form has a field for, with the field's label.
SOCIAL_FIELDS = {
    "accounts.google.com": "Google client ID",
    "graph.facebook.com": "Facebook app ID",
    "www.amazon.com": "Login with Amazon app ID",
    "appleid.apple.com": "Sign in with Apple services ID",
}


@dataclass
class PoolFields:
    name: str = ""
    guest: bool = False
    basic_flow: bool = False
    social: dict[str, str] = field(default_factory=dict)
    user_pools: str = ""
    oidc_arns: str = ""
    saml_arns: str = ""
    developer: str = ""


def lines(text: str) -> list[str]:
    """The non-empty, stripped lines of a multi-line field."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def user_pool_text(providers: list[dict[str, Any]] | None) -> str:
    """``CognitoIdentityProviders`` as ``<provider name>,<app client id>`` lines."""
    return "\n".join(f"{p.get('ProviderName', '')},{p.get('ClientId', '')}".rstrip(",") for p in providers or [])


def parse_user_pools(text: str, previous: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """User-pool provider lines back to ``CognitoIdentityProviders``, keeping each kept entry's other members."""
    kept = {(p.get("ProviderName"), p.get("ClientId")): p for p in previous or []}
    found = []
    for line in lines(text):
        name, _, client = (part.strip() for part in line.partition(","))
        entry: dict[str, Any] = {"ProviderName": name, **({"ClientId": client} if client else {})}
        found.append({**kept.get((name, client or None), {}), **entry})
    return found


def fields_of(request: dict[str, Any]) -> PoolFields:
    social = request.get("SupportedLoginProviders") or {}
    return PoolFields(
        name=request.get("IdentityPoolName", ""),
        guest=bool(request.get("AllowUnauthenticatedIdentities")),
        basic_flow=bool(request.get("AllowClassicFlow")),
        social={provider: social.get(provider, "") for provider in SOCIAL_FIELDS},
        user_pools=user_pool_text(request.get("CognitoIdentityProviders")),
        oidc_arns="\n".join(request.get("OpenIdConnectProviderARNs") or []),
        saml_arns="\n".join(request.get("SamlProviderARNs") or []),
        developer=request.get("DeveloperProviderName") or "",
    )


def provider_members(fields: PoolFields, request: dict[str, Any]) -> dict[str, Any]:
    """The provider members ``fields`` describe, merged with what ``request`` has that the form does not show."""
    social = {key: value for key, value in (request.get("SupportedLoginProviders") or {}).items()
              if key not in SOCIAL_FIELDS}
    social.update({provider: app_id.strip() for provider, app_id in fields.social.items() if app_id.strip()})
    return {
        "SupportedLoginProviders": social,
        "CognitoIdentityProviders": parse_user_pools(fields.user_pools, request.get("CognitoIdentityProviders")),
        "OpenIdConnectProviderARNs": lines(fields.oidc_arns),
        "SamlProviderARNs": lines(fields.saml_arns),
        "DeveloperProviderName": fields.developer.strip() or None,
    }


def apply_fields(edit: PoolEdit, fields: PoolFields) -> None:
    """Write what the form shows into ``edit``; members the form does not show stay as loaded."""
    edit.set("IdentityPoolName", fields.name)
    edit.set("AllowUnauthenticatedIdentities", fields.guest)
    if fields.basic_flow or "AllowClassicFlow" in edit.loaded:
        edit.set("AllowClassicFlow", fields.basic_flow)
    for member, value in provider_members(fields, edit.request).items():
        if not edit.read_only(member):
            edit.set(member, value)


def parse_tags(text: str) -> tuple[dict[str, str], list[str]]:
    """``key=value`` lines to a tag map, and a message for each line that is not ``key=value``."""
    tags: dict[str, str] = {}
    bad = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            bad.append(f"Line {number}: write each tag as key=value.")
            continue
        tags[key.strip()] = value.strip()
    return tags, bad

