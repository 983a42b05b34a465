"""The JSON 1.1 wire format over a real socket: error bodies, headers, auth failures, hostile input."""

from __future__ import annotations

import json

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TARGET = "AWSCognitoIdentityService."
JSON = "application/x-amz-json-1.1"


def post(service, operation: str | None, body: bytes | str, *, sign: bool = True, secret: str | None = None,
         target: str | None = None) -> httpx.Response:
    headers = {"Content-Type": JSON}
    if target or operation:
        headers["X-Amz-Target"] = target or TARGET + operation
    data = body.encode() if isinstance(body, str) else body
    if sign:
        request = AWSRequest(method="POST", url=service.url + "/", data=data, headers=headers)
        SigV4Auth(Credentials(service.access_key_id, secret or service.secret_access_key),
                  "cognito-identity", service.region).add_auth(request)
        headers = dict(request.headers.items())
    return httpx.post(service.url + "/", content=data, headers=headers, timeout=30)


def assert_error(response: httpx.Response, code: str, message: str | None = None, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == JSON
    body = response.json()
    assert body["__type"] == code
    assert response.headers["x-amzn-ErrorType"] == f"{code}:"
    assert response.headers["x-amzn-RequestId"]
    assert response.headers["access-control-allow-origin"] == "*"
    if message is not None:
        assert body["message"] == message
    assert "Traceback" not in response.text
    return body


def test_success_shape_and_epoch_timestamps(service, make_pool):
    pool = make_pool()
    identity = post(service, "GetId", json.dumps({"IdentityPoolId": pool.id}), sign=False)
    assert identity.status_code == 200 and identity.headers["content-type"] == JSON
    identity_id = identity.json()["IdentityId"]
    described = post(service, "DescribeIdentity", json.dumps({"IdentityId": identity_id})).json()
    assert isinstance(described["CreationDate"], (int, float))
    creds = post(service, "GetCredentialsForIdentity", json.dumps({"IdentityId": identity_id}), sign=False).json()
    assert isinstance(creds["Credentials"]["Expiration"], (int, float))
    assert set(creds["Credentials"]) == {"AccessKeyId", "SecretKey", "SessionToken", "Expiration"}


def test_unknown_operation(service):
    assert_error(post(service, "StealEverything", "{}"), "UnknownOperationException")
    assert_error(post(service, None, "{}", target="AWSCognitoIdentityProviderService.ListUserPools"),
                 "UnknownOperationException")


@pytest.mark.parametrize("body, message", [
    (b'{"IdentityPoolId": "us-east-1:1', "Unexpected end-of-input in request body"),
    (b"not json at all", None),
    (b"\x00\x01\x02", None),
    (b"\xff\xfe{}", None),
])
def test_malformed_bodies_are_serialization_errors(service, body, message):
    assert_error(post(service, "DescribeIdentityPool", body), "SerializationException", message)


@pytest.mark.parametrize("payload, message", [
    ({"IdentityPoolId": ["us-east-1:1"]}, "Start of list found where not expected"),
    ({"IdentityPoolId": {"a": 1}}, "Start of structure or map found where not expected."),
    ({"IdentityPoolId": 12}, "NUMBER_VALUE can not be converted to a String"),
    ([1, 2], "Start of list found where not expected"),
])
def test_wrong_json_types(service, payload, message):
    assert_error(post(service, "DescribeIdentityPool", json.dumps(payload)), "SerializationException", message)


def test_wrong_type_in_a_public_operation(service):
    body = json.dumps({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000",
                       "Logins": {"accounts.google.com": ["not", "a", "string"]}})
    assert_error(post(service, "GetId", body, sign=False), "SerializationException",
                 "Start of list found where not expected")


def test_huge_strings_and_nul_bytes_are_validation_errors(service):
    huge = post(service, "CreateIdentityPool", json.dumps({"IdentityPoolName": "x" * 1_000_000,
                                                           "AllowUnauthenticatedIdentities": True}))
    body = assert_error(huge, "ValidationException")
    assert len(huge.content) < 2000 and "less than or equal to 128" in body["message"]
    nul = post(service, "CreateIdentityPool", json.dumps({"IdentityPoolName": "bad\u0000name",
                                                          "AllowUnauthenticatedIdentities": True}))
    assert "regular expression pattern" in assert_error(nul, "ValidationException")["message"]


def test_missing_required_member(service):
    body = assert_error(post(service, "CreateIdentityPool", "{}"), "ValidationException")
    assert body["message"].startswith("2 validation errors detected: ")
    assert "Value null at 'identityPoolName' failed to satisfy constraint: Member must not be null" in body["message"]


def test_service_keeps_serving_after_abuse(service):
    for body in (b"{" * 100_000, b"[" * 50_000 + b"]" * 50_000, b'{"a":' * 10_000):
        response = post(service, "ListIdentityPools", body)
        assert 400 <= response.status_code < 500 and response.json()["__type"] == "SerializationException"
    healthy = post(service, "ListIdentityPools", json.dumps({"MaxResults": 1}))
    assert healthy.status_code == 200


def test_admin_operation_without_signature(service):
    assert_error(post(service, "ListIdentityPools", json.dumps({"MaxResults": 5}), sign=False),
                 "MissingAuthenticationTokenException", "Missing Authentication Token", status=403)


def test_admin_operation_with_a_wrong_secret(service):
    response = post(service, "ListIdentityPools", json.dumps({"MaxResults": 5}), secret="wrong" * 8)
    body = assert_error(response, "InvalidSignatureException", status=403)
    assert body["message"].startswith("The request signature we calculated does not match")


def test_admin_operation_with_an_unknown_key(service):
    request = AWSRequest(method="POST", url=service.url + "/", data=b'{"MaxResults": 5}',
                         headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "ListIdentityPools"})
    SigV4Auth(Credentials("AKIAUNKNOWNKEY000000", "secret"), "cognito-identity", service.region).add_auth(request)
    response = httpx.post(service.url + "/", content=request.body, headers=dict(request.headers.items()))
    assert_error(response, "UnrecognizedClientException", "The security token included in the request is invalid.")


