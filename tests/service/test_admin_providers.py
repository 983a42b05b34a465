"""Provider editing against the real embedded service and real IdPs: the providers form round-trips every field,
the OIDC discovery check runs on the real oidc-provider and on broken issuers (wrong issuer, unreachable, no
keys, http on a public host), and SAML metadata from saml-idp is summarised with near-expiry and expired
certificates."""

from __future__ import annotations

import asyncio
import base64
import datetime
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from cognito_desk.admin.pools import PoolEdit
from cognito_desk.admin.provider_checks import check_oidc_discovery, summarize_saml_metadata
from cognito_desk.admin.providers import (
    ProvidersEdit,
    iam_problems,
    oidc_provider_request,
    saml_provider_request,
    user_pool_provider_name,
)
from cognito_desk.core import errors


def described(ci, pool_id: str) -> dict:
    """DescribeIdentityPool as the app's client answers it (boto3 adds ResponseMetadata)."""
    answer = ci.describe_identity_pool(IdentityPoolId=pool_id)
    answer.pop("ResponseMetadata")
    return answer


def run(coroutine):
    async def main():
        async with httpx.AsyncClient() as http:
            return await coroutine(http)
    return asyncio.run(main())


class FakeIssuer:
    """A real loopback HTTP server answering what a (broken) OpenID provider would: ``documents[path] = body``."""

    def __init__(self) -> None:
        self.documents: dict[str, object] = {}
        documents = self.documents

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = documents.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def discovery(self, issuer: str | None = None, keys: list | None = None) -> None:
        self.documents["/.well-known/openid-configuration"] = {
            "issuer": issuer or self.url, "jwks_uri": f"{self.url}/jwks", "token_endpoint": f"{self.url}/token",
            "authorization_endpoint": f"{self.url}/auth", "id_token_signing_alg_values_supported": ["RS256"]}
        self.documents["/jwks"] = {"keys": keys if keys is not None else [{"kty": "RSA", "kid": "k1", "n": "x",
                                                                             "e": "AQAB"}]}

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_issuer():
    issuer = FakeIssuer()
    yield issuer
    issuer.stop()


def test_discovery_of_the_real_oidc_provider(oidc_idp):
    report = run(lambda http: check_oidc_discovery(http, oidc_idp.issuer))
    assert report.ok, report.problems
    assert report.issuer == oidc_idp.issuer
    assert report.endpoints["jwks_uri"] == oidc_idp.jwks_uri
    assert {"authorization_endpoint", "token_endpoint"} <= set(report.endpoints)
    assert {"RS256", "ES256", "PS256"} <= set(report.algorithms)
    assert len(report.key_ids) >= 3 and all("(" in kid for kid in report.key_ids)


def test_a_discovery_document_naming_another_issuer(fake_issuer):
    fake_issuer.discovery(issuer="https://login.example.com")
    report = run(lambda http: check_oidc_discovery(http, fake_issuer.url))
    assert not report.ok
    assert report.problems == [f"The discovery document's issuer is 'https://login.example.com', not "
                               f"'{fake_issuer.url}': tokens would be refused (Issuer doesn't match providerName)."]


def test_an_issuer_without_keys(fake_issuer):
    fake_issuer.discovery(keys=[])
    report = run(lambda http: check_oidc_discovery(http, fake_issuer.url + "/"))
    assert [p for p in report.problems if "no signing keys" in p] and report.issuer == fake_issuer.url


def test_an_unreachable_issuer_and_a_missing_document(fake_issuer):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    report = run(lambda http: check_oidc_discovery(http, closed))
    assert "cannot be fetched: ConnectError" in report.problems[0]
    report = run(lambda http: check_oidc_discovery(http, fake_issuer.url))
    assert report.problems == [f"The discovery document at {fake_issuer.url}/.well-known/openid-configuration "
                               "answered HTTP 404."]
    fake_issuer.documents["/.well-known/openid-configuration"] = "<html>"
    assert "is not JSON" in run(lambda http: check_oidc_discovery(http, fake_issuer.url)).problems[0]


def test_http_on_a_public_host_is_refused_before_any_request():
    report = run(lambda http: check_oidc_discovery(http, "http://login.example.invalid"))
    assert "uses http on a non-loopback host" in report.problems[0]
    assert "not an https:// issuer URL" in run(lambda http: check_oidc_discovery(http, "ftp://x")).problems[0]


