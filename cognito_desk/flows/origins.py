"""Origins (``scheme://host[:port]``) and where a secret may travel: what the flows check before sending one.

Owns :func:`origin_of` (default ports dropped, lower case; ``""`` for anything that is not an http(s) URL),
:func:`redact_urls` (query strings and fragments — authorization codes, tokens — cut from the URLs in a
message before it is shown or kept), :func:`may_carry_secrets` (https, or plain http to this machine only —
secrets never cross a network unencrypted) and :func:`refuse_unapproved` (the one :class:`~.agent.ProviderError` a flow
raises when a provider document or page would take a secret, or the login, to an origin nobody approved).
A run with ``approved`` origins (a scenario run: see :mod:`cognito_desk.scenarios.origins`) passes them to
the flows; the tester, driven by the user's own settings, passes None.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from urllib.parse import urlsplit

from ..core.hosts import is_loopback_host
from .agent import ProviderError

__all__ = ["may_carry_secrets", "origin_of", "redact_urls", "refuse_unapproved"]

_URL = re.compile(r"""\b(https?://[^\s?#"'<>]*)([?#][^\s"'<>]*)?""", re.IGNORECASE)
REDACTED = "?[redacted]"  # matched again, it stays the same: redacting twice changes nothing

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url`` (lower case, default port left out); ``""`` when it has none."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if scheme not in _DEFAULT_PORTS or not host:
        return ""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" + (f":{port}" if port and port != _DEFAULT_PORTS[scheme] else "")


def may_carry_secrets(origin: str) -> bool:
    """Whether a secret may travel to ``origin`` at all: https, or plain http to this machine only."""
    if origin.startswith("https://"):
        return True
    return origin.startswith("http://") and is_loopback_host(urlsplit(origin).hostname)


def refuse_unapproved(url: str, what: str, approved: Collection[str] | None, *, also: str = "") -> None:
    """Raise unless ``url``'s origin is ``also`` or in ``approved`` (None: no restriction on this run)."""
    if approved is None:
        return
    origin = origin_of(url)
    if origin and (origin == also or origin in approved):
        return
    raise ProviderError(f"The {what} {origin or url!r} is not an origin approved for this run"
                        + (f" (nor the issuer's {also})" if also else "")
                        + ": nothing was sent to it. Approve it outside the scenario file (--allow-origin, or a "
                          "provider client saved in the app) if it is really the provider's.",
                        error="origin_not_approved")


def redact_urls(text: str) -> str:
    """``text`` with the query string and fragment of every http(s) URL in it removed (codes, tokens, states)."""
    return _URL.sub(lambda m: m.group(1) + (REDACTED if m.group(2) else ""), text)
