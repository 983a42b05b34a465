"""Pool administration over a real socket with boto3: CRUD, full-replacement update, paging, roles, tags."""

from __future__ import annotations

import pytest
from botocore.config import Config
from support import aws_error

NO_CLIENT_VALIDATION = Config(parameter_validation=False, retries={"max_attempts": 1})
MISSING = "us-east-1:00000000-0000-0000-0000-000000000000"


@pytest.fixture
def ci(aws_client):
    return aws_client("cognito-identity")


def test_create_describe_round_trip_keeps_every_member(ci):
    created = ci.create_identity_pool(
        IdentityPoolName="QA pool", AllowUnauthenticatedIdentities=False, AllowClassicFlow=True,
        SupportedLoginProviders={"accounts.google.com": "123.apps.googleusercontent.com"},
        DeveloperProviderName="login.example.app",
        OpenIdConnectProviderARNs=["arn:aws:iam::000000000000:oidc-provider/login.example.com"],
        CognitoIdentityProviders=[{"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCd1234",
                                   "ClientId": "abc123", "ServerSideTokenCheck": True}],
        SamlProviderARNs=["arn:aws:iam::000000000000:saml-provider/Corp"],
        IdentityPoolTags={"team": "qa"})
    pool_id = created["IdentityPoolId"]
    assert pool_id.startswith("us-east-1:")
    described = ci.describe_identity_pool(IdentityPoolId=pool_id)
    for member in ("IdentityPoolName", "AllowUnauthenticatedIdentities", "AllowClassicFlow",
                   "SupportedLoginProviders", "DeveloperProviderName", "OpenIdConnectProviderARNs",
                   "CognitoIdentityProviders", "SamlProviderARNs", "IdentityPoolTags"):
        assert described[member] == created[member], member
    assert described["CognitoIdentityProviders"][0]["ServerSideTokenCheck"] is True


def test_allow_classic_flow_is_tri_state(ci):
    unset = ci.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=True)
    assert "AllowClassicFlow" not in ci.describe_identity_pool(IdentityPoolId=unset["IdentityPoolId"])
    off = ci.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=True,
                                  AllowClassicFlow=False)
    assert ci.describe_identity_pool(IdentityPoolId=off["IdentityPoolId"])["AllowClassicFlow"] is False


def test_update_is_full_replacement_and_keeps_tags(ci):
    pool = ci.create_identity_pool(IdentityPoolName="before", AllowUnauthenticatedIdentities=True,
                                   AllowClassicFlow=True, IdentityPoolTags={"k": "v"},
                                   SupportedLoginProviders={"graph.facebook.com": "1234"})
    updated = ci.update_identity_pool(IdentityPoolId=pool["IdentityPoolId"], IdentityPoolName="after",
                                      AllowUnauthenticatedIdentities=False)
    assert updated["IdentityPoolName"] == "after"
    assert updated["AllowUnauthenticatedIdentities"] is False
    assert "SupportedLoginProviders" not in updated and "AllowClassicFlow" not in updated
    assert ci.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])["IdentityPoolTags"] == {"k": "v"}


def test_developer_provider_name_is_immutable(ci):
    pool = ci.create_identity_pool(IdentityPoolName="dev", AllowUnauthenticatedIdentities=False,
                                   DeveloperProviderName="login.one")
    with pytest.raises(ci.exceptions.InvalidParameterException) as exc:
        ci.update_identity_pool(IdentityPoolId=pool["IdentityPoolId"], IdentityPoolName="dev",
                                AllowUnauthenticatedIdentities=False, DeveloperProviderName="login.two")
    assert aws_error(exc)[1] == "DeveloperProviderName cannot be changed once set (it is 'login.one')."
    kept = ci.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    assert (kept["IdentityPoolName"], kept["DeveloperProviderName"]) == ("dev", "login.one")
    ci.update_identity_pool(IdentityPoolId=pool["IdentityPoolId"], IdentityPoolName="dev renamed",
                            AllowUnauthenticatedIdentities=False, DeveloperProviderName="login.one")
    # Left out, it is kept (AWS does, as Terraform's AWS provider relies on: its updates never send it).
    ci.update_identity_pool(IdentityPoolId=pool["IdentityPoolId"], IdentityPoolName="dev again",
                            AllowUnauthenticatedIdentities=False)
    kept = ci.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    assert (kept["IdentityPoolName"], kept["DeveloperProviderName"]) == ("dev again", "login.one")


