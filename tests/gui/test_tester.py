"""The Tester tab end to end, offscreen: the real main window on its embedded service, the real QWebEngineView,
the real oidc-provider and saml-idp. Login forms are filled in the view through runJavaScript."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication

from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.flows.clients import ProviderKind

DEVELOPER_PROVIDER = "login.tester.example"
ROOT = Path(__file__).resolve().parents[2]
# Chromium without a GPU on the offscreen platform says so; nothing the tester controls.
pytestmark = pytest.mark.qt_log_ignore("QRhiGles2: Failed to create", "Failed to create RHI for backend",
                                       "GPUInfo not initialized")

# What the provider's page offers right now (JSON text: runJavaScript cannot return objects in PySide6 6.12).
PAGE_STATE = """JSON.stringify({
  login: !!document.querySelector('input[name=login]'),
  saml: !!document.querySelector('input[name=userName]'),
  consent: !!document.querySelector('form button[type=submit]') && !document.querySelector('input[name=login]'),
  url: location.href})"""
# Each action checks its page is still there: the provider may have moved on since PAGE_STATE looked.
FILL_LOGIN = """(function (user) {
  const field = document.querySelector('input[name=login]'); if (!field) return '';
  field.value = user; document.querySelector('input[name=password]').value = 'any-password';
  field.form.submit(); return 'ok'; })(%s)"""
FILL_SAML = """(function (user) {
  const field = document.querySelector('input[name=userName]'); if (!field) return '';
  field.value = user; field.form.submit(); return 'ok'; })(%s)"""
CONSENT = "(function () { const b = document.querySelector('form button[type=submit]'); if (b) b.click(); })()"
# As a person types: each field's value set with input/change events, then the form's button clicked.
TYPE_LOGIN = """(function (user) {
  const field = document.querySelector('input[name=login]'); if (!field) return '';
  for (const [el, value] of [[field, user], [document.querySelector('input[name=password]'), 'any-password']]) {
    el.focus(); el.value = value;
    el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));
  }
  field.form.querySelector('button[type=submit]').click(); return 'ok'; })(%s)"""


@dataclass
class LabTab:
    window: object
    page: object
    pool_id: str
    roles: dict
    run: object
    wait_until: object
    #: What the played user did in the provider's pages during the last run ("login", "consent", "saml").
    actions: list = None

    def sign_in(self, user: str | None = "alice", *, timeout: float = 60, typing: bool = False, start=None):
        """Start a run (``start``: the Run button's action unless told) and play the user in the embedded view until
        it ends (``typing``: with the events a person's typing and clicks make); the RunResult."""
        finished = []
        self.actions = []
        self.page.run_finished.connect(finished.append)
        try:
            self.finish_login(user, lambda: bool(finished), timeout, start=start or self.page.run_sign_in,
                              typing=typing)
        finally:
            self.page.run_finished.disconnect(finished.append)
        return finished[0]

    def finish_login(self, user, done, timeout: float = 60, start=None, typing: bool = False) -> None:
        async def play():
            if start is not None:
                start()  # as a click does: with the event loop running
            while not done() or self.page.ctx.runner.running:  # (every screen idle: see the fixture)
                await asyncio.sleep(0.05)
                browser = self.page.browser
                if user is None or browser is None or browser.page is None or browser.view.page() is None:
                    continue
                state = asyncio.get_running_loop().create_future()
                browser.page.runJavaScript(PAGE_STATE, 0, lambda v, state=state: state.done() or state.set_result(v))
                try:
                    found = json.loads(await asyncio.wait_for(state, 2) or "{}")
                except (TimeoutError, ValueError):
                    continue
                if found.get("login"):
                    script, action = (TYPE_LOGIN if typing else FILL_LOGIN) % json.dumps(user), "login"
                elif found.get("saml"):
                    script, action = FILL_SAML % json.dumps(user), "saml"
                elif found.get("consent") and "/interaction/" in found.get("url", ""):
                    script, action = CONSENT, "consent"
                else:
                    continue
                browser.page.runJavaScript(script)
                self.actions.append(action)
                # Acted once on this page: wait until the browser has left it (or the run ended), never act twice.
                while not done() and browser.page.url().toString() == found["url"]:
                    await asyncio.sleep(0.05)
        try:
            self.run(play(), timeout)
        except TimeoutError:
            browser, sign_in = self.page.browser, self.page.sign_in
            calls = [(c.name, c.ok) for c in sign_in.result.timeline.calls] if sign_in and sign_in.result else None
            raise AssertionError(f"the sign-in did not end: page {browser.url_bar.text() if browser else None!r}, "
                                 f"played {self.actions}, status {self.page.hint.text()!r}, calls {calls}") from None


@pytest.fixture
def tester(connected_window, app_ctx, oidc_idp, saml_idp, run, wait_until):
    from cognito_desk.ui.tester import TesterPage

    window = connected_window
    connection = window.connection

    async def setup():
        iam, identity = connection.iam, connection.identity
        oidc = await iam.create_open_id_connect_provider(url=oidc_idp.issuer, client_id_list=["qa-desk"])
        saml = await iam.create_saml_provider(name="corp", saml_metadata_document=saml_idp.metadata_xml())
        pool_id = (await identity.create_identity_pool(
            identity_pool_name="tester", allow_unauthenticated_identities=True, allow_classic_flow=True,
            open_id_connect_provider_arns=[oidc["OpenIDConnectProviderArn"]],
            saml_provider_arns=[saml["SAMLProviderArn"]], developer_provider_name=DEVELOPER_PROVIDER))["IdentityPoolId"]
        roles = {}
        for name, amr in (("auth", "authenticated"), ("guest", "unauthenticated"), ("qa", "authenticated"),
                          ("engineers", "authenticated"), ("no-amr", "unauthenticated")):
            policy = json.dumps(cognito_trust_policy(pool_id, amr, tag_session=False))
            made = await iam.create_role(role_name=f"{name}-tester", assume_role_policy_document=policy)
            roles[name] = made["Role"]["Arn"]
        rules = [{"Claim": "department", "MatchType": "Equals", "Value": "qa", "RoleARN": roles["qa"]},
                 {"Claim": "department", "MatchType": "Equals", "Value": "engineering",
                  "RoleARN": roles["engineers"]}]
        await identity.set_identity_pool_roles(
            identity_pool_id=pool_id, roles={"authenticated": roles["auth"], "unauthenticated": roles["guest"]},
            role_mappings={oidc_idp.host: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                           "RulesConfiguration": {"Rules": rules}}})
        return pool_id, roles

    pool_id, roles = run(setup(), 60)
    (page,) = [window.tabs.widget(i) for i in range(window.tabs.count())
               if isinstance(window.tabs.widget(i), TesterPage)]  # the tab build_window wires
    window.tabs.setCurrentWidget(page)
    window.show()
    window.pools_changed(select=pool_id)
    # Every screen idle before the test goes on: no other screen's request is in flight when the loop stops
    # between steps (see ``run`` in the conftest for what qasync does to one that is).
    wait_until(lambda: len(page.clients) == 4 and not app_ctx.runner.running, 30, "the pool's providers, screens idle")
    yield LabTab(window, page, pool_id, roles, run, wait_until)
    # pytest-qt has closed the window and asked for its deletion: let that happen while the loop runs, so
    # Chromium lets the pages go before their profiles (at exit it could not).
    page.cancel()
    run(asyncio.sleep(0.3))


def role_name(arn: str | None) -> str:
    return (arn or "").rsplit("/", 1)[-1].removesuffix("-tester")


def test_oidc_sign_in_shows_identity_role_and_a_running_countdown(tester, qtmodeltester, assert_accessible):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    page.add_persona("alice")
    store = page.personas.profile("alice").cookieStore()
    cookies = set()  # the persona's cookies, as its store reports them
    store.cookieAdded.connect(lambda cookie: cookies.add(bytes(cookie.name())))
    store.cookieRemoved.connect(lambda cookie: cookies.discard(bytes(cookie.name())))
    result = tester.sign_in("alice")
    assert result.ok, result.failure
    panel = page.results
    assert panel.identity_label.text() == result.identity_id and panel.identity_state.text() == "new identity"
    assert role_name(panel.assumed_label.text()) == "qa", result.prediction
    assert role_name(panel.predicted_label.text()) == "qa", result.prediction
    assert panel.mismatch.isHidden()
    assert panel.secret_label.text() == "••••••••••••" and result.credentials.secret_key.reveal() not in (
        panel.findChildren(type(panel.secret_label)).__repr__())
    first = panel.aws_countdown.text()
    assert first.startswith("expires in 5") or first.startswith("expires in 1 h")
    tester.wait_until(lambda: panel.aws_countdown.text() != first, 10, "the credentials' countdown to move")
    assert panel.provider_countdown.text().startswith("expires in")
    tester.wait_until(lambda: page.browser.url_bar.text() == "http://127.0.0.1/callback (answer caught)", 5,
                      "the view to show where the answer was caught")
    qtmodeltester.check(panel.timeline)
    assert panel.timeline.rowCount() == len(result.timeline.calls)
    assert_accessible(page)

    assert "login" in tester.actions
    again = tester.sign_in("alice")
    assert "login" not in tester.actions, "the persona's session was not kept"
    assert again.identity_id == result.identity_id and again.returning is True
    assert panel.identity_state.text() == "returning identity"

    assert cookies, "the provider left no session cookie in the persona's profile"
    page.clear_persona_session()
    tester.wait_until(lambda: not cookies, 10, "the persona's cookies deleted")
    third = tester.sign_in("alice")
    assert "login" in tester.actions, "the login form did not come back after the session was cleared"
    assert third.identity_id == result.identity_id


def test_two_users_get_the_roles_their_rules_name(tester):
    tester.page.select_provider(ProviderKind.OIDC)
    alice = tester.sign_in("alice")
    bob = tester.sign_in("bob")
    assert (role_name(alice.assumed_role), role_name(bob.assumed_role)) == ("qa", "engineers")
    assert not alice.roles_differ and not bob.roles_differ
    assert alice.identity_id != bob.identity_id


def test_wrong_client_id_names_the_failed_step_with_the_explanation(tester):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    dialog = page.edit_provider_settings()
    dialog.set_field("client_id", "other-app")
    dialog.accept()
    tester.wait_until(lambda: page.current_client() is not None and page.current_client().client_id == "other-app"
                      and not page.ctx.runner.running, 10, "the saved provider settings")
    result = tester.sign_in("alice")
    assert result.failure.step == "GetId"
    banner = page.results.errors
    assert banner.isVisibleTo(page) and "GetId" in banner.title.text()
    assert "Token is not from a supported provider of this identity pool." in banner.report.raw
    assert banner.report.fix
    assert page.results.identity_label.text() == "—"
    assert "other-app" in page.results.tokens.toPlainText()  # the refused provider token is kept


def _provider_settings(tester, **fields):
    page = tester.page
    dialog = page.edit_provider_settings()
    for key, value in fields.items():
        dialog.set_field(key, value)
    dialog.accept()

    def saved() -> bool:
        client = page.current_client()
        return client is not None and not page.ctx.runner.running and all(
            getattr(client, key) == value for key, value in fields.items() if isinstance(getattr(client, key), str))
    tester.wait_until(saved, 10, "the saved provider settings")


def test_the_providers_error_page_ends_the_run_at_provider_login_with_its_words(tester, oidc_idp):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    _provider_settings(tester, client_id="not-registered-here")
    result = tester.sign_in(None, timeout=60)  # nobody plays the user: only the error page can end this run
    assert result.failure.step == "Provider login" and result.failure.error.error == "invalid_client"
    banner = page.results.errors
    assert banner.isVisibleTo(page) and "Provider login" in banner.title.text()
    text = banner.body.text()
    assert "The provider answered HTTP 400" in text and "error page: invalid_client. The provider's own " \
        "description (its text, not cognito-desk's): “client is invalid”" in text
    assert f"The client ID 'not-registered-here' is not registered at {oidc_idp.issuer}" in text
    assert "Provider's error code: <code>invalid_client</code>" in text
    assert page.hint.text() == "The sign-in failed at “Provider login”."
    # The partial result stays: the authorize call, failed, in the timeline; the provider's page in the view.
    assert [c.name for c in result.timeline.calls if c.error] == ["Provider authorize"]
    assert "/auth?" in page.browser.url_bar.text() and page.browser.countdown.isHidden()

    _provider_settings(tester, client_id="qa-desk", redirect_uri="http://127.0.0.1/not-registered")
    result = tester.sign_in(None, timeout=60)
    assert result.failure.step == "Provider login" and result.failure.error.error == "invalid_redirect_uri"
    assert "Register this exact redirect URI for the client at the provider: http://127.0.0.1/not-registered" \
        in page.results.errors.body.text()


@pytest.fixture
def login_pages():
    """A provider's login pages answering with error statuses: ``/again`` shows its form again with 401 (a wrong
    password: the user can go on), ``/down`` is a dead 503 page."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Pages(BaseHTTPRequestHandler):
        def do_GET(self):
            again = self.path.startswith("/again")
            body = (b"<html><body><p>Wrong password, try again.</p><form method=post><input name=login>"
                    b"<input type=password name=password><button>Sign in</button></form></body></html>" if again
                    else b"<html><body><h1>Service Unavailable</h1></body></html>")
            self.send_response(401 if again else 503)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_login_form_shown_again_with_401_lets_the_user_go_on_a_dead_503_page_does_not(tester, login_pages):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    page.browser.patience = 3
    _provider_settings(tester, authorization_endpoint=f"{login_pages}/again")
    result = tester.sign_in(None, timeout=60)
    # Not ended by the 401: the form is there to fill; only the page's countdown ended it.
    assert result.failure.error.error == "page_stalled", result.failure
    _provider_settings(tester, authorization_endpoint=f"{login_pages}/down")
    result = tester.sign_in(None, timeout=60)
    assert result.failure.step == "Provider login" and result.failure.error.error == "http_503"
    assert f"The provider answered HTTP 503 at {login_pages}/down with an error page." in \
        page.results.errors.body.text()


def test_an_oauth_error_redirect_ends_the_run_with_the_providers_words(tester):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    _provider_settings(tester, extra_params="prompt=none")  # no session at the provider: it must refuse
    result = tester.sign_in(None, timeout=60)
    assert result.failure.step == "Provider login" and result.failure.error.error == "login_required"
    text = page.results.errors.body.text()
    assert "The provider refused the sign-in: login_required" in text and "login_required" in text


def test_a_page_that_goes_nowhere_ends_the_run_when_its_visible_countdown_runs_out(tester):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    page.browser.patience = 4
    page.run_sign_in()  # nobody fills the provider's login form
    countdown = page.browser.countdown
    tester.wait_until(lambda: countdown.isVisibleTo(page) and countdown.text().startswith("ends in "), 20,
                      "the countdown beside the provider's page")
    shown = countdown.text()
    tester.wait_until(lambda: countdown.text() != shown, 10, "the countdown to move")
    tester.wait_until(lambda: page.operation.done, 30, "the run to end")
    result = page.results.result
    assert result.failure.step == "Provider login" and result.failure.error.error == "page_stalled"
    assert "stayed at " in page.results.errors.body.text() and "/interaction/" in page.results.errors.body.text()
    assert countdown.isHidden() and page.run_button.isEnabled()


def test_the_role_a_rule_chose_is_the_role_named_when_it_is_missing_or_its_trust_refuses(tester, oidc_idp):
    page, connection = tester.page, tester.window.connection
    account = tester.roles["auth"].split(":")[4]

    async def engineers_get(role_arn: str) -> None:
        await connection.identity.set_identity_pool_roles(
            identity_pool_id=tester.pool_id,
            roles={"authenticated": tester.roles["auth"], "unauthenticated": tester.roles["guest"]},
            role_mappings={oidc_idp.host: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                           "RulesConfiguration": {"Rules": [
                                               {"Claim": "department", "MatchType": "Equals",
                                                "Value": "engineering", "RoleARN": role_arn}]}}})

    missing = f"arn:aws:iam::{account}:role/eng-role"
    tester.run(engineers_get(missing))
    page.select_provider(ProviderKind.OIDC)
    result = tester.sign_in("bob")  # department: engineering
    assert result.failure.step == "GetCredentialsForIdentity", result.failure
    banner = page.results.errors
    assert "The role eng-role does not exist" in banner.title.text() and "auth-tester" not in banner.title.text()
    body = banner.body.text()
    assert f"Cognito tried role eng-role ({missing}), chosen by rule 1: claim 'department' Equals 'engineering'" \
        in body
    assert "Create the role eng-role trusted by this pool" in body and "edit that role" not in body

    elsewhere = json.dumps(cognito_trust_policy("us-east-1:11111111-1111-1111-1111-111111111111", "authenticated",
                                                tag_session=False))
    made = tester.run(connection.iam.create_role(role_name="eng-elsewhere", assume_role_policy_document=elsewhere))
    tester.run(engineers_get(made["Role"]["Arn"]))
    tester.sign_in("bob")
    assert "The trust policy of eng-elsewhere refuses this pool" in banner.title.text()
    assert "cognito-identity.amazonaws.com:aud" in banner.body.text()
    assert "Apply the trust-lint fix in Roles &amp; rules" in banner.body.text()


def test_the_refused_roles_fix_is_offered_in_the_result_and_the_sign_in_then_succeeds(tester, oidc_idp, app_ctx,
                                                                                       assert_accessible):
    """Issue 19 §2: a rule's missing role is created from the failed result, a refusing trust policy fixed after its
    diff is shown; each time "Sign in again" then gets that role, and Roles & rules shows the role as it now is."""
    from cognito_desk.admin.rules import RolesForm
    from cognito_desk.ui.roles.page import RolesPage

    window, page, connection = tester.window, tester.page, tester.window.connection
    account = tester.roles["auth"].split(":")[4]
    results = page.results

    def engineers_get(role_arn: str) -> None:  # saved as Roles & rules saves, so every tab hears of it
        tester.run(page.pool.state.save_roles(RolesForm.from_api({
            "IdentityPoolId": tester.pool_id,
            "Roles": {"authenticated": tester.roles["auth"], "unauthenticated": tester.roles["guest"]},
            "RoleMappings": {oidc_idp.host: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                             "RulesConfiguration": {"Rules": [
                                                 {"Claim": "department", "MatchType": "Equals",
                                                  "Value": "engineering", "RoleARN": role_arn}]}}}})))

    def roles_tab_shows(arn: str) -> str:
        (roles,) = [window.tabs.widget(i) for i in range(window.tabs.count())
                    if isinstance(window.tabs.widget(i), RolesPage)]
        window.tabs.setCurrentWidget(roles)
        tester.wait_until(lambda: roles.snapshot is not None and arn in roles.trust.slots and not app_ctx.runner.running
                          and not roles.errors.isVisible(), 30, "the Roles & rules tab loaded")
        roles.trust.role.setCurrentIndex(roles.trust.role.findData(arn))
        text = roles.trust.policy.toPlainText()
        window.tabs.setCurrentWidget(page)
        return text

    def apply_offered_fix() -> None:
        results.fix_button.click()
        tester.wait_until(lambda: not results.again_button.isHidden() and not app_ctx.runner.running, 30,
                          "the fix applied")

    missing = f"arn:aws:iam::{account}:role/eng-made"
    engineers_get(missing)
    assert "eng-made does not exist in IAM" in roles_tab_shows(missing)
    page.select_provider(ProviderKind.OIDC)
    failed = tester.sign_in("bob")  # department: engineering
    assert failed.failure.step == "GetCredentialsForIdentity" and not results.fix_row.isHidden()
    assert results.fix_button.text() == "Create eng-made trusted by this pool" and results.again_button.isHidden()
    assert results.fix_note.text() == "The role eng-made does not exist."
    assert_accessible(results)
    apply_offered_fix()
    assert results.fix_note.text() == "Created eng-made, trusted by this pool for authenticated identities."
    assert results.fix_button.isHidden()
    stored = tester.run(connection.iam.get_role(role_name="eng-made"))["Role"]["AssumeRolePolicyDocument"]
    assert stored == cognito_trust_policy(tester.pool_id, "authenticated")
    again = tester.sign_in("bob", start=results.again_button.click)
    assert again.ok and role_name(again.assumed_role) == "eng-made", again.failure
    assert results.fix_row.isHidden()
    assert f'"cognito-identity.amazonaws.com:aud": "{tester.pool_id}"' in roles_tab_shows(missing)

    elsewhere = json.dumps(cognito_trust_policy("us-east-1:11111111-1111-1111-1111-111111111111", "authenticated",
                                                tag_session=False))
    made = tester.run(connection.iam.create_role(role_name="eng-trusts-another-pool",
                                                 assume_role_policy_document=elsewhere))["Role"]["Arn"]
    engineers_get(made)
    refused = tester.sign_in("bob")
    assert refused.failure.step == "GetCredentialsForIdentity", refused.failure
    assert results.fix_button.text() == "Fix the trust policy…"
    assert results.fix_button.accessibleName() == "Fix the trust policy of eng-trusts-another-pool"
    results.fix_button.click()
    tester.wait_until(lambda: page.role_fixer.dialog is not None and page.role_fixer.dialog.isVisible(), 30,
                      "the diff of the fix")
    diff = page.role_fixer.dialog.diff.toPlainText()
    assert '-          "cognito-identity.amazonaws.com:aud": "us-east-1:11111111-1111-1111-1111-111111111111"' in diff
    assert f'+          "cognito-identity.amazonaws.com:aud": "{tester.pool_id}"' in diff
    assert tester.run(connection.iam.get_role(role_name="eng-trusts-another-pool"))["Role"][
        "AssumeRolePolicyDocument"] == json.loads(elsewhere)  # nothing stored before Apply
    page.role_fixer.dialog.accept()
    tester.wait_until(lambda: not results.again_button.isHidden() and not app_ctx.runner.running, 30,
                      "the fix applied")
    assert results.fix_note.text() == "Fixed the trust policy of eng-trusts-another-pool: it now trusts this pool."
    fixed = tester.sign_in("bob", start=results.again_button.click)
    assert fixed.ok and role_name(fixed.assumed_role) == "eng-trusts-another-pool", fixed.failure
    assert tester.pool_id in roles_tab_shows(made)


def test_a_role_fix_iam_refuses_is_explained_in_the_testers_banner_and_changes_nothing(tester, oidc_idp, app_ctx):
    """Someone made the missing role between the failed run and the click: CreateRole is refused, the banner says
    so, the role they made is left as it was and the fix stays offered."""
    from cognito_desk.admin.rules import RolesForm

    page, connection, results = tester.page, tester.window.connection, tester.page.results
    account = tester.roles["auth"].split(":")[4]
    raced = f"arn:aws:iam::{account}:role/eng-raced"
    tester.run(page.pool.state.save_roles(RolesForm.from_api({
        "IdentityPoolId": tester.pool_id,
        "Roles": {"authenticated": tester.roles["auth"]},
        "RoleMappings": {oidc_idp.host: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                         "RulesConfiguration": {"Rules": [
                                             {"Claim": "department", "MatchType": "Equals", "Value": "engineering",
                                              "RoleARN": raced}]}}}})))
    page.select_provider(ProviderKind.OIDC)
    tester.sign_in("bob")
    assert results.fix_button.text() == "Create eng-raced trusted by this pool"
    theirs = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                      "Principal": {"Service": "lambda.amazonaws.com"}}]}
    tester.run(connection.iam.create_role(role_name="eng-raced", assume_role_policy_document=json.dumps(theirs)))
    results.fix_button.click()
    tester.wait_until(lambda: "EntityAlreadyExists" in results.errors.raw.toPlainText()
                      and not app_ctx.runner.running, 30, "the refusal in the banner")
    assert "Creating role eng-raced failed" in results.errors.title.text()
    assert "Role with name eng-raced already exists." in results.errors.raw.toPlainText()
    assert not results.fix_button.isHidden() and results.again_button.isHidden()
    stored = tester.run(connection.iam.get_role(role_name="eng-raced"))["Role"]["AssumeRolePolicyDocument"]
    assert stored == theirs


def test_a_login_in_the_system_browser_that_never_comes_back_ends_when_its_countdown_runs_out(tester):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    page.agent_box.setCurrentText("System browser")
    page.system_browser_patience = 4
    opened = []
    page.open_in_system_browser = opened.append  # the browser shows the provider's page; nobody finishes it
    page.run_sign_in()
    tester.wait_until(lambda: "the sign-in ends in " in page.hint.text(), 20, "the countdown in the status line")
    shown = page.hint.text()
    tester.wait_until(lambda: page.hint.text() != shown, 10, "the countdown to move")
    tester.wait_until(lambda: page.operation.done, 30, "the run to end")
    result = page.results.result
    assert opened and result.failure.step == "Provider login" and result.failure.error.error == "page_stalled"
    assert "did not come back to http://127.0.0.1:" in page.results.errors.body.text()
    assert page.hint.text() == "The sign-in failed at “Provider login”." and page.sign_in.agent.listener is None


def test_basic_flow_and_a_trust_policy_without_the_authenticated_amr(tester):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    page.flow_box.setCurrentIndex(1)
    page.custom_role.setText(tester.roles["no-amr"])
    refused = tester.sign_in("dave")
    assert refused.failure.step == "STS AssumeRoleWithWebIdentity", refused.failure
    assert "STS refused the role" in page.results.errors.title.text(), refused.failure
    page.custom_role.setText(tester.roles["engineers"])
    basic = tester.sign_in("dave")
    assert basic.ok and role_name(basic.assumed_role) == "engineers"
    assert "Cognito token" in page.results.tokens.toPlainText()


def test_saml_sign_in_through_saml_idp(tester, saml_idp):
    page = tester.page
    page.select_provider(ProviderKind.SAML)
    dialog = page.edit_provider_settings()
    dialog.set_field("saml_sso_url", f"{saml_idp.url}/saml/sso")
    dialog.accept()
    tester.wait_until(lambda: page.current_client().saml_sso_url != "" and not page.ctx.runner.running, 10,
                      "the saved SAML settings")
    result = tester.sign_in("alice")
    assert result.ok, result.failure
    assert result.login.token_type == "SAMLResponse" and role_name(result.assumed_role) == "auth"


def test_guest_and_developer(tester):
    page = tester.page
    page.select_provider(ProviderKind.GUEST)
    guest = tester.sign_in(None)
    assert guest.ok and role_name(page.results.assumed_label.text()) == "guest"
    first_key = guest.credentials.access_key_id
    refreshed = []
    page.run_finished.connect(refreshed.append)
    tester.finish_login(None, lambda: bool(refreshed), 20, start=page.results.refresh_button.click)
    page.run_finished.disconnect(refreshed.append)
    assert refreshed[0].credentials.access_key_id != first_key
    assert page.results.access_key.text() == refreshed[0].credentials.access_key_id
    page.results.export_env.click()
    exported = QGuiApplication.clipboard().text()
    assert exported.startswith(f"export AWS_ACCESS_KEY_ID={refreshed[0].credentials.access_key_id}\n")
    assert refreshed[0].credentials.secret_key.reveal() in exported  # revealed only on purpose, to the clipboard
    assert refreshed[0].credentials.secret_key.reveal() not in page.results.secret_label.text()
    page.results.export_profile.click()
    assert QGuiApplication.clipboard().text().startswith("[cognito-desk]\naws_access_key_id = ")
    page.select_provider(ProviderKind.DEVELOPER)
    developer = tester.sign_in(None)
    assert developer.ok and role_name(developer.assumed_role) == "auth"
    assert page.browser.url_bar.text() == ""  # neither opened a provider page


def test_system_browser_mode_through_the_loopback_listener(tester):
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1] / "e2e"))
    from test_flows_user_agent import FormBrowser

    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    page.agent_box.setCurrentText("System browser")
    browsing = []
    page.open_in_system_browser = lambda url: browsing.append(asyncio.ensure_future(FormBrowser("bob").browse(url)))
    result = tester.sign_in(None)
    assert result.ok and role_name(result.assumed_role) == "engineers"
    assert browsing and all(task.done() for task in browsing)
    assert page.browser.url_bar.text() == ""  # the embedded view stayed out of it


def test_cancel_mid_login_leaves_nothing_open(tester):
    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    page.agent_box.setCurrentText("System browser")
    opened = []
    page.open_in_system_browser = opened.append
    page.run_sign_in()
    tester.wait_until(lambda: bool(opened), 10, "the login page handed to the system browser")
    listener = page.sign_in.agent.listener
    port = int(listener.redirect_uri.rsplit(":", 1)[1].split("/")[0])
    page.cancel()
    tester.wait_until(lambda: page.operation.done, 10, "the cancelled run")
    assert "cancelled" in page.hint.text() and page.run_button.isEnabled()
    def refused() -> bool:
        with socket.socket() as probe:
            try:
                probe.connect(("127.0.0.1", port))
            except ConnectionRefusedError:
                return True
        return False
    tester.wait_until(refused, 10, "the loopback listener closed")
    page.agent_box.setCurrentText("Embedded browser")
    page.run_sign_in()
    tester.wait_until(lambda: "/interaction/" in page.browser.url_bar.text(), 20, "the provider's login page")
    page.cancel()
    tester.wait_until(lambda: page.operation.done, 10, "the cancelled embedded run")
    assert page.sign_in.result.identity_id is None and "cancelled" in page.hint.text()
    assert page.browser.page.stop_at is None  # the view no longer waits for a redirect
    assert [c.cancelled for c in page.sign_in.result.timeline.calls if c.name == "Provider authorize"] == [True]


def test_the_tester_module_does_not_load_qtwebengine():
    code = ("import sys; import cognito_desk.ui.tester, cognito_desk.ui.app; "
            "print(sorted(m for m in sys.modules if 'WebEngine' in m))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert output.stdout.strip() == "[]"


def test_a_confidential_client_secret_goes_to_the_keyring_and_a_wrong_one_names_the_token_step(tester, app_ctx,
                                                                                               oidc_idp):
    from cognito_desk.flows.clients import FILE_NAME

    page = tester.page
    page.select_provider(ProviderKind.OIDC)
    for secret, step in (("not-the-secret", "Token exchange"), (oidc_idp.client_secrets["qa-server"], "GetId")):
        dialog = page.edit_provider_settings()
        dialog.set_field("client_id", "qa-server")
        dialog.set_field("client_secret", secret)
        dialog.accept()
        tester.wait_until(lambda: page.current_client().client_id == "qa-server" and not page.ctx.runner.running,
                          10, "the saved confidential client")
        result = tester.sign_in("alice")
        assert result.failure.step == step, result.failure
        stored = app_ctx.secrets.get(page.current_client().secret_profile, "client_secret")
        assert stored.reveal() == secret
        assert secret not in (app_ctx.settings_file.path.parent / FILE_NAME).read_text()
    # Refused by its provider, the run stops before Cognito; accepted, Cognito refuses the app client the pool
    # does not list (qa-server), with the id_token kept.
    assert result.login.claims["aud"] == "qa-server"


def test_the_system_browser_chosen_for_google_gives_way_to_the_embedded_view_for_others(connected_window, app_ctx,
                                                                                       run, wait_until):
    from cognito_desk.flows.clients import ProviderKind
    from cognito_desk.ui.tester import TesterPage
    from cognito_desk.ui.tester.page import EMBEDDED, SYSTEM

    window = connected_window
    pool = run(window.connection.identity.create_identity_pool(
        identity_pool_name="google and guests", allow_unauthenticated_identities=True,
        supported_login_providers={"accounts.google.com": "123-qa.apps.googleusercontent.com"}))
    (page,) = [window.tabs.widget(i) for i in range(window.tabs.count())
               if isinstance(window.tabs.widget(i), TesterPage)]
    window.pools_changed(select=pool["IdentityPoolId"])
    wait_until(lambda: len(page.clients) == 2 and not app_ctx.runner.running, 30, "the pool's providers")
    page.select_provider(ProviderKind.OIDC, "accounts.google.com")
    assert page.agent_box.currentText() == SYSTEM and "refuses sign-ins in embedded browsers" in page.hint.text()
    page.select_provider(ProviderKind.GUEST)
    assert page.agent_box.currentText() == EMBEDDED  # chosen for Google only, not by the user
    page.agent_box.setCurrentText(SYSTEM)
    page.agent_box.activated.emit(page.agent_box.currentIndex())  # the user's own choice
    page.select_provider(ProviderKind.OIDC, "accounts.google.com")
    page.select_provider(ProviderKind.GUEST)
    assert page.agent_box.currentText() == SYSTEM


def test_a_provider_page_cannot_launch_another_application(connected_window, run, wait_until):
    """Issue 15 §4: an ssh:// (any registered scheme) link in the embedded view is refused and shown, never handed
    to QDesktopServices / xdg-open."""
    from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtTest import QTest

    from cognito_desk.ui.tester import TesterPage

    class Handler(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.opened: list[str] = []

        @Slot(QUrl)
        def handle(self, url: QUrl) -> None:
            self.opened.append(url.toString())

    handler = Handler()
    for scheme in ("ssh", "mailto", "x-evil"):
        QDesktopServices.setUrlHandler(scheme, handler, "handle")
    try:
        (page,) = [connected_window.tabs.widget(i) for i in range(connected_window.tabs.count())
                   if isinstance(connected_window.tabs.widget(i), TesterPage)]
        browser = page._embedded_browser()
        browser.use_profile(page.personas.profile(None), private=True)
        loaded: list[bool] = []
        browser.view.loadFinished.connect(loaded.append)
        links = ["ssh://attacker.example/x", "mailto:a@b", "x-evil:run"]
        browser.view.setHtml('<body style="margin:0">' + "".join(
            f'<a href="{href}" style="display:block;height:60px">{href}</a>' for href in links) + "</body>",
            QUrl("https://idp.example/"))
        pool = run(connected_window.connection.identity.create_identity_pool(
            identity_pool_name="links", allow_unauthenticated_identities=True))
        connected_window.show()
        connected_window.pools_changed(select=pool["IdentityPoolId"])
        connected_window.tabs.setCurrentWidget(page)
        wait_until(lambda: loaded and browser.view.isVisible() and browser.view.focusProxy() is not None, 20,
                   "the page on screen")
        for number, href in enumerate(links):
            # a real click (user interaction): Qt's default policy would hand such a link to QDesktopServices
            QTest.mouseClick(browser.view.focusProxy(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                             QPoint(20, 30 + 60 * number))
            wait_until(lambda href=href: browser.refused.isVisibleTo(browser) and href in browser.refused.text(), 10,
                       f"the refusal of {href}")
        assert handler.opened == []
        assert browser.refused.accessibleName() == "Refused link"
    finally:
        for scheme in ("ssh", "mailto", "x-evil"):
            QDesktopServices.unsetUrlHandler(scheme)


def test_a_persona_keeps_session_cookies_in_memory_unless_told_and_says_what_it_keeps(connected_window, app_ctx,
                                                                                      assert_accessible):
    """Issue 15 §4: ForcePersistentCookies wrote even session-only IdP cookies (SSO sessions) to disk."""
    import stat

    from PySide6.QtWebEngineCore import QWebEngineProfile

    from cognito_desk.ui.tester import TesterPage
    from cognito_desk.ui.tester.persona_dialog import KEPT, KEPT_WITH_SESSIONS

    (page,) = [connected_window.tabs.widget(i) for i in range(connected_window.tabs.count())
               if isinstance(connected_window.tabs.widget(i), TesterPage)]
    policies = QWebEngineProfile.PersistentCookiesPolicy
    chosen = {}
    for name, remember in (("bob", False), ("carol", True)):
        dialog = page._ask_persona()
        assert_accessible(dialog)
        assert dialog.kept.text() == KEPT and "stay in memory" in KEPT
        dialog.name.setText(name)
        dialog.remember.setChecked(remember)
        assert dialog.kept.text() == (KEPT_WITH_SESSIONS if remember else KEPT)
        dialog.accept()
        assert page.persona_box.currentText() == name
        browser = page._agent()
        chosen[name] = browser.page.profile()
    assert chosen["bob"].persistentCookiesPolicy() == policies.AllowPersistentCookies
    assert chosen["carol"].persistentCookiesPolicy() == policies.ForcePersistentCookies
    page.persona_box.setCurrentText("bob")
    assert page._agent().page.profile().persistentCookiesPolicy() == policies.AllowPersistentCookies
    storage = page.personas.storage_dir
    for folder in (storage, storage / "bob", storage / "carol", storage / "bob" / "cache"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_run_saved_from_history_replays_with_the_headless_runner(tester, app_ctx, tmp_path):
    from PySide6.QtWidgets import QApplication, QFileDialog

    from cognito_desk.service.server import admin_credentials
    from cognito_desk.ui.history import HistoryPage

    page, window = tester.page, tester.window
    (history,) = [window.tabs.widget(i) for i in range(window.tabs.count())
                  if isinstance(window.tabs.widget(i), HistoryPage)]
    page.select_provider(ProviderKind.OIDC)
    page.add_persona("carol")  # a fresh persona: the provider shows its login form, then its consent screen
    first = tester.sign_in("carol", typing=True)
    assert first.ok and tester.actions == ["login", "consent"], first.failure
    assert [(a.action, a.field, a.secret) for a in first.browser_actions] == [
        ("fill", "login", False), ("fill", "password", True), ("click", "Sign-in", False), ("click", "Continue", False)]
    again = tester.sign_in("carol", typing=True)  # the persona's session: no login form this time
    assert again.ok and "login" not in tester.actions
    tester.wait_until(lambda: history.runs.rowCount() == 2 and not page.ctx.runner.running, 20, "both runs kept")

    select_row = history.table.selectRow
    select_row(0)  # the newest: signed in by the session, it cannot replay from a fresh browser — said when saving
    history.export_to(tmp_path / "session.toml", "toml")
    tester.wait_until(lambda: history.summary.text().startswith("Saved "), 10, "the save")
    assert "saw no login on the provider's page" in history.summary.text()
    assert "# NOTE: The embedded browser saw no login" in (tmp_path / "session.toml").read_text()

    select_row(1)
    dialog = history.save_selected_as_scenario()
    assert [dialog.edits[f].text() for f in ("login", "password")] == ["env:CAROL_LOGIN", "env:CAROL_PASSWORD"]
    dialog.edits["password"].setText("any-password")  # a value, not a reference: refused before any file
    dialog.accept()
    assert dialog.isVisible() and "Write env:NAME or keyring:NAME for password" in dialog.problem.text()
    dialog.edits["password"].setText("env:QA_CAROL_PASSWORD")
    dialog.accept()
    (chooser,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, QFileDialog) and w.isVisible()]
    chooser.selectFile(str(tmp_path / "carol.cdscenario"))
    chooser.accept()
    saved = tmp_path / "carol.cdscenario"
    tester.wait_until(lambda: saved.exists() and not page.ctx.runner.running, 10, "the scenario file")
    assert history.summary.text() == f"Saved {saved}."
    text = saved.read_text()
    assert "any-password" not in text and "NOTE" not in text and 'value = "env:QA_CAROL_PASSWORD"' in text
    assert 'value = "env:CAROL_LOGIN"' in text and 'value = "carol"' not in text
    assert text.count("click = ") == 2  # the login button and the consent button
    assert """click = "form:has(input[name='prompt'][value='consent']) button[type='submit']\"""" in text

    key, secret, _ = admin_credentials(tmp_path / "data")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1",
           "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret, "CAROL_LOGIN": "carol",
           "QA_CAROL_PASSWORD": "any-password", "COGNITO_DESK_CONFIG_DIR": str(tmp_path / "cli-config"),
           "COGNITO_DESK_DATA_DIR": str(tmp_path / "cli-data")}
    env.pop("AWS_SESSION_TOKEN", None)
    done = subprocess.run([sys.executable, "-m", "cognito_desk", "scenarios", "run", str(saved), "--endpoint",
                           window.connection.endpoint_url, "--history", str(tmp_path / "cli-history.sqlite3"),
                           "--allow-origin", page.current_client().issuer],  # as CI approves its provider
                          capture_output=True, text=True, env=env, timeout=240, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"PASS {page.current_client().name} as carol: success in "), done.stdout
