"""SigV4 verification against botocore's signer (the independent client).

Requests are signed by ``botocore.auth.SigV4Auth`` / ``SigV4QueryAuth`` (or captured from real
boto3 clients just before sending), turned into what the server sees (raw path, raw query string,
Starlette headers including ``Host``), and verified with ``now`` read back from the signature date.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.credentials import Credentials
from starlette.datastructures import Headers

from cognito_desk.core import errors
from cognito_desk.service.sigv4 import KeyRecord, SignedBy, is_signed, verify

AK = "AKIDCOGNITODESK00001"
SK = "test-secret/for+unit-tests/only0000000000"
TEMP_AK = "ASIACOGNITODESK00002"
TEMP_SK = "temporary-secret-for-unit-tests-000000000"
TOKEN = "session-token-for-unit-tests"
URL = "http://localhost:4566/"
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")
INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"


def keys(expiration: float | None = None):
    records = {AK: KeyRecord(SK), TEMP_AK: KeyRecord(TEMP_SK, TOKEN, expiration or time.time() + 3600)}
    return records.get


def no_lookup(access_key_id: str) -> KeyRecord | None:
    raise AssertionError(f"lookup must not be called (got {access_key_id!r})")


def wire(prepared) -> dict:
    """What the server sees of a prepared botocore request."""
    parts = urlsplit(prepared.url)
    raw = [(b"host", parts.netloc.encode())]
    for name, value in prepared.headers.items():
        value = value if isinstance(value, bytes) else value.encode("latin-1")
        raw.append((name.lower().encode("latin-1"), value))
    body = prepared.body or b""
    return {"method": prepared.method, "path": parts.path or "/", "query_string": parts.query,
            "headers": Headers(raw=raw), "body": body.encode() if isinstance(body, str) else body}


def signed_at(request: dict) -> float:
    stamp = request["headers"].get("x-amz-date") or parse_qs(request["query_string"])["X-Amz-Date"][0]
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp()


def sign(*, method="POST", url=URL, data=b"{}", headers=None, params=None, access_key=AK, secret=SK,
         token=None, service="cognito-identity", region="us-east-1", presign_expires=None) -> dict:
    request = AWSRequest(method=method, url=url, data=data, headers=headers or {}, params=params or {})
    credentials = Credentials(access_key, secret, token)
    if presign_expires is None:
        SigV4Auth(credentials, service, region).add_auth(request)
    else:
        SigV4QueryAuth(credentials, service, region, expires=presign_expires).add_auth(request)
    return wire(request.prepare())


def json_request(target="AWSCognitoIdentityService.ListIdentityPools", body=b'{"MaxResults": 10}', **kw):
    headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": target}
    return sign(data=body, headers=headers, **kw)


def check(request: dict, *, lookup=None, protocol="json", now=None, **kw) -> SignedBy:
    return verify(**request, now=signed_at(request) if now is None else now, lookup=lookup or keys(),
                  protocol=protocol, **kw)


def replace_header(request: dict, name: str, value: str | None) -> dict:
    raw = [(k, v) for k, v in request["headers"].raw if k != name.encode()]
    if value is not None:
        raw.append((name.encode(), value.encode()))
    return {**request, "headers": Headers(raw=raw)}


def raises(code: str, message: str, request: dict, **kw) -> errors.AwsError:
    with pytest.raises(errors.AwsError) as info:
        check(request, **kw)
    assert (info.value.code, info.value.message) == (code, message)
    assert SK not in str(info.value) and TEMP_SK not in str(info.value)
    authorization = request["headers"].get("authorization", "")
    if "Signature=" in authorization:
        assert authorization.rpartition("Signature=")[2] not in repr(info.value)
    return info.value


def captured_boto3_request(service: str, call):
    """Let a real boto3 client build and sign a request; capture it instead of sending it."""
    client = boto3.client(service, region_name="us-east-1", endpoint_url="http://127.0.0.1:4566",
                          aws_access_key_id=AK, aws_secret_access_key=SK)
    seen = []

    class Body:
        def stream(self):
            yield b"{}" if service == "cognito-identity" else b"<x/>"

    def capture(request, **_):
        seen.append(request)
        return AWSResponse(request.url, 500, {}, Body())

    client.meta.events.register("before-send", capture)
    with pytest.raises(Exception):  # noqa: B017 - the fake 500 answer is irrelevant here
        call(client)
    return wire(seen[0])


# --- valid requests -----------------------------------------------------------------------------


def test_json_post_with_target_verifies_with_scope():
    request = json_request()
    assert check(request, region="us-east-1", service="cognito-identity") == SignedBy(
        AK, "us-east-1", "cognito-identity")


def test_real_boto3_cognito_identity_request_verifies():
    request = captured_boto3_request("cognito-identity", lambda c: c.list_identity_pools(MaxResults=5))
    assert request["headers"]["x-amz-target"] == "AWSCognitoIdentityService.ListIdentityPools"
    assert "user-agent" in request["headers"]
    assert check(request, region="us-east-1", service="cognito-identity").access_key_id == AK


def test_real_boto3_sts_query_request_verifies():
    request = captured_boto3_request("sts", lambda c: c.get_caller_identity())
    assert b"Action=GetCallerIdentity" in request["body"]
    assert check(request, protocol="query", service="sts") == SignedBy(AK, "us-east-1", "sts")


def test_query_post_form_body_for_sts():
    body = urlencode({"Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15",
                      "RoleArn": "arn:aws:iam::000000000000:role/a b", "WebIdentityToken": "x.y.z"})
    request = sign(data=body.encode(), service="sts",
                   headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    assert check(request, protocol="query", region="us-east-1", service="sts").service == "sts"


def test_temporary_credentials_with_token_verify():
    request = json_request(access_key=TEMP_AK, secret=TEMP_SK, token=TOKEN)
    assert check(request).access_key_id == TEMP_AK


def test_presigned_get_verifies_including_token_and_encoded_params():
    request = sign(method="GET", url=URL, data=b"", service="sts", presign_expires=900, access_key=TEMP_AK,
                   secret=TEMP_SK, token=TOKEN,
                   params={"Action": "GetCallerIdentity", "Version": "2011-06-15", "Odd": "a b/c~ü*"})
    assert "X-Amz-Signature=" in request["query_string"] and "authorization" not in request["headers"]
    assert is_signed(request["headers"], request["query_string"])
    assert check(request, protocol="query", service="sts", now=signed_at(request) + 899).service == "sts"


def test_header_signed_get_with_encoded_query_and_odd_path():
    request = sign(method="GET", url="http://localhost:4566/a%20b/./c//d/", data=b"",
                   params={"b": "x y/z", "a": "ü~*", "a-b": "1"})
    assert request["path"] == "/a%20b/./c//d/"
    assert check(request).access_key_id == AK


def test_date_header_instead_of_x_amz_date():
    request = sign(headers={"Date": "Thu, 01 Jan 2026 00:00:00 GMT", "X-Amz-Target": "T"})
    assert "x-amz-date" not in request["headers"]
    now = parsedate_to_datetime(request["headers"]["date"]).timestamp()
    assert check(request, now=now).access_key_id == AK


def test_unsigned_extra_header_added_after_signing_is_ignored():
    request = replace_header(json_request(), "x-forwarded-for", "10.0.0.1")
    assert check(request).access_key_id == AK


def test_header_value_whitespace_is_folded():
    request = sign(headers={"X-Custom": "a  b   c"})
    assert check(replace_header(request, "x-custom", "   a b \t c  ")).access_key_id == AK


def test_repeated_header_values_are_joined_with_commas():
    def split(request):
        raw = [(k, v) for k, v in request["headers"].raw if k != b"x-multi"]
        return {**request, "headers": Headers(raw=[*raw, (b"x-multi", b"a"), (b"x-multi", b"b")])}

    raises("InvalidSignatureException", MISMATCH, split(sign(headers={"X-Multi": "a, b"})))
    assert check(split(sign(headers={"X-Multi": "a,b"}))).access_key_id == AK


@pytest.mark.parametrize("case", [str.upper, str.lower, str.title])
def test_header_names_are_case_insensitive_in_plain_dicts(case):
    request = json_request()
    plain = {case(name.decode()): value.decode() for name, value in request["headers"].raw}
    assert check({**request, "headers": plain}, now=signed_at(request)).access_key_id == AK


def test_declared_payload_hash_matching_body_is_accepted():
    body = b'{"MaxResults": 3}'
    request = sign(data=body, headers={"X-Amz-Content-SHA256": hashlib.sha256(body).hexdigest()})
    assert check(request).access_key_id == AK


def test_unsigned_payload_is_not_honoured_outside_s3():
    """Issue 10 §4: a signature over UNSIGNED-PAYLOAD must not cover any body (it would replay with another)."""
    request = sign(data=b"{}", headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    for body in (b"{}", b'{"changed": true}'):
        with pytest.raises(errors.InvalidSignatureException, match="does not match the signature"):
            check({**request, "body": body})


# --- error rows ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("protocol", "code", "message"), [
    ("json", "MissingAuthenticationTokenException", "Missing Authentication Token"),
    ("query", "MissingAuthenticationToken", "Request is missing Authentication Token"),
])
def test_missing_authentication(protocol, code, message):
    request = {"method": "POST", "path": "/", "query_string": "", "body": b"{}",
               "headers": Headers(raw=[(b"host", b"localhost"), (b"x-amz-date", b"20260101T000000Z")])}
    assert not is_signed(request["headers"], "")
    error = raises(code, message, request, protocol=protocol, now=0, lookup=no_lookup)
    assert error.status == 403


def hand_signed(authorization: str | None, amz_date: str | None = "20260101T000000Z", **extra) -> dict:
    raw = [(b"host", b"localhost:4566")]
    if authorization is not None:
        raw.append((b"authorization", authorization.encode()))
    if amz_date is not None:
        raw.append((b"x-amz-date", amz_date.encode()))
    raw += [(k.encode(), v.encode()) for k, v in extra.items()]
    return {"method": "POST", "path": "/", "query_string": "", "headers": Headers(raw=raw), "body": b"{}"}


SIG = "f" * 64
SCOPE = f"{AK}/20260101/us-east-1/cognito-identity/aws4_request"
NOW = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("protocol", "code"), [("json", "InvalidSignatureException"),
                                                ("query", "SignatureDoesNotMatch")])
def test_malformed_authorization_names_what_is_missing_without_echoing_signature(protocol, code):
    request = hand_signed(f"AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature={SIG}")
    raises(code, "Authorization header requires 'Credential' parameter. "
           "Authorization=AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date",
           request, protocol=protocol, now=NOW, lookup=no_lookup)


def test_missing_date_and_parameters_are_all_listed():
    request = hand_signed(f"AWS4-HMAC-SHA256 Credential={SCOPE}", amz_date=None)
    raises("InvalidSignatureException",
           "Authorization header requires 'Signature' parameter. "
           "Authorization header requires 'SignedHeaders' parameter. "
           "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
           f"Authorization=AWS4-HMAC-SHA256 Credential={SCOPE}", request, now=NOW, lookup=no_lookup)


def test_real_request_without_x_amz_date_is_incomplete():
    request = replace_header(json_request(), "x-amz-date", None)
    credential = request["headers"]["authorization"].split("Credential=")[1].split(",")[0]
    error = raises("InvalidSignatureException",
                   "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
                   f"Authorization=AWS4-HMAC-SHA256 Credential={credential}, "
                   "SignedHeaders=content-type;host;x-amz-date;x-amz-target",
                   request, now=time.time(), lookup=no_lookup)
    assert error.status == 403


@pytest.mark.parametrize("authorization",
                         ["Bearer abc.def", "AWS AKID:c2ln", "", "AWS4-HMAC-SHA512 Credential=x"])
def test_unsupported_authorization_mechanism(authorization):
    raises("InvalidSignatureException",
           "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.",
           hand_signed(authorization), now=NOW, lookup=no_lookup)


@pytest.mark.parametrize(("credential", "message"), [
    ("AK", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
           "got 'AK'"),
    ("AK/20260101/us-east-1/cognito-identity",
     "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
     "got 'AK/20260101/us-east-1/cognito-identity'"),
    ("a/b/c/d/e/f", "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/"
                    "term, got 'a/b/c/d/e/f'"),
    ("AK/20260101/us-east-1/cognito-identity/aws4_reques",
     "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_reques'. "),
    ("AK/20251231/us-east-1/cognito-identity/aws4_request",
     "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
     "'20251231' != '20260101', from '20260101T000000Z'."),
    ("\x00/%/ /ü/aws4_request", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                                "date from HTTP: '%' != '20260101', from '20260101T000000Z'."),
])
def test_malformed_credential_is_an_error_not_a_crash_and_never_looked_up(credential, message):
    request = hand_signed(f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host;x-amz-date, "
                          f"Signature={SIG}")
    raises("InvalidSignatureException", message, request, now=NOW, lookup=no_lookup)


@pytest.mark.parametrize("protocol", ["json", "query"])
def test_empty_access_key_is_invalid_without_lookup(protocol):
    request = hand_signed("AWS4-HMAC-SHA256 Credential=/20260101/us-east-1/cognito-identity/aws4_request, "
                          f"SignedHeaders=host;x-amz-date, Signature={SIG}")
    code = "UnrecognizedClientException" if protocol == "json" else "InvalidClientTokenId"
    raises(code, INVALID_TOKEN, request, now=NOW, lookup=no_lookup, protocol=protocol)


@pytest.mark.parametrize("amz_date",
                         ["2026-01-01T00:00:00Z", "20261301T000000Z", "20260101T000000", "٢٠٢٦0101T000000Z"])
def test_malformed_x_amz_date(amz_date):
    request = hand_signed(f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host;x-amz-date, "
                          f"Signature={SIG}", amz_date=amz_date)
    seen = amz_date.encode().decode("latin-1")  # what the server reads off the wire
    raises("InvalidSignatureException", f"Date must be in ISO-8601 'basic format'. Got '{seen}'. "
           "See http://en.wikipedia.org/wiki/ISO_8601", request, now=NOW, lookup=no_lookup)


def test_host_must_be_signed():
    request = hand_signed(f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=x-amz-date, Signature={SIG}")
    raises("InvalidSignatureException", "'Host' or ':authority' must be a 'SignedHeader' in the AWS "
           "Authorization.", request, now=NOW, lookup=no_lookup)


@pytest.mark.parametrize(("protocol", "code"), [("json", "UnrecognizedClientException"),
                                                ("query", "InvalidClientTokenId")])
def test_unknown_access_key(protocol, code):
    raises(code, INVALID_TOKEN, json_request(access_key="AKIDUNKNOWN000000000"), protocol=protocol)


@pytest.mark.parametrize(("protocol", "code"), [("json", "UnrecognizedClientException"),
                                                ("query", "InvalidClientTokenId")])
def test_session_token_missing_wrong_or_unexpected(protocol, code):
    good = json_request(access_key=TEMP_AK, secret=TEMP_SK, token=TOKEN)
    raises(code, INVALID_TOKEN, replace_header(good, "x-amz-security-token", None), protocol=protocol)
    raises(code, INVALID_TOKEN, json_request(access_key=TEMP_AK, secret=TEMP_SK, token="forged"),
           protocol=protocol)
    raises(code, INVALID_TOKEN, json_request(access_key=TEMP_AK, secret=TEMP_SK), protocol=protocol)
    raises(code, INVALID_TOKEN, json_request(token=TOKEN), protocol=protocol)


@pytest.mark.parametrize(("protocol", "code"), [("json", "ExpiredTokenException"), ("query", "ExpiredToken")])
def test_expired_temporary_credentials(protocol, code):
    request = json_request(access_key=TEMP_AK, secret=TEMP_SK, token=TOKEN)
    error = raises(code, EXPIRED_TOKEN, request, protocol=protocol, lookup=keys(signed_at(request) - 1))
    assert error.status == 400


@pytest.mark.parametrize(("protocol", "code"), [("json", "InvalidSignatureException"),
                                                ("query", "SignatureDoesNotMatch")])
def test_wrong_secret_is_a_signature_mismatch(protocol, code):
    raises(code, MISMATCH, json_request(secret="not-the-secret"), protocol=protocol)


def test_rotated_secret_is_not_served_from_the_key_cache():
    request = json_request()
    assert check(request).access_key_id == AK
    raises("InvalidSignatureException", MISMATCH, request, lookup={AK: KeyRecord("rotated")}.get)


def test_tampered_body_and_tampered_signed_header():
    request = json_request()
    raises("InvalidSignatureException", MISMATCH, {**request, "body": b'{"MaxResults": 60}'})
    raises("InvalidSignatureException", MISMATCH,
           replace_header(request, "x-amz-target", "AWSCognitoIdentityService.DeleteIdentityPool"))
    raises("InvalidSignatureException", MISMATCH, {**request, "method": "PUT"})
    raises("InvalidSignatureException", MISMATCH, {**request, "path": "/other"})
    raises("InvalidSignatureException", MISMATCH, {**request, "query_string": "a=1"})


def test_declared_payload_hash_not_matching_body():
    request = sign(data=b"{}", headers={"X-Amz-Content-SHA256": "0" * 64})
    raises("InvalidSignatureException",
           "The provided 'x-amz-content-sha256' header does not match what was computed.", request)


@pytest.mark.parametrize(("protocol", "code"), [("json", "InvalidSignatureException"),
                                                ("query", "SignatureDoesNotMatch")])
def test_clock_skew_messages_exactly_as_aws(protocol, code):
    request = hand_signed(f"AWS4-HMAC-SHA256 Credential={SCOPE}, SignedHeaders=host;x-amz-date, "
                          f"Signature={SIG}")
    raises(code, "Signature expired: 20260101T000000Z is now earlier than 20260101T001001Z "
           "(20260101T001501Z - 5 min.)", request, protocol=protocol, now=NOW + 901.7, lookup=no_lookup)
    raises(code, "Signature not yet current: 20260101T000000Z is still later than 20251231T235959Z "
           "(20251231T235459Z + 5 min.)", request, protocol=protocol, now=NOW - 301, lookup=no_lookup)


def test_clock_skew_boundaries_on_a_real_request():
    request = json_request()
    at = signed_at(request)
    assert check(request, now=at + 300).access_key_id == AK
    assert check(request, now=at - 300).access_key_id == AK
    with pytest.raises(errors.InvalidSignatureException, match="Signature expired: "):
        check(request, now=at + 301)
    with pytest.raises(errors.InvalidSignatureException, match="Signature not yet current: "):
        check(request, now=at - 301)


@pytest.mark.parametrize(("protocol", "code"), [("json", "InvalidSignatureException"),
                                                ("query", "SignatureDoesNotMatch")])
def test_credential_scope_region_and_service(protocol, code):
    request = json_request(region="eu-west-1")
    raises(code, "Credential should be scoped to a valid region. ", request, protocol=protocol,
           region="us-east-1")
    raises(code, "Credential should be scoped to correct service: 'sts'. ", request, protocol=protocol,
           service="sts")
    assert check(request, region="eu-west-1").region == "eu-west-1"


def test_presigned_url_expired_and_not_yet_current():
    request = sign(method="GET", data=b"", service="sts", presign_expires=60,
                   params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    at = int(signed_at(request))
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(at))
    fmt = lambda t: time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))  # noqa: E731
    assert check(request, protocol="query", now=at + 60).service == "sts"
    raises("SignatureDoesNotMatch", f"Signature expired: {stamp} is now earlier than {fmt(at + 1)} "
           f"({fmt(at + 61)} - 1 min.)", request, protocol="query", now=at + 61)
    raises("SignatureDoesNotMatch", f"Signature not yet current: {stamp} is still later than {fmt(at - 1)} "
           f"({fmt(at - 301)} + 5 min.)", request, protocol="query", now=at - 301)


def test_presigned_url_tampered_or_incomplete():
    request = sign(method="GET", data=b"", service="sts", presign_expires=60,
                   params={"Action": "GetCallerIdentity", "Version": "2011-06-15"})
    tampered = request["query_string"].replace("GetCallerIdentity", "GetSessionToken")
    raises("SignatureDoesNotMatch", MISMATCH, {**request, "query_string": tampered}, protocol="query")
    unsigned = "&".join(p for p in request["query_string"].split("&") if not p.startswith("X-Amz-Signature="))
    raises("SignatureDoesNotMatch", "AWS query-string parameters must include 'X-Amz-Signature'. "
           "Re-examine the query-string parameters.", {**request, "query_string": unsigned}, protocol="query")
    week = request["query_string"].replace("X-Amz-Expires=60", "X-Amz-Expires=604801")
    raises("SignatureDoesNotMatch", "X-Amz-Expires must be less than a week (in seconds) that is 604800",
           {**request, "query_string": week}, protocol="query")
    both = replace_header(request, "authorization", f"AWS4-HMAC-SHA256 Credential={SCOPE}")
    with pytest.raises(errors.SignatureDoesNotMatch, match="Only one auth mechanism allowed; "):
        check(both, protocol="query")


# --- helpers' contracts -------------------------------------------------------------------------


def test_key_record_repr_hides_secret_and_token():
    text = repr(KeyRecord(TEMP_SK, TOKEN, 1.0))
    assert TEMP_SK not in text and TOKEN not in text and "1.0" in text


def test_is_signed():
    assert is_signed({"Authorization": "x"}, "")
    assert is_signed(Headers(raw=[(b"authorization", b"")]), "")
    assert is_signed({}, "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256")
    assert not is_signed({"X-Amz-Date": "20260101T000000Z"}, "Action=GetCallerIdentity")


def test_unknown_protocol_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown protocol"):
        check(json_request(), protocol="rest-xml")


def test_json_body_is_left_untouched():
    request = json_request(body=json.dumps({"IdentityPoolId": "us-east-1:x"}).encode())
    assert check(request).service == "cognito-identity"
