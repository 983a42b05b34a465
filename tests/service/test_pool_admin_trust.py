"""A role made with the standard Cognito trust policy lets a real guest of the pool sign in (embedded service)."""

from __future__ import annotations

import json

import pytest
from support import aws_error

from cognito_desk.admin.trust import cognito_trust_policy


@pytest.mark.parametrize("tag_session", [True, False])
def test_guest_signs_in_through_a_role_with_the_standard_trust_policy(aws_client, make_pool, service, tag_session):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    pool = make_pool(roles=())
    name = f"trust-{tag_session}-{pool.id.split(':')[1][:12]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
        cognito_trust_policy(pool.id, "unauthenticated", tag_session)))["Role"]["Arn"]
    ci.set_identity_pool_roles(IdentityPoolId=pool.id, Roles={"unauthenticated": arn})
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    credentials = ci.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
    sts = aws_client("sts", aws_access_key_id=credentials["AccessKeyId"],
                     aws_secret_access_key=credentials["SecretKey"], aws_session_token=credentials["SessionToken"])
    assert sts.get_caller_identity()["Arn"] == (
        f"arn:aws:sts::{service.account_id}:assumed-role/{name}/CognitoIdentityCredentials")


def test_authenticated_policy_refuses_guests(aws_client, make_pool):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    pool = make_pool(roles=())
    arn = iam.create_role(RoleName=f"trust-auth-{pool.id.split(':')[1][:12]}", AssumeRolePolicyDocument=json.dumps(
        cognito_trust_policy(pool.id, "authenticated")))["Role"]["Arn"]
    ci.set_identity_pool_roles(IdentityPoolId=pool.id, Roles={"unauthenticated": arn})
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException) as excinfo:
        ci.get_credentials_for_identity(IdentityId=identity_id)
    assert aws_error(excinfo)[0] == "InvalidIdentityPoolConfigurationException"
