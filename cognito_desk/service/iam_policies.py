"""IAM managed policies of the embedded service: versions, attachment to roles, and listing.

Customer-managed policies live in ``iam_policies`` with their versions (at most
:data:`MAX_VERSIONS`, ids ``v1``, ``v2`` … never reused) in ``iam_policy_versions``; the AWS-managed
ones are the read-only built-in set of ``iam_aws_policies``. ``iam_role_attachments`` says which
policies a role has (at most :data:`MAX_POLICIES_PER_ROLE`). Handlers take and return botocore shapes
(``query.py`` does the wire and the model's validation; ``iam.authorize`` admits only the admin key);
documents are checked by ``iam.check_policy`` and returned URL-encoded, as IAM does. The evaluator
and the simulator read a role's attached documents with :func:`attached_documents`.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from ..core import errors
from . import iam_aws_policies
from .context import RequestContext
from .credentials import new_unique_id
from .iam import account_arn, check_policy, encoded, paged, request_tags, role_row, tagged

MAX_VERSIONS = 5
MAX_POLICIES_PER_ROLE = 10
#: Characters of a managed policy document, whitespace not counted.
MAX_POLICY_SIZE = 6144
_POLICY_ARN = re.compile(r"arn:[\w-]+:iam::(aws|\d{12}):policy(/[\x21-\x7e]*)?/[\w+=,.@-]+")


@dataclass(frozen=True)
class _Policy:
    """A managed policy of either kind, as the handlers need it."""

    arn: str
    name: str
    policy_id: str
    path: str
    description: str | None
    default_version: str
    tags: list[dict]
    created: float
    updated: float
    aws_managed: bool


def _built_in(ctx: RequestContext, arn: str) -> _Policy | None:
    policy = iam_aws_policies.find(arn)
    if policy is None or policy.arn(ctx.settings.partition) != arn:
        return None
    date = iam_aws_policies.BUILT_IN_DATE
    return _Policy(arn, policy.name, policy.policy_id, policy.path, policy.description,
                   iam_aws_policies.VERSION_ID, [], date, date, True)


def _from_row(row: sqlite3.Row) -> _Policy:
    return _Policy(row["arn"], row["name"], row["policy_id"], row["path"], row["description"],
                   row["default_version"], json.loads(row["tags"]), row["created"], row["updated"], False)


def _check_arn(arn: str) -> None:
    if not _POLICY_ARN.fullmatch(arn):
        raise errors.InvalidInput(f"ARN {arn} is not valid.")


def _find(ctx: RequestContext, arn: str) -> _Policy | None:
    built_in = _built_in(ctx, arn)
    if built_in is not None:
        return built_in
    row = ctx.store.query_one("SELECT * FROM iam_policies WHERE arn = ?", (arn,))
    return _from_row(row) if row is not None else None


def _policy(ctx: RequestContext, arn: str) -> _Policy:
    _check_arn(arn)
    policy = _find(ctx, arn)
    if policy is None:
        raise errors.NoSuchEntity(f"Policy {arn} was not found.")
    return policy


def own_policy(ctx: RequestContext, arn: str) -> _Policy:
    """A customer-managed policy, the only kind a caller may change."""
    policy = _policy(ctx, arn)
    if policy.aws_managed:
        raise errors.AccessDenied("Policy is outside your own account.")
    return policy


def _no_version(arn: str, version_id: str) -> errors.AwsError:
    return errors.NoSuchEntity(f"Policy {arn} version {version_id} does not exist or is not attachable.")


def _attachments(ctx: RequestContext, arn: str) -> int:
    row = ctx.store.query_one("SELECT count(*) FROM iam_role_attachments WHERE policy_arn = ?", (arn,))
    return int(row[0])


def _shape(ctx: RequestContext, policy: _Policy, *, detail: bool = True) -> dict:
    """The ``Policy`` shape; ``ListPolicies`` leaves out the description and tags (``detail=False``)."""
    shape = {"PolicyName": policy.name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
             "DefaultVersionId": policy.default_version, "AttachmentCount": _attachments(ctx, policy.arn),
             "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
             "CreateDate": policy.created, "UpdateDate": policy.updated}
    if not detail:
        return shape
    if policy.description:
        shape["Description"] = policy.description
    return tagged(shape, policy.tags)


def _versions(ctx: RequestContext, policy: _Policy) -> list[tuple[str, str, float]]:
    """``(version id, document, created)`` of every version, newest first."""
    if policy.aws_managed:
        built_in = iam_aws_policies.find(policy.arn)
        return [(iam_aws_policies.VERSION_ID, built_in.document, iam_aws_policies.BUILT_IN_DATE)]
    rows = ctx.store.query("SELECT version_id, document, created FROM iam_policy_versions WHERE policy_arn = ?",
                           (policy.arn,))
    found = [(row["version_id"], row["document"], row["created"]) for row in rows]
    return sorted(found, key=_newest_first)


def _newest_first(version: tuple[str, str, float]) -> str:
    """A sort (and paging) key that puts higher version numbers first."""
    return f"{10**9 - int(version[0][1:]):010d}"


def _check_document(document: str) -> None:
    check_policy(document)
    if len(re.sub(r"\s", "", document)) > MAX_POLICY_SIZE:
        raise errors.LimitExceeded(f"Cannot exceed quota for PolicySize: {MAX_POLICY_SIZE}")


# --- policies and versions ------------------------------------------------------------------------


def create_policy(ctx: RequestContext, params: dict) -> dict:
    name, path, document = params["PolicyName"], params.get("Path", "/"), params["PolicyDocument"]
    _check_document(document)
    tags = request_tags(params)
    arn = account_arn(ctx, f"policy{path}{name}")
    now = float(int(ctx.now()))
    with ctx.store.transaction() as conn:
        if conn.execute("SELECT 1 FROM iam_policies WHERE name = ?", (name,)).fetchone() is not None:
            raise errors.EntityAlreadyExists(f"A policy called {name} already exists. Duplicate names are not allowed.")
        conn.execute(
            "INSERT INTO iam_policies (arn, name, policy_id, path, description, default_version, next_version,"
            " tags, created, updated) VALUES (?, ?, ?, ?, ?, 'v1', 2, ?, ?, ?)",
            (arn, name, new_unique_id("ANPA"), path, params.get("Description"), json.dumps(tags), now, now))
        conn.execute("INSERT INTO iam_policy_versions (policy_arn, version_id, document, created)"
                     " VALUES (?, 'v1', ?, ?)", (arn, document, now))
    ctx.log_notes.append(f"policy={arn}")
    return {"Policy": _shape(ctx, _policy(ctx, arn))}


def get_policy(ctx: RequestContext, params: dict) -> dict:
    return {"Policy": _shape(ctx, _policy(ctx, params["PolicyArn"]))}


def _version_shape(policy: _Policy, version: tuple[str, str, float], *, document: bool) -> dict:
    version_id, text, created = version
    shape = {"VersionId": version_id, "IsDefaultVersion": version_id == policy.default_version,
             "CreateDate": created}
    return {"Document": encoded(text), **shape} if document else shape


def _version(ctx: RequestContext, policy: _Policy, version_id: str) -> tuple[str, str, float]:
    for version in _versions(ctx, policy):
        if version[0] == version_id:
            return version
    raise _no_version(policy.arn, version_id)


def get_policy_version(ctx: RequestContext, params: dict) -> dict:
    policy = _policy(ctx, params["PolicyArn"])
    version = _version(ctx, policy, params["VersionId"])
    return {"PolicyVersion": _version_shape(policy, version, document=True)}


def list_policy_versions(ctx: RequestContext, params: dict) -> dict:
    policy = _policy(ctx, params["PolicyArn"])
    shown, paging = paged(_versions(ctx, policy), params, key=_newest_first)
    return {"Versions": [_version_shape(policy, version, document=False) for version in shown], **paging}


def create_policy_version(ctx: RequestContext, params: dict) -> dict:
    document = params["PolicyDocument"]
    _check_document(document)
    now = float(int(ctx.now()))
    with ctx.store.transaction() as conn:
        policy = own_policy(ctx, params["PolicyArn"])
        if len(_versions(ctx, policy)) >= MAX_VERSIONS:
            raise errors.LimitExceeded(f"A managed policy can have up to {MAX_VERSIONS} versions. Before you "
                                       "create a new version, you must delete an existing version.")
        number = conn.execute("SELECT next_version FROM iam_policies WHERE arn = ?", (policy.arn,)).fetchone()[0]
        version_id = f"v{number}"
        conn.execute("INSERT INTO iam_policy_versions (policy_arn, version_id, document, created) VALUES (?, ?, ?, ?)",
                     (policy.arn, version_id, document, now))
        conn.execute("UPDATE iam_policies SET next_version = ? WHERE arn = ?", (number + 1, policy.arn))
        if params.get("SetAsDefault"):
            conn.execute("UPDATE iam_policies SET default_version = ?, updated = ? WHERE arn = ?",
                         (version_id, now, policy.arn))
    policy = _policy(ctx, policy.arn)
    return {"PolicyVersion": _version_shape(policy, (version_id, document, now), document=False)}


def set_default_policy_version(ctx: RequestContext, params: dict) -> dict:
    with ctx.store.transaction() as conn:
        policy = own_policy(ctx, params["PolicyArn"])
        version_id = _version(ctx, policy, params["VersionId"])[0]
        conn.execute("UPDATE iam_policies SET default_version = ?, updated = ? WHERE arn = ?",
                     (version_id, float(int(ctx.now())), policy.arn))
    return {}


def delete_policy_version(ctx: RequestContext, params: dict) -> dict:
    with ctx.store.transaction() as conn:
        policy = own_policy(ctx, params["PolicyArn"])
        version_id = _version(ctx, policy, params["VersionId"])[0]
        if version_id == policy.default_version:
            raise errors.DeleteConflict("Cannot delete the default version of a policy.")
        conn.execute("DELETE FROM iam_policy_versions WHERE policy_arn = ? AND version_id = ?",
                     (policy.arn, version_id))
    return {}


def delete_policy(ctx: RequestContext, params: dict) -> dict:
    with ctx.store.transaction() as conn:
        policy = own_policy(ctx, params["PolicyArn"])
        if _attachments(ctx, policy.arn):
            raise errors.DeleteConflict("Cannot delete a policy attached to entities.")
        if len(_versions(ctx, policy)) > 1:
            raise errors.DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must delete the policy's "
                "versions. The default version is deleted with the policy.")
        conn.execute("DELETE FROM iam_policies WHERE arn = ?", (policy.arn,))
    ctx.log_notes.append(f"policy={policy.arn}")
    return {}


def _all_policies(ctx: RequestContext, scope: str) -> list[_Policy]:
    found: list[_Policy] = []
    if scope in ("All", "AWS"):
        partition = ctx.settings.partition
        found += [_built_in(ctx, policy.arn(partition)) for policy in iam_aws_policies.POLICIES]
    if scope in ("All", "Local"):
        found += [_from_row(row) for row in ctx.store.query("SELECT * FROM iam_policies")]
    return found


def list_policies(ctx: RequestContext, params: dict) -> dict:
    prefix = params.get("PathPrefix", "/")
    policies = [policy for policy in _all_policies(ctx, params.get("Scope", "All"))
                if policy.path.startswith(prefix)]
    if params.get("PolicyUsageFilter") == "PermissionsBoundary":
        policies = []  # no role here has a permissions boundary
    if params.get("OnlyAttached"):
        policies = [policy for policy in policies if _attachments(ctx, policy.arn)]
    policies.sort(key=lambda policy: (policy.name.lower(), policy.arn))
    shown, paging = paged(policies, params, key=lambda policy: f"{policy.name.lower()}\0{policy.arn}")
    return {"Policies": [_shape(ctx, policy, detail=False) for policy in shown], **paging}


# --- attachments ---------------------------------------------------------------------------------


def attach_role_policy(ctx: RequestContext, params: dict) -> dict:
    arn = params["PolicyArn"]
    _check_arn(arn)
    with ctx.store.transaction() as conn:
        name = role_row(ctx, params["RoleName"])["name"]
        if _find(ctx, arn) is None:
            raise errors.NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
        attached = conn.execute("SELECT policy_arn FROM iam_role_attachments WHERE role_name = ?", (name,)).fetchall()
        if arn in {row[0] for row in attached}:
            return {}
        if len(attached) >= MAX_POLICIES_PER_ROLE:
            raise errors.LimitExceeded(f"Cannot exceed quota for PoliciesPerRole: {MAX_POLICIES_PER_ROLE}")
        conn.execute("INSERT INTO iam_role_attachments (role_name, policy_arn, attached) VALUES (?, ?, ?)",
                     (name, arn, ctx.now()))
    return {}


def detach_role_policy(ctx: RequestContext, params: dict) -> dict:
    arn = params["PolicyArn"]
    _check_arn(arn)
    with ctx.store.transaction() as conn:
        name = role_row(ctx, params["RoleName"])["name"]
        removed = conn.execute("DELETE FROM iam_role_attachments WHERE role_name = ? AND policy_arn = ?", (name, arn))
        if removed.rowcount == 0:
            raise errors.NoSuchEntity(f"Policy {arn} was not found.")
    return {}


def _attached(ctx: RequestContext, role_name: str) -> list[_Policy]:
    rows = ctx.store.query("SELECT policy_arn FROM iam_role_attachments WHERE role_name = ? ORDER BY rowid",
                           (role_name,))
    return [policy for policy in (_find(ctx, row["policy_arn"]) for row in rows) if policy is not None]


def list_attached_role_policies(ctx: RequestContext, params: dict) -> dict:
    name = role_row(ctx, params["RoleName"])["name"]
    prefix = params.get("PathPrefix", "/")
    policies = sorted((policy for policy in _attached(ctx, name) if policy.path.startswith(prefix)),
                      key=lambda policy: (policy.name.lower(), policy.arn))
    shown, paging = paged(policies, params, key=lambda policy: f"{policy.name.lower()}\0{policy.arn}")
    return {"AttachedPolicies": [{"PolicyName": policy.name, "PolicyArn": policy.arn} for policy in shown],
            **paging}


def list_entities_for_policy(ctx: RequestContext, params: dict) -> dict:
    arn = _policy(ctx, params["PolicyArn"]).arn
    roles: list[sqlite3.Row] = []
    if params.get("EntityFilter", "Role") == "Role" and params.get("PolicyUsageFilter") != "PermissionsBoundary":
        prefix = params.get("PathPrefix", "/")
        roles = [row for row in ctx.store.query(
            "SELECT r.name, r.role_id, r.path FROM iam_role_attachments a JOIN iam_roles r ON r.name = a.role_name"
            " WHERE a.policy_arn = ? ORDER BY lower(r.name)", (arn,)) if row["path"].startswith(prefix)]
    shown, paging = paged(roles, params, key=lambda row: row["name"].lower())
    return {"PolicyGroups": [], "PolicyUsers": [],
            "PolicyRoles": [{"RoleName": row["name"], "RoleId": row["role_id"]} for row in shown], **paging}


# --- for the evaluator and the simulator ----------------------------------------------------------


def attached_documents(ctx: RequestContext, role_name: str) -> list[tuple[str, dict]]:
    """``(policy ARN, parsed default version)`` of every managed policy attached to the role."""
    found = []
    for policy in _attached(ctx, role_name):
        version = _version(ctx, policy, policy.default_version)
        found.append((policy.arn, json.loads(version[1])))
    return found


ACTIONS: dict[str, Callable[[RequestContext, dict], dict]] = {
    "CreatePolicy": create_policy,
    "GetPolicy": get_policy,
    "GetPolicyVersion": get_policy_version,
    "ListPolicyVersions": list_policy_versions,
    "CreatePolicyVersion": create_policy_version,
    "SetDefaultPolicyVersion": set_default_policy_version,
    "DeletePolicyVersion": delete_policy_version,
    "DeletePolicy": delete_policy,
    "ListPolicies": list_policies,
    "AttachRolePolicy": attach_role_policy,
    "DetachRolePolicy": detach_role_policy,
    "ListAttachedRolePolicies": list_attached_role_policies,
    "ListEntitiesForPolicy": list_entities_for_policy,
}
