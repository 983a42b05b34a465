"""Policy variables: ``${key}`` substituted from the request context exactly where IAM does it.

IAM substitutes variables only in policies whose ``Version`` is ``2012-10-17`` (in any other policy the
text stays literal — the classic silent 403), only in the resource part of a ``Resource``/``NotResource``
ARN (after the fifth colon: a variable cannot stand for the service, region or account) and in the values
of String and Arn condition operators. Forms: ``${key}``, ``${key, 'default'}`` (used when the key is
missing or empty), and the escapes ``${*}``, ``${?}``, ``${$}`` for a literal ``*``, ``?``, ``$``. Keys
compare case-insensitively. A key with no value (and no default), or with several values, leaves that
policy element unable to match anything; the caller reports it (:class:`Substituted.missing`).
Substituted text is literal: a ``*`` inside an identity ID never becomes a wildcard (:mod:`.patterns`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .conditions import text_of
from .patterns import LITERALS, literal, split_arn

VARIABLES_VERSION = "2012-10-17"
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")

ContextValue = str | Sequence[str]


@dataclass(frozen=True)
class Substituted:
    """A policy string after substitution; ``text`` is None when a variable had no value."""

    text: str | None
    variables: tuple[tuple[str, str | None], ...] = ()  # (variable as written, value used or None)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(name for name, value in self.variables if value is None)


def variable_key(written: str) -> str:
    """``${aws:PrincipalTag/team, 'x'}`` → ``aws:PrincipalTag/team``."""
    body = written.removeprefix("${").removesuffix("}").strip()
    default = _DEFAULT.match(body)
    return default.group(1) if default else body


class Keys(Mapping[str, ContextValue]):
    """A request context whose keys compare case-insensitively, normalised once per access check."""

    def __init__(self, context: Mapping[str, ContextValue]) -> None:
        self._raw = dict(context)
        self._lower = {key.lower(): value for key, value in context.items()}

    def __getitem__(self, key: str) -> ContextValue:
        return self._lower[key.lower()]

    def get(self, key: str, default: object = None):  # type: ignore[override]
        return self._lower.get(key.lower(), default)

    def __iter__(self):
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)


def lookup(context: Mapping[str, ContextValue], key: str) -> list[str] | None:
    """The request's values for ``key`` (case-insensitive), None when the request lacks it."""
    value = context.get(key)
    if value is None and not isinstance(context, Keys):
        wanted = key.lower()
        value = next((v for k, v in context.items() if k.lower() == wanted), None)
    if value is None:
        return None
    if isinstance(value, str | bool | int | float):
        return [text_of(value)]
    return [text_of(item) for item in value]


def substitute(text: str, context: Mapping[str, ContextValue], *, unknown: str | None = None) -> Substituted:
    """Replace every variable in ``text``; the result is a pattern (see :mod:`.patterns`). With ``unknown``
    (e.g. ``*``) a variable with no value becomes that pattern text instead of voiding the result."""
    if "${" not in text:
        return Substituted(text)
    used: list[tuple[str, str | None]] = []

    def replace(match: re.Match[str]) -> str:
        body = match.group(1).strip()
        if body in LITERALS:
            return LITERALS[body]
        default = _DEFAULT.match(body)
        key, fallback = (default.group(1), default.group(2)) if default else (body, None)
        values = lookup(context, key)
        value = values[0] if values is not None and len(values) == 1 and values[0] != "" else None
        if value is None:
            value = fallback
        used.append((match.group(0), value))
        return literal(value) if value is not None else (unknown or "")

    result = _VARIABLE.sub(replace, text)
    void = unknown is None and any(value is None for _, value in used)
    return Substituted(None if void else result, tuple(used))


def substitute_resource(text: str, context: Mapping[str, ContextValue], *, unknown: str | None = None
                        ) -> Substituted:
    """Substitute only in the resource part of an ARN (after the fifth colon)."""
    if "${" not in text:
        return Substituted(text)
    parts = split_arn(text)
    if parts is None:
        return Substituted(text)
    resource = substitute(parts[5], context, unknown=unknown)
    if resource.text is None:
        return resource
    return Substituted(":".join([*parts[:5], resource.text]), resource.variables)
