"""Files opened with the app (``cognito-desk FILE``, the desktop's associations): an exported pool opens the
Import dialog with its preview; a scenario opens a dialog that checks and runs it on the current connection
through the same command a CI job uses."""

from __future__ import annotations

import json

import pytest
from pool_support import settle_when_idle

from cognito_desk.admin.transfer import export_pool
from cognito_desk.ui.open_files import ScenarioFileDialog, file_kind, open_paths


def test_file_kinds():
    assert file_kind("qa.cdpool") == "pool" and file_kind("/x/QA.JSON") == "pool"
    assert file_kind("login.cdscenario") == "scenario" and file_kind("a.toml") == "scenario"
    assert file_kind("notes.txt") is None


def test_an_exported_pool_opens_the_import_dialog_with_its_preview(connected_window, run, wait_until, tmp_path):
    window = connected_window
    settle = settle_when_idle(window, wait_until)
    pool = run(window.connection.identity.create_identity_pool(identity_pool_name="exported",
                                                               allow_unauthenticated_identities=True))
    path = tmp_path / "exported.cdpool"
    path.write_text(json.dumps(run(export_pool(window.connection, pool["IdentityPoolId"]))))
    (dialog,) = open_paths(window, [str(path)])
    assert dialog.path.text() == str(path)
    settle(lambda: dialog.ok_button.isEnabled(), "the import preview")
    dialog.name.setText("imported")
    dialog.name.textEdited.emit("imported")
    dialog.preview_button.click()
    settle(lambda: dialog.ok_button.isEnabled(), "the preview for the new name")
    created = []
    dialog.created.connect(created.append)
    dialog.ok_button.click()
    settle(lambda: created, "the import")  # the dialog closes itself once the pool exists
    settle(lambda: any(r["IdentityPoolName"] == "imported" for r in window.pool_list.model.rows),
           "the imported pool in the list")


@pytest.fixture
def guest_scenario(connected_window, run, tmp_path, monkeypatch, app_ctx):
    # The child process reads the same settings as the window.
    monkeypatch.setenv("COGNITO_DESK_CONFIG_DIR", str(app_ctx.settings_file.path.parent))
    pool = run(connected_window.connection.identity.create_identity_pool(identity_pool_name="guests",
                                                                         allow_unauthenticated_identities=True))
    path = tmp_path / "guest.cdscenario"
    path.write_text(f'version = 1\nname = "a guest signs in"\npool_id = "{pool["IdentityPoolId"]}"\n'
                    '[provider]\nname = "guest"\nkind = "guest"\n[expect]\noutcome = "success"\n')
    return path


def test_a_scenario_opens_checks_and_runs_on_the_current_connection(connected_window, guest_scenario, wait_until,
                                                                    assert_accessible):
    (dialog,) = open_paths(connected_window, [str(guest_scenario)])
    assert isinstance(dialog, ScenarioFileDialog)
    assert "a guest signs in" in dialog.summary.text() and "local" in dialog.summary.text()
    assert_accessible(dialog)
    dialog.check_button.click()
    assert dialog.stop_button.isEnabled() and not dialog.run_button.isEnabled()
    wait_until(lambda: dialog.exit_code is not None, 120, "scenarios check")
    output = dialog.output.toPlainText()
    assert dialog.exit_code == 0, output
    assert "--connection local" in output and "ok" in output
    dialog.close()


