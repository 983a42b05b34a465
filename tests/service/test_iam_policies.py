"""Managed policies, attachments, role updates and tags of the running service, driven by boto3 and the AWS
CLI over a real socket: every operation's shapes, AWS's error codes and messages, and that a refused request
changes nothing."""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]}
READ = {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}
WRITE = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}
S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(call, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def new_role(iam, **kwargs) -> str:
    name = unique("role")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **kwargs)
    return name


def new_policy(iam, document=READ, **kwargs) -> dict:
    return iam.create_policy(PolicyName=unique("pol"), PolicyDocument=json.dumps(document), **kwargs)["Policy"]


def test_create_get_and_read_a_policy_version(iam, service):
    name = unique("pol")
    created = iam.create_policy(PolicyName=name, Path="/app/", Description="photos",
                                PolicyDocument=json.dumps(READ), Tags=[{"Key": "team", "Value": "qa"}])["Policy"]
    assert created["Arn"] == f"arn:aws:iam::{service.account_id}:policy/app/{name}"
    assert re.fullmatch(r"ANPA[A-Z0-9]{17}", created["PolicyId"])
    assert (created["DefaultVersionId"], created["AttachmentCount"], created["IsAttachable"]) == ("v1", 0, True)
    fetched = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert fetched["Description"] == "photos" and fetched["Tags"] == [{"Key": "team", "Value": "qa"}]
    assert fetched["CreateDate"] == fetched["UpdateDate"] == created["CreateDate"]
    version = iam.get_policy_version(PolicyArn=created["Arn"], VersionId="v1")["PolicyVersion"]
    assert (version["Document"], version["VersionId"], version["IsDefaultVersion"]) == (READ, "v1", True)


def test_policy_documents_travel_url_encoded(iam):
    seen: list[bytes] = []
    iam.meta.events.register("before-parse.iam.GetPolicyVersion",
                             lambda response_dict, **_: seen.append(response_dict["body"]))
    document = json.dumps(READ, indent=2)
    arn = iam.create_policy(PolicyName=unique("pol"), PolicyDocument=document)["Policy"]["Arn"]
    iam.get_policy_version(PolicyArn=arn, VersionId="v1")
    raw = re.search(rb"<Document>(.*)</Document>", seen[0]).group(1).decode()
    assert raw == urllib.parse.quote(document, safe="")


def test_duplicate_policy_name(iam):
    policy = new_policy(iam)
    assert error_of(iam.create_policy, PolicyName=policy["PolicyName"].upper(), PolicyDocument=json.dumps(READ)) == (
        "EntityAlreadyExists",
        f"A policy called {policy['PolicyName'].upper()} already exists. Duplicate names are not allowed.", 409)


@pytest.mark.parametrize(("document", "message"), [
    ("{", "This policy contains invalid Json"),
    ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
    (json.dumps({"Version": "2013-01-01", "Statement": READ["Statement"]}), "The policy failed legacy parsing"),
    (json.dumps({"Statement": [{**READ["Statement"][0], "Principal": "*"}]}),
     "Policy document should not specify a principal."),
    (json.dumps({"Statement": [{**READ["Statement"][0], "Effect": "Maybe"}]}), "Syntax errors in policy."),
])
def test_malformed_policy_documents(iam, document, message):
    name = unique("bad")
    assert error_of(iam.create_policy, PolicyName=name, PolicyDocument=document) == (
        "MalformedPolicyDocument", message, 400)
    assert name not in {p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]}
    role = new_role(iam)
    assert error_of(iam.put_role_policy, RoleName=role, PolicyName="p", PolicyDocument=document)[0] == \
        "MalformedPolicyDocument"


def test_policy_size_quota(iam):
    huge = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                           "Resource": [f"arn:aws:s3:::bucket/{i:04d}-{'x' * 40}" for i in range(120)]}]}
    assert error_of(iam.create_policy, PolicyName=unique("big"), PolicyDocument=json.dumps(huge)) == (
        "LimitExceeded", "Cannot exceed quota for PolicySize: 6144", 409)


