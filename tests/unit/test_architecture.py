"""The import contracts (Qt only under cognito_desk/ui; the package's layers, flows and admin independent; the
embedded service reached only through backend and the command line) are checked, and the check really catches a
violation of each."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root,
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(root), "PATH": ""})


def contract(prefix: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith(prefix))


def top_level_modules() -> set[str]:
    here = ROOT / "cognito_desk"
    modules = {f"cognito_desk.{p.stem}" for p in here.glob("*.py") if p.stem != "__init__"}
    return modules | {f"cognito_desk.{p.name}" for p in here.iterdir() if (p / "__init__.py").exists()}


def test_the_tree_keeps_its_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> subprocess.CompletedProcess:
    """A copy of the tree with one breach of every contract planted, linted once."""
    root = tmp_path_factory.mktemp("planted")
    shutil.copytree(ROOT / "cognito_desk", root / "cognito_desk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    plants = {
        "core/leak.py": "import PySide6",                              # Qt outside ui
        "core/upward.py": "from ..service import store",               # core reaching up
        "flows/sideways.py": "from ..admin import preview",            # flows and admin are independent
        "admin/sideways.py": "from ..flows import run",
        "scenarios/into_service.py": "from ..service import store",    # the service only through backend
        "aws/upward.py": "from ..backend import connection",           # a lower layer importing a higher one
    }
    for path, line in plants.items():
        (root / "cognito_desk" / path).write_text(f'"""Planted."""\n{line}\n')
    (root / "cognito_desk" / "orphan").mkdir()
    (root / "cognito_desk" / "orphan" / "__init__.py").write_text('"""A package the layers do not place."""\n')
    return lint_imports(root)


@pytest.mark.parametrize("breach", [
    "cognito_desk.core.leak -> PySide6",
    "cognito_desk.core.upward -> cognito_desk.service",
    "cognito_desk.flows.sideways -> cognito_desk.admin.preview",
    "cognito_desk.admin.sideways -> cognito_desk.flows.run",
    "cognito_desk.scenarios.into_service -> cognito_desk.service",
    "cognito_desk.aws.upward -> cognito_desk.backend.connection",
])
def test_each_planted_breach_is_caught(planted, breach):
    assert planted.returncode != 0
    assert breach in planted.stdout, planted.stdout


def test_a_package_the_layers_do_not_place_is_caught(planted):
    assert "cognito_desk.orphan" in planted.stdout, planted.stdout


def test_every_package_but_ui_is_held_to_the_qt_contract():
    """A new top-level package cannot escape the contract by not being listed in it."""
    listed = set(contract("Qt stays")["source_modules"])
    assert top_level_modules() - {"cognito_desk.__main__"} - listed == {"cognito_desk.ui"}


def test_only_backend_and_the_command_line_may_import_the_service():
    listed = set(contract("Only backend")["source_modules"])
    allowed = {"cognito_desk.service", "cognito_desk.backend", "cognito_desk.cli", "cognito_desk.__main__"}
    assert top_level_modules() - allowed == listed
