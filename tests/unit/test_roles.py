"""The one role engine (cognito_desk.core.roles): default roles, Token/Rules mappings, CustomRoleArn, SAML."""

from __future__ import annotations

import pytest

from cognito_desk.core import errors
from cognito_desk.core.roles import (
    MAX_ROLE_MAPPINGS,
    MAX_RULES_PER_PROVIDER,
    LoginClaims,
    RoleDecision,
    RoleRequest,
    mapping_rule_matches,
    resolve_role,
    validate_role_mappings,
    validate_roles,
)

IIPC_MESSAGE = "Invalid identity pool configuration. Check assigned IAM roles for this pool."
DENIED_MESSAGE = "The ambiguous role mapping rules denied this request."


def arn(name: str) -> str:
    return f"arn:aws:iam::123456789012:role/{name}"


AUTH, UNAUTH, ADMIN, READER, EDITOR = arn("Auth"), arn("Unauth"), arn("Admin"), arn("Reader"), arn("Editor")
ROLES = {"authenticated": AUTH, "unauthenticated": UNAUTH}
USER_POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_abcdefghi"
CLIENT = "1example23456789"
USER_POOL_KEY = f"{USER_POOL}:{CLIENT}"


def user_pool_login(**claims) -> LoginClaims:
    return LoginClaims(USER_POOL, {"sub": "u-1", "aud": CLIENT, **claims}, mapping_keys=(USER_POOL_KEY,))


def rules_mapping(*rules, ambiguous: str = "AuthenticatedRole") -> dict:
    return {"Type": "Rules", "AmbiguousRoleResolution": ambiguous,
            "RulesConfiguration": {"Rules": [
                {"Claim": claim, "MatchType": match, "Value": value, "RoleARN": role}
                for claim, match, value, role in rules]}}


def token_mapping(ambiguous: str = "AuthenticatedRole") -> dict:
    return {"Type": "Token", "AmbiguousRoleResolution": ambiguous}


def resolve(*logins, mappings=None, roles=ROLES, custom=None, kind="authenticated") -> RoleDecision:
    return resolve_role(RoleRequest(kind, roles, mappings or {}, logins, custom))


def assert_iipc(decision: RoleDecision) -> None:
    assert (decision.role_arn, decision.denied) == (None, False)
    assert (decision.error_code, decision.error_message) == \
        ("InvalidIdentityPoolConfigurationException", IIPC_MESSAGE)


def assert_denied(decision: RoleDecision) -> None:
    assert (decision.role_arn, decision.denied) == (None, True)
    assert (decision.error_code, decision.error_message) == ("NotAuthorizedException", DENIED_MESSAGE)


# --- default roles -----------------------------------------------------------------------------------

def test_guest_gets_the_unauthenticated_role():
    decision = resolve(kind="unauthenticated")
    assert (decision.role_arn, decision.source) == (UNAUTH, "default-unauthenticated")
    assert decision.error_code is None and not decision.denied
    assert "default unauthenticated role" in decision.explain()


def test_guest_without_unauthenticated_role_is_iipc():
    decision = resolve(kind="unauthenticated", roles={"authenticated": AUTH})
    assert_iipc(decision)
    assert decision.steps[-1].text == "the pool has no default unauthenticated role"


def test_developer_gets_the_authenticated_role_even_with_mappings():
    decision = resolve(user_pool_login(), kind="developer",
                       mappings={USER_POOL_KEY: rules_mapping(("sub", "Equals", "u-1", ADMIN))})
    assert (decision.role_arn, decision.source) == (AUTH, "default-authenticated")


def test_developer_without_authenticated_role_is_iipc():
    assert_iipc(resolve(kind="developer", roles={"unauthenticated": UNAUTH}))


def test_authenticated_without_mapping_gets_default_role():
    decision = resolve(user_pool_login())
    assert (decision.role_arn, decision.source) == (AUTH, "default-authenticated")
    assert decision.steps[0].text == f"login 1 ({USER_POOL}) has no role mapping"


