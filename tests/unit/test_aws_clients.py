"""Request shapes and response decoding of the cognito-identity, STS and IAM clients, and endpoints."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote

import httpx
import pytest
from botocore.credentials import ReadOnlyCredentials

from cognito_desk.aws import (
    CognitoIdentityClient,
    ContextEntry,
    IamClient,
    StsClient,
    aws_endpoints,
    custom_endpoints,
)

ENDPOINTS = custom_endpoints("http://backend.test:8080", "eu-west-1")
POOL_ID = "eu-west-1:11111111-2222-3333-4444-555555555555"
IDENTITY_ID = "eu-west-1:aaaaaaaa-2222-3333-4444-555555555555"


class StaticCredentials:
    def __init__(self, key: str = "AKIDTESTTESTTEST", token: str | None = None) -> None:
        self.credentials = ReadOnlyCredentials(key, "not-a-real-secret", token)

    async def get(self) -> ReadOnlyCredentials:
        return self.credentials


def exchange(client_class, call, *responses: httpx.Response, credentials=None):
    """Run ``call(client)`` against queued responses; return (result, recorded requests)."""
    requests: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return queue.pop(0)

    async def main():
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
            endpoint = {
                CognitoIdentityClient: ENDPOINTS.cognito_identity,
                StsClient: ENDPOINTS.sts,
                IamClient: ENDPOINTS.iam,
            }[client_class]
            client = client_class(http, endpoint, credentials or StaticCredentials())
            return await call(client)

    return asyncio.run(main()), requests


async def collect(iterator):
    return [item async for item in iterator]


# --- cognito-identity -----------------------------------------------------------------------------


def test_get_id_is_unsigned_json_with_target_header() -> None:
    result, [request] = exchange(
        CognitoIdentityClient,
        lambda c: c.get_id(identity_pool_id=POOL_ID, logins={"accounts.google.com": "tok"}),
        httpx.Response(200, json={"IdentityId": IDENTITY_ID}),
    )
    assert result == {"IdentityId": IDENTITY_ID}
    assert (request.method, request.url.path) == ("POST", "/")
    assert request.headers["X-Amz-Target"] == "AWSCognitoIdentityService.GetId"
    assert request.headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(request.content) == {
        "IdentityPoolId": POOL_ID,
        "Logins": {"accounts.google.com": "tok"},
    }
    assert "Authorization" not in request.headers and "X-Amz-Security-Token" not in request.headers


@pytest.mark.parametrize("operation", ["get_credentials_for_identity", "get_open_id_token"])
def test_public_identity_operations_are_unsigned(operation: str) -> None:
    _, [request] = exchange(
        CognitoIdentityClient,
        lambda c: getattr(c, operation)(identity_id=IDENTITY_ID),
        httpx.Response(200, json={}),
    )
    assert "Authorization" not in request.headers


def test_unlink_identity_is_unsigned() -> None:
    _, [request] = exchange(
        CognitoIdentityClient,
        lambda c: c.unlink_identity(identity_id=IDENTITY_ID, logins={"a": "t"}, logins_to_remove=["a"]),
        httpx.Response(200),
    )
    assert "Authorization" not in request.headers
    assert json.loads(request.content) == {
        "IdentityId": IDENTITY_ID,
        "Logins": {"a": "t"},
        "LoginsToRemove": ["a"],
    }


def test_admin_operation_is_signed_with_session_token() -> None:
    credentials = StaticCredentials("ASIATESTTESTTEST", token="session-token-value")
    result, [request] = exchange(
        CognitoIdentityClient,
        lambda c: c.delete_identity_pool(identity_pool_id=POOL_ID),
        httpx.Response(200, content=b""),
        credentials=credentials,
    )
    assert result == {}
    authorization = request.headers["Authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=ASIATESTTESTTEST/")
    assert "/eu-west-1/cognito-identity/aws4_request" in authorization
    assert "x-amz-target" in authorization.split("SignedHeaders=")[1]
    assert request.headers["X-Amz-Security-Token"] == "session-token-value"
    assert request.headers["Host"] == "backend.test:8080"


def test_create_identity_pool_sends_only_given_members() -> None:
    _, [request] = exchange(
        CognitoIdentityClient,
        lambda c: c.create_identity_pool(
            identity_pool_name="QA pool",
            allow_unauthenticated_identities=False,
            allow_classic_flow=False,
            cognito_identity_providers=[
                {
                    "ProviderName": "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab",
                    "ClientId": "client",
                    "ServerSideTokenCheck": True,
                }
            ],
        ),
        httpx.Response(200, json={"IdentityPoolId": POOL_ID}),
    )
    assert request.headers["X-Amz-Target"] == "AWSCognitoIdentityService.CreateIdentityPool"
    assert json.loads(request.content) == {
        "IdentityPoolName": "QA pool",
        "AllowUnauthenticatedIdentities": False,
        "AllowClassicFlow": False,
        "CognitoIdentityProviders": [
            {
                "ProviderName": "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Ab",
                "ClientId": "client",
                "ServerSideTokenCheck": True,
            }
        ],
    }


def test_update_identity_pool_sends_the_id_and_the_shared_settings() -> None:
    _, [request] = exchange(
        CognitoIdentityClient,
        lambda c: c.update_identity_pool(
            identity_pool_id=POOL_ID,
            identity_pool_name="renamed",
            allow_unauthenticated_identities=True,
            developer_provider_name="login.qa",
            identity_pool_tags={"team": "qa"},
        ),
        httpx.Response(200, json={"IdentityPoolId": POOL_ID}),
    )
    assert request.headers["X-Amz-Target"] == "AWSCognitoIdentityService.UpdateIdentityPool"
    assert json.loads(request.content) == {
        "IdentityPoolId": POOL_ID,
        "IdentityPoolName": "renamed",
        "AllowUnauthenticatedIdentities": True,
        "DeveloperProviderName": "login.qa",
        "IdentityPoolTags": {"team": "qa"},
    }


def test_unknown_pool_setting_is_a_type_error_before_any_request() -> None:
    with pytest.raises(TypeError, match=r"^unexpected keyword argument\(s\): identity_pool_id$"):
        exchange(
            CognitoIdentityClient,
            lambda c: c.create_identity_pool(
                identity_pool_name="p", allow_unauthenticated_identities=True, identity_pool_id=POOL_ID
            ),
        )


def test_epoch_timestamps_become_utc_datetimes() -> None:
    body = (
        b'{"IdentityId":"%s","Logins":["graph.facebook.com"],"CreationDate":1.515115602E9,'
        b'"LastModifiedDate":1515115603}' % IDENTITY_ID.encode()
    )
    result, _ = exchange(
        CognitoIdentityClient,
        lambda c: c.describe_identity(identity_id=IDENTITY_ID),
        httpx.Response(200, content=body),
    )
    assert result["CreationDate"] == datetime(2018, 1, 5, 1, 26, 42, tzinfo=UTC)
    assert result["LastModifiedDate"] == datetime(2018, 1, 5, 1, 26, 43, tzinfo=UTC)
    assert result["Logins"] == ["graph.facebook.com"]


def test_credentials_expiration_becomes_a_datetime() -> None:
    body = {
        "IdentityId": IDENTITY_ID,
        "Credentials": {"AccessKeyId": "ASIA", "SecretKey": "s", "SessionToken": "t", "Expiration": 1.7e9},
    }
    result, _ = exchange(
        CognitoIdentityClient,
        lambda c: c.get_credentials_for_identity(identity_id=IDENTITY_ID),
        httpx.Response(200, json=body),
    )
    assert result["Credentials"]["Expiration"] == datetime.fromtimestamp(1.7e9, UTC)


def test_iter_identity_pools_follows_next_token() -> None:
    pages = [
        httpx.Response(
            200,
            json={"IdentityPools": [{"IdentityPoolId": "a"}, {"IdentityPoolId": "b"}], "NextToken": "page-2"},
        ),
        httpx.Response(200, json={"IdentityPools": [{"IdentityPoolId": "c"}]}),
    ]
    result, requests = exchange(
        CognitoIdentityClient, lambda c: collect(c.iter_identity_pools(page_size=2)), *pages
    )
    assert [p["IdentityPoolId"] for p in result] == ["a", "b", "c"]
    assert [json.loads(r.content) for r in requests] == [
        {"MaxResults": 2},
        {"MaxResults": 2, "NextToken": "page-2"},
    ]


def test_iter_identities_sends_hide_disabled() -> None:
    result, [request] = exchange(
        CognitoIdentityClient,
        lambda c: collect(c.iter_identities(POOL_ID, hide_disabled=True)),
        httpx.Response(200, json={"IdentityPoolId": POOL_ID, "Identities": [{"IdentityId": IDENTITY_ID}]}),
    )
    assert result == [{"IdentityId": IDENTITY_ID}]
    assert json.loads(request.content) == {"IdentityPoolId": POOL_ID, "MaxResults": 60, "HideDisabled": True}


def test_iter_developer_identities_yields_identifiers_across_pages() -> None:
    pages = [
        httpx.Response(
            200,
            json={"IdentityId": IDENTITY_ID, "DeveloperUserIdentifierList": ["u1", "u2"], "NextToken": "t"},
        ),
        httpx.Response(200, json={"IdentityId": IDENTITY_ID, "DeveloperUserIdentifierList": ["u3"]}),
    ]
    result, requests = exchange(
        CognitoIdentityClient,
        lambda c: collect(c.iter_developer_identities(POOL_ID, identity_id=IDENTITY_ID, page_size=2)),
        *pages,
    )
    assert result == ["u1", "u2", "u3"]
    assert requests[0].headers["X-Amz-Target"] == "AWSCognitoIdentityService.LookupDeveloperIdentity"
    assert "Authorization" in requests[0].headers
    assert json.loads(requests[1].content)["NextToken"] == "t"


# --- STS ------------------------------------------------------------------------------------------

STS_NS = 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"'


def test_assume_role_with_web_identity_is_unsigned_query() -> None:
    body = f"""<AssumeRoleWithWebIdentityResponse {STS_NS}><AssumeRoleWithWebIdentityResult>
      <Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey>
      <SessionToken>tok</SessionToken><Expiration>2014-10-24T23:00:23Z</Expiration></Credentials>
      <SubjectFromWebIdentityToken>{IDENTITY_ID}</SubjectFromWebIdentityToken>
      <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/Auth/qa</Arn>
      <AssumedRoleId>AROAEXAMPLE:qa</AssumedRoleId></AssumedRoleUser>
      <PackedPolicySize>6</PackedPolicySize><Audience>{POOL_ID}</Audience>
      </AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata>
      </AssumeRoleWithWebIdentityResponse>"""
    result, [request] = exchange(
        StsClient,
        lambda c: c.assume_role_with_web_identity(
            "arn:aws:iam::123456789012:role/Auth", "qa", "jwt.value+/=", duration_seconds=900
        ),
        httpx.Response(200, text=body),
    )
    assert "Authorization" not in request.headers
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8"
    assert dict(parse_qsl(request.content.decode())) == {
        "Action": "AssumeRoleWithWebIdentity",
        "Version": "2011-06-15",
        "RoleArn": "arn:aws:iam::123456789012:role/Auth",
        "RoleSessionName": "qa",
        "WebIdentityToken": "jwt.value+/=",
        "DurationSeconds": "900",
    }
    assert result["Credentials"]["Expiration"] == datetime(2014, 10, 24, 23, 0, 23, tzinfo=UTC)
    assert result["AssumedRoleUser"]["AssumedRoleId"] == "AROAEXAMPLE:qa"
    assert result["PackedPolicySize"] == 6 and result["SubjectFromWebIdentityToken"] == IDENTITY_ID


def test_get_caller_identity_signs_with_vended_credentials() -> None:
    body = (
        f"<GetCallerIdentityResponse {STS_NS}><GetCallerIdentityResult><Arn>arn:aws:sts::1:assumed-role/R/s"
        "</Arn><UserId>AROA:s</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
        "</GetCallerIdentityResponse>"
    )
    vended = StaticCredentials("ASIAVENDEDVENDED", token="vended-token")
    result, [request] = exchange(
        StsClient, lambda c: c.with_credentials(vended).get_caller_identity(), httpx.Response(200, text=body)
    )
    assert result == {"Arn": "arn:aws:sts::1:assumed-role/R/s", "UserId": "AROA:s", "Account": "123456789012"}
    assert "Credential=ASIAVENDEDVENDED/" in request.headers["Authorization"]
    assert "/eu-west-1/sts/aws4_request" in request.headers["Authorization"]
    assert request.headers["X-Amz-Security-Token"] == "vended-token"


# --- IAM ------------------------------------------------------------------------------------------

IAM_NS = 'xmlns="https://iam.amazonaws.com/doc/2010-05-08/"'
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        }
    ],
}


def role_xml(name: str) -> str:
    return (
        f"<member><Path>/</Path><RoleName>{name}</RoleName><RoleId>AROA{name}</RoleId>"
        f"<Arn>arn:aws:iam::123456789012:role/{name}</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate>"
        f"<AssumeRolePolicyDocument>{quote(json.dumps(TRUST))}</AssumeRolePolicyDocument>"
        f"<MaxSessionDuration>3600</MaxSessionDuration></member>"
    )


def test_iter_roles_follows_marker_and_decodes_policies() -> None:
    pages = [
        httpx.Response(
            200,
            text=f"<ListRolesResponse {IAM_NS}><ListRolesResult><Roles>{role_xml('A')}"
            f"{role_xml('B')}</Roles><IsTruncated>true</IsTruncated><Marker>m2</Marker>"
            "</ListRolesResult></ListRolesResponse>",
        ),
        httpx.Response(
            200,
            text=f"<ListRolesResponse {IAM_NS}><ListRolesResult><Roles>{role_xml('C')}"
            "</Roles><IsTruncated>false</IsTruncated></ListRolesResult>"
            "</ListRolesResponse>",
        ),
    ]
    result, requests = exchange(IamClient, lambda c: collect(c.iter_roles(page_size=2)), *pages)
    assert [r["RoleName"] for r in result] == ["A", "B", "C"]
    assert result[0]["AssumeRolePolicyDocument"] == TRUST
    assert result[0]["CreateDate"] == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert result[0]["MaxSessionDuration"] == 3600
    assert dict(parse_qsl(requests[1].content.decode())) == {
        "Action": "ListRoles",
        "Version": "2010-05-08",
        "MaxItems": "2",
        "Marker": "m2",
    }
    assert "/eu-west-1/iam/aws4_request" in requests[0].headers["Authorization"]


def test_empty_role_list_is_a_list() -> None:
    result, _ = exchange(
        IamClient,
        lambda c: c.list_roles(),
        httpx.Response(
            200,
            text=f"<ListRolesResponse {IAM_NS}><ListRolesResult><Roles/><IsTruncated>false</IsTruncated>"
            "</ListRolesResult></ListRolesResponse>",
        ),
    )
    assert result == {"Roles": [], "IsTruncated": False}


def test_create_role_sends_policy_json_and_tags() -> None:
    _, [request] = exchange(
        IamClient,
        lambda c: c.create_role(role_name="Auth", assume_role_policy_document=TRUST, tags={"team": "qa"}),
        httpx.Response(
            200,
            text=f"<CreateRoleResponse {IAM_NS}><CreateRoleResult><Role><RoleName>Auth"
            "</RoleName></Role></CreateRoleResult></CreateRoleResponse>",
        ),
    )
    params = dict(parse_qsl(request.content.decode()))
    assert json.loads(params["AssumeRolePolicyDocument"]) == TRUST
    assert (params["Tags.member.1.Key"], params["Tags.member.1.Value"]) == ("team", "qa")


def test_oidc_provider_lists_are_flattened_and_parsed() -> None:
    body = (
        f"<GetOpenIDConnectProviderResponse {IAM_NS}><GetOpenIDConnectProviderResult>"
        "<Url>idp.example.com</Url><ClientIDList><member>app1</member></ClientIDList>"
        "<ThumbprintList/><CreateDate>2024-01-02T03:04:05.123Z</CreateDate>"
        "</GetOpenIDConnectProviderResult></GetOpenIDConnectProviderResponse>"
    )
    result, _ = exchange(
        IamClient,
        lambda c: c.get_open_id_connect_provider(
            open_id_connect_provider_arn="arn:aws:iam::123456789012:oidc-provider/idp.example.com"
        ),
        httpx.Response(200, text=body),
    )
    assert result["ClientIDList"] == ["app1"] and result["ThumbprintList"] == []
    _, [request] = exchange(
        IamClient,
        lambda c: c.create_open_id_connect_provider(
            url="https://idp.example.com", client_id_list=["a", "b"], thumbprint_list=["f" * 40]
        ),
        httpx.Response(200, text=f"<CreateOpenIDConnectProviderResponse {IAM_NS}/>"),
    )
    params = dict(parse_qsl(request.content.decode()))
    assert (params["ClientIDList.member.1"], params["ClientIDList.member.2"]) == ("a", "b")
    assert params["ThumbprintList.member.1"] == "f" * 40


def test_get_role_policy_decodes_the_url_encoded_document() -> None:
    encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D"
    result, _ = exchange(
        IamClient,
        lambda c: c.get_role_policy(role_name="Auth", policy_name="p"),
        httpx.Response(
            200,
            text=f"<GetRolePolicyResponse {IAM_NS}><GetRolePolicyResult>"
            f"<RoleName>Auth</RoleName><PolicyName>p</PolicyName>"
            f"<PolicyDocument>{encoded}</PolicyDocument>"
            "</GetRolePolicyResult></GetRolePolicyResponse>",
        ),
    )
    assert result == {
        "RoleName": "Auth",
        "PolicyName": "p",
        "PolicyDocument": {"Version": "2012-10-17", "Statement": []},
    }


#: IAM's answer to SimulateCustomPolicy as its API reference shows it, plus a decision-details map.
SIMULATION = f"""<SimulateCustomPolicyResponse {IAM_NS}><SimulateCustomPolicyResult>
<IsTruncated>true</IsTruncated><Marker>next-page</Marker>
<EvaluationResults><member>
  <MatchedStatements><member><SourcePolicyId>PolicyInputList.1</SourcePolicyId>
    <SourcePolicyType>IAM Policy</SourcePolicyType>
    <EndPosition><Column>4</Column><Line>9</Line></EndPosition>
    <StartPosition><Column>16</Column><Line>3</Line></StartPosition></member></MatchedStatements>
  <MissingContextValues/>
  <EvalDecisionDetails><entry><key>IAM Policy</key><value>allowed</value></entry></EvalDecisionDetails>
  <EvalResourceName>arn:aws:s3:::photos/us-east-1:abc/x.jpg</EvalResourceName>
  <EvalDecision>allowed</EvalDecision><EvalActionName>s3:GetObject</EvalActionName>
