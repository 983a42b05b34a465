"""IAM role trust-policy evaluation for web-identity federation, pure Python.

Owns the one question the embedded STS asks before vending credentials: does this role's trust policy
let the federated principal (``cognito-identity.amazonaws.com`` or an OIDC provider) perform an action
(``sts:AssumeRoleWithWebIdentity``, and separately ``sts:TagSession`` when session tags are passed) given
the request context (``cognito-identity.amazonaws.com:aud``/``:amr``/``:sub``, ``aws:RequestTag/<k>``,
``aws:TagKeys``)? The answer carries human-readable reasons naming the statements and conditions involved.

IAM semantics implemented (and the choices where IAM is silent or ambiguous):

* ``Statement`` object or list; ``Effect`` Allow/Deny; explicit Deny beats Allow; no Allow → implicit deny.
* ``Principal``: ``"*"``, ``{"AWS": "*"}`` (IAM documents it as equivalent to ``"*"``) or
  ``{"Federated": str|list}`` compared exactly; other principal kinds never match a federated caller.
  ``NotPrincipal`` applies the statement to every caller it does not name.
* ``Action``/``NotAction``: str or list, ``*``/``?`` wildcards, case-insensitive.
* ``Condition``: the condition operators, their ``IfExists``/set-qualifier semantics and the missing-key
  rules are :mod:`cognito_desk.core.permissions.conditions` — the one implementation shared with the
  permission-policy evaluator. Keys are case-insensitive; names IAM does not know make the document malformed.
* Policy variables (``${...}``) in trust-policy condition values are not substituted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from cognito_desk.core import errors
from cognito_desk.core.permissions.conditions import holds, parse_operator, text_of
from cognito_desk.core.permissions.document import load_json, parse_conditions, statements_of
from cognito_desk.core.permissions.patterns import action_matches

ContextValue = str | Sequence[str]

_STATEMENT_FIELDS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition"}
_PROHIBITED_FIELDS = ("Resource", "NotResource")

@dataclass(frozen=True)
class PolicyDecision:
    """The outcome of evaluating one trust policy for one action."""

    allowed: bool
    explicit_deny: bool
    reasons: tuple[str, ...]


def _malformed(message: str) -> errors.AwsError:
    return errors.MalformedPolicyDocument(message)


def _as_list(value: object, field: str) -> list:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(item, str) for item in items):
        raise _malformed(f"Invalid value for field {field}")
    return items


def _check_principal(value: object, field: str) -> None:
    if value == "*":
        return
    if not isinstance(value, Mapping) or not value:
        raise _malformed(f"Invalid principal in policy: {field}")
    for kind, names in value.items():
        _as_list(names, f"{field}.{kind}")


def _check_statement(statement: object) -> None:
    if not isinstance(statement, Mapping):
        raise _malformed("Syntax errors in policy.")
    for field in _PROHIBITED_FIELDS:
        if field in statement:
            raise _malformed(f"Has prohibited field {field}")
    unknown = sorted(set(statement) - _STATEMENT_FIELDS)
    if unknown:
        raise _malformed(f"Unknown field {unknown[0]}")
    if statement.get("Effect") not in ("Allow", "Deny"):
        raise _malformed(f"Invalid effect: {statement.get('Effect')}")
    principals = [field for field in ("Principal", "NotPrincipal") if field in statement]
    if len(principals) != 1:
        raise _malformed("Missing required field Principal" if not principals
                         else "Statement cannot have both Principal and NotPrincipal")
    _check_principal(statement[principals[0]], principals[0])
    actions = [field for field in ("Action", "NotAction") if field in statement]
    if len(actions) != 1:
        raise _malformed("Missing required field Action" if not actions
                         else "Statement cannot have both Action and NotAction")
    _as_list(statement[actions[0]], actions[0])
    if "Condition" in statement:
        parse_conditions(statement["Condition"])


def parse_policy(document: str | Mapping) -> dict:
    """Parse and shape-check a trust policy; raise ``MalformedPolicyDocument`` when IAM would refuse it."""
    if isinstance(document, str):
        document = load_json(document)
    _, statements = statements_of(document)
    for statement in statements:
        _check_statement(statement)
    policy = dict(document)
    policy["Statement"] = [dict(statement) for statement in statements]
    return policy


def _request_values(context: Mapping[str, ContextValue], key: str) -> list[str] | None:
    wanted = key.lower()
    for name, value in context.items():
        if name.lower() == wanted:
            values = [value] if isinstance(value, str | bool) else list(value)
            return [text_of(v) for v in values]
    return None


def _fmt(values: Sequence[str]) -> str:
    return repr(values[0]) if len(values) == 1 else "[" + ", ".join(repr(v) for v in values) + "]"


def _condition_failures(block: Mapping, context: Mapping[str, ContextValue]) -> list[str]:
    failures = []
    for operator, keys in block.items():
        parsed = parse_operator(operator)
        for key, values in keys.items():
            policy_values = [text_of(v) for v in ([values] if not isinstance(values, list) else values)]
            present = _request_values(context, key)
            if holds(parsed, policy_values, present):
                continue
            has = "has no such key" if present is None else f"has {_fmt(present) if present else '[]'}"
            failures.append(f"condition {operator} {key} expected {_fmt(policy_values)}, request {has}")
    return failures


def _principal_matches(spec: object, federated_principal: str) -> bool:
    if spec == "*":
        return True
    if isinstance(spec, Mapping):
        return "*" in _names(spec, "AWS") or federated_principal in _names(spec, "Federated")
    return False


def _names(spec: Mapping, kind: str) -> list[str]:
    value = spec.get(kind, [])
    return [value] if isinstance(value, str) else list(value)


def _action_matches(patterns: list[str], action: str) -> bool:
    return action_matches(tuple(patterns), action)


def _statement_applies(statement: Mapping, federated_principal: str, action: str,
                       context: Mapping[str, ContextValue]) -> tuple[bool, str]:
    if "Principal" in statement:
        if not _principal_matches(statement["Principal"], federated_principal):
            return False, f"principal does not include Federated {federated_principal!r}"
    elif _principal_matches(statement["NotPrincipal"], federated_principal):
        return False, f"NotPrincipal excludes Federated {federated_principal!r}"
    if "Action" in statement:
        if not _action_matches(_as_list(statement["Action"], "Action"), action):
            return False, f"Action {_fmt(_as_list(statement['Action'], 'Action'))} does not cover {action}"
    elif _action_matches(_as_list(statement["NotAction"], "NotAction"), action):
        return False, f"NotAction excludes {action}"
    failures = _condition_failures(statement.get("Condition", {}), context)
    if failures:
        return False, "; ".join(failures)
    return True, f"applies to Federated {federated_principal!r} for {action}"


@lru_cache(maxsize=256)
def _parsed_text(document: str) -> tuple[dict, frozenset[str]]:
    """Stored policies are evaluated on every sign-in: parse each distinct text once (read-only result),
    noting the condition keys it reads (lower case)."""
    policy = parse_policy(document)
    keys = frozenset(key.lower() for statement in policy["Statement"]
                     for block in statement.get("Condition", {}).values() for key in block)
    return policy, keys


def _freeze(value: ContextValue) -> str | tuple[str, ...]:
    return value if isinstance(value, str) else tuple(value)


@lru_cache(maxsize=4096)
def _decide_text(document: str, federated_principal: str, action: str,
                 relevant: tuple[tuple[str, str | tuple[str, ...]], ...]) -> PolicyDecision:
    return _decide(_parsed_text(document)[0], federated_principal, action, dict(relevant))


def evaluate_trust_policy(document: str | Mapping, *, federated_principal: str, action: str,
                          context: Mapping[str, ContextValue]) -> PolicyDecision:
    """Decide whether ``federated_principal`` may perform ``action`` under this trust policy.

    Raises ``MalformedPolicyDocument`` when the document itself is invalid. A decision depends only on
    the context keys the policy's conditions read, so decisions on stored (text) policies are cached by those.
    """
    if isinstance(document, str):
        keys = _parsed_text(document)[1]
        relevant = tuple(sorted((k, _freeze(v)) for k, v in context.items() if k.lower() in keys))
        return _decide_text(document, federated_principal, action, relevant)
    return _decide(parse_policy(document), federated_principal, action, context)


def _decide(policy: dict, federated_principal: str, action: str,
            context: Mapping[str, ContextValue]) -> PolicyDecision:
    reasons: list[str] = []
    allowed = denied = False
    for number, statement in enumerate(policy["Statement"], start=1):
        sid = f" {statement['Sid']!r}" if statement.get("Sid") else ""
        effect = statement["Effect"]
        applies, why = _statement_applies(statement, federated_principal, action, context)
        reasons.append(f"statement {number}{sid} ({effect}): {why}")
        if applies:
            denied = denied or effect == "Deny"
            allowed = allowed or effect == "Allow"
    if denied:
        reasons.append(f"{action} is explicitly denied")
    elif allowed:
        reasons.append(f"{action} is allowed")
    else:
        reasons.append(f"no statement allows {action}: implicit deny")
    return PolicyDecision(allowed=allowed and not denied, explicit_deny=denied, reasons=tuple(reasons))
