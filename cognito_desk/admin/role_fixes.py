"""The fix a refused sign-in offers for the role Cognito tried: create the role, or fix its trust policy.

Owns :func:`role_fix`, the Qt-free decision behind the Tester's failed-run actions: from the run's error, the pool's
roles (``GetIdentityPoolRoles``), its ``Logins`` and the role the run predicted, the role Cognito tried (the
service's notes first, as the explanation names it: ``core.explain.refused_role``) and the slot it serves (the
Roles & rules tab's :func:`~cognito_desk.admin.role_trust.roles_in_use`) give :class:`RoleFix` ``create`` when IAM
has no such role, ``trust`` when its trust policy refused this pool's token, None otherwise. For ``trust``,
:func:`plan_trust_fix` reads the role's policy and applies the trust lint's fixes (``role_trust.lint_role``) one
after another: the :class:`TrustFix` whose diff the user sees before ``UpdateAssumeRolePolicy``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cognito_desk.admin.role_trust import fix_diff, lint_role, load_trust_policies, role_name, roles_in_use
from cognito_desk.admin.rules import RolesForm
from cognito_desk.aws import IamClient
from cognito_desk.core import errors
from cognito_desk.core.explain import ROLE_REFUSALS, TriedRole, refused_role

__all__ = ["RoleFix", "TrustFix", "plan_trust_fix", "role_fix", "trust_fix"]

#: More fixes than any policy needs: the lint's fixes each remove one finding, so this only stops a loop.
MAX_FIXES = 10


@dataclass(frozen=True)
class RoleFix:
    """What the failed run's result offers: ``create`` the missing role, or fix the ``trust`` policy that refused."""

    kind: str  # "create" | "trust"
    role_arn: str
    #: The slot the role serves for this pool (``authenticated`` / ``unauthenticated``): its trust policy's amr.
    slot: str

    @property
    def name(self) -> str:
        return role_name(self.role_arn)

    @property
    def label(self) -> str:
        return f"Create {self.name} trusted by this pool" if self.kind == "create" else "Fix the trust policy…"


@dataclass(frozen=True)
class TrustFix:
    """A trust policy and the lint's fixes applied to it: what the diff shows and ``UpdateAssumeRolePolicy`` stores."""

    role_arn: str
    document: dict
    fixed: dict
    #: The findings fixed, in words.
    fixed_findings: tuple[str, ...]

    @property
    def diff(self) -> str:
        return fix_diff(self.document, self.fixed, f"{role_name(self.role_arn)} trust policy")


def role_fix(error: BaseException, *, roles: Mapping[str, Any], logins: Mapping[str, str],
             tried_role: TriedRole | None) -> RoleFix | None:
    """The fix for a run that ended with ``error``, or None when no role fix applies (or it is not known which)."""
    if not isinstance(error, errors.AwsError) or error.code not in ROLE_REFUSALS:
        return None
    tried = refused_role(error, roles=roles, tried_role=tried_role)
    if tried is None or not tried.arn.startswith("arn:") or ":role/" not in tried.arn:
        return None
    kind = "create" if tried.exists is False else "trust" if tried.refusal else None
    if kind is None:
        return None
    slots = roles_in_use(RolesForm.from_api({**roles, "IdentityPoolId": roles.get("IdentityPoolId", "")}))
    return RoleFix(kind, tried.arn, slots.get(tried.arn) or ("authenticated" if logins else "unauthenticated"))


def trust_fix(document: Mapping, *, pool_id: str, slot: str) -> tuple[dict, tuple[str, ...]] | None:
    """``document`` with every finding the lint can fix fixed, and those findings; None when none can be."""
    fixed, done = dict(document), []
    for _ in range(MAX_FIXES):
        fixable = [f for f in lint_role(fixed, pool_id=pool_id, slot=slot, uses_principal_tags=False)
                   if f.fix is not None]
        if not fixable:
            break
        fixed = fixable[0].fix
        done.append(fixable[0].message)
    return (fixed, tuple(done)) if done else None


async def plan_trust_fix(iam: IamClient, fix: RoleFix, *, pool_id: str) -> TrustFix:
    """Read the role's trust policy (IAM ``GetRole``) and work out its fix; a clear error when there is none."""
    document = (await load_trust_policies(iam, [fix.role_arn]))[fix.role_arn]
    if document is None:
        raise errors.CognitoDeskError(f"The role {fix.name} does not exist in IAM any more: create it trusted by "
                                      "this pool instead.")
    planned = trust_fix(document, pool_id=pool_id, slot=fix.slot)
    if planned is None:
        raise errors.CognitoDeskError(f"The trust policy of {fix.name} has no automatic fix: edit it in Roles & "
                                      "rules, where the lint shows what refuses this pool.")
    return TrustFix(fix.role_arn, dict(document), *planned)