def test_stale_signature(service):
    request = AWSRequest(method="POST", url=service.url + "/", data=b'{"MaxResults": 5}',
                         headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "ListIdentityPools"})
    SigV4Auth(Credentials(service.access_key_id, service.secret_access_key), "cognito-identity",
              service.region).add_auth(request)
    headers = dict(request.headers.items())
    old = "20200101T000000Z"
    headers["X-Amz-Date"] = old
    headers["Authorization"] = headers["Authorization"].replace(headers["Authorization"].split("/")[1], "20200101")
    response = httpx.post(service.url + "/", content=request.body, headers=headers)
    body = assert_error(response, "InvalidSignatureException", status=403)
    assert body["message"].startswith("Signature expired: 20200101T000000Z is now earlier than")


def test_public_operations_ignore_a_signature(service, make_pool):
    pool = make_pool()
    signed = post(service, "GetId", json.dumps({"IdentityPoolId": pool.id}), secret="not-the-secret")
    assert signed.status_code == 200


def test_vended_credentials_are_not_admins(service, make_pool):
    pool = make_pool()
    identity_id = post(service, "GetId", json.dumps({"IdentityPoolId": pool.id}), sign=False).json()["IdentityId"]
    creds = post(service, "GetCredentialsForIdentity", json.dumps({"IdentityId": identity_id}),
                 sign=False).json()["Credentials"]
    request = AWSRequest(method="POST", url=service.url + "/", data=b'{"MaxResults": 5}',
                         headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "ListIdentityPools"})
    SigV4Auth(Credentials(creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"]), "cognito-identity",
              service.region).add_auth(request)
    response = httpx.post(service.url + "/", content=request.body, headers=dict(request.headers.items()))
    body = assert_error(response, "AccessDeniedException")
    assert "is not authorized to perform: cognito-identity:ListIdentityPools" in body["message"]


def test_cors_preflight(service):
    response = httpx.options(service.url + "/", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent"})
    assert response.status_code == 200
    allowed = response.headers["access-control-allow-headers"]
    for header in ("content-type", "x-amz-target", "x-amz-user-agent", "authorization", "x-amz-security-token"):
        assert header in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


def test_openid_discovery_verifies_the_service_tokens(service, make_pool):
    import jwt

    pool = make_pool()
    identity_id = post(service, "GetId", json.dumps({"IdentityPoolId": pool.id}), sign=False).json()["IdentityId"]
    token = post(service, "GetOpenIdToken", json.dumps({"IdentityId": identity_id}), sign=False).json()["Token"]
    discovery = httpx.get(service.url + "/.well-known/openid-configuration").json()
    assert discovery["id_token_signing_alg_values_supported"] == ["RS512"]
    signing_key = jwt.PyJWKClient(discovery["jwks_uri"]).get_signing_key_from_jwt(token)
    claims = jwt.decode(token, signing_key.key, algorithms=["RS512"], audience=pool.id,
                        issuer=discovery["issuer"])
    assert claims["sub"] == identity_id


def test_model_status_codes_switch(tmp_path):
    from support import Clock, RunningService

    from cognito_desk.service.context import ServiceSettings
    from cognito_desk.service.server import ServiceThread

    thread = ServiceThread(tmp_path, ServiceSettings(model_status_codes=True)).start()
    try:
        running = RunningService(thread, Clock())
        response = post(running, "DescribeIdentityPool",
                        json.dumps({"IdentityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000"}))
        assert_error(response, "ResourceNotFoundException", status=404)
    finally:
        thread.stop()
