"""The Identities tab against the real embedded service: lazy paging over 500 identities, find, details,
delete many in batches of 60 (checked with boto3), stop, hide disabled, developer unlink and merge, the item
model's contract and accessible names."""

from __future__ import annotations

import asyncio

import boto3
import pytest
from botocore.config import Config
from PySide6.QtWidgets import QMessageBox

from cognito_desk.service.server import admin_credentials
from cognito_desk.ui.identities import IdentitiesPage

DEVELOPER = "login.qa.example"


@pytest.fixture
def page(connected_window) -> IdentitiesPage:
    window = connected_window
    window.show()
    found = [window.tabs.widget(i) for i in range(window.tabs.count())
             if isinstance(window.tabs.widget(i), IdentitiesPage)]
    assert len(found) == 1
    window.tabs.setCurrentWidget(found[0])
    return found[0]


@pytest.fixture
def local_quotas(tmp_path) -> str:
    """AWS's request quotas but for GetId: the tests seed up to 500 identities, not what is tested here."""
    path = tmp_path / "quotas.toml"
    path.write_text('[operations]\nGetId = "off"\n')
    return str(path)


@pytest.fixture
def cognito(connected_window, tmp_path):
    """boto3 on the window's Local service, as an independent client."""
    key, secret, _ = admin_credentials(tmp_path / "data")
    return boto3.client("cognito-identity", endpoint_url=connected_window.connection.endpoint_url,
                        region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"mode": "standard", "max_attempts": 1}))


def _pool(cognito, window, wait_until, name="identities", **kwargs) -> str:
    pool_id = cognito.create_identity_pool(IdentityPoolName=name, AllowUnauthenticatedIdentities=True,
                                           **kwargs)["IdentityPoolId"]
    window.pools_changed(select=pool_id)
    wait_until(lambda: window.current_pool() is not None and window.current_pool().pool_id == pool_id, 30,
               f"pool {name} selected")
    return pool_id


def _guests(cognito, pool_id, count) -> list[str]:
    return [cognito.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(count)]


def _listed(cognito, pool_id, hide_disabled=False) -> set[str]:
    ids, token = set(), None
    while True:
        answer = cognito.list_identities(IdentityPoolId=pool_id, MaxResults=60, HideDisabled=hide_disabled,
                                         **({"NextToken": token} if token else {}))
        ids |= {i["IdentityId"] for i in answer["Identities"]}
        token = answer.get("NextToken")
        if not token:
            return ids


def _settled(page, wait_until, rows=None, what="the page"):
    wait_until(lambda: page.model is not None and not page.model.loading
               and (rows is None or len(page.model.rows) == rows), 30, what)


def _relist(page, wait_until):
    page.refresh()
    _settled(page, wait_until)


def _guest_pool(window, page, cognito, wait_until, count) -> tuple[str, list[str]]:
    """A new pool with ``count`` guest identities, listed to the last page."""
    pool_id = _pool(cognito, window, wait_until)
    ids = _guests(cognito, pool_id, count)
    _relist(page, wait_until)
    while not page.model.complete:
        page.view.scrollToBottom()
        _settled(page, wait_until)
    assert len(page.model.rows) == count
    return pool_id, ids


def _accept(box: QMessageBox) -> None:
    [accept] = [b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole]
    accept.click()


def test_500_identities_page_in_as_the_view_scrolls_never_all_at_once(connected_window, page, cognito, run,
                                                                       wait_until, qtmodeltester):
    window = connected_window
    pool_id = _pool(cognito, window, wait_until)
    ids = _guests(cognito, pool_id, 500)
    _relist(page, wait_until)
    model = page.model
    assert len(model.rows) == 60 and model.canFetchMore() and "scroll for more" in page.count_label.text()
    wait_until(lambda: not page.ctx.runner.running and not model.loading, 30, "every screen idle")
    assert len(model.rows) == 60  # nothing more arrives until the view is scrolled
    pages = []
    model.page_loaded.connect(pages.append)
    while not model.complete:
        before = len(model.rows)
        page.view.scrollToBottom()
        wait_until(lambda before=before: len(model.rows) > before and not model.loading, 30, "the next page")
        assert len(model.rows) - before <= 60
    assert pages == [60] * 7 + [20]
    assert [row["IdentityId"] for row in model.rows] == ids
    assert page.count_label.text() == "500 identities"
    assert model.data(model.index(0, 1)) == "none" and model.data(model.index(0, 4)) == "not reported"
    assert model.data(model.index(0, 2)).endswith("UTC")
    qtmodeltester.check(model)


