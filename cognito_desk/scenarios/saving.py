""""Save as scenario": a recorded run turned into a scenario that expects the same again.

Owns :func:`scenario_from_record`: the run's pool, provider settings (from the record, never a secret; a
confidential client's secret is for the reviewer to add as ``client_secret = "env:…"``), flow and persona,
and as expectations what the run showed: its outcome, the assumed role, the same identity for the same
persona, the claims it carried and a duration budget of three times what it took (at least 30 s). The
login-page steps are the ones the embedded browser recorded during the run — each field filled (its value an
``env:`` / ``keyring:`` reference the user picks, :func:`reference_fields` offers a name for each), each
button clicked, consent included. A run nothing recorded (the system browser, an older record) gets a common
login form's steps instead, and :func:`replay_problems` says, when saving, why a saved scenario would not
replay as it is (also written into the file's header by :func:`scenario_text`). A user-pool (username &
password) run has no steps: its password — and the TOTP seed or new password when the run met those
challenges — become ``env:`` references. :data:`HEADER` explains the file to the person who reviews it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from ..flows.clients import ProviderClient, ProviderKind
from ..flows.recording import BrowserAction
from ..flows.run import Flow
from .model import Expectations, Scenario, Step, dump_scenario
from .record import SUCCESS, RunRecord
from .references import is_reference

__all__ = ["HEADER", "password_variable", "reference_fields", "replay_problems", "scenario_from_record",
           "scenario_text"]

HEADER = """# A cognito-desk login scenario (TOML). Run it with: cognito-desk scenarios run THIS_FILE
# Secrets are references only: value = "env:NAME" (environment) or "keyring:NAME" (OS keyring, profile scenarios).
# Check the [[steps]]: they are how the provider's login page is filled, clicked and waited for.
"""


def password_variable(persona: str) -> str:
    return "PASSWORD_" + (re.sub(r"[^A-Za-z0-9]+", "_", persona).strip("_").upper() or "USER")


def _user_pool_refs(client: ProviderClient, record: RunRecord) -> dict[str, str]:
    """A user-pool sign-in's references: the password, and what its challenges needed (by env variable)."""
    if client.kind is not ProviderKind.USER_POOL_PASSWORD:
        return {}
    variable = password_variable(record.persona or client.username)
    refs = {"password": f"env:{variable}"}
    if "SOFTWARE_TOKEN_MFA" in record.challenges:
        refs["totp_seed"] = f"env:{variable.replace('PASSWORD_', 'TOTP_SEED_', 1)}"
    if "NEW_PASSWORD_REQUIRED" in record.challenges:
        refs["new_password"] = f"env:{variable.replace('PASSWORD_', 'NEW_PASSWORD_', 1)}"
    return refs


def _steps(kind: ProviderKind, persona: str) -> tuple[Step, ...]:
    if kind in (ProviderKind.GUEST, ProviderKind.DEVELOPER, ProviderKind.USER_POOL_PASSWORD):
        return ()
    if kind is ProviderKind.SAML:
        return (Step("fill", "#userName", persona or "user"), Step("click", "button[type=submit]"))
    return (Step("fill", "input[name=login], input[type=email], input[name=username]", persona or "user"),
            Step("fill", "input[type=password]", f"env:{password_variable(persona)}"),
            Step("click", "button[type=submit]"))


def _recorded(record: RunRecord) -> list[BrowserAction] | None:
    if record.browser_steps is None:
        return None
    actions = []
    for raw in record.browser_steps:
        try:
            actions.append(BrowserAction.from_dict(raw))
        except (KeyError, TypeError, ValueError):
            continue
    return actions


def _variable(persona: str, field: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", f"{persona or 'user'}_{field or 'field'}").strip("_").upper()


def reference_fields(record: RunRecord) -> list[tuple[str, str]]:
    """(field, the reference offered for its value) for each field the run filled, once each, in order."""
    fields: dict[str, str] = {}
    for action in _recorded(record) or []:
        if action.action == "fill" and action.field not in fields:
            fields[action.field] = f"env:{_variable(record.persona, action.field)}"
    return list(fields.items())


def replay_problems(record: RunRecord) -> list[str]:
    """Why the scenario saved from ``record`` would not replay as it is (empty when it would)."""
    if ProviderKind(record.provider_kind) in (ProviderKind.GUEST, ProviderKind.DEVELOPER,
                                              ProviderKind.USER_POOL_PASSWORD):  # no login page to replay
        return []
    recorded = _recorded(record)
    if recorded is None:
        return ["This run's login was not recorded (it ran in the system browser, or before cognito-desk recorded "
                "logins): its steps are a common login form's guess — check them against the provider's page."]
    if not any(action.action == "fill" for action in recorded):
        return ["The embedded browser saw no login on the provider's page in this run (the persona's browser "
                "session signed in without one): a scenario signs in from a fresh browser and would stop at the "
                "login form. Clear the persona's session in the Tester, sign in again, and save that run."]
    return []


def _steps_taken(recorded: list[BrowserAction], persona: str, references: Mapping[str, str]) -> tuple[Step, ...]:
    steps = []
    for action in recorded:
        if action.action == "click":
            steps.append(Step("click", action.selector))
            continue
        value = references.get(action.field) or f"env:{_variable(persona, action.field)}"
        if not is_reference(value):
            raise ValueError(f"the value of {action.field!r} must be a reference (env:NAME or keyring:NAME), never "
                             "the value itself")
        steps.append(Step("fill", action.selector, value))
    return tuple(steps)


def scenario_text(record: RunRecord, references: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """The scenario file for ``record`` and the replay problems it carries (also as notes in its header)."""
    problems = replay_problems(record)
    notes = "".join(f"# NOTE: {problem}\n" for problem in problems)
    return HEADER + notes + dump_scenario(scenario_from_record(record, references)), problems


def scenario_from_record(record: RunRecord, references: Mapping[str, str] | None = None) -> Scenario:
    client = ProviderClient.from_dict({**record.provider_settings, "connection": ""}) if record.provider_settings \
        else ProviderClient("", record.provider, ProviderKind(record.provider_kind))
    client = replace(client, connection="")
    expect = Expectations(
        outcome=SUCCESS if record.ok else record.outcome, role_arn=record.assumed_role if record.ok else "",
        identity="same" if record.ok and record.persona else "", claims=tuple(sorted(record.claims)),
        max_duration_seconds=max(30.0, round(record.duration_ms * 3 / 1000)))
    recorded = _recorded(record)
    no_browser = client.kind in (ProviderKind.GUEST, ProviderKind.DEVELOPER, ProviderKind.USER_POOL_PASSWORD)
    steps = _steps(client.kind, record.persona) if recorded is None or no_browser else _steps_taken(
        recorded, record.persona, references or {})
    return Scenario(name=f"{record.provider} as {record.persona or 'a private user'}", pool_id=record.pool_id,
                    provider=client, persona=record.persona, flow=Flow(record.flow),
                    connection_profile=record.connection, steps=steps, expect=expect,
                    user_pool_refs=_user_pool_refs(client, record))
