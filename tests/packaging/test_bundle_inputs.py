"""What the bundle build depends on: the spec leaves out no Qt module the app imports, the build is redone
exactly when an input changes, and the bundle self-test's "nothing written in the install folder" check."""

from __future__ import annotations

import ast
import os
import re
import subprocess

import bundle as bundles
import bundle_selftest
import pytest

ROOT = bundles.ROOT


def spec_list(name: str) -> list[str]:
    tree = ast.parse(bundles.SPEC.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned in the spec")


def test_no_qt_module_the_app_imports_is_left_out_of_the_bundle() -> None:
    imported = set()
    for path in (ROOT / "cognito_desk").rglob("*.py"):
        imported |= set(re.findall(r"\bPySide6\.(Qt\w+)", path.read_text()))
    left_out = set(spec_list("UNUSED_QT")) | {name.split(".", 1)[1] for name in spec_list("UNUSED_PYTHON")
                                              if name.startswith("PySide6.")}
    assert imported and not imported & left_out, f"the app imports {sorted(imported & left_out)}"
    assert {"QtWebEngineCore", "QtWidgets"} <= imported


def test_the_inputs_digest_follows_the_source(tmp_path, monkeypatch) -> None:
    tree = tmp_path / "tree"
    for name in (*bundles.INPUT_TREES, "packaging"):
        (tree / name).mkdir(parents=True, exist_ok=True)
    for name in bundles.INPUT_FILES:
        (tree / name).write_text(name)
    (tree / "cognito_desk" / "app.py").write_text("print(1)\n")
    (tree / "cognito_desk" / "__pycache__").mkdir()
    monkeypatch.setattr(bundles, "ROOT", tree)
    first = bundles.inputs_digest()
    (tree / "cognito_desk" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"compiled")
    assert bundles.inputs_digest() == first  # caches are not inputs
    (tree / "packaging" / "debian.py").write_text("# the .deb step does not change the bundle\n")
    assert bundles.inputs_digest() == first
    (tree / "cognito_desk" / "app.py").write_text("print(2)\n")
    assert bundles.inputs_digest() != first


def test_changes_in_the_install_folder_are_listed(tmp_path) -> None:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "a.so").write_bytes(b"a")
    before = bundle_selftest.snapshot(tmp_path)
    assert bundle_selftest.changes(before, bundle_selftest.snapshot(tmp_path)) == []
    (tmp_path / "settings.json").write_text("{}")
    (tmp_path / "lib" / "a.so").write_bytes(b"changed")
    os.utime(tmp_path / "lib" / "a.so", ns=(1, 1))
    changed = bundle_selftest.changes(before, bundle_selftest.snapshot(tmp_path))
    assert "added settings.json" in changed and "modified lib/a.so" in changed


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX users")
def test_the_self_test_user_is_never_root() -> None:
    user = bundle_selftest.unprivileged_user()
    assert user.pw_uid != 0
    assert os.path.isdir(user.pw_dir)


def test_only_a_sandbox_failure_leads_to_a_retry_without_it() -> None:
    def outcome(stdout: str, stderr: str = "") -> subprocess.CompletedProcess:
        return subprocess.CompletedProcess(["cognito-desk", "--self-test"], 1, stdout, stderr)

    crashed = "FAIL web engine: Qt 6, Chromium 140: render process ended (AbnormalTerminationStatus, exit code 1)\n"
    assert bundle_selftest._sandbox_unavailable(outcome(crashed))
    assert bundle_selftest._sandbox_unavailable(outcome("PASS modules: all 1 import\n",
                                                        "FATAL: No usable sandbox! ...\n"))
    wrong_title = "FAIL web engine: Qt 6, Chromium 140: page title 'x', expected 'y'\n"
    assert not bundle_selftest._sandbox_unavailable(outcome(wrong_title))
    assert not bundle_selftest._sandbox_unavailable(outcome("FAIL guest sign-in: ConnectionFailed\n"
                                                            "PASS web engine: ok\n"))
