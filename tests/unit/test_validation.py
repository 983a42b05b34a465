"""Tests of the model-driven request validator against the real botocore models."""

from __future__ import annotations

import pytest

from cognito_desk.core import errors
from cognito_desk.core.validation import Validator, load_service_model

POOL_ID = "us-east-1:11111111-1111-1111-1111-111111111111"
IDENTITY_ID = "us-east-1:22222222-2222-2222-2222-222222222222"
ROLE_ARN = "arn:aws:iam::123456789012:role/Cognito_Auth"

# Values for the string shapes whose pattern rejects the generic filler.
SAMPLE_STRINGS = {"IdentityPoolId": POOL_ID, "IdentityId": IDENTITY_ID, "RoleType": "authenticated",
                  "ARNString": ROLE_ARN}

MODEL = load_service_model("cognito-identity")


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(MODEL)


def minimal(shape):
    """The smallest valid value of a shape: required members only, minimal sizes."""
    meta = shape.metadata
    if shape.type_name == "structure":
        return {name: minimal(shape.members[name]) for name in shape.required_members}
    if shape.type_name == "list":
        return [minimal(shape.member) for _ in range(meta.get("min", 0))]
    if shape.type_name == "map":
        return {f"k{i}": minimal(shape.value) for i in range(meta.get("min", 0))}
    if shape.type_name == "string":
        if "enum" in meta:
            return meta["enum"][0]
        return SAMPLE_STRINGS.get(shape.name, "a" * max(meta.get("min", 1), 1))
    if shape.type_name in ("integer", "long"):
        return meta.get("min", 0)
    if shape.type_name == "boolean":
        return False
    raise AssertionError(f"no minimal value for {shape.type_name}")


def message_of(validator: Validator, operation: str, params: object) -> str:
    with pytest.raises(errors.ValidationException) as caught:
        validator.validate(operation, params)
    assert caught.value.code == "ValidationException"
    return caught.value.message


def type_error_of(validator: Validator, operation: str, params: object) -> str:
    with pytest.raises(errors.SerializationException) as caught:
        validator.validate(operation, params)
    assert caught.value.code == "SerializationException"
    return caught.value.message


# --- whole model ---------------------------------------------------------------------------------

@pytest.mark.parametrize("operation", MODEL.operation_names)
def test_every_operation_accepts_its_minimal_request(validator: Validator, operation: str) -> None:
    params = minimal(MODEL.operation_model(operation).input_shape)
    validator.validate(operation, params)


@pytest.mark.parametrize("operation", MODEL.operation_names)
def test_every_operation_lists_all_missing_required_members(validator: Validator, operation: str) -> None:
    required = MODEL.operation_model(operation).input_shape.required_members
    expected = [f"Value null at '{name[0].lower() + name[1:]}' failed to satisfy constraint: "
                "Member must not be null" for name in required]
    noun = "error" if len(required) == 1 else "errors"
    assert message_of(validator, operation, {}) == (
        f"{len(required)} validation {noun} detected: " + "; ".join(expected))


def test_unknown_operation_is_a_key_error(validator: Validator) -> None:
    with pytest.raises(KeyError):
        validator.validate("GetIdd", {})


# --- each phrase ---------------------------------------------------------------------------------

def test_pattern_violation_uses_aws_wording(validator: Validator) -> None:
    params = {"IdentityPoolName": "bad/name", "AllowUnauthenticatedIdentities": True}
    assert message_of(validator, "CreateIdentityPool", params) == (
        "1 validation error detected: Value 'bad/name' at 'identityPoolName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w\s+=,.@-]+")


def test_user_pool_id_fails_the_identity_pool_id_pattern(validator: Validator) -> None:
    assert message_of(validator, "DescribeIdentityPool", {"IdentityPoolId": "us-east-1_AbCdEf"}) == (
        "1 validation error detected: Value 'us-east-1_AbCdEf' at 'identityPoolId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+")


