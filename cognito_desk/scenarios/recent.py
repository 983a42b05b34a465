"""The recorded sign-ins of a pool that the role preview can replay: their claims, never their raw tokens.

Owns :func:`recent_sign_ins`, which reads the run history (:mod:`.history`) for the pool's latest records
that carried claims and labels each with when, which provider, who and what it got.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..core.tokens import format_utc
from .history import HistoryFilter, HistoryStore


@dataclass(frozen=True)
class RecentSignIn:
    """A recorded sign-in whose claims the preview can replay (the history keeps claims, never raw tokens)."""

    label: str
    logins_key: str
    claims_json: str


def recent_sign_ins(store: HistoryStore, pool_id: str, limit: int = 20) -> list[RecentSignIn]:
    """The pool's latest recorded sign-ins that carried claims, newest first (``store``: a run-history store)."""
    recent = []
    for record in store.list(HistoryFilter(pool_id=pool_id), limit=limit):
        if record.claims and record.logins_key:
            who = record.persona or str(record.claims.get("sub", ""))
            outcome = record.assumed_role or record.outcome
            label = f"{format_utc(record.started_at)} · {record.provider} · {who} → {outcome}"
            recent.append(RecentSignIn(label, record.logins_key, json.dumps(record.claims, indent=1)))
    return recent
