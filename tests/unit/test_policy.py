"""Trust-policy evaluation: IAM semantics for web-identity federation (cognito_desk.core.policy)."""

from __future__ import annotations

import json

import pytest

from cognito_desk.core import errors
from cognito_desk.core.policy import PolicyDecision, evaluate_trust_policy, parse_policy

POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
OTHER_POOL = "us-east-1:11111111-1111-1111-1111-111111111111"
COGNITO = "cognito-identity.amazonaws.com"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"

# Reference §5.7 example, verbatim.
EXAMPLE = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": COGNITO},
        "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
        "Condition": {
            "StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
            "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
        },
    }],
})


def context(aud: str = POOL, amr: tuple[str, ...] = ("authenticated", "graph.facebook.com",
                                                     "graph.facebook.com:123:456"), **extra) -> dict:
    return {"cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": list(amr),
            "cognito-identity.amazonaws.com:sub": "us-east-1:abcd", **extra}


def evaluate(document, ctx=None, *, action: str = WEB_IDENTITY, principal: str = COGNITO) -> PolicyDecision:
    return evaluate_trust_policy(document, federated_principal=principal, action=action,
                                 context=context() if ctx is None else ctx)


def statement(condition=None, *, effect="Allow", action=WEB_IDENTITY, principal=None, **fields) -> dict:
    body = {"Effect": effect, "Principal": principal or {"Federated": COGNITO}, "Action": action, **fields}
    if condition is not None:
        body["Condition"] = condition
    return body


