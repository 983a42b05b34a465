"""ProviderVerifier with generic OIDC providers: a real loopback OpenID provider (tests/fakes) and real keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from fakes.jwt_issuer import OidcProvider
from fakes.keys import SigningKey
from fakes.pools import NOW, add_oidc_provider, add_pool, refused, run_verifier, validate
from fakes.pools import store_fixture as store_fixture  # the ``store`` fixture
from support import changed_tail

from cognito_desk.core import errors
from cognito_desk.service.providers import ProviderVerifier, TokenExpired, fetch

CLIENT = "my-client"
COULD_NOT_VERIFY = "Invalid login token. Couldn't verify signed token."
NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."


@pytest.fixture
def idp():
    with OidcProvider() as provider:
        yield provider


@pytest.fixture
def setup(store, idp):
    """(pool row, provider ARN) for a pool with ``idp`` attached, client ids [CLIENT, "other-client"]."""
    arn = add_oidc_provider(store, idp.issuer, [CLIENT, "other-client"])
    return add_pool(store, oidc_arns=[arn]), arn


def b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "ES384", "RS512"])
def test_valid_token_per_algorithm(store, setup, idp, alg):
    pool, arn = setup
    idp.rotate("k-" + alg, alg)
    login = validate(store, pool, idp.logins_key, idp.mint(now=NOW, aud=CLIENT, sub="user-1", email="a@b.c"))
    assert login.provider_name == idp.logins_key
    assert login.subject == "user-1"
    assert login.claims["email"] == "a@b.c"
    assert login.amr == (idp.logins_key, f"{arn}:OIDC:user-1")
    assert login.mapping_keys == (arn, idp.logins_key)
    assert login.default_tags == {"client": CLIENT, "username": "user-1"}
    assert login.identity_id is None and login.saml_roles == ()


def test_audience_list_and_azp(store, setup, idp):
    pool, _ = setup
    # aud list with one allowed member
    token = idp.mint(now=NOW, aud=["unknown", "other-client"], sub="u")
    assert validate(store, pool, idp.logins_key, token).default_tags["client"] == "other-client"
    # azp present and allowed wins over an unknown aud
    token = idp.mint(now=NOW, aud="unknown", azp=CLIENT, sub="u")
    assert validate(store, pool, idp.logins_key, token).default_tags["client"] == CLIENT
    # azp present and not allowed: refused even though aud is allowed
    token = idp.mint(now=NOW, aud=CLIENT, azp="someone-else", sub="u")
    assert refused(store, pool, idp.logins_key, token) == NOT_SUPPORTED


def test_wrong_audience(store, setup, idp):
    pool, _ = setup
    assert refused(store, pool, idp.logins_key, idp.mint(now=NOW, aud="nope", sub="u")) == NOT_SUPPORTED


def test_unsigned_alg_none_and_hmac_confusion_are_refused(store, setup, idp):
    pool, _ = setup
    claims = {"iss": idp.issuer, "aud": CLIENT, "sub": "u", "iat": NOW, "exp": NOW + 600}
    signed = idp.mint(now=NOW, aud=CLIENT, sub="u")
    header, payload, _ = signed.split(".")
    unsigned = f"{header}.{payload}."
    alg_none = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    public_pem = idp.signing_key.private_key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    hs_header = b64({"alg": "HS256", "typ": "JWT", "kid": idp.signing_key.kid})
    hs_body = b64(claims)
    mac = hmac.new(public_pem, f"{hs_header}.{hs_body}".encode(), hashlib.sha256).digest()
    hs256 = f"{hs_header}.{hs_body}.{b64(mac)}"
    for token in (unsigned, alg_none, hs256):
        assert refused(store, pool, idp.logins_key, token) == COULD_NOT_VERIFY
    assert validate(store, pool, idp.logins_key, signed).subject == "u"


def test_bad_signature_and_tampered_payload(store, setup, idp):
    pool, _ = setup
    good = idp.mint(now=NOW, aud=CLIENT, sub="alice")
    header, payload, signature = good.split(".")
    other_key = SigningKey.generate(idp.signing_key.kid)  # same kid, key the IdP never published
    forged = idp.mint(now=NOW, aud=CLIENT, sub="alice", key=other_key)
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    tampered = f"{header}.{b64({**claims, 'sub': 'mallory'})}.{signature}"
    flipped = f"{header}.{payload}.{changed_tail(signature, 4)}"
    for token in (forged, tampered, flipped):
        assert refused(store, pool, idp.logins_key, token) == COULD_NOT_VERIFY
    assert validate(store, pool, idp.logins_key, good).subject == "alice"


def test_expired_token_names_now_and_exp(store, setup, idp):
    pool, _ = setup
    token = idp.mint(now=NOW - 4000, aud=CLIENT, sub="u")  # exp = NOW - 400: past the 5 min skew
    with pytest.raises(TokenExpired) as excinfo:
        validate(store, pool, idp.logins_key, token)
    assert excinfo.value.code == "NotAuthorizedException"
    assert excinfo.value.message == f"Invalid login token. Token expired: {NOW} >= {NOW - 400}"
    assert excinfo.value.exp == NOW - 400
    # within the skew it is still accepted
    assert validate(store, pool, idp.logins_key, idp.mint(now=NOW - 3800, aud=CLIENT, sub="u")).subject == "u"


def test_not_yet_valid_and_missing_claims(store, setup, idp):
    pool, _ = setup
    token = idp.mint(now=NOW, aud=CLIENT, sub="u", nbf=NOW + 900)
    assert refused(store, pool, idp.logins_key, token) == \
        f"Invalid login token. Token is not valid before {NOW + 900} (now {NOW})."
    assert refused(store, pool, idp.logins_key, idp.mint(now=NOW, aud=CLIENT, sub=None)) == \
        "Invalid login token. Missing a required claim: sub"
    assert refused(store, pool, idp.logins_key, idp.mint(now=NOW, aud=CLIENT, sub="u", exp=None)) == \
        "Invalid login token. Missing a required claim: exp"
    assert validate(store, pool, idp.logins_key, idp.mint(now=NOW, aud=CLIENT, sub="u", nbf=NOW + 200)).subject == "u"


def test_wrong_issuer(store, setup, idp):
    pool, _ = setup
    with_slash = idp.mint(now=NOW, aud=CLIENT, sub="u", iss=idp.issuer + "/")  # Auth0-style issuer
    assert validate(store, pool, idp.logins_key, with_slash).subject == "u"
    token = idp.mint(now=NOW, aud=CLIENT, sub="u", iss="https://evil.example.com")
    assert refused(store, pool, idp.logins_key, token) == "Invalid login token. Issuer doesn't match providerName"
    assert refused(store, pool, idp.logins_key, "not-a-jwt") == \
        "Invalid login token. Not a valid OpenId Connect identity token."


def test_unknown_kid_refetches_once_then_is_rate_limited(store, setup, idp):
    pool, _ = setup
    stranger = SigningKey.generate("never-published")

    async def scenario(verifier: ProviderVerifier):
        await verifier.validate(pool, idp.logins_key, idp.mint(now=NOW, aud=CLIENT, sub="u"), now=NOW)
        assert idp.count("/jwks") == 1 and idp.count("/.well-known/openid-configuration") == 1
        token = idp.mint(now=NOW, aud=CLIENT, sub="u", key=stranger)
        messages = []
        for now in (NOW + 61, NOW + 62, NOW + 100):
            with pytest.raises(errors.NotAuthorizedException) as excinfo:
                await verifier.validate(pool, idp.logins_key, token, now=now)
            messages.append(excinfo.value.message)
        assert messages == [COULD_NOT_VERIFY] * 3
        assert idp.count("/jwks") == 2  # one refetch for the unknown kid, then rate-limited for 60 s
        with pytest.raises(errors.NotAuthorizedException):
            await verifier.validate(pool, idp.logins_key, token, now=NOW + 122)
        assert idp.count("/jwks") == 3
        # the known key still works from the cache
        await verifier.validate(pool, idp.logins_key, idp.mint(now=NOW, aud=CLIENT, sub="u"), now=NOW + 123)
        assert idp.count("/jwks") == 3

    run_verifier(store, scenario)


def test_rotated_key_is_picked_up_by_the_refetch(store, setup, idp):
    pool, _ = setup

    async def scenario(verifier: ProviderVerifier):
        await verifier.validate(pool, idp.logins_key, idp.mint(now=NOW, aud=CLIENT, sub="u"), now=NOW)
        idp.rotate("key-2", "ES256")
        login = await verifier.validate(pool, idp.logins_key, idp.mint(now=NOW + 70, aud=CLIENT, sub="v"),
                                        now=NOW + 70)
        assert login.subject == "v"
        assert idp.count("/jwks") == 2

    run_verifier(store, scenario)


def test_provider_not_attached_or_deleted(store, idp):
    arn = add_oidc_provider(store, idp.issuer, [CLIENT])
    token = idp.mint(now=NOW, aud=CLIENT, sub="u")
    assert refused(store, add_pool(store), idp.logins_key, token) == NOT_SUPPORTED
    pool = add_pool(store, oidc_arns=[arn])
    with store.transaction() as conn:
        conn.execute("DELETE FROM iam_oidc_providers WHERE arn = ?", (arn,))
    assert refused(store, pool, idp.logins_key, token) == NOT_SUPPORTED
    assert idp.requests == []


def test_unreachable_or_failing_idp_is_external_service_exception(store, setup, idp):
    pool, _ = setup
    token = idp.mint(now=NOW, aud=CLIENT, sub="u")
    def unavailable() -> tuple[str, ...]:
        """The caller gets AWS's fixed wording (no host, port or error: issue 10 §3); the notes say what failed."""
        with pytest.raises(errors.ExternalServiceException) as excinfo:
            validate(store, pool, key, token)
        assert excinfo.value.message == fetch.UNAVAILABLE
        return excinfo.value.notes

    key = idp.logins_key
    idp.fail_status = 503
    assert unavailable() == (f"idp={key}: it answered HTTP 503",)
    idp.fail_status = 200  # 200 with a body that is not JSON
    assert unavailable() == (f"idp={key}: its answer is not JSON",)
    idp.fail_status = None
    assert validate(store, pool, idp.logins_key, token).subject == "u"
    idp.stop()
    assert unavailable() == (f"idp={key}: connection failed (ConnectError)",)


