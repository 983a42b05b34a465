"""admin.role_policies and the IAM client's managed-policy calls, against the embedded service and moto server
(two independent implementations of IAM's wire protocol)."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass

import boto3
import httpx
import pytest
from botocore.credentials import ReadOnlyCredentials
from moto_server import running_moto_server

from cognito_desk.admin.role_policies import INLINE, MANAGED, load_role_policies, role_name_of
from cognito_desk.aws import IamClient, RetryPolicy, custom_endpoints
from cognito_desk.core import errors

TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
    "Action": "sts:AssumeRoleWithWebIdentity"}]}
PRIVATE = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
    "Resource": "arn:aws:s3:::photos/private/${cognito-identity.amazonaws.com:sub}/*"}]}
LIST_V1 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
                                                   "Resource": "arn:aws:s3:::photos"}]}
LIST_V2 = {"Version": "2012-10-17", "Statement": [{
    "Sid": "OwnPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos",
    "Condition": {"StringLike": {"s3:prefix": ["private/${cognito-identity.amazonaws.com:sub}/*"]}}}]}


class StaticCredentials:
    def __init__(self, access_key: str, secret_key: str) -> None:
        self.credentials = ReadOnlyCredentials(access_key, secret_key, None)

    async def get(self) -> ReadOnlyCredentials:
        return self.credentials


@pytest.fixture(scope="module")
def moto_url():
    with running_moto_server() as url:
        yield url


@dataclass
class Backend:
    """An IAM endpoint: boto3 sets the stage (an independent client), the product's client reads it."""

    url: str
    region: str
    access_key: str
    secret_key: str

    @property
    def boto(self):
        return boto3.session.Session().client("iam", endpoint_url=self.url, region_name=self.region,
                                              aws_access_key_id=self.access_key, aws_secret_access_key=self.secret_key)

    def run(self, scenario):
        async def main():
            async with httpx.AsyncClient() as http:
                iam = IamClient(http, custom_endpoints(self.url, self.region).iam,
                                StaticCredentials(self.access_key, self.secret_key), retry=RetryPolicy(max_attempts=1))
                return await scenario(iam)

        return asyncio.run(main())


@pytest.fixture(params=["embedded", "moto"])
def backend(request, service) -> Backend:
    if request.param == "embedded":
        return Backend(service.url, service.region, service.access_key_id, service.secret_access_key)
    return Backend(request.getfixturevalue("moto_url"), "us-east-1", "AKIAIOSFODNN7EXAMPLE", "any")


def make_role(boto) -> str:
    name = f"policies-{uuid.uuid4().hex[:10]}"
    boto.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), Path="/cognito/")
    return name


def make_policy(boto, document=LIST_V1) -> tuple[str, str]:
    name = f"list-{uuid.uuid4().hex[:8]}"
    return name, boto.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


def test_loader_returns_inline_and_attached_policies_at_their_default_version(backend):
    boto = backend.boto
    name = make_role(boto)
    boto.put_role_policy(RoleName=name, PolicyName="private-folder", PolicyDocument=json.dumps(PRIVATE))
    boto.put_role_policy(RoleName=name, PolicyName="a-first", PolicyDocument=json.dumps(LIST_V1))
    policy_name, arn = make_policy(boto)
    boto.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(LIST_V2), SetAsDefault=True)
    boto.attach_role_policy(RoleName=name, PolicyArn=arn)
    role_arn = boto.get_role(RoleName=name)["Role"]["Arn"]

    loaded = backend.run(lambda iam: load_role_policies(iam, role_arn))
    assert (loaded.role_name, loaded.role_arn) == (name, role_arn)
    assert loaded.role_id.startswith("AROA")
    assert [(p.kind, p.name) for p in loaded.policies] == [
        (INLINE, "a-first"), (INLINE, "private-folder"), (MANAGED, policy_name)]
    assert loaded.inline[1].document == PRIVATE  # URL-decoded and parsed, variables untouched
    managed = loaded.managed[0]
    assert (managed.arn, managed.version_id, managed.document) == (arn, "v2", LIST_V2)
    assert (managed.label, managed.aws_managed) == (policy_name, False)
    assert loaded.inline[0].label == "inline: a-first"


def test_client_calls_follow_paging_and_decode_shapes(backend):
    boto = backend.boto
    name = make_role(boto)
    for index in range(3):
        boto.put_role_policy(RoleName=name, PolicyName=f"p{index}", PolicyDocument=json.dumps(LIST_V1))
    arns = [make_policy(boto)[1] for _ in range(3)]
    for arn in arns:
        boto.attach_role_policy(RoleName=name, PolicyArn=arn)

    async def scenario(iam: IamClient):
        names = [n async for n in iam.iter_role_policy_names(role_name=name, page_size=2)]
        paged = [p["PolicyArn"] async for p in iam.iter_attached_role_policies(role_name=name, page_size=2)]
        first = await iam.list_attached_role_policies(role_name=name, max_items=1)
        policy = (await iam.get_policy(policy_arn=arns[0]))["Policy"]
        version = (await iam.get_policy_version(policy_arn=arns[0], version_id="v1"))["PolicyVersion"]
        return names, paged, first, policy, version

    names, paged, first, policy, version = backend.run(scenario)
    assert names == ["p0", "p1", "p2"]
    assert sorted(paged) == sorted(arns)
    assert first["IsTruncated"] is True and len(first["AttachedPolicies"]) == 1
    assert (policy["Arn"], policy["DefaultVersionId"], policy["AttachmentCount"], policy["IsAttachable"]) == (
        arns[0], "v1", 1, True)
    assert policy["CreateDate"].tzinfo is not None
    assert (version["Document"], version["IsDefaultVersion"], version["VersionId"]) == (LIST_V1, True, "v1")


def test_aws_managed_policy_on_the_embedded_service(service):
    backend = Backend(service.url, service.region, service.access_key_id, service.secret_access_key)
    name = make_role(backend.boto)
    backend.boto.attach_role_policy(RoleName=name, PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")

    async def scenario(iam: IamClient):
        policy = await iam.get_policy(policy_arn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
        return policy, await load_role_policies(iam, name)

    policy, loaded = backend.run(scenario)
    assert (policy["Policy"]["IsAttachable"], policy["Policy"]["AttachmentCount"] >= 1) == (True, True)
    assert policy["Policy"]["UpdateDate"].year == 2024
    [managed] = loaded.managed
    assert (managed.label, managed.aws_managed, managed.version_id) == (
        "AmazonS3ReadOnlyAccess (AWS managed)", True, "v1")
    assert "s3:Get*" in managed.document["Statement"][0]["Action"]


def test_missing_role_and_policy_are_iam_errors(backend):
    async def scenario(iam: IamClient):
        with pytest.raises(errors.NoSuchEntity):
            await load_role_policies(iam, "no-such-role-here")
        with pytest.raises(errors.NoSuchEntity):
            await iam.get_policy(policy_arn="arn:aws:iam::123456789012:policy/no-such-policy")

    backend.run(scenario)


def test_role_name_of():
    assert role_name_of("arn:aws:iam::123456789012:role/cognito/app/Auth") == "Auth"
    assert role_name_of("arn:aws-cn:iam::123456789012:role/Auth") == "Auth"
    assert role_name_of("Auth") == "Auth"