def test_authenticated_without_default_role_is_iipc():
    assert_iipc(resolve(user_pool_login(), roles={"unauthenticated": UNAUTH}))
    assert_iipc(resolve(user_pool_login(), roles={}))


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        resolve(kind="admin")


@pytest.mark.parametrize("kind, default", [("unauthenticated", UNAUTH), ("developer", AUTH),
                                           ("authenticated", AUTH)])
def test_custom_role_without_mapping_only_allows_the_default_role(kind, default):
    assert resolve(user_pool_login(), kind=kind, custom=default).role_arn == default
    decision = resolve(user_pool_login(), kind=kind, custom=ADMIN)
    assert_denied(decision)
    assert decision.source == "custom-role"


# --- mapping lookup ----------------------------------------------------------------------------------

def test_mapping_keyed_by_provider_name_when_login_has_no_mapping_keys():
    login = LoginClaims("graph.facebook.com", {"sub": "123", "aud": "app"})
    mapping = rules_mapping(("aud", "Equals", "app", READER))
    decision = resolve(login, mappings={"graph.facebook.com": mapping})
    assert (decision.role_arn, decision.source) == (READER, "rule")


def test_most_specific_mapping_key_wins_and_oidc_host_key_is_accepted():
    oidc_arn = "arn:aws:iam::123456789012:oidc-provider/idp.example.com"
    login = LoginClaims("idp.example.com", {"sub": "s"}, mapping_keys=(oidc_arn, "idp.example.com"))
    host_only = {"idp.example.com": rules_mapping(("sub", "Equals", "s", READER))}
    both = host_only | {oidc_arn: rules_mapping(("sub", "Equals", "s", EDITOR))}
    assert resolve(login, mappings=host_only).role_arn == READER
    assert resolve(login, mappings=both).role_arn == EDITOR


def test_first_login_with_a_mapping_wins():
    google = LoginClaims("accounts.google.com", {"sub": "g"})
    facebook = LoginClaims("graph.facebook.com", {"sub": "f"})
    mappings = {"accounts.google.com": rules_mapping(("sub", "Equals", "g", READER)),
                "graph.facebook.com": rules_mapping(("sub", "Equals", "f", EDITOR))}
    assert resolve(google, facebook, mappings=mappings).role_arn == READER
    assert resolve(facebook, google, mappings=mappings).role_arn == EDITOR
    unmapped = LoginClaims("www.amazon.com", {"sub": "a"})
    decision = resolve(unmapped, facebook, mappings=mappings)
    assert decision.role_arn == EDITOR
    assert decision.steps[0].text == "login 1 (www.amazon.com) has no role mapping"
    assert decision.steps[1].text == \
        "login 2 (graph.facebook.com) uses role mapping 'graph.facebook.com' of type Rules"


def test_unknown_mapping_type_is_iipc():
    assert_iipc(resolve(user_pool_login(), mappings={USER_POOL_KEY: {"Type": "Groups"}}))


# --- Token ---------------------------------------------------------------------------------------------

def test_token_preferred_role_is_used():
    login = user_pool_login(**{"cognito:roles": [ADMIN, READER], "cognito:preferred_role": READER})
    decision = resolve(login, mappings={USER_POOL_KEY: token_mapping()})
    assert (decision.role_arn, decision.source) == (READER, "token-preferred")
    assert f"using cognito:preferred_role {READER}" in decision.explain()


def test_token_single_role_without_preferred_is_used():
    login = user_pool_login(**{"cognito:roles": [ADMIN]})
    decision = resolve(login, mappings={USER_POOL_KEY: token_mapping()})
    assert (decision.role_arn, decision.source) == (ADMIN, "token-single-role")


@pytest.mark.parametrize("claims", [{"cognito:roles": [ADMIN, READER]},
                                    {"cognito:roles": f"{ADMIN},{READER}"}, {}])
def test_token_ambiguous_falls_back_to_authenticated_role(claims):
    decision = resolve(user_pool_login(**claims), mappings={USER_POOL_KEY: token_mapping()})
    assert (decision.role_arn, decision.source) == (AUTH, "ambiguous-default")


