"""ProviderVerifier with Cognito user pools: ID tokens from a local user-pool issuer (tests/fakes/userpool.py)."""

from __future__ import annotations

import pytest
from fakes import pools
from fakes.pools import NOW, add_pool
from fakes.pools import store_fixture as store_fixture  # the ``store`` fixture
from fakes.userpool import FakeUserPool

CLIENT = "1example23456789"


@pytest.fixture
def user_pool():
    with FakeUserPool("eu-west-1", "eu-west-1_AbC123") as fake:
        yield fake


@pytest.fixture
def pool(store, user_pool):
    return add_pool(store, user_pools=[
        {"ProviderName": user_pool.provider_name, "ClientId": CLIENT, "ServerSideTokenCheck": True},
        {"ProviderName": user_pool.provider_name, "ClientId": "second-client", "ServerSideTokenCheck": False}])


def refused(store, pool, user_pool, token, key=None) -> str:
    return pools.refused(store, pool, key or user_pool.provider_name, token, user_pool.endpoint_overrides())


def validate(store, pool, user_pool, token):
    return pools.validate(store, pool, user_pool.provider_name, token, user_pool.endpoint_overrides())


def test_id_token(store, pool, user_pool):
    key = user_pool.provider_name
    assert key == "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    token = user_pool.id_token(CLIENT, "sub-1", now=NOW, **{"cognito:groups": ["admins"]})
    login = validate(store, pool, user_pool, token)
    assert login.subject == "sub-1"
    assert login.claims["cognito:groups"] == ["admins"]
    assert login.amr == (key, f"{key}:CognitoSignIn:sub-1")
    assert login.mapping_keys == (f"{key}:{CLIENT}", key)
    assert login.default_tags == {"client": CLIENT, "username": "sub-1"}
    assert user_pool.count("/eu-west-1_AbC123/.well-known/jwks.json") == 1
    second = validate(store, pool, user_pool, user_pool.id_token("second-client", "sub-2", now=NOW))
    assert second.mapping_keys == (f"{key}:second-client", key)


def test_access_token_lacks_aud(store, pool, user_pool):
    token = user_pool.access_token(CLIENT, "sub-1", now=NOW)
    assert refused(store, pool, user_pool, token) == "Invalid login token. Missing a required claim: aud"


def test_id_token_use_is_required(store, pool, user_pool):
    token = user_pool.mint(now=NOW, aud=CLIENT, sub="s", token_use="access")
    assert refused(store, pool, user_pool, token) == \
        "Invalid login token. Only ID tokens are accepted (token_use is 'access')."


def test_garbage_is_not_a_cognito_token(store, pool, user_pool):
    assert refused(store, pool, user_pool, "garbage") == "Invalid login token. Not a Cognito token."
    assert refused(store, pool, user_pool, "a.b.c") == "Invalid login token. Not a Cognito token."
    assert user_pool.requests == []


def test_wrong_client_id(store, pool, user_pool):
    token = user_pool.id_token("unknown-client", "sub-1", now=NOW)
    assert refused(store, pool, user_pool, token) == "Token is not from a supported provider of this identity pool."


def test_issuer_must_match_the_logins_key(store, user_pool):
    other_key = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other99"
    pool = add_pool(store, user_pools=[{"ProviderName": other_key, "ClientId": CLIENT}])
    token = user_pool.id_token(CLIENT, "sub-1", now=NOW)
    assert refused(store, pool, user_pool, token, key=other_key) == \
        "Invalid login token. Issuer doesn't match providerName"


def test_key_not_configured(store, pool, user_pool):
    token = user_pool.id_token(CLIENT, "sub-1", now=NOW)
    assert refused(store, pool, user_pool, token, key="cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Nope1") == \
        "Token is not from a supported provider of this identity pool."


def test_expired_and_forged(store, pool, user_pool):
    expired = user_pool.id_token(CLIENT, "sub-1", now=NOW - 3600 - 301)
    assert refused(store, pool, user_pool, expired) == f"Invalid login token. Token expired: {NOW} >= {NOW - 301}"
    forged_pool = FakeUserPool("eu-west-1", "eu-west-1_AbC123")  # same issuer and kid, different key
    forged = forged_pool.id_token(CLIENT, "sub-1", now=NOW)
    assert refused(store, pool, user_pool, forged) == "Invalid login token. Couldn't verify signed token."
