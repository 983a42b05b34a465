"""Pool editing, the wizard plan, import mapping and drift keys — Qt-free and without a backend."""

from __future__ import annotations

import pytest

from cognito_desk.admin.diff import ABSENT, Difference, differences, shown
from cognito_desk.admin.pools import (
    FieldProblem,
    PoolEdit,
    allowed_characters,
    delete_confirmation,
    plain_words,
    pool_problems,
)
from cognito_desk.admin.provision import new_role_ref, resolve_refs
from cognito_desk.admin.transfer import NotAnExport, check_document, map_accounts, role_arns
from cognito_desk.admin.wizard import RoleChoice, WizardPlan, default_role_name

POOL_ID = "us-east-1:11111111-2222-3333-4444-555555555555"
LOADED = {
    "IdentityPoolId": POOL_ID, "IdentityPoolName": "QA", "AllowUnauthenticatedIdentities": False,
    "AllowClassicFlow": True, "SupportedLoginProviders": {"accounts.google.com": "app-1"},
    "DeveloperProviderName": "login.qa", "FutureMember": {"kept": True}, "IdentityPoolTags": {},
}


def test_differences_field_by_field():
    before = {"A": 1, "M": {"x.y": "1", "k": [1, 2]}, "L": [1], "Gone": 0}
    after = {"A": 1, "M": {"x.y": "2", "k": [1, 3]}, "L": [1, 2], "New": True}
    assert differences(before, after) == [
        Difference('M."x.y"', "1", "2"), Difference("M.k[1]", 2, 3), Difference("L", [1], [1, 2]),
        Difference("Gone", 0, ABSENT), Difference("New", ABSENT, True)]
    assert differences(before, before) == []
    assert [shown(v) for v in (ABSENT, "text", {"b": 1, "a": [True]})] == ["(absent)", "text",
                                                                          '{"a": [true], "b": 1}']


def test_edit_changes_only_what_the_user_touched():
    edit = PoolEdit(LOADED)
    edit.set("IdentityPoolName", "QA 2")
    edit.set("SupportedLoginProviders", {})
    assert edit.request["FutureMember"] == {"kept": True} and edit.request["AllowClassicFlow"] is True
    assert "SupportedLoginProviders" not in edit.request
    assert [d.path for d in edit.changes()] == ["IdentityPoolName", "SupportedLoginProviders"]
    assert LOADED["IdentityPoolName"] == "QA"


def test_developer_provider_name_is_read_only_once_set():
    edit = PoolEdit(LOADED)
    assert edit.read_only("DeveloperProviderName") and edit.read_only("IdentityPoolId")
    with pytest.raises(ValueError, match="DeveloperProviderName cannot be changed once set"):
        edit.set("DeveloperProviderName", "other")
    fresh = PoolEdit({k: v for k, v in LOADED.items() if k != "DeveloperProviderName"})
    assert not fresh.read_only("DeveloperProviderName")
    fresh.set("DeveloperProviderName", "login.new")
    with pytest.raises(KeyError, match="NoSuchMember"):
        fresh.set("NoSuchMember", 1)


def test_problems_come_from_the_service_model_and_name_their_member():
    edit = PoolEdit(LOADED)
    edit.set("IdentityPoolName", "bad/name" + "x" * 130)
    edit.set("SupportedLoginProviders", {f"p{i}.example": "app" for i in range(11)})
    problems = edit.problems()
    assert {p.member for p in problems} == {"IdentityPoolName", "SupportedLoginProviders"}
    assert [p.message for p in problems] == [
        "Too long: at most 128 allowed.",
        "Contains characters that are not allowed: use only letters, digits, spaces and the characters _ + = , . @ -.",
        "Too long: at most 10 allowed."]
    details = " | ".join(p.detail for p in problems)
    assert "at 'identityPoolName' failed to satisfy constraint: Member must have length less than or equal to 128" in (
        details)
    assert r"Member must satisfy regular expression pattern: [\w\s+=,.@-]+" in details
    assert "at 'supportedLoginProviders' failed to satisfy constraint: Member must have length less than or equal " \
           "to 10" in details
    assert pool_problems({"IdentityPoolName": "ok", "AllowUnauthenticatedIdentities": True},
                         "CreateIdentityPool") == []
    assert pool_problems({"IdentityPoolName": "ok"}, "CreateIdentityPool") == [FieldProblem(
        "AllowUnauthenticatedIdentities", "Required.", "Value null at 'allowUnauthenticatedIdentities' failed to "
        "satisfy constraint: Member must not be null")]
    assert pool_problems({"IdentityPoolName": "", "AllowUnauthenticatedIdentities": True},
                         "CreateIdentityPool")[0].message == "Required: it cannot be empty."


