"""The pool screens on moto server (the AWS-compatible path) and across two connections: edit and conflict,
export from the Local connection then import into moto, and a wizard that moto stops midway, rolled back."""

from __future__ import annotations

import json

import pytest
from pool_support import call_until_idle, settle_when_idle
from PySide6.QtWidgets import QWizard
from service.moto_server import running_moto_server

from cognito_desk.settings import CredentialSource, EndpointProfile, Settings


@pytest.fixture
def call(window, run):
    return call_until_idle(window, run)


@pytest.fixture
def settle(window, wait_until):
    return settle_when_idle(window, wait_until)


@pytest.fixture(scope="module")
def moto_url():
    with running_moto_server() as url:
        yield url


@pytest.fixture
def window(main_window, app_ctx, moto_url, monkeypatch, wait_until):
    """The window with the Local connection and a Custom endpoint connection "moto" (environment keys)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moto-accepts-any-secret")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    settings = app_ctx.settings_file.load()
    moto = EndpointProfile("moto", moto_url, "us-east-1", CredentialSource.ENVIRONMENT)
    app_ctx.settings_file.save(Settings((*settings.profiles, moto), "local"))
    main_window.start()
    wait_until(lambda: main_window.connection is not None and main_window.pool_list.model.complete
               and not app_ctx.runner.running, 30, "the Local connection")
    return main_window


def _switch(window, settle, name):
    window.open_profile(name)
    settle(lambda: window.connection is not None and window.connection.name == name
           and window.pool_list.model.complete, f"the {name} connection")


def _create(call, window, **request) -> str:
    async def create():
        return (await window.connection.identity.create_identity_pool(**request))["IdentityPoolId"]
    pool_id = call(create())
    window.pools_changed(select=pool_id)
    return pool_id


def test_settings_on_moto_keep_fields_and_detect_conflicts(window, call, settle, qtbot):
    _switch(window, settle, "moto")
    pool_id = _create(call, window, identity_pool_name="moto pool", allow_unauthenticated_identities=False,
                      developer_provider_name="login.moto", supported_login_providers={"graph.facebook.com": "fb"})
    page = window.screens["pools"].settings_page
    settle(lambda: page.edit is not None and page.edit.pool_id == pool_id, "the Settings tab")
    assert page.providers.developer.isReadOnly()
    page.guest.setChecked(True)
    page.save_button.click()
    settle(lambda: page.status.text() == "Saved.", "the save")
    pool = call(window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))
    assert pool["AllowUnauthenticatedIdentities"] is True and pool["DeveloperProviderName"] == "login.moto"
    assert pool["SupportedLoginProviders"] == {"graph.facebook.com": "fb"}
    page.basic_flow.setChecked(True)
    call(window.connection.identity.update_identity_pool(
        identity_pool_id=pool_id, identity_pool_name="moto pool", allow_unauthenticated_identities=False,
        developer_provider_name="login.moto", supported_login_providers={"graph.facebook.com": "fb"}))
    page.save_button.click()
    settle(lambda: not page.conflict.isHidden(), "the conflict")
    assert page.conflict_view.topLevelItem(0).text(0) == "AllowUnauthenticatedIdentities"
    page.reload_button.click()
    settle(lambda: page.conflict.isHidden() and not page.guest.isChecked(), "the reload")


def test_export_from_local_then_import_into_moto(window, call, settle, tmp_path):
    pool_id = _create(call, window, identity_pool_name="travels", allow_unauthenticated_identities=True,
                      supported_login_providers={"www.amazon.com": "amzn-app"})
    settle(lambda: window.current_pool() is not None and window.current_pool().pool_id == pool_id, "the pool")
    window.screens["pools"].export()
    export = window.screens["pools"].dialog
    export.path.setText(str(tmp_path / "travels.json"))
    export.ok_button.click()
    settle(lambda: export.status.text().startswith("Saved"), "the export")
    export.reject()
    _switch(window, settle, "moto")
    window.screens["pools"].import_action.trigger()
    dialog = window.screens["pools"].dialog
    dialog.path.setText(str(tmp_path / "travels.json"))
    dialog.preview_button.click()
    settle(lambda: dialog.ok_button.isEnabled(), "the preview")
    assert dialog.preview_view.topLevelItem(0).text(1) == "create “travels”"
    dialog.ok_button.click()
    settle(lambda: window.current_pool() is not None and window.current_pool().name == "travels", "the import")
    assert window.connection.name == "moto"
    copy = call(window.connection.identity.describe_identity_pool(identity_pool_id=window.current_pool().pool_id))
    assert copy["SupportedLoginProviders"] == {"www.amazon.com": "amzn-app"}
    assert json.loads((tmp_path / "travels.json").read_text())["ExportedFrom"]["Endpoint"].startswith("http://127.")


def test_a_wizard_that_moto_stops_midway_is_rolled_back(window, call, settle):
    _switch(window, settle, "moto")
    window.screens["pools"].new_pool()
    wizard = window.screens["pools"].dialog
    wizard.access_page.guest.setChecked(True)
    wizard.next()
    wizard.providers_page.providers.social["accounts.google.com"].setText("g-app")
    wizard.next()
    wizard.next()
    wizard.properties_page.name.setText("Stopped midway")
    wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    settle(lambda: wizard.failed is not None, "the failure")
    review = wizard.review_page
    assert wizard.failed.step == "Attaching roles to the pool (SetIdentityPoolRoles)"
    assert not review.failure_actions.isHidden() and not review.errors.isHidden()
    assert "Stopped-midway-auth-role" in review.progress.text()
    review.roll_back_button.click()
    settle(lambda: wizard.failed is None, "the roll back")

    async def left():
        pools = [p["IdentityPoolName"] async for p in window.connection.identity.iter_identity_pools()]
        roles = [r["RoleName"] async for r in window.connection.iam.iter_roles()]
        return pools, roles

    pools, roles = call(left())
    assert "Stopped midway" not in pools
    assert not any(name.startswith("Stopped-midway") for name in roles)
    wizard.reject()
