"""Browser profiles of the embedded user agent: one persistent profile per persona, or a private one per run.

Owns :class:`PersonaProfiles`. A persona is a named test user whose cookies and storage are kept between
runs (so a returning user can be tested) in its own owner-only directory under the tester's storage
directory. What reaches the disk is what a browser would keep: persistent cookies, cache and visited links;
session-only cookies (an IdP's SSO session that ends with the browser) stay in memory until the app closes,
unless the persona is set to remember them (its dialog, :mod:`.persona_dialog`, says so in words). The
private choice gives every run a fresh off-the-record profile, nothing written to disk. :meth:`clear`
forgets a persona's session — cookies, HTTP cache, visited links — without a restart. Profiles are
children of this object, which its owner deletes only after every page using them is gone (a page must go
before its profile, or Chromium complains and may crash).
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWebEngineCore import QWebEngineProfile

from ...settings.files import private_dir

__all__ = ["PersonaProfiles", "valid_persona_name"]

_NAME = re.compile(r"[\w .@+-]{1,64}")


def valid_persona_name(name: str) -> bool:
    """Letters, digits, space and ``._@+-``, at most 64 characters (it names a directory)."""
    return bool(_NAME.fullmatch(name)) and name.strip() == name and name not in (".", "..")


class PersonaProfiles(QObject):
    def __init__(self, storage_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.storage_dir = storage_dir
        self._personas: dict[str, QWebEngineProfile] = {}

    def profile(self, persona: str | None, *, remember_sessions: bool = False) -> QWebEngineProfile:
        """The persona's persistent profile, or (None) a new off-the-record one for a private run.

        ``remember_sessions`` writes session-only cookies to disk too (else they stay in memory)."""
        if not persona:
            return QWebEngineProfile(self)
        if not valid_persona_name(persona):
            raise ValueError(f"{persona!r} cannot name a persona: use letters, digits, spaces and ._@+- only")
        if persona not in self._personas:
            directory = private_dir(self.storage_dir / persona)
            profile = QWebEngineProfile(f"persona-{persona}", self)
            profile.setPersistentStoragePath(str(directory))
            profile.setCachePath(str(private_dir(directory / "cache")))
            self._personas[persona] = profile
        policies = QWebEngineProfile.PersistentCookiesPolicy
        self._personas[persona].setPersistentCookiesPolicy(
            policies.ForcePersistentCookies if remember_sessions else policies.AllowPersistentCookies)
        return self._personas[persona]

    def clear(self, persona: str) -> None:
        """Forget the persona's session: its cookies, cache and visited links."""
        profile = self._personas.get(persona) or self.profile(persona)
        profile.cookieStore().deleteAllCookies()
        profile.clearHttpCache()
        profile.clearAllVisitedLinks()