def test_token_ambiguous_with_deny_is_refused():
    login = user_pool_login(**{"cognito:roles": [ADMIN, READER]})
    decision = resolve(login, mappings={USER_POOL_KEY: token_mapping("Deny")})
    assert_denied(decision)
    assert decision.source == "ambiguous-deny"
    with pytest.raises(errors.NotAuthorizedException) as caught:
        decision.raise_for_error()
    assert caught.value.message == DENIED_MESSAGE


def test_token_ambiguous_default_without_authenticated_role_is_iipc():
    login = user_pool_login(**{"cognito:roles": [ADMIN, READER]})
    decision = resolve(login, mappings={USER_POOL_KEY: token_mapping()}, roles={"unauthenticated": UNAUTH})
    assert_iipc(decision)
    with pytest.raises(errors.InvalidIdentityPoolConfigurationException):
        decision.raise_for_error()


@pytest.mark.parametrize("roles_claim", [[ADMIN, READER], f"{ADMIN}, {READER}"])
def test_token_custom_role_in_cognito_roles_is_granted(roles_claim):
    login = user_pool_login(**{"cognito:roles": roles_claim, "cognito:preferred_role": READER})
    decision = resolve(login, mappings={USER_POOL_KEY: token_mapping()}, custom=ADMIN)
    assert (decision.role_arn, decision.source) == (ADMIN, "custom-role")


def test_token_custom_role_not_in_cognito_roles_is_denied_even_with_authenticated_fallback():
    login = user_pool_login(**{"cognito:roles": [READER], "cognito:preferred_role": READER})
    decision = resolve(login, mappings={USER_POOL_KEY: token_mapping()}, custom=ADMIN)
    assert_denied(decision)
    assert decision.steps[-1].text == f"CustomRoleArn {ADMIN} is not listed in cognito:roles"


# --- Rules ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("match, value, claim, expected", [
    ("Equals", "eng", "eng", True),
    ("Equals", "eng", "Eng", False),
    ("Equals", "eng", "engineering", False),
    ("Contains", "gin", "engineering", True),
    ("Contains", "GIN", "engineering", False),
    ("StartsWith", "eng", "engineering", True),
    ("StartsWith", "ing", "engineering", False),
    ("NotEqual", "eng", "ops", True),
    ("NotEqual", "eng", "eng", False),
])
def test_match_types_on_strings(match, value, claim, expected):
    rule = {"Claim": "dept", "MatchType": match, "Value": value}
    matched, reason = mapping_rule_matches(rule, {"dept": claim})
    assert matched is expected
    assert reason.startswith(f"claim 'dept' {match} {value!r}: the token has {claim!r}")
    assert reason.endswith("no match" if not expected else ", match")


@pytest.mark.parametrize("match, value, expected", [
    ("Equals", "admins", True),
    ("Equals", "admin", False),
    ("Contains", "dmi", True),
    ("StartsWith", "read", True),
    ("NotEqual", "admins", False),
    ("NotEqual", "guests", True),
])
def test_array_claims_match_when_any_element_matches(match, value, expected):
    claims = {"cognito:groups": ["readers", "admins"]}
    rule = {"Claim": "cognito:groups", "MatchType": match, "Value": value}
    assert mapping_rule_matches(rule, claims)[0] is expected


def test_absent_claim_fails_positive_rules_and_skips_not_equal():
    assert mapping_rule_matches({"Claim": "x", "MatchType": "Equals", "Value": "v"}, {}) == \
        (False, "claim 'x' Equals 'v': the token has no 'x' claim, no match")
    assert mapping_rule_matches({"Claim": "x", "MatchType": "NotEqual", "Value": "v"}, {}) == \
        (None, "claim 'x' NotEqual 'v': the token has no 'x' claim, so the rule is skipped")


@pytest.mark.parametrize("claim, value", [(True, "true"), (False, "false"), (42, "42"),
                                          ({"a": 1}, '{"a":1}')])
def test_non_string_claims_compare_as_text(claim, value):
    rule = {"Claim": "c", "MatchType": "Equals", "Value": value}
    assert mapping_rule_matches(rule, {"c": claim})[0] is True
    assert mapping_rule_matches(rule, {"c": "other"})[0] is False


