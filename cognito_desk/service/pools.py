"""Identity pool administration: the 11 signed pool operations of cognito-identity.

Create/Describe/Update/Delete/List identity pools, Set/Get identity pool roles, Set/Get principal
tag attribute maps, and Tag/Untag/ListTagsForResource on the pool ARN (reference §3.1). Shapes
and constraints are checked by the model-driven validator before a handler runs; this module runs
the semantic checks (provider names, ARN forms and tags in ``core.pool_config``; 25 rules per provider,
immutable developer provider name here) and stores exactly what was sent, order kept.
"""

from __future__ import annotations

import base64
import json
import re
import sqlite3

from ..core import errors, roles
from ..core.pool_config import check_pool_config, check_tags
from .context import RequestContext
from .randomness import uuid4

MAX_POOLS = 1000
_POOL_ARN = re.compile(r"arn:aws[\w-]*:cognito-identity:([\w-]+):(\d+):identitypool/(.+)")


# --- reading ----------------------------------------------------------------------------------

def pool_not_found(pool_id: str) -> errors.AwsError:
    return errors.ResourceNotFoundException(f"IdentityPool '{pool_id}' not found.")


def load_pool(ctx: RequestContext, pool_id: str) -> sqlite3.Row:
    row = ctx.store.memo("pools", pool_id, lambda: ctx.store.query_one("SELECT * FROM pools WHERE id = ?", (pool_id,)))
    if row is None:
        raise pool_not_found(pool_id)
    return row


def pool_roles(ctx: RequestContext, pool: sqlite3.Row) -> tuple[dict, dict]:
    """The pool's ``Roles`` and ``RoleMappings``, parsed once while the pool is unchanged (read-only)."""
    return ctx.store.memo("pools", f"{pool['id']}#roles",
                          lambda: (json.loads(pool["roles"]), json.loads(pool["role_mappings"])))


def pool_arn(ctx: RequestContext, pool_id: str) -> str:
    s = ctx.settings
    return f"arn:{s.partition}:cognito-identity:{s.region}:{s.account_id}:identitypool/{pool_id}"


def pool_to_api(row: sqlite3.Row) -> dict:
    """The ``IdentityPool`` structure for a stored pool (empty optional members omitted)."""
    out: dict = {
        "IdentityPoolId": row["id"],
        "IdentityPoolName": row["name"],
        "AllowUnauthenticatedIdentities": bool(row["allow_unauthenticated"]),
    }
    if row["allow_classic_flow"] is not None:
        out["AllowClassicFlow"] = bool(row["allow_classic_flow"])
    for member, column in (("SupportedLoginProviders", "supported_login_providers"),
                           ("OpenIdConnectProviderARNs", "openid_connect_provider_arns"),
                           ("CognitoIdentityProviders", "cognito_identity_providers"),
                           ("SamlProviderARNs", "saml_provider_arns")):
        value = json.loads(row[column])
        if value:
            out[member] = value
    if row["developer_provider_name"] is not None:
        out["DeveloperProviderName"] = row["developer_provider_name"]
    out["IdentityPoolTags"] = json.loads(row["tags"])
    return out


def _dump(params: dict, member: str, default: str) -> str:
    value = params.get(member)
    return default if value is None else json.dumps(value)


def _classic_flow(params: dict) -> int | None:
    value = params.get("AllowClassicFlow")
    return None if value is None else int(value)


# --- pools -------------------------------------------------------------------------------------

def create_identity_pool(ctx: RequestContext, params: dict) -> dict:
    check_pool_config(params)
    pool_id = f"{ctx.settings.region}:{uuid4()}"
    with ctx.store.transaction() as conn:
        (count,) = conn.execute("SELECT count(*) FROM pools").fetchone()
        if count >= MAX_POOLS:
            raise errors.LimitExceededException(
                f"You have reached the limit of {MAX_POOLS} identity pools in {ctx.settings.region}.")
        conn.execute(
            "INSERT INTO pools (id, name, allow_unauthenticated, allow_classic_flow, supported_login_providers,"
            " developer_provider_name, openid_connect_provider_arns, cognito_identity_providers,"
            " saml_provider_arns, tags, created) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (pool_id, params["IdentityPoolName"], int(params["AllowUnauthenticatedIdentities"]),
             _classic_flow(params), _dump(params, "SupportedLoginProviders", "{}"),
             params.get("DeveloperProviderName"), _dump(params, "OpenIdConnectProviderARNs", "[]"),
             _dump(params, "CognitoIdentityProviders", "[]"), _dump(params, "SamlProviderARNs", "[]"),
             _dump(params, "IdentityPoolTags", "{}"), ctx.now()))
        row = conn.execute("SELECT * FROM pools WHERE id = ?", (pool_id,)).fetchone()
    ctx.log_notes.append(f"pool={pool_id}")
    return pool_to_api(row)


