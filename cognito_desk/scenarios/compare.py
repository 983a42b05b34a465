"""Two runs side by side: the rows the compare view shows, each marked when the runs differ.

Owns :class:`Difference` (one row: what, the left and the right value as text, whether they differ) and
:func:`compare_runs` — when, who and how (pool, provider, persona, flow), the outcome and failed step,
identity (and whether it is the same one), assumed and expected role, credential expiry, total and per-step
durations (a step differs when one run lacks it or it took more than twice as long), then every claim of
either run. Plain text in, plain text out: the Qt view only paints it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from .record import RunRecord

__all__ = ["Difference", "compare_runs"]

SLOWER = 2.0


@dataclass(frozen=True)
class Difference:
    section: str
    label: str
    left: str
    right: str
    differs: bool


def _when(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if epoch else ""


def _text(value: object) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _steps(left: RunRecord, right: RunRecord) -> list[Difference]:
    rows = []
    for step in dict.fromkeys([*left.step_durations, *right.step_durations]):
        a, b = left.step_durations.get(step), right.step_durations.get(step)
        slower = a is not None and b is not None and max(a, b) > SLOWER * max(min(a, b), 1.0)
        shown = ["" if ms is None else f"{ms:.0f} ms" for ms in (a, b)]
        rows.append(Difference("Durations", step, shown[0], shown[1], a is None or b is None or slower))
    return rows


def compare_runs(left: RunRecord, right: RunRecord) -> list[Difference]:
    def row(section: str, label: str, a: object, b: object) -> Difference:
        return Difference(section, label, _text(a), _text(b), _text(a) != _text(b))

    rows = [row("Run", "Started", _when(left.started_at), _when(right.started_at))]
    rows[0] = Difference("Run", "Started", rows[0].left, rows[0].right, False)  # always different, never news
    rows += [row("Run", label, getattr(left, name), getattr(right, name)) for label, name in (
        ("Connection", "connection"), ("Pool", "pool_id"), ("Provider", "provider"), ("Persona", "persona"),
        ("Flow", "flow"), ("Source", "source"), ("Outcome", "outcome"), ("Failed step", "failed_step"),
        ("Error", "error_message"))]
    rows += [row("Identity", "Identity ID", left.identity_id, right.identity_id),
             row("Identity", "Returning", left.returning, right.returning),
             row("Role", "Assumed role", left.assumed_role, right.assumed_role),
             row("Role", "Expected role", left.expected_role, right.expected_role)]
    a_left = None if left.credentials_expire_at is None else left.credentials_expire_at - left.started_at
    a_right = None if right.credentials_expire_at is None else right.credentials_expire_at - right.started_at
    rows.append(row("Role", "Credentials valid for", f"{a_left / 60:.0f} min" if a_left else "",
                    f"{a_right / 60:.0f} min" if a_right else ""))
    total = Difference("Durations", "Total", f"{left.duration_ms:.0f} ms", f"{right.duration_ms:.0f} ms",
                       max(left.duration_ms, right.duration_ms) > SLOWER * max(min(left.duration_ms,
                                                                                  right.duration_ms), 1.0))
    rows += [total, *_steps(left, right)]
    for claim in sorted({*left.claims, *right.claims}):
        rows.append(row("Claims", claim, left.claims.get(claim), right.claims.get(claim)))
    return rows
