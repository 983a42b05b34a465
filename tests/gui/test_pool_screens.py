"""The pool screens in the real window against the real embedded service: wizard, Settings tab (inline
validation, read-modify-write, conflict), delete, duplicate, export and compare with file."""

from __future__ import annotations

import json
import socket

import pytest
from pool_support import call_until_idle, check_model, settle_when_idle
from PySide6.QtWidgets import QWizard

from cognito_desk.admin.transfer import export_pool
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.backend import open_connection
from cognito_desk.settings import CredentialSource, EndpointProfile
from cognito_desk.ui.pools.dialogs import ImportDialog
from cognito_desk.ui.widgets.busy import BusyOverlay

OIDC_ARN = "arn:aws:iam::000000000000:oidc-provider/idp.gui.example"
USER_POOL = {"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_Gui123", "ClientId": "guiclient",
             "ServerSideTokenCheck": True}


@pytest.fixture
def window(connected_window):
    return connected_window


def _create_pool(call, window, **settings) -> str:
    async def create():
        pool = await window.connection.identity.create_identity_pool(
            identity_pool_name=settings.pop("name", "gui pool"), allow_unauthenticated_identities=True, **settings)
        return pool["IdentityPoolId"]
    pool_id = call(create())
    window.pools_changed(select=pool_id)
    return pool_id




@pytest.fixture
def call(window, run):
    return call_until_idle(window, run)


@pytest.fixture
def settle(window, wait_until):
    return settle_when_idle(window, wait_until)


def _select(window, settle, pool_id):
    page = window.screens["pools"].settings_page
    settle(lambda: page.edit is not None and page.edit.pool_id == pool_id,
           "the pool to be selected and its Settings tab loaded")
    return page


def test_wizard_creates_pool_and_new_roles_then_a_guest_signs_in(window, call, settle, qtbot, assert_accessible,
                                                                 qtmodeltester):
    window.screens["pools"].new_action.trigger()
    wizard = window.screens["pools"].dialog
    assert isinstance(wizard, QWizard) and wizard.isVisible()
    assert_accessible(wizard)
    access = wizard.access_page
    access.authenticated.setChecked(False)
    wizard.next()
    assert wizard.currentPage() is access and not access.access_problem.isHidden()  # nothing chosen: refused
    access.guest.setChecked(True)
    wizard.next()
    wizard.next()  # no providers needed for guests only
    assert wizard.currentPage() is wizard.roles_page
    slot = wizard.roles_page.slots["unauthenticated"]
    assert slot.isVisibleTo(wizard) and not wizard.roles_page.slots["authenticated"].isVisibleTo(wizard)
    qtbot.keyClicks(slot.new_name, "bad name")
    wizard.next()
    assert slot.problem.text() == "Contains characters that are not allowed: use only letters, digits and the " \
        "characters _ + = , . @ -."
    assert slot.problem.accessibleName() == slot.problem.text()  # what a screen reader reads
    assert "at 'roleName' failed to satisfy constraint" in slot.problem.toolTip()
    slot.new_name.setText("gui-guest-role")
    wizard.next()
    wizard.properties_page.name.setText("Made by the wizard")
    wizard.properties_page.tags.setPlainText("team=qa")
    wizard.next()
    assert wizard.currentPage() is wizard.review_page
    check_model(qtmodeltester, wizard.review_page.rows.model())
    wizard.button(QWizard.WizardButton.FinishButton).click()
    settle(lambda: wizard.created is not None, "the pool to be created")
    pool_id = wizard.created.pool["IdentityPoolId"]
    settle(lambda: window.current_pool() is not None and window.current_pool().pool_id == pool_id,
               "the new pool to be selected")

    async def guest_signs_in():
        identity = window.connection.identity
        roles = await identity.get_identity_pool_roles(identity_pool_id=pool_id)
        guest = (await identity.get_id(identity_pool_id=pool_id))["IdentityId"]
        credentials = await identity.get_credentials_for_identity(identity_id=guest)
        return roles, credentials

    roles, credentials = call(guest_signs_in())
    assert roles["Roles"]["unauthenticated"].endswith(":role/gui-guest-role")
    assert credentials["Credentials"]["AccessKeyId"]


def test_wizard_failure_midway_offers_roll_back(window, call, settle):
    async def taken():
        await window.connection.iam.create_role(role_name="taken-by-gui", assume_role_policy_document=(
            cognito_trust_policy("us-east-1:00000000-0000-0000-0000-000000000000", "unauthenticated")))
    call(taken())
    window.screens["pools"].new_pool()
    wizard = window.screens["pools"].dialog
    wizard.access_page.guest.setChecked(True)
    wizard.next()
    wizard.providers_page.providers.developer.setText("login.rollback")
    wizard.next()
    wizard.roles_page.slots["authenticated"].new_name.setText("fresh-by-gui")
    wizard.roles_page.slots["unauthenticated"].new_name.setText("taken-by-gui")
    wizard.next()
    wizard.properties_page.name.setText("Half made")
    wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    review = wizard.review_page
    settle(lambda: wizard.failed is not None, "the failure")
    assert "EntityAlreadyExists" in review.errors.raw.toPlainText()
    assert review.progress.text().startswith("Already created: Identity pool Half made (")
    assert "role/fresh-by-gui" in review.progress.text()
    review.roll_back_button.click()
    settle(lambda: wizard.failed is None, "the roll back")
    assert review.progress.text().startswith("Rolled back")

    async def left():
        pools = [p async for p in window.connection.identity.iter_identity_pools()]
        roles = [r["RoleName"] async for r in window.connection.iam.iter_roles()]
        return pools, roles

    pools, roles = call(left())
    assert all(p["IdentityPoolName"] != "Half made" for p in pools)
    assert "fresh-by-gui" not in roles and "taken-by-gui" in roles
    wizard.reject()


