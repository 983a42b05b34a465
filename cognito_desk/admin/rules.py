"""The Roles & rules form: a pool's default roles and its role mappings, as the editor holds them before saving.

Owns :class:`RolesForm` (default ``authenticated`` / ``unauthenticated`` role ARNs and at most ten
:class:`RoleMapping` entries keyed by provider name or IAM provider ARN), :class:`RoleMapping` (type Token or
Rules, ``AmbiguousRoleResolution``, at most 25 ordered :class:`Rule` rows with add / remove / move), the
conversion from a ``GetIdentityPoolRoles`` answer and to a ``SetIdentityPoolRoles`` request, and
:meth:`RolesForm.problems` — the checks AWS applies before saving: botocore's model constraints (through the
service's own :class:`~cognito_desk.core.validation.Validator`, so lengths, patterns and enums are never
retyped) then the role engine's semantic checks (``core.roles.validate_roles`` / ``validate_role_mappings``),
each problem named with the exception AWS would answer.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field

from cognito_desk.core import errors, roles
from cognito_desk.core.validation import Validator, load_service_model

MATCH_TYPES = ("Equals", "Contains", "StartsWith", "NotEqual")
MAPPING_TYPES = ("Token", "Rules")
AMBIGUOUS_RESOLUTIONS = ("AuthenticatedRole", "Deny")
SLOTS = ("authenticated", "unauthenticated")
RULE_LIMIT_MESSAGE = f"A role mapping holds at most {roles.MAX_RULES_PER_PROVIDER} rules."


class LimitReached(ValueError):
    """Adding would exceed one of AWS's limits (25 rules per provider, 10 role mappings per pool)."""


@dataclass(frozen=True)
class Problem:
    """A reason AWS would refuse the save: the exception name and its message."""

    code: str
    message: str


@dataclass
class Rule:
    """One Rules-type rule: when ``claim`` ``match_type`` ``value``, the login gets ``role_arn``."""

    claim: str = ""
    match_type: str = "Equals"
    value: str = ""
    role_arn: str = ""

    def to_api(self) -> dict:
        return {"Claim": self.claim, "MatchType": self.match_type, "Value": self.value, "RoleARN": self.role_arn}

    @classmethod
    def from_api(cls, rule: Mapping) -> Rule:
        return cls(rule.get("Claim", ""), rule.get("MatchType", "Equals"), rule.get("Value", ""),
                   rule.get("RoleARN", ""))


@dataclass
class RoleMapping:
    """The role mapping of one provider: Token (roles from ``cognito:roles``) or ordered Rules."""

    type: str = "Rules"
    ambiguous_role_resolution: str = "AuthenticatedRole"
    rules: list[Rule] = field(default_factory=list)

    def add_rule(self, rule: Rule | None = None, at: int | None = None) -> Rule:
        """Insert ``rule`` (a blank one by default) at ``at`` (the end by default); the 26th is refused."""
        if self.room() < 1:
            raise LimitReached(RULE_LIMIT_MESSAGE)
        rule = rule or Rule()
        self.rules.insert(len(self.rules) if at is None else at, rule)
        return rule

    def room(self) -> int:
        """How many more rules fit."""
        return roles.MAX_RULES_PER_PROVIDER - len(self.rules)

    def remove_rule(self, index: int) -> Rule:
        return self.rules.pop(index)

    def move_rule(self, source: int, destination: int) -> None:
        """Move the rule at ``source`` so that it ends up at index ``destination`` (rule order decides)."""
        if not (0 <= source < len(self.rules) and 0 <= destination < len(self.rules)):
            raise IndexError(f"cannot move rule {source + 1} to position {destination + 1} of {len(self.rules)}")
        self.rules.insert(destination, self.rules.pop(source))

    def to_api(self) -> dict:
        mapping: dict = {"Type": self.type, "AmbiguousRoleResolution": self.ambiguous_role_resolution}
        if self.type == "Rules":
            mapping["RulesConfiguration"] = {"Rules": [rule.to_api() for rule in self.rules]}
        return mapping

    @classmethod
    def from_api(cls, mapping: Mapping) -> RoleMapping:
        rules = (mapping.get("RulesConfiguration") or {}).get("Rules") or []
        return cls(mapping.get("Type", "Rules"), mapping.get("AmbiguousRoleResolution", "AuthenticatedRole"),
                   [Rule.from_api(rule) for rule in rules])


@functools.cache
def validator() -> Validator:
    """The service's own request validator for cognito-identity (compiled once)."""
    return Validator(load_service_model("cognito-identity"))


@dataclass
class RolesForm:
    """What the Roles & rules tab edits for one pool (everything ``SetIdentityPoolRoles`` replaces)."""

    pool_id: str
    default_roles: dict[str, str] = field(default_factory=dict)
    mappings: dict[str, RoleMapping] = field(default_factory=dict)

    @classmethod
    def from_api(cls, answer: Mapping) -> RolesForm:
        """From a ``GetIdentityPoolRoles`` answer."""
        return cls(answer["IdentityPoolId"], dict(answer.get("Roles") or {}),
                   {key: RoleMapping.from_api(m) for key, m in (answer.get("RoleMappings") or {}).items()})

    def add_mapping(self, provider: str, mapping: RoleMapping | None = None) -> RoleMapping:
        if provider in self.mappings:
            raise ValueError(f"{provider!r} already has a role mapping")
        if len(self.mappings) >= roles.MAX_ROLE_MAPPINGS:
            raise LimitReached(f"At most {roles.MAX_ROLE_MAPPINGS} identity providers can have role mappings.")
        self.mappings[provider] = mapping or RoleMapping()
        return self.mappings[provider]

    def remove_mapping(self, provider: str) -> RoleMapping:
        return self.mappings.pop(provider)

    def set_default_role(self, slot: str, arn: str | None) -> None:
        if slot not in SLOTS:
            raise ValueError(f"slot must be one of {SLOTS}, not {slot!r}")
        if arn:
            self.default_roles[slot] = arn
        else:
            self.default_roles.pop(slot, None)

    def role_mappings(self) -> dict[str, dict]:
        return {key: mapping.to_api() for key, mapping in self.mappings.items()}

    def to_request(self) -> dict:
        """The ``SetIdentityPoolRoles`` parameters this form would send."""
        request: dict = {"IdentityPoolId": self.pool_id, "Roles": dict(self.default_roles)}
        if self.mappings:
            request["RoleMappings"] = self.role_mappings()
        return request

    def problems(self) -> list[Problem]:
        """Why AWS would refuse the save (empty when it would accept it): model constraints, then semantics."""
        request = self.to_request()
        found: list[Problem] = []
        try:
            validator().validate("SetIdentityPoolRoles", request)
        except errors.AwsError as exc:
            found.append(Problem(exc.code, exc.message))
        semantic = roles.validate_roles(request["Roles"])
        semantic += roles.validate_role_mappings(request.get("RoleMappings", {}))
        found.extend(Problem("InvalidParameterException", message) for message in semantic)
        return found