def test_a_scenario_from_elsewhere_shows_its_origins_and_runs_with_secrets_only_once_approved(
        connected_window, tmp_path, wait_until, assert_accessible):
    path = tmp_path / "from-a-pull-request.cdscenario"
    path.write_text('version = 1\npool_id = "us-east-1:00000000-0000-0000-0000-000000000000"\n[provider]\n'
                    'name = "corp"\nkind = "oidc"\nissuer = "http://127.0.0.1:9"\nclient_id = "c"\n'
                    'client_secret = "env:AWS_SECRET_ACCESS_KEY"\njwks_uri = "https://collector.example/jwks"\n'
                    '[[steps]]\nfill = "#u"\nvalue = "env:GITHUB_TOKEN"\n')
    (dialog,) = open_paths(connected_window, [str(path)])
    assert_accessible(dialog)
    plan = dialog.plan_view.toPlainText().splitlines()
    assert plan[:2] == ["contacts http://127.0.0.1:9 (issuer, not approved)",
                        "contacts https://collector.example (JWKS, not approved)"]
    assert any(line.startswith("resolves env:AWS_SECRET_ACCESS_KEY (client secret)") for line in plan)
    assert any(line.startswith("resolves env:GITHUB_TOKEN (step 1, fill '#u') → typed only into a page of an "
                               "approved origin") for line in plan)
    assert any(line.startswith("refused: the JWKS https://collector.example/jwks is not on the provider's origin")
               for line in plan)
    assert dialog.approve.isVisibleTo(dialog) and "http://127.0.0.1:9" in dialog.approve.text()
    assert not dialog.run_button.isEnabled() and dialog.check_button.isEnabled()
    dialog.start("run")  # even called directly: nothing starts without the approval
    assert dialog.process.state() == dialog.process.ProcessState.NotRunning and not dialog.output.toPlainText()
    dialog.approve.setChecked(True)
    assert dialog.run_button.isEnabled()
    dialog.run_button.click()
    assert "--connection local --allow-origin http://127.0.0.1:9 --allow-origin https://collector.example" in \
        dialog.output.toPlainText().splitlines()[0]
    dialog.stop()
    wait_until(lambda: dialog.exit_code is not None, 60, "the stopped run")
    dialog.close()


def test_a_broken_scenario_says_why_and_offers_nothing_to_run(connected_window, tmp_path):
    path = tmp_path / "broken.cdscenario"
    path.write_text('version = 1\n[provider]\nname = "g"\nkind = "guest"\n')
    (dialog,) = open_paths(connected_window, [str(path)])
    assert "cannot be used" in dialog.summary.text() and "pool_id" in dialog.summary.text()
    assert not dialog.check_button.isEnabled() and not dialog.run_button.isEnabled()
    dialog.close()


def test_crafted_files_get_a_one_line_refusal_in_the_dialogs(connected_window, tmp_path, wait_until):
    """Issue 15 §4: nesting past what the formats need, or past 1 MiB, is refused in plain words, nothing crashes."""
    deep_scenario = tmp_path / "deep.cdscenario"
    deep_scenario.write_text('version = 1\npool_id = "us-east-1:x"\n[provider]\nname = "g"\nkind = "guest"\n'
                             "[expect]\nclaims = " + "[" * 100_000 + "]" * 100_000 + "\n")
    big_pool = tmp_path / "big.cdpool"
    big_pool.write_text('{"pad": "' + "x" * (1 << 20) + '"}')
    deep_pool = tmp_path / "deep.cdpool"
    deep_pool.write_text("[" * 100_000 + "]" * 100_000)
    scenario_dialog, big_dialog, deep_dialog = open_paths(connected_window, [str(deep_scenario), str(big_pool),
                                                                             str(deep_pool)])
    assert scenario_dialog.summary.text() == (f"<b>This scenario cannot be used:</b> {deep_scenario} nests tables "
                                              "or arrays more than 32 levels deep")
    assert not scenario_dialog.run_button.isEnabled()
    for dialog, expected in ((big_dialog, f"{big_pool} is larger than the 1024 KiB a pool export may be"),
                             (deep_dialog, f"{deep_pool} nests tables or arrays more than 32 levels deep")):
        wait_until(lambda d=dialog: not d.errors.isHidden(), 30, "the import's error")
        assert expected in dialog.errors.body.text() + dialog.errors.raw.toPlainText()
        assert "RecursionError" not in dialog.errors.raw.toPlainText()
        assert not dialog.ok_button.isEnabled()
    for dialog in (scenario_dialog, big_dialog, deep_dialog):
        dialog.close()


def test_the_command_line_hands_such_files_to_the_desktop_app(tmp_path):
    from cognito_desk.cli import _openable

    (tmp_path / "qa.cdpool").write_text("{}")
    assert _openable(str(tmp_path / "qa.cdpool"))
    assert not _openable(str(tmp_path / "missing.cdpool"))  # not a file: argparse says what is wrong
    assert not _openable("serve")
