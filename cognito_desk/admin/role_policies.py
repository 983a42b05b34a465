"""A role's effective identity policies, loaded in one go: what the permission evaluator and the
Permissions view read.

Owns :class:`RolePolicies` (the role and every permissions policy it has: inline ones by name,
attached managed ones — customer or AWS managed — at their *default* version) and
:func:`load_role_policies`, which gathers them through the connection's IAM client with the calls
IAM offers (``GetRole``, ``ListRolePolicies``/``GetRolePolicy``, ``ListAttachedRolePolicies``/
``GetPolicy``/``GetPolicyVersion``), following paging, so it works the same on AWS, the embedded
service and moto. Documents arrive URL-decoded and parsed (IAM sends them URL-encoded). Permission
boundaries and service control policies are not loaded: the Permissions view names them as not
evaluated.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cognito_desk.aws import IamClient

INLINE = "inline"
MANAGED = "managed"


@dataclass(frozen=True)
class RolePolicy:
    """One permissions policy of a role."""

    kind: str  # INLINE or MANAGED
    name: str
    document: Mapping[str, Any]
    #: Managed policies only: the policy's ARN and the default version that is in force.
    arn: str | None = None
    version_id: str | None = None

    @property
    def aws_managed(self) -> bool:
        return self.arn is not None and ":iam::aws:policy/" in self.arn

    @property
    def label(self) -> str:
        """How the policy is named on screen: ``inline: <name>``, ``<name> (AWS managed)`` or the name."""
        if self.kind == INLINE:
            return f"inline: {self.name}"
        return f"{self.name} (AWS managed)" if self.aws_managed else self.name


@dataclass(frozen=True)
class RolePolicies:
    """A role and its permissions policies: inline ones first (by name), then attached ones (by name)."""

    role_name: str
    role_arn: str
    role_id: str
    policies: tuple[RolePolicy, ...]
    #: The role's trust policy (``AssumeRolePolicyDocument``), read by the same ``GetRole``.
    trust_policy: Mapping[str, Any] = field(default_factory=dict)

    @property
    def inline(self) -> tuple[RolePolicy, ...]:
        return tuple(policy for policy in self.policies if policy.kind == INLINE)

    @property
    def managed(self) -> tuple[RolePolicy, ...]:
        return tuple(policy for policy in self.policies if policy.kind == MANAGED)


def role_name_of(role: str) -> str:
    """The role name of a role ARN (``arn:aws:iam::1:role/path/name`` → ``name``); a name stays as it is."""
    if role.startswith("arn:"):
        return role.partition(":role/")[2].rsplit("/", 1)[-1]
    return role


def _parsed(document: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(document, Mapping):
        raise ValueError(f"{what} is not a JSON policy document")
    return document


async def _inline(iam: IamClient, role_name: str, policy_name: str) -> RolePolicy:
    answer = await iam.get_role_policy(role_name=role_name, policy_name=policy_name)
    document = _parsed(answer.get("PolicyDocument"), f"inline policy {policy_name}")
    return RolePolicy(INLINE, policy_name, document)


async def _managed(iam: IamClient, attached: Mapping[str, str]) -> RolePolicy:
    arn = attached["PolicyArn"]
    version_id = (await iam.get_policy(policy_arn=arn))["Policy"]["DefaultVersionId"]
    version = (await iam.get_policy_version(policy_arn=arn, version_id=version_id))["PolicyVersion"]
    document = _parsed(version.get("Document"), f"managed policy {arn} version {version_id}")
    return RolePolicy(MANAGED, attached["PolicyName"], document, arn=arn, version_id=version_id)


async def load_role_policies(iam: IamClient, role: str) -> RolePolicies:
    """Every permissions policy of ``role`` (a name or an ARN); IAM's errors (``NoSuchEntity`` …) propagate."""
    name = role_name_of(role)
    described = (await iam.get_role(role_name=name))["Role"]
    names = sorted([policy_name async for policy_name in iam.iter_role_policy_names(role_name=name)])
    attached = sorted([policy async for policy in iam.iter_attached_role_policies(role_name=name)],
                      key=lambda policy: (policy["PolicyName"].lower(), policy["PolicyArn"]))
    inline = await asyncio.gather(*(_inline(iam, name, policy_name) for policy_name in names))
    managed = await asyncio.gather(*(_managed(iam, policy) for policy in attached))
    return RolePolicies(described["RoleName"], described["Arn"], described["RoleId"], (*inline, *managed),
                        described.get("AssumeRolePolicyDocument") or {})
