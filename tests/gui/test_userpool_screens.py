"""User pools through the wired window, offscreen, the Local profile's user pool endpoint being moto server (the
window's embedded service fetches the pool's keys there by configuration): the Tester's "User pool (username &
password)" sign-in — masked password, challenges answered in the form as they arrive, claims on screen —, the
Identity providers tab's user-pool picker, and the Roles & rules tab's groups with the Token-mapping preview."""

from __future__ import annotations

import asyncio
import json
import uuid
from types import SimpleNamespace

import pyotp
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from service.moto_server import running_moto_server
from userpool_lab import PASSWORD, TEMPORARY, UserPoolLab

from cognito_desk.flows.clients import ProviderKind

pytestmark = pytest.mark.qt_log_ignore("QRhiGles2: Failed to create", "Failed to create RHI for backend",
                                       "GPUInfo not initialized")


@pytest.fixture(scope="module")
def moto_url():
    with running_moto_server(user_pool=True) as url:
        yield url


@pytest.fixture
def app_ctx(tmp_path, qt_loop, moto_url):
    """The conftest's scratch context, its Local profile given a user pool endpoint (moto)."""
    from cognito_desk.settings import LocalProfile, Settings
    from cognito_desk.ui.app import scratch_context

    ctx = scratch_context(tmp_path)
    ctx.settings_file.save(Settings((LocalProfile("local", data_dir=str(tmp_path / "data"),
                                                  user_pool_endpoint=moto_url),), "local"))
    yield ctx
    ctx.runner.cancel_all()
    ctx.local.stop_all()


@pytest.fixture
def lab(connected_window, moto_url, run):
    connection = connected_window.connection
    keys = run(connection.credentials.get())
    service = SimpleNamespace(url=connection.endpoint_url, region="us-east-1", access_key_id=keys.access_key,
                              secret_access_key=keys.secret_key)
    return UserPoolLab(service, moto_url, f"gui-{uuid.uuid4().hex[:10]}").build()


def wired_tab(window, name: str):
    """The screen ``build_window`` wired under ``name``, made the current tab."""
    page = window.screens[name]
    window.tabs.setCurrentWidget(page)
    return page


@pytest.fixture
def tester(connected_window, app_ctx, lab, run, wait_until):
    window = connected_window
    page = wired_tab(window, "tester")
    window.show()
    window.pools_changed(select=lab.pool_id)
    wait_until(lambda: len(page.clients) == 4 and not app_ctx.runner.running, 30, "the pool's providers, screens idle")
    page.select_provider(ProviderKind.USER_POOL_PASSWORD, lab.provider_name)
    yield SimpleNamespace(page=page, lab=lab, run=run, wait_until=wait_until)
    page.cancel()
    run(asyncio.sleep(0.2))


def start(tester, username: str, password: str, flow: str = "srp", *, enter: bool = False) -> list:
    form = tester.page.user_pool_form
    form.username.setText(username)
    form.password.setText(password)
    form.flow.setCurrentIndex(form.flow.findData(flow))
    finished: list = []
    tester.page.run_finished.connect(finished.append)

    async def click():
        if enter:  # Enter in the password field signs in, as in a login form
            QTest.keyClick(form.password, Qt.Key.Key_Return)
        else:
            tester.page.run_button.click()
    tester.run(click())
    return finished


def wait_result(tester, finished: list):
    tester.wait_until(lambda: bool(finished) and not tester.page.ctx.runner.running, 45, "the sign-in to end")
    return finished[0]


def test_admin_user_gets_the_group_role_and_the_claims_show(tester, assert_accessible, qtmodeltester):
    page, lab = tester.page, tester.lab
    assert page.browser_holder.currentWidget() is page.user_pool_form
    assert page.user_pool_form.password.echoMode() == page.user_pool_form.password.EchoMode.Password
    result = wait_result(tester, start(tester, "alice", PASSWORD))
    assert result.ok, result.failure
    panel = page.results
    assert panel.assumed_label.text().rsplit("/", 1)[1] == f"A-{lab.name}"
    shown = panel.user_pool_claims.text()
    assert "cognito:groups = " in shown and f"cognito:preferred_role = {lab.roles['A']}" in shown
    requests = [panel.timeline.index(row, 0).data() for row in range(panel.timeline.rowCount())]
    assert "InitiateAuth (USER_SRP_AUTH)" in requests and "RespondToAuthChallenge (PASSWORD_VERIFIER)" in requests
    qtmodeltester.check(panel.timeline)
    assert_accessible(page)


