"""Walking decoded JSON documents: field-by-field differences (what a conflict dialog and a drift report show)
and :func:`map_leaves`, the one recursive rewrite every ARN mapping and conversion here uses.

:func:`differences` walks two decoded JSON values (dicts, lists, scalars) and lists every leaf that differs,
with a readable path (``SupportedLoginProviders."accounts.google.com"``, ``Statement[0].Action``). Maps are
compared key by key; lists of equal length item by item; otherwise the whole value differs. A member present
on one side only shows :data:`ABSENT` on the other.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_PLAIN_KEY = re.compile(r"[A-Za-z_][\w-]*")


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


#: The value of a member that one side does not have.
ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Difference:
    """One differing field: its path and the value on each side (``ABSENT`` when missing there)."""

    path: str
    before: Any
    after: Any


def _join(path: str, key: str) -> str:
    shown = key if _PLAIN_KEY.fullmatch(key) else f'"{key}"'
    return f"{path}.{shown}" if path else shown


def differences(before: Any, after: Any, path: str = "") -> list[Difference]:
    """Every leaf where ``after`` differs from ``before``, in document order."""
    if isinstance(before, dict) and isinstance(after, dict):
        found: list[Difference] = []
        for key in [*before, *(k for k in after if k not in before)]:
            found += differences(before.get(key, ABSENT), after.get(key, ABSENT), _join(path, str(key)))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        found = []
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            found += differences(old, new, f"{path}[{index}]")
        return found
    return [] if before == after else [Difference(path, before, after)]


def map_leaves(value: Any, change: Callable[[Any], Any]) -> Any:
    """A copy of ``value`` with ``change`` applied to every leaf (every value that is not a dict or a list)."""
    if isinstance(value, dict):
        return {key: map_leaves(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [map_leaves(item, change) for item in value]
    return change(value)


def shown(value: Any) -> str:
    """A value as one line of text for a report (``(absent)`` for a missing member)."""
    if value is ABSENT:
        return "(absent)"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)
