"""Request validation driven by botocore's service model, for any JSON-shaped request.

:class:`Validator` checks a decoded request (``dict`` from JSON, keyed by model member names) against
an operation's input shape. Each operation is compiled once, on first use, into nested closures, so a
small request costs a few microseconds. Two kinds of failure:

* **JSON type mismatch** → ``type_error`` (default ``SerializationException``) at the first mismatch,
  Jackson-style wording: ``Start of list found where not expected``, ``Start of structure or map found
  where not expected.``, and otherwise ``<TOKEN> can not be converted to <a Type>`` with TOKEN one of
  ``STRING_VALUE``, ``NUMBER_VALUE``, ``TRUE_VALUE``, ``FALSE_VALUE``, ``NULL_VALUE`` (top level only)
  and Type one of ``a String``, ``an Integer``, ``a Long``, ``a Float``, ``a Double``, ``a Boolean``,
  ``a Timestamp``, ``a Blob``, ``a List``, ``a Map``, ``a Structure``. Integers must be JSON integers
  (``1.0`` is rejected), timestamps accept a number or a string, blobs a (base64) string.
* **Constraint violations** → ``constraint_error`` (default ``ValidationException``), all collected:
  ``N validation error(s) detected: <v1>; <v2>``, each ``Value '<v>' at '<path>' failed to satisfy
  constraint: <phrase>``. Paths use lowerCamelCase member names joined by ``.``; list items are
  ``<list>.<1-based index>.member`` and map values ``<map>.<key>.member``. A map key that breaks its
  shape gives one violation at the map's path, ``Value '<key>' at '<map>' failed to satisfy constraint:
  Map keys must satisfy constraint: [<phrase>, ...]``. A missing or ``null`` required member, and a
  ``null`` list item or map value, reads ``Value null at '<path>' …: Member must not be null``; any other
  ``null`` member counts as absent and unknown members are ignored. Values of ``sensitive`` shapes (and
  containers holding them) are never echoed: the text reads ``Value at '<path>' …``, as AWS does.
  Echoed values are rendered Java-style (``[a, b]``, ``{k=v}``, ``true``) and cut after 128 characters
  with ``...`` appended. Lengths count Python characters (code points).

Patterns are Java regexes matched against the whole value: Python ``re`` with ASCII ``\\w \\s \\d``,
or the ``regex`` package (Unicode) for patterns using ``\\p{…}`` property classes. Not covered: blob
lengths, ``union`` (exactly-one-member) structures, document shapes (accepted as they are).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import botocore.model
import botocore.session
import regex

from . import errors

#: A compiled check: ``check(value, path, violations)``; raises the type error, appends violations.
Check = Callable[[Any, str, list[str]], None]

_ECHO_LIMIT = 128
_NOT_NULL = "Member must not be null"


@functools.cache
def load_service_model(name: str) -> botocore.model.ServiceModel:
    """The botocore model of a service (``cognito-identity``, ``sts``, ``iam``), loaded once."""
    return botocore.session.get_session().get_service_model(name)


@functools.cache
def _matcher(pattern: str) -> Callable[[str], object]:
    """A whole-value matcher for a Java pattern."""
    if "\\p{" in pattern:
        return regex.compile(pattern).fullmatch
    return re.compile(pattern, re.ASCII).fullmatch


def _token(value: object) -> str:
    if value is None:
        return "NULL_VALUE"
    if isinstance(value, bool):
        return "TRUE_VALUE" if value else "FALSE_VALUE"
    if isinstance(value, str):
        return "STRING_VALUE"
    return "NUMBER_VALUE"


def _mismatch(value: object, expected: str) -> str:
    if isinstance(value, list):
        return "Start of list found where not expected"
    if isinstance(value, dict):
        return "Start of structure or map found where not expected."
    return f"{_token(value)} can not be converted to {expected}"


def _pieces(value: object) -> Iterator[str]:
    """Java-style rendering of a JSON value, piece by piece (strings already cut to the echo limit)."""
    if isinstance(value, str):
        yield value[: _ECHO_LIMIT + 1]
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, list):
        yield "["
        for index, item in enumerate(value):
            if index:
                yield ", "
            yield from _pieces(item)
        yield "]"
    elif isinstance(value, dict):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield f"{', ' if index else ''}{str(key)[: _ECHO_LIMIT + 1]}="
            yield from _pieces(item)
        yield "}"
    else:
        yield "null" if value is None else str(value)


def _echo(value: object) -> str:
    parts: list[str] = []
    size = 0
    for piece in _pieces(value):
        parts.append(piece)
        size += len(piece)
        if size > _ECHO_LIMIT:
            return "".join(parts)[:_ECHO_LIMIT] + "..."
    return "".join(parts)


def _violation(value: object, path: str, phrase: str, hidden: bool) -> str:
    if value is None:
        shown = "Value null"
    elif hidden:
        shown = "Value"
    else:
        shown = f"Value '{_echo(value)}'"
    return f"{shown} at '{path}' failed to satisfy constraint: {phrase}"


def _size_phrases(size: int, low: int, high: int, kind: str) -> list[str]:
    phrases = []
    if size < low:
        phrases.append(f"Member must have {kind} greater than or equal to {low}")
    if size > high:
        phrases.append(f"Member must have {kind} less than or equal to {high}")
    return phrases


def _bounds(shape: botocore.model.Shape) -> tuple[int, int]:
    return shape.metadata.get("min", 0), shape.metadata.get("max", sys.maxsize)


def _string_rules(shape: botocore.model.Shape) -> tuple[Callable[[str], bool], Callable[[str], list[str]]]:
    """``(ok, phrases)`` for a string shape: a fast all-good test and the list of broken rules."""
    low, high = _bounds(shape)
    pattern = shape.metadata.get("pattern")
    match = _matcher(pattern) if pattern else None
    enum = shape.metadata.get("enum")
    allowed = frozenset(enum) if enum else None

    def ok(value: str) -> bool:
        return (low <= len(value) <= high and (match is None or match(value) is not None)
                and (allowed is None or value in allowed))

    def phrases(value: str) -> list[str]:
        broken = _size_phrases(len(value), low, high, "length")
        if match is not None and match(value) is None:
            broken.append(f"Member must satisfy regular expression pattern: {pattern}")
        if allowed is not None and value not in allowed:
            broken.append(f"Member must satisfy enum value set: [{', '.join(enum)}]")
        return broken

    return ok, phrases


class Validator:
    """Validates requests of one service model; see the module docstring for the exact wording."""

    def __init__(self, service_model: botocore.model.ServiceModel, *,
                 constraint_error: type[errors.AwsError] = errors.ValidationException,
                 type_error: type[errors.AwsError] = errors.SerializationException) -> None:
        self._model = service_model
        self._constraint_error = constraint_error
        self._type_error = type_error
        self._operations: dict[str, Check] = {}
        self._shapes: dict[tuple[str, bool], Check] = {}
        self._concealing: dict[str, bool] = {}

    def validate(self, operation_name: str, params: object) -> None:
        """Raise type_error for JSON type mismatches, constraint_error listing every constraint violation."""
        check = self._operations.get(operation_name)
        if check is None:
            check = self._operations[operation_name] = self._compile_operation(operation_name)
        violations: list[str] = []
        check(params, "", violations)
        if violations:
            count = len(violations)
            noun = "error" if count == 1 else "errors"
            raise self._constraint_error(f"{count} validation {noun} detected: " + "; ".join(violations))

    # --- compilation ---------------------------------------------------------------------------

    def _compile_operation(self, operation_name: str) -> Check:
        if operation_name not in self._model.operation_names:
            raise KeyError(f"{self._model.service_name} has no operation {operation_name!r}")
        shape = self._model.operation_model(operation_name).input_shape
        if shape is None:
            return self._compile_empty()
        return self._compile(shape, False)

    def _compile_empty(self) -> Check:
        type_error = self._type_error

        def check(value: Any, path: str, violations: list[str]) -> None:
            if not isinstance(value, dict):
                raise type_error(_mismatch(value, "a Structure"))

        return check

    def _compile(self, shape: botocore.model.Shape, hidden: bool) -> Check:
        hidden = hidden or bool(shape.metadata.get("sensitive"))
        key = (shape.name, hidden)
        known = self._shapes.get(key)
        if known is not None:
            return known
        # Recursive shapes reach this key again while it is being built: they get a trampoline.
        built: list[Check] = []
        self._shapes[key] = lambda value, path, violations: built[0](value, path, violations)
        builder = getattr(self, f"_compile_{shape.type_name}", None)
        check = builder(shape, hidden) if builder else self._compile_scalar(shape)
        built.append(check)
        self._shapes[key] = check
        return check

    def _conceals(self, shape: botocore.model.Shape) -> bool:
        """Whether a shape is, or holds, a sensitive shape (so rendering it would leak a secret)."""
        known = self._concealing.get(shape.name)
        if known is not None:
            return known
        self._concealing[shape.name] = False  # a recursive reference adds nothing new
        if shape.metadata.get("sensitive"):
            result = True
        elif isinstance(shape, botocore.model.StructureShape):
            result = any(self._conceals(member) for member in shape.members.values())
        elif isinstance(shape, botocore.model.ListShape):
            result = self._conceals(shape.member)
        elif isinstance(shape, botocore.model.MapShape):
            result = self._conceals(shape.key) or self._conceals(shape.value)
        else:
            result = False
        self._concealing[shape.name] = result
        return result

    def _compile_structure(self, shape: botocore.model.StructureShape, hidden: bool) -> Check:
        type_error = self._type_error
        required = set(shape.required_members)
        members = tuple((name, name[:1].lower() + name[1:], self._compile(member, hidden), name in required)
                        for name, member in shape.members.items())

        def check(value: Any, path: str, violations: list[str]) -> None:
            if not isinstance(value, dict):
                raise type_error(_mismatch(value, "a Structure"))
            prefix = path + "." if path else ""
            for name, label, member_check, needed in members:
                item = value.get(name)
                if item is not None:
                    member_check(item, prefix + label, violations)
                elif needed:
                    violations.append(_violation(None, prefix + label, _NOT_NULL, False))

        return check

    def _compile_list(self, shape: botocore.model.ListShape, hidden: bool) -> Check:
        type_error = self._type_error
        low, high = _bounds(shape)
        concealed = hidden or self._conceals(shape)
        item_check = self._compile(shape.member, hidden)

        def check(value: Any, path: str, violations: list[str]) -> None:
            if not isinstance(value, list):
                raise type_error(_mismatch(value, "a List"))
            if not low <= len(value) <= high:
                for phrase in _size_phrases(len(value), low, high, "length"):
                    violations.append(_violation(value, path, phrase, concealed))
            for index, item in enumerate(value, 1):
                item_path = f"{path}.{index}.member"
                if item is None:
                    violations.append(_violation(None, item_path, _NOT_NULL, False))
                else:
                    item_check(item, item_path, violations)

        return check

    def _compile_map(self, shape: botocore.model.MapShape, hidden: bool) -> Check:
        type_error = self._type_error
        low, high = _bounds(shape)
        concealed = hidden or self._conceals(shape)
        key_hidden = hidden or bool(shape.key.metadata.get("sensitive"))
        key_ok, key_phrases = _string_rules(shape.key)
        value_check = self._compile(shape.value, hidden)

        def check(value: Any, path: str, violations: list[str]) -> None:
            if not isinstance(value, dict):
                raise type_error(_mismatch(value, "a Map"))
            if not low <= len(value) <= high:
                for phrase in _size_phrases(len(value), low, high, "length"):
                    violations.append(_violation(value, path, phrase, concealed))
            for key, item in value.items():
                if not key_ok(key):
                    phrase = f"Map keys must satisfy constraint: [{', '.join(key_phrases(key))}]"
                    violations.append(_violation(key, path, phrase, key_hidden))
                shown_key = key if len(key) <= _ECHO_LIMIT else key[:_ECHO_LIMIT] + "..."
                item_path = f"{path}.{shown_key}.member"
                if item is None:
                    violations.append(_violation(None, item_path, _NOT_NULL, False))
                else:
                    value_check(item, item_path, violations)

        return check

    def _compile_string(self, shape: botocore.model.StringShape, hidden: bool) -> Check:
        type_error = self._type_error
        ok, phrases = _string_rules(shape)

        def check(value: Any, path: str, violations: list[str]) -> None:
            if type(value) is not str:
                raise type_error(_mismatch(value, "a String"))
            if not ok(value):
                for phrase in phrases(value):
                    violations.append(_violation(value, path, phrase, hidden))

        return check

    def _compile_integer(self, shape: botocore.model.Shape, hidden: bool) -> Check:
        type_error = self._type_error
        low, high = shape.metadata.get("min", -sys.maxsize), shape.metadata.get("max", sys.maxsize)
        expected = "an Integer" if shape.type_name == "integer" else "a Long"

        def check(value: Any, path: str, violations: list[str]) -> None:
            if type(value) is not int:
                raise type_error(_mismatch(value, expected))
            if not low <= value <= high:
                for phrase in _size_phrases(value, low, high, "value"):
                    violations.append(_violation(value, path, phrase, hidden))

        return check

    _compile_long = _compile_integer

    def _compile_scalar(self, shape: botocore.model.Shape) -> Check:
        """Type-only checks: booleans, numbers with fractions, timestamps, blobs, documents."""
        type_error = self._type_error
        accepted, expected = {
            "boolean": ((bool,), "a Boolean"),
            "float": ((int, float), "a Float"),
            "double": ((int, float), "a Double"),
            "timestamp": ((int, float, str), "a Timestamp"),
            "blob": ((str,), "a Blob"),
        }.get(shape.type_name, ((object,), ""))
        booleans_allowed = bool in accepted or object in accepted

        def check(value: Any, path: str, violations: list[str]) -> None:
            if not isinstance(value, accepted) or (isinstance(value, bool) and not booleans_allowed):
                raise type_error(_mismatch(value, expected))

        return check
