"""The sign-in tester: a real oidc-provider login in the embedded browser, the result of a successful run, a
run Cognito refused (the app client the pool does not accept), a run the provider refused on its own error page
(a client ID it never registered) and a run whose rule names a role that does not exist — each with the step
named.

Needs Node.js and ``npm ci`` in ``tests/idp`` (the same provider the tests use); without them these scenes
are skipped with a message.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import shutil
import subprocess
from pathlib import Path

IDP_DIR = Path(__file__).resolve().parents[2] / "tests" / "idp"
POOL = "Tester lab"
_lab: dict = {}
FILL = """(function () { const f = document.querySelector('input[name=login]');
  if (f) { f.value = 'alice'; document.querySelector('input[name=password]').value = 'x'; f.form.submit(); return 1; }
  const b = document.querySelector('form button[type=submit]'); if (b) b.click(); return 0; })()"""


def _start_provider() -> str:
    config = {"clients": [{"client_id": name, "token_endpoint_auth_method": "none", "application_type": "native",
                           "redirect_uris": ["http://127.0.0.1/callback"]} for name in ("qa-mobile", "old-app")],
              "accounts": {"alice": {"email": "alice@example.com", "department": "qa"}},
              "claims": ["email", "department"]}
    process = subprocess.Popen([shutil.which("node"), str(IDP_DIR / "oidc.mjs"), json.dumps(config)], cwd=IDP_DIR,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    atexit.register(lambda: (process.stdin.close(), process.wait(5)))
    return process.stdout.readline().split()[1]


async def _tester(studio):
    """The Tester tab on the "Tester lab" pool (made once: IAM OIDC provider, roles, a department rule)."""
    import boto3

    from cognito_desk.admin.trust import cognito_trust_policy
    from cognito_desk.ui.tester import TesterPage

    window = studio.window
    if not _lab:
        issuer = _start_provider()
        keys = await studio.connection.credentials.get()
        options = {"endpoint_url": studio.connection.endpoint_url, "region_name": studio.connection.region,
                   "aws_access_key_id": keys.access_key, "aws_secret_access_key": keys.secret_key}
        iam, identity = boto3.client("iam", **options), boto3.client("cognito-identity", **options)
        arn = iam.create_open_id_connect_provider(Url=issuer, ClientIDList=["qa-mobile"])["OpenIDConnectProviderArn"]
        pool_id = identity.create_identity_pool(IdentityPoolName=POOL, AllowUnauthenticatedIdentities=True,
                                                OpenIdConnectProviderARNs=[arn])["IdentityPoolId"]
        roles = {}
        for name, amr in (("TesterLabUser", "authenticated"), ("TesterLabQa", "authenticated"),
                          ("TesterLabGuest", "unauthenticated")):
            roles[name] = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(
                cognito_trust_policy(pool_id, amr)))["Role"]["Arn"]
        host = issuer.split("://", 1)[1]
        rule = {"Claim": "department", "MatchType": "Equals", "Value": "qa", "RoleARN": roles["TesterLabQa"]}
        identity.set_identity_pool_roles(
            IdentityPoolId=pool_id, Roles={"authenticated": roles["TesterLabUser"],
                                           "unauthenticated": roles["TesterLabGuest"]},
            RoleMappings={host: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                 "RulesConfiguration": {"Rules": [rule]}}})
        studio.pools[POOL] = pool_id
        window.pools_changed(select=pool_id)
        await studio.wait_until(lambda: any(r["IdentityPoolId"] == pool_id for r in window.pool_list.model.rows),
                                what="the Tester lab pool")
        _lab.update(pool_id=pool_id, host=host)
    page = next((window.tabs.widget(i) for i in range(window.tabs.count())
                 if isinstance(window.tabs.widget(i), TesterPage)), None)
    if page is None:
        page = TesterPage(studio.ctx)
        window.add_pool_page(page, "Tester", "tester-run")
    await studio.select_pool(POOL)
    window.tabs.setCurrentWidget(page)
    await studio.wait_until(lambda: page.clients and page.browser is not None and not studio.ctx.runner.running,
                            what="the tester")
    return page


async def _sign_in(studio, page, *, finish: bool = True):
    from cognito_desk.flows.clients import ProviderKind

    page.select_provider(ProviderKind.OIDC)
    page.persona_box.setCurrentIndex(0)  # private: the login form every time
    done = []
    page.run_finished.connect(done.append)
    page.run_sign_in()
    try:
        while not done:
            await asyncio.sleep(0.2)
            if finish and "/interaction/" in page.browser.url_bar.text():
                page.browser.page.runJavaScript(FILL, 0, lambda _: None)
            elif "/interaction/" in page.browser.url_bar.text():
                await studio.settle(0.8)
                return None
    finally:
        page.run_finished.disconnect(done.append)
    await studio.wait_until(lambda: not studio.ctx.runner.running, what="the tester to settle")
    return done[0]


async def login_page(studio):
    if shutil.which("node") is None or not (IDP_DIR / "node_modules").is_dir():
        raise RuntimeError("the tester scenes need Node.js and `npm ci` in tests/idp")
    page = await _tester(studio)
    await _sign_in(studio, page, finish=False)
    studio.cleanup.append(page.cancel)
    return studio.window


async def success(studio):
    page = await _tester(studio)
    await _sign_in(studio, page)
    page.custom_role.clear()
    return studio.window


async def failure(studio):
    page = await _tester(studio)
    await _with_client(studio, page, "old-app")
    await _sign_in(studio, page)
    page.results.tabs.setCurrentIndex(0)
    return studio.window


async def _with_client(studio, page, client_id: str):
    """The OIDC provider's saved settings with ``client_id``; a cleanup restores them."""
    from dataclasses import replace

    from cognito_desk.flows.clients import ProviderClientsFile, ProviderKind

    store = ProviderClientsFile(studio.ctx.settings_file.path.parent)
    draft = next(c for c in page.clients if c.kind is ProviderKind.OIDC)
    store.put(replace(draft, client_id=client_id))
    page.reload_providers()
    await studio.wait_until(lambda: any(c.client_id == client_id for c in page.clients)
                            and not studio.ctx.runner.running, what=f"the client {client_id}")

    def restore():
        store.remove(draft.connection, draft.name)
        page.reload_providers()

    studio.cleanup.append(restore)


