"""The IAM permission evaluator: identity-based policies (+ a session policy) for one request, explained.

Follows AWS's documented evaluation logic for identity-based policies within one account: every statement
of every policy is considered; an applicable ``Deny`` decides ``explicitDeny``; otherwise an applicable
``Allow`` decides ``allowed``; otherwise ``implicitDeny``. A session policy (the ``Policy`` passed to
``AssumeRoleWithWebIdentity``) intersects: the request must be allowed by the role's policies *and* by the
session policy, and a Deny in either denies. A statement applies when its Action (or NotAction) covers the
action, its Resource (or NotResource) covers the resource, and every condition holds (operators and keys
ANDed, values ORed — :mod:`.conditions`), after policy variables are substituted (:mod:`.variables`).

The answer (:class:`Evaluation`) says which statements decided, each condition with the values it
compared, and why every other statement did not apply. Permission boundaries, SCPs and resource policies
are outside this evaluator (callers say so on screen).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .conditions import holds
from .document import ConditionSpec, Document, Statement, parse_document, shown
from .patterns import action_matches, arn_matches, plain
from .variables import ContextValue, Keys, Substituted, lookup, substitute, substitute_resource, variable_key

ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY = "allowed", "explicitDeny", "implicitDeny"


@dataclass(frozen=True)
class Policy:
    """A named policy document; ``kind`` is ``inline``, ``managed`` or ``session``."""

    name: str
    document: str | Mapping
    kind: str = "inline"


@dataclass(frozen=True)
class Request:
    action: str
    resource: str = "*"
    context: Mapping[str, ContextValue] = field(default_factory=dict)

    def values(self, key: str) -> list[str] | None:
        return lookup(self.context, key)


@dataclass(frozen=True)
class ConditionCheck:
    """One (operator, key) of a statement: the policy values after substitution, the request's values."""

    operator: str
    key: str
    policy_values: tuple[str, ...]
    request_values: tuple[str, ...] | None
    holds: bool
    missing_variables: tuple[str, ...] = ()

    def describe(self) -> str:
        has = "has no such key" if self.request_values is None else f"has {shown(self.request_values)}"
        missing = (f" ({', '.join(self.missing_variables)} has no value in this request, so that value "
                   "matches nothing)" if self.missing_variables else "")
        verdict = "holds" if self.holds else "fails"
        return f"{self.operator} {self.key} {shown(self.policy_values)}: request {has}{missing} → {verdict}"


@dataclass(frozen=True)
class StatementCheck:
    """How one statement met the request: ``applies`` and, when it does not, ``reason``."""

    policy: str
    kind: str
    index: int
    sid: str | None
    effect: str
    applies: bool
    reason: str
    conditions: tuple[ConditionCheck, ...] = ()
    missing_keys: tuple[str, ...] = ()  # context keys the statement needed and the request lacked

    @property
    def label(self) -> str:
        sid = f" ({self.sid})" if self.sid else ""
        return f"{self.policy} statement {self.index + 1}{sid}"


@dataclass(frozen=True)
class Evaluation:
    decision: str
    deciding: tuple[StatementCheck, ...]
    statements: tuple[StatementCheck, ...]
    summary: str

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED


def _substituted(text: str, document: Document, resource: bool, context: Mapping[str, ContextValue]
                 ) -> Substituted:
    if not document.variables or "${" not in text:
        return Substituted(text)
    return substitute_resource(text, context) if resource else substitute(text, context)


def _resource_check(statement: Statement, document: Document, request: Request
                    ) -> tuple[str | None, list[str]]:
    """(None when the Resource/NotResource element covers the request's resource, else why not; the
    variables that had no value)."""
    covered, missing = False, []
    context = request.context
    for pattern, prefix in zip(statement.resources, statement.prefixes, strict=True):
        if not request.resource.startswith(prefix):
            continue  # cannot match whatever its wildcards and variables stand for
        result = _substituted(pattern, document, True, context)
        if result.text is None:
            # unresolvable; it matters only if some value of the variable could cover the resource
            if arn_matches(substitute_resource(pattern, context, unknown="*").text or "", request.resource,
                           resource_element=True):
                missing.extend(result.missing)
        elif arn_matches(result.text, request.resource, resource_element=True):
            covered = True
            break
    note = f" ({', '.join(missing)} has no value in this request)" if missing else ""
    field = "NotResource" if statement.not_resource else "Resource"
    if statement.not_resource:
        if missing:  # IAM: a variable it cannot resolve can make the whole statement invalid
            return (f"NotResource {statement.shown_resources} cannot be resolved{note}, so the statement "
                    "does not apply"), missing
        return (f"NotResource excludes {request.resource}" if covered else None), missing
    why = None if covered else f"{field} {statement.shown_resources} does not cover {request.resource}{note}"
    return why, missing


