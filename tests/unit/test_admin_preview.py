"""Reading pasted tokens and previewing a role without a service (core.presented, core.login_keys, admin.preview)."""

from __future__ import annotations

import base64
import json

import jwt
import pytest

from cognito_desk.admin.preview import preview
from cognito_desk.admin.rules import RoleMapping, RolesForm, Rule
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.core.login_keys import NotPreviewable, login_for
from cognito_desk.core.presented import UnreadableToken, read_presented

POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
AUTH = "arn:aws:iam::123456789012:role/auth"
ADMINS = "arn:aws:iam::123456789012:role/admins"
USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123"
SAML_ARN = "arn:aws:iam::123456789012:saml-provider/corp"
OIDC_ARN = "arn:aws:iam::123456789012:oidc-provider/login.example.com/tenant"
DESCRIBED = {"IdentityPoolId": POOL, "SupportedLoginProviders": {"accounts.google.com": "app-1"},
             "CognitoIdentityProviders": [{"ProviderName": USER_POOL, "ClientId": "client-a"}],
             "OpenIdConnectProviderARNs": [OIDC_ARN], "SamlProviderARNs": [SAML_ARN],
             "DeveloperProviderName": "login.corp"}
NOW = 1_800_000_000.0  # a fixed instant: tokens are read "now=NOW", never against the clock at collection time


def a_jwt(**claims) -> str:
    return jwt.encode({"sub": "u1", "aud": "app-1", "exp": int(NOW) + 600, **claims}, "k" * 32, algorithm="HS256")