def test_find_by_identity_id_checks_the_id_and_shows_the_details(connected_window, page, cognito, run, wait_until):
    window = connected_window
    pool_id = _pool(cognito, window, wait_until)
    ids = _guests(cognito, pool_id, 3)
    _relist(page, wait_until)
    page.find_field.setText("not-an-id")
    page.find_button.click()
    assert not page.find_problem.isHidden() and page.find_problem.text() == (
        "Not in the form the API expects: letters, digits and the characters _ -, then “:”, then 0 to 9, a to f and "
        "the characters -.")  # in words, not the API's regular expression
    page.find_field.setText(ids[1])
    page.find_button.click()
    assert page.find_problem.isHidden()
    assert page.selected_ids() == [ids[1]]  # loaded already: selected in the table
    wait_until(lambda: page.details.details is not None, 15, "the details")
    assert page.details.identity_id.text() == ids[1] and "guest" in page.details.logins.text()
    assert page.details.created.text().endswith("UTC")
    assert not page.details.developer_group.isEnabled()
    missing = "us-east-1:00000000-0000-4000-8000-000000000000"
    page.find_field.setText(missing)
    page.find_field.returnPressed.emit()
    wait_until(lambda: not page.details.errors.isHidden(), 15, "the details error")
    assert "ResourceNotFoundException" in page.details.errors.raw.toPlainText()
    assert missing in page.details.errors.raw.toPlainText()
    assert page.details.stack.currentWidget() is page.details.placeholder


def test_delete_many_goes_in_batches_of_60_and_keeps_the_rest(connected_window, page, cognito, run, wait_until,
                                                               qtmodeltester):
    window = connected_window
    pool_id, ids = _guest_pool(window, page, cognito, wait_until, 150)
    calls = []
    real = window.connection.identity.delete_identities

    async def counted(*, identity_ids_to_delete):
        calls.append(len(identity_ids_to_delete))
        return await real(identity_ids_to_delete=identity_ids_to_delete)
    window.connection.identity.delete_identities = counted
    page.view.selectAll()
    page.view.selectionModel().select(page.model.index(149, 0), page.view.selectionModel().SelectionFlag.Deselect
                                      | page.view.selectionModel().SelectionFlag.Rows)
    for row in range(130, 149):
        page.view.selectionModel().select(page.model.index(row, 0), page.view.selectionModel().SelectionFlag.Deselect
                                          | page.view.selectionModel().SelectionFlag.Rows)
    assert page.delete_button.text() == "Delete 130…"
    page.delete_button.click()
    box = page.confirmation
    assert box.text().startswith("Delete 130 identities?") and "3 DeleteIdentities calls" in box.text()
    _accept(box)
    wait_until(lambda: page._deleting is None and not page.outcome.isHidden(), 30, "the deletion")
    assert calls == [60, 60, 10]
    assert page.outcome.text() == "Deleted 130 identities."
    assert page.deletion_bar.isHidden() and page.errors.isHidden()
    assert [row["IdentityId"] for row in page.model.rows] == ids[130:]
    assert _listed(cognito, pool_id) == set(ids[130:])
    qtmodeltester.check(page.model)


