"""User-pool groups → IAM roles: the role claims Cognito puts in a group member's ID token, and why.

Owns :class:`Group` (a user-pool group: name, IAM role, precedence), :func:`role_claims` — for the groups a
user is in, the ``cognito:roles`` and ``cognito:preferred_role`` a Cognito user pool issues, with the reason
in words — :func:`explain_token_role`, which says what an identity pool's **Token** mapping makes of those
claims (the preferred role; a ``CustomRoleArn`` that must be among ``cognito:roles``; otherwise the mapping's
``AmbiguousRoleResolution``), and :func:`lint_group_roles`, the group roles an identity pool cannot hand out
because their trust policy does not trust this pool's authenticated identities (``core.trust_lint``).

AWS's documented rule (Cognito developer guide, "Adding groups to a user pool"): a group with a lower
``Precedence`` takes precedence over higher or unset ones; ``cognito:preferred_role`` is the role of the
highest-precedence group with a role; when several groups share that precedence with *different* roles, it
is not set. ``cognito:roles`` lists the roles of all the user's groups. The role engine (``core.roles``)
decides from the claims alone; this module explains where the claims came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cognito_desk.core.trust_lint import lint_trust_policy

__all__ = ["Group", "GroupRoleFinding", "RoleClaims", "explain_token_role", "lint_group_roles", "role_claims"]


@dataclass(frozen=True)
class Group:
    name: str
    role_arn: str = ""
    precedence: int | None = None

    @classmethod
    def from_wire(cls, raw: Mapping) -> Group:
        """A ``ListGroups`` / ``GetGroup`` entry."""
        precedence = raw.get("Precedence")
        return cls(str(raw.get("GroupName", "")), str(raw.get("RoleArn") or ""),
                   int(precedence) if isinstance(precedence, int | float) else None)

    @property
    def rank(self) -> float:
        return float("inf") if self.precedence is None else float(self.precedence)

    def describe(self) -> str:
        where = f"precedence {self.precedence}" if self.precedence is not None else "no precedence"
        return f"{self.name} ({where}, {'role ' + self.role_arn if self.role_arn else 'no role'})"


@dataclass(frozen=True)
class RoleClaims:
    roles: tuple[str, ...]
    preferred_role: str | None
    #: Why ``preferred_role`` is what it is, one sentence.
    reason: str


def role_claims(groups: Iterable[Group]) -> RoleClaims:
    """The ``cognito:roles`` / ``cognito:preferred_role`` a member of ``groups`` gets, and why."""
    ordered = sorted(groups, key=lambda g: (g.rank, g.name))
    with_roles = [g for g in ordered if g.role_arn]
    roles = tuple(dict.fromkeys(g.role_arn for g in with_roles))
    if not ordered:
        return RoleClaims((), None, "The user is in no group: the token has no cognito:roles.")
    if not with_roles:
        return RoleClaims((), None, "None of the user's groups has an IAM role: the token has no cognito:roles.")
    best = with_roles[0]
    tied = [g for g in with_roles if g.rank == best.rank]
    if len({g.role_arn for g in tied}) > 1:
        names = ", ".join(g.name for g in tied)
        return RoleClaims(roles, None, f"{names} share the highest precedence with different roles: Cognito sets "
                                       "no cognito:preferred_role (the identity pool's mapping must resolve it).")
    others = [g for g in with_roles if g.rank != best.rank]
    beaten = f" over {', '.join(g.describe() for g in others)}" if others else ""
    return RoleClaims(roles, best.role_arn, f"{best.describe()} takes precedence{beaten}.")


def explain_token_role(claims: Mapping, *, ambiguous: str, default_role: str | None,
                       custom_role_arn: str | None = None, groups: Sequence[Group] = ()) -> list[str]:
    """What a Token mapping makes of a user-pool token's role claims, step by step (``ambiguous`` is the
    mapping's ``AmbiguousRoleResolution``). ``groups`` (the pool's groups, when known) explain the claims."""
    roles = claims.get("cognito:roles")
    roles = [str(r) for r in roles] if isinstance(roles, list) else ([str(roles)] if roles else [])
    preferred = claims.get("cognito:preferred_role")
    member_of = claims.get("cognito:groups")
    lines = []
    if groups and isinstance(member_of, list):
        known = {g.name: g for g in groups}
        mine = [known.get(str(name), Group(str(name))) for name in member_of]
        lines.append(f"Groups: {', '.join(g.describe() for g in mine) or 'none'}. {role_claims(mine).reason}")
    lines.append(f"cognito:roles is {', '.join(roles) if roles else 'absent'}; "
                 f"cognito:preferred_role is {preferred or 'absent'}.")
    if custom_role_arn:
        if custom_role_arn in roles:
            lines.append(f"CustomRoleArn {custom_role_arn} is in cognito:roles: that role is used.")
        else:
            lines.append(f"CustomRoleArn {custom_role_arn} is not in cognito:roles: the request is denied.")
        return lines
    if preferred:
        lines.append(f"The Token mapping uses cognito:preferred_role: {preferred}.")
    elif len(roles) == 1:
        lines.append(f"The Token mapping uses the only role in cognito:roles: {roles[0]}.")
    elif ambiguous == "AuthenticatedRole":
        lines.append("No preferred role and " + ("no roles" if not roles else "several roles") + ": ambiguous, "
                     f"so the pool's authenticated role is used ({default_role or 'none set'}).")
    else:
        lines.append("No preferred role and " + ("no roles" if not roles else "several roles") + ": ambiguous, "
                     "and the mapping says Deny — the sign-in is refused.")
    return lines


@dataclass(frozen=True)
class GroupRoleFinding:
    group: str
    role_arn: str
    message: str


def lint_group_roles(groups: Iterable[Group], trust_policies: Mapping[str, str | Mapping | None],
                     pool_id: str) -> list[GroupRoleFinding]:
    """Group roles this identity pool cannot hand out: not among the account's roles, or not trusting the pool's
    authenticated identities (``trust_policies`` maps the account's role ARNs → trust policy document)."""
    found = []
    for group in groups:
        if not group.role_arn:
            continue
        document = trust_policies.get(group.role_arn)
        if document is None:
            found.append(GroupRoleFinding(group.name, group.role_arn, f"Group {group.name}'s role {group.role_arn} "
                                          "is not among this account's roles (deleted, or another account's)."))
            continue
        for finding in lint_trust_policy(document, pool_id=pool_id, slot="authenticated"):
            if finding.severity == "error":
                found.append(GroupRoleFinding(group.name, group.role_arn, f"Group {group.name}'s role is not usable "
                                                                          f"by this pool: {finding.message}"))
    return found