def test_settings_save_keeps_every_other_field(window, call, settle, qtbot, assert_accessible):
    pool_id = _create_pool(call, window, allow_classic_flow=True, open_id_connect_provider_arns=[OIDC_ARN],
                           cognito_identity_providers=[USER_POOL], developer_provider_name="login.gui",
                           supported_login_providers={"accounts.google.com": "g-app", "api.twitter.com": "t-app"})
    page = _select(window, settle, pool_id)
    assert_accessible(page)
    assert page.providers.developer.isReadOnly() and not page.providers.developer_note.isHidden()
    assert page.providers.social["accounts.google.com"].text() == "g-app"
    assert not page.save_button.isEnabled()
    before = call(window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))
    qtbot.keyClicks(page.name, " renamed")
    assert page.save_button.isEnabled()
    page.save_button.click()
    settle(lambda: page.status.text() == "Saved.", "the save")
    after = call(window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))
    assert after == {**before, "IdentityPoolName": "gui pool renamed"}
    settle(lambda: window.pool_title.text() == "gui pool renamed", "the list and the header to show the new name")


def test_inline_validation_blocks_the_save(window, call, settle, qtbot):
    page = _select(window, settle, _create_pool(call, window))
    qtbot.keyClicks(page.name, "/")
    assert not page.name_problem.isHidden()
    assert page.name_problem.text() == "Contains characters that are not allowed: use only letters, digits, " \
        "spaces and the characters _ + = , . @ -."
    assert page.name_problem.accessibleName() == page.name_problem.text()
    assert "Member must satisfy regular expression pattern" in page.name_problem.toolTip()
    assert not page.save_button.isEnabled()
    page.name.clear()
    qtbot.keyClicks(page.name, "fine")
    assert page.name_problem.isHidden() and page.save_button.isEnabled()
    page.providers.oidc.setPlainText("\n".join(f"arn:aws:iam::000000000000:oidc-provider/p{i}" for i in range(3)))
    assert page.save_button.isEnabled()
    page.revert_button.click()
    assert page.name.text() == "gui pool" and not page.save_button.isEnabled()


def test_concurrent_change_is_shown_and_can_be_overwritten(window, call, settle, qtbot, qtmodeltester):
    pool_id = _create_pool(call, window, supported_login_providers={"accounts.google.com": "g-app"})
    page = _select(window, settle, pool_id)
    qtbot.keyClicks(page.name, " mine")

    async def change_elsewhere():
        identity = window.connection.identity
        await identity.update_identity_pool(identity_pool_id=pool_id, identity_pool_name="gui pool",
                                            allow_unauthenticated_identities=False,
                                            supported_login_providers={"accounts.google.com": "g-app"})
    call(change_elsewhere())
    page.save_button.click()
    settle(lambda: not page.conflict.isHidden(), "the conflict panel")
    view = page.conflict_view
    check_model(qtmodeltester, view.model())
    assert [view.topLevelItem(i).text(0) for i in range(view.topLevelItemCount())] == [
        "AllowUnauthenticatedIdentities"]
    assert (view.topLevelItem(0).text(1), view.topLevelItem(0).text(2)) == ("true", "false")
    page.overwrite_button.click()
    settle(lambda: page.status.text() == "Saved.", "the overwrite")
    pool = call(window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))
    assert pool["IdentityPoolName"] == "gui pool mine" and pool["AllowUnauthenticatedIdentities"] is True


def test_delete_names_the_pool_and_its_identity_count(window, call, settle, assert_accessible):
    pool_id = _create_pool(call, window, name="doomed")

    async def guests():
        for _ in range(3):
            await window.connection.identity.get_id(identity_pool_id=pool_id)
    call(guests())
    _select(window, settle, pool_id)
    window.screens["pools"].delete_action.trigger()
    dialog = window.screens["pools"].dialog
    settle(lambda: dialog.ok_button.isEnabled(), "the identity count")
    assert_accessible(dialog)
    assert dialog.question.text() == (f"Delete identity pool “doomed” ({pool_id}) and its 3 identities? "
                                      "This cannot be undone.")
    dialog.ok_button.click()
    settle(lambda: all(row["IdentityPoolId"] != pool_id for row in window.pool_list.model.rows), "the delete")
    assert window.current_pool() is None or window.current_pool().pool_id != pool_id
    pools = call(window.connection.identity.list_identity_pools())
    assert pool_id not in [p["IdentityPoolId"] for p in pools["IdentityPools"]]