def test_unknown_match_type_never_matches():
    assert mapping_rule_matches({"Claim": "c", "MatchType": "Like", "Value": "v"}, {"c": "v"}) == \
        (False, "claim 'c' Like 'v': unknown MatchType, no match")


def test_rules_first_match_wins_and_explanation_names_the_rule():
    mapping = rules_mapping(("custom:dept", "Equals", "ops", EDITOR),
                            ("missing", "NotEqual", "x", EDITOR),
                            ("cognito:groups", "Equals", "admins", ADMIN),
                            ("custom:dept", "StartsWith", "eng", READER))
    decision = resolve(user_pool_login(**{"custom:dept": "eng", "cognito:groups": ["admins"]}),
                       mappings={USER_POOL_KEY: mapping})
    assert (decision.role_arn, decision.source) == (ADMIN, "rule")
    rule_steps = [step for step in decision.steps if step.index is not None]
    assert [(s.index, s.matched) for s in rule_steps] == [(1, False), (2, None), (3, True)]
    assert all(step.provider == USER_POOL for step in rule_steps)
    assert rule_steps[2].text == (f"rule 3: claim 'cognito:groups' Equals 'admins': the token has 'admins', "
                                  f"match → role {ADMIN} (first matching rule wins)")
    assert "rule 3:" in decision.explain() and "rule 4" not in decision.explain()
    assert decision.explain().splitlines()[0] == f"Role {ADMIN} (a matching rule)."


def test_rules_no_match_with_authenticated_role_resolution():
    mapping = rules_mapping(("custom:dept", "Equals", "ops", EDITOR))
    decision = resolve(user_pool_login(**{"custom:dept": "eng"}), mappings={USER_POOL_KEY: mapping})
    assert (decision.role_arn, decision.source) == (AUTH, "ambiguous-default")
    assert "none of the 1 rules matched: AmbiguousRoleResolution is AuthenticatedRole" in decision.explain()


def test_rules_no_match_with_authenticated_role_resolution_but_no_default_is_iipc():
    mapping = rules_mapping(("custom:dept", "Equals", "ops", EDITOR))
    assert_iipc(resolve(user_pool_login(), mappings={USER_POOL_KEY: mapping}, roles={}))


def test_rules_no_match_with_deny_resolution():
    mapping = rules_mapping(("custom:dept", "Equals", "ops", EDITOR), ambiguous="Deny")
    decision = resolve(user_pool_login(**{"custom:dept": "eng"}), mappings={USER_POOL_KEY: mapping})
    assert_denied(decision)
    assert decision.explain().splitlines()[0] == \
        f"No role: NotAuthorizedException: {DENIED_MESSAGE} (no rule decided, and the mapping then denies)."


def test_rules_mapping_without_rules_is_ambiguous():
    decision = resolve(user_pool_login(), mappings={USER_POOL_KEY: {"Type": "Rules",
                                                                    "AmbiguousRoleResolution": "Deny"}})
    assert_denied(decision)


def test_rules_without_ambiguous_resolution_is_iipc():
    mapping = rules_mapping(("custom:dept", "Equals", "ops", EDITOR))
    del mapping["AmbiguousRoleResolution"]
    assert_iipc(resolve(user_pool_login(), mappings={USER_POOL_KEY: mapping}))


def test_rules_custom_role_granted_when_a_matching_rule_names_it_even_if_not_first():
    mapping = rules_mapping(("cognito:groups", "Equals", "readers", READER),
                            ("cognito:groups", "Equals", "admins", ADMIN))
    login = user_pool_login(**{"cognito:groups": ["readers", "admins"]})
    assert resolve(login, mappings={USER_POOL_KEY: mapping}).role_arn == READER
    decision = resolve(login, mappings={USER_POOL_KEY: mapping}, custom=ADMIN)
    assert (decision.role_arn, decision.source) == (ADMIN, "custom-role")
    assert decision.steps[-1].text == f"CustomRoleArn {ADMIN} is named by matching rule 2"


