"""The IAM subset of the embedded service: roles, their trust policies, updates and inline policies.

Handlers take ``(ctx, params)`` in the botocore input shape (already decoded and validated by
``query.py``) and return the botocore output shape; :data:`ACTIONS` maps action names to them.
Only the admin key may call IAM: :func:`authorize` refuses vended session credentials. Policy
documents are stored as sent and returned URL-encoded, as IAM does (boto3 and the AWS CLI decode
them). :func:`find_role` is how the identity and STS code look a role up by ARN. The OIDC and SAML
identity providers live in ``iam_providers``, managed policies and attachments in ``iam_policies``, tags
in ``iam_tags``; they share :func:`authorize`, :func:`account_arn`, :func:`check_policy`, :func:`paged`,
:func:`role_row`, :func:`request_tags` and :func:`tagged`.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import urllib.parse
from collections.abc import Callable

from ..core import errors
from ..core.policy import parse_policy
from .context import RequestContext
from .credentials import new_unique_id
from .store import Store

_DEFAULT_MAX_ITEMS = 100


def find_role(store: Store, role_arn: str) -> sqlite3.Row | None:
    """The ``iam_roles`` row with this ARN, or None."""
    return store.memo("iam_roles", role_arn,
                      lambda: store.query_one("SELECT * FROM iam_roles WHERE arn = ?", (role_arn,)))


def account_arn(ctx: RequestContext, resource: str) -> str:
    """The ARN of IAM ``resource`` (``role/…``, ``oidc-provider/…``) in the service's account."""
    settings = ctx.settings
    return f"arn:{settings.partition}:iam::{settings.account_id}:{resource}"


def _resource(ctx: RequestContext, action: str, params: dict) -> str:
    """The ARN IAM names when it refuses ``action``: the role, policy, identity provider, or all of a kind."""
    if "RoleName" in params:
        return account_arn(ctx, f"role{params.get('Path', '/')}{params['RoleName']}")
    for key in ("PolicyArn", "OpenIDConnectProviderArn", "SAMLProviderArn"):
        if key in params:
            return params[key]
    if action in ("CreatePolicy", "ListPolicies"):
        return account_arn(ctx, f"policy{params.get('Path', '/')}{params.get('PolicyName', '*')}")
    if "OpenIDConnectProvider" in action:
        return account_arn(ctx, "oidc-provider/*")
    if "SAMLProvider" in action:
        return account_arn(ctx, "saml-provider/" + params.get("Name", "*"))
    return account_arn(ctx, f"role{params.get('Path', '/')}{params.get('RoleName', '')}")


def authorize(ctx: RequestContext, action: str, params: dict) -> None:
    """Let the admin key through; anything else gets IAM's ``AccessDenied``."""
    principal = ctx.principal
    if principal is not None and principal.is_admin:
        return
    caller = principal.arn if principal is not None else "anonymous"
    raise errors.AccessDenied(
        f"User: {caller} is not authorized to perform: iam:{action} on resource: {_resource(ctx, action, params)}")


def request_tags(params: dict) -> list[dict]:
    """The ``Tags`` of a create request; a key given twice is refused (IAM tag keys are case-insensitive)."""
    tags = params.get("Tags", [])
    if len({tag["Key"].lower() for tag in tags}) != len(tags):
        raise errors.InvalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
    return tags


def tagged(shape: dict, tags: list[dict]) -> dict:
    """``shape`` with its ``Tags`` member, which IAM leaves out when there are none."""
    return {**shape, "Tags": tags} if tags else shape


_POLICY_VERSIONS = ("2012-10-17", "2008-10-17")


def check_policy(document: str, *, trust: bool = False) -> dict:
    """The parsed ``document`` if IAM would take it; a trust policy must also pass ``core.policy``'s checks.

    An identity (permissions) policy may not name a ``Principal``; ``Version``, when given, must be one
    IAM knows.
    """
    try:
        policy = json.loads(document)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise errors.MalformedPolicyDocument("This policy contains invalid Json") from None
    if not isinstance(policy, dict):
        raise errors.MalformedPolicyDocument("This policy contains invalid Json")
    if "Version" in policy and policy["Version"] not in _POLICY_VERSIONS:
        raise errors.MalformedPolicyDocument("The policy failed legacy parsing")
    if "Statement" not in policy:
        raise errors.MalformedPolicyDocument("Syntax errors in policy.")
    if trust:
        try:
            parse_policy(policy)
        except RecursionError:
            raise errors.MalformedPolicyDocument("Syntax errors in policy.") from None
        return policy
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    for statement in statements:
        if not isinstance(statement, dict):
            raise errors.MalformedPolicyDocument("Syntax errors in policy.")
        if "Principal" in statement or "NotPrincipal" in statement:
            raise errors.MalformedPolicyDocument("Policy document should not specify a principal.")
        if statement.get("Effect") not in ("Allow", "Deny"):
            raise errors.MalformedPolicyDocument("Syntax errors in policy.")
    return policy


