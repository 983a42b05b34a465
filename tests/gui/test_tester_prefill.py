"""What the app knows is never asked again: the Tester takes the client ID and issuer from the pool's IAM OIDC
provider (a pick list when it lists several) and the app IDs of its social providers."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox

from cognito_desk.flows.clients import ProviderKind


def test_the_tester_prefills_client_ids_and_offers_every_one_the_provider_lists(connected_window, app_ctx, oidc_idp,
                                                                                 run, wait_until):
    window = connected_window
    connection = window.connection

    async def setup() -> str:
        made = await connection.iam.create_open_id_connect_provider(url=oidc_idp.issuer,
                                                                    client_id_list=["qa-desk", "other-app"])
        pool = await connection.identity.create_identity_pool(
            identity_pool_name="prefill", allow_unauthenticated_identities=False,
            supported_login_providers={"graph.facebook.com": "fb-app-1"},
            open_id_connect_provider_arns=[made["OpenIDConnectProviderArn"]])
        return pool["IdentityPoolId"]

    pool_id = run(setup())
    page = window.screens["tester"]  # the tab build_window wires
    window.tabs.setCurrentWidget(page)
    window.pools_changed(select=pool_id)
    wait_until(lambda: len(page.clients) == 2 and not app_ctx.runner.running, 30, "the pool's providers")

    page.select_provider(ProviderKind.FACEBOOK)
    assert page.current_client().client_id == "fb-app-1"  # SupportedLoginProviders' app ID
    page.select_provider(ProviderKind.OIDC, oidc_idp.host)
    client = page.current_client()
    assert (client.issuer, client.client_id) == (oidc_idp.issuer, "qa-desk")  # from IAM, not asked

    dialog = page.edit_provider_settings()
    picker = dialog.fields["client_id"]
    assert isinstance(picker, QComboBox) and picker.isEditable()
    assert [picker.itemText(i) for i in range(picker.count())] == ["qa-desk", "other-app"]
    picker.setCurrentIndex(1)
    dialog.accept()
    wait_until(lambda: page.current_client().client_id == "other-app" and not app_ctx.runner.running, 30,
               "the chosen client ID saved and shown")

    dialog = page.edit_provider_settings()  # the choice is kept, the list still offered
    picker = dialog.fields["client_id"]
    assert picker.currentText() == "other-app" and picker.count() == 2
    dialog.reject()