def test_cancelled_confirmation_deletes_nothing_and_stop_ends_after_a_batch(connected_window, page, cognito, run,
                                                                           wait_until):
    window = connected_window
    pool_id, ids = _guest_pool(window, page, cognito, wait_until, 70)
    page.view.selectAll()
    page.delete_button.click()
    page.confirmation.reject()
    wait_until(lambda: not page.ctx.runner.running, 30, "every screen idle after the refusal")
    assert page._deleting is None and _listed(cognito, pool_id) == set(ids)
    real = window.connection.identity.delete_identities

    async def then_stop(**kwargs):
        answer = await real(**kwargs)
        page.deletion_bar.stop_button.click()
        return answer
    window.connection.identity.delete_identities = then_stop
    page.delete_button.click()
    _accept(page.confirmation)
    wait_until(lambda: page._deleting is None and not page.outcome.isHidden(), 30, "the stopped deletion")
    assert page.outcome.text() == "Deleted 60 identities; stopped before the other 10."
    assert _listed(cognito, pool_id) == set(ids[60:]) and [r["IdentityId"] for r in page.model.rows] == ids[60:]


def _developer(cognito, pool_id, user, *merged) -> str:
    identity_id = cognito.get_open_id_token_for_developer_identity(
        IdentityPoolId=pool_id, Logins={DEVELOPER: user})["IdentityId"]
    for other in merged:
        cognito.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEVELOPER: other})
        cognito.merge_developer_identities(SourceUserIdentifier=other, DestinationUserIdentifier=user,
                                           DeveloperProviderName=DEVELOPER, IdentityPoolId=pool_id)
    return identity_id


def test_hide_disabled_maps_to_the_api_and_is_remembered(connected_window, page, cognito, app_ctx, wait_until):
    window = connected_window
    pool_id = _pool(cognito, window, wait_until, DeveloperProviderName=DEVELOPER)
    alice = _developer(cognito, pool_id, "alice", "bob")  # bob's identity is disabled by the merge
    _relist(page, wait_until)
    assert len(page.model.rows) == 2 and page.model.data(page.model.index(0, 4)) == "not reported"
    page.hide_disabled.setChecked(True)
    _settled(page, wait_until)
    assert [row["IdentityId"] for row in page.model.rows] == [alice]
    assert page.model.data(page.model.index(0, 4)) == "No"
    assert str(app_ctx.prefs.value("identities/hideDisabled")).lower() == "true"
    page.hide_disabled.setChecked(False)
    _settled(page, wait_until, rows=2)


def test_developer_unlink_and_merge(connected_window, page, cognito, wait_until, assert_accessible):
    window = connected_window
    pool_id = _pool(cognito, window, wait_until, DeveloperProviderName=DEVELOPER)
    alice = _developer(cognito, pool_id, "alice", "alice-2")
    _developer(cognito, pool_id, "carol")
    _relist(page, wait_until)
    page.find_field.setText(alice)
    page.find()
    details = page.details
    wait_until(lambda: details.details is not None and details.developer_provider == DEVELOPER, 15, "alice")
    assert [details.users.item(i).text() for i in range(details.users.count())] == ["alice", "alice-2"]
    assert details.developer_group.isEnabled()
    assert_accessible(page)

    details.users.setCurrentRow(1)
    details.unlink_button.click()
    assert "alice-2" in details.confirmation.text()
    _accept(details.confirmation)
    wait_until(lambda: details.details is not None and details.details.developer_users == ("alice",), 15,
               "the unlinked details")
    assert cognito.lookup_developer_identity(IdentityPoolId=pool_id, IdentityId=alice)[
        "DeveloperUserIdentifierList"] == ["alice"]
    assert "Unlinked developer user “alice-2”" in page.outcome.text()

    details.merge_button.click()  # no source yet: refused before anything is sent
    assert details.problem.text().startswith("Developer user to merge: ") and details.confirmation is None
    details.merge_source.setText("alice")
    details.merge_button.click()
    assert details.problem.text() == ("Developer user to merge: The source and the destination are the same "
                                      "developer user.")
    details.merge_source.setText("nobody")
    details.merge_button.click()
    _accept(details.confirmation)
    wait_until(lambda: not details.errors.isHidden(), 15, "the merge failure")
    assert "Developer user identifier 'nobody' not found." in details.errors.raw.toPlainText()
    details.merge_source.setText("carol")
    details.merge_button.click()
    _accept(details.confirmation)
    wait_until(lambda: details.details is not None and details.details.developer_users == ("alice", "carol"), 15,
               "the merged details")
    assert cognito.lookup_developer_identity(IdentityPoolId=pool_id, DeveloperUserIdentifier="carol")[
        "IdentityId"] == alice


