"""SQLite persistence for the embedded service: connection, schema and migrations.

One :class:`Store` per service process owns one SQLite connection in WAL mode. Every acknowledged
write is committed before the response is sent (``synchronous=NORMAL`` in WAL mode survives a killed
process; only a power loss can drop the last commits). The schema is versioned with ``PRAGMA
user_version`` and upgraded by the ordered :data:`MIGRATIONS` on open. Commits are grouped: inside
the service's event loop, ``transaction()`` writes under a SAVEPOINT of one shared transaction and
schedules a single COMMIT for the end of the loop iteration, so concurrent requests share one
commit; ``app.py`` awaits :meth:`Store.durable` before it sends any response, so nothing is
acknowledged (or even read) before it is on disk. Outside an event loop (start-up, tools, tests)
every transaction commits at once. The modules that own a part of the domain (``identity``, ``iam``,
``credentials`` …) write their own SQL against the tables declared here; the unique constraints make
it impossible for two concurrent requests to create two identities for one login or developer user.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_V1 = """
CREATE TABLE pools (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    allow_unauthenticated INTEGER NOT NULL,
    allow_classic_flow INTEGER,                      -- NULL: never set (tri-state, reference §3.1)
    supported_login_providers TEXT NOT NULL DEFAULT '{}',
    developer_provider_name TEXT,
    openid_connect_provider_arns TEXT NOT NULL DEFAULT '[]',
    cognito_identity_providers TEXT NOT NULL DEFAULT '[]',
    saml_provider_arns TEXT NOT NULL DEFAULT '[]',
    roles TEXT NOT NULL DEFAULT '{}',
    role_mappings TEXT NOT NULL DEFAULT '{}',
    tags TEXT NOT NULL DEFAULT '{}',
    created REAL NOT NULL
);
CREATE TABLE principal_tag_maps (
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    provider_name TEXT NOT NULL,
    use_defaults INTEGER NOT NULL,
    principal_tags TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (pool_id, provider_name)
);
CREATE TABLE identities (
    id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    created REAL NOT NULL,
    modified REAL NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    merged_into TEXT
);
CREATE INDEX identities_by_pool ON identities(pool_id);
-- A provider login linked to an identity; subject_key is a one-way hash of the provider's user key.
CREATE TABLE logins (
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    provider_name TEXT NOT NULL,
    subject_key TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    linked REAL NOT NULL,
    PRIMARY KEY (pool_id, provider_name, subject_key),
    UNIQUE (identity_id, provider_name)
);
CREATE TABLE developer_users (
    pool_id TEXT NOT NULL REFERENCES pools(id) ON DELETE CASCADE,
    user_identifier TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    linked REAL NOT NULL,
    PRIMARY KEY (pool_id, user_identifier)
);
CREATE INDEX developer_users_by_identity ON developer_users(identity_id, user_identifier);
CREATE TABLE iam_roles (
    name TEXT PRIMARY KEY COLLATE NOCASE,
    role_id TEXT NOT NULL UNIQUE,
    arn TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    assume_role_policy TEXT NOT NULL,
    description TEXT,
    max_session_duration INTEGER NOT NULL DEFAULT 3600,
    tags TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL
);
CREATE TABLE iam_role_policies (
    role_name TEXT NOT NULL COLLATE NOCASE REFERENCES iam_roles(name) ON DELETE CASCADE,
    policy_name TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (role_name, policy_name)
);
-- Temporary credentials vended by GetCredentialsForIdentity / AssumeRoleWithWebIdentity.
CREATE TABLE credentials (
    access_key_id TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL,
    session_token TEXT NOT NULL,
    role_arn TEXT NOT NULL,
    role_id TEXT NOT NULL,
    session_name TEXT NOT NULL,
    subject TEXT NOT NULL,
    session_tags TEXT NOT NULL DEFAULT '{}',
    expiration REAL NOT NULL
);
CREATE INDEX credentials_by_expiration ON credentials(expiration);
-- The service's own RSA keys for its OpenID tokens.
CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    created REAL NOT NULL
);
"""

_V2 = """
-- IAM OpenID Connect identity providers; url is the issuer as registered (scheme kept).
CREATE TABLE iam_oidc_providers (
    arn TEXT PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    client_ids TEXT NOT NULL DEFAULT '[]',
    thumbprints TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL
);
-- IAM SAML identity providers with their metadata document as uploaded.
CREATE TABLE iam_saml_providers (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    metadata TEXT NOT NULL,
    valid_until REAL,
    tags TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL
);
"""

# Expired credentials are purged only at start-up (a scan is fine there); the index cost a B-tree insert
# on every sign-in.
_V3 = """
DROP INDEX credentials_by_expiration;
"""

_V4 = """
-- IAM customer-managed policies; default_version names the row of iam_policy_versions in force.
CREATE TABLE iam_policies (
    arn TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    policy_id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    description TEXT,
    default_version TEXT NOT NULL,
    next_version INTEGER NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE iam_policy_versions (
    policy_arn TEXT NOT NULL REFERENCES iam_policies(arn) ON DELETE CASCADE,
    version_id TEXT NOT NULL,
    document TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (policy_arn, version_id)
);
-- Managed policies attached to roles: customer-managed or the built-in AWS-managed set (no foreign key).
CREATE TABLE iam_role_attachments (
    role_name TEXT NOT NULL COLLATE NOCASE REFERENCES iam_roles(name) ON DELETE CASCADE,
    policy_arn TEXT NOT NULL,
    attached REAL NOT NULL,
    PRIMARY KEY (role_name, policy_arn)
);
CREATE INDEX iam_role_attachments_by_policy ON iam_role_attachments(policy_arn);
"""

#: Ordered schema migrations; entry N upgrades user_version N to N+1.
MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4)


class Store:
    """The service's SQLite database (one connection, serialized by a lock)."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("PRAGMA busy_timeout=5000")
        self.conn.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: hot indexes stay in memory
        self._group_open = False
        self._depth = 0
        #: The event loop whose writes are grouped (see attach), its thread, and requests awaiting the commit.
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._flush_scheduled = False
        self._waiters: list[asyncio.Future] = []
        self._memo: dict[str, dict[str, object]] = {}
        self._migrate()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        with self.transaction():
            version = self.schema_version
            if version > len(MIGRATIONS):
                raise RuntimeError(
                    f"database {self.path} has schema version {version}, newer than this "
                    f"cognito-desk understands ({len(MIGRATIONS)}); upgrade cognito-desk")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";\n"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version={number}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write: kept when the block ends, rolled back alone if it raises (see the module doc on commits)."""
        with self._lock:
            loop = self._loop if threading.get_ident() == self._loop_thread else None
            began = not self._group_open
            if began:
                self.conn.execute("BEGIN IMMEDIATE")
                self._group_open = True
            else:  # others' writes share this transaction: isolate ours
                self.conn.execute("SAVEPOINT write")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                if began:
                    self._group_open = False
                    self.conn.execute("ROLLBACK")
                else:
                    self.conn.execute("ROLLBACK TO write")
                    self.conn.execute("RELEASE write")
                    self._settle(loop)
                raise
            if not began:
                self.conn.execute("RELEASE write")
            self._depth -= 1
            self._settle(loop)

    def write(self, sql: str, params: tuple | dict = ()) -> sqlite3.Cursor:
        """A write of one statement: atomic by itself (SQLite undoes a failed statement), so no savepoint."""
        with self._lock:
            loop = self._loop if threading.get_ident() == self._loop_thread else None
            if not self._group_open:
                self.conn.execute("BEGIN IMMEDIATE")
                self._group_open = True
            try:
                return self.conn.execute(sql, params)
            finally:
                self._settle(loop)

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Group the commits of writes made on ``loop`` (call from that loop's thread)."""
        self._loop, self._loop_thread = loop, threading.get_ident()

    def _settle(self, loop: asyncio.AbstractEventLoop | None) -> None:
        """After the outermost write: commit now (no loop) or once at the end of this loop iteration."""
        if self._depth:
            return
        if loop is None:
            self._commit()
        elif not self._flush_scheduled:
            self._flush_scheduled = True
            loop.call_soon(self._flush)

    def _commit(self) -> None:
        self._group_open = False
        try:
            self.conn.execute("COMMIT")
        except sqlite3.Error:
            self._memo.clear()  # it may hold rows that were never committed
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    def _flush(self) -> None:
        with self._lock:
            self._flush_scheduled = False
            waiters, self._waiters = self._waiters, []
            failure = None
            try:
                if self._group_open and self._depth == 0:
                    self._commit()
            except sqlite3.Error as exc:
                failure = exc
            for waiter in waiters:
                if not waiter.done():
                    if failure is None:
                        waiter.set_result(None)
                    else:
                        waiter.set_exception(failure)

    async def durable(self) -> None:
        """Wait until every write made so far (by this request or any other) is committed."""
        if self._flush_scheduled:
            waiter = self._loop.create_future()
            self._waiters.append(waiter)
            await waiter

    def memo(self, table: str, key: str, load: Callable[[], T | None]) -> T | None:
        """``load()`` once per key while ``table`` is unchanged (found rows only): for rows read on every sign-in.

        Whoever writes ``table`` must call :meth:`changed` in the same transaction.
        """
        rows = self._memo.setdefault(table, {})
        if key in rows:
            return rows[key]
        value = load()
        if value is not None:
            rows[key] = value
        return value

    def changed(self, table: str) -> None:
        """Forget what :meth:`memo` holds for ``table``."""
        self._memo.pop(table, None)

    def query(self, sql: str, params: tuple | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | dict = ()) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def close(self) -> None:
        with self._lock:
            if self._group_open:
                self._commit()
            self.conn.close()
