"""What a screen says when an operation fails: plain words first, the raw error one click away.

Owns :func:`describe_failure`, a pure function from any exception an operation can end with to a
:class:`FailureReport`: the explanation from :mod:`cognito_desk.core.explain` for AWS errors (with the
``Logins``, pool and roles the caller knows), a "cannot reach the backend" report for connection
failures and timeouts (retryable), the message of our own errors (credentials, keyring, settings), and
an honest "unexpected error" for anything else. ``raw`` is the text behind "Details": code, message,
request id and the service's decision notes — never a token or a secret.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..aws import BackendError, ConnectionFailed, RequestTimedOut
from ..core import errors
from ..core.explain import TriedRole, explain

__all__ = ["FailureReport", "describe_failure", "describe_problems"]


class Problem(Protocol):
    """A refused field (``admin.pools.FieldProblem``): its member, plain words, and the API's own wording."""

    member: str
    message: str
    detail: str


@dataclass(frozen=True)
class FailureReport:
    title: str
    cause: str
    fix: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    #: The unexplained error, for the Details section (and "copy").
    raw: str = ""
    #: True when trying the same thing again may work (the backend was unreachable or slow).
    retryable: bool = False


def describe_problems(problems: Sequence[Problem], title: str = "Not sent: the backend would refuse this",
                      ) -> FailureReport:
    """Problems found before anything was sent: each field named with plain words, the API's wording in raw."""
    cause = "\n".join(f"{p.member}: {p.message}" if p.member else p.message for p in problems)
    raw = "\n".join(p.detail or p.message for p in problems)
    return FailureReport(title, cause, "Correct the fields named above, then try again.", raw=raw)


def describe_failure(error: BaseException, *, logins: Mapping[str, str] | None = None,
                     pool: Mapping[str, Any] | None = None, roles: Mapping[str, Any] | None = None,
                     tried_role: TriedRole | None = None) -> FailureReport:
    if isinstance(error, errors.AwsError):
        found = explain(error, logins=logins, pool=pool, roles=roles, notes=error.notes, tried_role=tried_role)
        raw = [f"{error.code} (HTTP {error.status})", error.message or "(no message)"]
        if error.request_id:
            raw.append(f"Request id: {error.request_id}")
        raw += [f"Service note: {note}" for note in error.notes]
        details = [(k, v) for k, v in found.details if k not in ("Error code", "Message")]
        return FailureReport(found.title, found.cause, found.fix, details, "\n".join(raw),
                             retryable=error.code in _RETRYABLE_CODES)
    if isinstance(error, (ConnectionFailed, RequestTimedOut)):
        where = error.url or "the backend"
        slow = isinstance(error, RequestTimedOut)
        return FailureReport(
            "The backend did not answer in time" if slow else "Cannot reach the backend",
            f"{where} {'took too long to answer' if slow else 'did not accept the connection or broke it'}"
            f"{f' during {error.operation}' if error.operation else ''}.",
            "Check that the service is running and the network is up, then retry.",
            raw=f"{type(error).__name__}: {error.message}", retryable=True)
    if isinstance(error, BackendError):
        return FailureReport("The backend's answer could not be used", error.message,
                             "Check that the connection's URL points at a Cognito Identity–compatible service.",
                             raw=f"{type(error).__name__}: {error.message}")
    problems = getattr(error, "problems", None)
    if isinstance(error, errors.CognitoDeskError) and problems and all(hasattr(p, "member") for p in problems):
        return describe_problems(problems)
    if isinstance(error, errors.CognitoDeskError):
        return FailureReport(_first_sentence(str(error)), str(error), raw=f"{type(error).__name__}: {error}")
    return FailureReport("Unexpected error", f"{type(error).__name__}: {error}",
                         "This is a bug in cognito-desk; the details below help to report it.",
                         raw=f"{type(error).__name__}: {error!r}")


_RETRYABLE_CODES = frozenset({"TooManyRequestsException", "ThrottlingException", "Throttling",
                              "InternalErrorException", "InternalFailure", "ServiceUnavailable"})


def _first_sentence(text: str) -> str:
    head = text.split(": ", 1)[0] if len(text) > 90 else text
    return head.split(". ", 1)[0].rstrip(".")
