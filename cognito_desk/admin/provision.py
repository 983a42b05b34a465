"""Making a pool with its roles, in the only order that works, and undoing it when a step fails.

New roles trust the pool by its ID, which exists only once the pool does, so :func:`provision` creates the
pool first, then each new role (its trust policy made for the new pool ID, then its inline permissions
policies, if any), then attaches the roles and role
mappings (``SetIdentityPoolRoles``) and the principal-tag maps. The wizard and import both describe what to
make as a :class:`Provisioning`; roles not yet made are referred to by :func:`new_role_ref` placeholders
wherever an ARN goes. A failing step raises :class:`ProvisioningFailed`, which says what exists and which
step failed; :func:`roll_back` deletes what was made (roles with their inline policies first, then the pool).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..aws import CognitoIdentityClient, IamClient
from ..core import errors
from .diff import map_leaves
from .pools import send_pool_request

_REF_PREFIX = "new-role:"


def new_role_ref(key: str) -> str:
    """The placeholder that stands for the ARN of the new role ``key`` until it is created."""
    return _REF_PREFIX + key


@dataclass(frozen=True)
class NewRole:
    """A role to create once the pool ID is known."""

    key: str
    name: str
    trust: Callable[[str], dict]
    path: str | None = None
    description: str | None = None
    max_session_duration: int | None = None
    #: ``(policy name, document)`` of the inline permissions policies to put on the new role.
    inline_policies: tuple[tuple[str, dict], ...] = ()


@dataclass
class Provisioning:
    """What to make: the ``CreateIdentityPool`` request, new roles, role attachments and principal-tag maps."""

    create_request: dict[str, Any]
    new_roles: list[NewRole] = field(default_factory=list)
    roles: dict[str, str] = field(default_factory=dict)
    role_mappings: dict[str, Any] = field(default_factory=dict)
    principal_tags: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Created:
    """What exists so far: the pool (its description) and the ARN of each new role by key."""

    pool: dict[str, Any] | None = None
    role_arns: dict[str, str] = field(default_factory=dict)
    role_names: dict[str, str] = field(default_factory=dict)
    #: Inline policy names put on each new role, by key.
    role_policies: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> list[str]:
        lines = [f"Identity pool {self.pool['IdentityPoolName']} ({self.pool['IdentityPoolId']})"] if self.pool else []
        return lines + [f"IAM role {arn}" for arn in self.role_arns.values()]


class ProvisioningFailed(errors.CognitoDeskError):
    """A step failed: ``step`` says which, ``created`` what exists, ``cause`` the error."""

    def __init__(self, step: str, created: Created, cause: BaseException) -> None:
        made = "; ".join(created.summary()) or "nothing"
        super().__init__(f"{step} failed ({cause}). Already created: {made}.")
        self.step, self.created, self.cause = step, created, cause


def resolve_refs(value: Any, arns: dict[str, str]) -> Any:
    """``value`` with every new-role placeholder replaced by the created role's ARN."""
    return map_leaves(value, lambda leaf: arns[leaf[len(_REF_PREFIX):]]
                      if isinstance(leaf, str) and leaf.startswith(_REF_PREFIX) else leaf)


async def provision(identity: CognitoIdentityClient, iam: IamClient, plan: Provisioning,
                    progress: Callable[[str], None] | None = None) -> Created:
    """Create the pool, then its new roles, then attach roles, mappings and principal-tag maps."""
    created = Created()
    say = progress or (lambda step: None)
    step = f"Creating identity pool {plan.create_request.get('IdentityPoolName')}"
    try:
        say(step)
        request = plan.create_request
        created.pool = await send_pool_request(identity, "CreateIdentityPool", request)
        pool_id = created.pool["IdentityPoolId"]
        for role in plan.new_roles:
            step = f"Creating IAM role {role.name}"
            say(step)
            made = await iam.create_role(role_name=role.name, assume_role_policy_document=role.trust(pool_id),
                                         path=role.path, description=role.description,
                                         max_session_duration=role.max_session_duration)
            created.role_arns[role.key] = made["Role"]["Arn"]
            created.role_names[role.key] = role.name
            for policy_name, document in role.inline_policies:
                step = f"Adding permissions policy {policy_name} to IAM role {role.name}"
                say(step)
                await iam.put_role_policy(role_name=role.name, policy_name=policy_name, policy_document=document)
                created.role_policies.setdefault(role.key, []).append(policy_name)
        if plan.roles or plan.role_mappings:
            step = "Attaching roles to the pool (SetIdentityPoolRoles)"
            say(step)
            await identity.set_identity_pool_roles(
                identity_pool_id=pool_id, roles=resolve_refs(plan.roles, created.role_arns),
                role_mappings=resolve_refs(plan.role_mappings, created.role_arns) or None)
        for tag_map in plan.principal_tags:
            step = f"Setting principal tags for {tag_map['IdentityProviderName']}"
            say(step)
            await identity.set_principal_tag_attribute_map(
                identity_pool_id=pool_id, identity_provider_name=tag_map["IdentityProviderName"],
                use_defaults=tag_map.get("UseDefaults"), principal_tags=tag_map.get("PrincipalTags"))
    except errors.CognitoDeskError as exc:
        raise ProvisioningFailed(step, created, exc) from exc
    return created


async def _delete_inline_policies(iam: IamClient, role_name: str, names: list[str]) -> None:
    """Delete the inline policies ``names`` of a role (IAM refuses to delete a role that has any)."""
    for policy_name in list(names):
        try:
            await iam.delete_role_policy(role_name=role_name, policy_name=policy_name)
        except errors.NoSuchEntity:
            pass
        names.remove(policy_name)


async def roll_back(identity: CognitoIdentityClient, iam: IamClient, created: Created) -> list[str]:
    """Delete what :func:`provision` made (roles, then the pool); the lines say what could not be deleted."""
    left: list[str] = []
    for key, name in list(created.role_names.items()):
        try:
            await _delete_inline_policies(iam, name, created.role_policies.get(key, []))
            await iam.delete_role(role_name=name)
        except errors.NoSuchEntity:
            pass
        except errors.CognitoDeskError as exc:
            left.append(f"IAM role {name}: {exc}")
            continue
        del created.role_names[key], created.role_arns[key]
    if created.pool is not None:
        try:
            await identity.delete_identity_pool(identity_pool_id=created.pool["IdentityPoolId"])
        except errors.ResourceNotFoundException:
            pass
        except errors.CognitoDeskError as exc:
            left.append(f"Identity pool {created.pool['IdentityPoolId']}: {exc}")
            return left
        created.pool = None
    return left

