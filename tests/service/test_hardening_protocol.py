"""Issue 10 §2 (nested policies), §4 (SigV4 as AWS enforces it), §5 (notes, discovery), §6 (health, purge), §8."""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import urlencode

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from support import aws_error, make_client, start_service, trust_policy, until

from cognito_desk.service.server import is_loopback_host

TARGET = "AWSCognitoIdentityService."
JSON = "application/x-amz-json-1.1"
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def signed(service, body: bytes, headers: dict, *, signing_name: str = "cognito-identity") -> dict:
    """Headers of ``body`` signed with the admin key, as botocore signs them."""
    request = AWSRequest(method="POST", url=service.url + "/", data=body, headers=headers)
    SigV4Auth(Credentials(service.access_key_id, service.secret_access_key), signing_name,
              service.region).add_auth(request)
    return dict(request.headers.items())


def deep(levels: int) -> str:
    return "[" * levels + "]" * levels


# --- §4 SigV4 -------------------------------------------------------------------------------------


def test_a_signature_without_the_target_cannot_be_replayed_as_another_operation(service, make_pool):
    pool = make_pool(roles=())
    body = json.dumps({"IdentityPoolId": pool.id}).encode()
    # Signed as DescribeIdentityPool with X-Amz-Target left out of SignedHeaders …
    headers = signed(service, body, {"Content-Type": JSON})
    headers["X-Amz-Target"] = TARGET + "DeleteIdentityPool"  # … then replayed as a delete.
    response = httpx.post(service.url + "/", content=body, headers=headers)
    assert response.status_code == 403
    assert response.json() == {"__type": "InvalidSignatureException", "message": "There were headers present in the "
                               "request which were not signed: x-amz-target"}
    ci = make_client(service, "cognito-identity")
    assert ci.describe_identity_pool(IdentityPoolId=pool.id)["IdentityPoolId"] == pool.id  # still there


def test_unsigned_payload_cannot_carry_another_body(service, make_pool):
    pool = make_pool(roles=())
    listed = json.dumps({"MaxResults": 10}).encode()
    headers = signed(service, listed, {"Content-Type": JSON, "X-Amz-Target": TARGET + "ListIdentityPools",
                                       "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    for target, body in ((TARGET + "ListIdentityPools", listed),
                         (TARGET + "DeleteIdentityPool", json.dumps({"IdentityPoolId": pool.id}).encode())):
        response = httpx.post(service.url + "/", content=body, headers={**headers, "X-Amz-Target": target})
        assert response.status_code == 403 and response.json()["__type"] == "InvalidSignatureException"
    assert make_client(service, "cognito-identity").describe_identity_pool(IdentityPoolId=pool.id)


def test_query_protocol_refuses_unsigned_payload_replays(service):
    listed = b"Action=ListRoles&Version=2010-05-08"
    headers = signed(service, listed, {"Content-Type": FORM, "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"},
                     signing_name="iam")
    created = urlencode({"Action": "CreateRole", "Version": "2010-05-08", "RoleName": "replayed",
                         "AssumeRolePolicyDocument": trust_policy("us-east-1:x")}).encode()
    response = httpx.post(service.url + "/", content=created, headers=headers)
    assert response.status_code == 403 and "<Code>SignatureDoesNotMatch</Code>" in response.text
    iam = make_client(service, "iam")
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="replayed")


def test_every_sdk_still_signs_what_it_must(aws_client):
    """botocore signs x-amz-date, x-amz-target and the body hash: ordinary calls are unaffected."""
    assert "IdentityPools" in aws_client("cognito-identity").list_identity_pools(MaxResults=1)
    assert aws_client("sts").get_caller_identity()["Account"]


# --- §2 nested policies ---------------------------------------------------------------------------


