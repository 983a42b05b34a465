"""One state per selected pool, through the wired window against the real embedded service, counting the requests
the service answers (``Service.requests``): what a pool click, each tab and a save cost with 1 and with 200 pools;
the app's own save in one tab is never a conflict in another while a change made through boto3 is; Roles & rules
and Principal tags share one roles snapshot; and on a slow endpoint the latest pool and connection win, a late error
lands nowhere, and no connection is left open."""

from __future__ import annotations

import asyncio
import gc

import pytest
from pool_support import settle_when_idle
from slow_endpoint import SlowProxy
from support import Clock, RunningService, make_client, trust_policy

from cognito_desk.backend import Connection
from cognito_desk.service.context import ServiceSettings
from cognito_desk.service.quotas import quota_table
from cognito_desk.service.server import ServiceThread
from cognito_desk.settings import CredentialSource, EndpointProfile, LocalProfile, Settings

GOOGLE = "accounts.google.com"
#: Read once per connection, not per pool.
CONNECTION_WIDE = {"ListRoles", "ListOpenIDConnectProviders", "ListSAMLProviders"}


@pytest.fixture
def service(tmp_path, request, local_quotas):
    """The embedded service of the window's Local profile, enforcing the module's ``local_quotas`` (AWS's, by
    default), started first so the test can read its counts (the window joins it as it would join
    ``cognito-desk serve``). A test parametrized with ``pools`` finds that many pools there, loaded beforehand as
    a lab would be (through the API, before the quotas apply: 200 CreateIdentityPool at AWS's 5 per second would
    only test patience)."""
    data_dir = tmp_path / "data"
    preloaded = request.node.callspec.params.get("pools", 0) if hasattr(request.node, "callspec") else 0
    if preloaded:
        loading = ServiceThread(data_dir).start()
        try:
            make_pools(RunningService(loading, Clock()), preloaded)
        finally:
            loading.stop()
    thread = ServiceThread(data_dir, ServiceSettings(quotas=quota_table(local_quotas))).start()
    yield RunningService(thread, Clock())
    thread.stop()


@pytest.fixture
def window(service, main_window, wait_until):
    """``connected_window``, but with 200 pools the list's first page is enough (the rest loads on scrolling)."""
    main_window.start()
    model = main_window.pool_list.model
    wait_until(lambda: main_window.connection is not None and not model.loading and (model.complete or model.rows)
               and not main_window.ctx.runner.running, 30, "the Local connection and its pool list")
    return main_window


@pytest.fixture
def settle(window, wait_until):
    return settle_when_idle(window, wait_until)


def counts(service) -> dict[str, int]:
    return service.thread.service.requests.snapshot()


def since(service, before) -> dict[str, int]:
    return service.thread.service.requests.since(before)


def make_pools(service, count: int, **settings) -> list[str]:
    ci = make_client(service, "cognito-identity")
    return [ci.create_identity_pool(IdentityPoolName=f"pool {n:03}", AllowUnauthenticatedIdentities=False,
                                    **settings)["IdentityPoolId"] for n in range(count)]


def show(window, settle, name: str):
    page = window.screens[name] if name != "pools" else window.screens["pools"].settings_page
    window.tabs.setCurrentWidget(page)
    settle(lambda: True, f"the {name} tab")
    return page


def select(window, settle, pool_id: str) -> None:
    assert window.pool_list.select_pool(pool_id), "the pool is on the list's first page"
    settle(lambda: window.current_pool() is not None and window.current_pool().pool_id == pool_id, "the pool")


@pytest.mark.parametrize("pools", [1, 200])
def test_requests_for_a_pool_click_each_tab_and_a_save_do_not_grow_with_the_pools(pools, service, window, settle,
                                                                                   qtbot):
    window.pools_changed()
    settle(lambda: window.pool_list.model.rows, "the pool list")
    first, second = (window.pool_list.model.rows * 2)[:2] if pools == 1 else window.pool_list.model.rows[:2]
    before = counts(service)
    select(window, settle, first["IdentityPoolId"])  # the Settings tab is the one shown
    clicked = since(service, before)
    before = counts(service)
    for name in ("identities", "providers", "roles", "tags", "history"):  # the tester reads at selection
        show(window, settle, name)
    tabs = since(service, before)
    settings = show(window, settle, "pools")
    before = counts(service)
    qtbot.keyClicks(settings.name, " renamed")
    settings.save_button.click()
    settle(lambda: settings.status.text() == "Saved.", "the save")
    saved = since(service, before)
    show(window, settle, "roles")
    before = counts(service)
    select(window, settle, second["IdentityPoolId"])
    walked = since(service, before)

    # One DescribeIdentityPool serves Settings, the tester, Identities, Providers, Roles and Principal tags.
    assert clicked == {"DescribeIdentityPool": 1}
    # Connection-wide lists are read once per connection; the pool's own parts once per pool.
    assert tabs == {"ListIdentities": 1, "ListOpenIDConnectProviders": 1, "ListSAMLProviders": 1,
                    "GetIdentityPoolRoles": 1, "ListRoles": 1}
    assert saved == {"DescribeIdentityPool": 1, "UpdateIdentityPool": 1, "ListIdentityPools": 1}
    per_pool = {op: n for op, n in (clicked | tabs).items() if op not in CONNECTION_WIDE}
    assert sum(per_pool.values()) == 3  # ≤ 4, the target
    if pools > 1:  # walking down the list with Roles & rules open: that pool only, nothing per pool in the account
        assert walked == {"DescribeIdentityPool": 1, "GetIdentityPoolRoles": 1}


