"""The settings file: one JSON document, one schema, migrated forward and written atomically.

Owns :class:`Settings` (the connection profiles and which one is active), its validation as a whole
(duplicate names, a dangling active profile, every profile's own checks), the schema version and the
chain of migrations that bring an older file up to date, and :class:`SettingsFile`, which reads the
file (a missing file gives the defaults: one Local profile) and replaces it atomically (temp file in
the same directory, fsync, ``os.replace``: :mod:`.files`); writers in this process take turns, and
:meth:`SettingsFile.remember_active` changes only which profile is active, in the file as it is now (a stale
copy of the profiles is never written back). Problems raise :class:`SettingsError` listing every one.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..core import errors
from . import paths
from .files import write_atomically
from .profiles import ConnectionProfile, LocalProfile, profile_from_dict, profile_problems, profile_to_dict

__all__ = ["SCHEMA_VERSION", "Settings", "SettingsError", "SettingsFile", "migrate"]

SCHEMA_VERSION = 1

#: One lock for every writer of the settings files of this process (saves are rare and short).
_WRITING = threading.RLock()


class SettingsError(errors.CognitoDeskError):
    """The settings are invalid; ``problems`` holds one message per problem."""

    def __init__(self, problems: list[str], path: Path | None = None) -> None:
        self.problems = problems
        self.path = path
        where = f" in {path}" if path else ""
        super().__init__(f"Invalid settings{where}:\n  " + "\n  ".join(problems))


def _default_profiles() -> tuple[ConnectionProfile, ...]:
    return (LocalProfile("local"),)


@dataclass(frozen=True)
class Settings:
    profiles: tuple[ConnectionProfile, ...] = field(default_factory=_default_profiles)
    active_profile: str = "local"

    def profile(self, name: str) -> ConnectionProfile:
        for profile in self.profiles:
            if profile.name == name:
                return profile
        raise KeyError(name)

    def with_profile(self, profile: ConnectionProfile) -> Settings:
        """A copy with ``profile`` added, or replacing the profile of the same name."""
        if all(p.name != profile.name for p in self.profiles):
            return replace(self, profiles=(*self.profiles, profile))
        return replace(self, profiles=tuple(profile if p.name == profile.name else p for p in self.profiles))

    def problems(self) -> list[str]:
        problems: list[str] = []
        seen: dict[str, int] = {}
        for index, profile in enumerate(self.profiles):
            problems += profile_problems(profile, f"profiles[{index}]")
            key = profile.name.casefold()
            if key in seen:
                problems.append(f"profiles[{index}].name: duplicate profile name {profile.name!r} "
                                f"(profiles[{seen[key]}] has the same name)")
            seen.setdefault(key, index)
        if not self.profiles:
            problems.append("profiles: at least one connection profile is needed")
        elif self.active_profile not in {p.name for p in self.profiles}:
            problems.append(f"active_profile: {self.active_profile!r} is not the name of a profile")
        return problems


def _v0_to_v1(raw: dict[str, Any]) -> dict[str, Any]:
    """v0 (no schema_version) called an endpoint profile's URL ``endpoint``."""
    profiles = []
    for profile in raw.get("profiles", []):
        if isinstance(profile, dict) and "endpoint" in profile and "url" not in profile:
            profile = {("url" if key == "endpoint" else key): value for key, value in profile.items()}
        profiles.append(profile)
    return {**raw, "profiles": profiles, "schema_version": 1}


#: ``MIGRATIONS[n]`` turns a version-n document into a version-(n+1) one.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _v0_to_v1}


def migrate(raw: dict[str, Any]) -> dict[str, Any]:
    """Bring a decoded settings document up to :data:`SCHEMA_VERSION`."""
    version = raw.get("schema_version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise SettingsError([f"schema_version: must be a whole number, not {version!r}"])
    if version > SCHEMA_VERSION:
        raise SettingsError([f"schema_version: {version} was written by a newer cognito-desk; this version "
                             f"reads up to {SCHEMA_VERSION}"])
    while version < SCHEMA_VERSION:
        raw = MIGRATIONS[version](raw)
        version += 1
    return raw


def settings_from_dict(raw: Any) -> Settings:
    if not isinstance(raw, dict):
        raise SettingsError([f"the file must hold a JSON object, not {type(raw).__name__}"])
    raw = migrate(raw)
    problems = [f"{key}: unknown setting" for key in raw
                if key not in ("schema_version", "profiles", "active_profile")]
    raw_profiles = raw.get("profiles", [profile_to_dict(p) for p in _default_profiles()])
    if not isinstance(raw_profiles, list):
        raise SettingsError([*problems, "profiles: must be a list"])
    profiles = []
    for index, raw_profile in enumerate(raw_profiles):
        profile, found = profile_from_dict(raw_profile, f"profiles[{index}]")
        problems += found
        if profile is not None:
            profiles.append(profile)
    active = raw.get("active_profile", profiles[0].name if profiles else "")
    if not isinstance(active, str):
        problems.append("active_profile: must be a string")
    if problems:
        raise SettingsError(problems)
    settings = Settings(profiles=tuple(profiles), active_profile=active)
    problems = settings.problems()
    if problems:
        raise SettingsError(problems)
    return settings


def settings_to_dict(settings: Settings) -> dict[str, Any]:
    return {"schema_version": SCHEMA_VERSION, "active_profile": settings.active_profile,
            "profiles": [profile_to_dict(profile) for profile in settings.profiles]}


class SettingsFile:
    """The settings file in ``config_dir`` (default: env ``COGNITO_DESK_CONFIG_DIR``, then the platform's)."""

    def __init__(self, config_dir: str | os.PathLike | None = None) -> None:
        self.path = paths.settings_path(config_dir)

    def load(self) -> Settings:
        """The settings in the file, migrated; the defaults when there is no file yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Settings()
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SettingsError([f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"],
                                self.path) from None
        try:
            return settings_from_dict(raw)
        except SettingsError as exc:
            raise SettingsError(exc.problems, self.path) from None

    def save(self, settings: Settings) -> None:
        """Validate, then replace the file atomically (readers see the old or the new file, never half)."""
        problems = settings.problems()
        if problems:
            raise SettingsError(problems, self.path)
        with _WRITING:
            write_atomically(self.path, json.dumps(settings_to_dict(settings), indent=2, ensure_ascii=False) + "\n")

    def remember_active(self, name: str) -> Settings:
        """Make ``name`` the active profile in the file as it is now; nothing changes when the file no longer
        has that profile (it was removed meanwhile). Returns the settings the file then holds."""
        with _WRITING:
            current = self.load()
            if current.active_profile == name or all(p.name != name for p in current.profiles):
                return current
            new = replace(current, active_profile=name)
            self.save(new)
            return new

    def __repr__(self) -> str:
        return f"SettingsFile({str(self.path)!r})"