def certificate_b64(days: float) -> str:
    """A self-signed certificate (DER, base64) that expires ``days`` from now (negative: already expired)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"expiring in {days} days")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=400))
            .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256()))
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def with_certificate(metadata: str, certificate: str) -> str:
    start = metadata.index("<X509Certificate>") if "<X509Certificate>" in metadata else None
    tag = "X509Certificate" if start is not None else "ds:X509Certificate"
    head, rest = metadata.split(f"<{tag}>", 1)
    return f"{head}<{tag}>{certificate}</{tag}>{rest.split(f'</{tag}>', 1)[1]}"


def test_saml_idp_metadata_summary_and_certificate_expiry(saml_idp):
    metadata = saml_idp.metadata_xml()
    summary = summarize_saml_metadata(metadata, now=time.time())
    assert summary.entity_id == saml_idp.entity_id
    assert summary.sso_endpoints and all(location.startswith(saml_idp.url) for _, location in summary.sso_endpoints)
    assert [c.status for c in summary.certificates] == ["expiring"]  # the test IdP's certificate lasts 10 days
    assert "expires in 9 days" in summary.warnings[0]
    expired = summarize_saml_metadata(with_certificate(metadata, certificate_b64(-3)), now=time.time())
    assert [c.status for c in expired.certificates] == ["expired"] and "expired on" in expired.warnings[0]
    fresh = summarize_saml_metadata(with_certificate(metadata, certificate_b64(365)), now=time.time())
    assert [c.status for c in fresh.certificates] == ["valid"] and fresh.warnings == []
    assert "CN=expiring in 365 days" in fresh.certificates[0].describe()
    with pytest.raises(errors.InvalidInput, match="Could not parse metadata"):
        summarize_saml_metadata("<md:nothing/>", now=time.time())


def test_the_providers_form_round_trips_every_field(service, aws_client, oidc_idp, saml_idp, make_pool):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    oidc_request = oidc_provider_request(oidc_idp.issuer, ["qa-desk", " ", "other-app"], ["a" * 40])
    assert iam_problems("CreateOpenIDConnectProvider", oidc_request) == []
    existing = {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
    oidc_arn = f"arn:aws:iam::{service.account_id}:oidc-provider/{oidc_idp.host}"
    if oidc_arn not in existing:
        iam.create_open_id_connect_provider(**oidc_request)
    saml_request = saml_provider_request(f"corp-{int(time.time() * 1000)}", saml_idp.metadata_xml())
    assert iam_problems("CreateSAMLProvider", saml_request) == []
    saml_arn = iam.create_saml_provider(**saml_request)["SAMLProviderArn"]
    pool = make_pool()
    edit = ProvidersEdit(PoolEdit(described(ci, pool.id)))
    edit.set_social("accounts.google.com", " 123-abc.apps.googleusercontent.com ")
    edit.set_social("graph.facebook.com", "1234567890")
    edit.set_social("www.amazon.com", "amzn1.application-oa2-client.abc")
    edit.set_social("appleid.apple.com", "com.example.app")
    edit.add_user_pool(service.region, f"{service.region}_AbCdEf123", "client1", server_side_token_check=True)
    edit.set_attached("OpenIdConnectProviderARNs", [oidc_arn, oidc_arn])
    edit.set_attached("SamlProviderARNs", [saml_arn])
    edit.set_developer_provider("login.example")
    assert edit.problems() == []
    ci.update_identity_pool(**edit.edit.request)
    reread = ProvidersEdit(PoolEdit(described(ci, pool.id)))
    assert reread.social() == {"accounts.google.com": "123-abc.apps.googleusercontent.com",
                               "graph.facebook.com": "1234567890", "www.amazon.com": "amzn1.application-oa2-client.abc",
                               "appleid.apple.com": "com.example.app"}
    assert reread.user_pools() == [{"ProviderName": f"cognito-idp.{service.region}.amazonaws.com/"
                                                    f"{service.region}_AbCdEf123", "ClientId": "client1",
                                    "ServerSideTokenCheck": True}]
    assert reread.attached("OpenIdConnectProviderARNs") == [oidc_arn]
    assert reread.attached("SamlProviderARNs") == [saml_arn]
    assert reread.developer_provider_read_only
    with pytest.raises(ValueError, match="cannot be changed once set"):
        reread.set_developer_provider("other")
    reread.set_social("graph.facebook.com", "")
    reread.remove_user_pool(0)
    reread.set_attached("SamlProviderARNs", [])
    ci.update_identity_pool(**reread.edit.request)
    final = ci.describe_identity_pool(IdentityPoolId=pool.id)
    assert "graph.facebook.com" not in final["SupportedLoginProviders"]
    assert "CognitoIdentityProviders" not in final or final["CognitoIdentityProviders"] == []
    assert final.get("SamlProviderARNs", []) == [] and final["DeveloperProviderName"] == "login.example"


def test_bad_provider_input_gets_specific_errors(aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    edit = ProvidersEdit(PoolEdit(described(ci, pool.id)))
    with pytest.raises(ValueError, match="not a social provider"):
        edit.set_social("login.example.com", "x")
    with pytest.raises(ValueError, match="not an AWS region"):
        user_pool_provider_name("mars", "us-east-1_abc")
    with pytest.raises(ValueError, match="is in eu-west-1, not us-east-1"):
        user_pool_provider_name("us-east-1", "eu-west-1_abc")
    with pytest.raises(ValueError, match="not a user pool ID"):
        user_pool_provider_name("us-east-1", "abc")
    edit.set_social("accounts.google.com", "bad id with spaces")
    edit.add_user_pool("us-east-1", "us-east-1_abc", "client1")
    edit.add_user_pool("us-east-1", "us-east-1_abc", "client1")
    edit.set_attached("SamlProviderARNs", ["arn:aws:iam::123456789012:oidc-provider/x.example.com"])
    problems = edit.problems()
    assert [p.member for p in problems] == ["SupportedLoginProviders", "SamlProviderARNs"]
    assert "failed to satisfy constraint: Member must satisfy regular expression pattern" in problems[0].detail
    assert problems[1].message == ("InvalidParameterException: Invalid SamlProviderARN: "
                                   "arn:aws:iam::123456789012:oidc-provider/x.example.com")
    edit.set_attached("SamlProviderARNs", [])
    edit.set_social("accounts.google.com", "good")
    assert [p.message for p in edit.problems()] == [
        "InvalidParameterException: Duplicate Cognito Identity Provider cognito-idp.us-east-1.amazonaws.com/"
        "us-east-1_abc with client id client1"]
    with pytest.raises(ci.exceptions.InvalidParameterException) as refused:  # and the service agrees
        ci.update_identity_pool(**edit.edit.request)
    assert "Duplicate Cognito Identity Provider" in str(refused.value)
    assert iam_problems("CreateOpenIDConnectProvider", oidc_provider_request("", [], ["short"]))[0].member in (
        "Url", "ThumbprintList")
