"""A Local connection outlives the service it used: a real ``cognito-desk serve`` killed under the window, and
the app's own embedded service stopping — the window says so once, serves (or joins) the data directory anew,
and Retry / F5 work again without restarting the app."""

from __future__ import annotations

import signal

import pytest
from service.serve_process import serve_processes


def _pool_names(window) -> list[str]:
    return [row["IdentityPoolName"] for row in window.pool_list.model.rows]


@pytest.fixture
def serve(tmp_path):
    with serve_processes(tmp_path / "data") as start:  # the data directory of app_ctx's Local profile
        yield start


def test_the_joined_serve_stopping_is_said_once_and_retry_works_on_the_apps_own_service(
        main_window, serve, wait_until):
    window = main_window
    process = serve()
    process.client("cognito-identity").create_identity_pool(IdentityPoolName="kept",
                                                            AllowUnauthenticatedIdentities=True)
    window.start()
    wait_until(lambda: _pool_names(window) == ["kept"], 30, "the pools of the joined serve")
    assert "joined the running cognito-desk serve" in window.status.endpoint_label.text()

    process.stop(signal.SIGKILL)
    window.pools_changed()  # any action: it cannot reach the serve any more
    wait_until(lambda: window.connection_notice.isVisibleTo(window), 30, "the notice that the serve stopped")
    notice = window.connection_notice.text.text()
    assert f"The cognito-desk serve on port {process.url.rsplit(':', 1)[1]} stopped" in notice
    assert "this app now serves" in notice and "Retry" in notice
    assert "embedded service on port" in window.status.endpoint_label.text()
    assert window.connection.local_owned and window.connection.endpoint_url != process.url
    wait_until(lambda: "account 000000000000" in window.status.account_label.text(), 30,
               "the status bar's account, checked on the new service")

    wait_until(lambda: window.pool_list.errors.isVisibleTo(window) or _pool_names(window) == ["kept"], 30,
               "the failed listing to settle")
    if window.pool_list.errors.isVisibleTo(window):
        window.pool_list.errors.retry_button.click()
    wait_until(lambda: _pool_names(window) == ["kept"], 30, "the pools again, served by the app itself")
    assert not window.pool_list.errors.isVisibleTo(window)

    window.connection_notice.dismiss_button.click()
    window.refresh_action.trigger()  # F5 on a healthy connection: nothing more is said
    wait_until(lambda: not window.pool_list.model.loading and _pool_names(window) == ["kept"], 30, "the reload")
    assert not window.connection_notice.isVisibleTo(window)


def test_f5_joins_a_new_serve_that_took_the_data_directory(main_window, serve, wait_until):
    window = main_window
    first = serve()
    window.start()
    wait_until(lambda: window.connection is not None and window.pool_list.model.complete, 30, "the connection")
    first.stop(signal.SIGKILL)
    second = serve()
    second.client("cognito-identity").create_identity_pool(IdentityPoolName="on the second serve",
                                                           AllowUnauthenticatedIdentities=True)
    window.refresh_action.trigger()
    wait_until(lambda: _pool_names(window) == ["on the second serve"], 30, "the pools of the new serve")
    assert "joined the cognito-desk serve now running on port" in window.connection_notice.text.text()
    assert window.connection.endpoint_url == second.url and not window.connection.local_owned
    assert "joined the running cognito-desk serve" in window.status.endpoint_label.text()


def test_the_apps_own_service_failing_is_reported_and_restarted(connected_window, app_ctx, wait_until):
    window = connected_window
    old_url = window.connection.endpoint_url
    (thread,) = app_ctx.local._threads.values()
    thread.stop()  # the service ends under the app (as a crash of its thread would)
    assert not thread.running

    window.pools_changed()

    wait_until(lambda: window.connection_notice.isVisibleTo(window), 30, "the notice that the embedded service stopped")
    assert "This app's embedded service on port" in window.connection_notice.text.text()
    assert "this app now serves" in window.connection_notice.text.text()
    assert window.connection.endpoint_url != old_url and window.connection.local_owned
    wait_until(lambda: window.pool_list.errors.isVisibleTo(window) or window.pool_list.model.complete, 30,
               "the listing")
    if window.pool_list.errors.isVisibleTo(window):
        window.pool_list.errors.retry_button.click()
    wait_until(lambda: window.pool_list.model.complete and not window.pool_list.errors.isVisibleTo(window), 30,
               "the pool list from the restarted service")