def test_rules_custom_role_denied_when_only_a_non_matching_rule_names_it():
    mapping = rules_mapping(("cognito:groups", "Equals", "readers", READER),
                            ("cognito:groups", "Equals", "admins", ADMIN))
    login = user_pool_login(**{"cognito:groups": ["readers"]})
    decision = resolve(login, mappings={USER_POOL_KEY: mapping}, custom=ADMIN)
    assert_denied(decision)
    assert decision.steps[-1].text == f"no matching rule names CustomRoleArn {ADMIN}"


# --- SAML ----------------------------------------------------------------------------------------------

SAML_ARN = "arn:aws:iam::123456789012:saml-provider/Corp"


def saml_login(*roles) -> LoginClaims:
    return LoginClaims(SAML_ARN, {"department": ["eng"]}, mapping_keys=(SAML_ARN,), saml_roles=roles)


def test_saml_single_role_is_used_without_pool_roles():
    decision = resolve(saml_login(READER), roles={})
    assert (decision.role_arn, decision.source) == (READER, "saml")


def test_saml_several_roles_need_a_custom_role():
    assert_denied(resolve(saml_login(READER, ADMIN)))
    decision = resolve(saml_login(READER, ADMIN), custom=ADMIN)
    assert (decision.role_arn, decision.source) == (ADMIN, "custom-role")
    assert_denied(resolve(saml_login(READER, ADMIN), custom=EDITOR))
    assert_denied(resolve(saml_login(READER), custom=EDITOR))


def test_saml_role_mapping_takes_precedence_over_the_role_attribute():
    mapping = rules_mapping(("department", "Equals", "eng", EDITOR))
    decision = resolve(saml_login(READER, ADMIN), mappings={SAML_ARN: mapping})
    assert (decision.role_arn, decision.source) == (EDITOR, "rule")


# --- validation ------------------------------------------------------------------------------------------

def test_constants():
    assert (MAX_RULES_PER_PROVIDER, MAX_ROLE_MAPPINGS) == (25, 10)


def test_validate_roles():
    assert validate_roles(ROLES) == []
    assert validate_roles({"authenticated": "arn:aws-cn:iam::123456789012:role/path/to/My.Role@x"}) == []
    assert validate_roles({"authenticated": "MyRole", "admin": AUTH}) == [
        "Role ARN 'MyRole' for 'authenticated' is not a valid IAM role ARN.",
        "Invalid role type 'admin': expected 'authenticated' or 'unauthenticated'.",
    ]
    assert validate_roles({"unauthenticated": "arn:aws:iam::12345:role/x"}) == [
        "Role ARN 'arn:aws:iam::12345:role/x' for 'unauthenticated' is not a valid IAM role ARN."]
    assert validate_roles({"unauthenticated": "arn:aws:iam::123456789012:user/x"}) != []


def test_validate_role_mappings_accepts_valid_configuration():
    mappings = {USER_POOL_KEY: rules_mapping(("sub", "Equals", "u", ADMIN)),
                "graph.facebook.com": token_mapping()}
    assert validate_role_mappings(mappings) == []


def test_validate_role_mappings_reports_semantic_problems():
    too_many = rules_mapping(*[("sub", "Equals", str(n), ADMIN) for n in range(26)])
    bad_arn = rules_mapping(("sub", "Equals", "u", ADMIN), ("sub", "Equals", "v", "Admin"))
    assert validate_role_mappings({
        "a": {"Type": "Rules", "AmbiguousRoleResolution": "Deny"},
        "b": {"Type": "Token"},
        "c": too_many,
        "d": bad_arn,
    }) == [
        "RulesConfiguration with at least one rule is required for role mapping 'a' of type Rules.",
        "AmbiguousRoleResolution is required for role mapping 'b' of type Token.",
        "Role mapping 'c' has 26 rules; at most 25 rules are allowed per identity provider.",
        "Rule 2 of role mapping 'd' has an invalid role ARN 'Admin'.",
    ]


def test_validate_role_mappings_limits_providers():
    mappings = {f"provider{n}": token_mapping() for n in range(11)}
    assert validate_role_mappings(mappings) == [
        "RoleMappings has 11 entries; at most 10 identity providers can have role mappings."]
    assert validate_role_mappings(dict(list(mappings.items())[:10])) == []
