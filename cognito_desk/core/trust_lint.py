"""The trust-policy lint: the mistakes that stop an identity pool's users from assuming a role, found before sign-in.

Owns :func:`lint_trust_policy` — for one role's trust policy, the identity pool it serves and the slot it is used
in (``authenticated`` or ``unauthenticated``), the findings the roles editor shows: a wrong or missing
``cognito-identity.amazonaws.com:aud`` (another pool's ID is the classic mistake; no ``aud`` at all trusts every
pool), a missing or wrong ``amr`` for the slot, a plain operator on ``amr`` (an array claim, which wants
``ForAnyValue:StringLike``), ``sts:AssumeRole`` instead of ``sts:AssumeRoleWithWebIdentity``, the principal typo
``cognito-identity.amazon.com`` or an AWS account principal, no statement trusting Cognito at all, and a missing
``sts:TagSession`` when the pool maps principal tags. Each finding carries the 1-based line of
:func:`format_policy`'s text it is about and, when one is safe, the whole fixed document (the editor shows the
diff, then calls IAM ``UpdateAssumeRolePolicy``). Only ``Allow`` statements that concern Cognito are judged;
statements for other principals are left alone. The lint reads documents; :mod:`core.policy` decides them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from cognito_desk.core import errors
from cognito_desk.core.policy import parse_policy
from cognito_desk.core.providers import COGNITO_PROVIDER

TYPO_PRINCIPAL = "cognito-identity.amazon.com"
AUD_KEY = f"{COGNITO_PROVIDER}:aud"
AMR_KEY = f"{COGNITO_PROVIDER}:amr"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
TAG_SESSION = "sts:TagSession"
SLOTS = ("authenticated", "unauthenticated")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """One problem: ``code`` is stable (tests, icons), ``line`` is 1-based in :func:`format_policy`'s text."""

    code: str
    severity: str  # "error" (STS refuses the pool's users) | "warning" (works, but unsafe or fragile)
    line: int
    message: str
    #: The whole document with this one problem fixed, when a fix is safe; None otherwise.
    fix: dict | None = None


def format_policy(document: Mapping) -> str:
    """The text the editor shows and findings' line numbers refer to (2-space JSON, key order kept)."""
    return json.dumps(document, indent=2, ensure_ascii=False)


def _lines(value: object, path: Path, line: int, lines: dict[Path, int]) -> int:
    """Record the line each JSON path starts on in ``json.dumps(indent=2)`` output; return the next line."""
    lines[path] = line
    if isinstance(value, Mapping) and value:
        line += 1
        for key, item in value.items():
            line = _lines(item, (*path, key), line, lines)
        return line + 1
    if isinstance(value, list) and value:
        line += 1
        for index, item in enumerate(value):
            line = _lines(item, (*path, index), line, lines)
        return line + 1
    return line + 1


class _Document:
    """The original document, its statements (a single statement object counts as one) and their lines."""

    def __init__(self, document: Mapping) -> None:
        self.document = document
        self.lines: dict[Path, int] = {}
        _lines(document, (), 1, self.lines)
        self.single = isinstance(document.get("Statement"), Mapping)

    def statements(self) -> Iterator[tuple[Path, Mapping]]:
        statements = self.document.get("Statement")
        if self.single:
            yield ("Statement",), statements
        else:
            for index, statement in enumerate(statements):
                yield ("Statement", index), statement

    def line(self, path: Path) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def fixed(self, path: Path, change) -> dict:
        """A deep copy of the document with ``change(statement)`` applied to the statement at ``path``."""
        document = copy.deepcopy(dict(self.document))
        target = document
        for part in path:
            target = target[part]
        change(target)
        return document


def _as_list(value: object) -> list:
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def _federated(statement: Mapping) -> list[str]:
    principal = statement.get("Principal")
    return _as_list(principal.get("Federated")) if isinstance(principal, Mapping) else []


def _aws_principals(statement: Mapping) -> list[str]:
    principal = statement.get("Principal")
    return _as_list(principal.get("AWS")) if isinstance(principal, Mapping) else []


def _conditions(statement: Mapping, key: str) -> list[tuple[str, str, list[str]]]:
    """(operator, key as written, values) of every condition on ``key`` (keys compare case-insensitively)."""
    found = []
    for operator, block in (statement.get("Condition") or {}).items():
        for name, values in block.items():
            if name.lower() == key:
                found.append((operator, name, [str(v) for v in _as_list(values) or [values]]))
    return found


def _concerns_cognito(statement: Mapping) -> bool:
    if statement.get("Effect") != "Allow":
        return False
    federated = _federated(statement)
    if COGNITO_PROVIDER in federated or TYPO_PRINCIPAL in federated:
        return True
    return any(name.lower().startswith(COGNITO_PROVIDER + ":")
               for block in (statement.get("Condition") or {}).values() for name in block)


def _glob_hit(pattern: str, value: str) -> bool:
    return fnmatchcase(value, pattern.replace("[", "[[]"))


