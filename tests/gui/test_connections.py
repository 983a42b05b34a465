"""The connection dialogs in the real window: Custom endpoint profiles on the real embedded service and on a moto
server (Test connection, save, switch, the pool list of that backend), edit / duplicate / remove in "Manage
connections", field-specific errors, an SSO profile without a session, and no keyring at all."""

from __future__ import annotations

import boto3
import keyring.backends.fail
import pytest
from botocore.config import Config
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from service.moto_server import running_moto_server
from support import use_aws_config

from cognito_desk.admin import connections as logic
from cognito_desk.backend import LocalServices
from cognito_desk.service.context import ServiceSettings
from cognito_desk.service.server import ServiceThread
from cognito_desk.settings import (
    CredentialSource,
    EndpointProfile,
    KeyringSecrets,
    Secret,
    SecretField,
    Settings,
    SettingsFile,
)
from cognito_desk.ui.connections import ConnectionActions, ConnectionDialog, ManageConnectionsDialog

MOTO_KEY, MOTO_SECRET = "AKIAEXAMPLEMOTO00001", "moto-secret-not-real"


@pytest.fixture
def lab_service(tmp_path_factory):
    """An embedded service of its own (``lab_service`` would share the window's Local data dir)."""
    thread = ServiceThread(tmp_path_factory.mktemp("lab"), ServiceSettings()).start()
    yield thread
    thread.stop()


@pytest.fixture(scope="module")
def moto_url():
    with running_moto_server() as url:
        yield url


def boto(url: str, service: str, key: str, secret: str, region: str = "us-east-1"):
    return boto3.session.Session().client(service, endpoint_url=url, region_name=region, aws_access_key_id=key,
                                          aws_secret_access_key=secret,
                                          config=Config(retries={"mode": "standard", "max_attempts": 1}))


def actions_of(window) -> ConnectionActions:
    return window.findChild(ConnectionActions)


def open_dialog(window, wait_until, action: str):
    actions = actions_of(window)
    actions.dialog = None
    getattr(actions, action).trigger()
    wait_until(lambda: actions.dialog is not None and actions.dialog.isVisible(), 10, "the dialog")
    return actions.dialog


def choose_kind(dialog: ConnectionDialog, kind: str) -> None:
    next(b for b in dialog.kind_buttons.buttons() if b.property("kind") == kind).click()


def fill_endpoint(dialog: ConnectionDialog, name: str, url: str, region: str, key: str, secret: str) -> None:
    choose_kind(dialog, "endpoint")
    dialog.name.setText(name)
    dialog.url.setText(url)
    dialog.region.setCurrentText(region)
    dialog.credentials.setCurrentIndex(dialog.credentials.findData(CredentialSource.KEYRING.value))
    dialog.access_key_id.setText(key)
    dialog.secret_access_key.edit.setText(secret)


def save(dialog, wait_until) -> None:
    closed: list[int] = []
    dialog.finished.connect(closed.append)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    wait_until(lambda: closed, 30, "the dialog to save and close")
    assert closed == [QDialog.DialogCode.Accepted]