def test_missing_pool_errors_name_the_pool(ci):
    for call in (lambda: ci.describe_identity_pool(IdentityPoolId=MISSING),
                 lambda: ci.delete_identity_pool(IdentityPoolId=MISSING),
                 lambda: ci.get_identity_pool_roles(IdentityPoolId=MISSING),
                 lambda: ci.get_id(IdentityPoolId=MISSING),
                 lambda: ci.update_identity_pool(IdentityPoolId=MISSING, IdentityPoolName="x",
                                                 AllowUnauthenticatedIdentities=True)):
        with pytest.raises(ci.exceptions.ResourceNotFoundException) as exc:
            call()
        assert aws_error(exc) == ("ResourceNotFoundException", f"IdentityPool '{MISSING}' not found.")
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_delete_pool_removes_it_and_its_identities(ci):
    pool_id = ci.create_identity_pool(IdentityPoolName="gone", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"]
    identity_id = ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    ci.delete_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(ci.exceptions.ResourceNotFoundException) as exc:
        ci.describe_identity(IdentityId=identity_id)
    assert aws_error(exc)[1] == f"Identity '{identity_id}' not found."


def test_list_identity_pools_pages_through_everything(fresh_service):
    from support import make_client

    ci = make_client(fresh_service, "cognito-identity")
    made = [ci.create_identity_pool(IdentityPoolName=f"pool {n}", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"] for n in range(25)]
    first = ci.list_identity_pools(MaxResults=10)
    assert len(first["IdentityPools"]) == 10 and "NextToken" in first
    seen = [p["IdentityPoolId"] for page in ci.get_paginator("list_identity_pools").paginate(
        PaginationConfig={"PageSize": 7}) for p in page["IdentityPools"]]
    assert seen == made
    last = ci.list_identity_pools(MaxResults=60)
    assert "NextToken" not in last and len(last["IdentityPools"]) == 25
    with pytest.raises(ci.exceptions.InvalidParameterException):
        ci.list_identity_pools(MaxResults=10, NextToken="not-a-token")


def test_semantic_checks_on_create(ci):
    cases = [
        ({"SupportedLoginProviders": {"login.example.com": "x"}}, "Invalid login provider 'login.example.com'"),
        ({"OpenIdConnectProviderARNs": ["arn:aws:iam::000000000000:role/not-a-provider"]},
         "Invalid OpenIdConnectProviderARN"),
        ({"CognitoIdentityProviders": [{"ProviderName": "us-east-1_AbCd", "ClientId": "abc"}]},
         "Invalid Cognito Identity Provider name"),
        ({"IdentityPoolTags": {f"k{n}": "v" for n in range(51)}}, "at most 50 tags"),
    ]
    for extra, message in cases:
        with pytest.raises(ci.exceptions.InvalidParameterException) as exc:
            ci.create_identity_pool(IdentityPoolName="bad", AllowUnauthenticatedIdentities=True, **extra)
        assert message in aws_error(exc)[1]


def test_validation_errors_use_aws_wording(aws_client):
    ci = aws_client("cognito-identity", config=NO_CLIENT_VALIDATION)
    with pytest.raises(ci.exceptions.ClientError) as exc:
        ci.describe_identity_pool(IdentityPoolId="us-east-1_AbCdEf")
    assert aws_error(exc) == ("ValidationException", "1 validation error detected: Value 'us-east-1_AbCdEf' at "
                              "'identityPoolId' failed to satisfy constraint: Member must satisfy regular "
                              "expression pattern: [\\w-]+:[0-9a-f-]+")
    with pytest.raises(ci.exceptions.ClientError) as exc:
        ci.create_identity_pool(IdentityPoolName="bad/name" * 20, AllowUnauthenticatedIdentities=True)
    code, message = aws_error(exc)
    assert code == "ValidationException" and message.startswith("2 validation errors detected")


def test_roles_and_mappings_are_stored_exactly_in_order(ci):
    pool_id = ci.create_identity_pool(IdentityPoolName="roles", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"]
    provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCd1234:client1"
    rules = [{"Claim": f"claim{n}", "MatchType": match, "Value": f"v{n}",
              "RoleARN": f"arn:aws:iam::000000000000:role/r{n}"}
             for n, match in enumerate(["Equals", "Contains", "StartsWith", "NotEqual"] * 6)]
    mappings = {provider: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                           "RulesConfiguration": {"Rules": rules}},
                "graph.facebook.com": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}
    roles = {"authenticated": "arn:aws:iam::000000000000:role/auth",
             "unauthenticated": "arn:aws:iam::000000000000:role/unauth"}
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings)
    got = ci.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["Roles"] == roles and got["RoleMappings"] == mappings
    assert [r["Claim"] for r in got["RoleMappings"][provider]["RulesConfiguration"]["Rules"]] == [
        f"claim{n}" for n in range(24)]
    too_many = {provider: {**mappings[provider], "RulesConfiguration": {"Rules": rules + rules[:2]}}}
    with pytest.raises(ci.exceptions.InvalidParameterException) as exc:
        ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=roles, RoleMappings=too_many)
    assert "25" in aws_error(exc)[1]
    assert ci.get_identity_pool_roles(IdentityPoolId=pool_id)["RoleMappings"] == mappings  # unchanged


def test_principal_tag_maps(ci):
    pool_id = ci.create_identity_pool(IdentityPoolName="tags", AllowUnauthenticatedIdentities=True)[
        "IdentityPoolId"]
    provider = "graph.facebook.com"
    unset = ci.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider)
    assert unset["UseDefaults"] is False and unset["PrincipalTags"] == {}
    ci.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                       PrincipalTags={"team": "custom:team"})
    got = ci.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider)
    assert got["PrincipalTags"] == {"team": "custom:team"} and got["UseDefaults"] is False
    echoed = ci.set_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName=provider,
                                                UseDefaults=True)
    assert echoed["UseDefaults"] is True


