"""service.iam_policies.attached_documents: what the evaluator and the simulator read of a role's managed
policies — each attached policy at its default version, customer-managed and AWS-managed alike."""

from __future__ import annotations

import json
import uuid

import pytest

from cognito_desk.core import errors
from cognito_desk.service import iam, iam_policies
from cognito_desk.service.context import RequestContext, ServiceSettings
from cognito_desk.service.store import Store

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]})
V1 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
V2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"


@pytest.fixture
def ctx(tmp_path):
    store = Store(tmp_path / "iam.sqlite")
    yield RequestContext(settings=ServiceSettings(account_id="123456789012"), store=store, keys=None,
                         request_id=str(uuid.uuid4()))
    store.close()


def test_attached_documents_are_the_default_versions(ctx):
    iam.create_role(ctx, {"RoleName": "Auth", "AssumeRolePolicyDocument": TRUST})
    arn = iam_policies.create_policy(ctx, {"PolicyName": "list", "PolicyDocument": json.dumps(V1)})["Policy"]["Arn"]
    iam_policies.create_policy_version(ctx, {"PolicyArn": arn, "PolicyDocument": json.dumps(V2)})
    iam_policies.attach_role_policy(ctx, {"RoleName": "Auth", "PolicyArn": arn})
    iam_policies.attach_role_policy(ctx, {"RoleName": "auth", "PolicyArn": S3_READ_ONLY})
    documents = iam_policies.attached_documents(ctx, "Auth")
    assert [policy_arn for policy_arn, _ in documents] == [arn, S3_READ_ONLY]
    assert documents[0][1] == V1  # v2 exists but is not the default
    assert "s3:Get*" in documents[1][1]["Statement"][0]["Action"]
    iam_policies.set_default_policy_version(ctx, {"PolicyArn": arn, "VersionId": "v2"})
    assert iam_policies.attached_documents(ctx, "Auth")[0][1] == V2


def test_a_refused_attachment_changes_nothing(ctx):
    iam.create_role(ctx, {"RoleName": "Auth", "AssumeRolePolicyDocument": TRUST})
    arns = [iam_policies.create_policy(ctx, {"PolicyName": f"p{i}", "PolicyDocument": json.dumps(V1)})["Policy"]["Arn"]
            for i in range(11)]
    for arn in arns[:10]:
        iam_policies.attach_role_policy(ctx, {"RoleName": "Auth", "PolicyArn": arn})
    with pytest.raises(errors.LimitExceeded):
        iam_policies.attach_role_policy(ctx, {"RoleName": "Auth", "PolicyArn": arns[10]})
    assert [arn for arn, _ in iam_policies.attached_documents(ctx, "Auth")] == arns[:10]
    assert iam_policies.attached_documents(ctx, "Nobody") == []