def _condition_check(spec: ConditionSpec, document: Document, request: Request) -> ConditionCheck:
    values, missing = [], []
    substitutes = spec.operator.base.takes_variables
    for value in spec.values:
        result = _substituted(value, document, False, request.context) if substitutes \
            else Substituted(value)
        if result.text is None:
            missing.extend(result.missing)
        else:
            values.append(result.text if spec.operator.base.glob else plain(result.text))
    request_values = request.values(spec.key)
    ok = holds(spec.operator, values, request_values)
    return ConditionCheck(spec.operator.text, spec.key, tuple(plain(v) for v in values),
                          None if request_values is None else tuple(request_values), ok, tuple(missing))


def check_statement(policy: Policy, statement: Statement, document: Document, request: Request
                    ) -> StatementCheck:
    """Whether ``statement`` applies to ``request``, with its conditions' values and the reason if not."""
    def result(applies: bool, reason: str, conditions: tuple[ConditionCheck, ...] = (),
               missing: Sequence[str] = ()) -> StatementCheck:
        return StatementCheck(policy.name, policy.kind, statement.index, statement.sid, statement.effect,
                              applies, reason, conditions, tuple(dict.fromkeys(missing)))

    covered = action_matches(statement.actions, request.action)
    if covered == statement.not_action:
        return result(False, f"NotAction excludes {request.action}" if statement.not_action
                      else f"Action {statement.shown_actions} does not cover {request.action}")
    why, missing = _resource_check(statement, document, request)
    missing = [variable_key(v) for v in missing]
    if why:
        return result(False, why, (), missing)
    checks = tuple(_condition_check(spec, document, request) for spec in statement.conditions)
    for check in checks:
        missing += [variable_key(v) for v in check.missing_variables]
        if check.request_values is None and not check.operator.lower().startswith("null"):
            missing.append(check.key)
    failed = [check for check in checks if not check.holds]
    if failed:
        return result(False, "condition " + "; ".join(check.describe() for check in failed), checks, missing)
    return result(True, f"applies: {statement.effect} {request.action} on {request.resource}", checks, missing)


def _decide(policies: Sequence[Policy], request: Request) -> tuple[str, list[StatementCheck]]:
    checks = []
    for policy in policies:
        document = parse_document(policy.document)
        checks.extend(check_statement(policy, s, document, request) for s in document.statements)
    if any(c.applies and c.effect == "Deny" for c in checks):
        return EXPLICIT_DENY, checks
    if any(c.applies for c in checks):
        return ALLOWED, checks
    return IMPLICIT_DENY, checks


def evaluate(policies: Sequence[Policy], request: Request, *,
             session_policies: Sequence[Policy] | None = None) -> Evaluation:
    """Decide ``request`` under the identity's ``policies`` (intersected with ``session_policies``)."""
    request = Request(request.action, request.resource, Keys(request.context))
    decision, checks = _decide(policies, request)
    summary = {ALLOWED: f"{request.action} on {request.resource} is allowed",
               EXPLICIT_DENY: f"{request.action} on {request.resource} is explicitly denied",
               IMPLICIT_DENY: f"no statement allows {request.action} on {request.resource}: implicit deny"
               }[decision]
    if session_policies is not None:
        session, session_checks = _decide(session_policies, request)
        checks += session_checks
        if EXPLICIT_DENY in (decision, session):
            if session == EXPLICIT_DENY and decision != EXPLICIT_DENY:
                summary = f"the session policy explicitly denies {request.action} on {request.resource}"
            decision = EXPLICIT_DENY
        elif decision == ALLOWED and session != ALLOWED:
            decision = IMPLICIT_DENY
            summary = (f"the role's policies allow {request.action} but the session policy does not: "
                       "implicit deny (a session policy only narrows)")
    effect = "Deny" if decision == EXPLICIT_DENY else "Allow"
    deciding = tuple(c for c in checks if c.applies and c.effect == effect) if decision != IMPLICIT_DENY else ()
    return Evaluation(decision, deciding, tuple(checks), summary)
