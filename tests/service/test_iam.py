"""The IAM roles subset of the running service, driven by boto3 and the AWS CLI over a real socket."""

from __future__ import annotations

import json
import re
import urllib.parse
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from support import changed_tail

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "eu-west-1:pool"}}}]}
INVALID_JSON = "This policy contains invalid Json"
PERMISSIONS = {"Version": "2012-10-17",
               "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def unique(prefix: str = "role") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def error_of(call, *args, **kwargs) -> tuple[dict, int]:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return response["Error"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_create_and_get_role(iam, service):
    name = unique()
    created = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST),
                              Description="QA guests", Tags=[{"Key": "team", "Value": "qa"}])["Role"]
    assert created["Path"] == "/"
    assert created["Arn"] == f"arn:aws:iam::{service.account_id}:role/{name}"
    assert re.fullmatch(r"AROA[A-Z0-9]{17}", created["RoleId"])
    assert created["MaxSessionDuration"] == 3600
    assert created["AssumeRolePolicyDocument"] == TRUST
    fetched = iam.get_role(RoleName=name.upper())["Role"]
    assert fetched["RoleName"] == name
    assert fetched["RoleId"] == created["RoleId"]
    assert fetched["Description"] == "QA guests"
    assert fetched["Tags"] == [{"Key": "team", "Value": "qa"}]
    assert fetched["CreateDate"] == created["CreateDate"]


def test_path_and_max_session_duration(iam, service):
    name = unique()
    role = iam.create_role(RoleName=name, Path="/apps/qa/", MaxSessionDuration=43200,
                           AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]
    assert role["Arn"] == f"arn:aws:iam::{service.account_id}:role/apps/qa/{name}"
    assert role["MaxSessionDuration"] == 43200


def test_policy_documents_travel_url_encoded(iam):
    name = unique()
    seen: list[bytes] = []
    iam.meta.events.register("before-parse.iam.GetRole",
                             lambda response_dict, **_: seen.append(response_dict["body"]))
    document = json.dumps(TRUST, indent=2)
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=document)
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == TRUST
    raw = re.search(rb"<AssumeRolePolicyDocument>(.*)</AssumeRolePolicyDocument>", seen[0]).group(1).decode()
    assert raw == urllib.parse.quote(document, safe="")
    assert raw.startswith("%7B%0A%20%20%22Version%22%3A")


def test_duplicate_name_is_case_insensitive(iam):
    name = unique("Dup")
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    error, status = error_of(iam.create_role, RoleName=name.lower(),
                             AssumeRolePolicyDocument=json.dumps(TRUST))
    assert (error["Code"], error["Message"], status) == (
        "EntityAlreadyExists", f"Role with name {name.lower()} already exists.", 409)


@pytest.mark.parametrize(("document", "message"), [
    ("{not json", "This policy contains invalid Json"),
    ('["a"]', "This policy contains invalid Json"),
    ('{"Version": "2012-10-17"}', "Syntax errors in policy."),
    (json.dumps({"Statement": [{**TRUST["Statement"][0], "Resource": "*"}]}),
     "Has prohibited field Resource"),
])
def test_malformed_trust_policy(iam, document, message):
    error, status = error_of(iam.create_role, RoleName=unique(), AssumeRolePolicyDocument=document)
    assert (error["Code"], error["Message"], status) == ("MalformedPolicyDocument", message, 400)


def test_role_name_and_duration_constraints(aws_client):
    iam = aws_client("iam", config=Config(parameter_validation=False))
    error, status = error_of(iam.create_role, RoleName="bad name!",
                             AssumeRolePolicyDocument=json.dumps(TRUST), MaxSessionDuration=43201)
    assert (error["Code"], status) == ("ValidationError", 400)
    assert error["Message"] == (
        "2 validation errors detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member "
        "must satisfy regular expression pattern: [\\w+=,.@-]+; Value '43201' at 'maxSessionDuration' failed "
        "to satisfy constraint: Member must have value less than or equal to 43200")


def test_missing_role(iam):
    for call, kwargs in [(iam.get_role, {}), (iam.delete_role, {}), (iam.list_role_policies, {}),
                         (iam.update_assume_role_policy, {"PolicyDocument": json.dumps(TRUST)})]:
        error, status = error_of(call, RoleName="no-such-role", **kwargs)
        assert (error["Code"], error["Message"], status) == (
            "NoSuchEntity", "The role with name no-such-role cannot be found.", 404)


