"""IAM SimulatePrincipalPolicy / SimulateCustomPolicy of the running service, driven by boto3 over a socket."""

from __future__ import annotations

import json
import uuid

import pytest
from botocore.exceptions import ClientError

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]}
SUB = "cognito-identity.amazonaws.com:sub"
IDENTITY = "us-east-1:0c04a1b2-0000-4000-8000-000000000001"
OWN_FOLDER = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "Own", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": f"arn:aws:s3:::photos/${{{SUB}}}/*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
]}, indent=2)


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def entry(key: str, *values: str, kind: str = "string") -> dict:
    return {"ContextKeyName": key, "ContextKeyValues": list(values), "ContextKeyType": kind}


def test_custom_policy_decisions_statements_and_positions(iam):
    own = f"arn:aws:s3:::photos/{IDENTITY}/a.jpg"
    results = iam.simulate_custom_policy(
        PolicyInputList=[OWN_FOLDER], ActionNames=["s3:GetObject", "s3:DeleteObject", "s3:ListBucket"],
        ResourceArns=[own], ContextEntries=[entry(SUB, IDENTITY)])["EvaluationResults"]
    decisions = {(r["EvalActionName"], r["EvalResourceName"]): r["EvalDecision"] for r in results}
    assert decisions == {("s3:GetObject", own): "allowed", ("s3:DeleteObject", own): "explicitDeny",
                         ("s3:ListBucket", own): "implicitDeny"}
    (matched,) = results[0]["MatchedStatements"]
    assert matched["SourcePolicyId"] == "PolicyInputList.1" and matched["SourcePolicyType"] == "none"
    # json.dumps(indent=2): "{", "Version", "Statement": [ — the first statement opens on line 4, column 5
    assert matched["StartPosition"] == {"Line": 4, "Column": 5}
    assert matched["EndPosition"]["Line"] == 12
    assert results[1]["MatchedStatements"][0]["StartPosition"]["Line"] == 13
    assert results[2]["MatchedStatements"] == []


def test_one_result_per_action_with_each_resources_decision(iam):
    own, other = f"arn:aws:s3:::photos/{IDENTITY}/a.jpg", "arn:aws:s3:::photos/someone/a.jpg"
    results = iam.simulate_custom_policy(PolicyInputList=[OWN_FOLDER], ActionNames=["s3:GetObject", "s3:DeleteObject"],
                                         ResourceArns=[own, other],
                                         ContextEntries=[entry(SUB, IDENTITY)])["EvaluationResults"]
    get, delete = results
    assert (get["EvalActionName"], get["EvalDecision"]) == ("s3:GetObject", "implicitDeny")  # the most restrictive
    assert [(r["EvalResourceName"], r["EvalResourceDecision"]) for r in get["ResourceSpecificResults"]] == [
        (own, "allowed"), (other, "implicitDeny")]
    assert get["ResourceSpecificResults"][0]["MatchedStatements"][0]["SourcePolicyId"] == "PolicyInputList.1"
    assert delete["EvalDecision"] == "explicitDeny" and len(delete["MatchedStatements"]) == 1


def test_missing_context_values_and_resource_default(iam):
    result = iam.simulate_custom_policy(PolicyInputList=[OWN_FOLDER], ActionNames=["s3:GetObject"],
                                        ResourceArns=["arn:aws:s3:::photos/x/y"])["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == [SUB]
    star = iam.simulate_custom_policy(PolicyInputList=[json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sqs:*", "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "team"},
                      "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]})],
        ActionNames=["sqs:SendMessage"], ContextEntries=[
            entry("aws:TagKeys", "env", "team", kind="stringList"),
            entry("aws:SourceIp", "10.1.2.3", kind="ip")])["EvaluationResults"][0]
    assert star["EvalResourceName"] == "*" and star["EvalDecision"] == "allowed"


def test_principal_policy_reads_the_roles_inline_policies_and_inputs(iam):
    name = f"sim-{uuid.uuid4().hex[:10]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="own-folder", PolicyDocument=OWN_FOLDER)
    own = f"arn:aws:s3:::photos/{IDENTITY}/a.jpg"
    result = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:PutObject"], ResourceArns=[own],
                                           ContextEntries=[entry(SUB, IDENTITY)])["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["SourcePolicyId"] == "own-folder"
    assert result["MatchedStatements"][0]["SourcePolicyType"] == "role"
    excluded = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:PutObject"], ResourceArns=[own],
                                             ContextEntries=[entry(SUB, IDENTITY)],
                                             PolicyExclusionList=[{"InlinePolicyIdentifier": {
                                                 "PolicyName": "own-folder", "AttachmentType": "role",
                                                 "AttachmentName": name}}])["EvaluationResults"][0]
    assert excluded["EvalDecision"] == "implicitDeny"
    other = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["s3:PutObject"], ResourceArns=[own],
                                          ContextEntries=[entry(SUB, IDENTITY)], PolicyExclusionList=[
                                              {"InlinePolicyIdentifier": {"PolicyName": "own-folder",
                                                                          "AttachmentType": "role",
                                                                          "AttachmentName": "other"}}])
    assert other["EvaluationResults"][0]["EvalDecision"] == "allowed"
    bounded = iam.simulate_principal_policy(
        PolicySourceArn=arn, ActionNames=["s3:PutObject"], ResourceArns=[own], ContextEntries=[entry(SUB, IDENTITY)],
        PermissionsBoundaryPolicyInputList=[json.dumps({"Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})])["EvaluationResults"][0]
    assert bounded["EvalDecision"] == "implicitDeny"
    assert bounded["PermissionsBoundaryDecisionDetail"] == {"AllowedByPermissionsBoundary": False}


def test_paging(iam):
    pages = iam.get_paginator("simulate_custom_policy").paginate(
        PolicyInputList=[OWN_FOLDER], ActionNames=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        PaginationConfig={"PageSize": 2})
    names = [r["EvalActionName"] for page in pages for r in page["EvaluationResults"]]
    assert names == ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]


@pytest.mark.parametrize("call, kwargs, code, message", [
    ("simulate_principal_policy", {"PolicySourceArn": "arn:aws:iam::123456789012:role/nope"},
     "NoSuchEntity", "The role with name nope cannot be found."),
    ("simulate_principal_policy", {"PolicySourceArn": "arn:aws:iam::123456789012:user/bob"},
     "NoSuchEntity", "The user with name bob cannot be found."),
    ("simulate_principal_policy", {"PolicySourceArn": "arn:aws:s3:::bucket/key"}, "InvalidInput",
     "Invalid ARN: arn:aws:s3:::bucket/key"),
    ("simulate_custom_policy", {"PolicyInputList": ['{"Statement": []}']}, "InvalidInput",
     "Syntax errors in policy."),
    ("simulate_custom_policy", {"PolicyInputList": [OWN_FOLDER],
                                "CallerArn": "arn:aws:sts::123456789012:assumed-role/r/s"},
     "InvalidInput", "only the ARN of an IAM user"),
    ("simulate_custom_policy", {"PolicyInputList": [OWN_FOLDER], "ResourcePolicy": "{}"},
     "InvalidInput", "does not evaluate resource or organization policies"),
    ("simulate_custom_policy", {"PolicyInputList": [OWN_FOLDER],
                                "ContextEntries": [entry("app:key", "a", "b", kind="string")]},
     "InvalidInput", "Context key app:key of type string requires exactly one value."),
])
def test_errors(iam, call, kwargs, code, message):
    with pytest.raises(ClientError) as info:
        getattr(iam, call)(ActionNames=["s3:GetObject"], **kwargs)
    assert info.value.response["Error"]["Code"] == code
    assert message in info.value.response["Error"]["Message"]


def test_a_session_policy_is_checked_as_a_policy(aws_client):
    from botocore import UNSIGNED
    from botocore.config import Config

    identity, iam = aws_client("cognito-identity"), aws_client("iam")
    sts = aws_client("sts", config=Config(signature_version=UNSIGNED))
    pool = identity.create_identity_pool(IdentityPoolName=f"session{uuid.uuid4().hex[:6]}",
                                         AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    trust = dict(TRUST, Statement=[dict(TRUST["Statement"][0], Condition={
        "StringEquals": {"cognito-identity.amazonaws.com:aud": pool}})])
    role = iam.create_role(RoleName=f"session-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(trust))
    identity_id = identity.get_id(IdentityPoolId=pool)["IdentityId"]
    token = identity.get_open_id_token(IdentityId=identity_id)["Token"]
    args = {"RoleArn": role["Role"]["Arn"], "RoleSessionName": "narrowed", "WebIdentityToken": token}
    narrowed = sts.assume_role_with_web_identity(**args, Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    assert narrowed["PackedPolicySize"] >= 1
    with pytest.raises(ClientError) as info:
        sts.assume_role_with_web_identity(**args, Policy=json.dumps({"Statement": [{"Effect": "Allow",
                                                                                   "Action": "s3:*"}]}))
    assert info.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    assert info.value.response["Error"]["Message"] == "Policy statement must contain resources."


def test_aws_cli_simulate_custom_policy(aws_cli):
    own = f"arn:aws:s3:::photos/{IDENTITY}/a.jpg"
    answer = aws_cli("iam", "simulate-custom-policy", "--policy-input-list", OWN_FOLDER,
                     "--action-names", "s3:PutObject", "--resource-arns", own, "--context-entries",
                     f"ContextKeyName={SUB},ContextKeyValues={IDENTITY},ContextKeyType=string").json
    (result,) = answer["EvaluationResults"]
    assert result["EvalDecision"] == "allowed"
    assert result["MatchedStatements"][0]["StartPosition"] == {"Line": 4, "Column": 5}


def test_principal_policy_reads_the_roles_attached_managed_policies(iam):
    name = f"sim-{uuid.uuid4().hex[:10]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))["Role"]["Arn"]
    notes = iam.create_policy(PolicyName=f"notes-{name}", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}))
    iam.attach_role_policy(RoleName=name, PolicyArn=notes["Policy"]["Arn"])
    iam.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    results = iam.simulate_principal_policy(PolicySourceArn=arn, ActionNames=["dynamodb:GetItem", "s3:GetObject",
                                                                                "s3:PutObject"])["EvaluationResults"]
    by_action = {result["EvalActionName"]: result for result in results}
    assert by_action["dynamodb:GetItem"]["EvalDecision"] == "allowed"
    assert by_action["dynamodb:GetItem"]["MatchedStatements"][0]["SourcePolicyId"] == f"notes-{name}"
    assert by_action["dynamodb:GetItem"]["MatchedStatements"][0]["SourcePolicyType"] == "user-managed"
    assert by_action["s3:GetObject"]["EvalDecision"] == "allowed"
    assert by_action["s3:GetObject"]["MatchedStatements"][0]["SourcePolicyType"] == "aws-managed"
    assert by_action["s3:PutObject"]["EvalDecision"] == "implicitDeny"
