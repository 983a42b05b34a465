"""Linking provider logins to identities, and merging identities (reference §4.1, §4.5).

A validated provider login is stored as ``(pool, provider, hash(subject)) → identity``. When a
request presents logins, :func:`settle` decides which identity the caller acts as: the identity
that already owns a presented login survives; any other identity involved (the guest being
upgraded, the identity named in the request, other owners) is merged into it — its logins and
developer identifiers move over and it is disabled (``merged_into``), still listable but never
usable again. Logins no identity owns yet are linked to the survivor ("implicit link"). A merge
or link that would give one identity two different users of the same provider, or more than 20
linked logins, is refused with ``ResourceConflictException`` and changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from ..core import errors
from .logins import ValidatedLogin, subject_key

MAX_LINKED_LOGINS = 20


def link_count(conn: sqlite3.Connection, identity_id: str) -> int:
    return conn.execute(
        "SELECT (SELECT count(*) FROM logins WHERE identity_id = ?) + "
        "(SELECT count(*) FROM developer_users WHERE identity_id = ?)", (identity_id, identity_id)).fetchone()[0]


def owner_of(conn: sqlite3.Connection, pool_id: str, login: ValidatedLogin) -> str | None:
    """The identity a provider login is linked to (this service's own tokens name theirs)."""
    if login.identity_id is not None:
        return login.identity_id
    row = conn.execute("SELECT identity_id FROM logins WHERE pool_id = ? AND provider_name = ? AND subject_key = ?",
                       (pool_id, login.provider_name, subject_key(pool_id, login.provider_name, login.subject))
                       ).fetchone()
    return row[0] if row else None


def merge(conn: sqlite3.Connection, source: str, destination: str, now: float) -> None:
    """Move ``source``'s logins and developer identifiers to ``destination`` and disable ``source``."""
    if source == destination:
        return
    clash = conn.execute(
        "SELECT s.provider_name FROM logins s JOIN logins d ON d.provider_name = s.provider_name "
        "WHERE s.identity_id = ? AND d.identity_id = ? AND s.subject_key != d.subject_key",
        (source, destination)).fetchone()
    if clash:
        raise errors.ResourceConflictException(
            f"Both identities have a login from provider '{clash[0]}' for different users.")
    shared = conn.execute(
        "SELECT count(*) FROM logins s JOIN logins d ON d.provider_name = s.provider_name "
        "WHERE s.identity_id = ? AND d.identity_id = ?", (source, destination)).fetchone()[0]
    if link_count(conn, source) + link_count(conn, destination) - shared > MAX_LINKED_LOGINS:
        raise errors.ResourceConflictException(
            f"The merged identity would have more than {MAX_LINKED_LOGINS} linked logins.")
    conn.execute("UPDATE developer_users SET identity_id = ? WHERE identity_id = ?", (destination, source))
    conn.execute("DELETE FROM logins WHERE identity_id = ? AND provider_name IN "
                 "(SELECT provider_name FROM logins WHERE identity_id = ?)", (source, destination))
    conn.execute("UPDATE logins SET identity_id = ? WHERE identity_id = ?", (destination, source))
    conn.execute("UPDATE identities SET disabled = 1, merged_into = ?, modified = ? WHERE id = ?",
                 (destination, now, source))
    conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (now, destination))


def link(conn: sqlite3.Connection, pool_id: str, identity_id: str, login: ValidatedLogin, now: float) -> None:
    """Link an unowned provider login to ``identity_id`` (one user per provider, at most 20 links)."""
    key = subject_key(pool_id, login.provider_name, login.subject)
    existing = conn.execute("SELECT subject_key FROM logins WHERE identity_id = ? AND provider_name = ?",
                            (identity_id, login.provider_name)).fetchone()
    if existing is not None:
        if existing[0] != key:
            raise errors.ResourceConflictException(
                f"Identity '{identity_id}' is already linked to another user of provider '{login.provider_name}'.")
        return
    if link_count(conn, identity_id) >= MAX_LINKED_LOGINS:
        raise errors.ResourceConflictException(
            f"Identity '{identity_id}' already has the maximum of {MAX_LINKED_LOGINS} linked logins.")
    conn.execute("INSERT INTO logins (pool_id, provider_name, subject_key, identity_id, linked) VALUES (?, ?, ?, ?, ?)",
                 (pool_id, login.provider_name, key, identity_id, now))
    conn.execute("UPDATE identities SET modified = ? WHERE id = ?", (now, identity_id))


def settle(conn: sqlite3.Connection, pool_id: str, target: str | None, logins: Iterable[ValidatedLogin],
           now: float, create, *, owners: list[str | None] | None = None) -> str:
    """Link and merge for a request presenting ``logins`` (for ``target`` if named); return the survivor.

    ``create(conn)`` makes a new identity when nobody owns any login and no target is named; ``owners``
    (the :func:`owner_of` each login) may be passed when the caller has just read them.
    """
    logins = list(logins)
    owners = owners if owners is not None else [owner_of(conn, pool_id, login) for login in logins]
    involved = [o for o in owners if o is not None and o != target]
    survivor = involved[0] if involved else target
    if survivor is None:
        survivor = create(conn)
    for other in dict.fromkeys([target, *involved]):
        if other is not None and other != survivor:
            merge(conn, other, survivor, now)
    for login, owner in zip(logins, owners, strict=True):
        if owner is None:
            link(conn, pool_id, survivor, login, now)
    return survivor
