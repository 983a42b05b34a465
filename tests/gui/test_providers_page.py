"""The Identity providers tab against the real embedded service, oidc-provider and saml-idp: every field
round-trips through a save, a new OIDC provider is created only after its discovery check passes, a SAML provider
from saml-idp's metadata shows its near-expiry certificate, and bad input is refused with the reason."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt


@pytest.fixture
def providers_tab(connected_window, run, wait_until):
    window = connected_window
    pool = run(window.connection.identity.create_identity_pool(identity_pool_name="providers-tab",
                                                               allow_unauthenticated_identities=False))
    page = window.screens["providers"]
    window.tabs.setCurrentWidget(page)
    window.pools_changed(select=pool["IdentityPoolId"])
    wait_until(lambda: page.edit is not None and page.edit.edit.pool_id == pool["IdentityPoolId"], 30, "the pool")
    return window, page, pool["IdentityPoolId"]


def idle(page):
    return not page.ctx.runner.running


def test_every_provider_field_round_trips(providers_tab, oidc_idp, saml_idp, run, wait_until, assert_accessible):
    window, page, pool_id = providers_tab
    assert_accessible(page)
    page.social["accounts.google.com"].setText("123-abc.apps.googleusercontent.com")
    page.social["accounts.google.com"].editingFinished.emit()
    page.social["appleid.apple.com"].setText("com.example.app")
    page.social["appleid.apple.com"].editingFinished.emit()
    page.region.setCurrentText(window.connection.region)
    page.user_pool_id.setText(f"{window.connection.region}_AbCdEf123")
    page.client_id.setText("client1")
    page.token_check.setChecked(True)
    page.add_user_pool_button.click()
    assert page.user_pools.rowCount() == 1
    page.user_pools.item(0, 2).setCheckState(Qt.CheckState.Unchecked)  # toggled in the table…
    assert page.edit.user_pools()[0]["ServerSideTokenCheck"] is False
    page.user_pools.item(0, 2).setCheckState(Qt.CheckState.Checked)  # …and back
    page.new_oidc.url.setText(oidc_idp.issuer)
    page.new_oidc.client_ids.setText("qa-desk, other-app")
    assert not page.new_oidc.create_button.isEnabled()
    page.new_oidc.check_button.click()
    wait_until(lambda: page.new_oidc.report is not None, 30, "the discovery check")
    assert "✓ Discovery check passed." in page.new_oidc.result.toPlainText()
    assert f"jwks_uri: {oidc_idp.jwks_uri}" in page.new_oidc.result.toPlainText()
    page.new_oidc.create_button.click()
    oidc_arn = f"arn:aws:iam::000000000000:oidc-provider/{oidc_idp.host}"
    wait_until(lambda: page.edit.attached("OpenIdConnectProviderARNs") == [oidc_arn], 30, "the new OIDC provider")
    page.new_saml.name.setText("corp-idp")
    page.new_saml.metadata.setPlainText(saml_idp.metadata_xml())
    summary = page.new_saml.summary.text()
    assert f"Entity ID: {saml_idp.entity_id}" in summary and "⚠ The signing certificate" in summary
    assert "expires in 9 days" in summary
    page.new_saml.create_button.click()
    saml_arn = "arn:aws:iam::000000000000:saml-provider/corp-idp"
    wait_until(lambda: page.edit.attached("SamlProviderARNs") == [saml_arn], 30, "the new SAML provider")
    page.developer.setText("login.example")
    page.developer.editingFinished.emit()
    page.save_button.click()
    wait_until(lambda: idle(page) and page.state.text() == "", 30, "the save and reload")
    described = run(window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))
    assert described["SupportedLoginProviders"] == {"accounts.google.com": "123-abc.apps.googleusercontent.com",
                                                    "appleid.apple.com": "com.example.app"}
    assert described["CognitoIdentityProviders"] == [{
        "ProviderName": f"cognito-idp.{window.connection.region}.amazonaws.com/{window.connection.region}_AbCdEf123",
        "ClientId": "client1", "ServerSideTokenCheck": True}]
    assert described["OpenIdConnectProviderARNs"] == [oidc_arn]
    assert described["SamlProviderARNs"] == [saml_arn]
    assert described["DeveloperProviderName"] == "login.example"
    assert page.developer.isReadOnly()  # read-only once set
    assert page.social["appleid.apple.com"].text() == "com.example.app"  # shown again from the saved pool
    saml_item = page.attach["SAML"].findItems(saml_arn, Qt.MatchFlag.MatchExactly)[0]
    saml_item.setCheckState(Qt.CheckState.Unchecked)  # detach
    page.save_button.click()
    wait_until(lambda: idle(page) and page.state.text() == "", 30, "the second save")
    described = run(window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))
    assert described.get("SamlProviderARNs", []) == [] and described["OpenIdConnectProviderARNs"] == [oidc_arn]


def test_a_saml_provider_is_updated_from_new_metadata(providers_tab, saml_idp, other_saml_idp, run, wait_until):
    window, page, _ = providers_tab
    arn = run(window.connection.iam.create_saml_provider(name="rolled-idp",
                                                         saml_metadata_document=saml_idp.metadata_xml()))[
        "SAMLProviderArn"]
    window.refresh()  # F5: the provider was made elsewhere
    wait_until(lambda: "rolled-idp" in page.new_saml.existing and not page.ctx.runner.running, 30, "the providers")
    page.new_saml.name.setText("rolled-idp")
    assert page.new_saml.create_button.text() == "Update SAML provider"
    page.new_saml.metadata.setPlainText(other_saml_idp.metadata_xml())  # the IdP rolled its signing key
    page.new_saml.create_button.click()
    wait_until(lambda: page.state.text() == "Updated rolled-idp: metadata replaced", 30, "the update")
    assert page.edit.attached("SamlProviderARNs") == []  # updating a provider does not attach it
    stored = run(window.connection.iam.get_saml_provider(saml_provider_arn=arn))["SAMLMetadataDocument"]
    assert stored == other_saml_idp.metadata_xml() != saml_idp.metadata_xml()
    page.new_saml.name.setText("another-idp")
    assert page.new_saml.create_button.text() == "Create SAML provider"


def test_an_oidc_provider_is_edited_in_place(providers_tab, other_oidc_idp, run, wait_until):
    window, page, _ = providers_tab
    iam = window.connection.iam
    arn = run(iam.create_open_id_connect_provider(url=other_oidc_idp.issuer, client_id_list=["qa-desk"]))[
        "OpenIDConnectProviderArn"]
    window.refresh()  # F5: the provider was made elsewhere
    wait_until(lambda: page.attach["OIDC"].findItems(arn, Qt.MatchFlag.MatchExactly), 30, "the provider list")
    item = page.attach["OIDC"].findItems(arn, Qt.MatchFlag.MatchExactly)[0]
    page.attach["OIDC"].itemDoubleClicked.emit(item)
    wait_until(lambda: page.new_oidc.existing_arn == arn, 30, "the provider's settings")
    assert page.new_oidc.url.text() == other_oidc_idp.issuer and page.new_oidc.client_ids.text() == "qa-desk"
    assert page.new_oidc.create_button.text() == "Update OIDC provider"
    page.new_oidc.client_ids.setText("other-app, qa-server")
    page.new_oidc.thumbprints.setText("a" * 40)
    page.new_oidc.create_button.click()
    wait_until(lambda: page.state.text().startswith("Updated "), 30, "the update")
    assert "added client ID other-app" in page.state.text() and "removed client ID qa-desk" in page.state.text()
    stored = run(iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn))
    assert sorted(stored["ClientIDList"]) == ["other-app", "qa-server"] and stored["ThumbprintList"] == ["a" * 40]
    page.new_oidc.thumbprints.setText("not-a-thumbprint")
    page.new_oidc.create_button.click()
    wait_until(lambda: page.errors.report is not None, 30, "the refusal")
    assert "thumbprint" in (page.errors.report.cause + page.errors.report.raw).lower()
    page.new_oidc.url.setText("https://login.example.com")  # another issuer: back to creating
    assert page.new_oidc.create_button.text() == "Create OIDC provider"
    assert not page.new_oidc.create_button.isEnabled()


def test_bad_input_and_a_broken_issuer_are_refused(providers_tab, wait_until, run):
    window, page, pool_id = providers_tab
    page.user_pool_id.setText("abc")
    page.add_user_pool_button.click()
    assert page.state.text() == "'abc' is not a user pool ID (like us-east-1_AbCdEf123)."
    page.social["graph.facebook.com"].setText("not valid!")
    page.social["graph.facebook.com"].editingFinished.emit()
    page.save_button.click()
    assert page.errors.isVisibleTo(page)
    assert "SupportedLoginProviders" in page.errors.body.text()
    assert "regular expression pattern" in page.errors.report.raw
    assert "SupportedLoginProviders" not in run(
        window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))  # nothing was sent
    page.new_oidc.url.setText("http://login.example.invalid")
    page.new_oidc.check_button.click()
    wait_until(lambda: page.new_oidc.report is not None, 30, "the discovery check")
    assert "uses http on a non-loopback host" in page.new_oidc.result.toPlainText()
    assert not page.new_oidc.create_button.isEnabled()
    page.new_saml.metadata.setPlainText("<not-metadata/>")
    assert page.new_saml.summary.text().startswith("✗ InvalidInput: Could not parse metadata")
    assert not page.new_saml.create_button.isEnabled()


@pytest.mark.parametrize("referenced", [True, False], ids=["pool-already-refers-to-it", "new-to-the-pool"])
def test_creating_an_iam_oidc_provider_says_whether_the_pool_already_uses_it(connected_window, oidc_idp, run,
                                                                              wait_until, referenced):
    window = connected_window
    arn = f"arn:aws:iam::000000000000:oidc-provider/{oidc_idp.host}"
    pool_id = run(window.connection.identity.create_identity_pool(
        identity_pool_name="refers-ahead", allow_unauthenticated_identities=False,
        open_id_connect_provider_arns=[arn] if referenced else None))["IdentityPoolId"]  # an ARN typed before
    page = window.screens["providers"]
    window.tabs.setCurrentWidget(page)
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.edit is not None and page.edit.edit.pool_id == pool_id and idle(page), 30, "the pool")
    page.new_oidc.url.setText(oidc_idp.issuer)
    page.new_oidc.client_ids.setText("qa-desk")
    page.new_oidc.check_button.click()
    wait_until(lambda: page.new_oidc.report is not None and idle(page), 30, "the discovery check")
    page.new_oidc.create_button.click()
    wait_until(lambda: page.state.text().startswith("Created") and idle(page), 30, "the provider created")
    assert page.edit.attached("OpenIdConnectProviderARNs") == [arn]
    if referenced:
        assert page.state.text() == f"Created {oidc_idp.host}; this pool already uses it — nothing to save."
        assert page.edit.edit.request == page.edit.edit.loaded  # nothing unsaved
    else:
        assert page.state.text() == (f"Created {oidc_idp.host} and ticked it for this pool: Save providers to "
                                     "attach it.")
        page.save_button.click()
        wait_until(lambda: idle(page) and page.state.text() == "", 30, "the save")
        described = run(window.connection.identity.describe_identity_pool(identity_pool_id=pool_id))
        assert described["OpenIdConnectProviderARNs"] == [arn]
