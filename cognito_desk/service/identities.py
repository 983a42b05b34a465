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

import json
import sqlite3
from dataclasses import dataclass

from ..core import errors
from ..core.providers import COGNITO_PROVIDER
from ..core.tags import session_tags
from . import linking, pools, signin
from .context import RequestContext
from .linking import MAX_LINKED_LOGINS, link_count
from .logins import ValidatedLogin, validate_logins
from .randomness import uuid4

OPENID_TOKEN_LIFETIME = 600
DEFAULT_DEVELOPER_TOKEN_DURATION = 900
UNAUTHENTICATED = "Unauthenticated access is not supported for this identity pool."
#: GetId with this service's own token under ``cognito-identity.amazonaws.com``: AWS's message, observed in
#: aws-sdk-net#420 and soto-project/soto#452.
COGNITO_TOKEN_IN_GET_ID = "Invalid login token. Can't pass in a Cognito token."
LOGINS_DONT_MATCH = ("Logins don't match. Please include at least one valid login for this identity or "
                     "identity pool.")


def identity_not_found(identity_id: str) -> errors.AwsError:
    return errors.ResourceNotFoundException(f"Identity '{identity_id}' not found.")


def forbidden(identity_id: str) -> errors.AwsError:
    return errors.NotAuthorizedException(f"Access to Identity '{identity_id}' is forbidden.")


def dev_provider_unsupported() -> errors.AwsError:
    return errors.NotAuthorizedException("This identity pool does not support the specified developer provider")


#: An identity and whether any login or developer identifier is linked to it.
_IDENTITY = ("SELECT i.*, EXISTS(SELECT 1 FROM logins WHERE identity_id = i.id) OR "
             "EXISTS(SELECT 1 FROM developer_users WHERE identity_id = i.id) AS linked FROM identities i WHERE id = ?")


def load_identity(ctx: RequestContext, identity_id: str, pool_id: str | None = None) -> sqlite3.Row:
    row = ctx.store.query_one(_IDENTITY, (identity_id,))
    if row is None or (pool_id is not None and row["pool_id"] != pool_id):
        raise identity_not_found(identity_id)
    return row


def _create_identity(ctx: RequestContext, conn: sqlite3.Connection | None, pool_id: str) -> str:
    """A new identity, inside the caller's transaction ``conn`` or as a write of its own."""
    identity_id = f"{ctx.settings.region}:{uuid4()}"
    now = ctx.now()
    (conn.execute if conn is not None else ctx.store.write)(
        "INSERT INTO identities (id, pool_id, created, modified) VALUES (?, ?, ?, ?)", (identity_id, pool_id, now, now))
    return identity_id


