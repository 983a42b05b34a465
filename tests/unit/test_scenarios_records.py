"""Run records without Qt: the history store (filters, versioned schema, the persona's previous identity),
expectations and their sentences, JUnit against tests/junit-jenkins.xsd, the self-contained HTML report, the
compare rows and "Save as scenario"."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.scenarios.compare import compare_runs
from cognito_desk.scenarios.expectations import check_expectations
from cognito_desk.scenarios.history import HistoryError, HistoryFilter, HistoryStore, history_path
from cognito_desk.scenarios.model import Expectations, dump_scenario, parse_scenario
from cognito_desk.scenarios.record import RunRecord
from cognito_desk.scenarios.reports import html_report, json_report, junit_xml
from cognito_desk.scenarios.runner import ScenarioOutcome
from cognito_desk.scenarios.saving import HEADER, scenario_from_record

XSD = Path(__file__).resolve().parents[1] / "junit-jenkins.xsd"
QA = "arn:aws:iam::000000000000:role/qa"
AUTH = "arn:aws:iam::000000000000:role/auth"
CLIENT = ProviderClient("local", "corp", ProviderKind.OIDC, issuer="http://127.0.0.1:4000", client_id="qa-desk")


def record(**values) -> RunRecord:
    base = RunRecord(1_800_000_000.0, "local", "us-east-1:pool", "corp", "oidc", "127.0.0.1:4000", "alice",
                     identity_id="us-east-1:id-1", returning=False, assumed_role=QA, expected_role=QA,
                     credentials_expire_at=1_800_003_600.0, duration_ms=1200.0,
                     step_durations={"Provider login": 800.0, "GetId": 20.0},
                     claims={"email": "alice@example.com", "department": "qa"},
                     provider_settings=CLIENT.to_dict())
    return replace(base, **values)


def failed(**values) -> RunRecord:
    return record(outcome="NotAuthorizedException", error_code="NotAuthorizedException", identity_id="",
                  assumed_role="", failed_step="GetCredentialsForIdentity", error_message="Token is not from a "
                  "supported provider of this identity pool.", credentials_expire_at=None,
                  explanation={"title": "Cognito refused the login", "cause": "The provider is not attached.",
                               "fix": "Attach it to the pool."}, **values)


def test_history_filters_newest_first_and_previous_identity(tmp_path):
    store = HistoryStore(tmp_path / "h.sqlite3")
    first = store.add(record())
    second = store.add(record(started_at=1_800_000_100.0, persona="bob", identity_id="us-east-1:id-2"))
    third = store.add(failed(started_at=1_800_000_200.0))
    assert [r.id for r in store.list()] == [third.id, second.id, first.id]
    assert [r.id for r in store.list(HistoryFilter(persona="alice"))] == [third.id, first.id]
    assert [r.id for r in store.list(HistoryFilter(outcome="failed"))] == [third.id]
    assert [r.id for r in store.list(HistoryFilter(outcome="success", persona="bob"))] == [second.id]
    assert store.values("persona") == ["alice", "bob"]
    assert store.previous_identity("us-east-1:pool", "corp", "alice", 1_800_000_300.0) == "us-east-1:id-1"
    assert store.previous_identity("us-east-1:pool", "corp", "alice", 1_800_000_000.0) is None
    assert store.get(first.id) == first
    store.delete([first.id])
    with pytest.raises(KeyError):
        store.get(first.id)
    store.close()


def test_history_refuses_a_newer_schema_and_lives_in_the_user_data_dir(tmp_path, monkeypatch):
    path = tmp_path / "h.sqlite3"
    HistoryStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 7")
    with pytest.raises(HistoryError, match="written by a newer cognito-desk \\(schema 7; this one reads 1\\)"):
        HistoryStore(path)
    monkeypatch.setenv("COGNITO_DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("COGNITO_DESK_CONFIG_DIR", raising=False)
    assert history_path() == tmp_path / "data" / "history" / "run-history.sqlite3"
    store = HistoryStore(history_path())
    store.close()
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700
    assert history_path().stat().st_mode & 0o777 == 0o600
    assert history_path(tmp_path / "portable") == tmp_path / "portable" / "run-history.sqlite3"


def test_expectations_name_what_failed():
    assert check_expectations(Expectations(role_arn=QA, identity="new", credentials_valid_minutes=30,
                                           claims=("email",), max_duration_seconds=5), record(), None) == []
    failures = check_expectations(Expectations(role_arn=AUTH, identity="same", credentials_valid_minutes=90,
                                               claims=("groups",), max_duration_seconds=1),
                                  record(expected_role_reason="rule 1 matched department=qa"), "us-east-1:id-0")
    assert failures == [
        f"role_arn: expected role {AUTH}, actual role {QA}. The pool's configuration gave it because: rule 1 "
        "matched department=qa",
        "identity: expected the same identity as the previous run (us-east-1:id-0), got us-east-1:id-1",
        "credentials_valid_minutes: expected credentials valid for at least 90 min, they expire in 60.0 min",
        "claims: groups missing from the provider token (it has department, email)",
        "max_duration_seconds: the run took 1.2 s, more than 1 s (slowest step Provider login: 800 ms)"]
    # "same" on the persona's first run: nothing to compare with, so this run is the baseline (kept in the history).
    assert check_expectations(Expectations(identity="same"), record(), None) == []
    assert check_expectations(Expectations(identity="same"), record(), "us-east-1:id-1") == []
    outcome = check_expectations(Expectations(role_arn=QA), failed(), None)
    assert outcome == ["outcome: expected success, the run failed at step “GetCredentialsForIdentity”: "
                       "NotAuthorizedException: Token is not from a supported provider of this identity pool. — "
                       "Cognito refused the login. The provider is not attached. Fix: Attach it to the pool."]
    assert check_expectations(Expectations(outcome="NotAuthorizedException", role_arn=QA), failed(), None) == []
    assert check_expectations(Expectations(outcome="NotAuthorizedException"), record(), None) == [
        "outcome: expected NotAuthorizedException, got success"]


def outcomes() -> list[ScenarioOutcome]:
    scenario = scenario_from_record(record())
    bad = failed(expectation_failures=["outcome: expected success, the run failed …"], source="refused")
    return [ScenarioOutcome(replace(scenario, path=Path("alice.toml")), record(source="alice")),
            ScenarioOutcome(replace(scenario, name="refused <b>", path=Path("refused.toml")), bad)]


def test_junit_is_valid_for_jenkins_and_names_the_failure():
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.fromstring(junit_xml(outcomes()))
    schema.assertValid(document)
    cases = document.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["corp as alice", "refused <b>"]
    assert cases[0].find("failure") is None and cases[0].get("classname") == "scenarios.alice"
    failure = cases[1].find("failure")
    assert failure.get("type") == "outcome" and failure.get("message").startswith("outcome: expected success")
    assert "Provider login: 800 ms" in cases[0].find("system-out").text
    assert document.get("tests") == "2" and document.get("failures") == "1"
    schema_broken = etree.fromstring(junit_xml(outcomes()).replace(b' name="refused &lt;b&gt;"', b""))
    assert not schema.validate(schema_broken)  # the schema does check: a testcase needs its name


def test_html_report_is_self_contained_and_escaped():
    page = html_report([o.record for o in outcomes()], title="Nightly")
    assert page.startswith("<!DOCTYPE html>") and "2 runs: 1 passed, 1 failed" in page
    assert "<script" not in page and "src=" not in page and "<link" not in page and "@import" not in page
    assert "refused <b>" not in page and "Cognito refused the login" in page and QA in page
    data = json.loads(json_report([record(id=4)]))
    assert data[0]["id"] == 4 and data[0]["claims"]["department"] == "qa"


def test_compare_marks_what_differs():
    rows = {(r.section, r.label): r for r in compare_runs(record(), record(
        assumed_role=AUTH, identity_id="us-east-1:id-2", started_at=1_800_000_500.0,
        step_durations={"Provider login": 2000.0, "GetId": 25.0}, claims={"email": "alice@example.com"}))}
    assert rows[("Role", "Assumed role")].differs and rows[("Role", "Assumed role")].right == AUTH
    assert rows[("Identity", "Identity ID")].differs and not rows[("Run", "Started")].differs
    assert rows[("Durations", "Provider login")].differs and not rows[("Durations", "GetId")].differs
    assert rows[("Claims", "department")].differs and rows[("Claims", "department")].right == ""
    assert not rows[("Claims", "email")].differs and not rows[("Run", "Pool")].differs


def test_save_as_scenario_round_trips_and_holds_only_references():
    scenario = scenario_from_record(record())
    text = HEADER + dump_scenario(scenario)
    again = parse_scenario(text)
    assert again.provider == replace(CLIENT, connection="") and again.connection_profile == "local"
    assert again.expect == Expectations(role_arn=QA, identity="same", claims=("department", "email"),
                                        max_duration_seconds=30.0)
    assert [s.value for s in again.steps] == ["alice", "env:PASSWORD_ALICE", ""]
    refused = scenario_from_record(failed())
    assert refused.expect.outcome == "NotAuthorizedException" and refused.expect.role_arn == ""


def test_the_run_connection_comes_from_the_command_line_or_agreeing_files():
    from argparse import Namespace

    from cognito_desk.scenarios.cli import connection_for, outcome_line
    from cognito_desk.scenarios.model import ScenarioError

    local = replace(scenario_from_record(record()), connection_profile="Local")
    ci = replace(local, connection_profile="", endpoint="http://127.0.0.1:7766", region="eu-west-1")
    none = Namespace(endpoint=None, connection=None, region="us-east-1")
    assert connection_for([local, local], none) == ("Local", None, "us-east-1")
    with pytest.raises(ScenarioError, match=r"name the endpoint http://127\.0\.0\.1:7766, which is not approved"):
        connection_for([ci], none)  # the file alone never chooses where the provider's token goes (issue 15 §1)
    approved = Namespace(endpoint=None, connection=None, region="us-east-1", allow_origin=["http://127.0.0.1:7766"])
    assert connection_for([ci], approved) == (None, "http://127.0.0.1:7766", "eu-west-1")
    assert connection_for([local, ci], Namespace(endpoint="http://x", connection=None, region="us-east-1")) == (
        None, "http://x", "us-east-1")
    with pytest.raises(ScenarioError, match=r"different connections \(Local, http://127.0.0.1:7766 \(eu-west-1\)\)"):
        connection_for([local, ci], none)
    line = outcome_line(outcomes()[1])
    assert line.startswith("FAIL refused <b>: NotAuthorizedException in 1.20 s (Provider login 800 ms, GetId 20 ms)")
    assert line.endswith("\n     outcome: expected success, the run failed …")


def test_the_recorded_login_becomes_the_steps_with_references_the_user_picked():
    from cognito_desk.scenarios.saving import reference_fields, replay_problems, scenario_text

    steps = [{"action": "fill", "selector": "#login", "field": "login"},
             {"action": "fill", "selector": "#pw", "field": "password", "secret": True},
             {"action": "click", "selector": "form button", "field": "Sign-in"},
             {"action": "click", "selector": "#consent", "field": "Continue"},
             {"action": "teleport", "selector": "x"}]  # not something the recorder says: left out
    recorded = record(browser_steps=steps)
    assert reference_fields(recorded) == [("login", "env:ALICE_LOGIN"), ("password", "env:ALICE_PASSWORD")]
    assert replay_problems(recorded) == []
    text, problems = scenario_text(recorded, {"password": "keyring:alice-pw"})
    assert problems == [] and "NOTE" not in text
    assert [(s.action, s.target, s.value) for s in parse_scenario(text).steps] == [
        ("fill", "#login", "env:ALICE_LOGIN"), ("fill", "#pw", "keyring:alice-pw"), ("click", "form button", ""),
        ("click", "#consent", "")]
    with pytest.raises(ValueError, match="must be a reference"):
        scenario_text(recorded, {"password": "hunter2"})
    # Said when saving, not at run time: a login the session skipped, and a login nothing recorded.
    session = replay_problems(record(browser_steps=steps[2:4]))
    assert len(session) == 1 and "saw no login" in session[0]
    assert "was not recorded" in replay_problems(record())[0]
    assert replay_problems(record(provider_kind="guest")) == []


def test_a_retried_login_is_recorded_once():
    from cognito_desk.flows.recording import BrowserAction, tidy_actions

    login, password = BrowserAction("fill", "#login", "login"), BrowserAction("fill", "#pw", "password", True)
    submit, consent = BrowserAction("click", "#go", "Sign in"), BrowserAction("click", "#yes", "Continue")
    # A mistyped password: the form came back, only the password was typed again, then consent.
    assert tidy_actions([login, password, submit, password, submit, consent]) == (login, password, submit, consent)
    assert tidy_actions([login, login, password, submit]) == (login, password, submit)
    assert tidy_actions([login, password, submit, consent]) == (login, password, submit, consent)