def test_a_save_in_providers_then_in_settings_is_no_conflict_but_a_boto3_change_is(service, window, settle, qtbot):
    [pool_id] = make_pools(service, 1)
    window.pools_changed(select=pool_id)
    settings = show(window, settle, "pools")
    settle(lambda: settings.edit is not None and settings.edit.pool_id == pool_id, "the Settings tab")
    qtbot.keyClicks(settings.name, " renamed")  # an edit left unsaved in Settings…
    providers = show(window, settle, "providers")
    providers.social[GOOGLE].setText("google-app")
    providers.social[GOOGLE].editingFinished.emit()
    providers.save()  # …while Identity providers saves
    settle(lambda: providers.state.text() == "" and providers.edit.social() == {GOOGLE: "google-app"},
           "the providers save")
    show(window, settle, "pools")
    assert settings.providers.social[GOOGLE].text() == "google-app"  # Settings heard of it and kept my edit
    settings.save_button.click()
    settle(lambda: settings.status.text() == "Saved.", "the settings save")
    assert settings.conflict.isHidden()
    ci = make_client(service, "cognito-identity")
    stored = ci.describe_identity_pool(IdentityPoolId=pool_id)
    assert stored["IdentityPoolName"] == "pool 000 renamed"
    assert stored["SupportedLoginProviders"] == {GOOGLE: "google-app"}

    settings.guest.setChecked(True)  # loaded, edited…
    stored.pop("ResponseMetadata")
    ci.update_identity_pool(**{**stored, "AllowClassicFlow": True})  # …changed by someone else meanwhile…
    settings.save_button.click()  # …then saved
    settle(lambda: not settings.conflict.isHidden(), "the conflict")
    rows = [settings.conflict_view.topLevelItem(i) for i in range(settings.conflict_view.topLevelItemCount())]
    assert [(r.text(0), r.text(1), r.text(2)) for r in rows] == [("AllowClassicFlow", "(absent)", "true")]
    assert ci.describe_identity_pool(IdentityPoolId=pool_id)["AllowUnauthenticatedIdentities"] is False


def test_roles_and_principal_tags_share_one_roles_snapshot(service, window, settle):
    [pool_id] = make_pools(service, 1, SupportedLoginProviders={GOOGLE: "app"})
    iam = make_client(service, "iam")
    for n in range(3):
        iam.create_role(RoleName=f"snapshot-{n}", AssumeRolePolicyDocument=trust_policy(pool_id))
    window.pools_changed(select=pool_id)
    settle(lambda: window.current_pool() is not None, "the pool")
    before = counts(service)
    roles = show(window, settle, "roles")
    tags = show(window, settle, "tags")
    made = since(service, before)
    assert made == {"GetIdentityPoolRoles": 1, "ListRoles": 1, "GetPrincipalTagAttributeMap": 1}
    assert roles.snapshot.role_arns == tags.snapshot.role_arns and len(roles.snapshot.role_arns) == 3
    assert roles.snapshot is not tags.snapshot  # shared loads, but each tab edits its own copy
    tags.use_defaults.setChecked(True)
    tags.save()
    settle(lambda: tags.snapshot.tag_maps[GOOGLE].use_defaults and not tags.unsaved(), "the tags save")
    show(window, settle, "roles")
    assert roles.snapshot.tag_maps[GOOGLE].use_defaults  # Roles & rules heard of it (its lint depends on it)


