"""Tests for cognito_desk.core.tokens: decoding without trust, token kinds, claim explanations."""

from __future__ import annotations

import jwt
import pytest

from cognito_desk.core.tokens import (
    TokenKind,
    describe_expiry,
    explain_claims,
    format_utc,
    inspect_token,
    logins_key_for_issuer,
)

KEY = "k" * 64
NOW = 1_700_000_000
USER_POOL_ISS = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"


def make(claims, **headers):
    return jwt.encode(claims, KEY, algorithm="HS256", headers=headers or None)


def test_user_pool_id_and_access_tokens_by_token_use():
    id_token = make({"iss": USER_POOL_ISS, "token_use": "id", "aud": "client1", "sub": "u-1"}, kid="key-1")
    access = make({"iss": USER_POOL_ISS, "token_use": "access", "client_id": "client1"})
    inspected = inspect_token(id_token)
    assert inspected.kind is TokenKind.USER_POOL_ID and inspected.is_jwt
    assert inspected.header["kid"] == "key-1" and inspected.claims["aud"] == "client1"
    assert inspect_token(access).kind is TokenKind.USER_POOL_ACCESS


def test_cognito_identity_token_by_issuer_and_generic_oidc():
    cognito = make({"iss": "https://cognito-identity.amazonaws.com", "aud": "us-east-1:abc"})
    assert inspect_token(cognito).kind is TokenKind.COGNITO_IDENTITY
    assert inspect_token(make({"iss": "https://login.example.com", "aud": "x"})).kind is TokenKind.OIDC


def test_signature_is_not_checked_and_expired_tokens_decode():
    token = make({"iss": "https://a", "exp": 1}) + "tampered"
    assert inspect_token(token).claims == {"iss": "https://a", "exp": 1}


@pytest.mark.parametrize("garbage, problem", [
    ("", "empty"),
    ("not a token", "three dot-separated parts"),
    ("a.b.c", "do not decode"),
    ("a.b.c.d.e", "encrypted JWT"),
    (None, "NoneType"),
    (b"a.b.c", "bytes"),
])
def test_garbage_never_raises(garbage, problem):
    inspected = inspect_token(garbage)
    assert inspected.kind is TokenKind.NOT_JWT and not inspected.is_jwt
    assert problem in inspected.problem
    assert inspected.pretty().startswith("Not a JWT")


def test_bearer_prefix_and_pretty_output():
    token = "Bearer " + make({"iss": "https://login.example.com", "sub": "s"})
    pretty = inspect_token(token).pretty()
    assert '"iss": "https://login.example.com"' in pretty and '"alg": "HS256"' in pretty


def test_explain_claims_labels_times_and_lists():
    claims = {"custom": {"a": 1}, "sub": "u-1", "exp": NOW + 3600 + 125, "iat": NOW - 60,
              "iss": USER_POOL_ISS, "aud": "client1", "cognito:groups": ["admins", "qa"],
              "cognito:roles": ["arn:aws:iam::1:role/A"], "amr": ["authenticated", "accounts.google.com"]}
    rows = explain_claims(claims, now=NOW)
    table = dict(rows)
    assert rows[0] == ("Issuer", USER_POOL_ISS)
    assert table["Expires"] == f"{format_utc(NOW + 3725)} (expires in 1 h 2 min)"
    assert table["Issued at"] == "2023-11-14 22:12:20 UTC (1 min ago)"
    assert table["User-pool groups"] == "admins, qa"
    assert table["Group IAM roles"] == "arn:aws:iam::1:role/A"
    assert table["Authentication methods"] == "authenticated, accounts.google.com"
    assert rows[-1] == ("custom", '{"a": 1}')


def test_expiry_descriptions_and_logins_key():
    assert describe_expiry(NOW - 30, NOW) == "expired 30 s ago"
    assert describe_expiry(NOW + 90061, NOW) == "expires in 1 d 1 h"
    assert format_utc(0) == "1970-01-01 00:00:00 UTC"
    assert logins_key_for_issuer(USER_POOL_ISS) == "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
