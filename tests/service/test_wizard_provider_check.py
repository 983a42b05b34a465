"""The New pool wizard asks IAM about typed provider ARNs before creating the pool: against the real embedded
service, a missing OIDC or SAML provider is named, an existing one passes, and a listed one is not asked again."""

from __future__ import annotations

import asyncio

from cognito_desk.admin.wizard import WizardPlan, unknown_providers
from cognito_desk.backend import LocalServices, open_connection
from cognito_desk.settings import LocalProfile, SessionSecrets


def test_typed_provider_arns_are_checked_with_iam(tmp_path, saml_idp):
    async def scenario():
        local = LocalServices()
        connection = await open_connection(LocalProfile("local", data_dir=str(tmp_path / "data")), SessionSecrets(),
                                           local)
        try:
            iam = connection.iam
            oidc = (await iam.create_open_id_connect_provider(url="https://login.example.com",
                                                              client_id_list=["app"]))["OpenIDConnectProviderArn"]
            saml = (await iam.create_saml_provider(name="corp", saml_metadata_document=saml_idp.metadata_xml())
                    )["SAMLProviderArn"]
            missing_oidc, missing_saml = oidc.replace("login.example.com", "gone.example.com"), saml + "-gone"
            plan = WizardPlan(oidc_arns=[oidc, missing_oidc], saml_arns=[saml, missing_saml])
            found = await unknown_providers(iam, plan)
            listed = await unknown_providers(iam, plan, known=[missing_oidc, missing_saml])
            return found, listed, missing_oidc, missing_saml
        finally:
            await connection.aclose()
            await asyncio.to_thread(local.stop_all)

    found, listed, missing_oidc, missing_saml = asyncio.run(scenario())
    assert [(p.member, p.message.split(" in this account")[0]) for p in found] == [
        ("OpenIdConnectProviderARNs", f"IAM has no OpenID Connect provider {missing_oidc}"),
        ("SamlProviderARNs", f"IAM has no SAML provider {missing_saml}")]
    assert listed == []  # what IAM just listed is not asked again
