"""The user-agent protocol: how a sign-in flow gets a provider's login done by a browser it does not own.

A flow never drives a browser itself. It hands a :class:`UserAgent` the page to open and the address
whose first navigation ends the login (an OAuth ``redirect_uri`` or a SAML ACS URL); the agent shows the
provider's pages to the user (the embedded view, the system browser plus a loopback listener, or a test's
HTTP client) and returns that navigation as an :class:`Arrival`. Because the system browser can only be
caught on a port it listens on, the agent decides the address actually used: it calls ``start(target)``
with it and the flow builds its authorize URL or AuthnRequest from that. Cancelling the awaiting task
cancels the login; an agent leaves no page open and no listener bound after it returns or is cancelled.
Also here: :class:`ProviderError`, what a provider's own refusal (``error=access_denied``, a bad token
answer, an id_token that fails verification) becomes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, urlsplit

from ..core import errors

__all__ = ["Arrival", "ProviderError", "UserAgent", "reaches"]


@dataclass(frozen=True)
class Arrival:
    """The navigation that reached the stop address: its full URL and, for a form POST, the posted fields."""

    url: str
    method: str = "GET"
    form: Mapping[str, str] = field(default_factory=dict)

    def params(self) -> dict[str, str]:
        """Query, fragment and form parameters together (the form wins, then the fragment)."""
        parts = urlsplit(self.url)
        return {**dict(parse_qsl(parts.query)), **dict(parse_qsl(parts.fragment)), **self.form}


class UserAgent(Protocol):
    async def navigate(self, start: Callable[[str], str], stop_at: str) -> Arrival:
        """Open ``start(target)`` and return the first navigation that reaches ``target``.

        ``target`` is ``stop_at`` or, for an agent that must listen for the redirect, the loopback address it
        listens on instead (the same path). Raises ``asyncio.CancelledError`` when cancelled and
        :class:`ProviderError` when the login cannot finish (the user closed the page).
        """
        ...


def _origin_and_path(url: str) -> tuple[str, str, int | None, str]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, parts.hostname or "", parts.port or default, parts.path.rstrip("/") or "/"


def reaches(url: str, stop_at: str) -> bool:
    """Whether a navigation to ``url`` arrives at ``stop_at`` (same scheme, host, port and path)."""
    return _origin_and_path(url) == _origin_and_path(stop_at)


class ProviderError(errors.CognitoDeskError):
    """The identity provider refused or answered something unusable; ``error`` is its code when it sent one, and
    ``redirect_uri`` the redirect URI the authorization request carried (when the refusal came during it)."""

    def __init__(self, message: str, *, error: str = "", description: str = "", redirect_uri: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error = error
        self.description = description
        self.redirect_uri = redirect_uri

    def __str__(self) -> str:
        return self.message