def policy(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allowed_with(condition, ctx) -> bool:
    return evaluate(policy(statement(condition)), ctx).allowed


# --- the reference example -------------------------------------------------------------------

def test_example_allows_the_right_pool_for_authenticated_identities():
    decision = evaluate(EXAMPLE)
    assert decision == PolicyDecision(True, False, decision.reasons)
    assert decision.reasons[0].startswith("statement 1 (Allow): applies")
    assert decision.reasons[-1] == f"{WEB_IDENTITY} is allowed"


def test_example_denies_another_pools_aud_and_names_the_failed_condition():
    decision = evaluate(EXAMPLE, context(aud=OTHER_POOL))
    assert not decision.allowed and not decision.explicit_deny
    assert decision.reasons[0] == (
        f"statement 1 (Allow): condition StringEquals cognito-identity.amazonaws.com:aud expected "
        f"'{POOL}', request has '{OTHER_POOL}'")
    assert decision.reasons[-1] == f"no statement allows {WEB_IDENTITY}: implicit deny"


def test_example_denies_guests_amr_unauthenticated():
    decision = evaluate(EXAMPLE, context(amr=("unauthenticated",)))
    assert not decision.allowed
    assert "ForAnyValue:StringLike cognito-identity.amazonaws.com:amr expected 'authenticated', " \
           "request has 'unauthenticated'" in decision.reasons[0]


def test_guest_role_policy_allows_unauthenticated_and_refuses_authenticated():
    amr = {"cognito-identity.amazonaws.com:amr": "unauthenticated"}
    doc = policy(statement({"StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
                            "ForAnyValue:StringLike": amr}))
    assert evaluate(doc, context(amr=("unauthenticated",))).allowed
    assert not evaluate(doc).allowed


def test_aud_list_shares_a_role_between_pools():
    condition = {"StringEquals": {"cognito-identity.amazonaws.com:aud": [OTHER_POOL, POOL]}}
    assert allowed_with(condition, context())
    assert not allowed_with(condition, context(aud="us-east-1:22222222-2222-2222-2222-222222222222"))


def test_amr_provider_restriction_with_wildcards():
    condition = {"ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "graph.facebook.com:*:4?6"}}
    assert allowed_with(condition, context())
    assert not allowed_with(condition, context(amr=("authenticated", "accounts.google.com")))


# --- principal and action ----------------------------------------------------------------------

def test_assume_role_action_does_not_allow_web_identity():
    decision = evaluate(policy(statement(action="sts:AssumeRole")))
    assert not decision.allowed
    assert decision.reasons[0] == \
        f"statement 1 (Allow): Action 'sts:AssumeRole' does not cover {WEB_IDENTITY}"


@pytest.mark.parametrize("pattern", ["sts:*", "STS:assumerolewith*", "sts:AssumeRoleWith???Identity", "*",
                                     ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]])
def test_wildcard_and_case_insensitive_actions(pattern):
    assert evaluate(policy(statement(action=pattern))).allowed


def test_not_action():
    def not_action(pattern):
        return policy({"Effect": "Allow", "Principal": {"Federated": COGNITO}, "NotAction": pattern})

    assert evaluate(not_action("sts:TagSession")).allowed
    refused = evaluate(not_action("sts:Assume*"))
    assert not refused.allowed
    assert refused.reasons[0] == f"statement 1 (Allow): NotAction excludes {WEB_IDENTITY}"


@pytest.mark.parametrize("principal, allowed", [
    ("*", True),
    ({"AWS": "*"}, True),
    ({"Federated": [OTHER_POOL, COGNITO]}, True),
    ({"Federated": "accounts.google.com"}, False),
    ({"Service": "lambda.amazonaws.com"}, False),
    ({"AWS": "arn:aws:iam::123456789012:root"}, False),
])
def test_principal_kinds(principal, allowed):
    assert evaluate(policy(statement(principal=principal))).allowed is allowed


def test_oidc_provider_principal():
    arn = "arn:aws:iam::123456789012:oidc-provider/idp.example.com"
    doc = policy(statement({"StringEquals": {"idp.example.com:aud": "client-1"}},
                           principal={"Federated": arn}))
    assert evaluate(doc, {"idp.example.com:aud": "client-1"}, principal=arn).allowed
    assert not evaluate(doc, {"idp.example.com:aud": "client-1"}).allowed


def test_not_principal():
    doc = policy({"Effect": "Deny", "NotPrincipal": {"Federated": COGNITO}, "Action": "sts:*"},
                 statement(principal="*"))
    assert evaluate(doc).allowed
    other = evaluate(doc, principal="accounts.google.com")
    assert not other.allowed and other.explicit_deny


# --- deny ----------------------------------------------------------------------------------------

def test_explicit_deny_beats_allow():
    doc = policy(statement(Sid="AllowPool"),
                 statement({"StringEquals": {"cognito-identity.amazonaws.com:sub": "us-east-1:abcd"}},
                           effect="Deny", Sid="BlockOne"))
    decision = evaluate(doc)
    assert decision.allowed is False and decision.explicit_deny is True
    assert decision.reasons[1].startswith("statement 2 'BlockOne' (Deny): applies")
    assert decision.reasons[-1] == f"{WEB_IDENTITY} is explicitly denied"
    assert evaluate(doc, context() | {"cognito-identity.amazonaws.com:sub": "us-east-1:other"}).allowed


def test_deny_only_policy_is_not_an_allow():
    decision = evaluate(policy(statement(effect="Deny", action="sts:TagSession")))
    assert not decision.allowed and not decision.explicit_deny


def test_typo_in_condition_key_is_refused():
    doc = policy(statement({"ForAnyValue:StringLike": {"cognito-identity.amazon.com:amr": "authenticated"}}))
    decision = evaluate(doc)
    assert not decision.allowed
    assert "cognito-identity.amazon.com:amr expected 'authenticated', request has no such key" \
        in decision.reasons[0]


def test_condition_keys_are_case_insensitive_values_are_not():
    assert allowed_with({"StringEquals": {"Cognito-Identity.AmazonAWS.com:AUD": POOL}}, context())
    assert not allowed_with({"StringEquals": {"cognito-identity.amazonaws.com:aud": POOL.upper()}}, context())


# --- TagSession ----------------------------------------------------------------------------------

def test_tag_session_is_evaluated_as_a_separate_action_when_tags_are_passed():
    """The caller checks AssumeRoleWithWebIdentity, and also sts:TagSession when session tags are passed."""
    without_tag_session = policy(statement({"StringEquals": {"cognito-identity.amazonaws.com:aud": POOL}}))
    tags = context(**{"aws:RequestTag/username": "alice", "aws:TagKeys": ["username"]})

    def may_assume(document) -> bool:
        actions = (WEB_IDENTITY, "sts:TagSession")
        return all(evaluate(document, tags, action=action).allowed for action in actions)

    assert evaluate(without_tag_session, tags).allowed
    assert not evaluate(without_tag_session, tags, action="sts:TagSession").allowed
    assert not may_assume(without_tag_session)
    assert may_assume(EXAMPLE)


def test_request_tag_conditions():
    condition = {"StringEquals": {"aws:RequestTag/department": "eng"},
                 "ForAllValues:StringEquals": {"aws:TagKeys": ["department", "username"]}}
    def tags(department, keys):
        return {"aws:RequestTag/department": department, "aws:TagKeys": keys}

    assert allowed_with(condition, tags("eng", ["department"]))
    assert not allowed_with(condition, tags("eng", ["department", "x"]))
    assert not allowed_with(condition, tags("ops", ["department"]))


# --- condition operators ---------------------------------------------------------------------------

@pytest.mark.parametrize("operator, value, request_value, expected", [
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),
    ("StringNotEquals", "abc", "abd", True),
    ("StringNotEquals", "abc", "abc", False),
    ("StringEqualsIgnoreCase", "abc", "ABC", True),
    ("StringEqualsIgnoreCase", "abc", "abd", False),
    ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
    ("StringNotEqualsIgnoreCase", "abc", "xyz", True),
    ("StringLike", "a*c", "abbbc", True),
    ("StringLike", "a?c", "abbc", False),
    ("StringLike", "a.c", "abc", False),
    ("StringLike", "A*", "abc", False),
    ("StringNotLike", "a*", "abc", False),
    ("StringNotLike", "b*", "abc", True),
    ("Bool", "true", "true", True),
    ("Bool", "TRUE", "true", True),
    ("Bool", "false", "true", False),
    ("ArnLike", "arn:aws:iam::*:role/x", "arn:aws:iam::123456789012:role/x", True),
    ("ArnNotEquals", "arn:aws:iam::*:role/x", "arn:aws:iam::123456789012:role/x", False),
])
def test_operators(operator, value, request_value, expected):
    assert allowed_with({operator: {"k": value}}, {"k": request_value}) is expected


