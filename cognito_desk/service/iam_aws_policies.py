"""The built-in, read-only AWS-managed policies that identity-pool roles commonly attach.

AWS keeps hundreds of managed policies under ``arn:aws:iam::aws:policy/…``; the embedded service
offers the few an identity pool's roles typically use, each as one default version whose document
follows the AWS policy of the same name (the service's copy, not kept in sync with AWS's later
versions). They can be listed (``ListPolicies`` with scope ``AWS`` or ``All``), read (``GetPolicy``,
``GetPolicyVersion``, ``ListPolicyVersions``) and attached to roles, never changed or deleted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

#: When the built-in set was written down (their ``CreateDate``/``UpdateDate``), 2024-01-01T00:00:00Z.
BUILT_IN_DATE = 1704067200.0
VERSION_ID = "v1"


@dataclass(frozen=True)
class AwsManagedPolicy:
    name: str
    policy_id: str
    description: str
    document: str
    path: str = "/"

    def arn(self, partition: str) -> str:
        return f"arn:{partition}:iam::aws:policy{self.path}{self.name}"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=4)


def _allow(actions: list[str], sid: str | None = None) -> dict:
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    return {"Sid": sid, **statement} if sid else statement


POLICIES: tuple[AwsManagedPolicy, ...] = (
    AwsManagedPolicy(
        "AmazonCognitoReadOnly", "ANPAJBFTRZD2GQGJHSVQK",
        "Provides read only access to Amazon Cognito resources.",
        _document(_allow(["cognito-identity:Describe*", "cognito-identity:Get*", "cognito-identity:List*",
                          "cognito-idp:Describe*", "cognito-idp:AdminGet*", "cognito-idp:AdminList*",
                          "cognito-idp:List*", "cognito-idp:Get*", "cognito-sync:Describe*",
                          "cognito-sync:Get*", "cognito-sync:List*", "iam:ListOpenIdConnectProviders",
                          "iam:ListRoles", "sns:ListPlatformApplications"]))),
    AwsManagedPolicy(
        "AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M",
        "Provides read only access to all buckets via the AWS Management Console.",
        _document(_allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*",
                          "s3-object-lambda:List*"]))),
    AwsManagedPolicy(
        "AmazonS3FullAccess", "ANPAIFIR6V6BVTRAHWINE",
        "Provides full access to all buckets via the AWS Management Console.",
        _document(_allow(["s3:*", "s3-object-lambda:*"]))),
    AwsManagedPolicy(
        "AmazonDynamoDBReadOnlyAccess", "ANPAIY2XFNA232XJ6J7X2",
        "Provides read only access to Amazon DynamoDB.",
        _document(_allow(["dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*",
                          "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect"]))),
    AwsManagedPolicy(
        "AWSIoTDataAccess", "ANPAJM2KI2UJDR24XPS2A",
        "Allows full access to the AWS IoT messaging broker.",
        _document(_allow(["iot:Connect", "iot:Publish", "iot:Subscribe", "iot:Receive", "iot:GetThingShadow",
                          "iot:UpdateThingShadow", "iot:DeleteThingShadow", "iot:ListNamedShadowsForThing"]))),
    AwsManagedPolicy(
        "AmazonPollyReadOnlyAccess", "ANPAJ5FENL3CVPL2FPDLA",
        "Grants read-only access to AmazonPolly resources.",
        _document(_allow(["polly:DescribeVoices", "polly:GetLexicon", "polly:GetSpeechSynthesisTask",
                          "polly:ListLexicons", "polly:ListSpeechSynthesisTasks", "polly:SynthesizeSpeech"]))),
)

_BY_NAME = {policy.name: policy for policy in POLICIES}


def find(arn: str) -> AwsManagedPolicy | None:
    """The built-in policy with this ARN (any partition), or None."""
    prefix, _, rest = arn.partition(":iam::aws:policy")
    if not prefix.startswith("arn:") or not rest:
        return None
    policy = _BY_NAME.get(rest.rsplit("/", 1)[-1])
    return policy if policy is not None and rest == policy.path + policy.name else None


def is_aws_managed(arn: str) -> bool:
    """Whether ``arn`` names a policy in AWS's own account (built-in here or not)."""
    return ":iam::aws:policy/" in arn