def describe_identity_pool(ctx: RequestContext, params: dict) -> dict:
    return pool_to_api(load_pool(ctx, params["IdentityPoolId"]))


def update_identity_pool(ctx: RequestContext, params: dict) -> dict:
    """Full replacement: optional members left out are cleared; tags are kept (use TagResource).

    ``DeveloperProviderName`` is the exception: once set it cannot change, and leaving it out keeps it — AWS
    does so (Terraform's AWS provider never sends it in ``UpdateIdentityPool``, and its acceptance test
    ``TestAccCognitoIdentityPool_renameWithDeveloperProviderName`` checks the name survives on AWS).
    """
    pool_id = params["IdentityPoolId"]
    check_pool_config({k: v for k, v in params.items() if k != "IdentityPoolTags"})
    with ctx.store.transaction() as conn:
        row = conn.execute("SELECT * FROM pools WHERE id = ?", (pool_id,)).fetchone()
        if row is None:
            raise pool_not_found(pool_id)
        ctx.store.changed("pools")
        current = row["developer_provider_name"]
        wanted = params.get("DeveloperProviderName", current)
        if current is not None and wanted != current:
            raise errors.InvalidParameterException(
                f"DeveloperProviderName cannot be changed once set (it is '{current}').")
        conn.execute(
            "UPDATE pools SET name=?, allow_unauthenticated=?, allow_classic_flow=?, supported_login_providers=?,"
            " developer_provider_name=?, openid_connect_provider_arns=?, cognito_identity_providers=?,"
            " saml_provider_arns=? WHERE id=?",
            (params["IdentityPoolName"], int(params["AllowUnauthenticatedIdentities"]), _classic_flow(params),
             _dump(params, "SupportedLoginProviders", "{}"), wanted,
             _dump(params, "OpenIdConnectProviderARNs", "[]"), _dump(params, "CognitoIdentityProviders", "[]"),
             _dump(params, "SamlProviderARNs", "[]"), pool_id))
        row = conn.execute("SELECT * FROM pools WHERE id = ?", (pool_id,)).fetchone()
    return pool_to_api(row)


def delete_identity_pool(ctx: RequestContext, params: dict) -> dict:
    pool_id = params["IdentityPoolId"]
    with ctx.store.transaction() as conn:
        ctx.store.changed("pools")
        if conn.execute("DELETE FROM pools WHERE id = ?", (pool_id,)).rowcount == 0:
            raise pool_not_found(pool_id)
    return {}


