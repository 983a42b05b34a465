"""Dialogs that ask before trusting something: a scenario file from elsewhere whose provider origins are not
approved yet (Open › scenario), the Tester's New persona dialog saying what a persona keeps on disk, and Roles &
rules' "Add permissions from template…" putting a per-identity policy on one of the pool's roles."""

from __future__ import annotations

import tempfile
from pathlib import Path

SCENARIO = ('version = 1\nname = "partner SSO smoke test"\npool_id = "{pool}"\n[provider]\nname = "partner-sso"\n'
            'kind = "oidc"\nissuer = "https://login.partner.example"\nclient_id = "partner-portal"\n'
            'client_secret = "env:PARTNER_CLIENT_SECRET"\njwks_uri = "https://keys.collector.example/jwks"\n'
            '[[steps]]\nfill = "#username"\nvalue = "qa-bot"\n[[steps]]\nfill = "#password"\n'
            'value = "env:QA_BOT_PASSWORD"\n[expect]\noutcome = "success"\n')


async def scenario_approval(studio):
    from cognito_desk.ui.open_files import open_paths

    path = Path(tempfile.mkdtemp(prefix="cognito-desk-scene-")) / "from-a-pull-request.cdscenario"
    path.write_text(SCENARIO.format(pool=studio.pools["Partner portal"]))
    (dialog,) = open_paths(studio.window, [str(path)])
    studio.cleanup.append(dialog.close)
    return dialog


async def persona(studio):
    page = studio.window.screens["tester"]
    studio.window.tabs.setCurrentWidget(page)
    dialog = page._ask_persona()
    dialog.name.setText("alice")
    studio.cleanup.append(dialog.reject)
    return dialog


async def permission_templates(studio):
    window = studio.window
    page = window.screens["roles"]
    await studio.select_pool("QA mobile app")
    window.tabs.setCurrentWidget(page)
    await studio.wait_until(lambda: page.snapshot is not None and page.templates_button.isEnabled(), what="roles")
    page.add_permissions_from_template()
    dialog = page.templates_dialog
    studio.cleanup.append(dialog.reject)
    dialog.fields.set_template("amplify-storage")
    dialog.fields.inputs["bucket"].setText("qa-mobile-uploads")
    return dialog


SCENES = [("scenario-approval", scenario_approval), ("tester-persona", persona),
          ("roles-templates", permission_templates)]