def test_delete_confirmation_names_pool_and_count():
    pool = {"IdentityPoolName": "QA", "IdentityPoolId": POOL_ID}
    assert delete_confirmation(pool, 1, True).startswith(f"Delete identity pool “QA” ({POOL_ID}) and its 1 identity?")
    assert "its 12,345 identities" in delete_confirmation(pool, 12345, True)
    assert "its more than 10,000 identities" in delete_confirmation(pool, 10000, False)


def test_wizard_steps_check_what_they_collect():
    plan = WizardPlan(authenticated=False, guest=False)
    assert [p.member for p in plan.problems(0)] == ["AllowUnauthenticatedIdentities"]
    plan.authenticated = True
    assert plan.problems(0) == []
    assert plan.problems(1) == [FieldProblem("", "Authenticated access needs at least one identity provider.")]
    plan.developer_provider = "bad provider!"
    assert [p.member for p in plan.problems(1)] == ["DeveloperProviderName"]
    plan.developer_provider = "login.qa"
    assert plan.problems(1) == []
    plan.roles["authenticated"] = RoleChoice(create=False)
    assert plan.problems(2) == [FieldProblem("authenticated", "Choose the authenticated role, or create a new one.")]
    plan.roles["authenticated"] = RoleChoice(create=False, existing_arn="arn:aws:iam::123:role/x")
    assert "is not a valid IAM role ARN" in plan.problems(2)[0].message
    plan.roles["authenticated"] = RoleChoice(create=True, new_name="bad name")
    assert plan.problems(2)[0].message == ("Contains characters that are not allowed: use only letters, digits and "
                                           "the characters _ + = , . @ -.")
    plan.roles["authenticated"] = RoleChoice()
    assert plan.problems(2) == []
    assert plan.problems(3) == [FieldProblem("IdentityPoolName", "Enter a name for the identity pool.")]
    plan.name = "QA/pool"
    assert [p.member for p in plan.problems(3)] == ["IdentityPoolName"]
    plan.name = "QA pool"
    assert plan.problems(4) == []


def test_wizard_plan_creates_pool_then_roles_with_the_trust_policy():
    plan = WizardPlan(authenticated=True, guest=True, social={"accounts.google.com": "app"}, name="QA pool",
                      tags={"team": "qa"})
    plan.roles["authenticated"] = RoleChoice(create=False, existing_arn="arn:aws:iam::123456789012:role/auth")
    provisioning = plan.provisioning()
    assert provisioning.create_request == {
        "IdentityPoolName": "QA pool", "AllowUnauthenticatedIdentities": True, "AllowClassicFlow": False,
        "SupportedLoginProviders": {"accounts.google.com": "app"}, "IdentityPoolTags": {"team": "qa"}}
    role, = provisioning.new_roles
    assert role.name == "QA-pool-guest-role"
    trust = role.trust(POOL_ID)["Statement"][0]["Condition"]
    assert trust["StringEquals"]["cognito-identity.amazonaws.com:aud"] == POOL_ID
    assert trust["ForAnyValue:StringLike"]["cognito-identity.amazonaws.com:amr"] == "unauthenticated"
    assert provisioning.roles == {"authenticated": "arn:aws:iam::123456789012:role/auth",
                                  "unauthenticated": new_role_ref("unauthenticated")}
    assert resolve_refs(provisioning.roles, {"unauthenticated": "arn:x"})["unauthenticated"] == "arn:x"
    assert ("Unauthenticated role", "New role QA-pool-guest-role (trusts this pool only)") in plan.review()
    assert len(default_role_name("p" * 100, "authenticated")) == 64


def test_account_mapping_moves_only_the_source_account():
    value = {"a": "arn:aws:iam::111111111111:role/x", "b": ["arn:aws:iam::222222222222:role/y", "text"],
             "c": "arn:aws:iam::111111111111:oidc-provider/idp.example"}
    assert map_accounts(value, "111111111111", "333333333333", "aws-cn") == {
        "a": "arn:aws-cn:iam::333333333333:role/x", "b": ["arn:aws:iam::222222222222:role/y", "text"],
        "c": "arn:aws-cn:iam::333333333333:oidc-provider/idp.example"}
    assert role_arns({"Roles": {"authenticated": "r1"}, "RoleMappings": {"p": {"Type": "Rules", "RulesConfiguration": {
        "Rules": [{"RoleARN": "r2"}, {"RoleARN": "r1"}]}}}}) == ["r1", "r2"]


