"""core/groups.py: the role claims of a group member (AWS's precedence rule), what a Token mapping makes of them,
and the group roles an identity pool cannot use."""

from __future__ import annotations

import json

from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.core.groups import Group, explain_token_role, lint_group_roles, role_claims

A, B, C = (f"arn:aws:iam::000000000000:role/{n}" for n in "ABC")
ADMINS, STAFF = Group("admins", A, 1), Group("staff", B, 2)


def test_lowest_precedence_wins():
    claims = role_claims([STAFF, ADMINS])
    assert claims.roles == (A, B) and claims.preferred_role == A
    assert claims.reason == f"admins (precedence 1, role {A}) takes precedence over staff (precedence 2, role {B})."


def test_unset_precedence_comes_last_and_groups_without_roles_do_not_count():
    claims = role_claims([Group("floating", C), Group("readers", "", 0), STAFF])
    assert claims.roles == (B, C) and claims.preferred_role == B


def test_a_tie_with_different_roles_sets_no_preferred_role_but_the_same_role_does():
    tie = role_claims([ADMINS, Group("ops", C, 1)])
    assert tie.preferred_role is None and "share the highest precedence" in tie.reason and tie.roles == (A, C)
    assert role_claims([ADMINS, Group("root", A, 1)]).preferred_role == A


def test_no_group_or_no_role():
    assert role_claims([]) == role_claims([]) and role_claims([]).roles == ()
    assert "no group" in role_claims([]).reason
    assert "has an IAM role" in role_claims([Group("plain")]).reason


def test_token_mapping_explanation_follows_the_role_engine_rules():
    claims = {"cognito:groups": ["admins", "staff"], "cognito:roles": [A, B], "cognito:preferred_role": A}
    lines = explain_token_role(claims, ambiguous="Deny", default_role=C, groups=[ADMINS, STAFF])
    assert lines[0].startswith("Groups: admins (precedence 1") and "takes precedence over staff" in lines[0]
    assert lines[-1] == f"The Token mapping uses cognito:preferred_role: {A}."
    custom = explain_token_role(claims, ambiguous="Deny", default_role=C, custom_role_arn=B)
    assert custom[-1] == f"CustomRoleArn {B} is in cognito:roles: that role is used."
    assert explain_token_role(claims, ambiguous="Deny", default_role=C, custom_role_arn=C)[-1].endswith("denied.")
    none = {"cognito:groups": []}
    assert explain_token_role(none, ambiguous="AuthenticatedRole", default_role=C)[-1] == (
        f"No preferred role and no roles: ambiguous, so the pool's authenticated role is used ({C}).")
    assert explain_token_role({"cognito:roles": [A, B]}, ambiguous="Deny", default_role=C)[-1] == (
        "No preferred role and several roles: ambiguous, and the mapping says Deny — the sign-in is refused.")
    assert explain_token_role({"cognito:roles": [B]}, ambiguous="Deny", default_role=C)[-1].endswith(f": {B}.")


def test_lint_names_roles_the_pool_cannot_use():
    pool = "us-east-1:11111111-2222-3333-4444-555555555555"
    other = "us-east-1:99999999-2222-3333-4444-555555555555"
    policies = {A: cognito_trust_policy(pool, "authenticated"), B: json.dumps(cognito_trust_policy(other,
                                                                                                  "authenticated"))}
    findings = lint_group_roles([ADMINS, STAFF, Group("ghosts", C, 3), Group("plain")], policies, pool)
    assert [(f.group, f.role_arn) for f in findings] == [("staff", B), ("ghosts", C)]
    assert "not usable by this pool" in findings[0].message and "not among this account's roles" in findings[1].message