def test_string_length_bounds_are_separate_violations(validator: Validator) -> None:
    params = {"IdentityPoolName": "", "AllowUnauthenticatedIdentities": True,
              "DeveloperProviderName": "d" * 129}
    assert message_of(validator, "CreateIdentityPool", params) == (
        "3 validation errors detected: "
        "Value '' at 'identityPoolName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; "
        "Value '' at 'identityPoolName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w\s+=,.@-]+; "
        f"Value '{'d' * 128}...' at 'developerProviderName' failed to satisfy constraint: "
        "Member must have length less than or equal to 128")


@pytest.mark.parametrize(("value", "phrase"), [
    (0, "Member must have value greater than or equal to 1"),
    (61, "Member must have value less than or equal to 60"),
])
def test_integer_bounds(validator: Validator, value: int, phrase: str) -> None:
    assert message_of(validator, "ListIdentityPools", {"MaxResults": value}) == (
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy constraint: "
        f"{phrase}")


def test_long_bounds(validator: Validator) -> None:
    params = {"IdentityPoolId": POOL_ID, "Logins": {"login.example": "user"}, "TokenDuration": 86401}
    assert message_of(validator, "GetOpenIdTokenForDeveloperIdentity", params) == (
        "1 validation error detected: Value '86401' at 'tokenDuration' failed to satisfy constraint: "
        "Member must have value less than or equal to 86400")


def test_list_bounds_echo_the_list(validator: Validator) -> None:
    assert message_of(validator, "DeleteIdentities", {"IdentityIdsToDelete": []}) == (
        "1 validation error detected: Value '[]' at 'identityIdsToDelete' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1")
    too_many = {"IdentityIdsToDelete": [IDENTITY_ID] * 61}
    message = message_of(validator, "DeleteIdentities", too_many)
    assert message.startswith(f"1 validation error detected: Value '[{IDENTITY_ID}, ")
    assert message.endswith("...' at 'identityIdsToDelete' failed to satisfy constraint: "
                            "Member must have length less than or equal to 60")


def test_enum_and_nested_rule_paths(validator: Validator) -> None:
    rule = {"Claim": "cognito:groups", "MatchType": "Equals", "Value": "admins", "RoleARN": ROLE_ARN}
    rules = [rule, {**rule, "Claim": "a b", "MatchType": "Is"}]
    params = {"IdentityPoolId": POOL_ID, "Roles": {"authenticated": ROLE_ARN}, "RoleMappings": {
        "accounts.google.com": {"Type": "Rule", "AmbiguousRoleResolution": "Deny",
                                "RulesConfiguration": {"Rules": rules}},
    }}
    prefix = "roleMappings.accounts.google.com.member"
    assert message_of(validator, "SetIdentityPoolRoles", params) == (
        "3 validation errors detected: "
        f"Value 'Rule' at '{prefix}.type' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Token, Rules]; "
        f"Value 'a b' at '{prefix}.rulesConfiguration.rules.2.member.claim' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+; "
        f"Value 'Is' at '{prefix}.rulesConfiguration.rules.2.member.matchType' failed to satisfy constraint: "
        "Member must satisfy enum value set: [Equals, Contains, StartsWith, NotEqual]")


def test_required_members_inside_lists(validator: Validator) -> None:
    params = {"IdentityPoolId": POOL_ID, "Roles": {}, "RoleMappings": {
        "p": {"Type": "Rules", "RulesConfiguration": {"Rules": [{"Claim": "sub"}, None]}}}}
    rules = "roleMappings.p.member.rulesConfiguration.rules"
    assert message_of(validator, "SetIdentityPoolRoles", params) == (
        "4 validation errors detected: "
        f"Value null at '{rules}.1.member.matchType' failed to satisfy constraint: Member must not be null; "
        f"Value null at '{rules}.1.member.value' failed to satisfy constraint: Member must not be null; "
        f"Value null at '{rules}.1.member.roleARN' failed to satisfy constraint: Member must not be null; "
        f"Value null at '{rules}.2.member' failed to satisfy constraint: Member must not be null")