def test_tags_on_the_pool_arn(ci, service):
    pool_id = ci.create_identity_pool(IdentityPoolName="t", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    arn = f"arn:aws:cognito-identity:{service.region}:{service.account_id}:identitypool/{pool_id}"
    ci.tag_resource(ResourceArn=arn, Tags={"a": "1", "b": "2"})
    ci.tag_resource(ResourceArn=arn, Tags={"b": "3"})
    assert ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"a": "1", "b": "3"}
    ci.untag_resource(ResourceArn=arn, TagKeys=["a", "missing"])
    assert ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "3"}
    assert ci.describe_identity_pool(IdentityPoolId=pool_id)["IdentityPoolTags"] == {"b": "3"}
    with pytest.raises(ci.exceptions.InvalidParameterException):
        ci.tag_resource(ResourceArn=arn, Tags={f"k{n}": "v" for n in range(50)})
    assert ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"b": "3"}
    with pytest.raises(ci.exceptions.InvalidParameterException):
        ci.tag_resource(ResourceArn=arn, Tags={"aws:reserved": "x"})
    with pytest.raises(ci.exceptions.InvalidParameterException):
        ci.list_tags_for_resource(ResourceArn="arn:aws:iam::000000000000:role/x")
    missing_arn = arn.replace(pool_id, MISSING)
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.tag_resource(ResourceArn=missing_arn, Tags={"a": "1"})
