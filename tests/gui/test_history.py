"""The History tab offscreen: filters, open, compare with differences highlighted, export (the HTML report opened
in a real QWebEngineView shows every run), Save as scenario, and tester runs recorded and re-run on the real
embedded service — with no credential in the history file."""

from __future__ import annotations

import gc
import json
import time
from dataclasses import replace

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from cognito_desk.flows.clients import ProviderKind
from cognito_desk.scenarios.history import HistoryStore, history_path
from cognito_desk.scenarios.model import parse_scenario
from cognito_desk.scenarios.record import RunRecord
from cognito_desk.ui.history import HistoryPage
from cognito_desk.ui.history.model import RunsModel

# QtWebEngine offscreen without a GPU says so on first use (the report is rendered in software).
pytestmark = pytest.mark.qt_log_ignore("QRhiGles2: Failed to create", "Failed to create RHI for backend",
                                       "GPUInfo not initialized")
QA = "arn:aws:iam::000000000000:role/qa"
AUTH = "arn:aws:iam::000000000000:role/auth"
SETTINGS = {"connection": "local", "name": "corp", "kind": "oidc", "issuer": "http://127.0.0.1:4000",
            "client_id": "qa-desk"}


def sample(**values) -> RunRecord:
    base = RunRecord(time.time() - 600, "local", "us-east-1:aaaa", "corp", "oidc", "127.0.0.1:4000", "alice",
                     identity_id="us-east-1:id-1", returning=False, assumed_role=QA, expected_role=QA,
                     credentials_expire_at=time.time() + 3000, duration_ms=900.0,
                     step_durations={"Provider login": 500.0, "GetId": 15.0},
                     claims={"email": "alice@example.com", "department": "qa"}, provider_settings=SETTINGS)
    return replace(base, **values)


@pytest.fixture(autouse=True)
def collect_on_the_gui_thread():
    """Collect each test's garbage here: a previous test's qasync loop (its _SimpleTimer QObjects) left in reference
    cycles would otherwise be collected by whichever thread allocates next — a runner worker — and Qt warns
    "Timers cannot be stopped from another thread"."""
    yield
    gc.collect()


def history_page(window) -> HistoryPage:
    found = [window.tabs.widget(i) for i in range(window.tabs.count())
             if isinstance(window.tabs.widget(i), HistoryPage)]
    assert len(found) == 1
    return found[0]


def select(page: HistoryPage, *rows: int) -> None:
    selection = page.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(page.runs.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)


@pytest.fixture
def filled(main_window, app_ctx, wait_until):
    store = HistoryStore(history_path(app_ctx.settings_file.path.parent))
    store.add(sample())
    store.add(sample(started_at=time.time() - 300, assumed_role=AUTH, identity_id="us-east-1:id-2",
                     step_durations={"Provider login": 1500.0, "GetId": 14.0}, claims={"email": "alice@example.com"}))
    store.add(sample(started_at=time.time() - 100, persona="bob", outcome="NotAuthorizedException",
                     error_code="NotAuthorizedException", failed_step="GetId", identity_id="", assumed_role="",
                     error_message="Token is not from a supported provider", pool_id="us-east-1:bbbb"))
    store.close()
    page = history_page(main_window)
    page.reload()
    wait_until(lambda: page.runs.rowCount() == 3, 10, "three runs listed")
    return page


