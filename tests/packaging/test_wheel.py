"""The wheel carries the top-level resources/ (icons, desktop files), and an installed wheel finds them."""

from __future__ import annotations

import subprocess
import sys
import venv
import zipfile
from pathlib import Path

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