def test_a_custom_endpoint_on_the_embedded_service_is_tested_saved_and_opened(
        connected_window, app_ctx, lab_service, wait_until, assert_accessible):
    keys = lab_service.settings
    boto(lab_service.url, "cognito-identity", keys.access_key_id, keys.secret_access_key,
         keys.region).create_identity_pool(IdentityPoolName="on the lab server", AllowUnauthenticatedIdentities=True)
    dialog = open_dialog(connected_window, wait_until, "new_action")
    assert isinstance(dialog, ConnectionDialog) and dialog.windowTitle() == "New connection"
    fill_endpoint(dialog, "lab", lab_service.url, lab_service.settings.region, lab_service.settings.access_key_id,
                  lab_service.settings.secret_access_key)
    assert dialog.secret_access_key.masked
    dialog.secret_access_key.reveal_button.click()
    assert not dialog.secret_access_key.masked
    dialog.secret_access_key.reveal_button.click()
    assert_accessible(dialog)
    dialog.test_button.click()
    wait_until(lambda: "Connected" in dialog.test_result.text(), 30, "the test report")
    report = dialog.test_result.text()
    assert f"Endpoint: {lab_service.url}" in report and f"Account: {lab_service.settings.account_id}" in report
    assert f"Caller: arn:aws:iam::{lab_service.settings.account_id}:" in report and " ms" in report
    assert dialog.errors.isHidden()
    save(dialog, wait_until)
    saved = app_ctx.settings_file.load()
    assert saved.profile("lab") == EndpointProfile("lab", lab_service.url, lab_service.settings.region)
    assert lab_service.settings.secret_access_key not in app_ctx.settings_file.path.read_text()
    assert app_ctx.secrets.get("lab", SecretField.SECRET_ACCESS_KEY) == Secret(lab_service.settings.secret_access_key)
    # A new connection is opened at once, and the pool list shows that backend's pools.
    wait_until(lambda: connected_window.connection is not None and connected_window.connection.name == "lab"
               and connected_window.pool_list.model.complete, 30, "the lab connection's pool list")
    assert [row["IdentityPoolName"] for row in connected_window.pool_list.model.rows] == ["on the lab server"]
    assert connected_window.connection_box.currentText() == "lab"
    assert [connected_window.connection_box.itemText(i) for i in range(2)] == ["local", "lab"]


def test_a_moto_server_connection_reports_its_caller_and_lists_its_pools(connected_window, app_ctx, moto_url,
                                                                         wait_until):
    boto(moto_url, "cognito-identity", MOTO_KEY, MOTO_SECRET).create_identity_pool(
        IdentityPoolName="moto pool", AllowUnauthenticatedIdentities=False)
    dialog = open_dialog(connected_window, wait_until, "new_action")
    fill_endpoint(dialog, "moto", moto_url, "us-east-1", MOTO_KEY, MOTO_SECRET)
    dialog.test_button.click()
    wait_until(lambda: "Connected" in dialog.test_result.text(), 30, "the test report")
    assert "Account: 123456789012" in dialog.test_result.text()
    assert "Caller: arn:aws:sts::123456789012:" in dialog.test_result.text()
    save(dialog, wait_until)
    wait_until(lambda: connected_window.connection is not None and connected_window.connection.name == "moto"
               and connected_window.pool_list.model.complete, 30, "the moto connection's pool list")
    names = [row["IdentityPoolName"] for row in connected_window.pool_list.model.rows]
    assert "moto pool" in names


def test_bad_name_url_and_region_are_named_inline_and_nothing_is_saved(connected_window, app_ctx, wait_until):
    before = app_ctx.settings_file.path.read_bytes()
    dialog = open_dialog(connected_window, wait_until, "new_action")
    fill_endpoint(dialog, "LOCAL", "ftp://lab.example", "mars-1", "short", "")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    errors = {key: field.error.text() for key, field in dialog.fields.items() if field.error.isVisibleTo(dialog)}
    assert "already a connection named 'LOCAL'" in errors["name"]
    assert "must start with http:// or https://" in errors["url"]
    assert "'mars-1' is not an AWS region name" in errors["region"]
    assert "16-128 letters, digits or _" in errors["access_key_id"]
    assert "Enter the secret access key" in errors["secret_access_key"]
    assert set(errors) == {"name", "url", "region", "access_key_id", "secret_access_key"}
    assert dialog.isVisible() and QApplication.focusWidget() in (dialog.name, None)
    # The test button checks the same things before anything is sent.
    dialog.test_button.click()
    assert dialog.test_result.text() == ""
    assert all(op.label != "Testing the connection" for op in app_ctx.runner.running)
    dialog.url.setText("http://lab.example:99999")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "invalid port" in dialog.fields["url"].error.text()
    assert dialog.fields["url"].error.accessibleName() == dialog.fields["url"].error.text()  # read out as such
    dialog.reject()
    assert app_ctx.settings_file.path.read_bytes() == before


