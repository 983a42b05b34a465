"""The one role engine: which IAM role an identity-pool login gets, and why.

Owns enhanced-flow role selection (reference §5): default ``Roles``, ``RoleMappings`` of type Token
(``cognito:roles`` / ``cognito:preferred_role``) and Rules (ordered claim rules), ``AmbiguousRoleResolution``,
``CustomRoleArn`` and SAML role attributes, plus the semantic checks SetIdentityPoolRoles applies to a
``Roles`` map and ``RoleMappings``. The service calls :func:`resolve_role` to vend credentials and the rule
editor calls the same function to preview a decision; every decision carries numbered, readable steps.

Choices where AWS is silent (reference §5.3–5.5, §10 point 7):

* Several logins: the first login in request order with a role mapping (or, failing that, SAML roles)
  decides; the others are listed as "no role mapping".
* Rules: case-sensitive; an array claim matches when ANY element matches, so ``NotEqual`` on an array
  matches when NO element equals the value; ``NotEqual`` on an absent claim skips the rule; non-string
  claims are compared as text (``true``/``false`` for booleans, JSON for objects). Rule numbers are 1-based.
* ``CustomRoleArn`` must always name an allowed role, otherwise the request is denied: with Token the
  roles in ``cognito:roles``; with Rules the roles of *matching* rules; with SAML the role attribute; with
  no mapping (guests, developer and plain authenticated logins) only the pool's default role.
* Token: a single entry in ``cognito:roles`` without ``cognito:preferred_role`` is used; none or several
  without a preferred role are ambiguous.
* Every denial is ``NotAuthorizedException`` "The ambiguous role mapping rules denied this request."; a
  missing default role or an unusable mapping is ``InvalidIdentityPoolConfigurationException``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cognito_desk.core import errors

MAX_RULES_PER_PROVIDER = 25
MAX_ROLE_MAPPINGS = 10

IIPC = "InvalidIdentityPoolConfigurationException"
IIPC_MESSAGE = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
DENIED = "NotAuthorizedException"
DENIED_MESSAGE = "The ambiguous role mapping rules denied this request."

ROLE_ARN_PATTERN = re.compile(r"arn:aws[-a-z]*:iam::\d{12}:role/(?:[\w+=,.@-]+/)*[\w+=,.@-]+", re.ASCII)


@dataclass(frozen=True)
class LoginClaims:
    """One validated login of the request, with the claims role mapping looks at."""

    provider_name: str
    claims: Mapping[str, object]
    #: RoleMappings keys that address this login, most specific first.
    mapping_keys: tuple[str, ...] = ()
    #: Role ARNs from the SAML ``Role`` attribute.
    saml_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleRequest:
    """Everything role selection needs: the kind of caller, the pool's configuration and the logins."""

    kind: str  # "unauthenticated" | "authenticated" | "developer"
    pool_roles: Mapping[str, str]
    role_mappings: Mapping[str, Mapping] = field(default_factory=dict)
    logins: Sequence[LoginClaims] = ()
    custom_role_arn: str | None = None


@dataclass(frozen=True)
class RuleStep:
    """One line of a decision's explanation; ``index`` is the 1-based rule number when about a rule."""

    index: int | None
    provider: str | None
    matched: bool | None
    text: str


#: :attr:`RoleDecision.source` codes in words (the ``default-<kind>`` ones are worded by the property).
_SOURCE_WORDS = {
    "custom-role": "the CustomRoleArn of the request",
    "rule": "a matching rule",
    "ambiguous": "no rule decided, and the mapping has no usable fallback",
    "ambiguous-deny": "no rule decided, and the mapping then denies",
    "ambiguous-default": "no rule decided, so the pool's default authenticated role",
    "token-preferred": "the token's cognito:preferred_role",
    "token-single-role": "the only role in the token's cognito:roles",
    "saml": "the role the SAML assertion names",
}