def test_list_roles_pages_and_filters_by_path(iam):
    path = f"/{unique('page')}/"
    names = sorted(unique(f"p{i}") for i in range(5))
    for name in names:
        iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(TRUST))
    first = iam.list_roles(PathPrefix=path, MaxItems=2)
    assert [role["RoleName"] for role in first["Roles"]] == names[:2]
    assert first["IsTruncated"] is True
    second = iam.list_roles(PathPrefix=path, MaxItems=2, Marker=first["Marker"])
    assert [role["RoleName"] for role in second["Roles"]] == names[2:4]
    pages = iam.get_paginator("list_roles").paginate(PathPrefix=path, PaginationConfig={"PageSize": 2})
    assert [role["RoleName"] for page in pages for role in page["Roles"]] == names
    everything = iam.list_roles(PathPrefix=path)
    assert everything["IsTruncated"] is False and "Marker" not in everything
    assert all(role["AssumeRolePolicyDocument"] == TRUST for role in everything["Roles"])


def test_update_assume_role_policy(iam):
    name = unique()
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    changed = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Action": ["sts:AssumeRoleWithWebIdentity",
                                                                            "sts:TagSession"]}]}
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(changed))
    assert iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"] == changed
    error, _ = error_of(iam.update_assume_role_policy, RoleName=name, PolicyDocument="nope")
    assert (error["Code"], error["Message"]) == ("MalformedPolicyDocument", INVALID_JSON)


def test_inline_policies_and_delete_conflict(iam):
    name = unique()
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=json.dumps(PERMISSIONS))
    iam.put_role_policy(RoleName=name, PolicyName="extra", PolicyDocument=json.dumps(PERMISSIONS))
    got = iam.get_role_policy(RoleName=name, PolicyName="read")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == (name, "read", PERMISSIONS)
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == ["extra", "read"]
    page = iam.list_role_policies(RoleName=name, MaxItems=1)
    assert page["PolicyNames"] == ["extra"] and page["IsTruncated"] is True
    assert iam.list_role_policies(RoleName=name, Marker=page["Marker"])["PolicyNames"] == ["read"]

    error, status = error_of(iam.delete_role, RoleName=name)
    assert (error["Code"], error["Message"], status) == (
        "DeleteConflict", "Cannot delete entity, must delete policies first.", 409)
    iam.delete_role_policy(RoleName=name, PolicyName="read")
    iam.delete_role_policy(RoleName=name, PolicyName="extra")
    for call in (iam.get_role_policy, iam.delete_role_policy):
        error, status = error_of(call, RoleName=name, PolicyName="read")
        assert (error["Code"], error["Message"], status) == (
            "NoSuchEntity", "The role policy with name read cannot be found.", 404)
    iam.delete_role(RoleName=name)
    assert error_of(iam.get_role, RoleName=name)[0]["Code"] == "NoSuchEntity"


def test_put_role_policy_rejects_bad_json(iam):
    name = unique()
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    error, _ = error_of(iam.put_role_policy, RoleName=name, PolicyName="p", PolicyDocument="{")
    assert (error["Code"], error["Message"]) == ("MalformedPolicyDocument", INVALID_JSON)


def test_aws_cli_round_trip(aws_cli, tmp_path):
    name = unique("cli")
    trust_file = tmp_path / "trust.json"
    trust_file.write_text(json.dumps(TRUST, indent=4))
    created = aws_cli("iam", "create-role", "--role-name", name, "--assume-role-policy-document",
                      f"file://{trust_file}", "--max-session-duration", "7200")
    assert created.returncode == 0, created.stderr
    assert created.json["Role"]["AssumeRolePolicyDocument"] == TRUST
    assert aws_cli("iam", "put-role-policy", "--role-name", name, "--policy-name", "cli-inline",
                   "--policy-document", json.dumps(PERMISSIONS)).returncode == 0
    got = aws_cli("iam", "get-role-policy", "--role-name", name, "--policy-name", "cli-inline")
    assert got.json["PolicyDocument"] == PERMISSIONS
    role = aws_cli("iam", "get-role", "--role-name", name).json["Role"]
    assert role["MaxSessionDuration"] == 7200 and role["AssumeRolePolicyDocument"] == TRUST
    missing = aws_cli("iam", "get-role", "--role-name", "no-such-cli-role", check=False)
    assert missing.returncode != 0
    assert "An error occurred (NoSuchEntity) when calling the GetRole operation: " \
           "The role with name no-such-cli-role cannot be found." in missing.stderr


def test_wrong_secret_and_unknown_key(aws_client, service):
    tampered = aws_client("iam", aws_secret_access_key=changed_tail(service.secret_access_key))
    error, status = error_of(tampered.list_roles)
    assert (error["Code"], status) == ("SignatureDoesNotMatch", 403)
    assert error["Message"].startswith("The request signature we calculated does not match the signature")
    stranger = aws_client("iam", aws_access_key_id="AKIAUNKNOWNKEY000000")
    error, status = error_of(stranger.list_roles)
    assert (error["Code"], error["Message"], status) == (
        "InvalidClientTokenId", "The security token included in the request is invalid.", 403)