def _describe(conn: sqlite3.Connection, row: sqlite3.Row, developer_provider: str | None) -> dict:
    providers = [r[0] for r in conn.execute(
        "SELECT provider_name FROM logins WHERE identity_id = ? ORDER BY linked", (row["id"],))]
    if developer_provider and conn.execute(
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


def _tags_for(ctx: RequestContext, pool_id: str, login: ValidatedLogin) -> dict:
    """Session tags from the pool's principal-tag map for this login's provider (reference §5.8)."""
    row = ctx.store.query_one("SELECT use_defaults, principal_tags FROM principal_tag_maps "
                              "WHERE pool_id = ? AND provider_name = ?", (pool_id, login.provider_name))
    if row is None:
        return {}
    return session_tags(bool(row["use_defaults"]), json.loads(row["principal_tags"] or "{}"), login.claims,
                        login.default_tags)


def _caller(ctx: RequestContext, pool: sqlite3.Row, identity_id: str, validated: list[ValidatedLogin]) -> Caller:
    amr: list[str] = ["authenticated"]
    tags: dict = {}
    for login in validated:
        amr.extend(a for a in login.amr if a not in amr)
        if login.identity_id is not None:  # this service's token carries its own tags
            claim = login.claims.get("https://aws.amazon.com/tags", {}).get("principal_tags", {})
            tags.update({k: v[0] if isinstance(v, list) and v else v for k, v in claim.items()})
        else:
            tags.update(_tags_for(ctx, pool["id"], login))
    developer = pool["developer_provider_name"]
    only_tokens = all(login.identity_id is not None for login in validated)
    kind = "developer" if developer and developer in amr and only_tokens else "authenticated"
    return Caller(identity_id, kind, tuple(amr), tuple(validated), tags)


async def _authorize(ctx: RequestContext, pool: sqlite3.Row, identity: sqlite3.Row, logins: dict) -> Caller:
    """Check that ``logins`` may act for ``identity``, link and merge (reference §4.5), say as whom."""
    identity_id = identity["id"]
    if identity["disabled"]:
        raise forbidden(identity_id)
    if not logins:
        if identity["linked"]:
            raise forbidden(identity_id)
        if not pool["allow_unauthenticated"]:
            raise errors.NotAuthorizedException(UNAUTHENTICATED)
        return Caller(identity_id, "unauthenticated", ("unauthenticated",), (), {})
    validated = await validate_logins(ctx, pool, logins)
    if any(login.identity_id not in (None, identity_id) for login in validated):
        # A Cognito token is not a linkable login: never merge its identity into another. AWS's wording for a
        # linked identity; for an unlinked one (a guest) it is **unconfirmed**.
        ctx.log_notes.append("cognito_token=issued to another identity")
        raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
    if any("unauthenticated" in login.amr for login in validated):
        raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
    # Validation awaited the network: read the identity again. From here on nothing awaits, so these reads
    # and the write below are atomic with respect to every other request.
    current = ctx.store.query_one(_IDENTITY, (identity_id,))
    if current is None:
        raise identity_not_found(identity_id)
    if current["disabled"]:
        raise forbidden(identity_id)
    owners = [linking.owner_of(ctx.store.conn, pool["id"], login) for login in validated]
    if current["linked"] and identity_id not in owners:
        raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
    survivor = identity_id
    if any(owner != identity_id for owner in owners):  # something to link or merge
        with ctx.store.transaction() as conn:
            survivor = linking.settle(conn, pool["id"], identity_id, validated, ctx.now(), None, owners=owners)
    if survivor != identity_id:
        ctx.log_notes.append(f"merged={identity_id}->{survivor}")
    return _caller(ctx, pool, survivor, validated)


async def get_id(ctx: RequestContext, params: dict) -> dict:
    pool = pools.load_pool(ctx, params["IdentityPoolId"])
    logins = params.get("Logins") or {}
    if not logins:
        if not pool["allow_unauthenticated"]:
            raise errors.NotAuthorizedException(UNAUTHENTICATED)
        return {"IdentityId": _create_identity(ctx, None, pool["id"])}
    if COGNITO_PROVIDER in logins:
        raise errors.NotAuthorizedException(COGNITO_TOKEN_IN_GET_ID)
    validated = await validate_logins(ctx, pool, logins)
    # No awaits from here on: the reads and the write below are atomic with respect to other requests.
    owners = [linking.owner_of(ctx.store.conn, pool["id"], login) for login in validated]
    if None not in owners and len(set(owners)) == 1:  # a returning user: nothing to link or merge
        return {"IdentityId": owners[0]}
    with ctx.store.transaction() as conn:
        identity_id = linking.settle(conn, pool["id"], None, validated, ctx.now(),
                                     lambda c: _create_identity(ctx, c, pool["id"]), owners=owners)
    return {"IdentityId": identity_id}


def _identity_and_pool(ctx: RequestContext, identity_id: str) -> tuple[sqlite3.Row, sqlite3.Row]:
    identity = load_identity(ctx, identity_id)
    return identity, pools.load_pool(ctx, identity["pool_id"])


async def get_credentials_for_identity(ctx: RequestContext, params: dict) -> dict:
    identity, pool = _identity_and_pool(ctx, params["IdentityId"])
    caller = await _authorize(ctx, pool, identity, params.get("Logins") or {})
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


async def get_open_id_token(ctx: RequestContext, params: dict) -> dict:
    identity, pool = _identity_and_pool(ctx, params["IdentityId"])
    if pool["allow_classic_flow"] == 0:
        raise errors.InvalidParameterException("Basic (classic) flow is not enabled, please use enhanced flow.")
    caller = await _authorize(ctx, pool, identity, params.get("Logins") or {})
    token = ctx.keys.issue(_token_claims(ctx, pool["id"], caller.identity_id, caller.amr, caller.session_tags),
                           OPENID_TOKEN_LIFETIME)
    return {"IdentityId": caller.identity_id, "Token": token}


async def unlink_identity(ctx: RequestContext, params: dict) -> dict:
    identity, pool = _identity_and_pool(ctx, params["IdentityId"])
    caller = await _authorize(ctx, pool, identity, params["Logins"])
    if caller.kind == "unauthenticated":
        raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
    with ctx.store.transaction() as conn:
        removed = conn.executemany("DELETE FROM logins WHERE identity_id = ? AND provider_name = ?",
                                   [(caller.identity_id, p) for p in params["LoginsToRemove"]]).rowcount
        if removed:
            conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (ctx.now(), caller.identity_id))
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


async def get_open_id_token_for_developer_identity(ctx: RequestContext, params: dict) -> dict:
    pool = _developer_pool(ctx, params["IdentityPoolId"], None)
    developer = pool["developer_provider_name"]
    logins = params["Logins"]
    if developer not in logins:
        raise dev_provider_unsupported()
    user = logins[developer]
    proofs = await validate_logins(ctx, pool, {k: v for k, v in logins.items() if k != developer})
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
            count = link_count(conn, identity_id)
            if target is not None and count and not any(
                    linking.owner_of(conn, pool["id"], p) == target for p in proofs):
                raise errors.NotAuthorizedException(LOGINS_DONT_MATCH)
            if count >= MAX_LINKED_LOGINS:
                raise errors.ResourceConflictException(
                    f"Identity '{identity_id}' already has the maximum of {MAX_LINKED_LOGINS} linked logins.")
            conn.execute("INSERT INTO developer_users (pool_id, user_identifier, identity_id, linked) "
                         "VALUES (?, ?, ?, ?)", (pool["id"], user, identity_id, now))
            conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (now, identity_id))
        if proofs:
            identity_id = linking.settle(conn, pool["id"], identity_id, proofs, now, None)
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
        linking.merge(conn, source, destination, ctx.now())
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


