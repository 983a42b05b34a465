"""What a flow checks before it trusts a provider's answer: id_token verification and SAML responses read
without trust; and the result helpers (assumed role, same role, refresh advice, step timing)."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cognito_desk.flows.agent import ProviderError
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.cognito import VendedCredentials, assumed_role_arn
from cognito_desk.flows.oidc import OidcEndpoints, ProviderKeys, verify_id_token
from cognito_desk.flows.prediction import same_role
from cognito_desk.flows.run import RunRequest, RunResult
from cognito_desk.flows.saml import SUCCESS, authn_request, read_response
from cognito_desk.flows.timeline import Timeline
from cognito_desk.settings import Secret

ISSUER = "https://op.example"
ENDPOINTS = OidcEndpoints(ISSUER, f"{ISSUER}/auth", f"{ISSUER}/token", f"{ISSUER}/jwks")
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks() -> dict:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}


def id_token(key=KEY, kid="k1", algorithm="RS256", **claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "client-1", "sub": "alice", "iat": now, "exp": now + 300, "nonce": "n-1", **claims}
    return jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm=algorithm,
                      headers={"kid": kid})


def verify(token: str, nonce: str | None = "n-1") -> dict:
    async def main():
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=jwks()))
        async with httpx.AsyncClient(transport=transport) as http:
            return await verify_id_token(http, token, ENDPOINTS, "client-1", nonce, Timeline())

    return asyncio.run(main())


def test_a_good_id_token_gives_its_claims():
    assert verify(id_token())["sub"] == "alice"


# Tokens are minted when the test runs, never at collection: on a loaded machine the whole suite can take longer
# than a token's lifetime, and a token minted at import would then fail as expired instead of for its own fault.
@pytest.mark.parametrize(("token", "error", "words"), [
    (lambda: id_token(aud="other-client"), "invalid_audience", "issued to another client"),
    (lambda: id_token(iss="https://evil.example"), "invalid_issuer", "issuer is not https://op.example"),
    (lambda: id_token(exp=int(time.time()) - 3600), "expired_id_token", "expired"),
    (lambda: id_token(nonce="replayed"), "nonce_mismatch", "nonce is not the one this sign-in sent"),
    (lambda: id_token(nonce=None), "nonce_mismatch", "nonce"),
    (lambda: id_token(key=OTHER_KEY), "invalid_id_token", "failed verification"),
    (lambda: id_token(kid="unknown"), "invalid_id_token", "no key with kid 'unknown'"),
    (lambda: jwt.encode({"sub": "x"}, "shared-secret-of-32-bytes-or-more!!", algorithm="HS256"), "invalid_id_token",
     "only asymmetric algorithms"),
    (lambda: "not-a-jwt", "invalid_id_token", "not a signed JWT"),
], ids=["audience", "issuer", "expired", "replayed-nonce", "no-nonce", "other-key", "unknown-kid", "hs256",
        "not-a-jwt"])
def test_an_id_token_that_fails_a_check_is_refused_before_cognito(token, error, words):
    with pytest.raises(ProviderError) as caught:
        verify(token())
    assert caught.value.error == error and words in caught.value.message


def saml_response(*, status=SUCCESS, in_response_to="_req1", roles=(), encrypted=False) -> str:
    not_after = (datetime.now(UTC) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    values = "".join(f"<saml:AttributeValue>{role}</saml:AttributeValue>" for role in roles)
    assertion = ("<saml:EncryptedAssertion/>" if encrypted else
                 f"<saml:Assertion><saml:Subject><saml:NameID>alice</saml:NameID></saml:Subject>"
                 f"<saml:Conditions NotOnOrAfter='{not_after}'/><saml:AttributeStatement>"
                 f"<saml:Attribute Name='https://aws.amazon.com/SAML/Attributes/Role'>{values}</saml:Attribute>"
                 f"<saml:Attribute Name='department'><saml:AttributeValue>qa</saml:AttributeValue></saml:Attribute>"
                 f"</saml:AttributeStatement></saml:Assertion>")
    xml = (f"<samlp:Response xmlns:samlp='urn:oasis:names:tc:SAML:2.0:protocol' "
           f"xmlns:saml='urn:oasis:names:tc:SAML:2.0:assertion' InResponseTo='{in_response_to}'>"
           f"<samlp:Status><samlp:StatusCode Value='{status}'/></samlp:Status>{assertion}</samlp:Response>")
    return base64.b64encode(xml.encode()).decode()


def test_a_saml_response_is_read_without_trust():
    provider = "arn:aws:iam::123456789012:saml-provider/corp"
    role = "arn:aws:iam::123456789012:role/qa"
    response = read_response(saml_response(roles=[f"{role},{provider}", "arn:aws:iam::1:role/x,arn:other"]), "_req1")
    assert response.name_id == "alice" and response.attributes["department"] == ["qa"]
    assert response.roles_for(provider) == (role,)
    assert time.time() < response.expires_at < time.time() + 400


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"status": "urn:oasis:names:tc:SAML:2.0:status:Requester"}, "urn:oasis:names:tc:SAML:2.0:status:Requester"),
    ({"in_response_to": "_someone-else"}, "in_response_to_mismatch"),
    ({"encrypted": True}, "encrypted_assertion"),
])
def test_a_saml_response_that_is_not_for_this_login_is_refused(kwargs, error):
    with pytest.raises(ProviderError) as caught:
        read_response(saml_response(**kwargs), "_req1")
    assert caught.value.error == error


def test_garbage_instead_of_a_saml_response():
    with pytest.raises(ProviderError, match="not base64 SAML XML"):
        read_response("%%%not base64", None)


def test_the_authn_request_names_the_acs_and_the_sp():
    client = ProviderClient("lab", "corp", ProviderKind.SAML, saml_sso_url="https://idp.example/sso")
    xml = authn_request(client, "_abc", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert 'ID="_abc"' in xml and 'AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml"' in xml
    assert "<saml:Issuer>urn:amazon:webservices</saml:Issuer>" in xml and 'IssueInstant="2026-01-02T03:04:05Z"' in xml


def test_assumed_role_and_same_role():
    caller = "arn:aws:sts::123456789012:assumed-role/qa-role/CognitoIdentityCredentials"
    assert assumed_role_arn(caller) == "arn:aws:iam::123456789012:role/qa-role"
    assert assumed_role_arn("arn:aws:iam::123456789012:user/admin") == "arn:aws:iam::123456789012:user/admin"
    assert same_role("arn:aws:iam::123456789012:role/team/qa-role", assumed_role_arn(caller))
    assert not same_role("arn:aws:iam::999999999999:role/qa-role", assumed_role_arn(caller))
    assert not same_role(None, assumed_role_arn(caller))


def test_refresh_advice_names_the_countdown_that_ran_out():
    now = time.time()
    result = RunResult(RunRequest("us-east-1:x", ProviderClient("lab", "g", ProviderKind.GUEST)), now)
    result.credentials = VendedCredentials("ASIAX", Secret("s3cr3t-key"), Secret("t0ken"),
                                           datetime.fromtimestamp(now + 60, UTC))
    assert "again with the same logins" in result.refresh_advice(now)
    assert "a new GetCredentialsForIdentity is enough" in result.refresh_advice(now + 120)
    assert "s3cr3t-key" not in repr(result.credentials) and "t0ken" not in repr(result.credentials)
    assert result.credentials.as_environment().splitlines()[1] == "export AWS_SECRET_ACCESS_KEY=s3cr3t-key"
    assert result.credentials.as_credentials_profile("qa").startswith("[qa]\naws_access_key_id = ASIAX\n")


def test_the_timeline_records_failures_and_sums_steps():
    timeline = Timeline()
    with timeline.call("GetId", logins=["accounts.google.com"]):
        pass
    with pytest.raises(RuntimeError), timeline.call("GetCredentialsForIdentity"):
        raise RuntimeError("refused")
    first, second = timeline.calls
    assert first.ok and first.logins_sent and not second.ok and second.error == "refused"
    assert list(timeline.step_durations()) == ["GetId", "GetCredentialsForIdentity"]


def test_provider_keys_are_kept_until_they_expire_or_lack_the_kid():
    fetched = []

    def answer(request):
        fetched.append(request.url.path)
        return httpx.Response(200, json=jwks())

    async def main():
        now = [0.0]
        keys = ProviderKeys(ttl=300, clock=lambda: now[0])
        async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
            for _ in range(3):
                await verify_id_token(http, id_token(), ENDPOINTS, "client-1", "n-1", Timeline(), keys)
            with pytest.raises(ProviderError, match="no key with kid 'rotated'"):
                await verify_id_token(http, id_token(kid="rotated"), ENDPOINTS, "client-1", "n-1", Timeline(), keys)
            now[0] = 301
            timeline = Timeline()
            await verify_id_token(http, id_token(), ENDPOINTS, "client-1", "n-1", timeline, keys)
            return [call.name for call in timeline.calls]

    assert asyncio.run(main()) == ["Provider JWKS", "Verify id_token"]
    assert fetched == ["/jwks", "/jwks", "/jwks"]  # once, once more for the unknown kid, once after the ttl


class FragmentAgent:
    """Answers an authorization request as an implicit provider does: ``answer(query)`` in the fragment."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.query: dict[str, str] = {}

    async def navigate(self, start, stop_at):
        from urllib.parse import parse_qsl, urlencode, urlsplit

        from cognito_desk.flows.agent import Arrival

        self.query = dict(parse_qsl(urlsplit(start(stop_at)).query))
        return Arrival(f"{stop_at}#{urlencode(self.answer(self.query))}")