@dataclass(frozen=True)
class RoleDecision:
    """The chosen role (or the error AWS would answer) and the steps that led there."""

    role_arn: str | None
    denied: bool
    error_code: str | None
    error_message: str | None
    source: str
    steps: tuple[RuleStep, ...]

    @property
    def reason(self) -> str:
        """Where the role came from (or why there is none), in words rather than the ``source`` code."""
        if self.source.startswith("default-"):
            return f"the pool's default {self.source.removeprefix('default-')} role"
        return _SOURCE_WORDS.get(self.source, self.source.replace("-", " "))

    def explain(self) -> str:
        """Plain-language, multi-line account of the decision."""
        if self.role_arn:
            head = f"Role {self.role_arn} ({self.reason})."
        else:
            head = f"No role: {self.error_code}: {self.error_message} ({self.reason})."
        return "\n".join([head, *(f"{n}. {step.text}" for n, step in enumerate(self.steps, start=1))])

    def raise_for_error(self) -> None:
        """Raise the AWS error this decision stands for, if any."""
        if self.error_code:
            raise errors.error_for(self.error_code, self.error_message or "")


class _Trace:
    """Collects steps and builds the final decision."""

    def __init__(self) -> None:
        self.steps: list[RuleStep] = []

    def note(self, text: str, *, provider: str | None = None, index: int | None = None,
             matched: bool | None = None) -> None:
        self.steps.append(RuleStep(index, provider, matched, text))

    def grant(self, role_arn: str, source: str) -> RoleDecision:
        return RoleDecision(role_arn, False, None, None, source, tuple(self.steps))

    def deny(self, source: str, why: str) -> RoleDecision:
        self.note(why)
        return RoleDecision(None, True, DENIED, DENIED_MESSAGE, source, tuple(self.steps))

    def misconfigured(self, source: str, why: str) -> RoleDecision:
        self.note(why)
        return RoleDecision(None, False, IIPC, IIPC_MESSAGE, source, tuple(self.steps))


def _claim_strings(value: object) -> list[str]:
    items = value if isinstance(value, list | tuple) else [value]
    return [_claim_text(item) for item in items]


def _claim_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _shown(values: list[str]) -> str:
    return repr(values[0]) if len(values) == 1 else "[" + ", ".join(repr(v) for v in values) + "]"


_MATCHERS = {
    "Equals": lambda claim, value: claim == value,
    "Contains": lambda claim, value: value in claim,
    "StartsWith": lambda claim, value: claim.startswith(value),
}


def mapping_rule_matches(rule: Mapping, claims: Mapping[str, object]) -> tuple[bool | None, str]:
    """Evaluate one Rules-type rule: True/False, or None when skipped (NotEqual on an absent claim)."""
    claim, match_type, value = rule.get("Claim"), rule.get("MatchType"), rule.get("Value")
    described = f"claim {claim!r} {match_type} {value!r}"
    if claims.get(claim) is None:
        if match_type == "NotEqual":
            return None, f"{described}: the token has no {claim!r} claim, so the rule is skipped"
        return False, f"{described}: the token has no {claim!r} claim, no match"
    values = _claim_strings(claims[claim])
    if match_type == "NotEqual":
        hit = value not in values
    elif match_type in _MATCHERS:
        hit = any(_MATCHERS[match_type](item, value) for item in values)
    else:
        return False, f"{described}: unknown MatchType, no match"
    outcome = "match" if hit else "no match"
    return hit, f"{described}: the token has {_shown(values) if values else '[]'}, {outcome}"


def _default_role(request: RoleRequest, kind: str, trace: _Trace) -> RoleDecision:
    source = f"default-{kind}"
    role = request.pool_roles.get(kind)
    if not role:
        return trace.misconfigured(source, f"the pool has no default {kind} role")
    custom = request.custom_role_arn
    if custom and custom != role:
        return trace.deny("custom-role", f"CustomRoleArn {custom} is not the default {kind} role {role}, "
                                         "the only role allowed without a role mapping")
    trace.note(f"the pool's default {kind} role {role} applies")
    return trace.grant(role, source)


