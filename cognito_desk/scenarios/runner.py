"""Running scenarios: each one a real sign-in on a connection, checked against its expectations and recorded.

Owns :class:`ScenarioOutcome` (the scenario, the record of its run — expectation failures included — and
whether it passed), :func:`run_scenario` and :func:`run_scenarios` (``parallel`` at a time, results in the
files' order, ``on_done`` called as each one ends). The browser is not this module's: ``agents`` is an async
context manager factory that gets the scenario's login-page steps with their references resolved and
yields a :class:`~cognito_desk.flows.agent.UserAgent` (the headless QtWebEngine runner in ``ui/runner``
gives each scenario its own private browser profile; tests may pass any agent). References that cannot
be resolved, and a run that outlives ``timeout``, are failures of that scenario with the step they stopped;
so is a file whose provider is not approved (:mod:`.origins`), before any of its references is read.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace

from ..flows.agent import UserAgent
from ..flows.clients import ProviderKind
from ..flows.run import Clients, RunRequest, SignInRun
from ..flows.userpool import UserPoolSignIn
from ..settings import Secret, SecretStore
from .expectations import check_expectations
from .history import HistoryStore
from .model import Scenario, Step
from .origins import Approval, plan_of
from .record import RunRecord, record_of
from .references import ReferenceError, is_reference, resolve
from .userpool import ScenarioAnswers

__all__ = ["AgentFactory", "ResolvedStep", "ScenarioOutcome", "run_scenario", "run_scenarios"]

NO_BROWSER = (ProviderKind.GUEST, ProviderKind.DEVELOPER, ProviderKind.USER_POOL_PASSWORD)
REFERENCES_STEP = "Scenario references"
ORIGINS_STEP = "Scenario origins"
NOTHING_APPROVED = Approval()


@dataclass(frozen=True)
class ResolvedStep:
    step: Step
    value: Secret | None = None
    #: For a value read from a reference: the only origins whose pages it may be typed into.
    origins: frozenset[str] | None = None


AgentFactory = Callable[[Scenario, Sequence[ResolvedStep]], AbstractAsyncContextManager[UserAgent]]


@dataclass
class ScenarioOutcome:
    scenario: Scenario
    record: RunRecord

    @property
    def passed(self) -> bool:
        return not self.record.expectation_failures

    @property
    def failures(self) -> list[str]:
        return self.record.expectation_failures


def _resolved(scenario: Scenario, secrets: SecretStore | None, approval: Approval
              ) -> tuple[list[ResolvedStep], str | None]:
    steps = [ResolvedStep(step, resolve(step.value, secrets) if step.action == "fill" else None,
                          approval.origins if is_reference(step.value) else None)
             for step in scenario.steps]
    secret = resolve(scenario.client_secret, secrets).reveal() if scenario.client_secret else None
    return steps, secret


def _user_pool(scenario: Scenario, secrets: SecretStore | None) -> UserPoolSignIn | None:
    """The password and challenge answers of a user-pool-password scenario, resolved (None for other kinds)."""
    refs = {key: resolve(value, secrets) for key, value in scenario.user_pool_refs.items() if value}
    if "password" not in refs:
        return None
    return UserPoolSignIn(refs["password"], ScenarioAnswers(refs.get("new_password"), refs.get("totp_seed")))


def _unrun(scenario: Scenario, connection: str, step: str, code: str, message: str) -> RunRecord:
    provider = scenario.provider
    return RunRecord(time.time(), connection, scenario.pool_id, provider.name, provider.kind.value,
                     provider.logins_key, scenario.persona, scenario.flow.value, scenario.label, code,
                     failed_step=step, error_code=code, error_message=message,
                     explanation={"title": f"The scenario stopped at {step}", "cause": message,
                                  "fix": "Set what the message names and run the scenario again."})


async def _sign_in(clients: Clients, scenario: Scenario, agents: AgentFactory, connection: str,
                   secrets: SecretStore | None, timeout: float, approval: Approval) -> RunRecord:
    violations = plan_of(scenario, approval).violations
    if violations:  # before any reference is read: the file alone never decides where a secret goes
        return _unrun(scenario, connection, ORIGINS_STEP, "OriginNotApproved", "; ".join(violations))
    try:
        steps, client_secret = _resolved(scenario, secrets, approval)
        user_pool = _user_pool(scenario, secrets)
    except ReferenceError as exc:
        return _unrun(scenario, connection, REFERENCES_STEP, "ReferenceError", str(exc))
    request = RunRequest(scenario.pool_id, replace(scenario.provider, connection=connection), scenario.flow,
                         scenario.custom_role_arn or None, client_secret, approval.origins, user_pool=user_pool)
    sign_in = SignInRun(clients)
    try:
        if scenario.provider.kind in NO_BROWSER:
            result = await asyncio.wait_for(sign_in.run(request), timeout)
        else:
            async with agents(scenario, steps) as agent:
                sign_in.agent = agent
                result = await asyncio.wait_for(sign_in.run(request), timeout)
    except TimeoutError:
        if sign_in.result is None:
            return _unrun(scenario, connection, "Start", "Timeout", f"the run did not start within {timeout:g} s")
        record = record_of(sign_in.result, connection=connection, persona=scenario.persona, source=scenario.label)
        # The pool's configuration is read beside the sign-in: the step the run stopped at is the sign-in's own.
        calls = [call for call in sign_in.result.timeline.calls if call.step != "Pool configuration"]
        record.outcome = record.error_code = "Timeout"
        record.failed_step = calls[-1].step if calls else "Start"
        record.error_message = f"the scenario did not finish within {timeout:g} s (--timeout)"
        record.explanation = {"title": "The scenario ran out of time", "cause": record.error_message,
                              "fix": "Check the step it stopped at, or give it more time with --timeout."}
        return record
    return record_of(result, connection=connection, persona=scenario.persona, source=scenario.label)


async def run_scenario(clients: Clients, scenario: Scenario, agents: AgentFactory, *, connection: str,
                       history: HistoryStore | None = None, secrets: SecretStore | None = None,
                       timeout: float = 120.0, approval: Approval = NOTHING_APPROVED) -> ScenarioOutcome:
    """Run ``scenario`` on ``clients`` (the connection named ``connection``), check it, keep it in ``history``.

    ``approval``: the origins approved outside the file; its references resolve only for those."""
    record = await _sign_in(clients, scenario, agents, connection, secrets, timeout, approval)
    previous = None
    if history is not None:
        previous = await asyncio.to_thread(history.previous_identity, record.pool_id, record.provider,
                                           record.persona, record.started_at)
    record.expectation_failures = check_expectations(scenario.expect, record, previous)
    if history is not None:
        await asyncio.to_thread(history.add, record)
    return ScenarioOutcome(scenario, record)


async def run_scenarios(clients: Clients, scenarios: Sequence[Scenario], agents: AgentFactory, *, connection: str,
                        parallel: int = 1, history: HistoryStore | None = None, secrets: SecretStore | None = None,
                        timeout: float = 120.0, approval: Approval = NOTHING_APPROVED,
                        on_done: Callable[[ScenarioOutcome], None] | None = None) -> list[ScenarioOutcome]:
    """Every scenario, ``parallel`` at a time; the outcomes in the order of ``scenarios``."""
    gate = asyncio.Semaphore(max(1, parallel))

    async def one(scenario: Scenario) -> ScenarioOutcome:
        async with gate:
            outcome = await run_scenario(clients, scenario, agents, connection=connection, history=history,
                                         secrets=secrets, timeout=timeout, approval=approval)
        if on_done is not None:
            on_done(outcome)
        return outcome

    return list(await asyncio.gather(*(one(scenario) for scenario in scenarios)))
