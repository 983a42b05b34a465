"""Guest sign-in end to end with boto3: GetId → GetCredentialsForIdentity / GetOpenIdToken → STS."""

from __future__ import annotations

import time

import boto3
import jwt
import pytest
from support import aws_error, trust_policy

IIPC = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


def sts_with(service, credentials):
    return boto3.session.Session().client(
        "sts", endpoint_url=service.url, region_name=service.region,
        aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretKey"],
        aws_session_token=credentials["SessionToken"])


def test_guest_gets_credentials_for_the_unauthenticated_role(make_pool, aws_client, service):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    assert identity_id.startswith(f"{service.region}:")
    answer = ci.get_credentials_for_identity(IdentityId=identity_id)
    creds = answer["Credentials"]
    assert answer["IdentityId"] == identity_id
    assert creds["AccessKeyId"].startswith("ASIA") and len(creds["AccessKeyId"]) == 20
    remaining = creds["Expiration"].timestamp() - time.time()
    assert 3590 < remaining <= 3600
    caller = sts_with(service, creds).get_caller_identity()
    role_name = pool.roles["unauthenticated"].rsplit("/", 1)[1]
    assert caller["Arn"] == f"arn:aws:sts::{service.account_id}:assumed-role/{role_name}/CognitoIdentityCredentials"
    assert caller["Account"] == service.account_id
    assert caller["UserId"].endswith(":CognitoIdentityCredentials")


