"""Tests for cognito_desk.core.explain: one test per message of reference §8, plus the fallbacks."""

from __future__ import annotations

import jwt

from cognito_desk.core import errors
from cognito_desk.core.explain import explain
from cognito_desk.core.tokens import format_utc

KEY = "k" * 64
NOW = 1_700_000_000
UP_KEY = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbC123"
POOL_ID = "us-east-1:11111111-2222-3333-4444-555555555555"
AUTH_ROLE = "arn:aws:iam::123456789012:role/DeskAuth"
UNAUTH_ROLE = "arn:aws:iam::123456789012:role/DeskGuest"
POOL = {"IdentityPoolId": POOL_ID, "AllowUnauthenticatedIdentities": False, "AllowClassicFlow": False,
        "CognitoIdentityProviders": [{"ProviderName": UP_KEY, "ClientId": "goodclient1"},
                                     {"ProviderName": UP_KEY, "ClientId": "goodclient2"}],
        "SupportedLoginProviders": {"accounts.google.com": "google-client.apps"},
        "OpenIdConnectProviderARNs": ["arn:aws:iam::123456789012:oidc-provider/login.example.com"],
        "DeveloperProviderName": "login.desk.app"}
ROLES = {"IdentityPoolId": POOL_ID, "Roles": {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}}


def token(**claims):
    return jwt.encode(claims, KEY, algorithm="HS256", headers={"kid": "kid-7"})


def nae(message):
    return errors.NotAuthorizedException(message)


def test_unauthenticated_access_mentions_guest_setting_and_expired_token():
    logins = {UP_KEY: token(iss=f"https://{UP_KEY}", exp=NOW - 10)}
    result = explain(nae("Unauthenticated access is not supported for this identity pool."),
                     logins=logins, pool=POOL, now=NOW)
    assert "does not allow guests" in result.cause and f"The token for {UP_KEY} has expired" in result.cause
    assert ("Pool allows guests", "False") in result.details
    assert "AllowUnauthenticatedIdentities" in result.fix


def test_unsupported_provider_shows_aud_beside_accepted_client_ids():
    logins = {UP_KEY: token(iss=f"https://{UP_KEY}", aud="wrongclient9", token_use="id")}
    result = explain(nae("Token is not from a supported provider of this identity pool."),
                     logins=logins, pool=POOL)
    assert ("Token aud", "wrongclient9") in result.details
    assert ("Client ids the pool accepts for this provider", "goodclient1, goodclient2") in result.details
    assert "issued to client id wrongclient9" in result.cause and "goodclient1, goodclient2" in result.cause
    assert "add client id wrongclient9" in result.fix.lower()


def test_unsupported_provider_uses_azp_and_flags_unattached_provider():
    logins = {"accounts.google.com": token(iss="https://accounts.google.com", aud="x", azp="other.apps"),
              "auth.other.test": token(iss="https://auth.other.test", aud="a")}
    result = explain(nae("Token is not from a supported provider of this identity pool."),
                     logins=logins, pool=POOL)
    assert "issued to client id other.apps" in result.cause and "google-client.apps" in result.cause
    assert "The pool has no identity provider named auth.other.test." in result.cause


def test_issuer_mismatch_shows_iss_key_and_correct_key():
    wrong_key = f"cognito-idp.us-east-1.amazonaws.com/{POOL_ID}"
    logins = {wrong_key: token(iss=f"https://{UP_KEY}", token_use="id")}
    result = explain(nae("Invalid login token. Issuer doesn't match providerName"), logins=logins)
    assert ("Logins key sent", wrong_key) in result.details
    assert ("Token issuer (iss)", f"https://{UP_KEY}") in result.details
    assert ("Logins key should be", UP_KEY) in result.details
    assert "identity pool id where the user pool id belongs" in result.cause
    assert result.fix == f"Send the token under the Logins key {UP_KEY} (the issuer without https://)."


def test_issuer_mismatch_detects_region():
    key = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123"
    result = explain(nae("Invalid login token. Issuer doesn't match providerName"),
                     logins={key: token(iss=f"https://{UP_KEY}")})
    assert "different region" in result.cause