def test_duplicate_with_new_roles(window, call, settle, qtmodeltester, assert_accessible):
    pool_id = _create_pool(call, window, name="original", supported_login_providers={"graph.facebook.com": "fb"})
    _select(window, settle, pool_id)
    window.screens["pools"].duplicate_action.trigger()
    dialog = window.screens["pools"].dialog
    assert dialog.name.text() == "original copy"
    assert_accessible(dialog)
    dialog.preview_button.click()
    settle(lambda: dialog.ok_button.isEnabled(), "the preview")
    check_model(qtmodeltester, dialog.preview_view.model())
    assert dialog.preview_view.topLevelItem(0).text(1) == "create “original copy”"
    dialog.ok_button.click()
    settle(lambda: window.current_pool() is not None and window.current_pool().name == "original copy")
    copy = call(window.connection.identity.describe_identity_pool(identity_pool_id=window.current_pool().pool_id))
    assert copy["SupportedLoginProviders"] == {"graph.facebook.com": "fb"}


def test_export_then_compare_with_file_shows_drift(window, call, settle, tmp_path, qtmodeltester,
                                                   assert_accessible):
    pool_id = _create_pool(call, window, name="drifting")
    _select(window, settle, pool_id)
    window.screens["pools"].export_action.trigger()
    dialog = window.screens["pools"].dialog
    assert_accessible(dialog)
    dialog.path.setText(str(tmp_path / "drifting.json"))
    dialog.ok_button.click()
    settle(lambda: dialog.status.text().startswith("Saved"), "the export")
    dialog.reject()
    document = json.loads((tmp_path / "drifting.json").read_text())
    assert document["describe-identity-pool"]["IdentityPoolId"] == pool_id
    call(window.connection.identity.update_identity_pool(identity_pool_id=pool_id, identity_pool_name="drifting",
                                                        allow_unauthenticated_identities=False))
    window.screens["pools"].compare_action.trigger()
    compare = window.screens["pools"].dialog
    assert_accessible(compare)
    compare.path.setText(str(tmp_path / "drifting.json"))
    compare.ok_button.click()
    settle(lambda: compare.view.topLevelItemCount() == 1, "the comparison")
    check_model(qtmodeltester, compare.view.model())
    row = compare.view.topLevelItem(0)
    assert (row.text(0), row.text(1), row.text(2)) == ("IdentityPool.AllowUnauthenticatedIdentities", "true",
                                                       "false")
    compare.path.setText(str(tmp_path / "missing.json"))
    compare.ok_button.click()
    settle(lambda: not compare.errors.isHidden(), "the error")
    assert "missing.json" in compare.errors.body.text() + compare.errors.raw.toPlainText()
    compare.reject()


def test_backend_gone_during_save_keeps_the_edit_and_explains(window, app_ctx, call, settle, qtbot):
    page = _select(window, settle, _create_pool(call, window, name="stays"))
    qtbot.keyClicks(page.name, " edited")
    app_ctx.local.stop_all()  # the embedded service goes away
    page.save_button.click()
    settle(lambda: not page.errors.isHidden(), "the error")
    assert "Cannot reach the backend" in page.errors.title.text()
    assert "ConnectionFailed" in page.errors.raw.toPlainText()
    assert page.name.text() == "stays edited" and page.save_button.isEnabled()  # nothing typed is lost
    assert page.edit.request["IdentityPoolName"] == "stays edited"


def test_a_slow_preview_shows_busy_and_can_be_cancelled(window, app_ctx, call, settle, wait_until, tmp_path,
                                                        monkeypatch):
    pool_id = _create_pool(call, window, name="to copy")
    (tmp_path / "pool.json").write_text(json.dumps(call(export_pool(window.connection, pool_id))))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLESLOW00001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "slow-secret-not-real")
    with socket.socket() as silent:  # the kernel accepts connections; nobody ever answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        slow = EndpointProfile("slow", f"http://127.0.0.1:{silent.getsockname()[1]}", "us-east-1",
                               CredentialSource.ENVIRONMENT)
        connection = call(open_connection(slow, app_ctx.secrets, app_ctx.local))
        dialog = ImportDialog(app_ctx, connection, window)
        dialog.open()
        dialog.path.setText(str(tmp_path / "pool.json"))
        dialog.preview_button.click()
        wait_until(lambda: dialog.findChildren(BusyOverlay), 30, "the busy state")
        overlay = dialog.findChildren(BusyOverlay)[0]
        assert overlay.label.text() == "Reading the export…"
        overlay.cancel_button.click()
        settle(lambda: not dialog.findChildren(BusyOverlay), "the cancel")
        assert dialog.errors.isHidden() and dialog.preview is None and not dialog.ok_button.isEnabled()
        dialog.reject()
        call(connection.aclose())