def test_every_get_id_makes_a_new_guest(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    ids = {ci.get_id(IdentityPoolId=pool.id)["IdentityId"] for _ in range(3)}
    assert len(ids) == 3
    listed = ci.list_identities(IdentityPoolId=pool.id, MaxResults=10)["Identities"]
    assert {i["IdentityId"] for i in listed} == ids
    assert all("Logins" not in i for i in listed)


def test_pool_without_guests_refuses_them(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    pool = make_pool(AllowUnauthenticatedIdentities=False)
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_id(IdentityPoolId=pool.id)
    assert aws_error(exc)[1] == "Unauthenticated access is not supported for this identity pool."
    assert ci.list_identities(IdentityPoolId=pool.id, MaxResults=10)["Identities"] == []


def test_guests_refused_after_the_pool_stops_allowing_them(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    ci.update_identity_pool(IdentityPoolId=pool.id, IdentityPoolName="closed", AllowUnauthenticatedIdentities=False)
    for call in (ci.get_credentials_for_identity, ci.get_open_id_token):
        with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
            call(IdentityId=identity_id)
        assert aws_error(exc)[1] == "Unauthenticated access is not supported for this identity pool."


def test_missing_role_is_an_invalid_configuration(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    pool = make_pool(roles=())
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException) as exc:
        ci.get_credentials_for_identity(IdentityId=identity_id)
    assert aws_error(exc)[1] == IIPC


def test_role_that_does_not_exist_in_iam(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    pool = make_pool(roles=())
    ci.set_identity_pool_roles(IdentityPoolId=pool.id,
                               Roles={"unauthenticated": "arn:aws:iam::000000000000:role/never-created"})
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException) as exc:
        ci.get_credentials_for_identity(IdentityId=identity_id)
    assert "does not exist" in exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-cognito-desk-notes"]


@pytest.mark.parametrize("policy_change", ["other-pool", "authenticated-only", "assume-role", "typo", "deny"])
def test_trust_policy_refusals_are_invalid_configuration(make_pool, aws_client, policy_change):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    pool = make_pool()
    role_name = pool.roles["unauthenticated"].rsplit("/", 1)[1]
    policy = trust_policy(pool.id, "unauthenticated")
    policy = {
        "other-pool": policy.replace(pool.id, "us-east-1:11111111-1111-1111-1111-111111111111"),
        "authenticated-only": trust_policy(pool.id, "authenticated"),
        "assume-role": policy.replace("sts:AssumeRoleWithWebIdentity", "sts:AssumeRole"),
        "typo": policy.replace("cognito-identity.amazonaws.com:amr", "cognito-identity.amazon.com:amr"),
        "deny": policy.replace("]}", ', {"Effect": "Deny", "Principal": {"Federated": '
                               '"cognito-identity.amazonaws.com"}, "Action": "sts:*"}]}'),
    }[policy_change]
    iam.update_assume_role_policy(RoleName=role_name, PolicyDocument=policy)
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException) as exc:
        ci.get_credentials_for_identity(IdentityId=identity_id)
    assert aws_error(exc)[1] == IIPC
    assert "trust=denied" in exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-cognito-desk-notes"]


def test_guest_open_id_token_and_basic_flow(make_pool, aws_client, service):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
    token = ci.get_open_id_token(IdentityId=identity_id)["Token"]
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header["alg"] == "RS512" and header["kid"] == f"{service.region}1"
    assert claims["iss"] == "https://cognito-identity.amazonaws.com"
    assert claims["sub"] == identity_id and claims["aud"] == pool.id
    assert claims["amr"] == ["unauthenticated"]
    assert claims["exp"] - claims["iat"] == 600
    sts = boto3.session.Session().client("sts", endpoint_url=service.url, region_name=service.region,
                                         aws_access_key_id="unused", aws_secret_access_key="unused")
    assumed = sts.assume_role_with_web_identity(RoleArn=pool.roles["unauthenticated"], RoleSessionName="basic",
                                                WebIdentityToken=token)
    assert assumed["SubjectFromWebIdentityToken"] == identity_id
    caller = sts_with(service, {**assumed["Credentials"], "SecretKey": assumed["Credentials"]["SecretAccessKey"]})
    assert caller.get_caller_identity()["Arn"].endswith("/basic")


def test_classic_flow_switch(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    for setting, allowed in ((None, True), (True, True), (False, False)):
        extra = {} if setting is None else {"AllowClassicFlow": setting}
        pool = make_pool(**extra)
        identity_id = ci.get_id(IdentityPoolId=pool.id)["IdentityId"]
        if allowed:
            assert ci.get_open_id_token(IdentityId=identity_id)["IdentityId"] == identity_id
        else:
            with pytest.raises(ci.exceptions.InvalidParameterException) as exc:
                ci.get_open_id_token(IdentityId=identity_id)
            assert aws_error(exc)[1] == "Basic (classic) flow is not enabled, please use enhanced flow."


def test_unknown_identity(aws_client):
    ci = aws_client("cognito-identity")
    missing = "us-east-1:22222222-2222-2222-2222-222222222222"
    for call in (ci.get_credentials_for_identity, ci.get_open_id_token, ci.describe_identity):
        with pytest.raises(ci.exceptions.ResourceNotFoundException) as exc:
            call(IdentityId=missing)
        assert aws_error(exc)[1] == f"Identity '{missing}' not found."


def test_bad_or_unconfigured_provider_logins_store_nothing(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    pool = make_pool(SupportedLoginProviders={"accounts.google.com": "client"})
    with pytest.raises(ci.exceptions.NotAuthorizedException):
        ci.get_id(IdentityPoolId=pool.id, Logins={"accounts.google.com": "a.b.c"})
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_id(IdentityPoolId=pool.id, Logins={"graph.facebook.com": "token"})
    assert aws_error(exc)[1] == "Token is not from a supported provider of this identity pool."
    assert ci.list_identities(IdentityPoolId=pool.id, MaxResults=10)["Identities"] == []


def test_identity_admin_describe_list_delete(make_pool, aws_client):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    ids = [ci.get_id(IdentityPoolId=pool.id)["IdentityId"] for _ in range(5)]
    described = ci.describe_identity(IdentityId=ids[0])
    assert described["IdentityId"] == ids[0]
    assert abs(described["CreationDate"].timestamp() - time.time()) < 60
    page = ci.list_identities(IdentityPoolId=pool.id, MaxResults=2)
    assert len(page["Identities"]) == 2 and page["NextToken"]
    rest = ci.list_identities(IdentityPoolId=pool.id, MaxResults=60, NextToken=page["NextToken"])
    assert [i["IdentityId"] for i in page["Identities"] + rest["Identities"]] == ids
    assert "NextToken" not in rest
    deleted = ci.delete_identities(IdentityIdsToDelete=[*ids[:2], "us-east-1:33333333-3333-3333-3333-333333333333"])
    assert deleted["UnprocessedIdentityIds"] == []
    remaining = ci.list_identities(IdentityPoolId=pool.id, MaxResults=60)["Identities"]
    assert [i["IdentityId"] for i in remaining] == ids[2:]
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.get_credentials_for_identity(IdentityId=ids[0])