def _ambiguous(request: RoleRequest, mapping: Mapping, trace: _Trace, why: str) -> RoleDecision:
    resolution = mapping.get("AmbiguousRoleResolution")
    trace.note(f"{why}: AmbiguousRoleResolution is {resolution}")
    if resolution == "Deny":
        return trace.deny("ambiguous-deny", "the mapping denies ambiguous requests")
    if resolution != "AuthenticatedRole":
        return trace.misconfigured("ambiguous", "the mapping has no usable AmbiguousRoleResolution")
    role = request.pool_roles.get("authenticated")
    if not role:
        return trace.misconfigured("ambiguous-default", "the pool has no default authenticated role")
    trace.note(f"falling back to the pool's default authenticated role {role}")
    return trace.grant(role, "ambiguous-default")


def _token_roles(value: object) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return _claim_strings(value) if value is not None else []


def _choose_custom(custom: str, allowed: list[str], where: str, trace: _Trace) -> RoleDecision:
    """CustomRoleArn picks one of the roles a token or assertion offers, or the request is denied."""
    if custom in allowed:
        trace.note(f"CustomRoleArn {custom} is {where}")
        return trace.grant(custom, "custom-role")
    return trace.deny("custom-role", f"CustomRoleArn {custom} is not {where}")


def _apply_token(request: RoleRequest, login: LoginClaims, mapping: Mapping, trace: _Trace) -> RoleDecision:
    roles = _token_roles(login.claims.get("cognito:roles"))
    preferred = login.claims.get("cognito:preferred_role")
    trace.note(f"cognito:roles is {_shown(roles) if roles else 'absent'}, "
               f"cognito:preferred_role is {preferred or 'absent'}", provider=login.provider_name)
    if request.custom_role_arn:
        return _choose_custom(request.custom_role_arn, roles, "listed in cognito:roles", trace)
    if isinstance(preferred, str) and preferred:
        trace.note(f"using cognito:preferred_role {preferred}")
        return trace.grant(preferred, "token-preferred")
    if len(roles) == 1:
        trace.note(f"using the only role in cognito:roles {roles[0]}")
        return trace.grant(roles[0], "token-single-role")
    why = "the token names several roles and no preferred role" if roles else "the token names no role"
    return _ambiguous(request, mapping, trace, why)


def _apply_rules(request: RoleRequest, login: LoginClaims, mapping: Mapping, trace: _Trace) -> RoleDecision:
    rules = (mapping.get("RulesConfiguration") or {}).get("Rules") or []
    custom = request.custom_role_arn
    granted_by: list[int] = []
    for number, rule in enumerate(rules, start=1):
        matched, why = mapping_rule_matches(rule, login.claims)
        role = rule.get("RoleARN")
        first = matched and custom is None
        trace.note(f"rule {number}: {why}" + (f" → role {role}" if matched else "")
                   + (" (first matching rule wins)" if first else ""),
                   provider=login.provider_name, index=number, matched=matched)
        if first:
            return trace.grant(role, "rule")
        if matched and role == custom:
            granted_by.append(number)
    if custom:
        if granted_by:
            trace.note(f"CustomRoleArn {custom} is named by matching rule {granted_by[0]}",
                       index=granted_by[0], matched=True)
            return trace.grant(custom, "custom-role")
        return trace.deny("custom-role", f"no matching rule names CustomRoleArn {custom}")
    return _ambiguous(request, mapping, trace, f"none of the {len(rules)} rules matched")


def _apply_saml(request: RoleRequest, login: LoginClaims, trace: _Trace) -> RoleDecision:
    roles = list(login.saml_roles)
    trace.note(f"the SAML Role attribute lists {_shown(roles)}", provider=login.provider_name)
    if request.custom_role_arn:
        return _choose_custom(request.custom_role_arn, roles, "one of the SAML roles", trace)
    if len(roles) == 1:
        trace.note(f"using the only SAML role {roles[0]}")
        return trace.grant(roles[0], "saml")
    return trace.deny("saml", "the SAML assertion lists several roles and no CustomRoleArn chooses one")


