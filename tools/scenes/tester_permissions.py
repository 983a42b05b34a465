"""The Permissions view after a guest sign-in in the Tester: the guest role's statements with this identity's ID
substituted, a pitfall (a policy reading a principal tag the pool does not map) and an access check answered with
the deciding statement highlighted and why the other statements did not apply."""

from __future__ import annotations

import json

POOL = "Photo sharing"
PHOTOS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "OwnFolder", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": "arn:aws:s3:::photos/${cognito-identity.amazonaws.com:sub}/*"},
    {"Sid": "Public", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::photos/public/*"},
    {"Sid": "TeamPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::photos",
     "Condition": {"StringLike": {"s3:prefix": "teams/${aws:PrincipalTag/team}/*"}}},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}


async def permissions(studio):
    from cognito_desk.admin.trust import cognito_trust_policy
    from cognito_desk.flows.clients import ProviderKind
    from cognito_desk.ui.tester import TesterPage

    window, connection = studio.window, studio.connection
    if POOL not in studio.pools:
        pool_id = (await connection.identity.create_identity_pool(
            identity_pool_name=POOL, allow_unauthenticated_identities=True))["IdentityPoolId"]
        trust = json.dumps(cognito_trust_policy(pool_id, "unauthenticated", tag_session=False))
        role = await connection.iam.create_role(role_name="PhotoSharingGuest", assume_role_policy_document=trust)
        await connection.iam.put_role_policy(role_name="PhotoSharingGuest", policy_name="photos",
                                             policy_document=json.dumps(PHOTOS))
        await connection.identity.set_identity_pool_roles(identity_pool_id=pool_id,
                                                          roles={"unauthenticated": role["Role"]["Arn"]})
        studio.pools[POOL] = pool_id
        window.pools_changed(select=pool_id)
        await studio.wait_until(lambda: any(r["IdentityPoolId"] == pool_id for r in window.pool_list.model.rows),
                                what="the photo sharing pool")
    page = next(window.tabs.widget(i) for i in range(window.tabs.count())
                if isinstance(window.tabs.widget(i), TesterPage))
    await studio.select_pool(POOL)
    window.tabs.setCurrentWidget(page)
    await studio.wait_until(lambda: page.clients and not studio.ctx.runner.running, what="the tester")
    page.select_provider(ProviderKind.GUEST)
    loaded = []
    page.permissions.loaded.connect(lambda: loaded.append(True))
    page.run_sign_in()
    await studio.wait_until(lambda: loaded and not studio.ctx.runner.running, 30, "the Permissions view")
    page.results.tabs.setCurrentWidget(page.permissions)
    page.permissions.run_check()
    return window


SCENES = [("permissions", permissions)]
