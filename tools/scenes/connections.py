"""Connections: a tested Custom endpoint, an SSO profile that needs ``aws sso login``, no keyring, and Manage."""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

_SSO_CONFIG = textwrap.dedent("""
    [profile corp-admin]
    sso_session = corp
    sso_account_id = 111122223333
    sso_role_name = AdministratorAccess
    region = eu-west-1
    [profile ci]
    aws_access_key_id = AKIAEXAMPLECI0000001
    aws_secret_access_key = not-a-real-secret
    [sso-session corp]
    sso_start_url = https://corp.awsapps.com/start
    sso_region = eu-west-1
    sso_registration_scopes = sso:account:access
""")


def _kind(dialog, kind: str) -> None:
    next(b for b in dialog.kind_buttons.buttons() if b.property("kind") == kind).click()


async def _endpoint_dialog(studio, ctx):
    from cognito_desk.ui.connections import ConnectionDialog

    dialog = ConnectionDialog(ctx, await _settings(ctx), parent=studio.window)
    dialog.open()
    credentials = await studio.connection.credentials.get()
    _kind(dialog, "endpoint")
    dialog.name.setText("QA lab server")
    dialog.url.setText(studio.connection.endpoint_url)
    dialog.access_key_id.setText(credentials.access_key)
    dialog.secret_access_key.edit.setText(credentials.secret_key)
    studio.cleanup.append(dialog.reject)
    return dialog


async def _settings(ctx):
    import asyncio

    return await asyncio.to_thread(ctx.settings_file.load)


async def tested(studio):
    dialog = await _endpoint_dialog(studio, studio.ctx)
    dialog.test_connection()
    await studio.wait_until(lambda: "Connected" in dialog.test_result.text(), what="the test report")
    return dialog


async def sso_login(studio):
    from cognito_desk.settings import CredentialSource
    from cognito_desk.ui.connections import ConnectionDialog

    folder = tempfile.mkdtemp(prefix="cognito-desk-aws-")
    config = Path(folder) / "config"
    config.write_text(_SSO_CONFIG)
    saved = {name: os.environ.get(name) for name in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "HOME")}
    os.environ.update(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE=str(Path(folder) / "none"),
                      HOME=folder)
    dialog = ConnectionDialog(studio.ctx, await _settings(studio.ctx), parent=studio.window)
    dialog.open()
    _kind(dialog, "aws")
    dialog.name.setText("Corp production")
    dialog.region.setCurrentText("eu-west-1")
    dialog.credentials.setCurrentIndex(dialog.credentials.findData(CredentialSource.AWS_PROFILE.value))
    await studio.wait_until(lambda: dialog.aws_profile.findText("corp-admin") >= 0, what="the AWS profiles")
    dialog.aws_profile.setCurrentText("corp-admin")
    dialog.test_connection()
    await studio.wait_until(lambda: dialog.sso_box.isVisibleTo(dialog), what="the SSO hint")

    def restore() -> None:
        dialog.reject()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    studio.cleanup.append(restore)
    return dialog


async def no_keyring(studio):
    import keyring.backends.fail

    from cognito_desk.admin.connections import with_session_fallback
    from cognito_desk.settings import KeyringSecrets
    from cognito_desk.ui.app import make_context

    ctx = make_context(studio.ctx.prefs.fileName(), settings_file=studio.ctx.settings_file, local=studio.ctx.local,
                       secrets=with_session_fallback(KeyringSecrets(keyring.backends.fail.Keyring())))
    dialog = await _endpoint_dialog(studio, ctx)
    await studio.wait_until(lambda: dialog.keyring_notice.isVisibleTo(dialog), what="the keyring notice")
    dialog.session_only.setChecked(True)
    return dialog


async def manage(studio):
    import asyncio

    from cognito_desk.settings import AwsProfile, CredentialSource, EndpointProfile
    from cognito_desk.ui.connections import ManageConnectionsDialog

    settings = await _settings(studio.ctx)
    for profile in (EndpointProfile("QA lab server", studio.connection.endpoint_url),
                    EndpointProfile("LocalStack", "http://localhost:4566", "eu-central-1"),
                    AwsProfile("Corp production", "eu-west-1", CredentialSource.AWS_PROFILE, "corp-admin")):
        if all(p.name != profile.name for p in settings.profiles):
            settings = settings.with_profile(profile)
    await asyncio.to_thread(studio.ctx.settings_file.save, settings)
    studio.window.reload_profiles(settings)
    dialog = ManageConnectionsDialog(studio.ctx, settings, studio.connection.name, parent=studio.window)
    dialog.open()
    dialog.list.setCurrentRow(1)
    dialog.confirm_remove()
    studio.cleanup.append(dialog.reject)
    return dialog


SCENES = [("connection-test", tested), ("connection-sso-login", sso_login), ("connection-no-keyring", no_keyring),
          ("connections-manage", manage)]