def test_edit_duplicate_and_remove_in_manage_connections(connected_window, app_ctx, lab_service, wait_until,
                                                         assert_accessible):
    key, secret = lab_service.settings.access_key_id, lab_service.settings.secret_access_key
    settings = app_ctx.settings_file.load()
    app_ctx.settings_file.save(settings.with_profile(EndpointProfile("lab", lab_service.url, "us-east-1")))
    app_ctx.secrets.set("lab", SecretField.ACCESS_KEY_ID, Secret(key))
    app_ctx.secrets.set("lab", SecretField.SECRET_ACCESS_KEY, Secret(secret))
    manager = open_dialog(connected_window, wait_until, "manage_action")
    assert isinstance(manager, ManageConnectionsDialog)
    assert_accessible(manager)
    assert manager.list.count() == 2 and "Custom endpoint · " + lab_service.url in manager.list.item(1).text()
    # Edit: the stored keys are loaded (masked), the region changes, the keys stay.
    manager.list.setCurrentRow(1)
    manager.buttons["edit"].click()
    editor = manager.editor
    wait_until(lambda: editor.access_key_id.text() == key, 10, "the stored keys")
    assert editor.secret_access_key.masked and editor.secret_access_key.edit.text() == secret
    assert_accessible(editor)
    editor.region.setCurrentText("eu-west-1")
    save(editor, wait_until)
    assert app_ctx.settings_file.load().profile("lab").region == "eu-west-1"
    assert app_ctx.secrets.get("lab", SecretField.ACCESS_KEY_ID) == Secret(key)
    assert "eu-west-1" in manager.list.item(1).text()
    # Duplicate with the keys on request.
    manager.buttons["duplicate"].click()
    copy = manager.editor
    assert copy.name.text() == "lab copy" and copy.access_key_id.text() == ""
    copy.copy_keys.setChecked(True)
    wait_until(lambda: copy.access_key_id.text() == key, 10, "the copied keys")
    save(copy, wait_until)
    assert app_ctx.settings_file.load().profile("lab copy").url == lab_service.url
    assert app_ctx.secrets.get("lab copy", SecretField.SECRET_ACCESS_KEY) == Secret(secret)
    assert manager.selected() == "lab copy"
    # Remove asks inline first, then removes the profile and its keys.
    manager.buttons["remove"].click()
    assert manager.confirm.isVisibleTo(manager) and "lab copy" in manager.confirm_text.text()
    manager.confirm_yes.click()
    wait_until(lambda: manager.list.count() == 2, 10, "the removal")
    assert [p.name for p in app_ctx.settings_file.load().profiles] == ["local", "lab"]
    assert app_ctx.secrets.get("lab copy", SecretField.SECRET_ACCESS_KEY) is None
    assert connected_window.connection_box.count() == 2
    manager.reject()


def test_file_menu_and_toolbar_open_the_connection_dialogs(main_window):
    actions = actions_of(main_window)
    file_actions = main_window.file_menu.actions()
    assert file_actions[:2] == [actions.new_action, actions.manage_action]
    assert actions.new_action.shortcut() == QKeySequence("Ctrl+Shift+N")
    button = main_window.toolbar.widgetForAction(actions.manage_action)
    assert button.text() == "Manage…" and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon


def test_the_last_connection_cannot_be_removed(connected_window, wait_until):
    manager = open_dialog(connected_window, wait_until, "manage_action")
    assert manager.list.count() == 1 and manager.selected() == "local"
    assert not manager.buttons["remove"].isEnabled()
    assert "cannot be removed" in manager.buttons["remove"].toolTip()
    manager.reject()


def test_editing_the_open_connection_reopens_it_under_its_new_name(connected_window, app_ctx, wait_until):
    manager = open_dialog(connected_window, wait_until, "manage_action")
    manager.buttons["edit"].click()
    manager.editor.name.setText("embedded")
    save(manager.editor, wait_until)
    wait_until(lambda: connected_window.connection is not None and connected_window.connection.name == "embedded",
               30, "the renamed connection")
    assert app_ctx.settings_file.load().active_profile == "embedded"
    assert manager.list.item(0).text().startswith("embedded (active)")
    manager.reject()


@pytest.fixture
def sso_config(tmp_path, monkeypatch):
    use_aws_config(tmp_path, monkeypatch)


