"""ProviderVerifier with the social providers: Google, Apple, Facebook, Login with Amazon (local fakes), Twitter."""

from __future__ import annotations

import pytest
from fakes.amazon import FakeAmazon
from fakes.apple import FakeApple
from fakes.facebook import FakeFacebook
from fakes.google import FakeGoogle
from fakes.pools import NOW, add_pool, refused, validate
from fakes.pools import store_fixture as store_fixture  # the ``store`` fixture

from cognito_desk.core import errors
from cognito_desk.service.providers import fetch

NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
GOOGLE_CLIENT = "1234-abc.apps.googleusercontent.com"
APPLE_BUNDLE = "com.example.app"
FB_APP = "1111222233334444"
LWA_CLIENT = "amzn1.application-oa2-client.0123456789abcdef"


@pytest.fixture
def pool(store):
    return add_pool(store, supported={"accounts.google.com": GOOGLE_CLIENT, "appleid.apple.com": APPLE_BUNDLE,
                                      "graph.facebook.com": FB_APP, "www.amazon.com": LWA_CLIENT,
                                      "api.twitter.com": "key;secret"})


@pytest.mark.parametrize(("fake_type", "key", "client"), [
    (FakeGoogle, "accounts.google.com", GOOGLE_CLIENT), (FakeApple, "appleid.apple.com", APPLE_BUNDLE)])
def test_google_and_apple_id_tokens(store, pool, fake_type, key, client):
    with fake_type() as fake:
        endpoints = fake.endpoint_overrides()
        login = validate(store, pool, key, fake.mint(now=NOW, aud=client, sub="000123"), endpoints)
        assert (login.provider_name, login.subject) == (key, "000123")
        assert login.amr == (key, f"{key}:{client}:000123")
        assert login.mapping_keys == (key,)
        assert login.default_tags == {"client": client, "username": "000123"}
        assert fake.count(fake.jwks_path) == 1
        assert refused(store, pool, key, fake.mint(now=NOW, aud="someone-else", sub="1"), endpoints) == NOT_SUPPORTED
        # The override changes where keys come from, never which issuer is accepted.
        assert refused(store, pool, key, fake.mint(now=NOW, aud=client, sub="1", iss=fake.url), endpoints) == \
            "Invalid login token. Issuer doesn't match providerName"


def test_google_scheme_less_issuer_is_accepted(store, pool):
    with FakeGoogle() as google:
        token = google.mint(now=NOW, aud=GOOGLE_CLIENT, sub="42", iss="accounts.google.com")
        assert validate(store, pool, "accounts.google.com", token, google.endpoint_overrides()).subject == "42"


def test_social_provider_not_configured_on_the_pool(store):
    bare = add_pool(store, supported={"graph.facebook.com": FB_APP})
    with FakeGoogle() as google:
        token = google.mint(now=NOW, aud=GOOGLE_CLIENT, sub="42")
        assert refused(store, bare, "accounts.google.com", token, google.endpoint_overrides()) == NOT_SUPPORTED
        assert google.requests == []


def test_facebook(store, pool):
    with FakeFacebook() as facebook:
        endpoints = facebook.endpoint_overrides()
        login = validate(store, pool, "graph.facebook.com", facebook.issue_token("10001", FB_APP), endpoints)
        assert login.subject == "10001"
        assert login.claims == {"iss": "https://graph.facebook.com", "aud": FB_APP, "sub": "10001"}
        assert login.amr == ("graph.facebook.com", f"graph.facebook.com:{FB_APP}:10001")
        assert login.default_tags == {"client": FB_APP, "username": "10001"}
        assert facebook.count("/me") == 1 and facebook.count("/app") == 1
        other_app = facebook.issue_token("10001", "999")
        assert refused(store, pool, "graph.facebook.com", other_app, endpoints) == NOT_SUPPORTED
        assert refused(store, pool, "graph.facebook.com", "EAAbogus", endpoints) == \
            "Invalid login token. Invalid OAuth access token - Cannot parse access token"
        facebook.fail_status = 500
        with pytest.raises(errors.ExternalServiceException) as excinfo:
            validate(store, pool, "graph.facebook.com", "EAAbogus", endpoints)
        assert excinfo.value.message == fetch.UNAVAILABLE  # no host for the caller (issue 10 §3); it is in the notes
        assert excinfo.value.notes == (f"idp={facebook.url.removeprefix('http://')}: it answered HTTP 500",)


def test_login_with_amazon(store, pool):
    with FakeAmazon() as amazon:
        endpoints = amazon.endpoint_overrides()
        token = amazon.issue_token("amzn1.account.AAAA", LWA_CLIENT)
        login = validate(store, pool, "www.amazon.com", token, endpoints)
        assert login.subject == "amzn1.account.AAAA"
        assert login.claims == {"iss": "https://www.amazon.com", "aud": LWA_CLIENT, "sub": "amzn1.account.AAAA"}
        assert login.amr == ("www.amazon.com", f"www.amazon.com:{LWA_CLIENT}:amzn1.account.AAAA")
        assert login.default_tags == {"client": LWA_CLIENT, "username": "amzn1.account.AAAA"}
        other_client = amazon.issue_token("amzn1.account.AAAA", "amzn1.application-oa2-client.other")
        assert refused(store, pool, "www.amazon.com", other_client, endpoints) == NOT_SUPPORTED
        assert refused(store, pool, "www.amazon.com", "Atza|bogus", endpoints) == \
            "Invalid login token. The request has an invalid parameter : access_token"
        expired = amazon.issue_token("amzn1.account.AAAA", LWA_CLIENT, expires_in=-1)
        assert refused(store, pool, "www.amazon.com", expired, endpoints) == \
            "Invalid login token. The request has an invalid parameter : access_token"


@pytest.mark.parametrize(("key", "name"), [("api.twitter.com", "Twitter"), ("www.digits.com", "Digits")])
def test_twitter_and_digits_are_retired(store, pool, key, name):
    assert refused(store, pool, key, "token;secret", {}) == \
        f"Invalid login token. {name} ({key}) is a retired login provider and is no longer supported."


def test_unknown_provider_key(store, pool):
    assert refused(store, pool, "login.example.com", "x", {}) == NOT_SUPPORTED
