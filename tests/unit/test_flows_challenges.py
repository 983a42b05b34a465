"""The challenge model (flows/challenges.py), the user-pool provider client, and the Local profile's user pool
endpoint: what each challenge asks, what is missing, the responses built; settings validation."""

from __future__ import annotations

import json

import pytest

from cognito_desk.admin.connections import ConnectionForm, form_for_profile, form_problems, form_profile
from cognito_desk.backend.local import user_pool_overrides
from cognito_desk.flows.challenges import Challenge
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.userpool import role_claims_note
from cognito_desk.settings import LocalProfile, Settings
from cognito_desk.settings.profiles import ProfileKind, profile_problems


def test_new_password_required_asks_for_the_password_and_the_required_attributes():
    challenge = Challenge("NEW_PASSWORD_REQUIRED", {
        "USER_ID_FOR_SRP": "carol-sub", "userAttributes": "{}",
        "requiredAttributes": json.dumps(["userAttributes.email", "userAttributes.name"])}, "carol")
    assert [(f.key, f.secret) for f in challenge.fields()] == [
        ("NEW_PASSWORD", True), ("userAttributes.email", False), ("userAttributes.name", False)]
    assert challenge.describe() == "The user must choose a new password and email, name before signing in."
    assert challenge.problems({"NEW_PASSWORD": "x"}) == ["email is missing.", "name is missing."]
    assert challenge.responses({"NEW_PASSWORD": " pw ", "userAttributes.email": "c@example.com",
                                "userAttributes.name": "Carol"}) == {
        "USERNAME": "carol-sub", "NEW_PASSWORD": " pw ", "userAttributes.email": "c@example.com",
        "userAttributes.name": "Carol"}  # a password is sent exactly as typed


@pytest.mark.parametrize(("name", "key"), [("SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE"),
                                           ("SMS_MFA", "SMS_MFA_CODE"), ("EMAIL_OTP", "EMAIL_OTP_CODE")])
def test_code_challenges_take_digits(name, key):
    challenge = Challenge(name, {"CODE_DELIVERY_DESTINATION": "+*******1234"}, "dave")
    assert [f.key for f in challenge.fields()] == [key]
    assert challenge.problems({key: "12a456"}) == ["The code is digits only."]
    assert challenge.problems({}) == ["Code is missing."]
    assert challenge.responses({key: " 123456 "}) == {"USERNAME": "dave", key: "123456"}
    if name != "SOFTWARE_TOKEN_MFA":
        assert "+*******1234" in challenge.describe()


def test_select_mfa_type_offers_the_pools_choices():
    challenge = Challenge("SELECT_MFA_TYPE", {"MFAS_CAN_CHOOSE": '["SMS_MFA","SOFTWARE_TOKEN_MFA"]'}, "erin")
    [field] = challenge.fields()
    assert field.choices == ("SMS_MFA", "SOFTWARE_TOKEN_MFA")
    assert challenge.problems({"ANSWER": "EMAIL_OTP"}) == ["EMAIL_OTP is not one of SMS_MFA, SOFTWARE_TOKEN_MFA."]
    assert challenge.responses({"ANSWER": "SMS_MFA"}) == {"USERNAME": "erin", "ANSWER": "SMS_MFA"}


def test_an_unknown_challenge_is_named_not_answered():
    challenge = Challenge("CUSTOM_CHALLENGE", {}, "x")
    assert not challenge.answerable and challenge.fields() == []
    with pytest.raises(ValueError, match="CUSTOM_CHALLENGE, which cognito-desk cannot answer"):
        challenge.responses({})


def test_user_pool_password_client_logins_key_and_problems():
    client = ProviderClient("local", "app", ProviderKind.USER_POOL_PASSWORD, user_pool_id="eu-west-1_AbC123",
                            client_id="c1")
    assert client.logins_key == "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    assert client.problems() == []
    bad = ProviderClient("local", "app", ProviderKind.USER_POOL_PASSWORD, user_pool_id="nope", auth_flow="custom")
    assert bad.logins_key == "" and bad.problems() == [
        "'nope' is not a user pool ID (like us-east-1_AbCdEf123).", "The user pool's app client id is missing.",
        "The auth flow must be 'srp' or 'password', not 'custom'."]
    assert ProviderClient.from_dict(client.to_dict()) == client


def test_role_claims_note_says_what_is_absent():
    assert role_claims_note({"cognito:groups": ["admins"]}) == (
        "cognito:groups = admins; cognito:roles = absent; cognito:preferred_role = absent")


def test_local_profile_user_pool_endpoint_is_validated_and_configures_the_service(tmp_path):
    good = LocalProfile("lab", user_pool_endpoint="http://127.0.0.1:5000")
    assert profile_problems(good) == [] and user_pool_overrides(good) == {"cognito-idp": "http://127.0.0.1:5000"}
    assert user_pool_overrides(LocalProfile("lab")) == {}
    assert profile_problems(LocalProfile("lab", user_pool_endpoint="ftp://x")) == [
        "profile.user_pool_endpoint: 'ftp://x' must start with http:// or https://"]
    form = form_for_profile(good)
    assert form.user_pool_endpoint == "http://127.0.0.1:5000" and form_profile(form) == good
    problems = form_problems(ConnectionForm(kind=ProfileKind.LOCAL, name="x", user_pool_endpoint="localhost:5000"),
                             Settings())
    assert problems == {"user_pool_endpoint": "'localhost:5000' must start with http:// or https://"}
