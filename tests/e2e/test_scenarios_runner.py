"""The Qt-free scenario runner in-process on the real embedded service and oidc-provider, with the tests' HTTP-client
browser as user agent: references resolved (or the scenario stopped at them), identity "same"/"new" from the
history, an expected AWS error, the --timeout path, parallel runs in the files' order, and what the history keeps."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from test_flows_signin import Lab, clients
from test_flows_user_agent import FormBrowser

from cognito_desk.scenarios.history import HistoryStore
from cognito_desk.scenarios.model import parse_scenario
from cognito_desk.scenarios.origins import Approval
from cognito_desk.scenarios.runner import run_scenarios


@pytest.fixture
def lab(request, service, oidc_idp, saml_idp):
    return Lab(service, oidc_idp, saml_idp, "sr-" + request.node.name.replace("_", "-")[5:30].strip("-"))


def scenario(lab: Lab, name: str, user: str, expect: str = "", password: str = "env:SR_PASSWORD"):
    return parse_scenario(f"""version = 1
name = "{name}"
persona = "{user}"
pool_id = "{lab.pool_id}"

[provider]
name = "test-op"
kind = "oidc"
issuer = "{lab.oidc.issuer}"
client_id = "qa-desk"

[[steps]]
fill = "input[name=login]"
value = "{user}"
[[steps]]
fill = "input[name=password]"
value = "{password}"

[expect]
{expect}
""", Path(f"{name}.toml"))


def agents(seen: list, slow: bool = False):
    """Plays each scenario's user with the HTTP-client browser; records the resolved steps it was given."""
    @asynccontextmanager
    async def agent(scenario, steps):
        seen.append([(s.step.action, s.value.reveal() if s.value else None) for s in steps])
        browser = FormBrowser(steps[0].value.reveal(), cancel_at_login=slow)
        yield browser

    return agent


def run(lab: Lab, scenarios, history: HistoryStore, seen: list, **options):
    async def main():
        async with clients(lab.service) as connection:
            return await run_scenarios(connection, scenarios, agents(seen, options.pop("slow", False)),
                                       connection="local", history=history, **options)
    options.setdefault("approval", Approval.of([lab.oidc.issuer]))  # approved outside the files, as --allow-origin
    return asyncio.run(asyncio.wait_for(main(), 120))


def test_identity_same_and_new_come_from_the_history(lab, tmp_path, monkeypatch):
    monkeypatch.setenv("SR_PASSWORD", "runner-pw-1")
    history = HistoryStore(tmp_path / "h.sqlite3")
    seen: list = []
    first = run(lab, [scenario(lab, "first", "dora", 'identity = "new"')], history, seen)
    again = run(lab, [scenario(lab, "again", "dora", 'identity = "same"'),
                      scenario(lab, "erin new", "erin", 'identity = "same"')], history, seen)
    assert first[0].passed and again[0].passed, (first[0].failures, again[0].failures)
    assert again[0].record.identity_id == first[0].record.identity_id
    # erin's first run has nothing to compare with: it passes and is the baseline her next run must match.
    assert again[1].failures == [] and again[1].passed
    [erin] = run(lab, [scenario(lab, "erin again", "erin", 'identity = "same"')], history, seen)
    assert erin.passed and erin.record.identity_id == again[1].record.identity_id
    assert seen[0] == [("fill", "dora"), ("fill", "runner-pw-1")]  # the agent gets the resolved value
    assert b"runner-pw-1" not in (tmp_path / "h.sqlite3").read_bytes()
    assert [r.source for r in history.list()] == ["erin again", "erin new", "again", "first"]
    history.close()


def test_unresolved_reference_stops_the_scenario_before_any_sign_in(lab, tmp_path, monkeypatch):
    monkeypatch.delenv("SR_PASSWORD", raising=False)
    seen: list = []
    [outcome] = run(lab, [scenario(lab, "no password", "frank")], None, seen)
    assert not outcome.passed and seen == []
    assert outcome.record.failed_step == "Scenario references" and outcome.record.outcome == "ReferenceError"
    assert outcome.failures[0].startswith("outcome: expected success, the run failed at step “Scenario references”: "
                                          "ReferenceError: env:SR_PASSWORD: the environment variable SR_PASSWORD is "
                                          "not set.")


def test_expected_aws_error_and_role_are_checked(lab, tmp_path, monkeypatch):
    monkeypatch.setenv("SR_PASSWORD", "pw")
    pool = lab.ci.describe_identity_pool(IdentityPoolId=lab.pool_id)
    pool.pop("ResponseMetadata")
    lab.ci.update_identity_pool(**{**pool, "OpenIdConnectProviderARNs": []})  # the provider is no longer attached
    outcomes = run(lab, [scenario(lab, "refused", "gina", 'outcome = "NotAuthorizedException"'),
                         scenario(lab, "wants success", "gina", f'role_arn = "{lab.roles["qa"]}"')], None, [],
                   parallel=2)
    assert [o.scenario.name for o in outcomes] == ["refused", "wants success"]
    assert outcomes[0].passed and outcomes[0].record.failed_step == "GetId"
    assert outcomes[1].failures[0].startswith("outcome: expected success, the run failed at step “GetId”: "
                                              "NotAuthorizedException: ")


def test_timeout_names_the_step_it_stopped_at(lab, monkeypatch):
    monkeypatch.setenv("SR_PASSWORD", "pw")
    [outcome] = run(lab, [scenario(lab, "stuck", "hank")], None, [], timeout=2, slow=True)
    assert outcome.record.outcome == "Timeout" and outcome.record.failed_step == "Provider login"
    assert "did not finish within 2 s (--timeout)" in outcome.failures[0]


def test_an_unapproved_provider_stops_the_scenario_before_any_reference_is_read(lab, monkeypatch):
    monkeypatch.setenv("SR_PASSWORD", "never-read")
    seen: list = []
    [outcome] = run(lab, [scenario(lab, "unapproved", "gina")], None, seen, approval=Approval())
    assert not outcome.passed and seen == []  # no agent, no resolved value
    assert outcome.record.failed_step == "Scenario origins" and outcome.record.outcome == "OriginNotApproved"
    assert f"its provider '{lab.oidc.issuer}' is not an approved origin" in outcome.record.error_message
