"""The Permissions view in the Tester's result, through the window build_window wires, after a real guest
sign-in against the embedded service: statements with the identity's values, the access check with the deciding
statement highlighted, why the others did not apply, and the pitfalls."""

from __future__ import annotations

import json

import pytest

from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.flows.clients import ProviderKind

pytestmark = pytest.mark.qt_log_ignore("QRhiGles2: Failed to create", "Failed to create RHI for backend",
                                       "GPUInfo not initialized")
SUB = "${cognito-identity.amazonaws.com:sub}"
PHOTOS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "OwnFolder", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": f"arn:aws:s3:::photos/{SUB}/*"},
    {"Sid": "Team", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos",
     "Condition": {"StringLike": {"s3:prefix": "teams/${aws:PrincipalTag/team}/*"}}},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}


async def pool_with_role(connection, name: str, kind: str, policies: dict, **pool) -> str:
    """A pool whose ``kind`` default role is ``<name>-role`` carrying ``policies`` (inline); its ID."""
    pool_id = (await connection.identity.create_identity_pool(identity_pool_name=name, **pool))["IdentityPoolId"]
    trust = json.dumps(cognito_trust_policy(pool_id, kind, tag_session=False))
    role = await connection.iam.create_role(role_name=f"{name}-role", assume_role_policy_document=trust)
    for policy_name, document in policies.items():
        await connection.iam.put_role_policy(role_name=f"{name}-role", policy_name=policy_name,
                                             policy_document=json.dumps(document))
    await connection.identity.set_identity_pool_roles(identity_pool_id=pool_id, roles={kind: role["Role"]["Arn"]})
    return pool_id


@pytest.fixture
def signed_in(connected_window, app_ctx, run, wait_until):
    from cognito_desk.ui.tester import TesterPage

    window = connected_window
    connection = window.connection

    async def setup():
        return await pool_with_role(connection, "guest-permissions", "unauthenticated", {"photos": PHOTOS},
                                    allow_unauthenticated_identities=True)

    pool_id = run(setup(), 60)
    (page,) = [window.tabs.widget(i) for i in range(window.tabs.count())
               if isinstance(window.tabs.widget(i), TesterPage)]
    window.tabs.setCurrentWidget(page)
    window.show()
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.clients and not app_ctx.runner.running, 30, "the pool's providers, screens idle")
    page.select_provider(ProviderKind.GUEST)
    loaded = []
    page.permissions.loaded.connect(lambda: loaded.append(True))
    page.run_sign_in()
    wait_until(lambda: loaded and not app_ctx.runner.running, 60, "the sign-in and its Permissions view")
    return page


def test_permissions_after_a_sign_in(signed_in, qtmodeltester, assert_accessible):
    page = signed_in
    view = page.permissions
    identity = page.results.identity_label.text()
    assert identity.startswith("us-east-1:")
    assert page.results.tabs.tabText(page.results.tabs.indexOf(view)) == "Permissions"
    assert identity in view.subject.text() and "guest-permissions-role" in view.subject.text()
    qtmodeltester.check(view.statements)
    assert_accessible(view)
    summaries = [view.statements.index(r, 2).data() for r in range(view.statements.rowCount())]
    assert summaries[0] == f"Allow: s3:GetObject, s3:PutObject on arn:aws:s3:::photos/{identity}/*"
    assert "no value for ${aws:PrincipalTag/team}" in summaries[1]
    assert "photos reads aws:PrincipalTag/team" in view.pitfalls.text()
    assert "trust policy lacks sts:TagSession" in view.pitfalls.text()
    assert "permission boundaries" in view.notes.text()

    # pre-filled from the statements, with this identity's ID in the resource
    assert view.action.currentText() == "s3:GetObject"
    assert view.resource.currentText() == f"arn:aws:s3:::photos/{identity}/example"
    view.check_button.click()
    assert view.verdict.text().startswith("✔ Allowed")
    assert view.statements.deciding_rows() == [0]
    assert "Deciding: photos statement 1 (OwnFolder)" in view.explanation.toPlainText()

    view.resource.setEditText("arn:aws:s3:::photos/us-east-1:someone-else/a.jpg")
    view.check_button.click()
    assert view.verdict.text().startswith("✖ Denied (implicitDeny)")
    assert view.statements.deciding_rows() == []
    text = view.explanation.toPlainText()
    assert "Why the other statements did not apply:" in text
    assert f"photos statement 1 (OwnFolder): Resource 'arn:aws:s3:::photos/{SUB}/*' does not cover" in text

    view.action.setEditText("s3:DeleteObject")
    view.check_button.click()
    assert view.verdict.text().startswith("✖ Denied (explicitDeny)") and view.statements.deciding_rows() == [2]


def _page_of(window, kind):
    (page,) = [window.tabs.widget(i) for i in range(window.tabs.count()) if isinstance(window.tabs.widget(i), kind)]
    window.tabs.setCurrentWidget(page)
    return page


def test_permissions_of_an_identity_from_the_identities_tab(connected_window, app_ctx, run, wait_until,
                                                           assert_accessible):
    from cognito_desk.admin.permissions import STORED_NOTE
    from cognito_desk.ui.identities import IdentitiesPage

    window, connection = connected_window, connected_window.connection

    async def setup():
        pool_id = await pool_with_role(connection, "stored", "unauthenticated", {"photos": PHOTOS},
                                       allow_unauthenticated_identities=True)
        return pool_id, (await connection.identity.get_id(identity_pool_id=pool_id))["IdentityId"]

    pool_id, identity = run(setup(), 60)
    window.show()
    page = _page_of(window, IdentitiesPage)
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.pool is not None and page.pool.pool_id == pool_id and not app_ctx.runner.running, 30,
               "the pool selected")
    details = page.details
    details.show_identity(identity)
    wait_until(lambda: details.details is not None and not app_ctx.runner.running, 30, "the identity's details")
    assert details.permissions.isHidden()
    loaded = []
    details.permissions.loaded.connect(lambda: loaded.append(True))
    details.permissions_button.click()
    wait_until(lambda: loaded and not app_ctx.runner.running, 30, "the identity's permissions")
    view = details.permissions
    assert view.isVisible() and identity in view.subject.text() and "stored-role" in view.subject.text()
    own = f"Allow: s3:GetObject, s3:PutObject on arn:aws:s3:::photos/{identity}/*"
    assert view.statements.index(0, 2).data() == own
    assert STORED_NOTE in view.notes.text()
    assert_accessible(details)
    details.show_identity(identity)  # another identity (here: the same, reloaded) hides the previous answer
    assert details.permissions.isHidden()


def test_permissions_of_the_roles_preview_token_name_the_provider_sub_pitfall(connected_window, app_ctx, run,
                                                                             wait_until):
    from cognito_desk.ui.roles.page import RolesPage

    window, connection = connected_window, connected_window.connection
    google = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::photos/${accounts.google.com:sub}/*"}]}

    async def setup():
        return await pool_with_role(
            connection, "preview", "authenticated", {"google-folder": google}, allow_unauthenticated_identities=False,
            supported_login_providers={"accounts.google.com": "app.apps.googleusercontent.com"})

    pool_id = run(setup(), 60)
    window.show()
    page = _page_of(window, RolesPage)
    window.pools_changed(select=pool_id)
    wait_until(lambda: page.snapshot is not None and page.snapshot.pool_id == pool_id and not app_ctx.runner.running,
               30, "the roles snapshot")
    page.preview.key.setCurrentText("accounts.google.com")
    page.preview.token.setPlainText(json.dumps({"sub": "google-user-1", "aud": "app.apps.googleusercontent.com"}))
    assert page.preview.result is not None and page.preview.result.decision.role_arn.endswith("/preview-role")
    loaded = []
    page.permissions.loaded.connect(lambda: loaded.append(True))
    page.permissions_button.click()
    wait_until(lambda: loaded and not app_ctx.runner.running, 30, "the previewed role's permissions")
    view = page.permissions
    assert "google-folder is keyed on accounts.google.com:sub" in view.pitfalls.text()
    assert "no value for ${accounts.google.com:sub}" in view.statements.index(0, 2).data()
    view.resource.setEditText("arn:aws:s3:::photos/google-user-1/a.jpg")
    view.action.setEditText("s3:GetObject")
    view.check_button.click()
    assert view.verdict.text().startswith("✖ Denied (implicitDeny)")
    assert "${accounts.google.com:sub} has no value in this request" in view.explanation.toPlainText()
