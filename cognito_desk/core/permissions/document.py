"""Permission-policy documents: parse, shape-check and compile once per distinct text.

An identity-based (or session) policy is ``{"Version"?, "Id"?, "Statement": obj|list}``; each statement
has ``Effect`` Allow/Deny, exactly one of ``Action``/``NotAction`` and one of ``Resource``/``NotResource``
(string or non-empty list of strings), an optional ``Sid`` and ``Condition``, and no ``Principal`` (that
belongs to resource and trust policies). What IAM refuses raises ``MalformedPolicyDocument`` with IAM's
wording. Compiled statements keep their patterns ready (:mod:`.patterns`) and their condition operators
parsed (:mod:`.conditions`), so an access check only compares.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cognito_desk.core import errors

from .conditions import ParsedOperator, parse_operator, text_of
from .patterns import literal_prefix
from .variables import VARIABLES_VERSION

_VERSIONS = (VARIABLES_VERSION, "2008-10-17")
_FIELDS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Condition"}
_SCALARS = (str, bool, int, float)


@dataclass(frozen=True)
class ConditionSpec:
    operator: ParsedOperator
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One compiled statement; ``index`` is its 0-based position in the policy's Statement list."""

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[str, ...]
    not_resource: bool
    conditions: tuple[ConditionSpec, ...]
    prefixes: tuple[str, ...] = ()  # each resource pattern's literal prefix (a quick "cannot match")
    shown_actions: str = ""
    shown_resources: str = ""


@dataclass(frozen=True)
class Document:
    version: str | None
    statements: tuple[Statement, ...]

    @property
    def variables(self) -> bool:
        """IAM substitutes policy variables only in Version 2012-10-17 policies."""
        return self.version == VARIABLES_VERSION


def _malformed(message: str) -> errors.AwsError:
    return errors.MalformedPolicyDocument(message)


def _strings(value: object, field: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
        raise _malformed(f"Invalid value for field {field}")
    return tuple(items)


def _one_of(statement: Mapping, positive: str, negative: str) -> tuple[tuple[str, ...], bool]:
    present = [field for field in (positive, negative) if field in statement]
    if not present:
        raise _malformed(f"Policy statement must contain {positive.lower()}s." if positive == "Action"
                         else "Policy statement must contain resources.")
    if len(present) == 2:
        raise _malformed(f"Statement cannot have both {positive} and {negative}")
    return _strings(statement[present[0]], present[0]), present[0] == negative


def parse_conditions(block: object) -> tuple[ConditionSpec, ...]:
    """A statement's ``Condition`` block, checked as IAM checks it (also for trust policies)."""
    if not isinstance(block, Mapping):
        raise _malformed("Syntax errors in policy.")
    specs = []
    for operator_text, keys in block.items():
        operator = parse_operator(operator_text)
        if not isinstance(keys, Mapping) or not keys:
            raise _malformed("Syntax errors in policy.")
        for key, values in keys.items():
            values = [values] if isinstance(values, _SCALARS) else values
            if not isinstance(values, list) or not all(isinstance(v, _SCALARS) for v in values):
                raise _malformed("Syntax errors in policy.")
            specs.append(ConditionSpec(operator, key, tuple(text_of(v) for v in values)))
    return tuple(specs)


def _statement(index: int, statement: object) -> Statement:
    if not isinstance(statement, Mapping):
        raise _malformed("Syntax errors in policy.")
    if "Principal" in statement or "NotPrincipal" in statement:
        raise _malformed("Policy document should not specify a principal.")
    unknown = sorted(set(statement) - _FIELDS)
    if unknown:
        raise _malformed(f"Unknown field {unknown[0]}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _malformed(f"Invalid effect: {statement.get('Effect')}")
    sid = statement.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise _malformed("Syntax errors in policy.")
    actions, not_action = _one_of(statement, "Action", "NotAction")
    resources, not_resource = _one_of(statement, "Resource", "NotResource")
    return Statement(index, sid or None, statement["Effect"], actions, not_action, resources, not_resource,
                     parse_conditions(statement.get("Condition", {})), tuple(literal_prefix(r) for r in resources),
                     shown(actions), shown(resources))


def shown(values: Sequence[str]) -> str:
    """One value quoted, several as a bracketed list: how explanations show policy values."""
    return repr(values[0]) if len(values) == 1 else "[" + ", ".join(repr(v) for v in values) + "]"


def parse_document(document: str | Mapping) -> Document:
    """Parse and compile a permission policy; raise ``MalformedPolicyDocument`` when IAM would refuse it."""
    if isinstance(document, str):
        return _parse_text(document)
    return _compile(document)


@lru_cache(maxsize=1024)
def _parse_text(text: str) -> Document:
    return _compile(load_json(text))


def load_json(text: str) -> object:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise _malformed("Syntax errors in policy.") from None


def statements_of(document: object) -> tuple[str | None, list]:
    """(Version, the Statement list) of any policy document — permission or trust — checked as IAM does."""
    if not isinstance(document, Mapping):
        raise _malformed("Syntax errors in policy.")
    if "Version" in document and document["Version"] not in _VERSIONS:
        raise _malformed("The policy must contain a valid version string")
    if "Statement" not in document:
        raise _malformed("Missing required field Statement")
    statements = document["Statement"]
    statements = [statements] if isinstance(statements, Mapping) else statements
    if not isinstance(statements, list) or not statements:
        raise _malformed("Syntax errors in policy.")
    return document.get("Version"), statements


def _compile(document: object) -> Document:
    version, statements = statements_of(document)
    return Document(version, tuple(_statement(i, s) for i, s in enumerate(statements)))
