"""Temporary AWS credentials: vending them, and knowing who signed a request with them.

The one place that mints ``ASIA…`` key pairs for an assumed role (used by STS
AssumeRoleWithWebIdentity and by cognito-identity GetCredentialsForIdentity), records them in the
``credentials`` table, and answers the SigV4 verifier's "which secret belongs to this access key?"
question for both the admin key pair of :class:`ServiceSettings` and the vended keys. Minting is
cheap on purpose (one INSERT, OS randomness drawn in bulk by ``randomness.py``): guest sign-in calls
it once per sign-in.
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
from collections.abc import Callable, Mapping

from ..core import errors
from .context import Principal, RequestContext
from .randomness import random_bytes
from .sigv4 import KeyRecord
from .store import Store


def _random_upper(length: int) -> str:
    """``length`` random characters of ``A-Z2-7`` (the shape of AWS key and unique ids)."""
    return base64.b32encode(random_bytes((length * 5 + 7) // 8)).decode("ascii")[:length]


def new_unique_id(prefix: str) -> str:
    """An IAM-style unique id: a 4-letter prefix (``AROA`` …) and 16 or 17 (roles, policies) random characters."""
    return prefix + _random_upper(17 if prefix in ("AROA", "ANPA") else 16)


def new_access_key_id() -> str:
    """``ASIA`` + 16 characters: 40 bits of milliseconds then 40 random bits.

    Access key ids are identifiers, not secrets (the secret key and session token are 240 and 768
    random bits). Time-ordered ids make each sign-in's insert land at the end of the key index
    instead of on a random page — fewer pages to write per commit as the table grows.
    """
    millis = int(time.time() * 1000) & ((1 << 40) - 1)
    return "ASIA" + base64.b32encode(millis.to_bytes(5, "big") + random_bytes(5)).decode("ascii")


def assumed_role_arn(partition: str, account_id: str, role_arn: str, session_name: str) -> str:
    role_name = role_arn.rsplit("/", 1)[-1]
    return f"arn:{partition}:sts::{account_id}:assumed-role/{role_name}/{session_name}"


def vend_credentials(ctx: RequestContext, *, role: sqlite3.Row, session_name: str, subject: str,
                     session_tags: Mapping[str, str], duration: int) -> dict:
    """Mint and store temporary credentials for ``role``; returns the STS ``Credentials`` shape.

    ``Expiration`` is epoch seconds (a float); each protocol layer renders it its own way.
    """
    access_key_id = new_access_key_id()
    secret_access_key = base64.b64encode(random_bytes(30)).decode("ascii")
    session_token = base64.b64encode(random_bytes(96)).decode("ascii")
    expiration = float(int(ctx.now()) + duration)
    ctx.store.write(
        "INSERT INTO credentials (access_key_id, secret_key, session_token, role_arn, role_id,"
        " session_name, subject, session_tags, expiration) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (access_key_id, secret_access_key, session_token, role["arn"], role["role_id"], session_name,
         subject, json.dumps(dict(session_tags)), expiration))
    return {"AccessKeyId": access_key_id, "SecretAccessKey": secret_access_key,
            "SessionToken": session_token, "Expiration": expiration}


def key_lookup(ctx: RequestContext) -> Callable[[str], KeyRecord | None]:
    """The SigV4 verifier's key source: the admin key pair, then the vended credentials."""
    settings = ctx.settings

    def lookup(access_key_id: str) -> KeyRecord | None:
        if settings.access_key_id and access_key_id == settings.access_key_id:
            return KeyRecord(settings.secret_access_key)
        row = ctx.store.query_one(
            "SELECT secret_key, session_token, expiration FROM credentials WHERE access_key_id = ?",
            (access_key_id,))
        if row is None:
            return None
        return KeyRecord(row["secret_key"], session_token=row["session_token"], expiration=row["expiration"])

    return lookup


def principal_for(ctx: RequestContext, access_key_id: str) -> Principal:
    """Who owns ``access_key_id`` (already verified): the account root, or an assumed-role session.

    ``Principal.credentials`` of a session carries its role and session facts, never its secrets.
    """
    settings = ctx.settings
    if settings.access_key_id and access_key_id == settings.access_key_id:
        return Principal(access_key_id, f"arn:{settings.partition}:iam::{settings.account_id}:root",
                         is_admin=True)
    row = ctx.store.query_one(
        "SELECT role_arn, role_id, session_name, subject, session_tags, expiration FROM credentials"
        " WHERE access_key_id = ?", (access_key_id,))
    if row is None:
        raise errors.InvalidClientTokenId("The security token included in the request is invalid.")
    session = {key: row[key] for key in ("role_arn", "role_id", "session_name", "subject", "expiration")}
    session["session_tags"] = json.loads(row["session_tags"])
    arn = assumed_role_arn(settings.partition, settings.account_id, row["role_arn"], row["session_name"])
    return Principal(access_key_id, arn, is_admin=False, credentials=session)


def purge_expired(store: Store, now: float) -> int:
    """Forget credentials that expired before ``now``; returns how many were removed."""
    with store.transaction() as conn:
        return conn.execute("DELETE FROM credentials WHERE expiration < ?", (now,)).rowcount
