"""A scenario's expectations checked against the record of its run: one sentence per expectation that failed.

Owns :func:`check_expectations`. Each sentence starts with the expectation's key (``outcome``, ``role_arn``,
``identity``, ``credentials_valid_minutes``, ``claims``, ``max_duration_seconds``) and says what was
expected and what happened — the expected and the actual role by ARN, the step and the AWS error of a run
that failed with the explanation's first sentence and fix. A run that fails as its scenario expects
(``outcome`` an AWS error code) is not checked for a role, an identity or credentials it cannot have.
``identity = "same"`` on the persona's first run (no previous run in the history) passes: that run is the
baseline the next ones must match.
"""

from __future__ import annotations

from .model import Expectations
from .record import SUCCESS, RunRecord

__all__ = ["check_expectations", "failure_summary"]


def failure_summary(record: RunRecord) -> str:
    """The failed step, the error and its explanation, in one paragraph."""
    if record.ok:
        return ""
    explanation = record.explanation
    text = f"at step “{record.failed_step or 'unknown'}”: {record.error_code}: {record.error_message}"
    if explanation:
        text += f" — {explanation.get('title', '')}. {explanation.get('cause', '')} Fix: {explanation.get('fix', '')}"
    return text.strip()


def check_expectations(expect: Expectations, record: RunRecord, previous_identity: str | None) -> list[str]:
    failures = []
    if expect.outcome == SUCCESS and not record.ok:
        failures.append(f"outcome: expected success, the run failed {failure_summary(record)}")
    elif expect.outcome != SUCCESS and record.outcome != expect.outcome:
        got = "success" if record.ok else f"{record.outcome} {failure_summary(record)}"
        failures.append(f"outcome: expected {expect.outcome}, got {got}")
    if record.ok:
        failures += _signed_in(expect, record, previous_identity)
    missing = [claim for claim in expect.claims if claim not in record.claims]
    if missing:
        failures.append(f"claims: {', '.join(missing)} missing from the provider token (it has "
                        f"{', '.join(sorted(record.claims)) or 'no claims'})")
    if expect.max_duration_seconds is not None and record.duration_ms > expect.max_duration_seconds * 1000:
        slowest = max(record.step_durations.items(), key=lambda item: item[1], default=("", 0.0))
        failures.append(f"max_duration_seconds: the run took {record.duration_ms / 1000:.1f} s, more than "
                        f"{expect.max_duration_seconds:g} s" + (f" (slowest step {slowest[0]}: {slowest[1]:.0f} ms)"
                                                              if slowest[0] else ""))
    return failures


def _signed_in(expect: Expectations, record: RunRecord, previous_identity: str | None) -> list[str]:
    failures = []
    if expect.role_arn and record.assumed_role != expect.role_arn:
        reason = f" The pool's configuration gave it because: {record.expected_role_reason}" \
            if record.expected_role_reason else ""
        failures.append(f"role_arn: expected role {expect.role_arn}, actual role {record.assumed_role or 'none'}."
                        + reason)
    if expect.identity == "same":
        # A first run has nothing to compare with: it is the baseline (kept in the history) the next runs must match.
        if previous_identity is not None and previous_identity != record.identity_id:
            failures.append(f"identity: expected the same identity as the previous run ({previous_identity}), got "
                            f"{record.identity_id}")
    elif expect.identity == "new" and (record.returning or record.identity_id == previous_identity):
        failures.append(f"identity: expected a new identity, got the returning identity {record.identity_id}")
    if expect.credentials_valid_minutes is not None:
        finished = record.started_at + record.duration_ms / 1000
        left = None if record.credentials_expire_at is None else (record.credentials_expire_at - finished) / 60
        if left is None or left < expect.credentials_valid_minutes:
            failures.append(f"credentials_valid_minutes: expected credentials valid for at least "
                            f"{expect.credentials_valid_minutes:g} min, " +
                            ("none were vended" if left is None else f"they expire in {left:.1f} min"))
    return failures
