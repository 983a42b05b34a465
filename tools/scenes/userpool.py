"""User pools, on the tests' offline user pool (moto server's cognito-idp, the Local profile's user pool endpoint):
the Tester's "User pool (username & password)" form answering a NEW_PASSWORD_REQUIRED challenge, the Identity
providers tab's user-pool picker, and the Roles & rules tab's groups with the Token-mapping preview explaining
which group's role a token gets.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

LAB = "field-staff"
_lab: list = []


async def _lab_pool(studio):
    """The user pool lab (``tests/userpool_lab.py``: groups admins/staff, users alice…erin), built once."""
    from userpool_lab import UserPoolLab

    if not _lab:
        connection = studio.connection
        keys = await connection.credentials.get()
        service = SimpleNamespace(url=connection.endpoint_url, region=connection.region,
                                  access_key_id=keys.access_key, secret_access_key=keys.secret_key)
        lab = UserPoolLab(service, studio.user_pool_url, LAB).build()
        lab.idp.create_group(UserPoolId=lab.user_pool_id, GroupName="contractors", Precedence=3,
                             RoleArn="arn:aws:iam::000000000000:role/ContractorsReadOnly")
        studio.pools[LAB] = lab.pool_id
        studio.window.refresh()  # F5: the lab's roles were made through the API after the account's roles were read
        await studio.wait_until(lambda: not studio.ctx.runner.running, 30, "the refresh")
        studio.window.pools_changed(select=lab.pool_id)
        await studio.wait_until(lambda: any(r["IdentityPoolId"] == lab.pool_id
                                            for r in studio.window.pool_list.model.rows), what="the lab's pool")
        _lab.append(lab)
    return _lab[0]


def _show(studio, name: str):
    page = studio.window.screens[name]
    studio.window.tabs.setCurrentWidget(page)
    return page


async def tester_challenge(studio):
    """carol signs in with her temporary password: the form asks for a new one, mid-run."""
    from userpool_lab import TEMPORARY

    from cognito_desk.flows.clients import ProviderKind

    lab = await _lab_pool(studio)
    await studio.select_pool(LAB)
    page = _show(studio, "tester")
    await studio.wait_until(lambda: len(page.clients) == 4 and not studio.ctx.runner.running, what="the providers")
    page.select_provider(ProviderKind.USER_POOL_PASSWORD, lab.provider_name)
    form = page.user_pool_form
    form.username.setText("carol")
    form.password.setText(TEMPORARY)
    form.flow.setCurrentIndex(form.flow.findData("password"))
    page.run_sign_in()
    await studio.wait_until(lambda: form.challenge is not None, 30, "the NEW_PASSWORD_REQUIRED challenge")
    form.fill("New password", "Field-passw0rd!")
    page.results.tabs.setCurrentIndex(0)  # the Result tab, whatever an earlier scene showed
    studio.cleanup.append(page.cancel)
    return studio.window


async def user_pool_picker(studio):
    lab = await _lab_pool(studio)
    await studio.select_pool("Partner portal")
    page = _show(studio, "providers")
    await studio.wait_until(lambda: page.edit is not None and not studio.ctx.runner.running, what="the providers")
    picker = page.choose_user_pool()
    studio.cleanup.append(picker.reject)
    await studio.wait_until(lambda: picker.pools.findData(lab.user_pool_id) >= 0 and not studio.ctx.runner.running,
                            30, "the user pools")
    picker.pools.setCurrentIndex(picker.pools.findData(lab.user_pool_id))
    await studio.wait_until(lambda: len(picker.app_clients) == 2 and not studio.ctx.runner.running, 30,
                            "the app clients")
    picker.clients.setCurrentIndex(picker.clients.findData(lab.client_id))
    return picker


async def roles_groups(studio):
    lab = await _lab_pool(studio)
    studio.resize(1600, 900)  # a desktop monitor's: the preview beside the editors
    await studio.select_pool(LAB)
    page = _show(studio, "roles")
    await studio.wait_until(lambda: page.snapshot is not None and not studio.ctx.runner.running, what="the roles")
    page.mappings.provider.setCurrentText(f"{lab.provider_name}:{lab.client_id}")
    await studio.wait_until(lambda: page.groups.model.rowCount() == 3 and not studio.ctx.runner.running, 30,
                            "the groups")
    page.preview.key.setCurrentText(lab.provider_name)
    page.preview.token.setPlainText(json.dumps({
        "iss": f"https://{lab.provider_name}", "aud": lab.client_id, "token_use": "id", "sub": "alice",
        "cognito:groups": ["staff", "admins"], "cognito:roles": [lab.roles["A"], lab.roles["B"]],
        "cognito:preferred_role": lab.roles["A"]}, indent=1))
    await studio.wait_until(lambda: "Groups → roles" in page.preview.explanation.toPlainText(), 10,
                            "the groups explanation")
    return studio.window


SCENES = [("tester-user-pool-challenge", tester_challenge), ("providers-user-pool-picker", user_pool_picker),
          ("roles-groups", roles_groups)]
