"""IAM condition operators: one implementation for trust policies and permission policies.

Owns the operator table (every family: String, Numeric, Date, Bool, BinaryEquals, IpAddress, Arn, Null),
the ``…IfExists`` suffix and the ``ForAnyValue:``/``ForAllValues:`` set qualifiers, as the IAM condition
reference states them:

* values of one key are ORed (a negated operator — ``StringNotEquals``, ``NotIpAddress``, ``ArnNotLike`` … —
  holds when the request value matches *none* of them); keys and operators are ANDed by the caller;
* ``Null`` tests presence whatever set qualifier it carries;
* a missing key fails a positive operator and passes a negated one; ``…IfExists`` passes on a missing key
  (before any set qualifier is considered);
  ``Null`` tests presence (an empty list counts as absent);
* ``ForAllValues:`` holds for a missing or empty key and otherwise needs every request value to match;
  ``ForAnyValue:`` fails for a missing or empty key and otherwise needs one request value to match;
* a plain operator on a multivalued key behaves like ``ForAnyValue`` for a positive operator and as "no
  request value matches" for a negated one;
* ``ArnEquals`` and ``ArnLike`` are the same comparison (segment-wise with wildcards);
  ``Numeric``/``Date``/``IpAddress`` values that do not parse never match.

:func:`parse_operator` refuses names IAM does not know (``MalformedPolicyDocument``);
:func:`holds` decides one operator for one key. Policy variables are the caller's business
(:mod:`.variables`): only the String and Arn families take them (:data:`Operator.takes_variables`).
"""

from __future__ import annotations

import base64
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cognito_desk.core import errors

from .patterns import arn_matches, glob_match, plain


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _ordered(parse: Callable[[str], float | None], compare: Callable[[float, float], bool]
             ) -> Callable[[str, str], bool]:
    def match(request: str, policy: str) -> bool:
        left, right = parse(request), parse(policy)
        return left is not None and right is not None and compare(left, right)
    return match


def _ip(request: str, policy: str) -> bool:
    try:
        return ipaddress.ip_address(request) in ipaddress.ip_network(policy, strict=False)
    except ValueError:
        return False


def _binary(request: str, policy: str) -> bool:
    try:
        return base64.b64decode(request, validate=True) == base64.b64decode(policy, validate=True)
    except ValueError:
        return False


def _eq(a: object, b: object) -> bool:
    return a == b


_COMPARISONS = {"Equals": _eq, "NotEquals": _eq, "LessThan": lambda a, b: a < b,
                "LessThanEquals": lambda a, b: a <= b, "GreaterThan": lambda a, b: a > b,
                "GreaterThanEquals": lambda a, b: a >= b}


@dataclass(frozen=True)
class Operator:
    """One base operator: its canonical name, family, whether negated, and the per-value comparison."""

    name: str
    family: str
    negated: bool
    match: Callable[[str, str], bool]

    @property
    def takes_variables(self) -> bool:
        return self.family in ("String", "Arn")

    @property
    def glob(self) -> bool:
        return self.name in ("StringLike", "StringNotLike") or self.family == "Arn"


def _table() -> dict[str, Operator]:
    table: list[Operator] = [
        Operator("StringEquals", "String", False, lambda r, p: r == plain(p)),
        Operator("StringNotEquals", "String", True, lambda r, p: r == plain(p)),
        Operator("StringEqualsIgnoreCase", "String", False, lambda r, p: r.casefold() == plain(p).casefold()),
        Operator("StringNotEqualsIgnoreCase", "String", True, lambda r, p: r.casefold() == plain(p).casefold()),
        Operator("StringLike", "String", False, lambda r, p: glob_match(p, r)),
        Operator("StringNotLike", "String", True, lambda r, p: glob_match(p, r)),
        Operator("Bool", "Bool", False, lambda r, p: r.lower() == p.lower()),
        Operator("BinaryEquals", "Binary", False, _binary),
        Operator("IpAddress", "IpAddress", False, _ip),
        Operator("NotIpAddress", "IpAddress", True, _ip),
        Operator("Null", "Null", False, _eq),
    ]
    for family, parse in (("Numeric", _number), ("Date", _date)):
        for suffix, compare in _COMPARISONS.items():
            table.append(Operator(family + suffix, family, suffix == "NotEquals", _ordered(parse, compare)))
    for name in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"):
        table.append(Operator(name, "Arn", "Not" in name, lambda r, p: arn_matches(p, r)))
    return {operator.name.lower(): operator for operator in table}


OPERATORS = _table()


@dataclass(frozen=True)
class ParsedOperator:
    """``ForAnyValue:StringLikeIfExists`` → qualifier ``ForAnyValue``, base StringLike, if_exists."""

    text: str
    qualifier: str | None
    base: Operator
    if_exists: bool


@lru_cache(maxsize=1024)
def parse_operator(text: str) -> ParsedOperator:
    name = text.lower()
    qualifier = None
    for prefix, shown in (("forallvalues:", "ForAllValues"), ("foranyvalue:", "ForAnyValue")):
        if name.startswith(prefix):
            qualifier, name = shown, name[len(prefix):]
    if_exists = name.endswith("ifexists") and name[:-8] in OPERATORS and name[:-8] != "null"
    base = OPERATORS.get(name[:-8] if if_exists else name)
    if base is None:
        raise errors.MalformedPolicyDocument(f"Invalid Condition type : {text}")
    return ParsedOperator(text, qualifier, base, if_exists)


def text_of(value: object) -> str:
    """A JSON condition value as IAM compares it: booleans lower case, numbers as written."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def holds(operator: ParsedOperator, policy_values: Sequence[str],
          request_values: Sequence[str] | None) -> bool:
    """Whether ``operator`` holds for one key: ``request_values`` None when the request lacks the key."""
    base = operator.base
    if base.family == "Null":
        expected_missing = any(value.lower() == "true" for value in policy_values)
        return (not request_values) == expected_missing
    if request_values is None and operator.if_exists:
        return True
    if not request_values:
        if operator.qualifier == "ForAllValues":
            return True
        if operator.qualifier == "ForAnyValue":
            return False
        return base.negated
    hits = [any(base.match(value, policy) for policy in policy_values) for value in request_values]
    if operator.qualifier == "ForAllValues":
        return all(hit != base.negated for hit in hits)
    if operator.qualifier == "ForAnyValue":
        return any(hit != base.negated for hit in hits)
    return not any(hits) if base.negated else any(hits)
