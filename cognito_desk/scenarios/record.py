"""What is kept of one sign-in run: a :class:`RunRecord` — never a secret, a raw token or a credential.

Owns :class:`RunRecord` (when, connection, pool, provider, persona, flow, where the run came from — the
tester or a scenario — and the result: identity id new or returning, the assumed and the expected role,
the two expiries, step durations, the failed step with its error code, message and explanation, the
decoded claims, the scenario's expectation failures, the fields filled and buttons clicked on the provider's
pages — selectors, never values) and :func:`record_of`, which builds one from a
flow's :class:`~cognito_desk.flows.run.RunResult`. The ``Logins`` map, the provider token, the Cognito
token and the vended credentials are deliberately not read: only their key names and expiries are; URLs in
the failure's message lose their query string and fragment (authorization codes, tokens), and a provider's
own words arrive already labelled as the provider's (:func:`cognito_desk.flows.oauth.provider_said`).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from ..core import errors
from ..flows.origins import redact_urls
from ..flows.run import RunResult

__all__ = ["RunRecord", "outcome_of", "record_of"]

SUCCESS = "success"


@dataclass
class RunRecord:
    started_at: float
    connection: str
    pool_id: str
    provider: str
    provider_kind: str
    logins_key: str = ""
    persona: str = ""
    flow: str = "enhanced"
    #: ``tester``, or the scenario's name for a scenario run.
    source: str = "tester"
    outcome: str = SUCCESS
    duration_ms: float = 0.0
    identity_id: str = ""
    returning: bool | None = None
    assumed_role: str = ""
    expected_role: str = ""
    expected_role_reason: str = ""
    credentials_expire_at: float | None = None
    provider_expires_at: float | None = None
    step_durations: dict[str, float] = field(default_factory=dict)
    failed_step: str = ""
    error_code: str = ""
    error_message: str = ""
    explanation: dict[str, str] = field(default_factory=dict)
    claims: dict[str, Any] = field(default_factory=dict)
    #: The provider client's settings (issuer, client id … — never its secret, which is in the keyring).
    provider_settings: dict[str, Any] = field(default_factory=dict)
    #: The scenario's expectations that did not hold (one sentence each).
    expectation_failures: list[str] = field(default_factory=list)
    #: What the user did on the provider's pages (selectors, never values); None when nothing recorded it.
    browser_steps: list[dict[str, Any]] | None = None
    #: The user pool's challenges met (names, e.g. NEW_PASSWORD_REQUIRED; never their answers).
    challenges: list[str] = field(default_factory=list)
    id: int | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == SUCCESS and not self.error_code

    @property
    def passed(self) -> bool:
        """The run did what was expected of it (for a tester run: it signed in)."""
        return not self.expectation_failures and (self.ok or self.source != "tester")

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if k != "id"}, sort_keys=True, default=str)

    @classmethod
    def from_json(cls, text: str, record_id: int | None = None) -> RunRecord:
        raw = json.loads(text)
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known}, id=record_id)


def outcome_of(error: Exception | None) -> str:
    """``success``, the AWS error code, or the kind of failure (``ProviderError``, ``BackendError`` …)."""
    if error is None:
        return SUCCESS
    if isinstance(error, errors.AwsError):
        return error.code
    return type(error).__name__


def _plain(value: Any) -> Any:
    """Claims as JSON can hold them (a SAML attribute list, a nested address object)."""
    return json.loads(json.dumps(value, default=str))


def record_of(result: RunResult, *, connection: str, persona: str = "", source: str = "tester",
              finished_at: float | None = None) -> RunRecord:
    request, failure = result.request, result.failure
    finished_at = time.time() if finished_at is None else finished_at
    login = result.login
    prediction = result.prediction
    expires = result.credentials_expire_at
    return RunRecord(
        started_at=result.started_at, connection=connection, pool_id=request.pool_id,
        provider=request.client.name, provider_kind=request.client.kind.value,
        logins_key=request.client.logins_key, persona=persona, flow=request.flow.value, source=source,
        outcome=SUCCESS if result.ok else outcome_of(failure.error) if failure else "cancelled",
        duration_ms=round((finished_at - result.started_at) * 1000, 1),
        identity_id=result.identity_id or "", returning=result.returning, assumed_role=result.assumed_role or "",
        expected_role=(prediction.role_arn or "") if prediction else "",
        expected_role_reason=prediction.explanation if prediction else "",
        credentials_expire_at=expires.timestamp() if expires else None,
        provider_expires_at=result.provider_expires_at,
        step_durations={step: round(ms, 1) for step, ms in result.step_durations().items()},
        failed_step=failure.step if failure else "",
        error_code=outcome_of(failure.error) if failure else "",
        error_message=redact_urls(failure.message) if failure else "",
        explanation=({"title": failure.explanation.title, "cause": redact_urls(failure.explanation.cause),
                      "fix": failure.explanation.fix} if failure else {}),
        claims=_plain(dict(login.claims)) if login else {}, provider_settings=request.client.to_dict(),
        browser_steps=None if result.browser_actions is None else [a.to_dict() for a in result.browser_actions],
        challenges=list(result.challenges))
