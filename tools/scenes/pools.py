"""Identity pools: the Settings tab (with a problem shown inline), the New pool wizard's providers, roles (with a
permissions template for the new role) and review pages, and the delete, duplicate and compare-with-file dialogs."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from cognito_desk.admin.transfer import export_pool


def _screens(studio):
    from cognito_desk.ui.pools import install

    return studio.window.screens.get("pools") or install(studio.window)


async def _settings(studio, *, problem: bool):
    screens = _screens(studio)
    window = studio.window
    await studio.select_pool("QA mobile app")
    page = screens.settings_page
    window.tabs.setCurrentWidget(page)
    await studio.wait_until(lambda: page.edit is not None and page.edit.pool_id == studio.pools["QA mobile app"],
                            what="the Settings tab")
    if problem:
        page.name.setText("QA mobile app / v2")
        page._changed()
        page.providers.oidc.setPlainText("arn:aws:iam::000000000000:oidc-provider/login.qa.example")
    else:
        page._revert()
    return window


async def settings(studio):
    return await _settings(studio, problem=False)


async def settings_problem(studio):
    window = await _settings(studio, problem=True)
    studio.cleanup.append(studio.window.screens["pools"].settings_page._revert)
    return window


async def _wizard(studio, last_page: bool):
    screens = _screens(studio)
    screens.new_pool()
    wizard = screens.dialog
    studio.cleanup.append(wizard.reject)
    wizard.access_page.guest.setChecked(True)
    wizard.next()
    wizard.providers_page.providers.social["accounts.google.com"].setText("1234567890-qa.apps.googleusercontent.com")
    wizard.providers_page.providers.developer.setText("login.kiosk.example")
    wizard.next()
    roles = wizard.roles_page
    await studio.wait_until(lambda: roles.slots["authenticated"].roles.count() > 0, what="the role list")
    roles.slots["authenticated"].existing.setChecked(True)
    roles.slots["authenticated"].roles.setCurrentIndex(0)
    roles.slots["unauthenticated"].new_name.setText("KioskGuests")
    roles.template.set_template("s3-private-folder")  # the new guest role starts with a per-identity folder
    roles.template.inputs["bucket"].setText("kiosk-uploads")
    if last_page:
        wizard.next()
        wizard.properties_page.name.setText("Kiosk v2")
        wizard.properties_page.tags.setPlainText("team=qa\ncost-centre=1234")
        wizard.next()
    assert wizard.currentPage() is (wizard.review_page if last_page else roles)
    return wizard


async def wizard_providers(studio):
    screens = _screens(studio)
    screens.new_pool()
    wizard = screens.dialog
    studio.cleanup.append(wizard.reject)
    wizard.next()  # authenticated access (the default) needs a provider: step 2 lists and creates them
    picker = wizard.providers_page.iam
    await studio.wait_until(lambda: not picker.status.text().startswith("Listing"), what="IAM's providers")
    picker.tabs.setCurrentWidget(picker.new_oidc)  # none yet in the sample account: create one here
    picker.new_oidc.url.setText("https://login.qa.example")
    picker.new_oidc.client_ids.setText("kiosk-app")
    return wizard


async def wizard_roles(studio):
    return await _wizard(studio, last_page=False)


async def wizard_review(studio):
    return await _wizard(studio, last_page=True)


async def delete(studio):
    screens = _screens(studio)
    await studio.select_pool("QA mobile app")
    screens.delete()
    dialog = screens.dialog
    studio.cleanup.append(dialog.reject)
    await studio.wait_until(lambda: dialog.ok_button.isEnabled(), what="the identity count")
    return dialog


async def duplicate(studio):
    screens = _screens(studio)
    await studio.select_pool("QA mobile app")
    screens.duplicate()
    dialog = screens.dialog
    studio.cleanup.append(dialog.reject)
    dialog.copy_roles.setChecked(False)
    dialog.preview_button.click()
    await studio.wait_until(lambda: dialog.ok_button.isEnabled(), what="the preview")
    return dialog


async def compare(studio):
    screens = _screens(studio)
    await studio.select_pool("Staging web")
    pool_id = studio.pools["Staging web"]
    document = await export_pool(studio.connection, pool_id)
    document["describe-identity-pool"]["AllowUnauthenticatedIdentities"] = True
    document["describe-identity-pool"]["SupportedLoginProviders"]["graph.facebook.com"] = "2233445566"
    path = Path(tempfile.mkdtemp(prefix="cognito-desk-scene-")) / "staging-web.json"
    path.write_text(json.dumps(document))
    screens.compare()
    dialog = screens.dialog
    studio.cleanup.append(dialog.reject)
    dialog.path.setText(str(path))
    dialog.go()
    await studio.wait_until(lambda: dialog.view.topLevelItemCount() > 0, what="the differences")
    return dialog


SCENES = [("pool-settings", settings), ("pool-settings-problem", settings_problem),
          ("pool-wizard-providers", wizard_providers), ("pool-wizard-roles", wizard_roles),
          ("pool-wizard-review", wizard_review), ("pool-delete", delete),
          ("pool-duplicate", duplicate), ("pool-compare", compare)]