def _matches(operator: str, values: list[str], wanted: str) -> bool:
    base = operator.lower().split(":")[-1].removesuffix("ifexists")
    if base in ("stringlike", "arnlike", "arnequals"):
        return any(_glob_hit(v, wanted) for v in values)
    if base == "stringequalsignorecase":
        return wanted.casefold() in (v.casefold() for v in values)
    return wanted in values


def _as_list_of_statements(value: object) -> list:
    return [value] if isinstance(value, Mapping) else list(value)


def _positive(operator: str) -> bool:
    return "not" not in operator.lower().split(":")[-1] and operator.lower() != "null"


def _set_condition(statement: dict, operator: str, key: str, value: str) -> None:
    conditions = statement.setdefault("Condition", {})
    conditions.setdefault(operator, {})[key] = value


def _drop_condition(statement: dict, operator: str, name: str) -> None:
    block = statement["Condition"][operator]
    del block[name]
    if not block:
        del statement["Condition"][operator]


class _Lint:
    def __init__(self, document: Mapping, pool_id: str | None, slot: str | None, tags: bool,
                 standard: Mapping | None) -> None:
        self.doc = _Document(document)
        self.pool_id, self.slot, self.tags, self.standard = pool_id, slot, tags, standard
        self.findings: list[Finding] = []

    def add(self, code: str, severity: str, path: Path, message: str, fix: dict | None = None) -> None:
        self.findings.append(Finding(code, severity, self.doc.line(path), message, fix))

    def run(self) -> list[Finding]:
        relevant = [(path, s) for path, s in self.doc.statements() if _concerns_cognito(s)]
        for path, statement in self.doc.statements():
            if statement.get("Effect") == "Allow" and not _concerns_cognito(statement) and _aws_principals(statement):
                self.add("account-principal", "error", (*path, "Principal"),
                         "The principal is an AWS account or role, not the federated principal "
                         f"{COGNITO_PROVIDER}: identity-pool users cannot assume this role through this statement.")
        if not relevant:
            self.no_cognito_statement()
        for path, statement in relevant:
            self.principal(path, statement)
            self.actions(path, statement)
            self.audience(path, statement)
            self.amr(path, statement)
        return sorted(self.findings, key=lambda f: f.line)

    def no_cognito_statement(self) -> None:
        fix = None
        if self.standard:
            fix = copy.deepcopy(dict(self.doc.document))
            statements = fix["Statement"]
            fix["Statement"] = ([statements] if self.doc.single else statements) + copy.deepcopy(
                _as_list_of_statements(self.standard["Statement"]))
        self.add("no-cognito-statement", "error", ("Statement",),
                 f"No statement allows the federated principal {COGNITO_PROVIDER}: no identity-pool user can assume "
                 "this role.", fix)

    def principal(self, path: Path, statement: Mapping) -> None:
        if TYPO_PRINCIPAL in _federated(statement) and COGNITO_PROVIDER not in _federated(statement):
            def change(s: dict) -> None:
                names = s["Principal"]["Federated"]
                s["Principal"]["Federated"] = COGNITO_PROVIDER if isinstance(names, str) else \
                    [COGNITO_PROVIDER if n == TYPO_PRINCIPAL else n for n in names]
            self.add("principal-typo", "error", (*path, "Principal"),
                     f"The federated principal is {TYPO_PRINCIPAL!r}, a typo for {COGNITO_PROVIDER!r}: "
                     "STS never matches it.",
                     self.doc.fixed(path, change))
        elif COGNITO_PROVIDER not in _federated(statement):
            kind = "an AWS account or role" if _aws_principals(statement) else "not the Cognito federated principal"
            self.add("account-principal", "error", (*path, "Principal"),
                     f"The principal is {kind}, but the statement's conditions are about Cognito tokens: the "
                     f"principal must be {{\"Federated\": \"{COGNITO_PROVIDER}\"}}.",
                     self.doc.fixed(path, lambda s: s.__setitem__("Principal", {"Federated": COGNITO_PROVIDER})))

    def actions(self, path: Path, statement: Mapping) -> None:
        actions = _as_list(statement.get("Action"))
        lowered = [a.lower() for a in actions]
        covers = any(a in ("sts:*", "*", WEB_IDENTITY.lower()) for a in lowered)
        if "sts:assumerole" in lowered and not covers:
            def change(s: dict) -> None:
                s["Action"] = WEB_IDENTITY if isinstance(s["Action"], str) else \
                    [WEB_IDENTITY if a.lower() == "sts:assumerole" else a for a in s["Action"]]
            self.add("assume-role-action", "error", (*path, "Action"),
                     f"The action is sts:AssumeRole; Cognito assumes roles with {WEB_IDENTITY}.",
                     self.doc.fixed(path, change))
        elif not covers and "Action" in statement:
            self.add("no-web-identity", "error", (*path, "Action"),
                     f"The statement does not allow {WEB_IDENTITY}, the action Cognito uses.",
                     self.doc.fixed(path, lambda s: s.__setitem__("Action", [*_as_list(s["Action"]), WEB_IDENTITY])))
        if self.tags and not any(a in ("sts:*", "*", TAG_SESSION.lower()) for a in lowered):
            self.add("missing-tag-session", "error", (*path, "Action"),
                     f"The pool maps principal tags, so Cognito passes session tags; without {TAG_SESSION} STS "
                     "refuses the role.",
                     self.doc.fixed(path, lambda s: s.__setitem__("Action", [*_as_list(s["Action"]), TAG_SESSION])))

    def audience(self, path: Path, statement: Mapping) -> None:
        found = [c for c in _conditions(statement, AUD_KEY) if _positive(c[0])]
        if not found:
            fix = None if not self.pool_id else self.doc.fixed(
                path, lambda s: _set_condition(s, "StringEquals", AUD_KEY, self.pool_id))
            self.add("missing-aud", "error" if self.pool_id else "warning", (*path, "Principal"),
                     f"No {AUD_KEY} condition: the role trusts identities of EVERY identity pool, in any account.",
                     fix)
            return
        if not self.pool_id:
            return
        for operator, name, values in found:
            if not _matches(operator, values, self.pool_id):
                shown = values[0] if len(values) == 1 else values
                self.add("wrong-aud", "error", (*path, "Condition", operator, name),
                         f"{AUD_KEY} is {shown!r}, not this pool's ID {self.pool_id!r} (another pool's ID?): "
                         "this pool's users are refused.",
                         self.doc.fixed(path, lambda s, o=operator, n=name: s["Condition"][o].__setitem__(
                             n, self.pool_id)))

    def amr(self, path: Path, statement: Mapping) -> None:
        found = [c for c in _conditions(statement, AMR_KEY) if _positive(c[0])]
        if not found:
            if self.slot:
                self.add("missing-amr", "warning", (*path, "Principal"),
                         f"No {AMR_KEY} condition: guests and signed-in users alike may assume this "
                         f"{self.slot} role.",
                         self.doc.fixed(path, lambda s: _set_condition(s, "ForAnyValue:StringLike", AMR_KEY,
                                                                         self.slot)))
            return
        for operator, name, values in found:
            at = (*path, "Condition", operator, name)
            if self.slot and not _matches(operator, values, self.slot):
                shown = values[0] if len(values) == 1 else values
                self.add("wrong-amr", "error", at,
                         f"{AMR_KEY} must be {self.slot!r} for the {self.slot} role, the policy says {shown!r}.",
                         self.doc.fixed(path, lambda s, o=operator, n=name: self._replace_amr(s, o, n)))
            elif not operator.lower().startswith(("foranyvalue:", "forallvalues:")):
                self.add("amr-single-value-operator", "warning", (*path, "Condition", operator),
                         f"{operator} on {AMR_KEY}, an array claim: IAM requires a set operator — use "
                         "ForAnyValue:StringLike.",
                         self.doc.fixed(path, lambda s, o=operator, n=name, v=values: self._to_set_operator(
                             s, o, n, v)))

    def _replace_amr(self, statement: dict, operator: str, name: str) -> None:
        _drop_condition(statement, operator, name)
        _set_condition(statement, "ForAnyValue:StringLike", AMR_KEY, self.slot)

    @staticmethod
    def _to_set_operator(statement: dict, operator: str, name: str, values: list[str]) -> None:
        _drop_condition(statement, operator, name)
        _set_condition(statement, "ForAnyValue:StringLike", AMR_KEY, values[0] if len(values) == 1 else values)


