"""The Roles & rules tab against the real embedded service and the real oidc-provider: create a role trusted by
the pool then sign in through it, edit rules (the 26th refused) with the preview following the unsaved edit and
agreeing with the sign-in the service then makes, and fix a trust-policy lint finding from the tab."""

from __future__ import annotations

import json
import time

import pytest

from cognito_desk.admin.pools import send_pool_request
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.aws import StsClient
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.core import errors
from cognito_desk.scenarios.history import HistoryStore, history_path
from cognito_desk.scenarios.record import RunRecord
from cognito_desk.ui.roles.trust_panel import FixDialog

OTHER_POOL = "us-east-1:11111111-1111-1111-1111-111111111111"


@pytest.fixture
def roles_tab(connected_window, oidc_idp, run, wait_until):
    """The window with the Roles & rules tab and a selected pool that trusts the real OIDC provider."""
    window = connected_window
    connection = window.connection

    async def setup():
        await connection.iam.create_open_id_connect_provider(url=oidc_idp.issuer, client_id_list=["qa-desk"])
        pool = await send_pool_request(connection.identity, "CreateIdentityPool", {
            "IdentityPoolName": "roles-tab", "AllowUnauthenticatedIdentities": True,
            "OpenIdConnectProviderARNs": [f"arn:aws:iam::000000000000:oidc-provider/{oidc_idp.host}"]})
        return pool["IdentityPoolId"]

    pool_id = run(setup())
    page = window.screens["roles"]
    window.tabs.setCurrentWidget(page)
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.snapshot is not None and page.snapshot.pool_id == pool_id, 30, "the roles snapshot")
    return window, page, pool_id


def sign_in(run, connection, pool_id, logins=None):
    """(access key id, None) or (None, AWS error code) for a real sign-in through the window's connection."""
    async def go():
        try:
            identity = await connection.identity.get_id(identity_pool_id=pool_id, logins=logins)
            answer = await connection.identity.get_credentials_for_identity(identity_id=identity["IdentityId"],
                                                                            logins=logins)
        except errors.AwsError as exc:
            return None, exc.code
        return answer["Credentials"]["AccessKeyId"], None
    return run(go())


def saved(page, wait_until):
    page.save()
    wait_until(lambda: page.state.text() == "" and not page.ctx.runner.running, 30, "the save and reload")


def test_create_role_trusted_by_this_pool_then_guest_sign_in(roles_tab, run, wait_until, assert_accessible,
                                                             qtmodeltester):
    window, page, pool_id = roles_tab
    assert_accessible(page)
    qtmodeltester.check(page.mappings.model)
    assert sign_in(run, window.connection, pool_id)[1] == "InvalidIdentityPoolConfigurationException"
    page.create_trusted_role("unauthenticated")
    wait_until(lambda: page.role_boxes["unauthenticated"].currentText().endswith("_Unauth_Role"), 30, "the new role")
    assert page.trust.role.currentText().endswith("(unauthenticated)")
    assert page.trust.findings == []
    saved(page, wait_until)
    assert page.snapshot.form.default_roles["unauthenticated"].endswith("Cognito_roles-tab_Unauth_Role")
    key, error = sign_in(run, window.connection, pool_id)
    assert error is None and key.startswith("ASIA")


