"""``cognito-desk serve --user-pool-endpoint URL``: a served data directory trusts a local user pool's tokens (moto
server's cognito-idp) by configuration, and a bad URL is refused before anything is opened."""

from __future__ import annotations

import json
import subprocess

import boto3
import pytest
from moto_server import running_moto_server
from test_hardening_serve import CLI, Served

from cognito_desk.admin.trust import cognito_trust_policy

PASSWORD = "Serve-passw0rd!"


def test_a_bad_user_pool_endpoint_is_refused(tmp_path):
    result = subprocess.run([*CLI, "serve", "--port", "0", "--data-dir", str(tmp_path / "data"),
                             "--user-pool-endpoint", "127.0.0.1:5000"], capture_output=True, text=True, timeout=30)
    assert (result.returncode, result.stderr) == (2, "cognito-desk: invalid user pool endpoint '127.0.0.1:5000' "
                                                     "(expected e.g. http://127.0.0.1:5000)\n")
    assert not (tmp_path / "data").exists()


@pytest.fixture
def moto_url():
    with running_moto_server(user_pool=True) as url:
        yield url


def test_serve_trusts_the_user_pools_of_its_user_pool_endpoint(tmp_path, moto_url):
    running = Served(tmp_path / "data", "--user-pool-endpoint", moto_url)
    try:
        idp = boto3.session.Session().client("cognito-idp", endpoint_url=moto_url, region_name="us-east-1",
                                             aws_access_key_id="testing", aws_secret_access_key="testing")
        user_pool = idp.create_user_pool(PoolName="served")["UserPool"]["Id"]
        app = idp.create_user_pool_client(UserPoolId=user_pool, ClientName="app", ExplicitAuthFlows=[
            "ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=user_pool, Username="ann", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=user_pool, Username="ann", Password=PASSWORD, Permanent=True)
        token = idp.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": "ann", "PASSWORD": PASSWORD})["AuthenticationResult"]["IdToken"]
        ci, iam = running.client("cognito-identity"), running.client("iam")
        provider = f"cognito-idp.us-east-1.amazonaws.com/{user_pool}"
        pool_id = ci.create_identity_pool(IdentityPoolName="served", AllowUnauthenticatedIdentities=False,
                                          CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": app}]
                                          )["IdentityPoolId"]
        role = iam.create_role(RoleName="served-auth", AssumeRolePolicyDocument=json.dumps(
            cognito_trust_policy(pool_id, "authenticated")))["Role"]["Arn"]
        ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role})
        identity = ci.get_id(IdentityPoolId=pool_id, Logins={provider: token})["IdentityId"]
        credentials = ci.get_credentials_for_identity(IdentityId=identity, Logins={provider: token})["Credentials"]
        assert credentials["AccessKeyId"]
        tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        with pytest.raises(ci.exceptions.NotAuthorizedException):  # the key really comes from moto's JWKS
            ci.get_id(IdentityPoolId=pool_id, Logins={provider: tampered})
    finally:
        running.stop()
