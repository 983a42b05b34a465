"""Identities inside a pool: admin operations, the public sign-in flow and developer identities.

Owns DescribeIdentity, ListIdentities, DeleteIdentities; the public operations GetId,
GetOpenIdToken, GetCredentialsForIdentity and UnlinkIdentity (reference §3.3, §4); and the
developer-authenticated operations GetOpenIdTokenForDeveloperIdentity, LookupDeveloperIdentity,
MergeDeveloperIdentities and UnlinkDeveloperIdentity (§3.4, §4.6). Role choice is delegated to
``core.roles.resolve_role`` and the trust-policy check to ``core.policy``; credentials are
minted by ``credentials.vend_credentials``. Every write happens inside one store transaction, so
concurrent requests for one developer user can never create two identities.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass

from ..core import errors
from . import pools, signin
from .context import RequestContext
from .logins import ValidatedLogin, validate_logins

MAX_LINKED_LOGINS = 20
OPENID_TOKEN_LIFETIME = 600
DEFAULT_DEVELOPER_TOKEN_DURATION = 900
LOGINS_DONT_MATCH = ("Logins don't match. Please include at least one valid login for this identity or "
                     "identity pool.")


def identity_not_found(identity_id: str) -> errors.AwsError:
    return errors.ResourceNotFoundException(f"Identity '{identity_id}' not found.")


def forbidden(identity_id: str) -> errors.AwsError:
    return errors.NotAuthorizedException(f"Access to Identity '{identity_id}' is forbidden.")


def dev_provider_unsupported() -> errors.AwsError:
    return errors.NotAuthorizedException("This identity pool does not support the specified developer provider")


def load_identity(ctx: RequestContext, identity_id: str, pool_id: str | None = None) -> sqlite3.Row:
    row = ctx.store.query_one("SELECT * FROM identities WHERE id = ?", (identity_id,))
    if row is None or (pool_id is not None and row["pool_id"] != pool_id):
        raise identity_not_found(identity_id)
    return row


def _create_identity(ctx: RequestContext, conn: sqlite3.Connection, pool_id: str) -> str:
    identity_id = f"{ctx.settings.region}:{uuid.uuid4()}"
    now = ctx.now()
    conn.execute("INSERT INTO identities (id, pool_id, created, modified) VALUES (?, ?, ?, ?)",
                 (identity_id, pool_id, now, now))
    return identity_id


def _link_count(conn: sqlite3.Connection, identity_id: str) -> int:
    return conn.execute(
        "SELECT (SELECT count(*) FROM logins WHERE identity_id = ?) + "
        "(SELECT count(*) FROM developer_users WHERE identity_id = ?)", (identity_id, identity_id)).fetchone()[0]


def _describe(conn_or_store, row: sqlite3.Row, developer_provider: str | None) -> dict:
    providers = [r[0] for r in conn_or_store.execute(
        "SELECT provider_name FROM logins WHERE identity_id = ? ORDER BY linked", (row["id"],))]
    if developer_provider and conn_or_store.execute(
            "SELECT 1 FROM developer_users WHERE identity_id = ? LIMIT 1", (row["id"],)).fetchone():
        providers.append(developer_provider)
    out = {"IdentityId": row["id"], "CreationDate": row["created"], "LastModifiedDate": row["modified"]}
    if providers:
        out["Logins"] = providers
    return out


# --- identity administration -----------------------------------------------------------------

def describe_identity(ctx: RequestContext, params: dict) -> dict:
    row = load_identity(ctx, params["IdentityId"])
    pool = pools.load_pool(ctx, row["pool_id"])
    return _describe(ctx.store.conn, row, pool["developer_provider_name"])


def list_identities(ctx: RequestContext, params: dict) -> dict:
    pool = pools.load_pool(ctx, params["IdentityPoolId"])
    after = pools.decode_token(params.get("NextToken"), 0)
    if not isinstance(after, int):
        raise errors.InvalidParameterException("The NextToken is invalid or has expired.")
    limit = params["MaxResults"]
    hide = " AND disabled = 0" if params.get("HideDisabled") else ""
    with ctx.store.transaction() as conn:  # one consistent snapshot for the page
        rows = conn.execute(f"SELECT rowid, * FROM identities WHERE pool_id = ? AND rowid > ?{hide} "
                            "ORDER BY rowid LIMIT ?", (pool["id"], after, limit + 1)).fetchall()
        page = [_describe(conn, r, pool["developer_provider_name"]) for r in rows[:limit]]
    out: dict = {"IdentityPoolId": pool["id"], "Identities": page}
    if len(rows) > limit:
        out["NextToken"] = pools.encode_token(rows[limit - 1]["rowid"])
    return out


def delete_identities(ctx: RequestContext, params: dict) -> dict:
    """Delete the identities and their links; unknown ids are ignored (documented choice)."""
    ids = params["IdentityIdsToDelete"]
    with ctx.store.transaction() as conn:
        conn.executemany("DELETE FROM identities WHERE id = ?", [(i,) for i in ids])
    return {"UnprocessedIdentityIds": []}


# --- public flow -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Caller:
    """Who is asking for a token or credentials for an identity, after validating Logins."""

    identity_id: str
    kind: str                     # "unauthenticated" | "authenticated" | "developer"
    amr: tuple[str, ...]
    logins: tuple[ValidatedLogin, ...]
    session_tags: dict


def _owns(login: ValidatedLogin, identity_id: str) -> bool:
    return login.identity_id == identity_id


def _authorize(ctx: RequestContext, pool: sqlite3.Row, identity: sqlite3.Row, logins: dict) -> Caller:
    """Check that ``logins`` may act for ``identity`` (reference §4.5) and say as whom."""
    identity_id = identity["id"]
    if identity["disabled"]:
        raise forbidden(identity_id)
    authenticated = _link_count(ctx.store.conn, identity_id) > 0
    if not logins:
        if authenticated:
            raise forbidden(identity_id)
        if not pool["allow_unauthenticated"]:
            raise errors.NotAuthorizedException("Unauthenticated access is not supported for this identity pool.")
        return Caller(identity_id, "unauthenticated", ("unauthenticated",), (), {})
    validated = validate_logins(ctx, pool, logins)
    if not any(_owns(login, identity_id) for login in validated):
        raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
    amr: list[str] = []
    tags: dict = {}
    for login in validated:
        amr.extend(a for a in login.amr if a not in amr)
        for key, values in login.claims.get("https://aws.amazon.com/tags", {}).get("principal_tags", {}).items():
            tags[key] = values[0] if isinstance(values, list) and values else values
    if "unauthenticated" in amr:
        if authenticated:
            raise forbidden(identity_id)
        if not pool["allow_unauthenticated"]:
            raise errors.NotAuthorizedException("Unauthenticated access is not supported for this identity pool.")
        return Caller(identity_id, "unauthenticated", ("unauthenticated",), tuple(validated), {})
    developer = pool["developer_provider_name"]
    kind = "developer" if developer and developer in amr else "authenticated"
    return Caller(identity_id, kind, tuple(amr), tuple(validated), tags)


def get_id(ctx: RequestContext, params: dict) -> dict:
    pool = pools.load_pool(ctx, params["IdentityPoolId"])
    logins = params.get("Logins") or {}
    if not logins:
        if not pool["allow_unauthenticated"]:
            raise errors.NotAuthorizedException("Unauthenticated access is not supported for this identity pool.")
        with ctx.store.transaction() as conn:
            identity_id = _create_identity(ctx, conn, pool["id"])
        return {"IdentityId": identity_id}
    validated = validate_logins(ctx, pool, logins)
    owners = {login.identity_id for login in validated if login.identity_id}
    if len(owners) > 1:
        raise errors.ResourceConflictException("The logins belong to different identities.")
    identity_id = owners.pop()
    load_identity(ctx, identity_id, pool["id"])
    return {"IdentityId": identity_id}


def _identity_and_pool(ctx: RequestContext, identity_id: str) -> tuple[sqlite3.Row, sqlite3.Row]:
    identity = load_identity(ctx, identity_id)
    return identity, pools.load_pool(ctx, identity["pool_id"])


def get_credentials_for_identity(ctx: RequestContext, params: dict) -> dict:
    identity, pool = _identity_and_pool(ctx, params["IdentityId"])
    caller = _authorize(ctx, pool, identity, params.get("Logins") or {})
    creds = signin.credentials_for(ctx, pool, caller.identity_id, kind=caller.kind, amr=caller.amr,
                                   logins=caller.logins, session_tags=caller.session_tags,
                                   custom_role_arn=params.get("CustomRoleArn"))
    return {"IdentityId": caller.identity_id, "Credentials": creds}


def _token_claims(ctx: RequestContext, pool_id: str, identity_id: str, amr, tags: dict) -> dict:
    claims = {"sub": identity_id, "aud": pool_id, "amr": list(amr),
              "https://cognito-identity.amazonaws.com/identity-pool-arn": pools.pool_arn(ctx, pool_id)}
    if tags:
        claims["https://aws.amazon.com/tags"] = {"principal_tags": {k: [v] for k, v in tags.items()}}
    return claims


def get_open_id_token(ctx: RequestContext, params: dict) -> dict:
    identity, pool = _identity_and_pool(ctx, params["IdentityId"])
    if pool["allow_classic_flow"] == 0:
        raise errors.InvalidParameterException("Basic (classic) flow is not enabled, please use enhanced flow.")
    caller = _authorize(ctx, pool, identity, params.get("Logins") or {})
    token = ctx.keys.issue(_token_claims(ctx, pool["id"], caller.identity_id, caller.amr, caller.session_tags),
                           OPENID_TOKEN_LIFETIME)
    return {"IdentityId": caller.identity_id, "Token": token}


def unlink_identity(ctx: RequestContext, params: dict) -> dict:
    identity, pool = _identity_and_pool(ctx, params["IdentityId"])
    caller = _authorize(ctx, pool, identity, params["Logins"])
    if caller.kind == "unauthenticated":
        raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
    with ctx.store.transaction() as conn:
        removed = conn.executemany("DELETE FROM logins WHERE identity_id = ? AND provider_name = ?",
                                   [(identity["id"], p) for p in params["LoginsToRemove"]]).rowcount
        if removed:
            conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (ctx.now(), identity["id"]))
    return {}


# --- developer-authenticated identities ----------------------------------------------------------

def _developer_pool(ctx: RequestContext, pool_id: str, provider: str | None) -> sqlite3.Row:
    pool = pools.load_pool(ctx, pool_id)
    if pool["developer_provider_name"] is None or (provider is not None
                                                   and provider != pool["developer_provider_name"]):
        raise dev_provider_unsupported()
    return pool


def _owner_of(conn, pool_id: str, user: str) -> str | None:
    row = conn.execute("SELECT identity_id FROM developer_users WHERE pool_id = ? AND user_identifier = ?",
                       (pool_id, user)).fetchone()
    return row[0] if row else None


def get_open_id_token_for_developer_identity(ctx: RequestContext, params: dict) -> dict:
    pool = _developer_pool(ctx, params["IdentityPoolId"], None)
    developer = pool["developer_provider_name"]
    logins = params["Logins"]
    if developer not in logins:
        raise dev_provider_unsupported()
    user = logins[developer]
    proofs = validate_logins(ctx, pool, {k: v for k, v in logins.items() if k != developer})
    target = params.get("IdentityId")
    now = ctx.now()
    with ctx.store.transaction() as conn:
        owner = _owner_of(conn, pool["id"], user)
        if target is None:
            identity_id = owner or _create_identity(ctx, conn, pool["id"])
        else:
            row = conn.execute("SELECT * FROM identities WHERE id = ? AND pool_id = ?", (target, pool["id"])).fetchone()
            if row is None:
                raise identity_not_found(target)
            if row["disabled"]:
                raise forbidden(target)
            if owner is not None and owner != target:
                raise errors.DeveloperUserAlreadyRegisteredException(
                    f"Developer user identifier '{user}' is already registered with identity '{owner}'.")
            identity_id = target
        if owner is None:
            count = _link_count(conn, identity_id)
            if target is not None and count and not any(_owns(p, target) for p in proofs):
                raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
            if count >= MAX_LINKED_LOGINS:
                raise errors.ResourceConflictException(
                    f"Identity '{identity_id}' already has the maximum of {MAX_LINKED_LOGINS} linked logins.")
            conn.execute("INSERT INTO developer_users (pool_id, user_identifier, identity_id, linked) "
                         "VALUES (?, ?, ?, ?)", (pool["id"], user, identity_id, now))
            conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (now, identity_id))
    amr = ("authenticated", developer, f"{developer}:{pool['id']}:{user}")
    claims = _token_claims(ctx, pool["id"], identity_id, amr, params.get("PrincipalTags") or {})
    token = ctx.keys.issue(claims, params.get("TokenDuration") or DEFAULT_DEVELOPER_TOKEN_DURATION)
    return {"IdentityId": identity_id, "Token": token}


def lookup_developer_identity(ctx: RequestContext, params: dict) -> dict:
    pool = pools.load_pool(ctx, params["IdentityPoolId"])
    identity_id, user = params.get("IdentityId"), params.get("DeveloperUserIdentifier")
    if identity_id is None and user is None:
        raise errors.InvalidParameterException("Either IdentityId or DeveloperUserIdentifier must be specified.")
    if user is not None:
        owner = _owner_of(ctx.store.conn, pool["id"], user)
        if owner is None:
            raise errors.ResourceNotFoundException(f"Developer user identifier '{user}' not found.")
        if identity_id is not None and identity_id != owner:
            raise errors.ResourceConflictException(
                f"Developer user identifier '{user}' does not belong to identity '{identity_id}'.")
        identity_id = owner
    load_identity(ctx, identity_id, pool["id"])
    offset = pools.decode_token(params.get("NextToken"), 0)
    if not isinstance(offset, int) or offset < 0:
        raise errors.InvalidParameterException("The NextToken is invalid or has expired.")
    limit = params.get("MaxResults") or 60
    users = [r[0] for r in ctx.store.query(
        "SELECT user_identifier FROM developer_users WHERE identity_id = ? ORDER BY linked, user_identifier "
        "LIMIT ? OFFSET ?", (identity_id, limit + 1, offset))]
    out: dict = {"IdentityId": identity_id, "DeveloperUserIdentifierList": users[:limit]}
    if len(users) > limit:
        out["NextToken"] = pools.encode_token(offset + limit)
    return out


def merge_developer_identities(ctx: RequestContext, params: dict) -> dict:
    pool = _developer_pool(ctx, params["IdentityPoolId"], params["DeveloperProviderName"])
    with ctx.store.transaction() as conn:
        source, destination = (_owner_of(conn, pool["id"], params[k])
                               for k in ("SourceUserIdentifier", "DestinationUserIdentifier"))
        for owner, key in ((source, "SourceUserIdentifier"), (destination, "DestinationUserIdentifier")):
            if owner is None:
                raise errors.ResourceNotFoundException(f"Developer user identifier '{params[key]}' not found.")
        if source == destination:
            return {"IdentityId": destination}
        clash = conn.execute(
            "SELECT s.provider_name FROM logins s JOIN logins d ON d.provider_name = s.provider_name "
            "WHERE s.identity_id = ? AND d.identity_id = ? AND s.subject_key != d.subject_key",
            (source, destination)).fetchone()
        if clash:
            raise errors.ResourceConflictException(
                f"Both identities have a login from provider '{clash[0]}' for different users.")
        if _link_count(conn, source) + _link_count(conn, destination) > MAX_LINKED_LOGINS:
            raise errors.ResourceConflictException(
                f"The merged identity would have more than {MAX_LINKED_LOGINS} linked logins.")
        now = ctx.now()
        conn.execute("UPDATE developer_users SET identity_id = ? WHERE identity_id = ?", (destination, source))
        conn.execute("DELETE FROM logins WHERE identity_id = ? AND provider_name IN "
                     "(SELECT provider_name FROM logins WHERE identity_id = ?)", (source, destination))
        conn.execute("UPDATE logins SET identity_id = ? WHERE identity_id = ?", (destination, source))
        conn.execute("UPDATE identities SET disabled = 1, merged_into = ?, modified = ? WHERE id = ?",
                     (destination, now, source))
        conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (now, destination))
    ctx.log_notes.append(f"merged={source}->{destination}")
    return {"IdentityId": destination}


def unlink_developer_identity(ctx: RequestContext, params: dict) -> dict:
    pool = _developer_pool(ctx, params["IdentityPoolId"], params["DeveloperProviderName"])
    identity_id, user = params["IdentityId"], params["DeveloperUserIdentifier"]
    load_identity(ctx, identity_id, pool["id"])
    with ctx.store.transaction() as conn:
        removed = conn.execute("DELETE FROM developer_users WHERE pool_id = ? AND user_identifier = ? "
                               "AND identity_id = ?", (pool["id"], user, identity_id)).rowcount
        if not removed:
            raise errors.ResourceNotFoundException(
                f"Developer user identifier '{user}' is not linked to identity '{identity_id}'.")
        conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (ctx.now(), identity_id))
    return {}


