"""Per-identity permission templates in the real window against the real embedded service: the New pool
wizard puts the chosen template on the roles it creates, and the Roles & rules tab's "Add permissions from
template…" shows the policy JSON, refuses bad values, then saves it on the role with PutRolePolicy."""

from __future__ import annotations

import json

from pool_support import call_until_idle, settle_when_idle
from PySide6.QtWidgets import QWizard

from cognito_desk.admin.policy_templates import AUTHENTICATED, UNAUTHENTICATED, template
from cognito_desk.admin.pools import send_pool_request
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.ui.roles.page import RolesPage


def test_wizard_puts_the_template_on_the_new_roles(connected_window, run, wait_until, assert_accessible):
    window = connected_window
    call, settle = call_until_idle(window, run), settle_when_idle(window, wait_until)
    window.screens["pools"].new_action.trigger()
    wizard = window.screens["pools"].dialog
    wizard.access_page.guest.setChecked(True)
    wizard.next()
    wizard.providers_page.providers.developer.setText("login.templates")
    wizard.next()
    page = wizard.roles_page
    assert wizard.currentPage() is page
    assert_accessible(page)
    fields = page.template
    assert fields.template_id() == "" and not fields.inputs["bucket"].isVisibleTo(page)  # none unless chosen
    fields.set_template("amplify-storage")
    assert fields.inputs["bucket"].isVisibleTo(page) and not fields.inputs["table"].isVisibleTo(page)
    fields.inputs["bucket"].setText("Bad_Bucket")
    wizard.next()
    assert wizard.currentPage() is page
    assert fields.problems["bucket"].text().startswith("S3 bucket 'Bad_Bucket' is not valid")
    fields.inputs["bucket"].setText("media-bucket")
    wizard.next()
    wizard.properties_page.name.setText("Templated")
    wizard.next()
    rows = [(wizard.review_page.rows.topLevelItem(i).text(0), wizard.review_page.rows.topLevelItem(i).text(1))
            for i in range(wizard.review_page.rows.topLevelItemCount())]
    assert ("Unauthenticated role permissions", "Amplify Storage (public / protected / private) (inline policy "
            "amplify-storage)") in rows
    wizard.button(QWizard.WizardButton.FinishButton).click()
    settle(lambda: wizard.created is not None, "the pool and its roles to be created")

    async def inline(role: str):
        return await window.connection.iam.get_role_policy(role_name=role, policy_name="amplify-storage")

    auth = call(inline("Templated-auth-role"))["PolicyDocument"]
    guest = call(inline("Templated-guest-role"))["PolicyDocument"]
    assert auth == template("amplify-storage").render({"bucket": "media-bucket"}, AUTHENTICATED)
    assert guest == template("amplify-storage").render({"bucket": "media-bucket"}, UNAUTHENTICATED)


def test_roles_tab_adds_permissions_from_a_template(connected_window, run, wait_until, assert_accessible):
    window = connected_window
    connection = window.connection
    call = call_until_idle(window, run)

    async def setup():
        pool = await send_pool_request(connection.identity, "CreateIdentityPool", {
            "IdentityPoolName": "templates-tab", "AllowUnauthenticatedIdentities": True})
        pool_id = pool["IdentityPoolId"]
        role = await connection.iam.create_role(role_name="templates-tab-guest",
                                                assume_role_policy_document=cognito_trust_policy(pool_id,
                                                                                                 UNAUTHENTICATED))
        await connection.identity.set_identity_pool_roles(identity_pool_id=pool_id,
                                                          roles={"unauthenticated": role["Role"]["Arn"]})
        return pool_id, role["Role"]["Arn"]

    pool_id, role_arn = call(setup())
    page = window.findChild(RolesPage)
    window.tabs.setCurrentWidget(page)  # a tab loads what it shows when it is first shown
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.snapshot is not None and page.snapshot.pool_id == pool_id, 30, "the roles snapshot")
    page.templates_button.click()
    dialog = page.templates_dialog
    wait_until(dialog.isVisible, 10, "the template dialog")
    assert_accessible(dialog)
    assert dialog.role.currentText() == role_arn
    assert dialog.kind.currentData() == UNAUTHENTICATED  # the guest role serves guests
    dialog.fields.set_template("s3-private-folder")
    dialog.fields.inputs["bucket"].setText("photos")
    assert dialog.preview.toPlainText().startswith("// ")  # a private folder is for signed-in identities only
    dialog.add_button.click()
    assert dialog.problems["kind"].text() == (
        "Private S3 folder per identity grants nothing to unauthenticated identities.")
    dialog.fields.set_template("amplify-storage")
    shown = json.loads(dialog.preview.toPlainText())
    assert shown == template("amplify-storage").render({"bucket": "photos"}, UNAUTHENTICATED)
    dialog.policy_name.setText("guest-storage")
    dialog.add_button.click()
    wait_until(lambda: dialog.status.text() != "" and not window.ctx.runner.running, 30, "the policy to be saved")
    assert dialog.status.text() == "Added inline policy guest-storage to role templates-tab-guest."
    saved = call(connection.iam.get_role_policy(role_name="templates-tab-guest", policy_name="guest-storage"))
    assert saved["PolicyDocument"] == shown

    async def delete_role():  # the role goes away behind the dialog's back
        await connection.identity.set_identity_pool_roles(identity_pool_id=pool_id, roles={})
        await connection.iam.delete_role_policy(role_name="templates-tab-guest", policy_name="guest-storage")
        await connection.iam.delete_role(role_name="templates-tab-guest")

    call(delete_role())
    dialog.add_button.click()
    wait_until(lambda: dialog.errors.isVisible() and not window.ctx.runner.running, 30, "the error")
    assert "NoSuchEntity" in dialog.errors.raw.toPlainText()
    assert dialog.status.text() == ""
    dialog.close()
