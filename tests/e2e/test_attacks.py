"""Forged, tampered and misdirected tokens: every one refused with NotAuthorizedException, nothing stored.

Real tokens come from oidc-provider and saml-idp; claims no real IdP would issue (expired, not yet valid)
come from a local OpenID provider over HTTP (``fakes.jwt_issuer.OidcProvider``) registered like any other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from fakes.jwt_issuer import OidcProvider
from fakes.keys import SigningKey
from support import aws_error, make_client, start_service

NOT_SUPPORTED = "Token is not from a supported provider of this identity pool."
BAD_SIGNATURE = "Invalid login token. Couldn't verify signed token."
WRONG_ISSUER = "Invalid login token. Issuer doesn't match providerName"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def reassemble(token: str, *, header: dict | None = None, payload: dict | None = None,
               signature: str | None = None) -> str:
    head, body, sig = token.split(".")
    head = b64(json.dumps(header).encode()) if header is not None else head
    body = b64(json.dumps(payload).encode()) if payload is not None else body
    return f"{head}.{body}.{sig if signature is None else signature}"


class Target:
    def __init__(self, running, oidc_idp, other_oidc_idp, saml_idp, fake: OidcProvider) -> None:
        self.running = running
        self.ci, self.iam = make_client(running, "cognito-identity"), make_client(running, "iam")
        self.oidc, self.fake = oidc_idp, fake
        arns = []
        for issuer in (oidc_idp.issuer, other_oidc_idp.issuer, fake.issuer):
            arns.append(self.iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["qa-desk"])[
                "OpenIDConnectProviderArn"])
        self.saml_arn = self.iam.create_saml_provider(Name="corp", SAMLMetadataDocument=saml_idp.metadata_xml())[
            "SAMLProviderArn"]
        # other_oidc_idp is registered in IAM but not attached to the pool
        self.pool_id = self.ci.create_identity_pool(
            IdentityPoolName="attacked", AllowUnauthenticatedIdentities=False,
            OpenIdConnectProviderARNs=[arns[0], arns[2]], SamlProviderARNs=[self.saml_arn])["IdentityPoolId"]

    def refused(self, logins: dict, message: str | None = None, *, starts: str | None = None) -> None:
        before = self.identities()
        with pytest.raises(self.ci.exceptions.NotAuthorizedException) as exc:
            self.ci.get_id(IdentityPoolId=self.pool_id, Logins=logins)
        _, text = aws_error(exc)
        if message is not None:
            assert text == message
        if starts is not None:
            assert text.startswith(starts), text
        assert self.identities() == before

    def identities(self) -> list:
        return self.ci.list_identities(IdentityPoolId=self.pool_id, MaxResults=60)["Identities"]


@pytest.fixture(scope="module")
def target(tmp_path_factory, oidc_idp, other_oidc_idp, saml_idp):
    with OidcProvider() as fake:
        running = start_service(tmp_path_factory.mktemp("attacks"))
        try:
            yield Target(running, oidc_idp, other_oidc_idp, saml_idp, fake)
        finally:
            running.thread.stop()


def test_the_genuine_token_works(target):
    identity = target.ci.get_id(IdentityPoolId=target.pool_id, Logins={target.oidc.host: target.oidc.id_token("eve")})
    assert identity["IdentityId"]


def test_unsigned_token(target):
    token = target.oidc.id_token("mallory")
    target.refused({target.oidc.host: reassemble(token, signature="")}, BAD_SIGNATURE)


def test_alg_none(target):
    token = target.oidc.id_token("mallory")
    forged = reassemble(token, header={"alg": "none", "typ": "JWT"}, signature="")
    target.refused({target.oidc.host: forged}, BAD_SIGNATURE)


def test_hs256_signed_with_the_public_key(target):
    token = target.oidc.id_token("mallory")
    jwks = httpx.get(target.oidc.jwks_uri).json()
    rsa_jwk = next(k for k in jwks["keys"] if k["kty"] == "RSA")
    public_pem = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(rsa_jwk)).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": rsa_jwk.get("kid")}).encode())
    body = token.split(".")[1]
    signature = b64(hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest())
    target.refused({target.oidc.host: f"{head}.{body}.{signature}"}, BAD_SIGNATURE)


def test_unknown_kid(target):
    token = target.oidc.id_token("mallory")
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = SigningKey.generate("not-published").sign(claims)
    target.refused({target.oidc.host: forged}, BAD_SIGNATURE)


def test_bad_signature(target):
    token = target.oidc.id_token("mallory")
    other = target.oidc.id_token("trent")
    target.refused({target.oidc.host: reassemble(token, signature=other.split(".")[2])}, BAD_SIGNATURE)


def test_tampered_payload(target):
    token = target.oidc.id_token("mallory")
    claims = json.loads(unb64(token.split(".")[1]))
    claims["sub"] = "alice"
    target.refused({target.oidc.host: reassemble(token, payload=claims)}, BAD_SIGNATURE)


def test_expired(target):
    now = time.time()
    token = target.fake.mint(now=now - 7200, lifetime=3600, aud="qa-desk", sub="old")
    target.refused({target.fake.logins_key: token}, starts="Invalid login token. Token expired: ")


def test_not_yet_valid(target):
    now = time.time()
    token = target.fake.mint(now=now, aud="qa-desk", sub="early", nbf=int(now) + 3600)
    target.refused({target.fake.logins_key: token})


def test_wrong_issuer(target, other_oidc_idp):
    token = other_oidc_idp.id_token("mallory")
    target.refused({target.oidc.host: token}, WRONG_ISSUER)


def test_wrong_audience(target):
    token = target.oidc.id_token("mallory", client_id="other-app")
    target.refused({target.oidc.host: token}, NOT_SUPPORTED)


def test_valid_token_of_a_provider_not_attached(target, other_oidc_idp):
    target.refused({other_oidc_idp.host: other_oidc_idp.id_token("mallory")}, NOT_SUPPORTED)


def test_saml_modified_assertion(target, saml_idp):
    response = base64.b64decode(saml_idp.saml_response("mallory")).decode()
    forged = response.replace("mallory", "alice")
    assert forged != response
    target.refused({target.saml_arn: base64.b64encode(forged.encode()).decode()}, starts="Invalid login token.")


def test_saml_signed_by_another_key(target, other_saml_idp):
    target.refused({target.saml_arn: other_saml_idp.saml_response("mallory")}, starts="Invalid login token.")


def test_saml_garbage(target):
    target.refused({target.saml_arn: "bm90IHhtbA=="}, starts="Invalid login token.")


def test_expired_saml_assertion(tmp_path, saml_idp):
    running = start_service(tmp_path / "data")
    try:
        ci, iam = make_client(running, "cognito-identity"), make_client(running, "iam")
        arn = iam.create_saml_provider(Name="corp", SAMLMetadataDocument=saml_idp.metadata_xml())["SAMLProviderArn"]
        pool_id = ci.create_identity_pool(IdentityPoolName="saml", AllowUnauthenticatedIdentities=False,
                                          SamlProviderARNs=[arn])["IdentityPoolId"]
        response = saml_idp.saml_response("mallory")
        running.clock.advance(2 * 3600)  # only unsigned calls until the clock is put back
        try:
            with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
                ci.get_id(IdentityPoolId=pool_id, Logins={arn: response})
        finally:
            running.clock.advance(-2 * 3600)
        assert aws_error(exc)[1].startswith("Invalid login token.")
        assert ci.list_identities(IdentityPoolId=pool_id, MaxResults=10)["Identities"] == []
    finally:
        running.thread.stop()
