"""The AWS SDK for JavaScript v3 (Node) as a third client of the embedded service, beside boto3 and the CLI.

Each test runs ``node tests/js/scenario.mjs <scenario>`` against the session service, parses the one
JSON document it prints and asserts it exactly; boto3 sets up pools and roles and cross-checks what the
JS SDK made. Also covers what a browser sends before the SDK's first call: the CORS preflight.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from support import make_client, trust_policy

JS_DIR = Path(__file__).resolve().parents[1] / "js"
SCENARIO = JS_DIR / "scenario.mjs"
NODE = shutil.which("node")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")
MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS "
            "Secret Access Key and signing method. Consult the service documentation for details.")
DEV = "login.example.app"
MISSING_POOL = "{region}:00000000-0000-4000-8000-000000000000"
#: What the SDK sends that a browser sets itself (or forbids scripts to set), so a preflight never lists it.
BROWSER_MANAGED = {"host", "content-length", "user-agent"}



def run_scenario(service, name: str, **args: str) -> dict:
    """Run one scenario of scenario.mjs; return its JSON output after checking it holds no access key."""
    if NODE is None:
        pytest.skip("node is not installed: the JS SDK tests need Node.js 20+")
    if not (JS_DIR / "node_modules" / "@aws-sdk" / "client-cognito-identity").is_dir():
        pytest.fail(f"{JS_DIR / 'node_modules'} is missing: run `python3 dev.py test` (it runs npm ci in tests/js)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(COGNITO_DESK_ENDPOINT=service.url, COGNITO_DESK_REGION=service.region,
               COGNITO_DESK_ACCESS_KEY_ID=service.access_key_id,
               COGNITO_DESK_SECRET_ACCESS_KEY=service.secret_access_key,
               # Never let the SDK look for credentials or config anywhere else.
               AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED="true")
    result = subprocess.run([NODE, str(SCENARIO), name, *(f"{k}={v}" for k, v in args.items())], cwd=JS_DIR,
                            env=env, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, f"scenario {name} failed:\n{result.stderr}"
    assert service.secret_access_key not in result.stdout
    assert not ACCESS_KEY.findall(result.stdout), "the scenario printed an access key"
    return json.loads(result.stdout)


def role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[1]


def assumed(service, role_arn: str) -> str:
    return f"arn:aws:sts::{service.account_id}:assumed-role/{role_name(role_arn)}/CognitoIdentityCredentials"


def error(name: str, message: str, status: int, exception_class: str) -> dict:
    return {"name": name, "message": message, "fault": "client", "exceptionClass": exception_class,
            "httpStatusCode": status}


def without_request_id(observed: dict) -> dict:
    assert UUID.fullmatch(observed["requestId"]), observed
    return {k: v for k, v in observed.items() if k != "requestId"}


# --- admin ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin_run(service):
    """The admin scenario, run once; boto3 removes what it left behind."""
    output = run_scenario(service, "admin")
    yield output
    ci, iam = make_client(service, "cognito-identity"), make_client(service, "iam")
    try:
        ci.delete_identity_pool(IdentityPoolId=output["created"]["IdentityPoolId"])
    except ci.exceptions.ResourceNotFoundException:
        pass
    for role in output["roles"].values():
        try:
            iam.delete_role(RoleName=role["RoleName"])
        except iam.exceptions.NoSuchEntityException:
            pass


def test_js_creates_describes_and_updates_a_pool(admin_run, service):
    pool_id = admin_run["created"]["IdentityPoolId"]
    assert re.fullmatch(rf"{service.region}:{UUID.pattern}", pool_id)
    name = admin_run["created"]["IdentityPoolName"]
    suffix = name.removeprefix("js sdk pool ")
    assert admin_run["caller"] == {"UserId": service.account_id, "Account": service.account_id,
                                   "Arn": f"arn:aws:iam::{service.account_id}:root"}
    created = {"IdentityPoolId": pool_id, "IdentityPoolName": name, "AllowUnauthenticatedIdentities": True,
               "AllowClassicFlow": False, "DeveloperProviderName": "login.js.example",
               "IdentityPoolTags": {"team": "qa", "sdk": "js-v3"}}
    assert admin_run["created"] == created
    assert admin_run["described"] == created
    updated = {**created, "IdentityPoolName": f"js sdk pool renamed {suffix}",
               "AllowUnauthenticatedIdentities": False}
    assert admin_run["updated"] == updated
    assert admin_run["describedAfterUpdate"] == {
        **updated, "IdentityPoolTags": {"team": "qa", "stage": "test", "owner": "js"}}


def test_js_pages_through_identity_pools(admin_run):
    pages = admin_run["paging"]["pageSizes"]
    assert len(pages) >= 2 and sum(pages) >= 3 and all(size <= 2 for size in pages)
    listed = {p["IdentityPoolName"]: p["IdentityPoolId"] for p in admin_run["paging"]["listed"]}
    suffix = admin_run["created"]["IdentityPoolName"].removeprefix("js sdk pool ")
    assert len(admin_run["paging"]["listed"]) == 3, "a pool was listed twice or missed"
    assert set(listed) == {f"js sdk pool {suffix}", f"js sdk paging 1 {suffix}", f"js sdk paging 2 {suffix}"}
    assert listed[f"js sdk pool {suffix}"] == admin_run["created"]["IdentityPoolId"]
    deleted = admin_run["deleted"]
    assert set(deleted) == {listed[f"js sdk paging {n} {suffix}"] for n in (1, 2)}
    for pool_id, observed in deleted.items():
        assert without_request_id(observed) == error(
            "ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.", 400, "ResourceNotFoundException")


def test_js_creates_trusted_roles_and_attaches_them(admin_run, service):
    pool_id = admin_run["created"]["IdentityPoolId"]
    roles = admin_run["roles"]
    for amr, prefix in (("unauthenticated", "js-unaut-"), ("authenticated", "js-authe-")):
        name = f"{prefix}{pool_id.split(':')[1][:18]}"
        assert roles[amr] == {"Arn": f"arn:aws:iam::{service.account_id}:role/{name}", "RoleName": name,
                              "Path": "/", "createDateType": "Date",
                              "trustPolicy": json.loads(trust_policy(pool_id, amr))}
    assert admin_run["poolRoles"] == {"IdentityPoolId": pool_id, "Roles": {
        "unauthenticated": roles["unauthenticated"]["Arn"], "authenticated": roles["authenticated"]["Arn"]}}


def test_js_tags_the_pool(admin_run):
    assert admin_run["tagged"] == {"Tags": {"team": "qa", "sdk": "js-v3", "stage": "test", "owner": "js"}}
    assert admin_run["untagged"] == {"Tags": {"team": "qa", "stage": "test", "owner": "js"}}


def test_js_signs_every_admin_call(admin_run):
    sent = admin_run["sent"]
    assert {s["command"] for s in sent} == {
        "GetCallerIdentityCommand", "CreateIdentityPoolCommand", "DescribeIdentityPoolCommand",
        "ListIdentityPoolsCommand", "UpdateIdentityPoolCommand", "CreateRoleCommand", "SetIdentityPoolRolesCommand",
        "GetIdentityPoolRolesCommand", "TagResourceCommand", "ListTagsForResourceCommand", "UntagResourceCommand",
        "DeleteIdentityPoolCommand"}
    assert all(s["signed"] for s in sent)


def test_boto3_sees_what_the_js_sdk_made(admin_run, aws_client, service):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    pool_id = admin_run["created"]["IdentityPoolId"]
    described = ci.describe_identity_pool(IdentityPoolId=pool_id)
    described.pop("ResponseMetadata")
    assert described == admin_run["describedAfterUpdate"]
    roles = ci.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert roles["Roles"] == admin_run["poolRoles"]["Roles"]
    arn = f"arn:aws:cognito-identity:{service.region}:{service.account_id}:identitypool/{pool_id}"
    assert ci.list_tags_for_resource(ResourceArn=arn)["Tags"] == admin_run["untagged"]["Tags"]
    for role in admin_run["roles"].values():
        got = iam.get_role(RoleName=role["RoleName"])["Role"]
        assert got["Arn"] == role["Arn"]
        assert got["AssumeRolePolicyDocument"] == role["trustPolicy"]
    for gone in admin_run["deleted"]:
        with pytest.raises(ci.exceptions.ResourceNotFoundException):
            ci.describe_identity_pool(IdentityPoolId=gone)


def test_js_deletes_a_pool_and_its_roles(make_pool, aws_client, service):
    pool = make_pool()
    names = [role_name(arn) for arn in pool.roles.values()]
    output = run_scenario(service, "admin-cleanup", pool=pool.id, roles=",".join(names))
    assert without_request_id(output["poolAfter"]) == error(
        "ResourceNotFoundException", f"IdentityPool '{pool.id}' not found.", 400, "ResourceNotFoundException")
    assert set(output["rolesAfter"]) == set(names)
    for name, observed in output["rolesAfter"].items():
        assert without_request_id(observed) == error(
            "NoSuchEntityException", f"The role with name {name} cannot be found.", 404, "NoSuchEntityException")
    ci = aws_client("cognito-identity")
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId=pool.id)


# --- sign-in flows -------------------------------------------------------------------------------


def assert_vended(credentials: dict, lifetime: int = 3600) -> None:
    assert credentials["accessKeyIdPrefix"] == "ASIA" and credentials["accessKeyIdLength"] == 20
    assert credentials["secretKeyLength"] == 40 and credentials["sessionTokenLength"] > 0
    assert credentials["expirationType"] == "Date", "Expiration did not parse into a JS Date"
    assert lifetime - 10 < credentials["secondsLeft"] <= lifetime
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", credentials["expirationIso"])


def test_js_guest_flow_is_unsigned_and_gets_the_guest_role(make_pool, aws_client, service):
    pool = make_pool()
    output = run_scenario(service, "guest", pool=pool.id)
    identity_id = output["identityId"]
    assert re.fullmatch(rf"{service.region}:{UUID.pattern}", identity_id)
    assert output["credentialsIdentityId"] == identity_id
    assert_vended(output["credentials"])
    assert output["caller"]["Arn"] == assumed(service, pool.roles["unauthenticated"])
    assert output["caller"]["Account"] == service.account_id
    assert re.fullmatch(r"AROA[A-Z0-9]{17}:CognitoIdentityCredentials", output["caller"]["UserId"])
    assert output["sent"] == [{"command": "GetIdCommand", "signed": False},
                              {"command": "GetCredentialsForIdentityCommand", "signed": False},
                              {"command": "GetCallerIdentityCommand", "signed": True}]
    listed = aws_client("cognito-identity").list_identities(IdentityPoolId=pool.id, MaxResults=10)["Identities"]
    assert [i["IdentityId"] for i in listed] == [identity_id]


def test_js_developer_flow_gets_the_authenticated_role(make_pool, aws_client, service):
    pool = make_pool(DeveloperProviderName=DEV)
    output = run_scenario(service, "developer", pool=pool.id, provider=DEV, user="js-alice")
    identity_id = output["identityId"]
    assert output["token"]["aud"] == pool.id and output["token"]["sub"] == identity_id
    assert output["token"]["amr"] == ["authenticated", DEV, f"{DEV}:{pool.id}:js-alice"]
    assert output["token"]["lifetime"] == 1200
    assert output["credentialsIdentityId"] == identity_id
    assert_vended(output["credentials"])
    assert output["caller"]["Arn"] == assumed(service, pool.roles["authenticated"])
    assert output["sent"] == [{"command": "GetOpenIdTokenForDeveloperIdentityCommand", "signed": True},
                              {"command": "GetCredentialsForIdentityCommand", "signed": False},
                              {"command": "GetCallerIdentityCommand", "signed": True}]
    found = aws_client("cognito-identity").lookup_developer_identity(
        IdentityPoolId=pool.id, DeveloperUserIdentifier="js-alice")
    assert found["IdentityId"] == identity_id


def test_js_credentials_provider_gets_and_reuses_a_guest_identity(make_pool, aws_client, service):
    pool = make_pool()
    output = run_scenario(service, "credentials-provider", pool=pool.id)
    first, again = output["identityIds"]
    assert first == again, "fromCognitoIdentityPool did not reuse its cached identity"
    assert_vended(output["credentials"])
    assert output["caller"]["Arn"] == assumed(service, pool.roles["unauthenticated"])
    listed = aws_client("cognito-identity").list_identities(IdentityPoolId=pool.id, MaxResults=10)["Identities"]
    assert [i["IdentityId"] for i in listed] == [first]


# --- errors --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def errors_run(service):
    ci = make_client(service, "cognito-identity")
    closed = ci.create_identity_pool(IdentityPoolName="js closed", AllowUnauthenticatedIdentities=False)
    missing = MISSING_POOL.format(region=service.region)
    yield run_scenario(service, "errors", missing=missing, closed=closed["IdentityPoolId"])
    ci.delete_identity_pool(IdentityPoolId=closed["IdentityPoolId"])


@pytest.mark.parametrize(("case", "expected"), [
    ("missingPool", error("ResourceNotFoundException", f"IdentityPool '{MISSING_POOL}' not found.", 400,
                          "ResourceNotFoundException")),
    ("guestsNotAllowed", error("NotAuthorizedException",
                               "Unauthenticated access is not supported for this identity pool.", 400,
                               "NotAuthorizedException")),
    ("wrongSecret", error("InvalidSignatureException", MISMATCH, 403, "CognitoIdentityServiceException")),
    ("unknownAccessKey", error("UnrecognizedClientException",
                               "The security token included in the request is invalid.", 400,
                               "CognitoIdentityServiceException")),
    ("badPoolId", error("ValidationException",
                        "1 validation error detected: Value 'us-east-1_AbCdEf' at 'identityPoolId' failed to "
                        "satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+",
                        400, "CognitoIdentityServiceException")),
    ("stsWrongSecret", error("SignatureDoesNotMatch", MISMATCH, 403, "STSServiceException")),
    ("iamMissingRole", error("NoSuchEntityException", "The role with name js-sdk-no-such-role cannot be found.",
                             404, "NoSuchEntityException")),
])
def test_js_sdk_reads_service_errors(errors_run, service, case, expected):
    expected = {**expected, "message": expected["message"].replace("{region}", service.region)}
    assert without_request_id(errors_run[case]) == expected


def test_js_error_request_ids_are_distinct(errors_run):
    ids = [observed["requestId"] for observed in errors_run.values()]
    assert len(set(ids)) == len(ids)


# --- CORS ----------------------------------------------------------------------------------------

SDK_HEADERS = ("content-type", "x-amz-target", "x-amz-user-agent", "authorization", "x-amz-date",
               "amz-sdk-invocation-id", "amz-sdk-request")


def header_list(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def preflight(service, headers: set[str] | tuple[str, ...]) -> httpx.Response:
    return httpx.options(service.url, headers={
        "Origin": "http://localhost:5173", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": ",".join(headers)}, timeout=10)


def test_cors_preflight_allows_what_the_sdk_sends(service):
    answer = preflight(service, SDK_HEADERS)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "post" in header_list(answer.headers["access-control-allow-methods"])
    assert set(SDK_HEADERS) <= header_list(answer.headers["access-control-allow-headers"])


def test_cors_preflight_covers_every_header_the_js_sdk_really_sent(make_pool, service):
    output = run_scenario(service, "guest", pool=make_pool().id)
    scripted = set(output["headerNames"]) - BROWSER_MANAGED
    assert {"x-amz-target", "x-amz-security-token", "authorization"} <= scripted
    allowed = header_list(preflight(service, sorted(scripted)).headers["access-control-allow-headers"])
    assert scripted <= allowed, f"not allowed by the preflight: {sorted(scripted - allowed)}"


def test_cors_error_response_is_readable_by_a_browser(service):
    answer = httpx.post(service.url, content=b"{}", timeout=10, headers={
        "Origin": "http://localhost:5173", "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AWSCognitoIdentityService.DescribeIdentityPool"})
    assert answer.status_code == 403
    assert answer.json() == {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"}
    assert answer.headers["access-control-allow-origin"] == "*"
    exposed = header_list(answer.headers["access-control-expose-headers"])
    assert {"x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage"} <= exposed
    assert UUID.fullmatch(answer.headers["x-amzn-RequestId"])