def test_an_sso_profile_without_a_session_shows_the_login_command(connected_window, sso_config, wait_until):
    dialog = open_dialog(connected_window, wait_until, "new_action")
    choose_kind(dialog, "aws")
    dialog.name.setText("corp")
    dialog.region.setCurrentText("eu-west-1")
    dialog.credentials.setCurrentIndex(dialog.credentials.findData(CredentialSource.AWS_PROFILE.value))
    wait_until(lambda: dialog.aws_profile.findText("sso-dev") >= 0, 10, "the AWS profiles")
    dialog.aws_profile.setCurrentText("sso-dev")
    assert "IAM Identity Center" in dialog.aws_profile.toolTip()
    assert not dialog.fields["access_key_id"].isVisibleTo(dialog)
    dialog.test_button.click()
    wait_until(lambda: dialog.sso_box.isVisibleTo(dialog), 30, "the SSO hint")
    assert dialog.sso_command.text() == "aws sso login --profile sso-dev"
    assert not dialog.errors.isHidden() and "aws sso login --profile sso-dev" in dialog.errors.body.text()
    dialog.aws_profile.setCurrentText("typo")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert "There is no AWS profile 'typo'" in dialog.fields["aws_profile"].error.text()
    dialog.reject()


def test_no_keyring_offers_session_only_and_never_writes_the_keys(qt_loop, qtbot, tmp_path, lab_service,
                                                                  wait_until, run, assert_accessible):
    from cognito_desk.ui.app import make_context

    settings_file = SettingsFile(tmp_path / "config")
    settings_file.save(Settings())
    secrets = logic.with_session_fallback(KeyringSecrets(keyring.backends.fail.Keyring()))
    ctx = make_context(str(tmp_path / "state.ini"), settings_file=settings_file, secrets=secrets,
                       local=LocalServices())
    host = QWidget()  # a dialog's parent: closing it must not count as closing the app's last window
    qtbot.addWidget(host)
    dialog = ConnectionDialog(ctx, settings_file.load(), parent=host)
    dialog.open()
    fill_endpoint(dialog, "lab", lab_service.url, lab_service.settings.region, lab_service.settings.access_key_id,
                  lab_service.settings.secret_access_key)
    wait_until(lambda: dialog.keyring_notice.isVisibleTo(dialog), 10, "the keyring notice")
    assert "cannot go into the OS keyring" in dialog.keyring_text.text()
    assert_accessible(dialog)
    before = settings_file.path.read_bytes()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    wait_until(lambda: not ctx.runner.running, 10, "the refused save")
    assert dialog.isVisible() and settings_file.path.read_bytes() == before
    dialog.session_only.setChecked(True)
    save(dialog, wait_until)
    assert [p.name for p in settings_file.load().profiles] == ["local", "lab"]
    assert lab_service.settings.secret_access_key not in settings_file.path.read_text()
    assert secrets.session.get("lab", SecretField.SECRET_ACCESS_KEY) == Secret(lab_service.settings.secret_access_key)
    report = run(logic.check_connection(settings_file.load().profile("lab"), secrets, ctx.local))
    assert report.account == lab_service.settings.account_id


def test_the_local_connection_edits_its_request_quotas(connected_window, app_ctx, wait_until, assert_accessible):
    manager = open_dialog(connected_window, wait_until, "manage_action")
    manager.buttons["edit"].click()
    editor = manager.editor
    assert_accessible(editor)
    assert editor.quotas.currentText() == "aws" and editor.fields["quotas"].isVisibleTo(editor)
    assert editor.quotas.accessibleName() == "Request quotas"
    editor.quotas.setCurrentText("fast")
    editor.buttons.button(editor.buttons.StandardButton.Save).click()
    assert "'fast' must be off, aws" in editor.fields["quotas"].error.text()
    assert app_ctx.settings_file.load().profile("local").quotas == "aws"
    editor.quotas.setCurrentText("off")
    save(editor, wait_until)
    assert app_ctx.settings_file.load().profile("local").quotas == "off"
    manager.reject()
    dialog = open_dialog(connected_window, wait_until, "new_action")
    choose_kind(dialog, "endpoint")
    assert not dialog.fields["quotas"].isVisibleTo(dialog)  # only the embedded service has quotas to set
    dialog.reject()