def test_list_filter_open_compare(filled, wait_until, qtmodeltester, assert_accessible):
    page = filled
    qtmodeltester.check(page.runs)
    assert page.runs.data(page.runs.index(0, 3)) == "bob" and page.runs.data(page.runs.index(0, 1)).startswith("FAILED")
    assert page.runs.data(page.runs.index(0, 1), Qt.ItemDataRole.ForegroundRole) is not None
    page.filters["persona"].setCurrentIndex(page.filters["persona"].findData("alice"))
    wait_until(lambda: page.runs.rowCount() == 2, 10, "alice's runs")
    page.filters["persona"].setCurrentIndex(0)
    page.filters["outcome"].setCurrentIndex(page.filters["outcome"].findData("failed"))
    wait_until(lambda: page.runs.rowCount() == 1, 10, "the failed run")
    page.filters["outcome"].setCurrentIndex(0)
    page.filters["pool_id"].setCurrentIndex(page.filters["pool_id"].findData("us-east-1:aaaa"))
    wait_until(lambda: page.runs.rowCount() == 2, 10, "one pool's runs")
    select(page, 0)
    assert page.detail.currentWidget() is page.report
    assert f"Assumed role\n{AUTH}" in page.report.toPlainText()
    assert page.rerun_button.isEnabled() and not page.compare_button.isEnabled()
    select(page, 0, 1)
    assert page.detail.currentWidget() is page.compare_view and page.compare_button.isEnabled()
    model = page.compare_model
    qtmodeltester.check(model)
    rows = {(model.data(model.index(r, 0)), model.data(model.index(r, 1))): r for r in range(model.rowCount())}
    role = rows[("Role", "Assumed role")]
    assert (model.data(model.index(role, 2)), model.data(model.index(role, 3))) == (QA, AUTH)
    assert model.data(model.index(role, 3), Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(model.index(role, 3), Qt.ItemDataRole.AccessibleTextRole).endswith("(differs)")
    same = rows[("Run", "Pool")]
    assert model.data(model.index(same, 3), Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(model.index(rows[("Durations", "Provider login")], 2), Qt.ItemDataRole.FontRole).bold()
    assert model.data(model.index(rows[("Claims", "department")], 3)) == ""
    page.window().show()
    assert_accessible(page)


def test_exports_and_save_as_scenario(filled, tmp_path, wait_until, qtbot):
    page = filled
    page.export_to(tmp_path / "all.json", "json")
    page.export_to(tmp_path / "all.html", "html")
    wait_until(lambda: (tmp_path / "all.json").exists() and (tmp_path / "all.html").exists(), 10, "the exports")
    assert [r["persona"] for r in json.loads((tmp_path / "all.json").read_text())] == ["bob", "alice", "alice"]
    select(page, 2)
    page.export_to(tmp_path / "alice.toml", "toml")
    wait_until(lambda: (tmp_path / "alice.toml").exists(), 10, "the scenario file")
    scenario = parse_scenario((tmp_path / "alice.toml").read_text())
    assert scenario.expect.role_arn == QA and scenario.provider.client_id == "qa-desk"
    assert scenario.steps[1].value == "env:PASSWORD_ALICE"

    from PySide6.QtCore import QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView

    view = QWebEngineView()
    qtbot.addWidget(view)
    loaded = []
    view.loadFinished.connect(loaded.append)
    view.load(QUrl.fromLocalFile(str(tmp_path / "all.html")))
    wait_until(lambda: loaded, 30, "the report in the embedded browser")
    assert loaded == [True]
    found = []
    view.page().runJavaScript("JSON.stringify([document.querySelectorAll('section.run').length, "
                              "document.querySelectorAll('section.fail').length, document.body.innerText])", 0,
                              found.append)
    wait_until(lambda: found, 10, "the page's content")
    sections, failures, text = json.loads(found[0])
    assert (sections, failures) == (3, 1) and "3 runs: 2 passed, 1 failed" in text and "NotAuthorizedException" in text
    view.close()


def test_tester_runs_are_recorded_and_rerun(connected_window, app_ctx, run, wait_until):
    from cognito_desk.ui.tester import TesterPage

    window = connected_window
    connection = window.connection

    async def setup():
        pool = await connection.identity.create_identity_pool(identity_pool_name="history",
                                                              allow_unauthenticated_identities=True)
        trust = json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool["IdentityPoolId"]}}}]})
        role = await connection.iam.create_role(role_name="guest-history", assume_role_policy_document=trust)
        await connection.identity.set_identity_pool_roles(identity_pool_id=pool["IdentityPoolId"],
                                                          roles={"unauthenticated": role["Role"]["Arn"]})
        return pool["IdentityPoolId"]

    pool_id = run(setup(), 30)
    # build_window wires the Tester tab and the History tab together, as in the app.
    (tester,) = [window.tabs.widget(i) for i in range(window.tabs.count())
                 if isinstance(window.tabs.widget(i), TesterPage)]
    history = history_page(window)
    window.pools_changed(select=pool_id)
    wait_until(lambda: len(tester.clients) == 1 and history.current_filter().pool_id == pool_id, 15, "guest ready")
    tester.select_provider(ProviderKind.GUEST)
    tester.run_sign_in()
    wait_until(lambda: history.runs.rowCount() == 1, 30, "the tester run recorded")
    first = history.runs.records[0]
    assert first.ok and first.provider_kind == "guest" and first.assumed_role.endswith("/guest-history")
    other = replace(first, pool_id="us-east-1:00000000-0000-0000-0000-000000000000")
    history.rerun_requested.emit(other)
    assert history.summary.text().startswith("Select pool us-east-1:00000000-")
    history.rerun_requested.emit(replace(first, provider_kind="saml", logins_key="arn:aws:iam::0:saml-provider/x"))
    assert history.summary.text() == ("Cannot re-run: the pool has no saml provider arn:aws:iam::0:saml-provider/x "
                                      "any more.")
    select(history, 0)
    history.rerun_selected()
    wait_until(lambda: history.runs.rowCount() == 2, 30, "the re-run recorded")
    assert window.tabs.currentWidget() is tester
    second = history.runs.records[0]
    assert second.ok and second.identity_id != first.identity_id  # a guest gets a new identity every time
    credentials = tester.results.result.credentials
    data = history.path.read_bytes()
    assert credentials.access_key_id.encode() not in data and b"ASIA" not in data
    assert credentials.secret_key.reveal().encode() not in data
    assert credentials.session_token.reveal()[:40].encode() not in data