def test_versions_default_switch_limit_and_delete_rules(iam):
    arn = new_policy(iam)["Arn"]
    v2 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(WRITE))["PolicyVersion"]
    assert (v2["VersionId"], v2["IsDefaultVersion"]) == ("v2", False)
    assert "Document" not in v2
    v3 = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(WRITE), SetAsDefault=True)
    assert v3["PolicyVersion"]["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v3"
    for _ in range(2):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ))
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [
        ("v5", False), ("v4", False), ("v3", True), ("v2", False), ("v1", False)]
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument=json.dumps(READ)) == (
        "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must "
                         "delete an existing version.", 409)
    assert error_of(iam.delete_policy_version, PolicyArn=arn, VersionId="v3") == (
        "DeleteConflict", "Cannot delete the default version of a policy.", 409)
    assert error_of(iam.set_default_policy_version, PolicyArn=arn, VersionId="v9") == (
        "NoSuchEntity", f"Policy {arn} version v9 does not exist or is not attachable.", 404)
    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(READ))["PolicyVersion"][
        "VersionId"] == "v6"  # version ids are never reused
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == WRITE
    page = iam.list_policy_versions(PolicyArn=arn, MaxItems=2)
    assert [v["VersionId"] for v in page["Versions"]] == ["v6", "v5"] and page["IsTruncated"]
    rest = iam.list_policy_versions(PolicyArn=arn, Marker=page["Marker"])["Versions"]
    assert [v["VersionId"] for v in rest] == ["v4", "v3", "v2"]

    assert error_of(iam.delete_policy, PolicyArn=arn)[:2] == ("DeleteConflict", (
        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. "
        "The default version is deleted with the policy."))
    for version in ("v6", "v5", "v4", "v3"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.delete_policy(PolicyArn=arn)
    assert error_of(iam.get_policy, PolicyArn=arn) == ("NoSuchEntity", f"Policy {arn} was not found.", 404)
    assert error_of(iam.get_policy_version, PolicyArn=arn, VersionId="v2")[0] == "NoSuchEntity"


def test_attach_list_detach_and_delete_conflicts(iam, service):
    role = new_role(iam)
    policy = new_policy(iam)
    iam.attach_role_policy(RoleName=role, PolicyArn=policy["Arn"])
    iam.attach_role_policy(RoleName=role, PolicyArn=S3_READ_ONLY)
    iam.attach_role_policy(RoleName=role, PolicyArn=policy["Arn"])  # attaching twice is not an error
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert sorted((p["PolicyName"], p["PolicyArn"]) for p in attached) == sorted([
        (policy["PolicyName"], policy["Arn"]), ("AmazonS3ReadOnlyAccess", S3_READ_ONLY)])
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 1
    entities = iam.list_entities_for_policy(PolicyArn=policy["Arn"])
    role_id = iam.get_role(RoleName=role)["Role"]["RoleId"]
    assert entities["PolicyRoles"] == [{"RoleName": role, "RoleId": role_id}]
    assert entities["PolicyUsers"] == [] and entities["PolicyGroups"] == []
    assert iam.list_entities_for_policy(PolicyArn=policy["Arn"], EntityFilter="User")["PolicyRoles"] == []

    assert error_of(iam.delete_role, RoleName=role) == (
        "DeleteConflict", "Cannot delete entity, must detach all policies first.", 409)
    assert error_of(iam.delete_policy, PolicyArn=policy["Arn"]) == (
        "DeleteConflict", "Cannot delete a policy attached to entities.", 409)
    assert iam.get_role(RoleName=role)["Role"]["RoleName"] == role

    iam.detach_role_policy(RoleName=role, PolicyArn=policy["Arn"])
    assert error_of(iam.detach_role_policy, RoleName=role, PolicyArn=policy["Arn"]) == (
        "NoSuchEntity", f"Policy {policy['Arn']} was not found.", 404)
    iam.detach_role_policy(RoleName=role, PolicyArn=S3_READ_ONLY)
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    iam.delete_policy(PolicyArn=policy["Arn"])
    iam.delete_role(RoleName=role)


def test_attach_errors(iam, service):
    role = new_role(iam)
    missing = f"arn:aws:iam::{service.account_id}:policy/no-such-policy"
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn=missing) == (
        "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn="arn:aws:iam::aws:policy/NotAPolicy")[0] == \
        "NoSuchEntity"
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn="arn:aws:s3:::not-a-policy-arn") == (
        "InvalidInput", "ARN arn:aws:s3:::not-a-policy-arn is not valid.", 400)
    assert error_of(iam.attach_role_policy, RoleName="no-such-role", PolicyArn=S3_READ_ONLY) == (
        "NoSuchEntity", "The role with name no-such-role cannot be found.", 404)
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []


def test_ten_managed_policies_per_role(iam):
    role = new_role(iam)
    arns = [new_policy(iam)["Arn"] for _ in range(11)]
    for arn in arns[:10]:
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    assert error_of(iam.attach_role_policy, RoleName=role, PolicyArn=arns[10]) == (
        "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", 409)
    pages = iam.get_paginator("list_attached_role_policies").paginate(
        RoleName=role, PaginationConfig={"PageSize": 3})
    assert sorted(p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]) == sorted(arns[:10])


def test_aws_managed_policies_are_built_in_and_read_only(iam):
    policy = iam.get_policy(PolicyArn=S3_READ_ONLY)["Policy"]
    assert (policy["PolicyName"], policy["Path"], policy["DefaultVersionId"]) == ("AmazonS3ReadOnlyAccess", "/", "v1")
    document = iam.get_policy_version(PolicyArn=S3_READ_ONLY, VersionId="v1")["PolicyVersion"]["Document"]
    assert "s3:Get*" in document["Statement"][0]["Action"]
    aws_names = {p["PolicyName"] for p in iam.get_paginator("list_policies").paginate(Scope="AWS")
                 .build_full_result()["Policies"]}
    assert {"AmazonCognitoReadOnly", "AmazonS3ReadOnlyAccess"} <= aws_names
    for call, kwargs in [(iam.delete_policy, {}), (iam.create_policy_version, {"PolicyDocument": json.dumps(READ)}),
                         (iam.delete_policy_version, {"VersionId": "v1"})]:
        assert error_of(call, PolicyArn=S3_READ_ONLY, **kwargs) == (
            "AccessDenied", "Policy is outside your own account.", 403)


def test_list_policies_scope_path_attached_and_paging(iam):
    path = f"/{unique('scope')}/"
    made = sorted((new_policy(iam, Path=path) for _ in range(4)), key=lambda p: p["PolicyName"])
    local = iam.list_policies(Scope="Local", PathPrefix=path)["Policies"]
    assert [p["PolicyName"] for p in local] == [p["PolicyName"] for p in made]
    assert all("Description" not in p and "Tags" not in p for p in local)
    assert iam.list_policies(Scope="AWS", PathPrefix=path)["Policies"] == []
    role = new_role(iam)
    iam.attach_role_policy(RoleName=role, PolicyArn=made[2]["Arn"])
    attached = iam.list_policies(Scope="Local", PathPrefix=path, OnlyAttached=True)["Policies"]
    assert [(p["Arn"], p["AttachmentCount"]) for p in attached] == [(made[2]["Arn"], 1)]
    pages = iam.get_paginator("list_policies").paginate(Scope="Local", PathPrefix=path,
                                                        PaginationConfig={"PageSize": 3})
    assert [p["Arn"] for page in pages for p in page["Policies"]] == [p["Arn"] for p in made]


