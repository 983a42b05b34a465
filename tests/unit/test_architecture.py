"""The import contract (Qt only under cognito_desk/ui, a core that depends on nothing above it) is checked, and
the check really catches a violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")], cwd=root,
                          capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(root), "PATH": ""})


def test_the_tree_keeps_its_contracts():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_qt_outside_ui_and_core_reaching_up_are_caught(tmp_path):
    shutil.copytree(ROOT / "cognito_desk", tmp_path / "cognito_desk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "cognito_desk" / "core" / "leak.py").write_text('"""Planted."""\nimport PySide6\n')
    (tmp_path / "cognito_desk" / "core" / "upward.py").write_text('"""Planted."""\nfrom ..service import store\n')
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "cognito_desk.core.leak -> PySide6" in result.stdout
    assert "cognito_desk.core.upward -> cognito_desk.service" in result.stdout


def test_every_package_but_ui_is_held_to_the_qt_contract():
    """A new top-level package cannot escape the contract by not being listed in it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["name"].startswith("Qt stays"))
    listed = set(contract["source_modules"])
    here = ROOT / "cognito_desk"
    modules = {f"cognito_desk.{p.stem}" for p in here.glob("*.py") if p.stem not in ("__init__", "__main__")}
    modules |= {f"cognito_desk.{p.name}" for p in here.iterdir() if (p / "__init__.py").exists()}
    assert modules - listed == {"cognito_desk.ui"}