def encoded(document: str) -> str:
    """A policy document as IAM puts it on the wire: URL-encoded."""
    return urllib.parse.quote(document, safe="")


def role_shape(row: sqlite3.Row, *, with_tags: bool = True) -> dict:
    """The botocore ``Role`` shape of a row."""
    role = {"Path": row["path"], "RoleName": row["name"], "RoleId": row["role_id"], "Arn": row["arn"],
            "CreateDate": row["created"], "AssumeRolePolicyDocument": encoded(row["assume_role_policy"]),
            "MaxSessionDuration": row["max_session_duration"]}
    if row["description"] is not None:
        role["Description"] = row["description"]
    return tagged(role, json.loads(row["tags"])) if with_tags else role


def role_row(ctx: RequestContext, name: str) -> sqlite3.Row:
    """The ``iam_roles`` row named ``name`` (any case), or IAM's ``NoSuchEntity``."""
    row = ctx.store.query_one("SELECT * FROM iam_roles WHERE name = ?", (name,))
    if row is None:
        raise errors.NoSuchEntity(f"The role with name {name} cannot be found.")
    return row


def paged(items: list, params: dict, key: Callable[[object], str]) -> tuple[list, dict]:
    """Marker/MaxItems paging over ``items`` sorted by ``key``; the marker names the next item."""
    start = 0
    if "Marker" in params:
        try:
            after = base64.urlsafe_b64decode(params["Marker"].encode("ascii")).decode("utf-8")
        except (ValueError, UnicodeError):
            raise errors.InvalidInput("Invalid Marker.") from None
        start = next((i for i, item in enumerate(items) if key(item) >= after), len(items))
    limit = params.get("MaxItems", _DEFAULT_MAX_ITEMS)
    truncated = start + limit < len(items)
    paging: dict = {"IsTruncated": truncated}
    if truncated:
        paging["Marker"] = base64.urlsafe_b64encode(key(items[start + limit]).encode("utf-8")).decode("ascii")
    return items[start:start + limit], paging


def _role_key(row: sqlite3.Row) -> str:
    return row["name"].lower()


def create_role(ctx: RequestContext, params: dict) -> dict:
    name, path = params["RoleName"], params.get("Path", "/")
    document = params["AssumeRolePolicyDocument"]
    check_policy(document, trust=True)
    tags = request_tags(params)
    arn = account_arn(ctx, f"role{path}{name}")
    with ctx.store.transaction() as conn:
        if conn.execute("SELECT 1 FROM iam_roles WHERE name = ?", (name,)).fetchone() is not None:
            raise errors.EntityAlreadyExists(f"Role with name {name} already exists.")
        conn.execute(
            "INSERT INTO iam_roles (name, role_id, arn, path, assume_role_policy, description,"
            " max_session_duration, tags, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (name, new_unique_id("AROA"), arn, path, document, params.get("Description"),
             params.get("MaxSessionDuration", 3600), json.dumps(tags), float(int(ctx.now()))))
    ctx.log_notes.append(f"role={name}")
    return {"Role": role_shape(role_row(ctx, name))}


def get_role(ctx: RequestContext, params: dict) -> dict:
    return {"Role": role_shape(role_row(ctx, params["RoleName"]))}


def list_roles(ctx: RequestContext, params: dict) -> dict:
    prefix = params.get("PathPrefix", "/")
    rows = [row for row in ctx.store.query("SELECT * FROM iam_roles") if row["path"].startswith(prefix)]
    rows.sort(key=_role_key)
    shown, paging = paged(rows, params, key=_role_key)
    return {"Roles": [role_shape(row, with_tags=False) for row in shown], **paging}


def update_assume_role_policy(ctx: RequestContext, params: dict) -> dict:
    document = params["PolicyDocument"]
    check_policy(document, trust=True)
    with ctx.store.transaction() as conn:
        name = role_row(ctx, params["RoleName"])["name"]
        ctx.store.changed("iam_roles")
        conn.execute("UPDATE iam_roles SET assume_role_policy = ? WHERE name = ?", (document, name))
    return {}