def saml_response(*roles: str, name_id: str = "alice", not_after: str = "2999-01-01T00:00:00Z") -> str:
    values = "".join(f"<saml:AttributeValue>{r},{SAML_ARN}</saml:AttributeValue>" for r in roles)
    xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"><saml:Assertion><saml:Subject><saml:NameID>{name_id}</saml:NameID>
 </saml:Subject><saml:Conditions NotOnOrAfter="{not_after}"/><saml:AttributeStatement>
 <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">{values}</saml:Attribute>
 <saml:Attribute Name="department"><saml:AttributeValue>qa</saml:AttributeValue></saml:Attribute>
 </saml:AttributeStatement></saml:Assertion></samlp:Response>"""
    return base64.b64encode(xml.encode()).decode()


def test_a_jwt_is_read_without_checking_its_signature():
    token = read_presented(a_jwt(groups=["admins"]), now=NOW)
    assert token.kind == "jwt" and token.claims["groups"] == ["admins"]
    assert len(token.warnings) == 1 and "NOT checked" in token.warnings[0]


def test_an_expired_jwt_is_previewed_with_a_warning():
    token = read_presented(a_jwt(exp=int(NOW) - 120), now=NOW)
    assert any("expired" in w and "would refuse it" in w for w in token.warnings)


def test_claims_json_and_saml_in_xml_or_base64():
    assert read_presented('{"sub": "u1", "hd": "example.com"}', now=NOW).kind == "claims"
    saml = read_presented(saml_response(ADMINS), now=NOW)
    assert saml.kind == "saml" and saml.name_id == "alice" and saml.claims["department"] == ["qa"]
    assert read_presented(base64.b64decode(saml_response(ADMINS)).decode(), now=NOW).claims == saml.claims
    expired = read_presented(saml_response(ADMINS, not_after="2001-01-01T00:00:00Z"), now=NOW)
    assert any("assertion expired" in w for w in expired.warnings)


@pytest.mark.parametrize(("text", "reason"), [
    ("", "Paste a JWT"), ("[1, 2]", "JSON is a list"), ("hello there", "neither a JWT"),
    ("<a><b></a>", "not well-formed"), ("<x/>", "no SAML 2.0 Assertion"),
    ('<!DOCTYPE x [<!ENTITY e "e">]><x/>', "DTD")])
def test_unreadable_input_says_why(text, reason):
    with pytest.raises(UnreadableToken, match=reason):
        read_presented(text, now=NOW)


def test_login_keys_amr_and_default_tags_per_provider_kind():
    jwt_token = read_presented(a_jwt(aud="client-a"), now=NOW)
    social = login_for(DESCRIBED, "accounts.google.com", jwt_token)
    assert social.mapping_keys == ("accounts.google.com",) and social.default_tags == {"client": "app-1",
                                                                                       "username": "u1"}
    user_pool = login_for(DESCRIBED, USER_POOL, jwt_token)
    assert user_pool.mapping_keys == (f"{USER_POOL}:client-a", USER_POOL)
    oidc = login_for(DESCRIBED, "login.example.com/tenant", read_presented(a_jwt(azp="spa"), now=NOW))
    assert oidc.mapping_keys == (OIDC_ARN, "login.example.com/tenant") and oidc.default_tags["client"] == "spa"
    saml = login_for(DESCRIBED, SAML_ARN, read_presented(saml_response(ADMINS, AUTH), now=NOW))
    assert saml.saml_roles == (ADMINS, AUTH) and saml.default_tags == {"username": "alice"}


@pytest.mark.parametrize(("key", "code"), [("login.other.com", "NotAuthorizedException"),
                                           ("login.corp", "InvalidParameterException"),
                                           (SAML_ARN, "NotAuthorizedException")])
def test_keys_that_cannot_be_previewed(key, code):
    with pytest.raises(NotPreviewable) as caught:
        login_for(DESCRIBED, key, read_presented(a_jwt(), now=NOW))
    assert caught.value.code == code


def test_preview_explains_the_rules_and_checks_trust():
    form = RolesForm(POOL, {"authenticated": AUTH})
    mapping = form.add_mapping("accounts.google.com", RoleMapping("Rules", "AuthenticatedRole"))
    mapping.add_rule(Rule("groups", "Equals", "admins", ADMINS))
    token = read_presented(a_jwt(groups=["qa", "admins"]), now=NOW)
    trust = {ADMINS: cognito_trust_policy(POOL, "authenticated"),
             AUTH: cognito_trust_policy("us-east-1:99999999-0000-0000-0000-000000000000", "authenticated")}
    result = preview(DESCRIBED, form, token, "accounts.google.com", trust_policies=trust)
    assert result.decision.role_arn == ADMINS and result.would_sign_in
    assert "rule 1: claim 'groups' Equals 'admins': the token has ['qa', 'admins'], match" in result.decision.explain()
    other = preview(DESCRIBED, form, read_presented(a_jwt(), now=NOW), "accounts.google.com", trust_policies=trust)
    assert other.decision.role_arn == AUTH and not other.would_sign_in
    assert any("aud" in reason for reason in other.trust.reasons)
    unknown = preview(DESCRIBED, form, token, "accounts.google.com")
    assert unknown.trust is None and any("not loaded" in w for w in unknown.warnings)
    malformed = preview(DESCRIBED, form, token, "accounts.google.com", trust_policies={ADMINS: "{"})
    assert not malformed.would_sign_in and "malformed" in malformed.trust.reasons[0]
    assert json.dumps(result.session_tags) == "{}"


def test_headline_and_description_say_which_rule_and_whether_sts_agrees():
    form = RolesForm(POOL, {"authenticated": AUTH})
    mapping = form.add_mapping("accounts.google.com", RoleMapping("Rules", "Deny"))
    mapping.add_rule(Rule("hd", "Equals", "x", AUTH))
    mapping.add_rule(Rule("groups", "Contains", "adm", ADMINS))
    token = read_presented(a_jwt(groups=["admins"], exp=int(NOW) - 5), now=NOW)
    result = preview(DESCRIBED, form, token, "accounts.google.com",
                     trust_policies={ADMINS: cognito_trust_policy(POOL, "authenticated")})
    assert result.headline() == f"{ADMINS} (rule 2) — STS would assume it"
    text = result.describe()
    assert text.startswith("⚠ The signature is NOT checked") and "expired" in text
    assert "1. login 1 (accounts.google.com) uses role mapping" in text or "rule 1:" in text
    assert "statement 1" in text
    denied = preview(DESCRIBED, form, read_presented(a_jwt(), now=NOW), "accounts.google.com")
    assert denied.headline() == ("No role — NotAuthorizedException: The ambiguous role mapping rules denied this "
                                 "request.")


def test_recent_sign_ins_replay_recorded_claims(tmp_path):
    from cognito_desk.scenarios.history import HistoryStore
    from cognito_desk.scenarios.recent import recent_sign_ins
    from cognito_desk.scenarios.record import RunRecord

    store = HistoryStore(tmp_path / "history.sqlite3")
    try:
        common = {"connection": "local", "provider": "google", "provider_kind": "social"}
        store.add(RunRecord(started_at=NOW - 60, pool_id=POOL, logins_key="accounts.google.com", persona="alice",
                            claims={"sub": "u1", "groups": ["admins"]}, assumed_role=ADMINS, **common))
        store.add(RunRecord(started_at=NOW - 30, pool_id=POOL, logins_key="", claims={}, **common))  # a guest
        store.add(RunRecord(started_at=NOW, pool_id="us-east-1:other", logins_key="x", claims={"sub": "z"}, **common))
        recent = recent_sign_ins(store, POOL)
    finally:
        store.close()
    assert [r.logins_key for r in recent] == ["accounts.google.com"]
    assert "alice" in recent[0].label and ADMINS in recent[0].label
    token = read_presented(recent[0].claims_json, now=NOW)
    assert token.kind == "claims" and token.claims == {"sub": "u1", "groups": ["admins"]}