def lint_trust_policy(document: str | Mapping, *, pool_id: str | None = None, slot: str | None = None,
                      uses_principal_tags: bool = False, standard_policy: Mapping | None = None) -> list[Finding]:
    """Findings for a role's trust policy used by ``pool_id`` in ``slot`` (either may be unknown: None).

    ``standard_policy`` is the policy a role made for this pool and slot would have (``admin.trust``); when
    given, a document with no Cognito statement gets a fix that appends its statements.

    A document IAM would refuse gives the single finding ``malformed`` with IAM's message.
    """
    if slot is not None and slot not in SLOTS:
        raise ValueError(f"slot must be one of {SLOTS}, not {slot!r}")
    try:
        parse_policy(document)
    except errors.MalformedPolicyDocument as exc:
        return [Finding("malformed", "error", 1, f"MalformedPolicyDocument: {exc.message}")]
    if isinstance(document, str):
        document = json.loads(document)
    return _Lint(document, pool_id, slot, uses_principal_tags, standard_policy).run()


def fix_all(document: str | Mapping, **options) -> dict:
    """The document with every fixable finding fixed, one at a time (each fix is re-linted before the next)."""
    current = json.loads(document) if isinstance(document, str) else copy.deepcopy(dict(document))
    for _ in range(32):
        fixable = next((f for f in lint_trust_policy(current, **options) if f.fix is not None), None)
        if fixable is None:
            return current
        current = fixable.fix
    return current
