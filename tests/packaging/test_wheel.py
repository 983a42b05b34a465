"""The wheel carries the top-level resources/ (icons, desktop files), and an installed wheel finds them."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_an_installed_wheel_finds_its_icons(tmp_path):
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
                            str(ROOT)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("cognito_desk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    icons = {Path(n).name for n in names if "/share/cognito-desk/resources/icons/" in n}
    assert {p.name for p in (ROOT / "resources" / "icons").glob("*.svg")} == icons
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    installed = subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                               capture_output=True, text=True, timeout=300)
    assert installed.returncode == 0, installed.stderr
    found = subprocess.run([str(python), "-c", "from cognito_desk.assets import resources_dir; print(resources_dir())"],
                           capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()) == target / "share" / "cognito-desk" / "resources"


def _dev_module():
    spec = importlib.util.spec_from_file_location("dev", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_editable_install_of_dev_py_is_quiet_but_not_deaf(tmp_path):
    """``dev.py app`` installs with ``pip install -e``: no setuptools notice block, yet a real failure still shows."""
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = str(target / "bin" / "python")
    upgraded = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--upgrade", "pip"],
                              capture_output=True, text=True, timeout=300)
    assert upgraded.returncode == 0, upgraded.stderr
    environment = _dev_module().pip_environment()
    command = [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "-e"]
    installed = subprocess.run([*command, str(ROOT)], capture_output=True, text=True, timeout=300, env=environment)
    assert installed.returncode == 0, installed.stderr
    assert "BuildBackendWarning" not in installed.stdout + installed.stderr
    assert "Editable installation" not in installed.stdout + installed.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "pyproject.toml").write_text('[project]\nname = "broken"\nversion = "not a version"\n')
    failed = subprocess.run([*command, str(broken)], capture_output=True, text=True, timeout=300, env=environment)
    assert failed.returncode != 0 and "not a version" in failed.stdout + failed.stderr