def test_new_password_required_is_answered_in_the_form(tester, assert_accessible):
    page = tester.page
    finished = start(tester, "carol", TEMPORARY, "password")
    form = page.user_pool_form
    tester.wait_until(lambda: form.challenge is not None, 30, "the NEW_PASSWORD_REQUIRED form")
    assert form.challenge.name == "NEW_PASSWORD_REQUIRED" and not form.challenge_box.isHidden()
    assert form.inputs["NEW_PASSWORD"].echoMode() == form.password.EchoMode.Password
    assert_accessible(form)
    form.submit()  # empty: refused on the form, nothing sent
    assert form.challenge_problems.text() == "New password is missing." and not finished
    form.fill("New password", "Gui-new-passw0rd!")
    form.submit()
    result = wait_result(tester, finished)
    assert result.ok, result.failure
    assert result.challenges == ["NEW_PASSWORD_REQUIRED"] and form.challenge_box.isHidden()
    assert "challenges met: NEW_PASSWORD_REQUIRED" in page.results.user_pool_claims.text()


def test_totp_code_from_the_form(tester):
    finished = start(tester, "dave", PASSWORD, enter=True)
    form = tester.page.user_pool_form
    tester.wait_until(lambda: form.challenge is not None, 30, "the SOFTWARE_TOKEN_MFA form")
    assert form.challenge.name == "SOFTWARE_TOKEN_MFA"
    form.fill("Code", pyotp.TOTP(tester.lab.totp_seed).now())
    form.submit()
    result = wait_result(tester, finished)
    assert result.ok, result.failure


def test_wrong_password_is_explained_as_the_user_pools_refusal(tester):
    result = wait_result(tester, start(tester, "alice", "not-the-password", "password"))
    assert result.failure.error.code == "NotAuthorizedException"
    title = tester.page.results.errors.title.text()
    assert "The user pool refused the sign-in (NotAuthorizedException)" in title
    assert "User pool sign-in" in title
    assert "not-the-password" not in tester.page.results.errors.title.text()


def test_the_picker_adds_a_user_pool_chosen_by_region_pool_and_client(connected_window, lab, run, wait_until,
                                                                      assert_accessible):
    window = connected_window
    connection = window.connection
    pool_id = run(connection.identity.create_identity_pool(identity_pool_name="picked",
                                                           allow_unauthenticated_identities=False))["IdentityPoolId"]
    page = wired_tab(window, "providers")
    window.show()
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.edit is not None and page.edit.edit.pool_id == pool_id and not page.ctx.runner.running,
               30, "the pool's providers")
    picker = page.choose_user_pool()
    wait_until(lambda: picker.pools.findData(lab.user_pool_id) >= 0 and not page.ctx.runner.running, 30,
               "the connection's user pools")
    picker.pools.setCurrentIndex(picker.pools.findData(lab.user_pool_id))
    wait_until(lambda: len(picker.app_clients) == 2 and not page.ctx.runner.running, 30, "the pool's app clients")
    picker.clients.setCurrentIndex(picker.clients.findData(lab.secret_client_id))
    assert picker.client_info.text() == "SRP, password, refresh · has a client secret"
    assert "still signed in" in picker.token_check.toolTip()
    assert_accessible(picker)
    picker.token_check.setChecked(True)
    picker.add_button.click()
    page.save()
    wait_until(lambda: not page.ctx.runner.running, 30, "the save")
    saved = run(connection.identity.describe_identity_pool(identity_pool_id=pool_id))
    assert saved["CognitoIdentityProviders"] == [{"ProviderName": lab.provider_name, "ClientId": lab.secret_client_id,
                                                  "ServerSideTokenCheck": True}]