def test_oversized_tokens_are_refused_before_any_fetch(store, setup, idp):
    pool, _ = setup
    assert refused(store, pool, idp.logins_key, "a" * 50_001) == \
        "Invalid login token. The token is longer than 50000 characters."
    big_header = f"{b64({'alg': 'RS256', 'pad': 'x' * 20_000})}.{b64({'iss': idp.issuer})}.sig"
    assert refused(store, pool, idp.logins_key, big_header) == \
        "Invalid login token. The token header is longer than 16384 characters."
    assert idp.requests == []


def test_verify_oidc_token_for_sts(store, idp):
    token = idp.mint(now=NOW, aud="sts-client", sub="workload")

    async def scenario(verifier: ProviderVerifier):
        claims = await verifier.verify_oidc_token(idp.issuer + "/", token, ["sts-client"], now=NOW)
        assert claims["sub"] == "workload"
        with pytest.raises(TokenExpired) as expired:
            await verifier.verify_oidc_token(idp.issuer, token, ["sts-client"], now=NOW + 3600 + 300)
        assert expired.value.exp == NOW + 3600
        with pytest.raises(errors.NotAuthorizedException) as wrong:
            await verifier.verify_oidc_token(idp.issuer, token, ["elsewhere"], now=NOW)
        assert wrong.value.message == NOT_SUPPORTED
        with pytest.raises(errors.NotAuthorizedException) as issuer:
            await verifier.verify_oidc_token("https://other.example.com", token, ["sts-client"], now=NOW)
        assert issuer.value.message == "Invalid login token. Issuer doesn't match providerName"

    run_verifier(store, scenario)
    assert jwt.get_unverified_header(token)["kid"] == "key-1"


def test_a_verified_signature_is_reused_but_never_outlives_the_key_set(store, setup, idp):
    pool, _ = setup
    token = idp.mint(now=NOW, lifetime=7200, aud=CLIENT, sub="user-1")

    async def scenario(verifier: ProviderVerifier) -> str:
        await verifier.validate(pool, idp.logins_key, token, now=NOW)
        fetches = idp.count(idp.jwks_path)
        idp.rotate("k-new")  # the IdP withdraws the key that signed the token
        await verifier.validate(pool, idp.logins_key, token, now=NOW + 10)  # reused, no key fetch
        assert idp.count(idp.jwks_path) == fetches
        tampered = changed_tail(token, 4)
        with pytest.raises(errors.NotAuthorizedException):  # any other token string is verified afresh
            await verifier.validate(pool, idp.logins_key, tampered, now=NOW + 20)
        with pytest.raises(errors.NotAuthorizedException) as caught:
            await verifier.validate(pool, idp.logins_key, token, now=NOW + 3601)  # key set refetched: key gone
        return caught.value.message

    assert run_verifier(store, scenario) == COULD_NOT_VERIFY
