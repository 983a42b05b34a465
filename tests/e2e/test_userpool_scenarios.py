"""``user-pool-password`` scenarios against moto server's user pool: parsed, run in-process and by
``cognito-desk scenarios run`` on a Local connection whose user pool endpoint is moto (configuration, not
patching), checked, and kept in the history with the challenges met — never the answers."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pyotp
import pytest
from test_userpool_signin import clients
from userpool_lab import PASSWORD, TEMPORARY, UserPoolLab, user_pool_service

from cognito_desk.scenarios.cli import unresolved
from cognito_desk.scenarios.history import HistoryStore
from cognito_desk.scenarios.model import ScenarioError, dump_scenario, parse_scenario
from cognito_desk.scenarios.origins import Approval, plan_of
from cognito_desk.scenarios.runner import run_scenarios
from cognito_desk.scenarios.saving import scenario_from_record

ROOT = Path(__file__).resolve().parents[2]
NEW_PASSWORD = "Scenario-new-pw9!"


@pytest.fixture(scope="module")
def moto_lab(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("upscen")
    with user_pool_service(data_dir) as (running, moto_url):
        yield running, moto_url, data_dir


@pytest.fixture
def lab(moto_lab):
    running, moto_url, _ = moto_lab
    return UserPoolLab(running, moto_url, f"us-{uuid.uuid4().hex[:12]}").build()


def scenario_text(lab: UserPoolLab, name: str, user: str, expect: str, *, flow: str = "srp", extra: str = "") -> str:
    return f"""version = 1
name = "{name}"
persona = "{user}"
pool_id = "{lab.pool_id}"