@pytest.mark.parametrize("document, message", [
    ([], "This is not an identity pool export"),
    ({"Format": "cognito-desk/identity-pool-export", "Version": 9}, "Export version 9 is not supported"),
    ({"Format": "cognito-desk/identity-pool-export", "Version": 1}, "no \"describe-identity-pool\" part"),
])
def test_documents_that_are_not_exports(document, message):
    with pytest.raises(NotAnExport, match=message):
        check_document(document)


def test_form_fields_round_trip_without_disturbing_what_the_form_does_not_show():
    from cognito_desk.admin.pool_form import apply_fields, fields_of, parse_tags

    loaded = {**LOADED, "SupportedLoginProviders": {"accounts.google.com": "g", "api.twitter.com": "t"},
              "CognitoIdentityProviders": [{"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_A",
                                            "ClientId": "c1", "ServerSideTokenCheck": True}],
              "OpenIdConnectProviderARNs": ["arn:aws:iam::123456789012:oidc-provider/a.example"]}
    edit = PoolEdit(loaded)
    fields = fields_of(edit.request)
    assert fields.social == {"accounts.google.com": "g", "graph.facebook.com": "", "www.amazon.com": "",
                             "appleid.apple.com": ""}
    assert fields.user_pools == "cognito-idp.us-east-1.amazonaws.com/us-east-1_A,c1"
    apply_fields(edit, fields)
    assert edit.changes() == []
    fields.social["accounts.google.com"] = ""
    fields.social["www.amazon.com"] = " amzn "
    fields.user_pools += "\n  cognito-idp.us-east-1.amazonaws.com/us-east-1_B,c2  \n\n"
    fields.oidc_arns = ""
    fields.developer = "changed.anyway"
    apply_fields(edit, fields)
    assert edit.request["SupportedLoginProviders"] == {"api.twitter.com": "t", "www.amazon.com": "amzn"}
    assert edit.request["CognitoIdentityProviders"] == [
        {"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_A", "ClientId": "c1",
         "ServerSideTokenCheck": True},
        {"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_B", "ClientId": "c2"}]
    assert "OpenIdConnectProviderARNs" not in edit.request
    assert edit.request["DeveloperProviderName"] == "login.qa"  # read-only once set
    assert edit.request["FutureMember"] == {"kept": True} and edit.request["AllowClassicFlow"] is True
    assert parse_tags("team = qa\n\nbad line\n=x\nowner=") == (
        {"team": "qa", "owner": ""}, ["Line 3: write each tag as key=value.", "Line 4: write each tag as key=value."])


def test_rebase_keeps_my_changes_on_top_of_what_the_app_saved_since():
    edit = PoolEdit(LOADED)
    edit.set("IdentityPoolName", "QA renamed")
    edit.set("SupportedLoginProviders", {})  # removed here…
    saved_since = {**LOADED, "AllowClassicFlow": False, "SupportedLoginProviders": {"x.example": "1"}}
    edit.rebase(saved_since)
    assert edit.loaded == saved_since
    assert edit.request["IdentityPoolName"] == "QA renamed" and edit.request["AllowClassicFlow"] is False
    assert "SupportedLoginProviders" not in edit.request  # …stays removed: a member I touched stays mine
    assert [d.path for d in edit.changes()] == ["IdentityPoolName", "SupportedLoginProviders"]
    saved_since["AllowClassicFlow"] = True
    assert edit.loaded["AllowClassicFlow"] is False  # the edit keeps its own copy


@pytest.mark.parametrize(("pattern", "words"), [
    (r"[\w._-]+", "letters, digits and the characters _ . -"),
    (r"[a-z0-9-]+", "a to z, 0 to 9 and the characters -"),
    (r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+", "letters, accents, symbols, numbers, punctuation"),
])
def test_allowed_characters_in_words(pattern, words):
    assert allowed_characters(pattern) == words
    message = plain_words(f"Value 'x' at 'y' failed to satisfy constraint: Member must satisfy regular expression "
                          f"pattern: {pattern}")
    assert message == f"Contains characters that are not allowed: use only {words}."


def test_a_pattern_of_several_parts_is_said_part_by_part():
    assert allowed_characters(r"[\w-]+:[0-9a-f-]+") is None
    assert plain_words(r"Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+") == (
        "Not in the form the API expects: letters, digits and the characters _ -, then “:”, then 0 to 9, a to f and "
        "the characters -.")
    assert plain_words("Member must satisfy regular expression pattern: (un)?authenticated") == (
        "Not in the form the API expects ((un)?authenticated).")  # no words for it: the form as the API gives it