def test_update_role_and_description(iam):
    role = new_role(iam, Description="before")
    iam.update_role(RoleName=role, Description="after", MaxSessionDuration=7200)
    got = iam.get_role(RoleName=role)["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("after", 7200)
    answered = iam.update_role_description(RoleName=role, Description="again")["Role"]
    assert (answered["RoleName"], answered["Description"], answered["MaxSessionDuration"]) == (role, "again", 7200)
    assert error_of(iam.update_role, RoleName="no-such-role", Description="x")[0] == "NoSuchEntity"
    profiles = iam.list_instance_profiles_for_role(RoleName=role)
    assert (profiles["InstanceProfiles"], profiles["IsTruncated"]) == ([], False)
    assert error_of(iam.list_instance_profiles_for_role, RoleName="no-such-role")[0] == "NoSuchEntity"


def test_role_duration_validated_by_the_model(aws_client):
    iam = aws_client("iam", config=Config(parameter_validation=False))
    role = new_role(iam)
    assert error_of(iam.update_role, RoleName=role, MaxSessionDuration=100) == (
        "ValidationError", "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy "
                           "constraint: Member must have value greater than or equal to 3600", 400)
    assert iam.get_role(RoleName=role)["Role"]["MaxSessionDuration"] == 3600


def test_role_tags(iam):
    role = new_role(iam, Tags=[{"Key": "team", "Value": "qa"}])
    iam.tag_role(RoleName=role, Tags=[{"Key": "Team", "Value": "dev"}, {"Key": "env", "Value": "lab"}])
    tags = [{"Key": "Team", "Value": "dev"}, {"Key": "env", "Value": "lab"}]
    assert iam.list_role_tags(RoleName=role)["Tags"] == tags
    page = iam.list_role_tags(RoleName=role, MaxItems=1)
    assert page["Tags"] == [{"Key": "Team", "Value": "dev"}] and page["IsTruncated"]
    assert iam.list_role_tags(RoleName=role, Marker=page["Marker"])["Tags"] == [{"Key": "env", "Value": "lab"}]
    iam.untag_role(RoleName=role, TagKeys=["TEAM", "absent"])
    assert iam.get_role(RoleName=role)["Role"]["Tags"] == [{"Key": "env", "Value": "lab"}]
    assert error_of(iam.tag_role, RoleName=role, Tags=[{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]) == (
        "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(40)]
    iam.tag_role(RoleName=role, Tags=many)
    assert error_of(iam.tag_role, RoleName=role, Tags=[{"Key": f"m{i}", "Value": "v"} for i in range(10)]) == (
        "LimitExceeded", "Cannot exceed quota for TagsPerRole: 50", 409)
    assert len(iam.list_role_tags(RoleName=role)["Tags"]) == 41
    assert error_of(iam.list_role_tags, RoleName="no-such-role")[0] == "NoSuchEntity"


def test_policy_and_provider_tags(iam, service):
    arn = new_policy(iam)["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "owner", "Value": "me"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "owner", "Value": "me"}]
    iam.untag_policy(PolicyArn=arn, TagKeys=["owner"])
    assert "Tags" not in iam.get_policy(PolicyArn=arn)["Policy"]
    assert error_of(iam.tag_policy, PolicyArn=S3_READ_ONLY, Tags=[{"Key": "a", "Value": "b"}])[0] == "AccessDenied"

    oidc = iam.create_open_id_connect_provider(Url=f"https://{unique('idp')}.example.com",
                                               ClientIDList=["app"])["OpenIDConnectProviderArn"]
    iam.tag_open_id_connect_provider(OpenIDConnectProviderArn=oidc, Tags=[{"Key": "k", "Value": "v"}])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=oidc)["Tags"] == [{"Key": "k", "Value": "v"}]
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=oidc)["Tags"] == [{"Key": "k", "Value": "v"}]
    iam.untag_open_id_connect_provider(OpenIDConnectProviderArn=oidc, TagKeys=["k"])
    assert iam.list_open_id_connect_provider_tags(OpenIDConnectProviderArn=oidc)["Tags"] == []
    missing = f"arn:aws:iam::{service.account_id}:oidc-provider/nowhere.example.com"
    assert error_of(iam.tag_open_id_connect_provider, OpenIDConnectProviderArn=missing,
                    Tags=[{"Key": "k", "Value": "v"}]) == (
        "NoSuchEntity", f"OpenIDConnect Provider not found for arn {missing}", 404)
    missing_saml = f"arn:aws:iam::{service.account_id}:saml-provider/nowhere"
    assert error_of(iam.list_saml_provider_tags, SAMLProviderArn=missing_saml) == (
        "NoSuchEntity", f"Manifest not found for arn {missing_saml}", 404)


def test_aws_cli_managed_policy_round_trip(aws_cli, tmp_path):
    role = unique("cli")
    aws_cli("iam", "create-role", "--role-name", role, "--assume-role-policy-document", json.dumps(TRUST))
    document = tmp_path / "policy.json"
    document.write_text(json.dumps(READ, indent=4))
    created = aws_cli("iam", "create-policy", "--policy-name", unique("clipol"),
                      "--policy-document", f"file://{document}").json["Policy"]
    aws_cli("iam", "attach-role-policy", "--role-name", role, "--policy-arn", created["Arn"])
    attached = aws_cli("iam", "list-attached-role-policies", "--role-name", role).json["AttachedPolicies"]
    assert attached == [{"PolicyName": created["PolicyName"], "PolicyArn": created["Arn"]}]
    version = aws_cli("iam", "get-policy-version", "--policy-arn", created["Arn"], "--version-id", "v1").json
    assert version["PolicyVersion"]["Document"] == READ
    aws_cli("iam", "tag-role", "--role-name", role, "--tags", "Key=team,Value=qa")
    assert aws_cli("iam", "list-role-tags", "--role-name", role).json["Tags"] == [{"Key": "team", "Value": "qa"}]
    refused = aws_cli("iam", "delete-role", "--role-name", role, check=False)
    assert "An error occurred (DeleteConflict) when calling the DeleteRole operation: Cannot delete entity, " \
           "must detach all policies first." in refused.stderr
    aws_cli("iam", "detach-role-policy", "--role-name", role, "--policy-arn", created["Arn"])
    aws_cli("iam", "delete-role", "--role-name", role)
    aws_cli("iam", "delete-policy", "--policy-arn", created["Arn"])


def test_vended_credentials_may_not_manage_policies(aws_client, make_pool, service):
    pool = make_pool(roles=("unauthenticated",))
    identity = aws_client("cognito-identity")
    identity_id = identity.get_id(IdentityPoolId=pool.id)["IdentityId"]
    credentials = identity.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
    keys = {"aws_access_key_id": credentials["AccessKeyId"], "aws_secret_access_key": credentials["SecretKey"],
            "aws_session_token": credentials["SessionToken"]}
    session, caller = aws_client("iam", **keys), aws_client("sts", **keys).get_caller_identity()["Arn"]
    account = f"arn:aws:iam::{service.account_id}"
    refused = f"User: {caller} is not authorized to perform: iam:"
    role_name = pool.roles["unauthenticated"].rsplit("/", 1)[-1]
    assert error_of(session.attach_role_policy, RoleName=role_name, PolicyArn=S3_READ_ONLY) == (
        "AccessDenied", f"{refused}AttachRolePolicy on resource: {account}:role/{role_name}", 403)
    assert error_of(session.create_policy, PolicyName="mine", PolicyDocument=json.dumps(READ)) == (
        "AccessDenied", f"{refused}CreatePolicy on resource: {account}:policy/mine", 403)
    assert error_of(session.get_policy, PolicyArn=S3_READ_ONLY) == (
        "AccessDenied", f"{refused}GetPolicy on resource: {S3_READ_ONLY}", 403)
    assert aws_client("iam").list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []


def test_refused_policy_requests_change_nothing(iam, aws_client):
    arn = new_policy(iam)["Arn"]
    assert error_of(iam.create_policy_version, PolicyArn=arn, PolicyDocument="{")[0] == "MalformedPolicyDocument"
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v1"]
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"] == READ
    unchecked = aws_client("iam", config=Config(parameter_validation=False))
    assert error_of(unchecked.list_policies, Scope="Everything") == (
        "ValidationError", "1 validation error detected: Value 'Everything' at 'scope' failed to satisfy constraint: "
                           "Member must satisfy enum value set: [All, AWS, Local]", 400)
    assert error_of(unchecked.get_policy_version, PolicyArn=arn, VersionId="version-1")[0] == "ValidationError"
