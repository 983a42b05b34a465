"""``cognito-desk scenarios run`` as CI runs it: a subprocess, QtWebEngine offscreen, the real embedded service,
the real oidc-provider and saml-idp; exit status, printed lines, JUnit (checked against tests/junit-jenkins.xsd),
the HTML report, the run history (and that it holds no test secret), ``--parallel`` equal to serial."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree
from test_flows_signin import DEVELOPER_PROVIDER, Lab

from cognito_desk.scenarios.history import HistoryStore

ROOT = Path(__file__).resolve().parents[2]
XSD = ROOT / "tests" / "junit-jenkins.xsd"
PASSWORD = "Corr3ct-Horse-scenario-pw"
OIDC_STEPS = """
[[steps]]
fill = "input[name=login]"
value = "{user}"
[[steps]]
fill = "input[name=password]"
value = "env:QA_PASSWORD"
[[steps]]
click = "button[type=submit]"
[[steps]]
wait_for = "input[name=prompt][value=consent]"
timeout = {wait}
[[steps]]
click = "button[type=submit]"
"""


@pytest.fixture
def lab(request, service, oidc_idp, saml_idp):
    return Lab(service, oidc_idp, saml_idp, "sc-" + request.node.name.replace("_", "-")[5:30].strip("-"))


def oidc_scenario(lab: Lab, name: str, user: str = "alice", *, expect: str = "", wait: float = 10,
                  persona: str = "") -> str:
    return f"""version = 1
name = "{name}"
persona = "{persona or user}"
pool_id = "{lab.pool_id}"