def test_claim_pattern_accepts_unicode_letters_symbols_and_punctuation(validator: Validator) -> None:
    rule = {"Claim": "ünïcødé:€-claim", "MatchType": "Contains", "Value": "x", "RoleARN": ROLE_ARN}
    params = {"IdentityPoolId": POOL_ID, "Roles": {},
              "RoleMappings": {"p": {"Type": "Rules", "RulesConfiguration": {"Rules": [rule]}}}}
    validator.validate("SetIdentityPoolRoles", params)


def test_ascii_word_class_rejects_non_ascii_letters(validator: Validator) -> None:
    params = {"IdentityPoolName": "pööl", "AllowUnauthenticatedIdentities": False}
    assert "Value 'pööl' at 'identityPoolName'" in message_of(validator, "CreateIdentityPool", params)


def test_rolesmap_key_pattern_and_size(validator: Validator) -> None:
    arn = "arn:aws:iam::1:role/r"
    roles = {"authenticated": arn, "unauthenticated": arn, "admin": arn}
    assert message_of(validator, "SetIdentityPoolRoles", {"IdentityPoolId": POOL_ID, "Roles": roles}) == (
        "2 validation errors detected: "
        f"Value '{{authenticated={arn}, unauthenticated={arn}, admin={arn}}}' at 'roles' "
        "failed to satisfy constraint: Member must have length less than or equal to 2; "
        "Value 'admin' at 'roles' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must satisfy regular expression pattern: (un)?authenticated]")


def test_map_value_paths(validator: Validator) -> None:
    params = {"IdentityPoolId": POOL_ID, "Roles": {"unauthenticated": "arn:short"}}
    assert message_of(validator, "SetIdentityPoolRoles", params) == (
        "1 validation error detected: Value 'arn:short' at 'roles.unauthenticated.member' failed to satisfy "
        "constraint: Member must have length greater than or equal to 20")


def test_principal_tags_key_and_value_lengths(validator: Validator) -> None:
    params = {"IdentityPoolId": POOL_ID, "IdentityProviderName": "accounts.google.com",
              "PrincipalTags": {"": "sub", "email": "e" * 257}}
    assert message_of(validator, "SetPrincipalTagAttributeMap", params) == (
        "2 validation errors detected: "
        "Value '' at 'principalTags' failed to satisfy constraint: Map keys must satisfy constraint: "
        "[Member must have length greater than or equal to 1]; "
        f"Value '{'e' * 128}...' at 'principalTags.email.member' failed to satisfy constraint: "
        "Member must have length less than or equal to 256")


def test_principal_tags_map_size(validator: Validator) -> None:
    tags = {f"tag{i}": "sub" for i in range(51)}
    params = {"IdentityPoolId": POOL_ID, "IdentityProviderName": "p", "PrincipalTags": tags}
    message = message_of(validator, "SetPrincipalTagAttributeMap", params)
    assert message.startswith("1 validation error detected: Value '{tag0=sub, tag1=sub, ")
    assert message.endswith("...' at 'principalTags' failed to satisfy constraint: "
                            "Member must have length less than or equal to 50")


# --- secrets and sizes ---------------------------------------------------------------------------

def test_logins_map_of_eleven_is_rejected_without_echoing_tokens(validator: Validator) -> None:
    logins = {f"provider{i}.example": f"secret-token-{i}" for i in range(11)}
    message = message_of(validator, "GetId", {"IdentityPoolId": POOL_ID, "Logins": logins})
    assert message == ("1 validation error detected: Value at 'logins' failed to satisfy constraint: "
                       "Member must have length less than or equal to 10")
    assert "secret-token" not in message


def test_logins_map_of_ten_is_accepted(validator: Validator) -> None:
    logins = {f"provider{i}.example": "token" for i in range(10)}
    validator.validate("GetId", {"IdentityPoolId": POOL_ID, "Logins": logins})