[provider]
name = "app users"
kind = "user-pool-password"
user_pool_id = "{lab.user_pool_id}"
client_id = "{lab.client_id}"
auth_flow = "{flow}"
username = "{user}"
password = "env:UP_PASSWORD"
{extra}
[expect]
{expect}
"""


def run(lab: UserPoolLab, texts: list[str], history: HistoryStore | None):
    scenarios = [parse_scenario(text, Path(f"s{i}.toml")) for i, text in enumerate(texts)]

    async def main():
        async with clients(lab) as connection:
            return await run_scenarios(connection, scenarios, agents=None, connection="local", history=history)
    return asyncio.run(asyncio.wait_for(main(), 90))


def test_user_pool_scenarios_run_and_history_keeps_challenges_not_answers(lab, tmp_path, monkeypatch):
    monkeypatch.setenv("UP_PASSWORD", PASSWORD)
    monkeypatch.setenv("UP_NEW", NEW_PASSWORD)
    monkeypatch.setenv("UP_TEMP", TEMPORARY)
    monkeypatch.setenv("UP_SEED", lab.totp_seed)
    history = HistoryStore(tmp_path / "h.sqlite3")
    carol = scenario_text(lab, "carol first login", "carol", f'role_arn = "{lab.roles["auth"]}"',
                          extra='new_password = "env:UP_NEW"').replace("env:UP_PASSWORD", "env:UP_TEMP")
    outcomes = run(lab, [
        scenario_text(lab, "admins get A", "alice", f'role_arn = "{lab.roles["A"]}"\nclaims = ["cognito:groups"]'),
        scenario_text(lab, "totp", "dave", 'outcome = "success"', flow="password", extra='totp_seed = "env:UP_SEED"'),
        carol,
        scenario_text(lab, "wrong password", "bob", 'outcome = "NotAuthorizedException"',
                      flow="password").replace("env:UP_PASSWORD", "env:UP_TEMP"),
    ], history)
    assert [o.passed for o in outcomes] == [True, True, True, True], [o.failures for o in outcomes]
    by_name = {r.source: r for r in history.list()}
    assert by_name["totp"].challenges == ["SOFTWARE_TOKEN_MFA"]
    assert by_name["carol first login"].challenges == ["NEW_PASSWORD_REQUIRED"]
    assert by_name["admins get A"].challenges == [] and by_name["admins get A"].assumed_role == lab.roles["A"]
    saved = parse_scenario(dump_scenario(scenario_from_record(by_name["totp"])))  # "Save as scenario"
    assert saved.steps == () and saved.provider.username == "dave"
    assert saved.user_pool_refs == {"password": "env:PASSWORD_DAVE", "totp_seed": "env:TOTP_SEED_DAVE"}
    assert unresolved(saved, None) == ["env:PASSWORD_DAVE: the environment variable PASSWORD_DAVE is not set.",
                                       "env:TOTP_SEED_DAVE: the environment variable TOTP_SEED_DAVE is not set."]
    history.close()
    stored = (tmp_path / "h.sqlite3").read_bytes()
    for secret in (PASSWORD, NEW_PASSWORD, TEMPORARY, lab.totp_seed):
        assert secret.encode() not in stored


def test_wrong_password_names_the_user_pool(lab, monkeypatch):
    monkeypatch.setenv("UP_PASSWORD", "not-it")  # USER_PASSWORD_AUTH: moto does not check an SRP proof
    [outcome] = run(lab, [scenario_text(lab, "bad", "alice", "", flow="password")], None)
    record = outcome.record
    assert record.outcome == "NotAuthorizedException" and record.failed_step == "User pool sign-in"
    assert record.explanation["title"] == "The user pool refused the sign-in (NotAuthorizedException)"
    assert outcome.failures  # expected success


def test_a_totp_user_without_a_seed_reference_stops_at_the_named_challenge(lab, monkeypatch):
    monkeypatch.setenv("UP_PASSWORD", PASSWORD)
    [outcome] = run(lab, [scenario_text(lab, "no seed", "dave", "")], None)
    assert outcome.record.outcome == "UnansweredChallenge"
    assert "SOFTWARE_TOKEN_MFA" in outcome.record.error_message and "totp_seed" in outcome.record.error_message


def test_an_sms_code_cannot_be_automated_and_is_named(lab, monkeypatch):
    monkeypatch.setenv("UP_PASSWORD", PASSWORD)
    [outcome] = run(lab, [scenario_text(lab, "sms", "erin", "", flow="password")], None)
    assert outcome.record.outcome == "UnansweredChallenge" and outcome.record.challenges == ["SMS_MFA"]
    assert "text message or e-mail cannot be read by a scenario" in outcome.record.error_message


def test_scenario_file_refuses_literal_secrets_and_round_trips(lab):
    text = scenario_text(lab, "rt", "alice", "", extra='totp_seed = "keyring:alice-seed"\nnew_password = "env:N"')
    scenario = parse_scenario(text)
    assert scenario.user_pool_refs == {"password": "env:UP_PASSWORD", "totp_seed": "keyring:alice-seed",
                                       "new_password": "env:N"}
    assert parse_scenario(dump_scenario(scenario)) == scenario
    plan = plan_of(scenario, Approval())  # the secrets go only to the connection's user-pool API
    assert plan.violations == [] and [(u.reference, u.where) for u in plan.uses] == [
        ("env:UP_PASSWORD", "user pool password"), ("keyring:alice-seed", "user pool totp seed"),
        ("env:N", "user pool new password")]
    assert all("connection's user-pool API" in u.goes_to for u in plan.uses)
    named = parse_scenario(text.replace("[expect]", '[connection]\nendpoint = "https://elsewhere.example"\n\n[expect]'))
    assert plan_of(named, Approval(), connection_from_file=True).violations == [
        "the file names the connection endpoint https://elsewhere.example, which is not approved: pass --endpoint "
        "or --allow-origin for it"]
    with pytest.raises(ScenarioError, match="password looks like a literal secret"):
        parse_scenario(text.replace('"env:UP_PASSWORD"', '"hunter2"'))
    with pytest.raises(ScenarioError, match=r"totp_seed looks like a literal secret"):
        parse_scenario(text.replace('"keyring:alice-seed"', f'"{pyotp.random_base32()}"'))
    with pytest.raises(ScenarioError, match="needs password"):
        parse_scenario(text.replace('password = "env:UP_PASSWORD"\n', ""))
    with pytest.raises(ScenarioError, match="not a user pool ID"):
        parse_scenario(text.replace(lab.user_pool_id, "nope"))
    with pytest.raises(ScenarioError, match="auth flow must be 'srp' or 'password'"):
        parse_scenario(text.replace('auth_flow = "srp"', 'auth_flow = "custom"'))


def test_cli_runs_a_user_pool_scenario_on_a_local_connection_with_a_user_pool_endpoint(lab, moto_lab, tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"schema_version": 1, "active_profile": "lab", "profiles": [
        {"kind": "local", "name": "lab", "data_dir": str(moto_lab[2]),
         "user_pool_endpoint": lab.moto_url}]}))
    path = tmp_path / "alice.toml"
    path.write_text(scenario_text(lab, "alice via local", "alice", f'role_arn = "{lab.roles["A"]}"'))
    env = {**os.environ, "UP_PASSWORD": PASSWORD, "COGNITO_DESK_CONFIG_DIR": str(config),
           "COGNITO_DESK_DATA_DIR": str(tmp_path / "data"), "QT_QPA_PLATFORM": "offscreen",
           "QTWEBENGINE_DISABLE_SANDBOX": "1"}
    done = subprocess.run([sys.executable, "-m", "cognito_desk", "scenarios", "run", "--connection", "lab",
                           "--history", str(tmp_path / "h.sqlite3"), str(path)],
                          capture_output=True, text=True, env=env, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "alice via local" in done.stdout and PASSWORD not in done.stdout + done.stderr