@pytest.mark.parametrize("levels", [1000, 5000])
def test_deeply_nested_policies_are_malformed_not_internal_failures(aws_client, levels):
    iam = aws_client("iam")
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException) as excinfo:
        iam.create_role(RoleName=f"deep-{levels}", AssumeRolePolicyDocument=deep(levels))
    assert aws_error(excinfo) == ("MalformedPolicyDocument", "This policy contains invalid Json")
    iam.create_role(RoleName=f"shallow-{levels}", AssumeRolePolicyDocument=trust_policy("us-east-1:x"))
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.put_role_policy(RoleName=f"shallow-{levels}", PolicyName="p", PolicyDocument=deep(levels))
    nested_statement = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"k": json.loads(deep(900))}}}]})
    with pytest.raises(iam.exceptions.MalformedPolicyDocumentException):
        iam.update_assume_role_policy(RoleName=f"shallow-{levels}", PolicyDocument=nested_statement)


def test_sts_session_policy_nested_deep_is_malformed(service, make_pool):
    pool = make_pool()
    ci = make_client(service, "cognito-identity")
    identity = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    token = ci.get_open_id_token(IdentityId=identity)["Token"]
    response = httpx.post(service.url + "/", data={
        "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": pool.roles["unauthenticated"],
        "RoleSessionName": "session", "WebIdentityToken": token, "Policy": deep(1000)})  # unauthenticated call
    assert response.status_code == 400, response.text
    assert "<Code>MalformedPolicyDocument</Code>" in response.text


def test_a_next_token_nested_deep_is_an_invalid_parameter(aws_client):
    ci = aws_client("cognito-identity")
    with pytest.raises(ci.exceptions.InvalidParameterException):
        ci.list_identity_pools(MaxResults=1, NextToken=base64.urlsafe_b64encode(deep(5000).encode()).decode())


# --- §8 fidelity ----------------------------------------------------------------------------------


def test_get_id_refuses_a_cognito_token(service, make_pool):
    pool = make_pool()
    ci = make_client(service, "cognito-identity")
    identity = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    token = ci.get_open_id_token(IdentityId=identity)["Token"]
    with pytest.raises(ci.exceptions.NotAuthorizedException) as excinfo:
        ci.get_id(IdentityPoolId=pool.id, Logins={"cognito-identity.amazonaws.com": token})
    assert aws_error(excinfo) == ("NotAuthorizedException", "Invalid login token. Can't pass in a Cognito token.")


def test_a_cognito_token_never_merges_another_identity(service, make_pool):
    pool = make_pool(DeveloperProviderName="login.hardening")
    ci = make_client(service, "cognito-identity")
    issued = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool.id, Logins={"login.hardening": "ann"})
    guest = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    logins = {"cognito-identity.amazonaws.com": issued["Token"]}
    for call in (ci.get_credentials_for_identity, ci.get_open_id_token):
        with pytest.raises(ci.exceptions.NotAuthorizedException) as excinfo:
            call(IdentityId=guest, Logins=logins)
        assert aws_error(excinfo)[1].startswith("Logins don't match.")
    assert ci.describe_identity(IdentityId=guest)["IdentityId"] == guest  # not merged away
    assert ci.get_credentials_for_identity(IdentityId=issued["IdentityId"], Logins=logins)["IdentityId"] == \
        issued["IdentityId"]


# --- §5 notes and discovery -----------------------------------------------------------------------


def refused_guest(service, pool_id: str, origin: str | None) -> httpx.Response:
    """GetCredentialsForIdentity that fails with decision notes (no role for guests)."""
    identity = httpx.post(service.url + "/", content=json.dumps({"IdentityPoolId": pool_id}),
                          headers={"Content-Type": JSON, "X-Amz-Target": TARGET + "GetId"}).json()["IdentityId"]
    headers = {"Content-Type": JSON, "X-Amz-Target": TARGET + "GetCredentialsForIdentity"}
    if origin:
        headers["Origin"] = origin
    return httpx.post(service.url + "/", content=json.dumps({"IdentityId": identity}), headers=headers)


def exposed(response: httpx.Response) -> set[str]:
    values = response.headers.get_list("access-control-expose-headers")
    return {name.strip().lower() for value in values for name in value.split(",")}