async def provider_error(studio):
    """A client ID the provider never registered: its own error page, and the run ended at Provider login."""
    page = await _tester(studio)
    await _with_client(studio, page, "mobile-app-v1")
    await _sign_in(studio, page, finish=False)
    await studio.wait_until(lambda: page.results.errors.isVisible() and not studio.ctx.runner.running,
                            what="the provider's refusal")
    await studio.settle(0.8)
    return studio.window


async def missing_role(studio):
    """The rule's role does not exist: the role Cognito tried is the one named, with the fix for it."""
    import boto3

    page = await _tester(studio)
    keys = await studio.connection.credentials.get()
    identity = boto3.client("cognito-identity", endpoint_url=studio.connection.endpoint_url,
                            region_name=studio.connection.region, aws_access_key_id=keys.access_key,
                            aws_secret_access_key=keys.secret_key)
    roles = identity.get_identity_pool_roles(IdentityPoolId=_lab["pool_id"])
    changed = json.loads(json.dumps(roles["RoleMappings"]))
    rule = changed[_lab["host"]]["RulesConfiguration"]["Rules"][0]
    rule["RoleARN"] = rule["RoleARN"].rsplit("/", 1)[0] + "/TesterLabQaTeam"
    identity.set_identity_pool_roles(IdentityPoolId=_lab["pool_id"], Roles=roles["Roles"], RoleMappings=changed)
    studio.cleanup.append(lambda: identity.set_identity_pool_roles(
        IdentityPoolId=_lab["pool_id"], Roles=roles["Roles"], RoleMappings=roles["RoleMappings"]))
    await _sign_in(studio, page)
    page.results.tabs.setCurrentIndex(0)
    return studio.window


async def role_created(studio):
    """The missing role created from the failed result: what was done, and Sign in again."""
    import boto3

    from cognito_desk.ui.tester import TesterPage

    window = await missing_role(studio)
    page = next(w for w in (window.tabs.widget(i) for i in range(window.tabs.count())) if isinstance(w, TesterPage))
    page.results.fix_button.click()
    await studio.wait_until(lambda: not page.results.again_button.isHidden() and not studio.ctx.runner.running,
                            what="the role created")
    keys = await studio.connection.credentials.get()
    iam = boto3.client("iam", endpoint_url=studio.connection.endpoint_url, region_name=studio.connection.region,
                       aws_access_key_id=keys.access_key, aws_secret_access_key=keys.secret_key)
    studio.cleanup.append(lambda: iam.delete_role(RoleName="TesterLabQaTeam"))
    await studio.settle(0.5)
    return window


SCENES = [("tester-login-page", login_page), ("tester-success", success), ("tester-failure", failure),
          ("tester-provider-error", provider_error), ("tester-role-missing", missing_role),
          ("tester-role-created", role_created)]