def test_implicit_id_token_from_the_fragment_is_verified_with_the_nonce_sent():
    from cognito_desk.flows.oidc import oidc_login

    client = ProviderClient("lab", "op", ProviderKind.OIDC, issuer=ISSUER, client_id="client-1",
                            response_type="id_token", authorization_endpoint=ENDPOINTS.authorization_endpoint,
                            token_endpoint=ENDPOINTS.token_endpoint, jwks_uri=ENDPOINTS.jwks_uri)

    async def main(agent):
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=jwks()))
        async with httpx.AsyncClient(transport=transport) as http:
            return await oidc_login(http, agent, client, None, Timeline())

    agent = FragmentAgent(lambda q: {"state": q["state"], "id_token": id_token(nonce=q["nonce"])})
    login = asyncio.run(main(agent))
    assert login.claims["sub"] == "alice" and login.token_type == "id_token"
    assert agent.query["response_type"] == "id_token" and "code_challenge" not in agent.query
    replayed = FragmentAgent(lambda q: {"state": q["state"], "id_token": id_token(nonce="from-another-login")})
    with pytest.raises(ProviderError) as caught:
        asyncio.run(main(replayed))
    assert caught.value.error == "nonce_mismatch"
    forged = FragmentAgent(lambda q: {"state": "not-this-login", "id_token": id_token(nonce=q["nonce"])})
    with pytest.raises(ProviderError) as caught:
        asyncio.run(main(forged))
    assert caught.value.error == "state_mismatch"


def test_the_pool_configuration_is_given_up_after_two_slow_attempts_never_the_run():
    from cognito_desk.aws import CognitoIdentityClient, Endpoint
    from cognito_desk.aws.credentials import StaticCredentials
    from cognito_desk.flows.prediction import load_pool_config

    attempts = []

    async def slow(request):
        attempts.append(request.headers["x-amz-target"])
        await asyncio.sleep(5)
        return httpx.Response(200, json={})

    async def main():
        async with httpx.AsyncClient(transport=httpx.MockTransport(slow)) as http:
            client = CognitoIdentityClient(http, Endpoint("http://backend.test", "us-east-1", "cognito-identity"),
                                           StaticCredentials("AKIAEXAMPLE", "secret"))
            timeline = Timeline()
            config = await load_pool_config(client, "us-east-1:x", timeline, timeouts=(0.05, 0.05))
            return config, timeline

    config, timeline = asyncio.run(main())
    assert config.unavailable == "the pool's configuration did not arrive within 0.1 s"
    assert [c.cancelled for c in timeline.calls] == [True, True]
    assert attempts == ["AWSCognitoIdentityService.DescribeIdentityPool"] * 2