def test_sensitive_token_value_is_never_echoed(validator: Validator) -> None:
    params = {"IdentityId": IDENTITY_ID, "Logins": {"accounts.google.com": "x" * 50001}}
    message = message_of(validator, "GetCredentialsForIdentity", params)
    assert message == ("1 validation error detected: Value at 'logins.accounts.google.com.member' failed to "
                       "satisfy constraint: Member must have length less than or equal to 50000")


def test_megabyte_string_is_truncated_in_the_message(validator: Validator) -> None:
    huge = "n" * (1024 * 1024)
    message = message_of(validator, "CreateIdentityPool",
                         {"IdentityPoolName": huge, "AllowUnauthenticatedIdentities": True})
    assert message == (f"1 validation error detected: Value '{'n' * 128}...' at 'identityPoolName' failed to "
                       "satisfy constraint: Member must have length less than or equal to 128")


def test_megabyte_map_key_is_truncated_in_paths(validator: Validator) -> None:
    huge = "k" * (1024 * 1024)
    message = message_of(validator, "SetIdentityPoolRoles",
                         {"IdentityPoolId": POOL_ID, "Roles": {}, "RoleMappings": {huge: {}}})
    assert len(message) < 1000
    assert f"Value null at 'roleMappings.{'k' * 128}....member.type'" in message


def test_nul_bytes_fail_patterns_without_crashing(validator: Validator) -> None:
    assert message_of(validator, "GetId", {"IdentityPoolId": "us-east-1:1111\x00"}) == (
        "1 validation error detected: Value 'us-east-1:1111\x00' at 'identityPoolId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+")
    rule = {"Claim": "sub\x00", "MatchType": "Equals", "Value": "v", "RoleARN": ROLE_ARN}
    params = {"IdentityPoolId": POOL_ID, "Roles": {},
              "RoleMappings": {"p": {"Type": "Rules", "RulesConfiguration": {"Rules": [rule]}}}}
    assert "rules.1.member.claim' failed to satisfy constraint: Member must satisfy regular expression" in (
        message_of(validator, "SetIdentityPoolRoles", params))


# --- leniency ------------------------------------------------------------------------------------

def test_unknown_keys_are_ignored(validator: Validator) -> None:
    validator.validate("GetId", {"IdentityPoolId": POOL_ID, "Unknown": [1, {"x": None}], "identityPoolId": 3})


def test_null_members_count_as_absent(validator: Validator) -> None:
    validator.validate("GetId", {"IdentityPoolId": POOL_ID, "Logins": None, "AccountId": None})
    assert message_of(validator, "GetId", {"IdentityPoolId": None}) == (
        "1 validation error detected: Value null at 'identityPoolId' failed to satisfy constraint: "
        "Member must not be null")


# --- JSON type mismatches ------------------------------------------------------------------------

