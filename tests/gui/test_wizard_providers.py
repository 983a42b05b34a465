"""The New pool wizard from nothing: step 2 creates an IAM OIDC provider (after the same discovery check as the
Identity providers tab, against the real oidc-provider), picks an existing SAML provider from IAM's list, and
refuses inline a typed ARN of a provider IAM does not know — before the pool is created."""

from __future__ import annotations

from pool_support import call_until_idle, settle_when_idle
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

MISSING = "arn:aws:iam::000000000000:oidc-provider/nowhere.example.com"


def test_step_two_creates_picks_and_checks_providers(connected_window, oidc_idp, saml_idp, run, wait_until,
                                                     assert_accessible):
    window = connected_window
    call, settle = call_until_idle(window, run), settle_when_idle(window, wait_until)
    saml_arn = call(window.connection.iam.create_saml_provider(
        name="corp", saml_metadata_document=saml_idp.metadata_xml()))["SAMLProviderArn"]
    window.screens["pools"].new_pool()
    wizard = window.screens["pools"].dialog
    assert wizard.access_page.authenticated.isChecked()  # the default: it needs a provider
    wizard.next()
    page = wizard.providers_page
    assert wizard.currentPage() is page
    assert "come later" not in page.subTitle()
    settle(lambda: page.iam.lists["SAML"].count() == 1, "IAM's SAML providers listed")
    assert_accessible(page)

    page.providers.oidc.setPlainText(MISSING)  # a typed ARN of a provider that does not exist …
    wizard.next()
    settle(lambda: page.providers.problems["OpenIdConnectProviderARNs"].isVisibleTo(page), "the IAM check")
    assert wizard.currentPage() is page  # … is refused before anything is created, and said inline
    problem = page.providers.problems["OpenIdConnectProviderARNs"]
    assert problem.text() == (f"IAM has no OpenID Connect provider {MISSING} in this account: create it here, pick "
                              "an existing one, or correct the ARN.")
    page.providers.oidc.setPlainText("")

    new = page.iam.new_oidc
    new.url.setText(oidc_idp.issuer)
    new.client_ids.setText("qa-desk")
    assert not new.create_button.isEnabled()  # not before the discovery check passed
    new.check_button.click()
    settle(lambda: new.report is not None, "the discovery check")
    assert "✓ Discovery check passed." in new.result.toPlainText()
    new.create_button.click()
    oidc_arn = f"arn:aws:iam::000000000000:oidc-provider/{oidc_idp.host}"
    settle(lambda: page.iam.chosen("OIDC") == [oidc_arn], "the new provider listed and ticked")
    page.iam.lists["SAML"].item(0).setCheckState(Qt.CheckState.Checked)  # the existing SAML provider, picked
    wizard.next()
    settle(lambda: wizard.currentPage() is wizard.roles_page, "step 3")
    wizard.next()
    wizard.properties_page.name.setText("from nothing")
    wizard.next()
    review = dict(wizard.plan.review())
    assert review["OpenID Connect provider"] == oidc_arn and review["SAML provider"] == saml_arn
    wizard.button(QWizard.WizardButton.FinishButton).click()
    settle(lambda: wizard.created is not None, "the pool to be created")
    pool = call(window.connection.identity.describe_identity_pool(
        identity_pool_id=wizard.created.pool["IdentityPoolId"]))
    assert pool["OpenIdConnectProviderARNs"] == [oidc_arn] and pool["SamlProviderARNs"] == [saml_arn]
