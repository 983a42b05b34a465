"""Where a scenario's secrets may go (issue 15 §1): origins approved outside the file, everything a file would
contact and resolve listed, endpoints off the provider's origin refused, plain http only to loopback, and the
flows' own guards (discovered endpoints, the token request) refusing before anything is sent."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from cognito_desk.flows.agent import ProviderError
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.oauth import AuthorizationAnswer, token_request
from cognito_desk.flows.oidc import discover
from cognito_desk.flows.origins import may_carry_secrets, origin_of
from cognito_desk.flows.timeline import Timeline
from cognito_desk.scenarios.model import parse_scenario
from cognito_desk.scenarios.origins import Approval, OriginError, plan_of


def scenario(provider: str, steps: str = "", connection: str = ""):
    return parse_scenario(f"""version = 1
pool_id = "us-east-1:11111111-2222-3333-4444-555555555555"
{connection}
[provider]
{provider}
{steps}
""", Path("s.toml"))


GOOGLE_ELSEWHERE = '''name = "google"
kind = "oidc"
issuer = "https://accounts.google.com"
client_id = "app"
authorization_endpoint = "https://evil.example/authorize"
jwks_uri = "https://evil.example/jwks"
'''
PASSWORD_STEP = '[[steps]]\nfill = "#password"\nvalue = "env:QA_PASSWORD"\n'


def test_origins_are_normalised():
    assert origin_of("HTTPS://Accounts.Google.com:443/o/oauth2?x=1") == "https://accounts.google.com"
    assert origin_of("http://127.0.0.1:4000/cb") == "http://127.0.0.1:4000"
    assert origin_of("http://[::1]:80/") == "http://[::1]"
    assert origin_of("ssh://host") == origin_of("not a url") == ""
    assert may_carry_secrets("https://idp.example") and may_carry_secrets("http://127.0.0.1:9")
    assert may_carry_secrets("http://localhost:9") and not may_carry_secrets("http://idp.example")


def test_a_trusted_issuer_with_endpoints_elsewhere_is_refused_even_when_the_issuer_is_approved():
    plan = plan_of(scenario(GOOGLE_ELSEWHERE), Approval.of(["https://accounts.google.com"]))
    assert [c.origin for c in plan.contacts] == ["https://accounts.google.com", "https://evil.example",
                                                 "https://evil.example"]
    assert len(plan.violations) == 2
    assert plan.violations[0].startswith("the authorization endpoint https://evil.example/authorize is not on the "
                                         "provider's origin https://accounts.google.com")
    assert "JWKS https://evil.example/jwks" in plan.violations[1]
    # approving the other origin too, outside the file, is the person's own decision
    assert not plan_of(scenario(GOOGLE_ELSEWHERE), Approval.of(["https://accounts.google.com",
                                                                "https://evil.example"])).violations


def test_references_resolve_only_for_an_approved_provider():
    provider = 'name = "corp"\nkind = "oidc"\nissuer = "http://127.0.0.1:4000"\nclient_id = "qa"\n' \
               'client_secret = "env:AWS_SECRET_ACCESS_KEY"\n'
    unapproved = plan_of(scenario(provider, PASSWORD_STEP), Approval())
    assert [(u.reference, u.where) for u in unapproved.uses] == [
        ("env:AWS_SECRET_ACCESS_KEY", "client secret"), ("env:QA_PASSWORD", "step 1, fill '#password'")]
    assert unapproved.violations == [
        "the file's references are not resolved: its provider 'http://127.0.0.1:4000' is not an approved origin "
        "(approve it with --allow-origin http://127.0.0.1:4000 or save the provider client in the app)"]
    assert "contacts http://127.0.0.1:4000 (issuer, not approved)" in unapproved.lines()
    approved = plan_of(scenario(provider, PASSWORD_STEP), Approval.of(["http://127.0.0.1:4000/"]))
    assert not approved.violations and "contacts http://127.0.0.1:4000 (issuer, approved)" in approved.lines()
    # a provider client the user saved approves its own origins (https, or http on loopback only)
    saved = [ProviderClient("Local", "corp", ProviderKind.OIDC, issuer="http://127.0.0.1:4000"),
             ProviderClient("Local", "lab", ProviderKind.OIDC, issuer="http://idp.lab.example")]
    assert Approval.of((), saved).origins == {"http://127.0.0.1:4000"}
    assert not plan_of(scenario(provider, PASSWORD_STEP), Approval.of((), saved)).violations


def test_plain_http_to_another_machine_is_never_approved():
    with pytest.raises(OriginError, match="never travel over plain http except to this machine"):
        Approval.of(["http://idp.example"])
    with pytest.raises(OriginError, match="is not an http"):
        Approval.of(["idp.example"])
    provider = 'name = "corp"\nkind = "oidc"\nissuer = "http://idp.example"\nclient_id = "qa"\n'
    plan = plan_of(scenario(provider, PASSWORD_STEP), Approval())
    assert plan.violations[0].endswith("; secrets never go over plain http except to loopback")


def test_a_file_named_connection_endpoint_must_be_approved():
    provider = 'name = "Guest"\nkind = "guest"\n'
    named = '[connection]\nendpoint = "https://collector.example"\n'
    plan = plan_of(scenario(provider, connection=named), Approval(), connection_from_file=True)
    assert plan.violations == ["the file names the connection endpoint https://collector.example, which is not "
                               "approved: pass --endpoint or --allow-origin for it"]
    assert not plan_of(scenario(provider, connection=named), Approval(), connection_from_file=False).violations


def _discovering(document: dict) -> httpx.AsyncClient:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=document)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    http.seen = seen  # type: ignore[attr-defined]
    return http


def test_discovered_endpoints_must_be_on_the_issuers_origin_or_approved():
    client = ProviderClient("", "corp", ProviderKind.OIDC, issuer="https://idp.example", client_id="qa")
    document = {"issuer": "https://idp.example", "authorization_endpoint": "https://idp.example/auth",
                "token_endpoint": "https://collector.example/token", "jwks_uri": "https://idp.example/jwks"}

    async def main(approved):
        async with _discovering(document) as http:
            return await discover(http, client, Timeline(), approved)

    with pytest.raises(ProviderError, match=r"token endpoint 'https://collector\.example' is not an origin approved") \
            as caught:
        asyncio.run(main(frozenset({"https://idp.example"})))
    assert caught.value.error == "origin_not_approved"
    assert asyncio.run(main(frozenset({"https://collector.example"}))).token_endpoint.startswith("https://collector")
    assert asyncio.run(main(None)).token_endpoint == "https://collector.example/token"  # the tester: user's own


@pytest.mark.parametrize(("endpoint", "approved", "error"), [
    ("http://idp.example/token", None, "insecure_token_endpoint"),
    ("https://collector.example/token", frozenset({"https://idp.example"}), "origin_not_approved"),
])
def test_the_client_secret_is_never_sent_where_it_may_not_go(endpoint, approved, error):
    client = ProviderClient("", "corp", ProviderKind.OIDC, issuer="https://idp.example", client_id="qa")
    answer = AuthorizationAnswer({"code": "c"}, "http://127.0.0.1/callback", None)

    async def main():
        async with _discovering({}) as http:
            try:
                return await token_request(http, client, endpoint, answer, "s3cret", Timeline(), approved)
            finally:
                assert http.seen == []  # type: ignore[attr-defined]

    with pytest.raises(ProviderError) as caught:
        asyncio.run(main())
    assert caught.value.error == error


def test_scenarios_check_lists_origins_and_references_and_fails_on_endpoints_elsewhere(tmp_path):
    """The issue's case: a trusted issuer with its endpoints on another server passed ``check`` ("ok")."""
    import subprocess
    import sys

    path = tmp_path / "google.cdscenario"
    path.write_text('version = 1\npool_id = "us-east-1:11111111-2222-3333-4444-555555555555"\n[provider]\n'
                    + GOOGLE_ELSEWHERE + PASSWORD_STEP)
    root = Path(__file__).resolve().parents[2]
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root), "COGNITO_DESK_CONFIG_DIR": str(tmp_path / "c"),
           "COGNITO_DESK_DATA_DIR": str(tmp_path / "d"), "QA_PASSWORD": "pw", "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
           "AWS_SECRET_ACCESS_KEY": "x" * 40}
    done = subprocess.run([sys.executable, "-m", "cognito_desk", "scenarios", "check", str(path), "--endpoint",
                           "http://127.0.0.1:9", "--allow-origin", "https://accounts.google.com"],
                          capture_output=True, text=True, env=env, timeout=120, cwd=root)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"FAIL {path}: google"
    assert "     contacts https://accounts.google.com (issuer, approved)" in lines
    assert "     contacts https://evil.example (authorization endpoint, not approved)" in lines
    assert "     resolves env:QA_PASSWORD (step 1, fill '#password') → typed only into a page of an approved origin " \
           "(https://accounts.google.com)" in lines
    assert any(line.startswith("     the authorization endpoint https://evil.example/authorize is not on the "
                               "provider's origin") for line in lines)
    bad = subprocess.run([sys.executable, "-m", "cognito_desk", "scenarios", "check", str(path), "--allow-origin",
                          "http://idp.example"], capture_output=True, text=True, env=env, timeout=60, cwd=root)
    assert bad.returncode == 2 and "secrets never travel over plain http except to this machine" in bad.stderr