def delete_role(ctx: RequestContext, params: dict) -> dict:
    with ctx.store.transaction() as conn:
        name = role_row(ctx, params["RoleName"])["name"]
        if conn.execute("SELECT 1 FROM iam_role_attachments WHERE role_name = ?", (name,)).fetchone():
            raise errors.DeleteConflict("Cannot delete entity, must detach all policies first.")
        if conn.execute("SELECT 1 FROM iam_role_policies WHERE role_name = ?", (name,)).fetchone():
            raise errors.DeleteConflict("Cannot delete entity, must delete policies first.")
        ctx.store.changed("iam_roles")
        conn.execute("DELETE FROM iam_roles WHERE name = ?", (name,))
    ctx.log_notes.append(f"role={name}")
    return {}


def update_role(ctx: RequestContext, params: dict) -> dict:
    """``Description`` and ``MaxSessionDuration``; an empty description removes it."""
    with ctx.store.transaction() as conn:
        name = role_row(ctx, params["RoleName"])["name"]
        ctx.store.changed("iam_roles")
        if "Description" in params:
            conn.execute("UPDATE iam_roles SET description = ? WHERE name = ?", (params["Description"] or None, name))
        if "MaxSessionDuration" in params:
            conn.execute("UPDATE iam_roles SET max_session_duration = ? WHERE name = ?",
                         (params["MaxSessionDuration"], name))
    return {}


def update_role_description(ctx: RequestContext, params: dict) -> dict:
    update_role(ctx, params)
    return {"Role": role_shape(role_row(ctx, params["RoleName"]))}


def list_instance_profiles_for_role(ctx: RequestContext, params: dict) -> dict:
    """Always empty: the emulation has no EC2 instance profiles (the role must exist)."""
    role_row(ctx, params["RoleName"])
    return {"InstanceProfiles": [], "IsTruncated": False}


def put_role_policy(ctx: RequestContext, params: dict) -> dict:
    document = params["PolicyDocument"]
    check_policy(document)
    with ctx.store.transaction() as conn:
        name = role_row(ctx, params["RoleName"])["name"]
        conn.execute(
            "INSERT INTO iam_role_policies (role_name, policy_name, document) VALUES (?, ?, ?)"
            " ON CONFLICT (role_name, policy_name) DO UPDATE SET document = excluded.document",
            (name, params["PolicyName"], document))
    return {}


def _policy_row(ctx: RequestContext, params: dict) -> sqlite3.Row:
    name = role_row(ctx, params["RoleName"])["name"]
    row = ctx.store.query_one("SELECT * FROM iam_role_policies WHERE role_name = ? AND policy_name = ?",
                              (name, params["PolicyName"]))
    if row is None:
        raise errors.NoSuchEntity(f"The role policy with name {params['PolicyName']} cannot be found.")
    return row


def get_role_policy(ctx: RequestContext, params: dict) -> dict:
    row = _policy_row(ctx, params)
    return {"RoleName": row["role_name"], "PolicyName": row["policy_name"],
            "PolicyDocument": encoded(row["document"])}


def list_role_policies(ctx: RequestContext, params: dict) -> dict:
    name = role_row(ctx, params["RoleName"])["name"]
    names = [row["policy_name"] for row in ctx.store.query(
        "SELECT policy_name FROM iam_role_policies WHERE role_name = ? ORDER BY policy_name", (name,))]
    shown, paging = paged(names, params, key=str)
    return {"PolicyNames": shown, **paging}


def delete_role_policy(ctx: RequestContext, params: dict) -> dict:
    with ctx.store.transaction() as conn:
        row = _policy_row(ctx, params)
        conn.execute("DELETE FROM iam_role_policies WHERE role_name = ? AND policy_name = ?",
                     (row["role_name"], row["policy_name"]))
    return {}


ACTIONS: dict[str, Callable[[RequestContext, dict], dict]] = {
    "CreateRole": create_role,
    "GetRole": get_role,
    "ListRoles": list_roles,
    "UpdateAssumeRolePolicy": update_assume_role_policy,
    "DeleteRole": delete_role,
    "UpdateRole": update_role,
    "UpdateRoleDescription": update_role_description,
    "ListInstanceProfilesForRole": list_instance_profiles_for_role,
    "PutRolePolicy": put_role_policy,
    "GetRolePolicy": get_role_policy,
    "ListRolePolicies": list_role_policies,
    "DeleteRolePolicy": delete_role_policy,
}
