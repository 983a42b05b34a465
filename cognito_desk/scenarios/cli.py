"""``cognito-desk scenarios check|run`` without Qt: reading the files, choosing the connection, the output.

Owns :func:`load_all` (every file read, every problem kept), :func:`approval_for` (``--allow-origin`` and
the saved provider clients), :func:`connection_for` (``--endpoint`` or ``--connection`` win; otherwise the
files must agree on one, and an endpoint only they name must be approved), :func:`check` (the ``check``
command: schema, every origin the files would contact and every reference they would resolve — listed; a
violation of :mod:`.origins` fails —, references resolvable, the pool exists on the connection and accepts
the scenario's provider — nothing signs in), :func:`outcome_line` (one line per scenario: outcome,
durations, the first failure) and :func:`write_reports`. ``scenarios run`` itself lives in
``cognito_desk.ui.runner`` because its browser is QtWebEngine; it uses these.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from ..aws import BackendError
from ..backend.connection import connected
from ..core import errors
from ..flows.clients import ProviderClientsError, ProviderClientsFile
from ..flows.pool_providers import pool_provider_clients
from ..settings import KeyringSecrets, SecretStore
from .model import Scenario, ScenarioError, load_scenario
from .origins import Approval, plan_of
from .references import ReferenceError, is_reference, resolve
from .reports import html_report, junit_xml
from .runner import ScenarioOutcome

__all__ = ["approval_for", "check", "connection_for", "load_all", "outcome_line", "write_reports"]


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def load_all(paths: Sequence[str]) -> tuple[list[Scenario], list[str]]:
    scenarios, problems = [], []
    for path in paths:
        try:
            scenarios.append(load_scenario(path))
        except ScenarioError as exc:
            problems.append(str(exc))
    return scenarios, problems


def approval_for(args: argparse.Namespace) -> Approval:
    """The origins approved outside the files: ``--allow-origin`` and the user's saved provider clients."""
    try:
        saved = ProviderClientsFile().load()
    except ProviderClientsError as exc:
        _say(f"cognito-desk: the saved provider clients are not used to approve origins: {exc}")
        saved = []
    return Approval.of(getattr(args, "allow_origin", None) or (), saved)


def connection_for(scenarios: Sequence[Scenario], args: argparse.Namespace) -> tuple[str | None, str | None, str]:
    """(profile name, endpoint, region) for the run; the region is --region's with --endpoint, else the files'.

    An endpoint only the files name must be approved (``--allow-origin``): the provider's token goes there."""
    if args.endpoint:
        return None, args.endpoint, getattr(args, "region", None) or "us-east-1"
    if args.connection:
        return args.connection, None, "us-east-1"  # a profile knows its own region
    named = {(s.connection_profile, s.endpoint, s.region) for s in scenarios}
    if len(named) > 1:
        names = sorted(profile or (f"{endpoint} ({region})" if endpoint else "the active one")
                       for profile, endpoint, region in named)
        raise ScenarioError(f"the scenarios name different connections ({', '.join(names)}): run them separately or "
                            "pass --connection / --endpoint")
    profile, endpoint, region = named.pop() if named else ("", "", "us-east-1")
    if endpoint and not profile and not approval_for(args).approves(endpoint):
        raise ScenarioError(f"the scenarios name the endpoint {endpoint}, which is not approved: pass --endpoint "
                            f"{endpoint} (or --allow-origin {endpoint}) to run them there")
    return profile or None, endpoint or None, region


def unresolved(scenario: Scenario, secrets: SecretStore | None) -> list[str]:
    """The scenario's references that do not resolve here, one sentence each."""
    values = [scenario.client_secret, *(step.value for step in scenario.steps if step.action == "fill"),
              *scenario.user_pool_refs.values()]
    problems = []
    for value in values:
        if is_reference(value):
            try:
                resolve(value, secrets)
            except ReferenceError as exc:
                problems.append(str(exc))
    return problems


async def _check_on_connection(scenarios: Sequence[Scenario], args: argparse.Namespace) -> dict[str, list[str]]:
    name, endpoint, region = connection_for(scenarios, args)
    problems: dict[str, list[str]] = {}
    async with connected(name, endpoint=endpoint, region=region) as conn:
        for scenario in scenarios:
            found = problems.setdefault(scenario.label, [])
            try:
                pool = await conn.identity.describe_identity_pool(identity_pool_id=scenario.pool_id)
            except (errors.AwsError, BackendError) as exc:
                found.append(f"pool {scenario.pool_id}: {getattr(exc, 'code', type(exc).__name__)}: {exc}")
                continue
            offered = {(c.kind, c.logins_key) for c in pool_provider_clients(conn.name, pool, [])}
            if (scenario.provider.kind, scenario.provider.logins_key) not in offered:
                key = scenario.provider.logins_key or scenario.provider.kind.value
                found.append(f"pool {scenario.pool_id} ({pool.get('IdentityPoolName')}) does not accept the "
                             f"{scenario.provider.kind.value} provider {key}")
    return problems


def check(args: argparse.Namespace) -> int:
    scenarios, problems = load_all(args.paths)
    for problem in problems:
        _say(f"FAIL {problem}")
    secrets = _secrets()
    approval = approval_for(args)
    from_file = not (args.endpoint or args.connection)
    plans = {s.label: plan_of(s, approval, connection_from_file=from_file) for s in scenarios}
    per_scenario = {s.label: [*plans[s.label].violations, *unresolved(s, secrets)] for s in scenarios}
    if scenarios:
        try:
            for label, found in asyncio.run(_check_on_connection(scenarios, args)).items():
                per_scenario[label] += found
        except (ScenarioError, KeyError, errors.CognitoDeskError, BackendError) as exc:
            _say(f"cognito-desk: cannot check the scenarios on the connection: {exc}")
            for scenario in scenarios:  # what the files would contact and resolve is known without a connection
                print(f"FAIL {scenario.path}: {scenario.label}" + "".join(
                    f"\n     {text}" for text in [*plans[scenario.label].lines(), *per_scenario[scenario.label]]),
                    flush=True)
            return 1
    for scenario in scenarios:
        found = per_scenario[scenario.label]
        print(f"{'ok  ' if not found else 'FAIL'} {scenario.path}: {scenario.label}" +
              "".join(f"\n     {text}" for text in [*plans[scenario.label].lines(), *found]), flush=True)
    return 1 if problems or any(per_scenario.values()) else 0


def _secrets() -> SecretStore | None:
    return KeyringSecrets()


def outcome_line(outcome: ScenarioOutcome) -> str:
    record = outcome.record
    steps = ", ".join(f"{step} {ms:.0f} ms" for step, ms in record.step_durations.items())
    line = (f"{'PASS' if outcome.passed else 'FAIL'} {outcome.scenario.label}: {record.outcome} in "
            f"{record.duration_ms / 1000:.2f} s" + (f" ({steps})" if steps else ""))
    return line + "".join(f"\n     {text}" for text in outcome.failures)


def write_reports(outcomes: Sequence[ScenarioOutcome], junit: Path | None, html: Path | None) -> None:
    if junit is not None:
        junit.write_bytes(junit_xml(outcomes))
    if html is not None:
        html.write_text(html_report([o.record for o in outcomes], title="cognito-desk scenario run"),
                        encoding="utf-8")
