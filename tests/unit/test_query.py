"""The query-protocol decoder and XML encoder, checked against botocore itself.

botocore's own ``QuerySerializer`` produces the flat parameters our decoder must turn back into the
input shape, and botocore's ``QueryParser`` reads our XML back into the output shape: if the two
agree with the original values for the IAM, STS and SNS models, real SDKs will agree too. The routing
errors of :func:`handle_query` are checked in-process through httpx's ASGI transport.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from botocore.parsers import QueryParser
from botocore.serialize import QuerySerializer
from starlette.applications import Starlette
from starlette.routing import Route

from cognito_desk.core import errors
from cognito_desk.core.validation import Validator, load_service_model
from cognito_desk.service import query
from cognito_desk.service.context import RequestContext, ServiceSettings
from cognito_desk.service.store import Store


def flat_params(service: str, operation: str, params: dict) -> dict[str, str]:
    """What botocore puts in the form body for ``params`` (Action and Version included)."""
    model = load_service_model(service).operation_model(operation)
    body = QuerySerializer().serialize_to_request(params, model)["body"]
    return {key: str(value) for key, value in body.items()}


def parse_xml(service: str, operation: str, xml: str, status: int = 200) -> dict:
    model = load_service_model(service).operation_model(operation)
    shape = model.output_shape if status == 200 else None
    return QueryParser().parse({"body": xml.encode(), "headers": {}, "status_code": status}, shape)


@pytest.mark.parametrize(("service", "operation", "params"), [
    ("iam", "CreateRole", {"RoleName": "Guest", "Path": "/app/", "AssumeRolePolicyDocument": '{"a": 1}',
                           "MaxSessionDuration": 7200, "Description": "d",
                           "Tags": [{"Key": "team", "Value": "qa"}, {"Key": "env", "Value": ""}]}),
    ("iam", "CreateRole", {"RoleName": "NoTags", "AssumeRolePolicyDocument": "{}", "Tags": []}),
    ("iam", "ListRoles", {"PathPrefix": "/", "MaxItems": 10, "Marker": "abc"}),
    ("iam", "UpdateAccountPasswordPolicy", {"RequireSymbols": True, "RequireNumbers": False,
                                            "MinimumPasswordLength": 12}),
    ("sts", "AssumeRoleWithWebIdentity", {
        "RoleArn": "arn:aws:iam::123456789012:role/Guest", "RoleSessionName": "s",
        "WebIdentityToken": "tok.en.x", "DurationSeconds": 900, "Policy": "{}",
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/A"}, {"arn": "arn:aws:iam::aws:policy/B"}]}),
    ("sts", "GetCallerIdentity", {}),
    ("sns", "CreateTopic", {"Name": "t", "Attributes": {"DisplayName": "x", "Policy": "{}"},
                            "Tags": [{"Key": "k", "Value": "v"}]}),
])
def test_decoder_inverts_botocore_serializer(service, operation, params):
    flat = flat_params(service, operation, params)
    shape = load_service_model(service).operation_model(operation).input_shape
    assert query.decode_params(flat, shape) == params


def test_decoder_orders_list_members_numerically_and_ignores_unknown_keys():
    shape = load_service_model("iam").operation_model("CreateRole").input_shape
    flat = {f"Tags.member.{i}.Key": f"k{i}" for i in (10, 2, 1)} | {
        "Tags.member.10.Value": "v", "RoleName": "r", "Bogus.member.1": "x", "Action": "CreateRole"}
    decoded = query.decode_params(flat, shape)
    assert decoded == {"RoleName": "r", "Tags": [{"Key": "k1"}, {"Key": "k2"}, {"Key": "k10", "Value": "v"}]}


def test_unconvertible_scalars_stay_strings_for_the_validator():
    shape = load_service_model("iam").operation_model("ListRoles").input_shape
    params = query.decode_params({"MaxItems": "ten"}, shape)
    assert params == {"MaxItems": "ten"}
    validator = Validator(load_service_model("iam"), constraint_error=errors.ValidationError,
                          type_error=errors.ValidationError)
    with pytest.raises(errors.ValidationError, match="STRING_VALUE can not be converted to an Integer"):
        validator.validate("ListRoles", params)


def test_read_params_takes_body_first_and_first_duplicate():
    flat = query.read_params("Action=GetRole&RoleName=fromquery",
                             b"Action=ListRoles&Action=GetRole&Version=2010-05-08")
    assert flat == {"Action": "ListRoles", "Version": "2010-05-08", "RoleName": "fromquery"}


ROLE = {"Path": "/", "RoleName": "Guest", "RoleId": "AROAABCDEFGHIJKLMNOPQ",
        "Arn": "arn:aws:iam::123456789012:role/Guest", "CreateDate": 1795680000.0,
        "AssumeRolePolicyDocument": "%7B%22a%22%3A%201%7D", "MaxSessionDuration": 3600,
        "Description": "a <b> & c", "Tags": [{"Key": "team", "Value": "qa"}]}


def test_encoded_result_parses_back_with_botocore():
    operation = load_service_model("iam").operation_model("ListRoles")
    xml = query.encode_result(operation, {"Roles": [ROLE], "IsTruncated": True, "Marker": "m"}, "req-1")
    parsed = parse_xml("iam", "ListRoles", xml)
    role = parsed["Roles"][0]
    assert role["CreateDate"] == datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    assert {key: value for key, value in role.items() if key != "CreateDate"} == {
        key: value for key, value in ROLE.items() if key != "CreateDate"}
    assert parsed["IsTruncated"] is True and parsed["Marker"] == "m"
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"
    assert "<CreateDate>2026-11-26T08:00:00Z</CreateDate>" in xml
    assert xml.startswith('<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n'
                          "  <ListRolesResult>\n")
    assert "<Roles>\n      <member>\n" in xml


def test_empty_list_and_missing_members():
    operation = load_service_model("iam").operation_model("ListRolePolicies")
    xml = query.encode_result(operation, {"PolicyNames": [], "IsTruncated": False, "Marker": None}, "r")
    assert "<PolicyNames/>" in xml and "Marker" not in xml
    assert parse_xml("iam", "ListRolePolicies", xml)["PolicyNames"] == []


def test_operation_without_output_has_only_metadata():
    operation = load_service_model("iam").operation_model("DeleteRole")
    xml = query.encode_result(operation, {}, "r-9")
    assert xml == ('<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">\n'
                   "  <ResponseMetadata>\n    <RequestId>r-9</RequestId>\n  </ResponseMetadata>\n"
                   "</DeleteRoleResponse>\n")


def test_sts_credentials_timestamp_and_namespace():
    operation = load_service_model("sts").operation_model("AssumeRoleWithWebIdentity")
    result = {"Credentials": {"AccessKeyId": "ASIA" + "A" * 16, "SecretAccessKey": "s", "SessionToken": "t",
                              "Expiration": 1795683600.0},
              "AssumedRoleUser": {"AssumedRoleId": "AROAX:s", "Arn": "arn:aws:sts::1:assumed-role/R/s"},
              "PackedPolicySize": 3}
    xml = query.encode_result(operation, result, "r")
    assert 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in xml
    parsed = parse_xml("sts", "AssumeRoleWithWebIdentity", xml)
    assert parsed["Credentials"]["Expiration"] == datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert parsed["PackedPolicySize"] == 3


def test_map_output_round_trip():
    operation = load_service_model("sns").operation_model("GetTopicAttributes")
    attributes = {"DisplayName": "x & y", "Owner": "123"}
    xml = query.encode_result(operation, {"Attributes": attributes}, "r")
    assert parse_xml("sns", "GetTopicAttributes", xml)["Attributes"] == attributes


def test_error_body_parses_with_botocore():
    error = errors.NoSuchEntity("The role with name <x> cannot be found.")
    xml = query.encode_error(error, "https://iam.amazonaws.com/doc/2010-05-08/", "req-2")
    parsed = parse_xml("iam", "GetRole", xml, status=404)
    assert parsed["Error"] == {"Type": "Sender", "Code": "NoSuchEntity",
                               "Message": "The role with name <x> cannot be found."}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-2"


@pytest.fixture
def client(tmp_path):
    settings = ServiceSettings(account_id="123456789012", access_key_id="AKIAQUERYTEST0000001",
                               secret_access_key="x" * 40)
    store = Store(tmp_path / "q.sqlite")

    async def root(request):
        ctx = RequestContext(settings=settings, store=store, keys=None, request_id=str(uuid.uuid4()))
        return await query.handle_query(request, ctx)

    app = Starlette(routes=[Route("/", root, methods=["GET", "POST"])])

    def send(method: str, **kwargs) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as http:
                return await http.request(method, "/", **kwargs)
        return asyncio.run(call())

    yield send
    store.close()


FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


@pytest.mark.parametrize(("body", "message"), [
    ({"Action": "NoSuchAction", "Version": "2011-06-15"},
     "Could not find operation NoSuchAction for version 2011-06-15"),
    ({"Action": "GetCallerIdentity"},
     "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED"),
    ({"Action": "GetCallerIdentity", "Version": ""},
     "Could not find operation GetCallerIdentity for version "),
    ({"Action": "GetRole", "Version": "2011-06-15"},
     "Could not find operation GetRole for version 2011-06-15"),
    ({"Version": "2010-05-08"}, "Could not find operation  for version 2010-05-08"),
])
def test_unknown_action_or_version(client, body, message):
    response = client("POST", content=urlencode(body), headers=FORM)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/xml")
    parsed = parse_xml("sts", "GetCallerIdentity", response.text, status=400)
    assert parsed["Error"] == {"Type": "Sender", "Code": "InvalidAction", "Message": message}
    assert response.headers["x-amzn-RequestId"] == parsed["ResponseMetadata"]["RequestId"]
    assert 'xmlns="http://webservices.amazon.com/AWSFault/2005-15-09"' in response.text


def test_unsigned_signed_action_is_refused_in_the_service_namespace(client):
    response = client("GET", params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    assert response.status_code == 403
    parsed = parse_xml("sts", "GetCallerIdentity", response.text, status=403)
    assert parsed["Error"]["Code"] == "MissingAuthenticationToken"
    assert 'xmlns="https://sts.amazonaws.com/doc/2011-06-15/"' in response.text


def test_validation_error_uses_aws_wording(client):
    body = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleSessionName": "bad/name",
            "RoleArn": "arn:aws:iam::123456789012:role/Guest", "WebIdentityToken": "abcd",
            "DurationSeconds": 899}
    response = client("POST", content=urlencode(body), headers=FORM)
    assert response.status_code == 400
    assert parse_xml("sts", "AssumeRoleWithWebIdentity", response.text, status=400)["Error"]["Message"] == (
        "2 validation errors detected: Value 'bad/name' at 'roleSessionName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\w+=,.@-]*; Value '899' at 'durationSeconds' "
        "failed to satisfy constraint: Member must have value greater than or equal to 900")


def test_unexpected_failure_is_a_500_without_traceback(client):
    # The fixture's context has no token keys, so verifying a Cognito-issued token fails unexpectedly.
    token = jwt.encode({"iss": "https://cognito-identity.amazonaws.com", "sub": "s", "aud": "a"}, "k" * 32)
    body = {"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleSessionName": "s1",
            "RoleArn": "arn:aws:iam::123456789012:role/Guest", "WebIdentityToken": token}
    response = client("POST", content=urlencode(body), headers=FORM)
    assert response.status_code == 500
    parsed = parse_xml("sts", "AssumeRoleWithWebIdentity", response.text, status=500)
    assert parsed["Error"] == {"Type": "Receiver", "Code": "InternalFailure", "Message": (
        "The request processing has failed because of an unknown error, exception or failure.")}
    assert "Traceback" not in response.text and "AttributeError" not in response.text