@pytest.fixture
def slow(service, window, app_ctx, monkeypatch, tmp_path, settle):
    """A "slow" Custom endpoint connection through a delaying proxy to the same service, and a second Local
    profile on a data dir of its own (its service starts when first opened)."""
    proxy = SlowProxy(service.url, delay=0.3)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", service.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", service.secret_access_key)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    settings = app_ctx.settings_file.load()
    profiles = (*settings.profiles, EndpointProfile("slow", proxy.url, "us-east-1", CredentialSource.ENVIRONMENT),
                LocalProfile("other", data_dir=str(tmp_path / "other")))
    app_ctx.settings_file.save(Settings(profiles, "local"))
    window.reload_profiles(app_ctx.settings_file.load())
    yield proxy
    proxy.close()


def test_on_a_slow_endpoint_the_latest_pool_wins_and_a_late_error_lands_nowhere(service, window, slow, settle,
                                                                                wait_until):
    first, second = make_pools(service, 2)
    window.open_profile("slow")
    settle(lambda: window.connection is not None and window.connection.name == "slow"
           and window.pool_list.model.rows, "the slow connection")
    settings = show(window, settle, "pools")
    slow.failing.add(first)  # the first pool's load will fail, late
    assert window.pool_list.select_pool(first)
    wait_until(lambda: any(first in body for body in slow.seen), 15, "the first pool's request in flight")
    assert window.pool_list.select_pool(second)  # chosen before the first answered
    settle(lambda: settings.edit is not None, "the second pool")
    assert settings.edit.pool_id == second and window.current_pool().pool_id == second
    assert settings.errors.report is None  # the first pool's error never reached the second pool's banner
    assert window.pool_title.text() == "pool 001"
    show(window, settle, "roles")  # a tab shown later loads the pool that is selected, not the first
    assert window.screens["roles"].snapshot.pool_id == second


def open_connections() -> list[Connection]:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, Connection) and not o.http.is_closed]


def test_switching_connections_while_one_connects_keeps_the_latest_and_leaks_nothing(window, slow, app_ctx,
                                                                                       settle, wait_until, tmp_path):
    window.open_profile("other")  # a Local service to start…
    wait_until(lambda: (tmp_path / "other").exists(), 15, "the other service starting")
    window.open_profile("slow")  # …still connecting when another connection is chosen
    settle(lambda: window.connection is not None and window.pool_list.model.complete, "the slow connection")
    assert window.connection.name == window.connection_box.currentText() == "slow"
    assert "slow" in window.status.connection_label.text()
    wait_until(lambda: len(app_ctx.local.served()) == 1, 30, "the other service, started anyway, kept to be stopped")
    window.open_profile("other")  # and back and forth while connecting
    window.open_profile("local")
    window.open_profile("slow")
    settle(lambda: window.connection is not None and window.pool_list.model.complete, "the slow connection")
    assert window.connection.name == window.connection_box.currentText() == "slow"
    assert "slow" in window.status.connection_label.text()
    assert open_connections() == [window.connection]


def test_provider_usage_is_read_only_where_shown_and_kept_with_the_pool_list(service, window, settle):
    arn = make_client(service, "iam").create_open_id_connect_provider(
        Url="https://usage.gui.example", ClientIDList=["app"], ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    make_pools(service, 3, OpenIdConnectProviderARNs=[arn])
    window.pools_changed()
    settle(lambda: len(window.pool_list.model.rows) == 3, "the pool list")
    action = next(a for a in window.pool_menu.actions() if a.text() == "IAM identity &providers…")
    opened = []
    for _ in range(2):
        before = counts(service)
        action.trigger()
        dialog = window.screens["providers"].iam_dialog
        settle(lambda dialog=dialog: len(dialog.providers) == 1, "the IAM identity providers")
        opened.append((since(service, before), dialog.table.item(0, 2).text()))
        dialog.close()
    assert opened[0] == ({"ListOpenIDConnectProviders": 1, "ListSAMLProviders": 1, "ListIdentityPools": 1,
                          "DescribeIdentityPool": 3}, "pool 000, pool 001, pool 002")
    assert opened[1] == ({}, "pool 000, pool 001, pool 002")  # kept with the pool list: no request


def test_a_connect_that_completes_after_it_was_overtaken_is_closed(window, slow, run, settle):
    async def overtaken():
        window.open_profile("slow")  # a Custom endpoint opens in one step of the loop…
        asyncio.get_running_loop().call_soon(window.open_profile, "local")  # …and is overtaken right after,
        return window._connecting  # before the runner hands it to the window

    connecting = run(overtaken())
    settle(lambda: window.connection is not None and window.connection.name == "local"
           and window.pool_list.model.complete, "the local connection")
    assert window.connection_box.currentText() == "local" and "local" in window.status.connection_label.text()
    assert connecting.cancelled and connecting.task.result().name == "slow"  # it did complete…
    assert connecting.task.result().http.is_closed  # …and was closed, not left open
    assert open_connections() == [window.connection]
