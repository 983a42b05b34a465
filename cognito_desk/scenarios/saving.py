""""Save as scenario": a recorded run turned into a scenario that expects the same again.

Owns :func:`scenario_from_record`: the run's pool, provider settings (from the record, never a secret; a
confidential client's secret is for the reviewer to add as ``client_secret = "env:…"``), flow and persona,
and as expectations what the run showed: its outcome, the assumed role, the same identity for the same
persona, the claims it carried and a duration budget of three times what it took (at least 30 s). The
login-page steps are a common login form's where the kind has one (none for guest and developer logins); a
password is always an ``env:`` reference named after the persona. :data:`HEADER` explains the file to the
person who reviews it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from ..flows.clients import ProviderClient, ProviderKind
from ..flows.run import Flow
from .model import Expectations, Scenario, Step
from .record import SUCCESS, RunRecord

__all__ = ["HEADER", "password_variable", "scenario_from_record"]

HEADER = """# A cognito-desk login scenario (TOML). Run it with: cognito-desk scenarios run THIS_FILE
# Secrets are references only: value = "env:NAME" (environment) or "keyring:NAME" (OS keyring, profile scenarios).
# Check the [[steps]]: they are how the provider's login page is filled, clicked and waited for.
"""


def password_variable(persona: str) -> str:
    return "PASSWORD_" + (re.sub(r"[^A-Za-z0-9]+", "_", persona).strip("_").upper() or "USER")


def _steps(kind: ProviderKind, persona: str) -> tuple[Step, ...]:
    if kind in (ProviderKind.GUEST, ProviderKind.DEVELOPER):
        return ()
    if kind is ProviderKind.SAML:
        return (Step("fill", "#userName", persona or "user"), Step("click", "button[type=submit]"))
    return (Step("fill", "input[name=login], input[type=email], input[name=username]", persona or "user"),
            Step("fill", "input[type=password]", f"env:{password_variable(persona)}"),
            Step("click", "button[type=submit]"))


def scenario_from_record(record: RunRecord) -> Scenario:
    client = ProviderClient.from_dict({**record.provider_settings, "connection": ""}) if record.provider_settings \
        else ProviderClient("", record.provider, ProviderKind(record.provider_kind))
    client = replace(client, connection="")
    expect = Expectations(
        outcome=SUCCESS if record.ok else record.outcome, role_arn=record.assumed_role if record.ok else "",
        identity="same" if record.ok and record.persona else "", claims=tuple(sorted(record.claims)),
        max_duration_seconds=max(30.0, round(record.duration_ms * 3 / 1000)))
    return Scenario(name=f"{record.provider} as {record.persona or 'a private user'}", pool_id=record.pool_id,
                    provider=client, persona=record.persona, flow=Flow(record.flow),
                    connection_profile=record.connection, steps=_steps(client.kind, record.persona), expect=expect)