def test_switching_pools_mid_page_never_mixes_their_identities(connected_window, page, cognito, run, wait_until):
    window = connected_window
    first = _pool(cognito, window, wait_until, "first")
    first_ids = _guests(cognito, first, 5)
    second = _pool(cognito, window, wait_until, "second")
    second_ids = _guests(cognito, second, 3)
    for _ in range(3):  # select each pool while the other's page is still on its way
        window.pool_list.select_pool(first)
        window.pool_list.select_pool(second)
    wait_until(lambda: not page.ctx.runner.running and not page.model.loading
               and [row["IdentityId"] for row in page.model.rows] == second_ids, 30, "the second pool's identities")
    window.pool_list.select_pool(first)
    _settled(page, wait_until, rows=5)
    assert [row["IdentityId"] for row in page.model.rows] == first_ids


def test_an_empty_pool_says_so_and_every_control_is_named(connected_window, page, cognito, wait_until,
                                                          assert_accessible):
    _pool(cognito, connected_window, wait_until, "empty")
    _settled(page, wait_until)
    wait_until(lambda: page.empty.isVisibleTo(page), 15, "the empty state")
    assert "No identities in this pool yet" in page.empty.text()
    assert not page.delete_button.isEnabled()
    assert_accessible(page)


def test_a_failed_batch_is_explained_and_the_deleted_rows_still_leave(connected_window, page, cognito, wait_until):
    window = connected_window
    pool_id, ids = _guest_pool(window, page, cognito, wait_until, 70)
    real = window.connection.identity.delete_identities
    calls = []

    async def second_batch_refused(*, identity_ids_to_delete):
        calls.append(identity_ids_to_delete)
        if len(calls) == 2:  # the service refuses a malformed ID: the whole call fails
            identity_ids_to_delete = [*identity_ids_to_delete, "not an identity id"]
        return await real(identity_ids_to_delete=identity_ids_to_delete)
    window.connection.identity.delete_identities = second_batch_refused
    page.view.selectAll()
    page.delete_button.click()
    _accept(page.confirmation)
    wait_until(lambda: page._deleting is None and not page.errors.isHidden(), 30, "the failure")
    assert "ValidationException" in page.errors.raw.toPlainText()
    assert page.outcome.text() == "Deleted 60 identities; stopped before the other 10."
    assert [row["IdentityId"] for row in page.model.rows] == ids[60:]
    assert _listed(cognito, pool_id) == set(ids[60:])


def test_cancelling_mid_call_says_the_batch_in_flight_is_unknown(connected_window, page, cognito, wait_until):
    window = connected_window
    pool_id, ids = _guest_pool(window, page, cognito, wait_until, 70)
    real = window.connection.identity.delete_identities
    stuck = asyncio.Event()

    async def second_batch_hangs(*, identity_ids_to_delete):
        if len(identity_ids_to_delete) < 60:
            stuck.set()
            await asyncio.sleep(3600)
        return await real(identity_ids_to_delete=identity_ids_to_delete)
    window.connection.identity.delete_identities = second_batch_hangs
    page.view.selectAll()
    page.delete_button.click()
    _accept(page.confirmation)
    wait_until(stuck.is_set, 30, "the second batch")
    assert "Deleting 70 identities" in window.status.activity_label.toolTip()
    window.status.cancel_button.click()
    wait_until(lambda: page._deleting is None, 10, "the cancel")
    assert page.outcome.text().startswith("Deleted 60 identities; stopped before the other 10. The call in flight "
                                          "was cancelled")
    assert page.errors.isHidden() and page.deletion_bar.isHidden()
    assert _listed(cognito, pool_id) == set(ids[60:])
