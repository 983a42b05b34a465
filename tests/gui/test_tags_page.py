"""The Principal tags tab against the real embedded service and oidc-provider: a custom map and the default
mapping are saved and read back, the session tags of a real token are shown as the service computes them, and a
role whose trust policy lacks sts:TagSession is flagged."""

from __future__ import annotations

import pytest

from cognito_desk.admin.pools import send_pool_request
from cognito_desk.admin.trust import cognito_trust_policy


@pytest.fixture
def tags_tab(connected_window, oidc_idp, run, wait_until):
    window = connected_window
    connection = window.connection

    async def setup():
        await connection.iam.create_open_id_connect_provider(url=oidc_idp.issuer, client_id_list=["qa-desk"])
        pool = await send_pool_request(connection.identity, "CreateIdentityPool", {
            "IdentityPoolName": "tags-tab", "AllowUnauthenticatedIdentities": False,
            "OpenIdConnectProviderARNs": [f"arn:aws:iam::000000000000:oidc-provider/{oidc_idp.host}"]})
        role = await connection.iam.create_role(role_name="tags-tab-auth", assume_role_policy_document=(
            cognito_trust_policy(pool["IdentityPoolId"], "authenticated", tag_session=False)))
        await connection.identity.set_identity_pool_roles(identity_pool_id=pool["IdentityPoolId"],
                                                          roles={"authenticated": role["Role"]["Arn"]})
        return pool["IdentityPoolId"]

    pool_id = run(setup())
    page = window.screens["tags"]
    window.tabs.setCurrentWidget(page)
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.snapshot is not None and page.snapshot.pool_id == pool_id, 30, "the snapshot")
    return window, page, pool_id


def test_custom_and_default_maps_round_trip_with_session_tags(tags_tab, oidc_idp, run, wait_until,
                                                              assert_accessible):
    window, page, pool_id = tags_tab
    assert_accessible(page)
    assert page.provider.currentText() == oidc_idp.host
    assert page.warnings.text() == ""  # nothing mapped yet: no tags, no warning
    page.add_button.click()
    page.table.item(0, 0).setText("dept")
    page.table.item(0, 1).setText("department")
    page.add_button.click()
    page.table.item(1, 0).setText("grp")
    page.table.item(1, 1).setText("groups")
    page.token.setPlainText(oidc_idp.id_token("alice"))
    assert page.tags_label.text() == "dept = qa, grp = qa"
    assert "does not allow sts:TagSession" in page.warnings.text()
    page.save_button.click()
    wait_until(lambda: not page.ctx.runner.running and page.snapshot is not None, 30, "the save and reload")
    saved = run(window.connection.identity.get_principal_tag_attribute_map(identity_pool_id=pool_id,
                                                                           identity_provider_name=oidc_idp.host))
    assert saved["PrincipalTags"] == {"dept": "department", "grp": "groups"} and saved["UseDefaults"] is False
    page.use_defaults.setChecked(True)
    assert not page.table.isEnabled()
    assert page.tags_label.text().startswith("client = qa-desk, username = ")
    page.save_button.click()
    wait_until(lambda: not page.ctx.runner.running, 30, "the second save")
    saved = run(window.connection.identity.get_principal_tag_attribute_map(identity_pool_id=pool_id,
                                                                           identity_provider_name=oidc_idp.host))
    assert saved["UseDefaults"] is True


def test_a_tag_key_aws_refuses_is_not_sent(tags_tab, run):
    window, page, pool_id = tags_tab
    page.add_button.click()
    page.table.item(0, 0).setText("x" * 200)
    page.table.item(0, 1).setText("sub")
    page.save_button.click()
    assert page.errors.isVisibleTo(page) and "ValidationException" in page.errors.report.raw
    saved = run(window.connection.identity.get_principal_tag_attribute_map(identity_pool_id=pool_id,
                                                                           identity_provider_name=page.provider
                                                                           .currentText()))
    assert saved["PrincipalTags"] == {}
