"""What a provider's refusal of a sign-in means: its own words, the likely cause, and what to change.

Owns :func:`error_page` (a provider answered the login with an HTTP error document — oidc-provider's
"oops! something went wrong … error: invalid_client" page, a JSON error body, a bare 4xx/5xx — read into a
:class:`~.agent.ProviderError` carrying the provider's error code and description), :func:`stalled` (the
provider's page stayed put past the agent's patience) and :func:`provider_explanation`, the explanation a
run shows for any :class:`~.agent.ProviderError`: what the provider said, labelled as its words, then the
likely cause for the common codes — ``invalid_client`` (the client ID is not registered at this provider),
a ``redirect_uri`` mismatch (with the exact redirect URI to register), ``invalid_scope`` — and the fix.
Qt-free: the user agents (the embedded browser, the headless runner) hand it the page's address, HTTP
status and text.
"""

from __future__ import annotations

import json
import re

from ..core.explain import Explanation
from .agent import ProviderError
from .clients import ProviderClient
from .oauth import provider_said

__all__ = ["error_page", "provider_explanation", "stalled"]

# "error: invalid_client" / "error=invalid_client" as providers print them on their pages (OAuth codes are snake_case:
# "Error: Cannot GET /x" on a server's own page is not one).
_CODE = re.compile(r"(?<![\w-])(?i:error)\s*[:=]\s*[\"']?([a-z]+(?:_[a-z]+)+)\b")
_DESCRIPTION = re.compile(r"(?<![\w-])error_description\s*[:=]\s*[\"']?([^\n\"']{1,300})", re.I)
REDIRECT_CODES = ("redirect_uri_mismatch", "invalid_redirect_uri")


def _address(url: str) -> str:
    return url.split("?", 1)[0].split("#", 1)[0]


def _said(text: str) -> tuple[str, str]:
    """The error code and description a provider's page or body carries, when it names them."""
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body["error"], str(body.get("error_description", ""))
    code, description = _CODE.search(text), _DESCRIPTION.search(text)
    return (code[1] if code else ""), (description[1].strip() if description else "")


def error_page(url: str, status: int | None, text: str, reason: str = "", *, fields_shown: bool = False
               ) -> ProviderError | None:
    """The refusal a provider's error document means (``status`` None: the page could not load at all); None for
    an error status on a page that still offers fields to fill and names no error (a login form shown again with
    401 after a wrong password: the user can go on there)."""
    code, description = _said(text)
    if fields_shown and not code and status is not None:
        return None
    if status is None:
        answer = f"The provider's page {_address(url)} could not be loaded ({reason or 'no answer'})"
        error = code or "page_unreachable"
    else:
        answer = f"The provider answered HTTP {status} at {_address(url)} with an error page"
        error = code or f"http_{status}"
    said = f": {code}{provider_said(description)}." if code else "."
    return ProviderError(answer + said, error=error, description=description)


def stalled(url: str, seconds: float) -> ProviderError:
    return ProviderError(f"The provider's page stayed at {_address(url)} for {seconds:g} s without going anywhere, "
                         "so the sign-in was ended there.", error="page_stalled")


def _likely(error: ProviderError, client: ProviderClient | None) -> tuple[str, str]:
    """(likely cause, fix) for the provider's error code; empty when there is nothing specific to say."""
    where = (client.issuer or client.authorization_endpoint) if client else ""
    at = f" at {where}" if where else ""
    client_id = client.client_id if client else ""
    redirect = error.redirect_uri or (client.redirect_uri if client else "")
    code, description = error.error, error.description.lower()
    if code == "invalid_client":
        return (f"The client ID {client_id!r} is not registered{at} (or its secret is wrong).",
                f"Register the client ID {client_id} at the provider, or enter the client ID the provider knows "
                "for this app in Tester ▸ Provider settings (and its secret for a confidential client).")
    if code in REDIRECT_CODES or ("redirect_uri" in description and code in ("invalid_request", "")):
        return (f"The redirect URI {redirect} is not registered for client {client_id!r}{at}.",
                f"Register this exact redirect URI for the client at the provider: {redirect} — or set the "
                "redirect URI the client has registered in Tester ▸ Provider settings.")
    if code == "invalid_scope":
        scopes = " ".join(client.scopes) if client else ""
        return (f"The provider does not allow the scopes {scopes!r} for client {client_id!r}.",
                "Remove the scopes the provider does not know from Tester ▸ Provider settings, or allow them for "
                "the client at the provider.")
    if code == "page_stalled":
        return ("The login was not finished on the provider's page, or the page is stuck.",
                "Run the sign-in again and finish the login; if the page shows an error, it is the provider's.")
    if code == "page_unreachable":
        return (f"The provider{at} cannot be reached from this computer.",
                "Check the issuer URL in Tester ▸ Provider settings and that the provider is running.")
    return "", ""


_FIXES = {
    "access_denied": "Sign in again and accept the consent screen, or check the user may use this app.",
    "invalid_grant": "The code expired or was used twice: run the sign-in again.",
    "state_mismatch": "Run the sign-in again from the tester; do not reuse an old redirect.",
    "nonce_mismatch": "Run the sign-in again; the token belongs to another login.",
    "invalid_audience": "The provider issued the token to another client: check the client id.",
    "acs_unreachable": "Switch the user agent to the embedded browser for SAML providers.",
}


def provider_explanation(error: ProviderError, client: ProviderClient | None = None) -> Explanation:
    """The explanation of a provider's refusal: its words first, then the likely cause and the fix."""
    cause, fix = _likely(error, client)
    details: list[tuple[str, str]] = []
    if error.error:
        details.append(("Provider's error code", error.error))
    if error.description:
        details.append(("Provider's description", error.description))
    if error.redirect_uri and cause and "redirect URI" in cause:
        details.append(("Redirect URI sent", error.redirect_uri))
    return Explanation("The identity provider did not complete the sign-in",
                       " ".join(filter(None, [error.message, f"Likely cause: {cause}" if cause else ""])),
                       fix or _FIXES.get(error.error, "Check the provider client settings (issuer, client id, "
                                                      "redirect URI, scopes) and run the sign-in again."),
                       details)
