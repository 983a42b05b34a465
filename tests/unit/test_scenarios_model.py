"""Scenario files: the TOML schema read and written back, every mistake named by file and key, and secrets only
as env:/keyring: references (literal passwords, tokens and keys refused with how to write a reference)."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from cognito_desk.flows.clients import ProviderKind
from cognito_desk.flows.run import Flow
from cognito_desk.scenarios.model import ScenarioError, dump_scenario, load_scenario, parse_scenario
from cognito_desk.scenarios.references import ReferenceError, check_not_literal, keyring_profile, resolve
from cognito_desk.settings import KeyringSecrets, Secret, SecretField

FULL = """version = 1
name = "alice gets the QA role"
persona = "alice"
pool_id = "us-east-1:11111111-2222-3333-4444-555555555555"
flow = "basic"

[connection]
profile = "Local"

[provider]
name = "corp"
kind = "oidc"
issuer = "http://127.0.0.1:4000"
client_id = "qa-desk"
client_secret = "keyring:corp_client"

[[steps]]
fill = "input[name=login]"
value = "alice"
[[steps]]
fill = "input[name=password]"
value = "env:ALICE_PASSWORD"
[[steps]]
click = "button[type=submit]"
timeout = 5
[[steps]]
wait_url = "http://127.0.0.1:4000/interaction/"

[expect]
outcome = "success"
role_arn = "arn:aws:iam::000000000000:role/qa"
identity = "same"
credentials_valid_minutes = 30
claims = ["email", "department"]
max_duration_seconds = 20
"""


def test_the_documented_example_reads_and_writes_back_equal():
    scenario = parse_scenario(FULL, Path("alice.toml"))
    assert scenario.label == "alice gets the QA role" and scenario.flow is Flow.BASIC
    assert scenario.provider.kind is ProviderKind.OIDC and scenario.provider.logins_key == "127.0.0.1:4000"
    assert scenario.client_secret == "keyring:corp_client" and scenario.connection_profile == "Local"
    assert [(s.action, s.target, s.timeout) for s in scenario.steps] == [
        ("fill", "input[name=login]", 15.0), ("fill", "input[name=password]", 15.0),
        ("click", "button[type=submit]", 5.0), ("wait_url", "http://127.0.0.1:4000/interaction/", 15.0)]
    assert scenario.steps[1].describe() == "fill 'input[name=password]' with env:ALICE_PASSWORD"
    assert scenario.expect.claims == ("email", "department") and scenario.expect.credentials_valid_minutes == 30
    again = parse_scenario(dump_scenario(scenario), Path("alice.toml"))
    assert again == scenario


def test_the_module_docstring_example_is_a_valid_scenario():
    import cognito_desk.scenarios.model as model

    example = model.__doc__.split("schema::", 1)[1]
    text = "\n".join(line[4:] for line in example.splitlines())
    assert parse_scenario(text).expect.identity == "same"


@pytest.mark.parametrize(("change", "message"), [
    (("flow = \"basic\"", "flow = \"classic\""), "flow must be \"enhanced\" or \"basic\", not 'classic'"),
    (("identity = \"same\"", "identity = \"maybe\""), "identity must be \"same\" or \"new\""),
    (("role_arn = \"arn:aws:iam::000000000000:role/qa\"", "role_arn = \"qa\""), "is not an IAM role ARN"),
    (("click = \"button[type=submit]\"", "press = \"button\""), "steps[3]: unknown key press"),
    (("wait_url = \"http://127.0.0.1:4000/interaction/\"", "wait_for = \"\""), "wait_for needs a CSS selector"),
    (("pool_id = \"us-east-1:11111111-2222-3333-4444-555555555555\"", ""), "pool_id is missing"),
    (("kind = \"oidc\"", "kind = \"ldap\""), "provider client 'corp' is unusable"),
    (("issuer = \"http://127.0.0.1:4000\"", ""), "An OpenID provider needs its issuer URL"),
    (("version = 1", "version = 2"), "version 2 is not supported"),
    (("timeout = 5", "timeout = -1"), "timeout must be a non-negative number"),
    (("[expect]", "[expect]\nsurprise = 1"), "[expect]: unknown key surprise"),
    (("name = \"alice", "name = alice"), "is not valid TOML"),
])
def test_mistakes_are_named_by_file_and_key(change, message):
    with pytest.raises(ScenarioError, match=r"^bad\.toml") as caught:
        parse_scenario(FULL.replace(*change), Path("bad.toml"))
    assert message in str(caught.value)


@pytest.mark.parametrize(("change", "message"), [
    (("env:ALICE_PASSWORD", "hunter2"),
     "steps[2].value looks like a literal password (it fills 'input[name=password]')"),
    (("keyring:corp_client", "s3cr3t-value"), "[provider].client_secret looks like a literal secret"),
    (("value = \"alice\"", "value = \"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl\""),
     "steps[1].value looks like a token (a JWT)"),
    (("value = \"alice\"", "value = \"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\""),
     "steps[1].value looks like an AWS access key"),
    (("env:ALICE_PASSWORD", "env:"), "env: needs a NAME"),
])
def test_literal_secrets_are_refused_with_how_to_write_a_reference(change, message):
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(FULL.replace(*change), Path("bad.toml"))
    assert message in str(caught.value)
    if "literal" in message or "looks like" in message:
        assert 'value = "env:NAME"' in str(caught.value) and "keyring:NAME" in str(caught.value)
        assert change[1] not in str(caught.value)  # the secret itself is not repeated


def test_plain_login_names_are_not_secrets():
    check_not_literal("alice@example.com", "steps[1].value", hint="input[type=email]")
    check_not_literal("qa-desk", "[provider].client_id", hint="client_id")


@pytest.fixture
def memory_keyring():
    from support import MemoryKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


def test_references_resolve_from_the_environment_and_the_keyring(memory_keyring):
    assert resolve("env:QA_PW", None, {"QA_PW": "pw-1"}).reveal() == "pw-1"
    with pytest.raises(ReferenceError, match="the environment variable MISSING is not set"):
        resolve("env:MISSING", None, {})
    store = KeyringSecrets()
    store.set(keyring_profile("corp_client"), SecretField.CLIENT_SECRET, Secret("client-secret-1"))
    assert keyring.get_password("cognito-desk", "profile:scenarios/corp_client:client_secret") == "client-secret-1"
    assert resolve("keyring:corp_client", store).reveal() == "client-secret-1"
    assert "client-secret-1" not in repr(resolve("keyring:corp_client", store))
    with pytest.raises(ReferenceError, match=r"nothing is stored in the OS keyring for it .*scenarios/other"):
        resolve("keyring:other", store)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    with pytest.raises(ReferenceError, match="keyring:corp_client: keyring references need the OS keyring"):
        resolve("keyring:corp_client", KeyringSecrets())


def test_unreadable_file(tmp_path):
    with pytest.raises(ScenarioError, match=r"cannot read .*missing\.toml"):
        load_scenario(tmp_path / "missing.toml")