def test_values_for_one_key_are_or_and_keys_and_operators_are_and():
    condition = {"StringEquals": {"a": ["1", "2"], "b": "3"}, "StringLike": {"c": "x*"}}
    assert allowed_with(condition, {"a": "2", "b": "3", "c": "xy"})
    assert not allowed_with(condition, {"a": "2", "b": "4", "c": "xy"})
    assert not allowed_with(condition, {"a": "2", "b": "3", "c": "yx"})


def test_negated_operator_with_several_values_is_nor():
    condition = {"StringNotEquals": {"k": ["a", "b"]}}
    assert allowed_with(condition, {"k": "c"})
    assert not allowed_with(condition, {"k": "b"})


def test_missing_key_fails_positive_and_passes_negated_operators():
    assert not allowed_with({"StringEquals": {"k": "a"}}, {})
    assert not allowed_with({"StringLike": {"k": "*"}}, {})
    assert allowed_with({"StringNotEquals": {"k": "a"}}, {})
    assert allowed_with({"StringNotLike": {"k": "a*"}}, {})


def test_if_exists():
    condition = {"StringEqualsIfExists": {"k": "a"}}
    assert allowed_with(condition, {})
    assert allowed_with(condition, {"k": "a"})
    assert not allowed_with(condition, {"k": "b"})
    assert allowed_with({"ForAnyValue:StringLikeIfExists": {"k": "a*"}}, {})


@pytest.mark.parametrize("value, ctx, expected", [
    ("true", {}, True),
    ("true", {"k": "a"}, False),
    ("false", {"k": "a"}, True),
    ("false", {}, False),
    (True, {"k": []}, True),
])
def test_null(value, ctx, expected):
    assert allowed_with({"Null": {"k": value}}, ctx) is expected


