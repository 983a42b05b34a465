"""STS of the running service: AssumeRoleWithWebIdentity with its own Cognito tokens and with tokens of IAM
OIDC providers, GetCallerIdentity.

Cognito tokens come from the service's cognito-identity API (GetId + GetOpenIdToken for guests,
GetOpenIdTokenForDeveloperIdentity for tagged sessions); OIDC tokens from :class:`Issuer`, a local OpenID
provider on 127.0.0.1 registered with IAM CreateOpenIDConnectProvider; everything goes over a real socket.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import RSAAlgorithm
from support import changed_tail

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
    tampered = session_client(aws_client, "sts", credentials, aws_secret_access_key=changed_tail(secret))
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


# --- IAM OpenID Connect providers -----------------------------------------------------------------------


class Issuer:
    """A local OpenID provider: discovery and JWKS over http on 127.0.0.1, RS256 tokens minted here."""

    def __init__(self, path: str = "") -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = uuid.uuid4().hex
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}{path}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                documents = {
                    "/.well-known/openid-configuration": {
                        "issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks", "id_token_signing_alg_values_supported":
                            ["RS256"], "subject_types_supported": ["public"], "response_types_supported": ["id_token"]},
                    "/jwks": {"keys": [{**json.loads(RSAAlgorithm.to_jwk(issuer.key.public_key())),
                                        "kid": issuer.kid, "use": "sig", "alg": "RS256"}]},
                }
                document = documents.get(self.path.removeprefix(urlsplit(issuer.url).path))
                body = json.dumps(document).encode()
                self.send_response(200 if document else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def token(self, *, key=None, **claims) -> str:
        now = int(time.time())
        payload = {"iss": self.url, "sub": "user-1", "aud": "qa-app", "iat": now, "exp": now + 600, **claims}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def issuer():
    running = Issuer("/tenant/qa")
    yield running
    running.close()


@pytest.fixture
def oidc_provider(aws_client, issuer):
    """The module issuer registered as an IAM OIDC provider (client ids qa-app, second-app) for one test."""
    iam = aws_client("iam")
    arn = iam.create_open_id_connect_provider(Url=issuer.url, ClientIDList=["qa-app", "second-app"])[
        "OpenIDConnectProviderArn"]
    yield arn
    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def oidc_trust(arn: str, conditions: dict, actions=("sts:AssumeRoleWithWebIdentity",)) -> str:
    statement = {"Effect": "Allow", "Principal": {"Federated": arn}, "Action": list(actions)}
    if conditions:
        statement["Condition"] = {"StringEquals": conditions}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_oidc_provider_token(iam, anonymous_sts, aws_client, issuer, oidc_provider, service):
    key = issuer.url.removeprefix("http://")
    assert oidc_provider == f"arn:aws:iam::{service.account_id}:oidc-provider/{key}"
    role = make_role(iam, oidc_trust(oidc_provider, {f"{key}:aud": "qa-app", f"{key}:sub": "user-1"}))
    result = anonymous_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="oidc",
                                                         WebIdentityToken=issuer.token())
    assert (result["Provider"], result["Audience"], result["SubjectFromWebIdentityToken"]) == (
        oidc_provider, "qa-app", "user-1")
    assert "PackedPolicySize" not in result
    caller = session_client(aws_client, "sts", result["Credentials"]).get_caller_identity()
    assert caller["Arn"] == f"arn:aws:sts::{service.account_id}:assumed-role/{role['RoleName']}/oidc"


def test_oidc_trust_conditions(iam, anonymous_sts, issuer, oidc_provider):
    key = issuer.url.removeprefix("http://")
    token = issuer.token(sub="user-2", aud=["api", "second-app"], azp="second-app")
    azp_role = make_role(iam, oidc_trust(oidc_provider, {f"{key}:aud": "second-app", f"{key}:azp": "second-app"}))
    result = anonymous_sts.assume_role_with_web_identity(RoleArn=azp_role["Arn"], RoleSessionName="azp",
                                                         WebIdentityToken=token)
    assert (result["Audience"], result["SubjectFromWebIdentityToken"]) == ("second-app", "user-2")
    list_audience = issuer.token(aud=["api", "second-app"])
    aud_role = make_role(iam, oidc_trust(oidc_provider, {f"{key}:aud": "second-app"}))
    assert anonymous_sts.assume_role_with_web_identity(RoleArn=aud_role["Arn"], RoleSessionName="aud",
                                                       WebIdentityToken=list_audience)["Audience"] == "second-app"
    refusing = [
        oidc_trust(oidc_provider, {f"{key}:sub": "someone-else"}),
        oidc_trust(oidc_provider, {f"{key}:aud": "api"}),
        oidc_trust(oidc_provider.replace("/tenant/qa", "/tenant/other"), {}),
        trust("eu-west-1:00000000-0000-0000-0000-000000000000"),
    ]
    for policy in refusing:
        error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=make_role(iam, policy)["Arn"],
                                 RoleSessionName="no", WebIdentityToken=token)
        assert (error["Code"], error["Message"], status) == ("AccessDenied", NOT_AUTHORIZED, 403)


def test_oidc_session_tags(iam, anonymous_sts, issuer, oidc_provider):
    token = issuer.token(**{"https://aws.amazon.com/tags": {"principal_tags": {"team": ["qa"]}}})
    without = make_role(iam, oidc_trust(oidc_provider, {}))
    error, _ = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=without["Arn"],
                        RoleSessionName="tags", WebIdentityToken=token)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Not authorized to perform sts:TagSession")
    tagged = make_role(iam, oidc_trust(oidc_provider, {}, actions=("sts:AssumeRoleWithWebIdentity",
                                                                   "sts:TagSession")))
    result = anonymous_sts.assume_role_with_web_identity(RoleArn=tagged["Arn"], RoleSessionName="tags",
                                                         WebIdentityToken=token)
    assert 0 < result["PackedPolicySize"] <= 100


def test_oidc_token_refusals(iam, anonymous_sts, issuer, oidc_provider):
    role = make_role(iam, oidc_trust(oidc_provider, {}))
    not_validated = ("The web identity token that was passed could not be validated by AWS. Get a new identity "
                     "token from the identity provider and then retry the request.")
    cases = [
        (issuer.token(aud="not-registered"), "Incorrect token audience"),
        (issuer.token(azp="not-registered", aud="qa-app"), "Incorrect token audience"),
        (issuer.token(key=rsa.generate_private_key(public_exponent=65537, key_size=2048)), not_validated),
        (issuer.token(sub=None), not_validated),
    ]
    for token, message in cases:
        error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=role["Arn"],
                                 RoleSessionName="x1", WebIdentityToken=token)
        assert (error["Code"], error["Message"], status) == ("InvalidIdentityToken", message, 400)


def test_expired_oidc_token(iam, anonymous_sts, issuer, oidc_provider):
    role = make_role(iam, oidc_trust(oidc_provider, {}))
    expires = int(time.time()) - 900
    error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=role["Arn"],
                             RoleSessionName="late", WebIdentityToken=issuer.token(exp=expires, iat=expires - 60))
    assert (error["Code"], status) == ("ExpiredTokenException", 400)
    match = re.fullmatch(r"Token expired: current date/time (\d+) must be before the expiration date/time(\d+)",
                         error["Message"])
    assert match and int(match.group(2)) == expires and abs(int(match.group(1)) - time.time()) <= 5


def test_unregistered_or_deleted_oidc_provider(iam, anonymous_sts, aws_client):
    unregistered = Issuer()
    try:
        token = unregistered.token()
        arn = iam.create_open_id_connect_provider(Url=unregistered.url, ClientIDList=["qa-app"])[
            "OpenIDConnectProviderArn"]
        role = make_role(iam, oidc_trust(arn, {}))
        assert anonymous_sts.assume_role_with_web_identity(RoleArn=role["Arn"], RoleSessionName="ok",
                                                           WebIdentityToken=token)["Provider"] == arn
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
        error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=role["Arn"],
                                 RoleSessionName="gone", WebIdentityToken=token)
        assert (error["Code"], error["Message"], status) == (
            "InvalidIdentityToken", "Couldn't retrieve verification key from your identity provider, please "
            "reference AssumeRoleWithWebIdentity documentation for requirements", 400)
    finally:
        unregistered.close()


def test_unreachable_oidc_provider(iam, anonymous_sts):
    gone = Issuer()
    gone.close()
    token = gone.token()
    arn = iam.create_open_id_connect_provider(Url=gone.url, ClientIDList=["qa-app"])["OpenIDConnectProviderArn"]
    try:
        role = make_role(iam, oidc_trust(arn, {}))
        error, status = error_of(anonymous_sts.assume_role_with_web_identity, RoleArn=role["Arn"],
                                 RoleSessionName="down", WebIdentityToken=token)
        assert (error["Code"], error["Message"], status) == (
            "IDPCommunicationError", "The request could not be fulfilled because the identity provider (IDP) that "
            "was asked to verify the incoming identity token could not be reached.", 400)
    finally:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