def test_rules_edit_preview_and_the_service_agree(roles_tab, oidc_idp, run, wait_until):
    window, page, pool_id = roles_tab
    connection = window.connection

    async def roles():
        made = {}
        for name in ("tab-auth", "tab-admins"):
            answer = await connection.iam.create_role(
                role_name=name + pool_id[-6:], assume_role_policy_document=cognito_trust_policy(pool_id,
                                                                                               "authenticated"))
            made[name] = answer["Role"]["Arn"]
        return made

    arns = run(roles())
    window.refresh()  # F5: roles made elsewhere
    wait_until(lambda: page.snapshot and arns["tab-admins"] in page.snapshot.role_arns, 30, "the reloaded role list")
    page.role_boxes["authenticated"].setCurrentText(arns["tab-auth"])
    editor = page.mappings
    editor.new_provider.setCurrentText(oidc_idp.host)
    editor.add_mapping_button.click()
    assert editor.provider.currentText() == oidc_idp.host
    editor.ambiguous.setCurrentIndex(editor.ambiguous.findData("AuthenticatedRole"))
    editor.add_rule_button.click()
    model = editor.model
    for column, value in ((1, "groups"), (2, "Contains"), (3, "adm"), (4, arns["tab-admins"])):
        assert model.setData(model.index(0, column), value)
    token = oidc_idp.id_token("alice")  # groups: qa, admins
    page.preview.key.setCurrentText(oidc_idp.host)
    page.preview.token.setPlainText(token)
    assert page.preview.headline.text().startswith(f"{arns['tab-admins']} (rule 1) — STS would assume it")
    assert "signature is NOT checked" in page.preview.explanation.toPlainText()
    assert model.setData(model.index(0, 3), "nobody")  # the unsaved edit changes the preview at once
    assert page.preview.headline.text().startswith(
        f"{arns['tab-auth']} (no rule decided, so the pool's default authenticated role)")
    assert "ambiguous-default" not in page.preview.headline.text() + page.preview.explanation.toPlainText()
    assert model.setData(model.index(0, 3), "adm")
    for _ in range(24):
        editor.add_rule_button.click()
    assert model.rowCount() == 25
    editor.add_rule_button.click()
    assert model.rowCount() == 25 and editor.note.text() == "A role mapping holds at most 25 rules."
    page.save()  # 24 blank rules: refused before anything is sent, the reason in the banner
    assert page.errors.isVisibleTo(page) and "ValidationException" in page.errors.report.raw
    model.removeRows(1, 24)
    saved(page, wait_until)
    logins = {oidc_idp.host: token}
    _, error = sign_in(run, connection, pool_id, logins)
    assert error is None
    assert page.preview.result.decision.role_arn == arns["tab-admins"]

    async def caller():
        identity = await connection.identity.get_id(identity_pool_id=pool_id, logins=logins)
        answer = await connection.identity.get_credentials_for_identity(identity_id=identity["IdentityId"],
                                                                        logins=logins)
        creds = answer["Credentials"]
        sts = StsClient(connection.http, connection.endpoints.sts,
                        StaticCredentials(creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"]))
        return (await sts.get_caller_identity())["Arn"]

    assert f":assumed-role/tab-admins{pool_id[-6:]}/" in run(caller())


def test_a_lint_finding_fixed_from_the_tab_lets_guests_in(roles_tab, run, wait_until, qtbot):
    window, page, pool_id = roles_tab
    connection = window.connection
    broken = cognito_trust_policy(pool_id, "unauthenticated")
    broken["Statement"][0]["Condition"]["StringEquals"]["cognito-identity.amazonaws.com:aud"] = OTHER_POOL

    async def setup():
        role = await connection.iam.create_role(role_name="tab-broken-guest", assume_role_policy_document=broken)
        await connection.identity.set_identity_pool_roles(identity_pool_id=pool_id,
                                                          roles={"unauthenticated": role["Role"]["Arn"]})
    run(setup())
    assert sign_in(run, connection, pool_id)[1] == "InvalidIdentityPoolConfigurationException"
    window.refresh()  # F5: the roles were changed elsewhere
    wait_until(lambda: page.trust.findings, 30, "the lint findings")
    finding = page.trust.selected_finding()
    assert finding.code == "wrong-aud" and page.trust.fix_button.isEnabled()
    assert f"line {finding.line}" in page.trust.list.item(0).text()
    assert OTHER_POOL in page.trust.policy.textCursor().block().text()  # the finding's line is shown
    page.trust.ask_fix()
    dialog = page.trust.findChild(FixDialog)
    assert dialog is not None and f'+          "cognito-identity.amazonaws.com:aud": "{pool_id}"' in \
        dialog.diff.toPlainText()
    dialog.accept()
    wait_until(lambda: not page.trust.findings, 30, "the fixed policy")
    assert json.dumps(pool_id) in page.trust.policy.toPlainText()
    assert sign_in(run, connection, pool_id)[1] is None


def test_a_recorded_sign_in_is_replayed_in_the_preview(roles_tab, oidc_idp, wait_until):
    _, page, pool_id = roles_tab
    store = HistoryStore(history_path(page.ctx.settings_file.path.parent))
    try:
        store.add(RunRecord(started_at=time.time(), connection="local", pool_id=pool_id, provider="main",
                            provider_kind="oidc", logins_key=oidc_idp.host, persona="alice",
                            claims={"sub": "alice", "groups": ["qa", "admins"]}))
    finally:
        store.close()
    page.reload()
    wait_until(lambda: len(page.preview.recent_sign_ins) == 1 and not page.ctx.runner.running, 30,
               "the recorded sign-in")
    assert "alice" in page.preview.recent.itemText(1)
    page.preview.recent.activated.emit(1)
    assert page.preview.key.currentText() == oidc_idp.host
    assert '"groups"' in page.preview.token.toPlainText()
    assert page.preview.result is not None  # no default role yet: the preview says so
    assert page.preview.headline.text().startswith("No role — InvalidIdentityPoolConfigurationException")


def test_rules_move_with_the_keyboard_buttons(roles_tab, oidc_idp):
    _, page, _ = roles_tab
    editor = page.mappings
    editor.new_provider.setCurrentText(oidc_idp.host)
    editor.add_mapping_button.click()
    for claim in ("a", "b", "c"):
        editor.add_rule_button.click()
        editor.model.setData(editor.model.index(editor.model.rowCount() - 1, 1), claim)
    editor.view.setCurrentIndex(editor.model.index(2, 1))
    editor.up_button.click()
    editor.up_button.click()
    editor.up_button.click()  # already first: nothing happens
    assert [r.claim for r in editor.current().rules] == ["c", "a", "b"]
    assert editor.view.currentIndex().row() == 0
    editor.down_button.click()
    assert [r.claim for r in editor.current().rules] == ["a", "c", "b"]
    assert page.state.text() == "Unsaved changes"


def test_the_preview_says_a_rule_role_that_does_not_exist_does_not_exist(roles_tab, oidc_idp, run, wait_until):
    window, page, pool_id = roles_tab
    connection = window.connection
    missing = "arn:aws:iam::000000000000:role/eng-role"

    async def rules_to_a_missing_role():
        auth = await connection.iam.create_role(
            role_name="tab-auth" + pool_id[-6:], assume_role_policy_document=cognito_trust_policy(pool_id,
                                                                                                 "authenticated"))
        await connection.identity.set_identity_pool_roles(
            identity_pool_id=pool_id, roles={"authenticated": auth["Role"]["Arn"]},
            role_mappings={oidc_idp.host: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                           "RulesConfiguration": {"Rules": [
                                               {"Claim": "department", "MatchType": "Equals", "Value": "qa",
                                                "RoleARN": missing}]}}})

    run(rules_to_a_missing_role())
    window.refresh()  # F5: rules changed elsewhere
    wait_until(lambda: page.snapshot is not None and missing in page.snapshot.trust_policies
               and not page.ctx.runner.running, 30, "the reloaded rules")
    page.preview.key.setCurrentText(oidc_idp.host)
    page.preview.token.setPlainText(oidc_idp.id_token("alice"))  # department: qa
    assert page.preview.headline.text() == (f"{missing} (rule 1) — but it does not exist in IAM "
                                            "(InvalidIdentityPoolConfigurationException)")
    explanation = page.preview.explanation.toPlainText()
    assert f"The role {missing} does not exist in IAM" in explanation and "not loaded" not in explanation
    page.trust.role.setCurrentIndex(page.trust.role.findData(missing))
    assert page.trust.policy.toPlainText() == (f"The role {missing} does not exist in IAM: create it trusted by "
                                               "this pool.")
