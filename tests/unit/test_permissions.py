"""The IAM permission evaluator (cognito_desk.core.permissions): AWS's documented identity-policy logic."""

from __future__ import annotations

import json

import pytest

from cognito_desk.core import errors
from cognito_desk.core.permissions import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Policy, Request, evaluate
from cognito_desk.core.permissions.identity import IdentityFacts, request_context

IDENTITY = "us-east-1:0c04a1b2-0000-4000-8000-000000000001"
BUCKET = "arn:aws:s3:::photos"


def doc(*statements: dict, version: str | None = "2012-10-17") -> dict:
    document: dict = {"Statement": list(statements)}
    if version:
        document["Version"] = version
    return document


def allow(action="s3:GetObject", resource="*", condition=None, **extra) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if condition:
        statement["Condition"] = condition
    return statement


def decide(document, action="s3:GetObject", resource=f"{BUCKET}/a", context=None, **kw) -> str:
    return evaluate([Policy("p", document)], Request(action, resource, context or {}), **kw).decision


def cond(operator: str, key: str, values, context) -> bool:
    return decide(doc(allow(condition={operator: {key: values}})), context=context) == ALLOWED


# --- effects, actions, resources ---------------------------------------------------------------------

def test_explicit_deny_wins_over_allow_and_no_allow_is_implicit_deny():
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": f"{BUCKET}/secret/*"}
    document = doc(allow("s3:*"), deny)
    assert decide(document, resource=f"{BUCKET}/a") == ALLOWED
    assert decide(document, resource=f"{BUCKET}/secret/x") == EXPLICIT_DENY
    assert decide(doc(allow("s3:GetObject")), action="s3:PutObject") == IMPLICIT_DENY


def test_actions_match_case_insensitively_with_wildcards_and_not_action():
    assert decide(doc(allow("S3:get*")), action="s3:GetObject") == ALLOWED
    assert decide(doc(allow("s3:Get?bject")), action="s3:getobject") == ALLOWED
    assert decide(doc(allow("s3:Get?bject")), action="s3:GetXXbject") == IMPLICIT_DENY
    not_action = {"Effect": "Allow", "NotAction": "s3:Delete*", "Resource": "*"}
    assert decide(doc(not_action), action="s3:GetObject") == ALLOWED
    assert decide(doc(not_action), action="s3:DeleteObject") == IMPLICIT_DENY


def test_resources_match_case_sensitively_segment_by_segment():
    assert decide(doc(allow(resource=f"{BUCKET}/*"))) == ALLOWED
    assert decide(doc(allow(resource="arn:aws:s3:::Photos/*"))) == IMPLICIT_DENY
    assert decide(doc(allow(resource="arn:aws:s3:::photos/?"))) == ALLOWED
    # the resource part keeps its colons; a '*' inside a segment does not cross a colon, one ending a segment
    # may (IAM User Guide, "IAM JSON policy elements: Resource", using wildcards in resource ARNs)
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/t"
    assert decide(doc(allow("dynamodb:*", "arn:aws:dynamodb:*:*:table/t")), "dynamodb:GetItem", table) == ALLOWED
    assert decide(doc(allow("dynamodb:*", "arn:aws:dynamodb:*:table/t")), "dynamodb:GetItem", table) == ALLOWED
    assert decide(doc(allow("dynamodb:*", "arn:aws:dynamodb:us-*1:table/t")), "dynamodb:GetItem", table) \
        == IMPLICIT_DENY
    assert decide(doc(allow("dynamodb:*", "arn:aws:dynamodb")), "dynamodb:GetItem", table) == IMPLICIT_DENY
    assert decide(doc(allow("s3:*", "arn:aws:s3:*")), "s3:GetObject", f"{BUCKET}/a") == ALLOWED
    arn = doc(allow(condition={"ArnLike": {"aws:SourceArn": "arn:aws:dynamodb:*:table/t"}}))
    assert decide(arn, context={"aws:SourceArn": table}) == IMPLICIT_DENY  # conditions: six separate segments
    not_resource = {"Effect": "Allow", "Action": "s3:*", "NotResource": f"{BUCKET}/private/*"}
    assert decide(doc(not_resource), resource=f"{BUCKET}/public/x") == ALLOWED
    assert decide(doc(not_resource), resource=f"{BUCKET}/private/x") == IMPLICIT_DENY


# --- condition operators -----------------------------------------------------------------------------

@pytest.mark.parametrize("operator, values, request_value, expected", [
    ("StringEquals", "abc", "abc", True), ("StringEquals", "abc", "ABC", False),
    ("StringNotEquals", ["a", "b"], "c", True), ("StringNotEquals", ["a", "b"], "b", False),
    ("StringEqualsIgnoreCase", "abc", "ABC", True), ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
    ("StringLike", "a*c?", "abbcd", True), ("StringLike", "a*", "Abc", False), ("StringNotLike", "a*", "bcd", True),
    ("NumericEquals", "10", "10.0", True), ("NumericNotEquals", "10", "11", True),
    ("NumericLessThan", "10", "9", True), ("NumericLessThanEquals", "10", "10", True),
    ("NumericGreaterThan", "10", "10", False), ("NumericGreaterThanEquals", "10", "11", True),
    ("NumericEquals", "10", "ten", False),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2021-06-01T00:00:00Z", True),
    ("DateLessThan", "2020-01-01T00:00:00Z", "1577836700", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00+00:00", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateLessThanEquals", "2020-01-01", "not a date", False),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z", True),
    ("Bool", "true", "TRUE", True), ("Bool", True, "false", False),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True), ("BinaryEquals", "QmluYXJ5", "QmluYXJ6", False),
    ("IpAddress", "203.0.113.0/24", "203.0.113.7", True), ("IpAddress", "203.0.113.0/24", "198.51.100.1", False),
    ("NotIpAddress", ["10.0.0.0/8", "2001:db8::/32"], "2001:db8::1", False),
    ("NotIpAddress", "10.0.0.0/8", "11.0.0.1", True),
    ("ArnEquals", "arn:aws:iam::*:role/r?", "arn:aws:iam::123456789012:role/r1", True),
    ("ArnLike", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:user/u", False),
    ("ArnNotLike", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:user/u", True),
    ("ArnNotEquals", "arn:aws:iam::*:role/*", "arn:aws:iam::1:role/x", False),
])
def test_every_operator_family(operator, values, request_value, expected):
    assert cond(operator, "k", values, {"k": request_value}) is expected


def test_context_values_may_be_json_scalars():
    assert cond("NumericLessThan", "n", "3", {"n": 2}) and cond("Bool", "b", "true", {"b": True})
    assert cond("ForAnyValue:NumericEquals", "n", "7", {"n": [1, 7]})


def test_missing_keys_if_exists_and_null():
    assert not cond("StringEquals", "k", "a", {})
    assert cond("StringNotEquals", "k", "a", {})          # a negated operator holds for a missing key
    assert cond("NumericLessThanIfExists", "k", "3", {})
    assert not cond("NumericLessThanIfExists", "k", "3", {"k": "4"})
    assert cond("Null", "k", "true", {}) and not cond("Null", "k", "true", {"k": "x"})
    assert cond("Null", "k", "false", {"k": "x"}) and not cond("Null", "k", "false", {})


def test_set_qualifiers_and_their_empty_set_rules():
    tags = {"aws:TagKeys": ["env", "team"]}
    assert cond("ForAllValues:StringEquals", "aws:TagKeys", ["env", "team", "x"], tags)
    assert not cond("ForAllValues:StringEquals", "aws:TagKeys", ["env"], tags)
    assert cond("ForAnyValue:StringEquals", "aws:TagKeys", ["env"], tags)
    assert not cond("ForAnyValue:StringEquals", "aws:TagKeys", ["x"], tags)
    # ForAllValues holds on a missing or empty key, ForAnyValue does not
    assert cond("ForAllValues:StringEquals", "aws:TagKeys", ["x"], {})
    assert cond("ForAllValues:StringEquals", "aws:TagKeys", ["x"], {"aws:TagKeys": []})
    assert not cond("ForAnyValue:StringEquals", "aws:TagKeys", ["x"], {})
    assert not cond("ForAnyValue:StringEquals", "aws:TagKeys", ["x"], {"aws:TagKeys": []})
    assert cond("ForAnyValue:StringNotEquals", "aws:TagKeys", ["env"], tags)
    assert not cond("ForAllValues:StringNotEquals", "aws:TagKeys", ["env"], tags)


def test_keys_and_operators_are_anded_values_ored():
    condition = {"StringEquals": {"a": ["1", "2"], "b": "x"}, "StringLike": {"c": "z*"}}
    document = doc(allow(condition=condition))
    assert decide(document, context={"a": "2", "b": "x", "c": "zz"}) == ALLOWED
    assert decide(document, context={"a": "3", "b": "x", "c": "zz"}) == IMPLICIT_DENY
    assert decide(document, context={"a": "1", "b": "x", "c": "y"}) == IMPLICIT_DENY


# --- policy variables ----------------------------------------------------------------------------

SUB = "cognito-identity.amazonaws.com:sub"
OWN = f"{BUCKET}/${{{SUB}}}/*"


def test_variables_substitute_in_the_resource_part_only_in_version_2012():
    ctx = {SUB: IDENTITY}
    assert decide(doc(allow(resource=OWN)), resource=f"{BUCKET}/{IDENTITY}/x", context=ctx) == ALLOWED
    assert decide(doc(allow(resource=OWN)), resource=f"{BUCKET}/someone/x", context=ctx) == IMPLICIT_DENY
    for version in (None, "2008-10-17"):   # not substituted: the literal text never matches
        assert decide(doc(allow(resource=OWN), version=version), resource=f"{BUCKET}/{IDENTITY}/x",
                      context=ctx) == IMPLICIT_DENY
    # before the fifth colon a variable stays literal text
    region = "arn:aws:s3:${aws:RequestedRegion}::photos/*"
    assert decide(doc(allow(resource=region)), context={"aws:RequestedRegion": ""}) == IMPLICIT_DENY


def test_missing_variable_makes_the_element_not_match_and_says_so():
    result = evaluate([Policy("own", doc(allow(resource=OWN)))], Request("s3:GetObject", f"{BUCKET}/x/y", {}))
    assert result.decision == IMPLICIT_DENY
    assert f"${{{SUB}}} has no value in this request" in result.statements[0].reason
    tagged = doc(allow(condition={"StringEquals": {"s3:prefix": "${aws:PrincipalTag/team}"}}))
    result = evaluate([Policy("t", tagged)], Request("s3:GetObject", "*", {"s3:prefix": ""}))
    assert result.decision == IMPLICIT_DENY
    assert result.statements[0].conditions[0].missing_variables == ("${aws:PrincipalTag/team}",)


def test_unresolvable_variable_in_not_resource_voids_the_statement_only_if_it_could_cover():
    # IAM: a variable it cannot resolve can make the entire statement invalid (User Guide, policy variables)
    deny = {"Effect": "Deny", "Action": "s3:*", "NotResource": f"{BUCKET}/${{aws:PrincipalTag/team}}/*"}
    document = doc(allow("s3:*"), deny)
    result = evaluate([Policy("p", document)], Request("s3:GetObject", f"{BUCKET}/red/x", {}))
    assert result.decision == ALLOWED and "cannot be resolved" in result.statements[1].reason
    # an entry for another service can never cover an s3 object, whatever the variable: the Deny applies
    other = {"Effect": "Deny", "Action": "s3:*",
             "NotResource": "arn:aws:dynamodb:us-east-1:1:table/${aws:PrincipalTag/table}"}
    assert decide(doc(allow("s3:*"), other), resource=f"{BUCKET}/red/x") == EXPLICIT_DENY


def test_defaults_escapes_and_values_are_literal():
    default = doc(allow(resource=f"{BUCKET}/${{aws:PrincipalTag/team, 'shared'}}/*"))
    assert decide(default, resource=f"{BUCKET}/shared/x") == ALLOWED
    assert decide(default, resource=f"{BUCKET}/red/x", context={"aws:PrincipalTag/team": "red"}) == ALLOWED
    escaped = doc(allow(resource=f"{BUCKET}/a${{*}}b${{?}}${{$}}"))
    assert decide(escaped, resource=f"{BUCKET}/a*b?$") == ALLOWED
    assert decide(escaped, resource=f"{BUCKET}/aXXbY$") == IMPLICIT_DENY
    # a '*' that comes from the request is literal, not a wildcard
    assert decide(doc(allow(resource=OWN)), resource=f"{BUCKET}/anything/x", context={SUB: "*"}) == IMPLICIT_DENY


def test_variables_in_string_and_arn_conditions_but_not_numeric():
    arn = doc(allow(condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/${aws:PrincipalTag/r}"}}))
    ctx = {"aws:PrincipalArn": "arn:aws:iam::1:role/admin", "aws:PrincipalTag/r": "admin"}
    assert decide(arn, context=ctx) == ALLOWED
    numeric = doc(allow(condition={"NumericEquals": {"n": "${aws:PrincipalTag/n}"}}))
    assert decide(numeric, context={"n": "3", "aws:PrincipalTag/n": "3"}) == IMPLICIT_DENY
    like = doc(allow(condition={"StringLike": {"s3:prefix": "${cognito-identity.amazonaws.com:sub}/*"}}))
    assert decide(like, context={SUB: IDENTITY, "s3:prefix": f"{IDENTITY}/docs"}) == ALLOWED


# --- session policies, explanation, malformed documents ----------------------------------------------

def test_session_policy_intersects():
    role = [Policy("role", doc(allow("s3:*")))]
    session = [Policy("session", doc(allow("s3:GetObject")), "session")]
    read = evaluate(role, Request("s3:GetObject", f"{BUCKET}/a", {}), session_policies=session)
    write = evaluate(role, Request("s3:PutObject", f"{BUCKET}/a", {}), session_policies=session)
    assert read.decision == ALLOWED
    assert write.decision == IMPLICIT_DENY and "session policy does not" in write.summary
    deny = [Policy("session", doc({"Effect": "Deny", "Action": "*", "Resource": "*"}), "session")]
    assert evaluate(role, Request("s3:GetObject", "x", {}), session_policies=deny).decision == EXPLICIT_DENY
    # the session policy cannot widen what the role allows
    wide = [Policy("session", doc(allow("*")), "session")]
    assert evaluate(role, Request("sqs:SendMessage", "x", {}), session_policies=wide).decision == IMPLICIT_DENY


def test_explanation_names_the_deciding_statement_and_why_others_did_not_apply():
    document = doc(allow("s3:ListBucket", Sid="List"),
                   allow(resource=OWN, Sid="Own", condition={"StringEquals": {"aws:PrincipalTag/team": "red"}}),
                   {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    ctx = {SUB: IDENTITY, "aws:PrincipalTag/team": "red"}
    result = evaluate([Policy("photos", document, "managed")],
                      Request("s3:GetObject", f"{BUCKET}/{IDENTITY}/x", ctx))
    assert result.decision == ALLOWED
    (deciding,) = result.deciding
    assert (deciding.policy, deciding.index, deciding.sid, deciding.kind) == ("photos", 1, "Own", "managed")
    assert deciding.conditions[0].request_values == ("red",) and deciding.conditions[0].holds
    reasons = [s.reason for s in result.statements if not s.applies]
    assert reasons == ["Action 's3:ListBucket' does not cover s3:GetObject",
                       "Action 's3:DeleteObject' does not cover s3:GetObject"]


@pytest.mark.parametrize("document, message", [
    ("{", "Syntax errors in policy."),
    ({"Version": "2010-01-01", "Statement": [allow()]}, "The policy must contain a valid version string"),
    (doc({"Effect": "Allow", "Resource": "*"}), "Policy statement must contain actions."),
    (doc({"Effect": "Allow", "Action": "*"}), "Policy statement must contain resources."),
    (doc(allow(Principal="*")), "Policy document should not specify a principal."),
    (doc(allow(condition={"StringEqualz": {"k": "v"}})), "Invalid Condition type : StringEqualz"),
    (doc({"Effect": "Maybe", "Action": "*", "Resource": "*"}), "Invalid effect: Maybe"),
])
def test_malformed_documents_are_refused_with_iams_message(document, message):
    with pytest.raises(errors.MalformedPolicyDocument) as raised:
        evaluate([Policy("bad", json.dumps(document) if isinstance(document, dict) else document)],
                 Request("s3:GetObject"))
    assert message in str(raised.value)


def test_identity_context_for_cognito_credentials():
    facts = IdentityFacts(IDENTITY, "us-east-1:pool", logins=("graph.facebook.com",),
                          role_arn="arn:aws:iam::123456789012:role/Auth", role_id="AROAEXAMPLE",
                          principal_tags={"team": "red"})
    ctx = request_context(facts)
    assert ctx[SUB] == IDENTITY and ctx["cognito-identity.amazonaws.com:aud"] == "us-east-1:pool"
    assert ctx["cognito-identity.amazonaws.com:amr"] == ["authenticated", "graph.facebook.com"]
    assert ctx["aws:userid"] == "AROAEXAMPLE:CognitoIdentityCredentials"
    assert ctx["aws:PrincipalTag/team"] == "red"
    assert "aws:username" not in ctx and "graph.facebook.com:id" not in ctx
    direct = request_context(IdentityFacts(IDENTITY, "", direct_provider="graph.facebook.com",
                                           provider_claims={"id": "1234"}))
    assert direct["graph.facebook.com:id"] == "1234" and SUB not in direct
    username = doc(allow(resource=f"{BUCKET}/${{aws:username}}/*"))
    assert decide(username, resource=f"{BUCKET}/x/y", context=ctx) == IMPLICIT_DENY