def test_notes_are_readable_cross_origin_only_by_loopback_and_listed_origins(tmp_path):
    running = start_service(tmp_path / "data", cors_origins=("https://qa.lab.example",))
    try:
        ci, iam = make_client(running, "cognito-identity"), make_client(running, "iam")
        pool_id = ci.create_identity_pool(IdentityPoolName="n", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
        arn = iam.create_role(RoleName="wrong", AssumeRolePolicyDocument=trust_policy("us-east-1:other"))["Role"]["Arn"]
        ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": arn})
        for origin in ("http://localhost:5173", "http://127.0.0.1:8080", "http://[::1]:3000", "https://qa.lab.example",
                       None):
            response = refused_guest(running, pool_id, origin)
            assert "x-cognito-desk-notes" in response.headers  # non-browser callers (the desktop app) get them
            assert ("x-cognito-desk-notes" in exposed(response)) is (origin is not None), origin
        for origin in ("https://evil.example", "http://localhost.evil.example", "null"):
            response = refused_guest(running, pool_id, origin)
            assert "x-cognito-desk-notes" in response.headers
            assert "x-cognito-desk-notes" not in exposed(response)
            assert "x-amzn-requestid" in exposed(response)
    finally:
        running.thread.stop()


def test_notes_can_be_turned_off(tmp_path):
    running = start_service(tmp_path / "data", notes=False)
    try:
        ci, iam = make_client(running, "cognito-identity"), make_client(running, "iam")
        pool_id = ci.create_identity_pool(IdentityPoolName="n", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
        arn = iam.create_role(RoleName="wrong", AssumeRolePolicyDocument=trust_policy("us-east-1:other"))["Role"]["Arn"]
        ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": arn})
        response = refused_guest(running, pool_id, "http://localhost:1")
        assert response.json()["__type"] == "InvalidIdentityPoolConfigurationException"
        assert "x-cognito-desk-notes" not in response.headers
    finally:
        running.thread.stop()


def test_notes_default_follows_the_interface():
    assert all(map(is_loopback_host, ["127.0.0.1", "127.8.0.1", "localhost", "::1", "[::1]"]))
    assert not any(map(is_loopback_host, ["0.0.0.0", "::", "192.168.1.20", "lab.example"]))


def test_discovery_ignores_the_host_header(service, tmp_path):
    document = httpx.get(service.url + "/.well-known/openid-configuration", headers={"Host": "evil.example"}).json()
    assert document["jwks_uri"] == f"{service.url}/.well-known/jwks_uri"
    running = start_service(tmp_path / "data", public_url="https://identity.lab.example/desk")
    try:
        document = httpx.get(running.url + "/.well-known/openid-configuration",
                             headers={"Host": "evil.example"}).json()
        assert document["jwks_uri"] == "https://identity.lab.example/desk/.well-known/jwks_uri"
        assert document["issuer"] == "https://cognito-identity.amazonaws.com"
    finally:
        running.thread.stop()


# --- §6 health and purge --------------------------------------------------------------------------


def test_health_says_ok_and_nothing_else(service):
    response = httpx.get(service.url + "/health")
    assert response.status_code == 200 and response.content == b'{"status":"ok"}'
    assert not any(name.startswith("x-amz") or name == "x-cognito-desk-notes" for name in response.headers)


def test_expired_credentials_are_purged_while_running(tmp_path):
    running = start_service(tmp_path / "data", purge_interval=0.1)
    try:
        ci, iam = make_client(running, "cognito-identity"), make_client(running, "iam")
        pool_id = ci.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
        arn = iam.create_role(RoleName="guest", AssumeRolePolicyDocument=trust_policy(
            pool_id, "unauthenticated"))["Role"]["Arn"]
        ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": arn})
        for _ in range(5):
            ci.get_credentials_for_identity(IdentityId=ci.get_id(IdentityPoolId=pool_id)["IdentityId"])

        def stored() -> int:
            return running.thread.store.query_one("SELECT count(*) FROM credentials")[0]

        assert stored() == 5
        time.sleep(0.5)
        assert stored() == 5  # nothing expired yet: nothing purged
        running.clock.advance(2 * 3600)
        until(lambda: stored() == 0, 10, "the expired credentials to be purged")
    finally:
        running.thread.stop()