def test_for_all_values_on_missing_or_empty_key_is_true():
    condition = {"ForAllValues:StringEquals": {"aws:TagKeys": ["username"]}}
    assert allowed_with(condition, {})
    assert allowed_with(condition, {"aws:TagKeys": []})
    assert allowed_with(condition, {"aws:TagKeys": ["username"]})
    assert not allowed_with(condition, {"aws:TagKeys": ["username", "other"]})


def test_for_any_value_on_missing_or_empty_key_is_false():
    condition = {"ForAnyValue:StringEquals": {"aws:TagKeys": "username"}}
    assert not allowed_with(condition, {})
    assert not allowed_with(condition, {"aws:TagKeys": []})
    assert allowed_with(condition, {"aws:TagKeys": ["other", "username"]})


def test_negated_set_operators_apply_per_request_value():
    assert allowed_with({"ForAnyValue:StringNotEquals": {"k": "a"}}, {"k": ["a", "b"]})
    assert not allowed_with({"ForAllValues:StringNotEquals": {"k": "a"}}, {"k": ["a", "b"]})
    assert allowed_with({"ForAllValues:StringNotEquals": {"k": "a"}}, {"k": ["b", "c"]})


def test_plain_operator_on_multivalued_key_matches_any_value_and_negation_needs_none():
    amr = context()
    assert allowed_with({"StringEquals": {"cognito-identity.amazonaws.com:amr": "authenticated"}}, amr)
    assert not allowed_with({"StringEquals": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}, amr)
    assert not allowed_with({"StringNotEquals": {"cognito-identity.amazonaws.com:amr": "authenticated"}}, amr)
    assert allowed_with({"StringNotEquals": {"cognito-identity.amazonaws.com:amr": "unauthenticated"}}, amr)


def test_trust_policy_shares_every_operator_family_with_the_permission_evaluator():
    assert evaluate(policy(statement({"NumericLessThan": {"k": "3"}})), {"k": "1"}).allowed
    decision = evaluate(policy(statement({"NumericLessThan": {"k": "3"}})), {"k": "4"})
    assert not decision.allowed
    assert "condition NumericLessThan k expected '3', request has '4'" in decision.reasons[0]
    assert evaluate(policy(statement({"IpAddress": {"k": "10.0.0.0/8"}})), {"k": "10.1.2.3"}).allowed


# --- malformed documents ---------------------------------------------------------------------------

@pytest.mark.parametrize("document, message", [
    ("{not json", "Syntax errors in policy."),
    ("[]", "Syntax errors in policy."),
    ({"Version": "2012-10-17"}, "Missing required field Statement"),
    ({"Version": "2013-01-01", "Statement": []}, "The policy must contain a valid version string"),
    (policy(), "Syntax errors in policy."),
    (policy({"Effect": "Allow", "Action": WEB_IDENTITY}), "Missing required field Principal"),
    (policy({"Effect": "Allow", "Principal": "*"}), "Missing required field Action"),
    (policy(statement(effect="allow")), "Invalid effect: allow"),
    (policy(statement(Resource="*")), "Has prohibited field Resource"),
    (policy(statement(Bogus=1)), "Unknown field Bogus"),
    (policy(statement({"StringEqual": {"k": "v"}})), "Invalid Condition type : StringEqual"),
    (policy(statement({"StringEquals": {"k": {"nested": 1}}})), "Syntax errors in policy."),
    (policy(statement(principal={"Federated": 5})), "Invalid value for field Principal.Federated"),
])
def test_malformed_documents(document, message):
    with pytest.raises(errors.MalformedPolicyDocument) as caught:
        evaluate(document)
    assert caught.value.code == "MalformedPolicyDocument"
    assert caught.value.message == message


def test_parse_policy_normalises_a_single_statement_object():
    parsed = parse_policy(json.dumps({"Statement": statement()}))
    assert parsed["Statement"] == [statement()]
    assert evaluate(parsed).allowed
