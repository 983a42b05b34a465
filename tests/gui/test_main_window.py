"""The window and its shell against the real embedded service: start-up, the pool list (paging, filter,
selection remembered), errors next to what caused them, cancel, menus, shortcuts and accessible names."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtGui import QKeySequence

from cognito_desk.settings import CredentialSource, EndpointProfile, Settings


@pytest.fixture
def local_quotas(request, tmp_path) -> str:
    """AWS's request quotas; a test that seeds many pools first (seeding is not what it tests) lifts
    CreateIdentityPool's, as a lab's quota file may."""
    if getattr(request, "param", None) != "seeding":
        return "aws"
    path = tmp_path / "quotas.toml"
    path.write_text('[operations]\nCreateIdentityPool = "off"\n')
    return str(path)


def _make_pools(run, window, names):
    async def create():
        for name in names:
            await window.connection.identity.create_identity_pool(identity_pool_name=name,
                                                                  allow_unauthenticated_identities=True)
    run(create(), 120)


def test_start_opens_the_local_connection_on_the_embedded_service(connected_window):
    window = connected_window
    assert window.connection.profile.kind.value == "local"
    assert window.connection.local_owned
    port = window.connection.local_port
    assert port and str(port) in window.status.endpoint_label.text()
    assert "local" in window.status.connection_label.text()
    assert window.pool_list.empty.isVisibleTo(window.pool_list)  # a new data dir has no pools
    assert window.right.currentWidget() is window.no_pool


@pytest.mark.parametrize("local_quotas", ["seeding"], indirect=True)
def test_pools_page_in_lazily_filter_and_selection_is_remembered(connected_window, app_ctx, run, wait_until, qtbot,
                                                                  qtmodeltester):
    window = connected_window
    _make_pools(run, window, [f"pool-{i:03d}" for i in range(130)])
    window.show()
    window.refresh()
    model, view = window.pool_list.model, window.pool_list.view
    wait_until(lambda: len(model.rows) >= 60 and not model.loading, what="the first page")
    assert len(model.rows) == 60 and model.canFetchMore()  # the view is full: no second page yet
    view.scrollToBottom()  # the view asks for more as it nears the end
    wait_until(lambda: len(model.rows) == 120 and not model.loading, what="the second page")
    view.scrollToBottom()
    wait_until(lambda: model.complete and len(model.rows) == 130, what="the last page")
    qtmodeltester.check(model)
    window.pool_list.filter.setText("POOL-12")
    assert window.pool_list.proxy.rowCount() == 10
    window.pool_list.filter.clear()
    target = next(row for row in model.rows if row["IdentityPoolName"] == "pool-125")
    seen = []
    window.pool_changed.connect(seen.append)
    assert window.pool_list.select_pool(target["IdentityPoolId"])
    assert seen and seen[-1].pool_id == target["IdentityPoolId"]
    assert window.pool_title.text() == "pool-125"
    window.close()
    # A new window with the same state file re-selects the pool, paging as far as it has to.
    from cognito_desk.ui.app import build_window

    again = build_window(app_ctx)
    qtbot.addWidget(again)
    again.start()
    wait_until(lambda: again.current_pool() is not None, 30, "the remembered pool")
    assert again.current_pool().pool_id == target["IdentityPoolId"]
    run(again.connection.aclose())


@pytest.fixture
def lab_credentials(monkeypatch):
    """Keys for Custom endpoint profiles that sign with the environment's credentials."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLELAB000001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "lab-secret-not-real")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_unreachable_backend_is_reported_next_to_the_pool_list_with_retry(main_window, app_ctx, wait_until,
                                                                             lab_credentials):
    dead = EndpointProfile("lab", f"http://127.0.0.1:{_dead_port()}", "us-east-1", CredentialSource.ENVIRONMENT)
    settings = app_ctx.settings_file.load()
    app_ctx.settings_file.save(Settings((*settings.profiles, dead), "lab"))
    main_window.start()
    banner = main_window.pool_list.errors
    wait_until(lambda: not banner.isHidden(), 30, "the error banner")
    assert "Cannot reach the backend" in banner.title.text()
    assert not banner.retry_button.isHidden()
    assert "ConnectionFailed" in banner.raw.toPlainText()
    assert main_window.isEnabled()  # nothing froze; switching back works
    main_window.open_profile("local")
    wait_until(lambda: main_window.connection is not None and main_window.connection.name == "local", 30)
    wait_until(lambda: main_window.pool_list.model.complete, 30)


def test_a_slow_call_shows_busy_and_can_be_cancelled(main_window, app_ctx, wait_until, lab_credentials):
    # A listening socket that never accepts: the kernel completes the connection, nobody ever answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        slow = EndpointProfile("slow", f"http://127.0.0.1:{port}", "us-east-1", CredentialSource.ENVIRONMENT)
        app_ctx.settings_file.save(Settings((*app_ctx.settings_file.load().profiles, slow), "slow"))
        main_window.start()
        wait_until(lambda: main_window.pool_list.model.loading, 30, "the pool list request to be under way")
        assert "Loading identity pools" in main_window.status.activity_label.toolTip()
        main_window.status.cancel_button.click()
        wait_until(lambda: not app_ctx.runner.running, 10, "the cancel")
        assert not main_window.pool_list.model.loading
        assert main_window.pool_list.errors.isHidden()  # a cancel is not a failure
        assert main_window.status.activity_label.text() == "Ready"


def test_menus_have_standard_shortcuts(main_window):
    titles = [action.text() for action in main_window.menuBar().actions()]
    assert titles[:5] == ["&File", "&Edit", "&View", "&Pool", "&Help"]
    assert main_window.quit_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)
    assert main_window.find_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Find)
    assert {s.toString() for s in main_window.refresh_action.shortcuts()} == {"F5", "Ctrl+R"}


def test_every_control_has_an_accessible_name(connected_window, assert_accessible):
    assert_accessible(connected_window)


def test_theme_choice_is_applied_and_remembered(main_window, app_ctx, qapp):
    main_window.set_theme("dark")
    assert qapp.palette().window().color().lightness() < 100
    assert app_ctx.prefs.value("theme") == "dark"
    main_window.set_theme("light")
    assert qapp.palette().window().color().lightness() > 150


def test_help_about_opens_the_about_dialog(main_window, qapp):
    from cognito_desk.ui.about import AboutDialog

    about = next(a for a in main_window.help_menu.actions() if a.text() == "&About cognito-desk")
    about.trigger()
    dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, AboutDialog) and w.isVisible()]
    assert len(dialogs) == 1
    dialogs[0].close()