def encode_token(position: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_token(token: str | None, default: object) -> object:
    """Decode an opaque NextToken made by :func:`encode_token`; anything else is an IPE."""
    if token is None:
        return default
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise errors.InvalidParameterException("The NextToken is invalid or has expired.") from None


def list_identity_pools(ctx: RequestContext, params: dict) -> dict:
    after = decode_token(params.get("NextToken"), 0)
    if not isinstance(after, int):
        raise errors.InvalidParameterException("The NextToken is invalid or has expired.")
    limit = params["MaxResults"]
    rows = ctx.store.query("SELECT rowid, id, name FROM pools WHERE rowid > ? ORDER BY rowid LIMIT ?",
                           (after, limit + 1))
    out: dict = {"IdentityPools": [{"IdentityPoolId": r["id"], "IdentityPoolName": r["name"]}
                                   for r in rows[:limit]]}
    if len(rows) > limit:
        out["NextToken"] = encode_token(rows[limit - 1]["rowid"])
    return out


# --- roles -------------------------------------------------------------------------------------

def set_identity_pool_roles(ctx: RequestContext, params: dict) -> dict:
    pool_id = params["IdentityPoolId"]
    problems = roles.validate_roles(params["Roles"]) + roles.validate_role_mappings(
        params.get("RoleMappings") or {})
    if problems:
        raise errors.InvalidParameterException(problems[0])
    with ctx.store.transaction() as conn:
        ctx.store.changed("pools")
        changed = conn.execute("UPDATE pools SET roles = ?, role_mappings = ? WHERE id = ?",
                               (json.dumps(params["Roles"]), json.dumps(params.get("RoleMappings") or {}),
                                pool_id)).rowcount
        if not changed:
            raise pool_not_found(pool_id)
    return {}


def get_identity_pool_roles(ctx: RequestContext, params: dict) -> dict:
    row = load_pool(ctx, params["IdentityPoolId"])
    out = {"IdentityPoolId": row["id"], "Roles": json.loads(row["roles"])}
    mappings = json.loads(row["role_mappings"])
    if mappings:
        out["RoleMappings"] = mappings
    return out


# --- principal tags ----------------------------------------------------------------------------

def set_principal_tag_attribute_map(ctx: RequestContext, params: dict) -> dict:
    pool_id, provider = params["IdentityPoolId"], params["IdentityProviderName"]
    use_defaults = bool(params.get("UseDefaults", False))
    tags = params.get("PrincipalTags") or {}
    with ctx.store.transaction() as conn:
        if conn.execute("SELECT 1 FROM pools WHERE id = ?", (pool_id,)).fetchone() is None:
            raise pool_not_found(pool_id)
        conn.execute("INSERT OR REPLACE INTO principal_tag_maps VALUES (?, ?, ?, ?)",
                     (pool_id, provider, int(use_defaults), json.dumps(tags)))
    return {"IdentityPoolId": pool_id, "IdentityProviderName": provider, "UseDefaults": use_defaults,
            "PrincipalTags": tags}


def get_principal_tag_attribute_map(ctx: RequestContext, params: dict) -> dict:
    """A provider never configured answers ``UseDefaults: false`` with no tags (documented choice)."""
    pool_id, provider = params["IdentityPoolId"], params["IdentityProviderName"]
    load_pool(ctx, pool_id)
    row = ctx.store.query_one(
        "SELECT use_defaults, principal_tags FROM principal_tag_maps WHERE pool_id = ? AND provider_name = ?",
        (pool_id, provider))
    use_defaults, tags = (bool(row["use_defaults"]), json.loads(row["principal_tags"])) if row else (False, {})
    return {"IdentityPoolId": pool_id, "IdentityProviderName": provider, "UseDefaults": use_defaults,
            "PrincipalTags": tags}


# --- tags --------------------------------------------------------------------------------------

def _pool_for_arn(ctx: RequestContext, arn: str) -> str:
    match = _POOL_ARN.fullmatch(arn)
    if match is None:
        raise errors.InvalidParameterException(
            f"Invalid ResourceArn '{arn}': expected arn:aws:cognito-identity:<region>:<account>:identitypool/<id>")
    region, account, pool_id = match.groups()
    if region != ctx.settings.region or account != ctx.settings.account_id:
        raise pool_not_found(pool_id)
    return pool_id


def _update_tags(ctx: RequestContext, arn: str, change) -> None:
    pool_id = _pool_for_arn(ctx, arn)
    with ctx.store.transaction() as conn:
        row = conn.execute("SELECT tags FROM pools WHERE id = ?", (pool_id,)).fetchone()
        if row is None:
            raise pool_not_found(pool_id)
        ctx.store.changed("pools")
        tags = change(json.loads(row["tags"]))
        check_tags(tags)
        conn.execute("UPDATE pools SET tags = ? WHERE id = ?", (json.dumps(tags), pool_id))


def tag_resource(ctx: RequestContext, params: dict) -> dict:
    _update_tags(ctx, params["ResourceArn"], lambda tags: {**tags, **params["Tags"]})
    return {}


def untag_resource(ctx: RequestContext, params: dict) -> dict:
    remove = set(params["TagKeys"])
    _update_tags(ctx, params["ResourceArn"], lambda tags: {k: v for k, v in tags.items() if k not in remove})
    return {}


def list_tags_for_resource(ctx: RequestContext, params: dict) -> dict:
    pool_id = _pool_for_arn(ctx, params["ResourceArn"])
    return {"Tags": json.loads(load_pool(ctx, pool_id)["tags"])}
