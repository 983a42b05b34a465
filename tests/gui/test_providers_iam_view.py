"""The connection's IAM identity providers view: providers and the pools using each; delete guarded while in use."""

from __future__ import annotations

from cognito_desk.admin.pools import send_pool_request


def test_providers_with_their_pools_and_guarded_delete(connected_window, oidc_idp, saml_idp, run, wait_until,
                                                       assert_accessible):
    window = connected_window
    connection = window.connection

    async def setup():
        await connection.iam.create_open_id_connect_provider(url=oidc_idp.issuer, client_id_list=["qa-desk"])
        saml = await connection.iam.create_saml_provider(name="unused-idp",
                                                         saml_metadata_document=saml_idp.metadata_xml())
        await send_pool_request(connection.identity, "CreateIdentityPool", {
            "IdentityPoolName": "uses-oidc", "AllowUnauthenticatedIdentities": False,
            "OpenIdConnectProviderARNs": [f"arn:aws:iam::000000000000:oidc-provider/{oidc_idp.host}"]})
        return saml["SAMLProviderArn"]

    saml_arn = run(setup())
    action = next(a for a in window.pool_menu.actions() if a.text() == "IAM identity &providers…")
    assert action.isEnabled()
    action.trigger()
    dialog = window.screens["providers"].iam_dialog
    wait_until(lambda: len(dialog.providers) == 2, 30, "the provider list")
    assert_accessible(dialog)
    rows = {dialog.table.item(r, 1).text(): dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())}
    assert rows == {oidc_idp.host: "uses-oidc", "unused-idp": "— (not used)"}
    oidc_row = next(r for r, p in enumerate(dialog.providers) if p.kind == "OIDC")
    dialog.table.selectRow(oidc_row)
    assert not dialog.delete_button.isEnabled()  # in use: delete guarded, and the dialog says why
    reason = "Used by pool “uses-oidc”: remove it from that pool’s identity providers before deleting it."
    assert dialog.delete_reason.text() == reason and dialog.delete_button.toolTip() == reason
    dialog.delete_selected()  # even when forced, the logic refuses and names the pool
    wait_until(lambda: dialog.errors.report is not None, 30, "the refusal")
    assert "uses-oidc" in dialog.errors.report.cause + dialog.errors.report.raw
    saml_row = next(r for r, p in enumerate(dialog.providers) if p.kind == "SAML")
    dialog.table.selectRow(saml_row)
    assert dialog.delete_button.isEnabled() and dialog.delete_reason.text() == ""
    dialog.delete_button.click()
    wait_until(lambda: len(dialog.providers) == 1, 30, "the reload after the delete")
    listed = run(connection.iam.list_saml_providers())["SAMLProviderList"]
    assert saml_arn not in [p["Arn"] for p in listed]
    dialog.close()