</member><member>
  <MatchedStatements/><MissingContextValues><member>aws:SourceIp</member></MissingContextValues>
  <EvalResourceName>*</EvalResourceName><EvalDecision>implicitDeny</EvalDecision>
  <EvalActionName>s3:DeleteObject</EvalActionName>
</member></EvaluationResults>
</SimulateCustomPolicyResult></SimulateCustomPolicyResponse>"""


def test_simulate_custom_policy_sends_policies_and_context_and_reads_the_results() -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": "arn:aws:s3:::photos/${aws:userid}/*"}]}
    result, [request] = exchange(
        IamClient,
        lambda c: c.simulate_custom_policy(
            policy_input_list=[policy], action_names=["s3:GetObject", "s3:DeleteObject"],
            resource_arns=["arn:aws:s3:::photos/us-east-1:abc/x.jpg"], caller_arn="arn:aws:iam::1:user/x",
            context_entries=[ContextEntry("cognito-identity.amazonaws.com:sub", ("us-east-1:abc",)),
                             ContextEntry("cognito-identity.amazonaws.com:amr", ("authenticated", "graph"),
                                          "stringList")]),
        httpx.Response(200, text=SIMULATION),
    )
    params = dict(parse_qsl(request.content.decode()))
    assert params["Action"] == "SimulateCustomPolicy"
    assert json.loads(params["PolicyInputList.member.1"]) == policy
    assert (params["ActionNames.member.1"], params["ActionNames.member.2"]) == ("s3:GetObject", "s3:DeleteObject")
    assert params["ResourceArns.member.1"] == "arn:aws:s3:::photos/us-east-1:abc/x.jpg"
    assert params["CallerArn"] == "arn:aws:iam::1:user/x"
    assert params["ContextEntries.member.1.ContextKeyName"] == "cognito-identity.amazonaws.com:sub"
    assert params["ContextEntries.member.1.ContextKeyValues.member.1"] == "us-east-1:abc"
    assert params["ContextEntries.member.1.ContextKeyType"] == "string"
    assert params["ContextEntries.member.2.ContextKeyValues.member.2"] == "graph"
    assert params["ContextEntries.member.2.ContextKeyType"] == "stringList"
    assert "Authorization" in request.headers
    allowed, denied = result["EvaluationResults"]
    assert (result["IsTruncated"], result["Marker"]) == (True, "next-page")
    assert allowed["EvalDecision"] == "allowed" and allowed["MissingContextValues"] == []
    assert allowed["EvalDecisionDetails"] == {"IAM Policy": "allowed"}
    assert allowed["MatchedStatements"] == [{
        "SourcePolicyId": "PolicyInputList.1", "SourcePolicyType": "IAM Policy",
        "EndPosition": {"Column": 4, "Line": 9}, "StartPosition": {"Column": 16, "Line": 3}}]
    assert (denied["EvalDecision"], denied["MatchedStatements"], denied["MissingContextValues"]) == (
        "implicitDeny", [], ["aws:SourceIp"])


def test_simulate_principal_policy_names_the_role() -> None:
    _, [request] = exchange(
        IamClient,
        lambda c: c.simulate_principal_policy(policy_source_arn="arn:aws:iam::1:role/Auth",
                                              action_names=["s3:ListBucket"]),
        httpx.Response(200, text=SIMULATION.replace("SimulateCustomPolicy", "SimulatePrincipalPolicy")),
    )
    params = dict(parse_qsl(request.content.decode()))
    assert (params["Action"], params["PolicySourceArn"], params["ActionNames.member.1"]) == (
        "SimulatePrincipalPolicy", "arn:aws:iam::1:role/Auth", "s3:ListBucket")
    assert not any(key.startswith(("PolicyInputList", "ContextEntries", "ResourceArns")) for key in params)


# --- endpoints ------------------------------------------------------------------------------------


def test_aws_endpoints_per_partition() -> None:
    eu = aws_endpoints("eu-west-1")
    assert (eu.cognito_identity.url, eu.cognito_identity.signing_region, eu.cognito_identity.service) == (
        "https://cognito-identity.eu-west-1.amazonaws.com",
        "eu-west-1",
        "cognito-identity",
    )
    assert (eu.sts.url, eu.iam.url, eu.iam.signing_region) == (
        "https://sts.eu-west-1.amazonaws.com",
        "https://iam.amazonaws.com",
        "us-east-1",
    )
    cn = aws_endpoints("cn-north-1")
    assert cn.cognito_identity.url == "https://cognito-identity.cn-north-1.amazonaws.com.cn"
    assert (cn.iam.url, cn.iam.signing_region) == ("https://iam.cn-north-1.amazonaws.com.cn", "cn-north-1")


def test_custom_endpoint_serves_every_service() -> None:
    local = custom_endpoints("http://127.0.0.1:9229/", "ap-south-1")
    assert {local.cognito_identity.url, local.sts.url, local.iam.url} == {"http://127.0.0.1:9229"}
    assert {e.signing_region for e in (local.cognito_identity, local.sts, local.iam)} == {"ap-south-1"}
    assert (local.sts.service, local.iam.service) == ("sts", "iam")


@pytest.mark.parametrize("region", ["", "us-east-1_AbCdEf", "useast1"])
def test_bad_region_is_rejected(region: str) -> None:
    with pytest.raises(ValueError, match="not an AWS region name"):
        aws_endpoints(region)


def test_custom_endpoint_needs_a_scheme() -> None:
    with pytest.raises(ValueError, match="http:// or https://"):
        custom_endpoints("localhost:4566", "us-east-1")