def test_signature_failure_shows_kid_and_alg():
    result = explain(nae("Invalid login token. Couldn't verify signed token."),
                     logins={UP_KEY: token(iss=f"https://{UP_KEY}")})
    assert ("Key id (kid)", "kid-7") in result.details
    assert ("Signing algorithm (alg)", "HS256") in result.details
    assert "JWKS" in result.cause


def test_missing_aud_spots_the_access_token():
    logins = {UP_KEY: token(iss=f"https://{UP_KEY}", token_use="access", client_id="goodclient1")}
    result = explain(nae("Invalid login token. Missing a required claim: aud"), logins=logins)
    assert f"The value under {UP_KEY} is a user pool access token" in result.cause
    assert ("client_id", "goodclient1") in result.details and "ID token" in result.fix


def test_not_a_cognito_token_says_what_the_value_is():
    result = explain(nae("Invalid login token. Not a Cognito token."), logins={UP_KEY: "ya29.opaque"})
    assert ("Logins key", UP_KEY) in result.details
    assert any(k == "Value looks like" and v.startswith("not a JWT") for k, v in result.details)


def test_token_expired_shows_both_times_in_utc():
    exp = NOW - 3700
    logins = {UP_KEY: token(iss=f"https://{UP_KEY}", exp=exp)}
    result = explain(nae(f"Invalid login token. Token expired: {NOW} >= {exp}"), logins=logins)
    assert ("Cognito's time (UTC)", format_utc(NOW)) in result.details
    assert ("Token expired at (UTC)", format_utc(exp)) in result.details
    assert ("Expired for", "1 h 1 min") in result.details
    assert ("Expired token's Logins key", UP_KEY) in result.details
    assert format_utc(exp) in result.cause and "2023-11-14" in result.cause


def test_logins_dont_match():
    result = explain(nae("Logins don't match. Please include at least one valid login for this identity or "
                         "identity pool."), logins={UP_KEY: "t"})
    assert "stale cached identity id" in result.cause and "GetId" in result.fix
    assert ("Logins keys sent", UP_KEY) in result.details


def test_identity_forbidden():
    result = explain(nae(f"Access to Identity '{POOL_ID}' is forbidden."))
    assert f"Identity {POOL_ID} is authenticated" in result.cause
    assert ("Logins keys sent", "none") in result.details


def test_role_forbidden_names_passrole():
    result = explain(nae(f"Access to Role '{AUTH_ROLE}' is forbidden."))
    assert f"iam:PassRole on {AUTH_ROLE}" in result.cause


def test_ambiguous_role_mapping_lists_the_mappings():
    roles = {**ROLES, "RoleMappings": {UP_KEY: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                                                "RulesConfiguration": {"Rules": [{"Claim": "x"}] * 2}}}}
    result = explain(nae("The ambiguous role mapping rules denied this request."), roles=roles)
    assert (f"Role mapping for {UP_KEY}", "Rules, ambiguous → Deny, 2 rule(s)") in result.details
    assert "AuthenticatedRole" in result.fix


def test_pool_not_found_suggests_region():
    pool_id = "eu-central-1:11111111-2222-3333-4444-555555555555"
    result = explain(errors.ResourceNotFoundException(f"IdentityPool '{pool_id}' not found."))
    assert ("Region in the pool id", "eu-central-1") in result.details
    assert "another region" in result.cause and "region of its pool (eu-central-1)" in result.cause
    assert result.fix.startswith("Send the request to eu-central-1,")


def test_identity_not_found():
    result = explain(errors.ResourceNotFoundException(f"Identity '{POOL_ID}' not found."))
    assert "deleted" in result.cause and "GetId again" in result.fix


def test_other_resource_not_found_still_suggests_region():
    result = explain(errors.ResourceNotFoundException("Something 'x' not found."))
    assert "region mismatch" in result.cause


def test_invalid_pool_configuration_names_role_and_failed_condition():
    notes = ["trust=denied role=DeskAuth: statement 1 (Allow): condition StringEquals "
             "cognito-identity.amazonaws.com:aud expected ['us-east-1:other'], request has ['x']"]
    result = explain(errors.InvalidIdentityPoolConfigurationException(
        "Invalid identity pool configuration. Check assigned IAM roles for this pool."),
        logins={UP_KEY: "t"}, roles=ROLES, notes=notes)
    assert ("Authenticated role", AUTH_ROLE) in result.details
    assert ("Role needed for this call", "authenticated") in result.details
    assert ("Failed trust-policy condition",
            "StringEquals cognito-identity.amazonaws.com:aud") in result.details
    assert f"role DeskAuth ({AUTH_ROLE})" in result.cause
    assert f"cognito-identity.amazonaws.com:aud = {POOL_ID}" in result.fix