def test_roles_tab_shows_the_groups_and_the_preview_explains_the_token_mapping(connected_window, lab, run, wait_until,
                                                                                qtmodeltester, assert_accessible):
    window = connected_window
    lab.idp.create_group(UserPoolId=lab.user_pool_id, GroupName="contractors", Precedence=3,
                         RoleArn="arn:aws:iam::000000000000:role/never-made")
    page = wired_tab(window, "roles")
    window.show()
    window.pools_changed(select=lab.pool_id)
    key = f"{lab.provider_name}:{lab.client_id}"
    wait_until(lambda: page.snapshot is not None and not page.ctx.runner.running, 30, "the roles snapshot")
    page.mappings.provider.setCurrentText(key)
    wait_until(lambda: page.groups.model.rowCount() == 3 and not page.ctx.runner.running, 30, "the groups")
    model = page.groups.model
    rows = [[model.index(r, c).data() for c in range(4)] for r in range(model.rowCount())]
    assert rows[:2] == [["admins", "1", lab.roles["A"], ""], ["staff", "2", lab.roles["B"], ""]]
    assert rows[2][:3] == ["contractors", "3", "arn:aws:iam::000000000000:role/never-made"]
    assert "not among this account's roles" in rows[2][3]
    qtmodeltester.check(model)
    assert_accessible(page.groups)
    page.preview.key.setCurrentText(lab.provider_name)
    page.preview.token.setPlainText(json.dumps({
        "iss": f"https://{lab.provider_name}", "aud": lab.client_id, "token_use": "id", "sub": "alice",
        "cognito:groups": ["staff", "admins"], "cognito:roles": [lab.roles["A"], lab.roles["B"]],
        "cognito:preferred_role": lab.roles["A"]}))
    wait_until(lambda: "Groups → roles" in page.preview.explanation.toPlainText(), 10, "the groups explanation")
    text = page.preview.explanation.toPlainText()
    assert "admins (precedence 1" in text and "takes precedence over staff (precedence 2" in text
    assert f"The Token mapping uses cognito:preferred_role: {lab.roles['A']}." in text


def test_an_app_client_secret_kept_in_settings_signs_the_secret_hash(tester):
    page, lab = tester.page, tester.lab
    index = next(i for i, c in enumerate(page.clients)
                 if c.kind is ProviderKind.USER_POOL_PASSWORD and c.client_id == lab.secret_client_id)
    page.provider_box.setCurrentIndex(index)
    refused = wait_result(tester, start(tester, "alice", PASSWORD))  # no secret yet: no SECRET_HASH
    assert refused.failure.error.code == "NotAuthorizedException" and refused.failure.step == "User pool sign-in"
    dialog = page.edit_provider_settings()
    assert dialog.fields["client_id"].isReadOnly()
    dialog.set_field("client_secret", lab.client_secret)
    dialog.accept()
    tester.wait_until(lambda: not page.ctx.runner.running and page.current_client() is not None, 15,
                      "the settings saved and the providers reloaded")
    assert page.current_client().client_id == lab.secret_client_id
    result = wait_result(tester, start(tester, "alice", PASSWORD))
    assert result.ok, result.failure


def test_cancel_while_a_challenge_waits_clears_the_form_and_keeps_the_partial_run(tester):
    page = tester.page
    start(tester, "carol", TEMPORARY, "password")
    form = page.user_pool_form
    tester.wait_until(lambda: form.challenge is not None, 30, "the NEW_PASSWORD_REQUIRED form")
    page.cancel()
    tester.wait_until(lambda: not page.ctx.runner.running, 15, "the run to stop")
    assert form.challenge is None and form.challenge_box.isHidden()
    assert page.hint.text().startswith("Sign-in cancelled")
    partial = page.sign_in.result
    assert partial.challenges == ["NEW_PASSWORD_REQUIRED"] and partial.identity_id is None
    assert page.run_button.isEnabled()
