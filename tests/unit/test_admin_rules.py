"""The Roles & rules form (cognito_desk.admin.rules) and the principal-tag form: limits, order, what a save sends,
and AWS's checks before saving."""

from __future__ import annotations

import pytest

from cognito_desk.admin.principal_tags import PrincipalTagMap, session_tags
from cognito_desk.admin.rules import LimitReached, RoleMapping, RolesForm, Rule

POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
ROLE = "arn:aws:iam::123456789012:role/admins"
AUTH = "arn:aws:iam::123456789012:role/auth"


def form_with_rules(count: int) -> tuple[RolesForm, RoleMapping]:
    form = RolesForm(POOL, {"authenticated": AUTH})
    mapping = form.add_mapping("accounts.google.com")
    for n in range(count):
        mapping.add_rule(Rule("groups", "Equals", f"g{n}", ROLE))
    return form, mapping


def test_round_trip_through_the_api_shapes():
    answer = {"IdentityPoolId": POOL, "Roles": {"authenticated": AUTH},
              "RoleMappings": {"accounts.google.com": {
                  "Type": "Rules", "AmbiguousRoleResolution": "Deny",
                  "RulesConfiguration": {"Rules": [{"Claim": "hd", "MatchType": "Equals", "Value": "example.com",
                                                    "RoleARN": ROLE}]}},
                  "graph.facebook.com": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}}
    form = RolesForm.from_api(answer)
    assert form.to_request() == {k: v for k, v in answer.items()}
    assert form.problems() == []


def test_the_26th_rule_is_refused_and_nothing_is_lost():
    form, mapping = form_with_rules(25)
    with pytest.raises(LimitReached, match="at most 25 rules"):
        mapping.add_rule()
    assert len(mapping.rules) == 25 and form.problems() == []


def test_more_than_25_rules_from_elsewhere_are_reported_as_aws_would():
    form, mapping = form_with_rules(25)
    mapping.rules.append(Rule("groups", "Equals", "x", ROLE))
    assert [(p.code, p.message) for p in form.problems()] == [(
        "InvalidParameterException", "Role mapping 'accounts.google.com' has 26 rules; at most 25 rules are allowed "
        "per identity provider.")]


def test_the_11th_mapping_is_refused():
    form = RolesForm(POOL)
    for n in range(10):
        form.add_mapping(f"cognito-idp.us-east-1.amazonaws.com/us-east-1_pool{n}", RoleMapping("Token"))
    with pytest.raises(LimitReached, match="At most 10"):
        form.add_mapping("accounts.google.com")
    with pytest.raises(ValueError, match="already has a role mapping"):
        form.add_mapping("cognito-idp.us-east-1.amazonaws.com/us-east-1_pool0")


def test_rules_move_insert_and_remove_in_order():
    _, mapping = form_with_rules(4)
    mapping.move_rule(3, 0)
    assert [r.value for r in mapping.rules] == ["g3", "g0", "g1", "g2"]
    mapping.move_rule(0, 3)
    assert [r.value for r in mapping.rules] == ["g0", "g1", "g2", "g3"]
    mapping.add_rule(Rule("x", "Contains", "y", ROLE), at=1)
    assert mapping.remove_rule(1).claim == "x"
    with pytest.raises(IndexError, match="cannot move rule 5"):
        mapping.move_rule(4, 0)


def test_problems_name_the_field_and_the_exception():
    form, mapping = form_with_rules(1)
    mapping.rules[0] = Rule("", "Matches", "", "not-an-arn")
    mapping.ambiguous_role_resolution = "Maybe"
    form.set_default_role("unauthenticated", "arn:aws:iam::123456789012:user/bob")
    problems = form.problems()
    validation = problems[0]
    assert validation.code == "ValidationException"
    for path in ("rules.1.member.claim", "rules.1.member.matchType", "rules.1.member.value",
                 "ambiguousRoleResolution"):
        assert path in validation.message
    semantic = [p.message for p in problems[1:]]
    bad_default = "arn:aws:iam::123456789012:user/bob"
    assert f"Role ARN {bad_default!r} for 'unauthenticated' is not a valid IAM role ARN." in semantic
    assert "Rule 1 of role mapping 'accounts.google.com' has an invalid role ARN 'not-an-arn'." in semantic


def test_an_empty_rules_mapping_and_slots():
    form = RolesForm(POOL)
    form.add_mapping("accounts.google.com")
    assert any("at least one rule" in p.message for p in form.problems())
    form.set_default_role("authenticated", AUTH)
    form.set_default_role("authenticated", None)
    assert form.default_roles == {}
    with pytest.raises(ValueError, match="slot"):
        form.set_default_role("guest", AUTH)


def test_principal_tag_map_shapes_and_checks():
    tag_map = PrincipalTagMap("accounts.google.com", tags={"dept": "hd"})
    assert tag_map.problems(POOL) == [] and tag_map.active
    assert PrincipalTagMap.from_api(tag_map.to_request(POOL)) == tag_map
    tag_map.tags["x" * 200] = "sub"
    assert tag_map.problems(POOL)[0].code == "ValidationException"
    assert not PrincipalTagMap("p").active


def test_session_tags_as_the_service_computes_them():
    claims = {"sub": "u1", "groups": ["qa", "admins"], "verified": True, "empty": [], "n": 3}
    defaults = {"client": "app", "username": "u1"}
    assert session_tags(None, claims, defaults) == {}
    assert session_tags(PrincipalTagMap("p", use_defaults=True, tags={"a": "sub"}), claims, defaults) == defaults
    mapped = PrincipalTagMap("p", tags={"grp": "groups", "ok": "verified", "none": "empty", "num": "n", "x": "gone"})
    assert session_tags(mapped, claims, defaults) == {"grp": "qa", "ok": "true", "num": "3"}