def test_invalid_pool_configuration_spots_typo_and_wrong_action():
    message = ("Invalid identity pool configuration. Check assigned IAM roles for this pool. "
               "(ForAnyValue:StringLike cognito-identity.amazon.com:amr; Action sts:AssumeRole)")
    result = explain(errors.InvalidIdentityPoolConfigurationException(message), roles=ROLES)
    assert "cognito-identity.amazonaws.com:amr" in result.cause and "typo" in result.cause
    assert "needs sts:AssumeRoleWithWebIdentity" in result.cause
    assert ("Role needed for this call", "unauthenticated") in result.details


def test_invalid_pool_configuration_with_missing_role():
    result = explain(errors.InvalidIdentityPoolConfigurationException("Invalid identity pool configuration."),
                     roles={"Roles": {"authenticated": AUTH_ROLE}})
    assert result.cause == ("The pool has no unauthenticated role, so Cognito has no role to give this "
                            "identity.")
    assert ("Unauthenticated role", "none set") in result.details


def test_sts_access_denied_basic_flow():
    result = explain(errors.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity"),
                     logins={UP_KEY: "t"}, roles=ROLES, pool=POOL)
    assert ("Authenticated role", AUTH_ROLE) in result.details
    assert "cognito-identity.amazonaws.com" in result.cause and POOL_ID in result.fix


def test_sts_expired_token():
    message = (f"Token expired: current date/time {NOW} must be before the expiration date/time{NOW - 600}")
    result = explain(errors.ExpiredTokenException(message))
    assert ("STS time", format_utc(NOW)) in result.details
    assert ("Token expired at", format_utc(NOW - 600)) in result.details
    assert "10 minutes" in result.cause


def test_classic_flow_disabled():
    result = explain(errors.InvalidParameterException(
        "Basic (classic) flow is not enabled, please use enhanced flow."), pool=POOL)
    assert ("AllowClassicFlow", "False") in result.details and "GetCredentialsForIdentity" in result.fix


def validation(value, field="identityPoolId"):
    return errors.ValidationException(
        f"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member "
        r"must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+")


def test_validation_spots_user_pool_id():
    result = explain(validation("us-east-1_AbC123"))
    assert result.cause == "us-east-1_AbC123 is a Cognito user pool id, not an identity pool id."
    assert "cognito-idp.<region>.amazonaws.com/us-east-1_AbC123" in result.fix


def test_validation_spots_arn():
    arn = f"arn:aws:cognito-identity:us-east-1:123456789012:identitypool/{POOL_ID}"
    result = explain(validation(arn))
    assert "is an ARN" in result.cause and result.fix == f"Pass only the id: {POOL_ID}."


def test_validation_other_field():
    result = explain(validation("bad name!", "identityPoolName"))
    assert result.title == "Invalid identityPoolName" and ("identityPoolName", "bad name!") in result.details


def test_serialization_exception():
    result = explain(errors.SerializationException("Start of list found where not expected"))
    assert "PrincipalTags" in result.cause


def test_developer_user_already_registered():
    result = explain(errors.DeveloperUserAlreadyRegisteredException("already registered"))
    assert "different identity" in result.cause and "LookupDeveloperIdentity" in result.fix


def test_resource_conflict():
    assert "already has a different user" in explain(errors.ResourceConflictException("")).cause


def test_unsupported_developer_provider_names_configured_one():
    result = explain(nae("This identity pool does not support the specified developer provider"),
                     pool=POOL, logins={"login.other.app": "u1"})
    assert ("Pool's developer provider", "login.desk.app") in result.details
    assert "login.desk.app" in result.fix


def test_throttling_names_the_operation_its_quota_and_that_quotas_are_adjustable():
    error = errors.TooManyRequestsException("Rate exceeded")
    error.operation = "ListIdentities"
    result = explain(error)
    assert result.title == "Throttled by AWS: ListIdentities"
    assert "ListIdentities 5 requests per second per account and Region by default" in result.cause
    assert "retried it with backoff" in result.cause
    assert "adjustable" in result.fix and "Service Quotas console" in result.fix
    assert ("Operation", "ListIdentities") in result.details
    undocumented = errors.TooManyRequestsException("Rate exceeded")
    undocumented.operation = "DescribeIdentityPool"
    assert "does not publish DescribeIdentityPool's request-rate quota" in explain(undocumented).cause


