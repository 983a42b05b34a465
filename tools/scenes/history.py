"""Run history: a QA team's recent runs of the "QA mobile app" pool (tester and nightly scenario runs, one refused
by a changed rule) with one run's report open, two runs of the same persona compared side by side, and Save as
scenario asking where the recorded login's values come from."""

from __future__ import annotations

import time


def _records(pool_id: str):
    from cognito_desk.scenarios.record import RunRecord

    account = "arn:aws:iam::000000000000:role/"
    settings = {"connection": "local", "name": "corp-oidc", "kind": "oidc", "issuer": "https://idp.corp.example",
                "client_id": "qa-mobile"}
    now = time.time()

    def run(minutes_ago: float, persona: str, role: str, identity: str, login_ms: float, **values) -> RunRecord:
        base = {"identity_id": f"us-east-1:{identity}", "returning": True, "assumed_role": account + role,
                "expected_role": account + role, "credentials_expire_at": now - minutes_ago * 60 + 3600,
                "duration_ms": login_ms + 180, "step_durations": {
                    "Provider login": login_ms, "Token verification": 12.0, "GetId": 9.0,
                    "GetCredentialsForIdentity": 31.0, "STS GetCallerIdentity": 6.0},
                "claims": {"email": f"{persona}@corp.example", "department": "qa" if persona != "bob" else "eng",
                           "groups": ["qa"], "iss": "https://idp.corp.example", "aud": "qa-mobile"},
                "provider_settings": settings}
        return RunRecord(now - minutes_ago * 60, "local", pool_id, "corp-oidc", "oidc", "idp.corp.example", persona,
                         **{**base, **values})

    return [
        run(300, "alice", "QaTesters", "5b1e0c2a-7d7e-4f44-9a61-0c1f0e3c1a11", 840, returning=False,
            browser_steps=[{"action": "fill", "selector": "#username", "field": "username"},
                           {"action": "fill", "selector": "#password", "field": "password", "secret": True},
                           {"action": "click", "selector": "#kc-login", "field": "Sign In"},
                           {"action": "click", "selector": "button[name='accept']", "field": "Yes"}]),
        run(240, "bob", "Engineers", "9f3c4d10-2222-4b7a-8c55-1b2c3d4e5f60", 910, source="bob is an engineer"),
        run(120, "alice", "QaTesters", "5b1e0c2a-7d7e-4f44-9a61-0c1f0e3c1a11", 620, source="alice gets qa"),
        run(60, "carol", "", "", 700, outcome="AccessDeniedException", error_code="AccessDeniedException",
            assumed_role="", credentials_expire_at=None, failed_step="GetCredentialsForIdentity",
            error_message="No role matched and the pool has no authenticated role.",
            explanation={"title": "Cognito found no role for this login", "cause": "No rule matched department=sales.",
                         "fix": "Add a rule or set the pool's authenticated role."},
            expectation_failures=["outcome: expected success, the run failed at step “GetCredentialsForIdentity”"]),
        run(15, "alice", "QaAuthenticated", "5b1e0c2a-7d7e-4f44-9a61-0c1f0e3c1a11", 1710, source="alice gets qa",
            expected_role=account + "QaAuthenticated", claims={"email": "alice@corp.example", "groups": ["qa"],
                                                                 "iss": "https://idp.corp.example", "aud": "qa-mobile"},
            expectation_failures=[f"role_arn: expected role {account}QaTesters, actual role "
                                  f"{account}QaAuthenticated."]),
    ]


async def _history(studio):
    from cognito_desk.scenarios.history import HistoryStore
    from cognito_desk.ui.history import HistoryPage

    page = next(studio.window.tabs.widget(i) for i in range(studio.window.tabs.count())
                if isinstance(studio.window.tabs.widget(i), HistoryPage))
    if not page.runs.records:
        store = HistoryStore(page.path)
        for record in _records(studio.pools["QA mobile app"]):
            store.add(record)
        store.close()
    await studio.select_pool("QA mobile app")
    studio.window.tabs.setCurrentWidget(page)
    page.reload()
    await studio.wait_until(lambda: page.runs.rowCount() == 5, what="the recorded runs")
    await studio.settle()
    return page


def _select(page, *rows: int) -> None:
    from PySide6.QtCore import QItemSelectionModel

    selection = page.table.selectionModel()
    selection.clearSelection()
    for row in rows:
        selection.select(page.runs.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)


async def history(studio):
    page = await _history(studio)
    _select(page, 1)
    await studio.settle()
    return studio.window


async def history_compare(studio):
    page = await _history(studio)
    page.only_differences.setChecked(True)
    studio.cleanup.append(lambda: page.only_differences.setChecked(False))
    _select(page, 0, 2)
    await studio.settle()
    return studio.window


async def history_save_scenario(studio):
    """Save as scenario on a tester run whose login the embedded browser recorded: the references asked for."""
    page = await _history(studio)
    _select(page, 4)  # alice's first run, in the Tester
    dialog = page.save_selected_as_scenario()
    studio.cleanup.append(dialog.reject)
    await studio.settle()
    return dialog


SCENES = [("history", history), ("history-compare", history_compare),
          ("history-save-scenario", history_save_scenario)]
