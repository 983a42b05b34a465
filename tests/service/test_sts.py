"""STS of the running service: AssumeRoleWithWebIdentity with its own Cognito tokens, GetCallerIdentity.

Tokens come from the service's cognito-identity API (GetId + GetOpenIdToken for guests,
GetOpenIdTokenForDeveloperIdentity for tagged sessions); everything goes over a real socket.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid

import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import ec

COGNITO = "cognito-identity.amazonaws.com"
NOT_AUTHORIZED = "Not authorized to perform sts:AssumeRoleWithWebIdentity"


def error_of(call, *args, **kwargs) -> tuple[dict, int]:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return response["Error"], response["ResponseMetadata"]["HTTPStatusCode"]


def trust(pool_id: str, amr: str = "unauthenticated", actions=("sts:AssumeRoleWithWebIdentity",)) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": COGNITO}, "Action": list(actions),
        "Condition": {"StringEquals": {f"{COGNITO}:aud": pool_id},
                      "ForAnyValue:StringLike": {f"{COGNITO}:amr": amr}}}]})


@pytest.fixture
def identity(aws_client):
    return aws_client("cognito-identity")


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


@pytest.fixture
def sts(aws_client):
    return aws_client("sts")


@pytest.fixture
def anonymous_sts(aws_client):
    return aws_client("sts", config=Config(signature_version=UNSIGNED))


@pytest.fixture
def pool(identity):
    return identity.create_identity_pool(IdentityPoolName=f"sts{uuid.uuid4().hex[:8]}",
                                         AllowUnauthenticatedIdentities=True,
                                         DeveloperProviderName="login.cognitodesk.test")["IdentityPoolId"]


def guest_token(identity, pool_id: str) -> tuple[str, str]:
    identity_id = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    return identity_id, identity.get_open_id_token(IdentityId=identity_id)["Token"]


def make_role(iam, policy: str, **kwargs) -> dict:
    return iam.create_role(RoleName=f"sts-{uuid.uuid4().hex[:12]}", AssumeRolePolicyDocument=policy,
                           **kwargs)["Role"]


def test_get_caller_identity_admin(sts, aws_cli, service):
    caller = sts.get_caller_identity()
    assert (caller["UserId"], caller["Account"], caller["Arn"]) == (
        service.account_id, service.account_id, f"arn:aws:iam::{service.account_id}:root")
    assert aws_cli("sts", "get-caller-identity").json["Arn"] == caller["Arn"]


def test_guest_basic_flow(identity, iam, anonymous_sts, aws_client, service, pool):
    role = make_role(iam, trust(pool))
    identity_id, token = guest_token(identity, pool)
    before = time.time()
    result = anonymous_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="guest-session",
                                                         WebIdentityToken=token)
    credentials = result["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z0-9]{16}", credentials["AccessKeyId"])
    assert len(credentials["SecretAccessKey"]) == 40
    assert len(credentials["SessionToken"]) >= 100
    assert before + 3600 - 2 <= credentials["Expiration"].timestamp() <= time.time() + 3600 + 1
    assert result["SubjectFromWebIdentityToken"] == identity_id
    assert result["AssumedRoleUser"] == {
        "AssumedRoleId": f"{role['RoleId']}:guest-session",
        "Arn": f"arn:aws:sts::{service.account_id}:assumed-role/{role['RoleName']}/guest-session"}
    assert (result["Provider"], result["Audience"]) == (COGNITO, pool)
    assert "PackedPolicySize" not in result

    session = aws_client("sts", aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretAccessKey"],
                         aws_session_token=credentials["SessionToken"])
    caller = session.get_caller_identity()
    assert (caller["UserId"], caller["Account"], caller["Arn"]) == (
        f"{role['RoleId']}:guest-session", service.account_id, result["AssumedRoleUser"]["Arn"])


def test_aws_cli_assume_role_with_web_identity(identity, iam, aws_cli, pool):
    role = make_role(iam, trust(pool), MaxSessionDuration=7200)
    _, token = guest_token(identity, pool)
    done = aws_cli("sts", "assume-role-with-web-identity", "--role-arn", role["Arn"], "--role-session-name",
                   "cli", "--web-identity-token", token, "--duration-seconds", "7200")
    assert done.returncode == 0, done.stderr
    assert done.json["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:cli"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|\+00:00)", done.json["Credentials"]["Expiration"])


@pytest.fixture
def vended(identity, iam, anonymous_sts, pool):
    role = make_role(iam, trust(pool))
    _, token = guest_token(identity, pool)
    return role, anonymous_sts.assume_role_with_web_identity(
        RoleArn=role["Arn"], RoleSessionName="s1", WebIdentityToken=token, DurationSeconds=900)["Credentials"]


def session_client(aws_client, name, credentials, **overrides):
    keys = {"aws_access_key_id": credentials["AccessKeyId"],
            "aws_secret_access_key": credentials["SecretAccessKey"],
            "aws_session_token": credentials["SessionToken"], **overrides}
    return aws_client(name, **keys)


def test_duration_seconds(vended):
    _, credentials = vended
    assert abs(credentials["Expiration"].timestamp() - (time.time() + 900)) <= 2


def test_vended_credentials_are_not_iam_admins(vended, aws_client, service):
    role, credentials = vended
    session_iam = session_client(aws_client, "iam", credentials)
    error, status = error_of(session_iam.get_role, RoleName=role["RoleName"])
    assert (error["Code"], status) == ("AccessDenied", 403)
    assert error["Message"] == (
        f"User: arn:aws:sts::{service.account_id}:assumed-role/{role['RoleName']}/s1 is not authorized to "
        f"perform: iam:GetRole on resource: arn:aws:iam::{service.account_id}:role/{role['RoleName']}")


def test_tampered_vended_credentials(vended, aws_client):
    _, credentials = vended
    secret = credentials["SecretAccessKey"]
    tampered = session_client(aws_client, "sts", credentials, aws_secret_access_key=secret[:-1] + "A" if
                              secret[-1] != "A" else secret[:-1] + "B")
    error, status = error_of(tampered.get_caller_identity)
    assert (error["Code"], status) == ("SignatureDoesNotMatch", 403)
    wrong_token = session_client(aws_client, "sts", credentials, aws_session_token="not-the-token")
    error, status = error_of(wrong_token.get_caller_identity)
    assert (error["Code"], error["Message"], status) == (
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403)


def test_expired_vended_credentials(identity, iam, anonymous_sts, aws_client, service, pool):
    role = make_role(iam, trust(pool))
    service.clock.advance(-7200)
    try:
        _, token = guest_token(identity, pool)
        credentials = anonymous_sts.assume_role_with_web_identity(
            RoleArn=role["Arn"], RoleSessionName="old", WebIdentityToken=token,
            DurationSeconds=900)["Credentials"]
    finally:
        service.clock.advance(7200)
    error, status = error_of(session_client(aws_client, "sts", credentials).get_caller_identity)
    assert (error["Code"], error["Message"], status) == (
        "ExpiredToken", "The security token included in the request is expired", 400)


def test_expired_web_identity_token(identity, iam, anonymous_sts, service, pool):
    role = make_role(iam, trust(pool))
    service.clock.advance(-1200)
    try:
        _, token = guest_token(identity, pool)
    finally:
        service.clock.advance(1200)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=role["Arn"],
                             RoleSessionName="late", WebIdentityToken=token)
    assert (error["Code"], status) == ("ExpiredTokenException", 400)
    expired = r"Token expired: current date/time (\d+) must be before the expiration date/time(\d+)"
    match = re.fullmatch(expired, error["Message"])
    assert match and int(match.group(2)) == expires and abs(int(match.group(1)) - time.time()) <= 5


def test_unknown_issuer_and_bad_tokens(identity, iam, anonymous_sts, pool):
    role = make_role(iam, trust(pool))
    foreign = jwt.encode({"iss": "https://idp.example.com", "sub": "u", "aud": "a", "exp": time.time() + 600},
                         ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")
    _, token = guest_token(identity, pool)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged_payload = base64.urlsafe_b64encode(json.dumps({**claims, "aud": "eu-west-1:other"}).encode())
    forged = ".".join([header, forged_payload.decode().rstrip("="), signature])
    cases = [
        (foreign, "Couldn't retrieve verification key from your identity provider, please reference "
                  "AssumeRoleWithWebIdentity documentation for requirements"),
        ("not-a-jwt-at-all",
         "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"),
        (forged, "The web identity token that was passed could not be validated by AWS. Get a new identity "
                 "token from the identity provider and then retry the request."),
    ]
    for web_token, message in cases:
        error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=role["Arn"],
                                 RoleSessionName="x1", WebIdentityToken=web_token)
        assert (error["Code"], error["Message"], status) == ("InvalidIdentityToken", message, 400)


def test_role_refusals(identity, iam, anonymous_sts, service, pool):
    _, token = guest_token(identity, pool)
    missing = f"arn:aws:iam::{service.account_id}:role/no-such-role"
    other_pool = make_role(iam, trust("eu-west-1:00000000-0000-0000-0000-000000000000"))
    authenticated_only = make_role(iam, trust(pool, amr="authenticated"))
    for arn in (missing, other_pool["Arn"], authenticated_only["Arn"]):
        error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=arn,
                                 RoleSessionName="x1", WebIdentityToken=token)
        assert (error["Code"], error["Message"], status) == ("AccessDenied", NOT_AUTHORIZED, 403)
    error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn="x" * 20,
                             RoleSessionName="x1", WebIdentityToken=token)
    assert (error["Code"], error["Message"], status) == ("ValidationError", f"{'x' * 20} is invalid", 400)


def test_duration_over_role_maximum(identity, iam, anonymous_sts, pool):
    role = make_role(iam, trust(pool))
    _, token = guest_token(identity, pool)
    error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=role["Arn"],
                             RoleSessionName="long", WebIdentityToken=token, DurationSeconds=3601)
    assert (error["Code"], error["Message"], status) == (
        "ValidationError",
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.", 400)


def developer_token(identity, pool_id: str) -> str:
    return identity.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={"login.cognitodesk.test": f"user-{uuid.uuid4().hex[:8]}"},
        PrincipalTags={"department": "qa"})["Token"]


def test_session_tags_need_tag_session(identity, iam, anonymous_sts, aws_client, pool):
    token = developer_token(identity, pool)
    assert jwt.decode(token, options={"verify_signature": False})["https://aws.amazon.com/tags"] == {
        "principal_tags": {"department": ["qa"]}}
    without = make_role(iam, trust(pool, amr="authenticated"))
    error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=without["Arn"],
                             RoleSessionName="tagged", WebIdentityToken=token)
    assert (error["Code"], error["Message"], status) == (
        "AccessDenied", "Not authorized to perform sts:TagSession", 403)

    with_tags = make_role(iam, trust(pool, amr="authenticated",
                                     actions=("sts:AssumeRoleWithWebIdentity", "sts:TagSession")))
    result = anonymous_sts.assume_role_with_web_identity(RoleArn=with_tags["Arn"], RoleSessionName="tagged",
                                                         WebIdentityToken=token)
    assert 0 < result["PackedPolicySize"] <= 100
    caller = session_client(aws_client, "sts", result["Credentials"]).get_caller_identity()
    assert caller["UserId"] == f"{with_tags['RoleId']}:tagged"
