"""Roles & rules and Principal tags: a rule mapping with a lint finding on the rule's role and a preview explaining
the decision; a custom tag map with the session tags of a pasted token and the missing sts:TagSession warning."""

from __future__ import annotations

import json

from cognito_desk.admin.rules import RoleMapping, Rule
from cognito_desk.admin.trust import cognito_trust_policy

CLAIMS = {"iss": "https://accounts.google.com", "aud": "1234567890-qa.apps.googleusercontent.com",
          "sub": "110248495921238986420", "email": "alice@example.com", "hd": "example.com",
          "groups": ["qa", "admins"]}


def _tab(window, title: str, install):
    for index in range(window.tabs.count()):
        if window.tabs.tabText(index).replace("&&", "&") == title:
            return window.tabs.widget(index)
    return install(window)


async def _admins_role(studio) -> str:
    """A role for admins whose trust policy names another pool: the classic mistake the lint flags."""
    iam = studio.connection.iam
    existing = [role["Arn"] async for role in iam.iter_roles() if role["RoleName"] == "QaMobileAdmins"]
    if existing:
        return existing[0]
    policy = cognito_trust_policy(studio.pools["Partner portal"], "authenticated")
    return (await iam.create_role(role_name="QaMobileAdmins", assume_role_policy_document=policy))["Role"]["Arn"]


async def roles_rules(studio):
    from cognito_desk.ui.roles import install

    window = studio.window
    studio.resize(1600, 900)  # a desktop monitor's: the preview beside the editors
    page = _tab(window, "Roles & rules", install)
    admins = await _admins_role(studio)
    await studio.select_pool("QA mobile app")
    window.tabs.setCurrentWidget(page)
    window.refresh()  # F5: the role was made (through the API) after the connection read the account's roles
    await studio.wait_until(lambda: page.snapshot is not None and admins in page.snapshot.role_arns, what="roles")
    form = page.snapshot.form
    if "accounts.google.com" not in form.mappings:
        mapping = form.add_mapping("accounts.google.com", RoleMapping("Rules", "AuthenticatedRole"))
        mapping.add_rule(Rule("hd", "NotEqual", "example.com", form.default_roles["authenticated"]))
        mapping.add_rule(Rule("groups", "Contains", "admin", admins))
        mapping.add_rule(Rule("email", "StartsWith", "qa-", form.default_roles["authenticated"]))
    page.mappings.show_form(form, page.snapshot.pool)
    page.mappings.provider.setCurrentText("accounts.google.com")
    page.trust.show_snapshot(page.snapshot)
    page.trust.role.setCurrentIndex(max(page.trust.role.findData(admins), 0))
    page.preview.show_snapshot(page.snapshot)
    page.preview.key.setCurrentText("accounts.google.com")
    page.preview.token.setPlainText(json.dumps(CLAIMS, indent=1))
    page.state.setText("Unsaved changes")
    return window


async def _legacy_role(studio) -> None:
    """Staging web's authenticated role predates principal tags: its trust policy lacks sts:TagSession."""
    iam, identity = studio.connection.iam, studio.connection.identity
    pool_id = studio.pools["Staging web"]
    if not [role async for role in iam.iter_roles() if role["RoleName"] == "StagingWebAuth"]:
        role = await iam.create_role(role_name="StagingWebAuth", assume_role_policy_document=cognito_trust_policy(
            pool_id, "authenticated", tag_session=False))
        await identity.set_identity_pool_roles(identity_pool_id=pool_id, roles={"authenticated": role["Role"]["Arn"]})


async def principal_tags(studio):
    from cognito_desk.ui.tags import install

    window = studio.window
    page = _tab(window, "Principal tags", install)
    await _legacy_role(studio)
    await studio.select_pool("Staging web")
    window.tabs.setCurrentWidget(page)
    window.refresh()  # F5: the role was made through the API
    await studio.wait_until(lambda: page.snapshot is not None and not studio.ctx.runner.running,
                            what="the tags snapshot after the refresh")  # else the refresh wipes the edits below
    page.provider.setCurrentText("accounts.google.com")
    tag_map = page.current_map()
    tag_map.use_defaults, tag_map.tags = False, {"department": "hd", "team": "groups"}
    page._show_map()
    page.token.setPlainText(json.dumps(CLAIMS))
    return window


SCENES = [("roles-rules", roles_rules), ("principal-tags", principal_tags)]