@pytest.mark.parametrize(("operation", "params", "message"), [
    ("GetId", [], "Start of list found where not expected"),
    ("GetId", "body", "STRING_VALUE can not be converted to a Structure"),
    ("GetId", None, "NULL_VALUE can not be converted to a Structure"),
    ("GetId", {"IdentityPoolId": [POOL_ID]}, "Start of list found where not expected"),
    ("GetId", {"IdentityPoolId": {"id": POOL_ID}}, "Start of structure or map found where not expected."),
    ("GetId", {"IdentityPoolId": 5}, "NUMBER_VALUE can not be converted to a String"),
    ("GetId", {"IdentityPoolId": True}, "TRUE_VALUE can not be converted to a String"),
    ("GetId", {"IdentityPoolId": POOL_ID, "Logins": ["a"]}, "Start of list found where not expected"),
    ("GetId", {"IdentityPoolId": POOL_ID, "Logins": {"p": 1}},
     "NUMBER_VALUE can not be converted to a String"),
    ("ListIdentityPools", {"MaxResults": "10"}, "STRING_VALUE can not be converted to an Integer"),
    ("ListIdentityPools", {"MaxResults": True}, "TRUE_VALUE can not be converted to an Integer"),
    ("ListIdentityPools", {"MaxResults": 1.5}, "NUMBER_VALUE can not be converted to an Integer"),
    ("GetOpenIdTokenForDeveloperIdentity", {"IdentityPoolId": POOL_ID, "Logins": {}, "TokenDuration": "900"},
     "STRING_VALUE can not be converted to a Long"),
    ("CreateIdentityPool", {"IdentityPoolName": "p", "AllowUnauthenticatedIdentities": "true"},
     "STRING_VALUE can not be converted to a Boolean"),
    ("CreateIdentityPool", {"IdentityPoolName": "p", "AllowUnauthenticatedIdentities": 0},
     "NUMBER_VALUE can not be converted to a Boolean"),
    ("DeleteIdentities", {"IdentityIdsToDelete": IDENTITY_ID}, "STRING_VALUE can not be converted to a List"),
    ("DeleteIdentities", {"IdentityIdsToDelete": {}}, "Start of structure or map found where not expected."),
    ("SetIdentityPoolRoles", {"IdentityPoolId": POOL_ID, "Roles": "x"},
     "STRING_VALUE can not be converted to a Map"),
    ("SetIdentityPoolRoles", {"IdentityPoolId": POOL_ID, "Roles": {}, "RoleMappings": {"p": False}},
     "FALSE_VALUE can not be converted to a Structure"),
])
def test_type_mismatches_raise_serialization_exception(validator: Validator, operation: str, params: object,
                                                       message: str) -> None:
    assert type_error_of(validator, operation, params) == message


def test_type_error_wins_over_collected_constraint_violations(validator: Validator) -> None:
    params = {"IdentityPoolName": "", "AllowUnauthenticatedIdentities": "yes"}
    assert type_error_of(validator, "CreateIdentityPool", params) == (
        "STRING_VALUE can not be converted to a Boolean")


# --- other services ------------------------------------------------------------------------------

def test_sts_role_session_name_pattern_with_query_error_class() -> None:
    sts = Validator(load_service_model("sts"), constraint_error=errors.ValidationError)
    params = {"RoleArn": ROLE_ARN, "RoleSessionName": "bad name!", "WebIdentityToken": "a.b.c"}
    with pytest.raises(errors.ValidationError) as caught:
        sts.validate("AssumeRoleWithWebIdentity", params)
    assert caught.value.code == "ValidationError"
    assert caught.value.message == (
        "1 validation error detected: Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: "
        r"Member must satisfy regular expression pattern: [\w+=,.@-]*")


def test_sts_web_identity_token_is_sensitive() -> None:
    sts = Validator(load_service_model("sts"), constraint_error=errors.ValidationError)
    params = {"RoleArn": ROLE_ARN, "RoleSessionName": "session", "WebIdentityToken": "secret" * 5000}
    with pytest.raises(errors.ValidationError) as caught:
        sts.validate("AssumeRoleWithWebIdentity", params)
    assert "secret" not in caught.value.message
    assert caught.value.message.startswith("1 validation error detected: Value at 'webIdentityToken' ")


def test_iam_role_name_too_long_with_query_error_class() -> None:
    iam = Validator(load_service_model("iam"), constraint_error=errors.ValidationError)
    params = {"RoleName": "r" * 65, "AssumeRolePolicyDocument": "{}"}
    with pytest.raises(errors.ValidationError) as caught:
        iam.validate("CreateRole", params)
    assert caught.value.message == (
        f"1 validation error detected: Value '{'r' * 65}' at 'roleName' failed to satisfy constraint: "
        "Member must have length less than or equal to 64")


@pytest.mark.parametrize("service", ["sts", "iam"])
def test_every_operation_of_query_services_compiles(service: str) -> None:
    model = load_service_model(service)
    checker = Validator(model, constraint_error=errors.ValidationError)
    for operation in model.operation_names:
        shape = model.operation_model(operation).input_shape
        if shape is None or not shape.required_members:
            checker.validate(operation, {})
        else:
            with pytest.raises(errors.ValidationError, match="Member must not be null"):
                checker.validate(operation, {})