def _mapping_for(login: LoginClaims,
                 role_mappings: Mapping[str, Mapping]) -> tuple[str | None, Mapping | None]:
    for key in login.mapping_keys or (login.provider_name,):
        if key in role_mappings:
            return key, role_mappings[key]
    return None, None


def resolve_role(request: RoleRequest) -> RoleDecision:
    """Choose the role for a GetCredentialsForIdentity request (enhanced flow), with its explanation."""
    trace = _Trace()
    if request.kind == "unauthenticated":
        trace.note("guest identity: the pool's default unauthenticated role is used")
        return _default_role(request, "unauthenticated", trace)
    if request.kind == "developer":
        trace.note("developer-authenticated identity: the pool's default authenticated role is used")
        return _default_role(request, "authenticated", trace)
    if request.kind != "authenticated":
        raise ValueError(f"unknown identity kind {request.kind!r}")
    for number, login in enumerate(request.logins, start=1):
        provider = login.provider_name
        label = f"login {number} ({provider})"
        key, mapping = _mapping_for(login, request.role_mappings)
        if mapping is not None:
            kind = mapping.get("Type")
            trace.note(f"{label} uses role mapping {key!r} of type {kind}", provider=provider)
            if kind == "Token":
                return _apply_token(request, login, mapping, trace)
            if kind == "Rules":
                return _apply_rules(request, login, mapping, trace)
            return trace.misconfigured("rule", f"role mapping type {kind!r} is not Token or Rules")
        if login.saml_roles:
            trace.note(f"{label} has no role mapping but carries SAML roles", provider=provider)
            return _apply_saml(request, login, trace)
        trace.note(f"{label} has no role mapping", provider=provider)
    return _default_role(request, "authenticated", trace)


def _invalid_arn(arn: object) -> bool:
    return not isinstance(arn, str) or ROLE_ARN_PATTERN.fullmatch(arn) is None


def validate_roles(roles: Mapping[str, str]) -> list[str]:
    """InvalidParameterException messages for a SetIdentityPoolRoles ``Roles`` map (empty when valid)."""
    problems = []
    for kind, arn in roles.items():
        if kind not in ("authenticated", "unauthenticated"):
            problems.append(f"Invalid role type {kind!r}: expected 'authenticated' or 'unauthenticated'.")
        if _invalid_arn(arn):
            problems.append(f"Role ARN {arn!r} for {kind!r} is not a valid IAM role ARN.")
    return problems


def validate_role_mappings(role_mappings: Mapping[str, Mapping]) -> list[str]:
    """InvalidParameterException messages for a SetIdentityPoolRoles ``RoleMappings`` map."""
    problems = []
    if len(role_mappings) > MAX_ROLE_MAPPINGS:
        problems.append(f"RoleMappings has {len(role_mappings)} entries; at most {MAX_ROLE_MAPPINGS} "
                        "identity providers can have role mappings.")
    for key, mapping in role_mappings.items():
        kind = mapping.get("Type")
        if kind in ("Token", "Rules") and not mapping.get("AmbiguousRoleResolution"):
            problems.append(f"AmbiguousRoleResolution is required for role mapping {key!r} of type {kind}.")
        if kind != "Rules":
            continue
        rules = (mapping.get("RulesConfiguration") or {}).get("Rules")
        if not rules:
            problems.append(f"RulesConfiguration with at least one rule is required for role mapping {key!r} "
                            "of type Rules.")
            continue
        if len(rules) > MAX_RULES_PER_PROVIDER:
            problems.append(f"Role mapping {key!r} has {len(rules)} rules; at most {MAX_RULES_PER_PROVIDER} "
                            "rules are allowed per identity provider.")
        for number, rule in enumerate(rules, start=1):
            if _invalid_arn(rule.get("RoleARN")):
                problems.append(f"Rule {number} of role mapping {key!r} has an invalid role ARN "
                                f"{rule.get('RoleARN')!r}.")
    return problems
