"""The run history: every tester and scenario run as a :class:`~.record.RunRecord` in one local SQLite file.

Owns :class:`HistoryStore` (add, get, list newest first with filters by pool, provider, persona and
outcome, the persona's previous identity, delete, the distinct values a filter can offer) and
:func:`history_path` — ``history/`` in the user data directory (the service's files stay its own), or
beside the settings when those live elsewhere (a portable setup, a test); owner-only, like the service's
data. The schema is versioned with ``PRAGMA user_version``: a file written by a
newer program is refused rather than misread. Only records go in, and a record holds no secret, raw token
or credential (see :mod:`.record`); the store is safe to share between threads (one connection, a lock).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from ..core import errors
from ..settings.paths import config_dir, default_data_dir
from .record import SUCCESS, RunRecord

__all__ = ["FILE_NAME", "HistoryError", "HistoryFilter", "HistoryStore", "history_path"]

FILE_NAME = "run-history.sqlite3"
SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at REAL NOT NULL,
    connection TEXT NOT NULL,
    pool_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    persona TEXT NOT NULL,
    outcome TEXT NOT NULL,
    source TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_time ON runs (started_at DESC);
CREATE INDEX IF NOT EXISTS runs_by_persona ON runs (pool_id, provider, persona, started_at DESC);
"""
FILTER_COLUMNS = ("pool_id", "provider", "persona")


class HistoryError(errors.CognitoDeskError):
    """The history file cannot be used."""


def history_path(settings_dir: str | Path | None = None) -> Path:
    """Where the history lives: ``history/`` in the user data directory, or beside the settings when those are
    not in the default place (a portable setup, a test)."""
    if settings_dir is not None and Path(settings_dir) != config_dir():
        return Path(settings_dir) / FILE_NAME
    return default_data_dir() / "history" / FILE_NAME


def _create_private(path: Path) -> None:
    """Owner-only directories (the data directory included, when this creates it) and file: claims and identity
    ids are personal data."""
    for directory in reversed([p for p in path.parents if not p.exists()]):
        directory.mkdir(mode=0o700)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


@dataclass(frozen=True)
class HistoryFilter:
    """Empty strings match everything; ``outcome`` is ``success``, ``failed`` or an exact outcome."""

    pool_id: str = ""
    provider: str = ""
    persona: str = ""
    outcome: str = ""

    def where(self) -> tuple[str, list[str]]:
        clauses, values = [], []
        for column in FILTER_COLUMNS:
            value = getattr(self, column)
            if value:
                clauses.append(f"{column} = ?")
                values.append(value)
        if self.outcome == "failed":
            clauses.append("outcome != ?")
            values.append(SUCCESS)
        elif self.outcome:
            clauses.append("outcome = ?")
            values.append(self.outcome)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", values


class HistoryStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            _create_private(self.path)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self._migrate()
        except (sqlite3.DatabaseError, OSError) as exc:
            raise HistoryError(f"The run history {self.path} cannot be opened: {exc}") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            self._db.close()
            raise HistoryError(f"The run history {self.path} was written by a newer cognito-desk (schema {version}; "
                               f"this one reads {SCHEMA_VERSION}): update cognito-desk or move the file away.")
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, record: RunRecord) -> RunRecord:
        """Keep ``record``; it comes back with its id."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO runs (started_at, connection, pool_id, provider, persona, outcome, source, identity_id, "
                "record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (record.started_at, record.connection, record.pool_id, record.provider, record.persona,
                 record.outcome, record.source, record.identity_id, record.to_json()))
        record.id = cursor.lastrowid
        return record

    def get(self, record_id: int) -> RunRecord:
        with self._lock:
            row = self._db.execute("SELECT id, record FROM runs WHERE id = ?", (record_id,)).fetchone()
        if row is None:
            raise KeyError(f"no run {record_id} in the history")
        return RunRecord.from_json(row[1], row[0])

    def list(self, where: HistoryFilter = HistoryFilter(), *, limit: int = 1000) -> list[RunRecord]:
        """Runs newest first."""
        clause, values = where.where()
        with self._lock:
            rows = self._db.execute(f"SELECT id, record FROM runs{clause} ORDER BY started_at DESC, id DESC LIMIT ?",
                                    (*values, limit)).fetchall()
        return [RunRecord.from_json(text, record_id) for record_id, text in rows]

    def previous_identity(self, pool_id: str, provider: str, persona: str, before: float) -> str | None:
        """The identity id of the persona's last run with an identity before ``before``."""
        with self._lock:
            row = self._db.execute(
                "SELECT identity_id FROM runs WHERE pool_id = ? AND provider = ? AND persona = ? AND identity_id != '' "
                "AND started_at < ? ORDER BY started_at DESC LIMIT 1", (pool_id, provider, persona, before)).fetchone()
        return row[0] if row else None

    def values(self, column: str) -> list[str]:
        """The distinct values of a filter column (``pool_id``, ``provider``, ``persona``, ``outcome``)."""
        if column not in (*FILTER_COLUMNS, "outcome"):
            raise ValueError(f"not a filter column: {column}")
        with self._lock:
            rows = self._db.execute(f"SELECT DISTINCT {column} FROM runs WHERE {column} != '' ORDER BY 1").fetchall()
        return [row[0] for row in rows]

    def delete(self, record_ids: list[int]) -> None:
        with self._lock:
            self._db.executemany("DELETE FROM runs WHERE id = ?", [(i,) for i in record_ids])