def test_keyboard_enter_opens_and_delete_forgets(filled, app_ctx, qtbot, wait_until):
    page = HistoryPage(app_ctx)  # on its own: the window shows pool tabs only once a pool is selected
    qtbot.addWidget(page)
    wait_until(lambda: page.runs.rowCount() == 3, 10, "three runs listed")
    page.show()
    page.activateWindow()
    page.table.setFocus()
    wait_until(lambda: page.table.hasFocus(), 5, "the runs list focused")
    page.table.setCurrentIndex(page.runs.index(0, 0))
    page.report.clear()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert "bob" in page.report.toPlainText()
    gone = page.runs.records[0].id
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    wait_until(lambda: page.runs.rowCount() == 2, 10, "the run deleted")
    assert gone not in {r.id for r in page.runs.records}
    store = HistoryStore(page.path)
    assert len(store.list()) == 2
    store.close()
    page.close()


def test_columns_fit_their_content_on_one_line_with_ids_elided(main_window, app_ctx, wait_until, qtbot):
    identity = "us-east-1:0f3b1a7e-4c2d-4e8f-9a6b-5d7c3e2f1c41"
    pool = "us-east-1:9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"
    store = HistoryStore(history_path(app_ctx.settings_file.path.parent))
    store.add(sample(identity_id=identity, pool_id=pool))
    store.close()
    page = history_page(main_window)
    page.reload()
    wait_until(lambda: page.runs.rowCount() == 1, 10, "the run listed")
    main_window.resize(1600, 900)
    main_window.tabs.setCurrentWidget(page)
    main_window.show()
    qtbot.waitExposed(main_window)
    table, header = page.table, page.table.horizontalHeader()
    assert not table.wordWrap() and table.textElideMode() == Qt.TextElideMode.ElideMiddle
    metrics = table.fontMetrics()
    started = page.runs.data(page.runs.index(0, 0))
    assert header.sectionSize(0) >= metrics.horizontalAdvance(started)  # the date on one line, whole
    duration = RunsModel.COLUMNS.index("Duration")
    assert header.sectionSize(duration) <= table.sizeHintForColumn(duration) + 40  # not the rest of the width
    for column, value in ((4, pool), (5, identity)):
        assert header.sectionSize(column) < metrics.horizontalAdvance(value)  # elided…
        assert page.runs.data(page.runs.index(0, column), Qt.ItemDataRole.ToolTipRole) == value  # …whole here
    assert table.rowHeight(0) < 2 * metrics.lineSpacing() + 8  # one line per run
