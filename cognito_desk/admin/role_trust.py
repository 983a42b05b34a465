"""The roles a pool uses and their trust policies: lint in context, fixes with a diff, roles made for the pool.

Owns :func:`roles_in_use` (which role ARNs the Roles & rules form names, in which slot: the default guest role is
``unauthenticated``, every other role serves signed-in users), :func:`lint_role` (``core.trust_lint`` with the
pool's standard policy from ``admin.trust`` as the fix for a policy that trusts no Cognito statement at all),
:func:`fix_diff` (the unified diff the editor shows before a fix is applied), and the IAM calls behind the tab:
:func:`load_trust_policies` (``GetRole`` per role, for the lint and the preview), :func:`apply_trust_fix`
(``UpdateAssumeRolePolicy``) and :func:`create_trusted_role` ("Create role trusted by this pool").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping

from cognito_desk.admin.rules import RolesForm
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.aws import IamClient
from cognito_desk.core import errors
from cognito_desk.core.trust_lint import Finding, format_policy, lint_trust_policy


def role_name(arn: str) -> str:
    """The role name of a role ARN (the last path segment)."""
    return arn.rsplit("/", 1)[-1]


def roles_in_use(form: RolesForm) -> dict[str, str]:
    """Role ARN → the slot it serves (``unauthenticated`` only for the default guest role)."""
    used: dict[str, str] = {}
    for mapping in form.mappings.values():
        for rule in mapping.rules:
            if rule.role_arn:
                used[rule.role_arn] = "authenticated"
    if form.default_roles.get("authenticated"):
        used[form.default_roles["authenticated"]] = "authenticated"
    guest = form.default_roles.get("unauthenticated")
    if guest and guest not in used:
        used[guest] = "unauthenticated"
    return used


def lint_role(document: object, *, pool_id: str, slot: str, uses_principal_tags: bool) -> list[Finding]:
    """The lint of one role's trust policy as this pool uses it."""
    return lint_trust_policy(document, pool_id=pool_id, slot=slot, uses_principal_tags=uses_principal_tags,
                             standard_policy=cognito_trust_policy(pool_id, slot, tag_session=uses_principal_tags))


def fix_diff(document: Mapping, fixed: Mapping, name: str = "trust policy") -> str:
    """Unified diff between the formatted policy and its fix."""
    return "".join(difflib.unified_diff(format_policy(document).splitlines(keepends=True),
                                        format_policy(fixed).splitlines(keepends=True),
                                        fromfile=f"{name} (now)", tofile=f"{name} (fixed)"))


async def load_trust_policies(iam: IamClient, arns: Iterable[str]) -> dict[str, dict | None]:
    """Role ARN → its trust policy (None when IAM has no such role)."""
    policies: dict[str, dict | None] = {}
    for arn in dict.fromkeys(arns):
        try:
            role = (await iam.get_role(role_name=role_name(arn)))["Role"]
        except errors.AwsError as exc:
            if exc.code != "NoSuchEntity":
                raise
            policies[arn] = None
            continue
        policies[arn] = role["AssumeRolePolicyDocument"]
    return policies


async def apply_trust_fix(iam: IamClient, role_arn: str, fixed: Mapping) -> None:
    """Replace the role's trust policy with ``fixed`` (IAM ``UpdateAssumeRolePolicy``)."""
    await iam.update_assume_role_policy(role_name=role_name(role_arn), policy_document=dict(fixed))


async def create_trusted_role(iam: IamClient, *, pool_id: str, slot: str, name: str,
                              tag_session: bool = True) -> str:
    """Create a role only this pool's ``slot`` identities can assume; returns its ARN."""
    role = await iam.create_role(role_name=name, assume_role_policy_document=cognito_trust_policy(
        pool_id, slot, tag_session=tag_session), description=f"Cognito identity pool {pool_id} ({slot})")
    return role["Role"]["Arn"]