def test_throttling_of_an_unknown_operation_and_of_sts():
    assert "GetId's, the lowest of the sign-in flow, is 25 per second" in explain(
        errors.TooManyRequestsException("Rate exceeded")).cause
    sts = explain(errors.error_for("Throttling", "Rate exceeded", status=400))
    assert sts.title == "Throttled by AWS" and "Service Quotas" in sts.fix


def test_resource_control_policy():
    result = explain(errors.AccessDeniedException(
        "User: anonymous is not authorized to perform: cognito-identity:GetId on resource: * with an "
        "explicit deny in a resource control policy"))
    assert "resource control policy" in result.cause


def test_unsigned_and_unknown_keys():
    unsigned = errors.MissingAuthenticationTokenException("Missing Authentication Token")
    assert "unsigned" in explain(unsigned).cause
    result = explain(errors.UnrecognizedClientException(
        "The security token included in the request is invalid."))
    assert "does not know" in result.cause


def test_unknown_error_is_honest_and_keeps_raw_code_and_message():
    result = explain(errors.AwsError("Something odd", code="WeirdException"))
    assert result.title == "WeirdException" and "no specific explanation" in result.cause
    assert result.details == [("Error code", "WeirdException"), ("Message", "Something odd")]


def test_every_explanation_ends_with_raw_error():
    result = explain(nae("Invalid login token. Not a Cognito token."))
    assert result.details[-2:] == [("Error code", "NotAuthorizedException"),
                                   ("Message", "Invalid login token. Not a Cognito token.")]


ENG_ROLE = "arn:aws:iam::123456789012:role/eng-role"
RULE_ROLES = {**ROLES, "RoleMappings": {"op.example": {"Type": "Rules", "RulesConfiguration": {"Rules": [
    {"Claim": "dept", "MatchType": "Equals", "Value": "eng", "RoleARN": ENG_ROLE}]}}}}
IIPC = "Invalid identity pool configuration. Check assigned IAM roles for this pool."


def test_the_role_the_service_notes_name_is_the_one_explained():
    logins = {"op.example": token(iss="https://op.example")}
    missing = explain(errors.InvalidIdentityPoolConfigurationException(IIPC), logins=logins, roles=RULE_ROLES,
                      notes=(f"role {ENG_ROLE} does not exist in IAM",))
    assert missing.title == "The role eng-role does not exist" and "DeskAuth" not in missing.cause + missing.fix
    assert missing.fix.startswith("Create the role eng-role trusted by this pool")
    # A refusal's reasons are "; "-separated like the notes: they are gathered up to the next key=value note.
    refused = explain(errors.InvalidIdentityPoolConfigurationException(IIPC), logins=logins, roles=RULE_ROLES,
                      notes=("trust=denied role=eng-role (sts:TagSession, principal tags are mapped): aud differs",
                             "amr differs", "pool=x"))
    assert refused.title == "The trust policy of eng-role refuses this pool"
    assert ("Trust policy refused", "aud differs") in refused.details
    assert ("Trust policy refused", "amr differs") in refused.details
    assert ("Role Cognito tried", ENG_ROLE) in refused.details


def test_without_notes_the_callers_checked_prediction_is_explained():
    from cognito_desk.core.explain import TriedRole

    logins = {"op.example": token(iss="https://op.example")}
    tried = TriedRole(ENG_ROLE, "chosen by rule 1: claim 'dept' Equals 'eng'", exists=False)
    result = explain(errors.InvalidIdentityPoolConfigurationException(IIPC), logins=logins, roles=RULE_ROLES,
                     tried_role=tried)
    assert result.cause.startswith(f"Cognito tried role eng-role ({ENG_ROLE}), chosen by rule 1")
    unknown = explain(errors.InvalidIdentityPoolConfigurationException(IIPC), logins=logins, roles=RULE_ROLES,
                      tried_role=TriedRole(ENG_ROLE, exists=True))
    assert unknown.title == "Cognito could not assume role eng-role" and "The role exists" in unknown.cause