[provider]
name = "test-op"
kind = "oidc"
issuer = "{lab.oidc.issuer}"
client_id = "qa-desk"
{OIDC_STEPS.format(user=user, wait=wait)}
[expect]
{expect}
"""


def other_scenario(lab: Lab, name: str, kind: str, expect: str = "") -> str:
    provider = {
        "saml": f'name = "corp"\nkind = "saml"\nsaml_provider_arn = "{lab.saml_arn}"\n'
                f'saml_sso_url = "{lab.saml.url}/saml/sso"\n\n[[steps]]\nfill = "#userName"\nvalue = "alice"\n'
                '[[steps]]\nclick = "#btn-sign-in"\n',
        "guest": 'name = "Guest"\nkind = "guest"\n',
        "developer": f'name = "Developer"\nkind = "developer"\ndeveloper_provider_name = "{DEVELOPER_PROVIDER}"\n'
                     'developer_user_identifier = "qa-user-7"\n',
    }[kind]
    return f'version = 1\nname = "{name}"\npool_id = "{lab.pool_id}"\n\n[provider]\n{provider}\n[expect]\n{expect}\n'


def run_cli(lab: Lab, tmp_path: Path, *args: str, password: str = PASSWORD, timeout: float = 240, **variables: str):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1",
           "AWS_ACCESS_KEY_ID": lab.service.access_key_id, "AWS_SECRET_ACCESS_KEY": lab.service.secret_access_key,
           "QA_PASSWORD": password, "COGNITO_DESK_CONFIG_DIR": str(tmp_path / "config"),
           "COGNITO_DESK_DATA_DIR": str(tmp_path / "data"), **variables}
    env.pop("AWS_SESSION_TOKEN", None)
    history = ["--history", str(tmp_path / "history.sqlite3")] if args[0] == "run" else []
    approved = ["--allow-origin", lab.oidc.issuer, "--allow-origin", lab.saml.url]  # the tests' own IdPs
    done = subprocess.run([sys.executable, "-m", "cognito_desk", "scenarios", *args, "--endpoint", lab.service.url,
                           *history, *approved],
                          capture_output=True, text=True, env=env, timeout=timeout, cwd=ROOT)
    assert "Expect troubles" not in done.stderr and "Traceback" not in done.stderr, done.stderr  # pages closed first
    assert "QRhiGles2" not in done.stderr and "bus.cc" not in done.stderr, done.stderr  # no-GPU noise kept out
    assert password not in done.stdout + done.stderr or not password
    return done


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


def junit_valid(path: Path) -> etree._Element:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    document = etree.parse(str(path))
    schema.assertValid(document)
    return document.getroot()


def test_saved_scenario_reruns_green_with_reports_and_history(lab, tmp_path):
    first = write(tmp_path, "alice-first", oidc_scenario(lab, "alice gets qa", expect=(
        f'outcome = "success"\nrole_arn = "{lab.roles["qa"]}"\nidentity = "new"\n'
        'credentials_valid_minutes = 30\nclaims = ["email", "department"]\nmax_duration_seconds = 60')))
    again = write(tmp_path, "alice-again", oidc_scenario(lab, "alice again", expect=(
        f'role_arn = "{lab.roles["qa"]}"\nidentity = "same"')))
    done = run_cli(lab, tmp_path, "run", first, "--junit", str(tmp_path / "first.xml"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("PASS alice gets qa: success in ")
    assert "Provider login" in done.stdout and "GetCredentialsForIdentity" in done.stdout
    done = run_cli(lab, tmp_path, "run", again, "--junit", str(tmp_path / "again.xml"),
                   "--html", str(tmp_path / "again.html"))
    assert done.returncode == 0, done.stdout + done.stderr
    root = junit_valid(tmp_path / "again.xml")
    assert root.get("tests") == "1" and root.get("failures") == "0"
    assert root.find("testsuite/testcase").get("name") == "alice again"
    html = (tmp_path / "again.html").read_text()
    assert "alice again" in html and lab.roles["qa"] in html and "<script" not in html and "http" not in \
        html.split("<body>")[0].replace('http-equiv', '')
    history = HistoryStore(tmp_path / "history.sqlite3")
    records = history.list()
    history.close()
    assert [r.source for r in records] == ["alice again", "alice gets qa"]
    assert records[0].identity_id == records[1].identity_id and records[0].claims["department"] == "qa"
    data = (tmp_path / "history.sqlite3").read_bytes()
    assert PASSWORD.encode() not in data and b"eyJ" not in data and b"ASIA" not in data
    assert lab.service.secret_access_key.encode() not in data


def test_changed_rule_fails_the_role_expectation_naming_both_roles(lab, tmp_path):
    path = write(tmp_path, "bob", oidc_scenario(lab, "bob is an engineer", "bob",
                                                expect=f'role_arn = "{lab.roles["engineers"]}"'))
    assert run_cli(lab, tmp_path, "run", path).returncode == 0
    lab.ci.set_identity_pool_roles(IdentityPoolId=lab.pool_id, Roles={"authenticated": lab.roles["auth"],
                                                                      "unauthenticated": lab.roles["guest"]})
    done = run_cli(lab, tmp_path, "run", path, "--junit", str(tmp_path / "junit.xml"))
    assert done.returncode == 1
    assert f"role_arn: expected role {lab.roles['engineers']}, actual role {lab.roles['auth']}" in done.stdout
    failure = junit_valid(tmp_path / "junit.xml").find("testsuite/testcase/failure")
    assert failure.get("type") == "role_arn" and lab.roles["engineers"] in failure.get("message")
    assert lab.roles["auth"] in failure.get("message")


def test_wrong_password_fails_at_the_provider_step_naming_the_selector(lab, tmp_path):
    # The test IdP takes any non-empty password; the empty one is refused by the page itself (required field).
    path = write(tmp_path, "wrong", oidc_scenario(lab, "wrong password", wait=2, expect='outcome = "success"'))
    done = run_cli(lab, tmp_path, "run", path, "--junit", str(tmp_path / "junit.xml"), password="")
    assert done.returncode == 1
    assert "outcome: expected success, the run failed at step “Provider login”: ProviderError: Login page step 4 " \
           "(wait for selector 'input[name=prompt][value=consent]') timed out after 2 s" in done.stdout
    assert "/interaction/" in done.stdout  # the page it stayed on
    failure = junit_valid(tmp_path / "junit.xml").find("testsuite/testcase/failure")
    assert failure.get("type") == "outcome" and "The identity provider did not complete the sign-in" in failure.text


def test_a_wrong_client_id_fails_on_the_providers_error_page_naming_invalid_client(lab, tmp_path):
    # The login steps would wait 60 s for a form that never comes: the provider's error page ends the run first.
    scenario = oidc_scenario(lab, "unknown client", wait=60, expect='outcome = "success"').replace(
        'client_id = "qa-desk"', 'client_id = "not-registered-here"')
    done = run_cli(lab, tmp_path, "run", write(tmp_path, "unknown", scenario), "--junit", str(tmp_path / "junit.xml"))
    assert done.returncode == 1
    assert "the run failed at step “Provider login”: ProviderError: The provider answered HTTP 400 at " \
           f"{lab.oidc.issuer}/auth with an error page: invalid_client. The provider's own description (its text, " \
           "not cognito-desk's): “client is invalid”." in done.stdout
    assert "timed out" not in done.stdout and "input[name=login]" not in done.stdout
    failure = junit_valid(tmp_path / "junit.xml").find("testsuite/testcase/failure")
    assert "The client ID 'not-registered-here' is not registered at " + lab.oidc.issuer in failure.text
    assert "Register the client ID not-registered-here at the provider" in failure.text


def test_the_junit_report_names_the_missing_role_the_rule_chose(lab, tmp_path):
    missing = lab.roles["engineers"].rsplit("/", 1)[0] + "/eng-role"
    lab.roles["engineers"] = missing
    lab.map_departments()
    path = write(tmp_path, "bob", oidc_scenario(lab, "bob is an engineer", "bob", expect='outcome = "success"'))
    done = run_cli(lab, tmp_path, "run", path, "--junit", str(tmp_path / "junit.xml"))
    assert done.returncode == 1
    failure = junit_valid(tmp_path / "junit.xml").find("testsuite/testcase/failure")
    assert "The role eng-role does not exist" in failure.text and f"Cognito tried role eng-role ({missing})" in \
        failure.text
    assert "Create the role eng-role trusted by this pool" in failure.text
    assert lab.roles["auth"] not in failure.text  # the default role is not blamed


def readme_scenario() -> str:
    """The example scenario of README.md, exactly as the README shows it."""
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"^```toml\n(.*?)^```", readme.split("**Scenario files**", 1)[1], re.S | re.M)
    return blocks[0]


def test_the_readme_example_scenario_passes_as_written(lab, tmp_path):
    example = readme_scenario()
    # Only what names this lab changes: its pool, its provider's issuer, the role alice's department maps to.
    ours = example.replace("us-east-1:11111111-2222-3333-4444-555555555555", lab.pool_id).replace(
        "https://idp.corp.example", lab.oidc.issuer).replace("arn:aws:iam::000000000000:role/qa", lab.roles["qa"])
    assert f'pool_id = "{lab.pool_id}"' in ours and f'role_arn = "{lab.roles["qa"]}"' in ours
    assert "corp.example" not in ours
    path = write(tmp_path, "readme", ours)
    for attempt in ("first run: the baseline", "second run: the same identity"):
        done = run_cli(lab, tmp_path, "run", path, ALICE_PASSWORD=PASSWORD)
        assert done.returncode == 0, f"{attempt}: {done.stdout}{done.stderr}"
        assert done.stdout.startswith("PASS alice gets the QA role: success in "), attempt


def test_parallel_4_over_8_scenarios_equals_serial(lab, tmp_path):
    qa, eng, auth = lab.roles["qa"], lab.roles["engineers"], lab.roles["auth"]
    files = [
        write(tmp_path, "p1", oidc_scenario(lab, "p1 alice", "alice", expect=f'role_arn = "{qa}"')),
        write(tmp_path, "p2", oidc_scenario(lab, "p2 bob", "bob", expect=f'role_arn = "{eng}"')),
        write(tmp_path, "p3", oidc_scenario(lab, "p3 carol", "carol", expect=f'role_arn = "{auth}"')),
        write(tmp_path, "p4", oidc_scenario(lab, "p4 bob wrong role", "bob", expect=f'role_arn = "{qa}"')),
        write(tmp_path, "p5", other_scenario(lab, "p5 saml", "saml", f'role_arn = "{auth}"')),
        write(tmp_path, "p6", other_scenario(lab, "p6 guest", "guest", f'role_arn = "{lab.roles["guest"]}"')),
        write(tmp_path, "p7", other_scenario(lab, "p7 developer", "developer", f'role_arn = "{auth}"')),
        write(tmp_path, "p8", other_scenario(lab, "p8 expects a refusal", "guest",
                                             'outcome = "NotAuthorizedException"')),
    ]

    def results(*options: str) -> list[tuple[str, str]]:
        done = run_cli(lab, tmp_path, "run", *files, *options, "--junit", str(tmp_path / "j.xml"))
        assert done.returncode == 1, done.stdout + done.stderr
        cases = junit_valid(tmp_path / "j.xml").findall("testsuite/testcase")
        return [(case.get("name"), ",".join(f.get("type") for f in case.findall("failure"))) for case in cases]

    serial = results("--parallel", "1")
    assert serial == [("p1 alice", ""), ("p2 bob", ""), ("p3 carol", ""), ("p4 bob wrong role", "role_arn"),
                      ("p5 saml", ""), ("p6 guest", ""), ("p7 developer", ""), ("p8 expects a refusal", "outcome")]
    assert results("--parallel", "4") == serial


def test_check_validates_files_and_the_pool_without_signing_in(lab, tmp_path):
    good = write(tmp_path, "good", oidc_scenario(lab, "good"))
    missing_pool = write(tmp_path, "nopool", oidc_scenario(lab, "no pool").replace(lab.pool_id, "us-east-1:"
                                                                                   "00000000-0000-0000-0000-000000000000"))
    literal = write(tmp_path, "literal", oidc_scenario(lab, "literal").replace("env:QA_PASSWORD", "hunter2"))
    done = run_cli(lab, tmp_path, "check", good)
    assert done.returncode == 0 and done.stdout.startswith("ok "), done.stdout
    assert f"contacts {lab.oidc.issuer} (issuer, approved)" in done.stdout
    assert "resolves env:QA_PASSWORD (step 2, fill 'input[name=password]') → typed only into a page of an " \
           "approved origin" in done.stdout
    other_idp = write(tmp_path, "otheridp", oidc_scenario(lab, "other idp").replace(lab.oidc.issuer,
                                                                                     "http://127.0.0.1:9"))
    done = run_cli(lab, tmp_path, "check", good, missing_pool, literal, other_idp, password="")
    assert done.returncode == 1
    assert "ResourceNotFoundException" in done.stdout
    name = lab.ci.describe_identity_pool(IdentityPoolId=lab.pool_id)["IdentityPoolName"]
    assert f"pool {lab.pool_id} ({name}) does not accept the oidc provider 127.0.0.1:9" in done.stdout
    assert "its provider 'http://127.0.0.1:9' is not an approved origin" in done.stdout
    assert "steps[2].value looks like a literal password (it fills 'input[name=password]')" in done.stderr
    assert not (tmp_path / "history.sqlite3").exists() or not sqlite3.connect(
        tmp_path / "history.sqlite3").execute("SELECT count(*) FROM runs").fetchone()[0]


def test_broken_files_and_root_without_the_sandbox_switch_stop_before_any_sign_in(tmp_path):
    sandbox_switches = ("QTWEBENGINE_DISABLE_SANDBOX", "QTWEBENGINE_CHROMIUM_FLAGS")  # a GUI test run sets both
    env = {k: v for k, v in os.environ.items() if k not in sandbox_switches}
    env.update(QT_QPA_PLATFORM="offscreen", COGNITO_DESK_CONFIG_DIR=str(tmp_path / "c"),
               COGNITO_DESK_DATA_DIR=str(tmp_path / "d"))
    broken = tmp_path / "broken.toml"
    broken.write_text('version = 1\npool_id = "us-east-1:x"\n[provider]\nname = "g"\nkind = "guest"\n'
                      '[[steps]]\nfill = "#password"\nvalue = "hunter2"\n')
    command = [sys.executable, "-m", "cognito_desk", "scenarios", "run", "--endpoint", "http://127.0.0.1:9"]
    env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    done = subprocess.run([*command, str(broken)], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert done.returncode == 2 and "steps[1].value looks like a literal password (it fills '#password')" in done.stderr
    assert "hunter2" not in done.stderr
    if os.geteuid() == 0:
        del env["QTWEBENGINE_DISABLE_SANDBOX"]
        guest = tmp_path / "guest.toml"
        guest.write_text('version = 1\npool_id = "us-east-1:x"\n[provider]\nname = "g"\nkind = "guest"\n')
        done = subprocess.run([*command, str(guest)], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
        assert done.returncode == 2 and "set QTWEBENGINE_DISABLE_SANDBOX=1" in done.stderr
