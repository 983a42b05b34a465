"""Issue 15 §4: crafted pool exports and scenario files — nested past what the formats need, or larger than the
documented 1 MiB — give a clean one-line error and a non-zero exit in the CLI, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cognito_desk.scenarios.model import ScenarioError, load_scenario
from cognito_desk.settings.documents import MAX_DOCUMENT_BYTES, MAX_NESTING, DocumentError, load_json

ROOT = Path(__file__).resolve().parents[2]
DEEP = 100_000
SCENARIO_HEAD = 'version = 1\npool_id = "us-east-1:x"\n[provider]\nname = "g"\nkind = "guest"\n'


def crafted(tmp_path: Path) -> dict[str, Path]:
    files = {
        "deep.cdpool": "[" * DEEP + "]" * DEEP,
        "nested.cdpool": '{"a":' * (MAX_NESTING + 1) + "1" + "}" * (MAX_NESTING + 1),
        "big.cdpool": '{"pad": "' + "x" * MAX_DOCUMENT_BYTES + '"}',
        "deep.cdscenario": SCENARIO_HEAD + "[expect]\nclaims = " + "[" * DEEP + "]" * DEEP + "\n",
        "nested.cdscenario": SCENARIO_HEAD + "[expect]\nclaims = " + "[" * MAX_NESTING + "]" * MAX_NESTING + "\n",
        "big.cdscenario": SCENARIO_HEAD + "# " + "x" * MAX_DOCUMENT_BYTES + "\n",
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return {name: tmp_path / name for name in files}


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "COGNITO_DESK_CONFIG_DIR": str(cwd / "c"), "COGNITO_DESK_DATA_DIR": str(cwd / "d"),
           "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_DISABLE_SANDBOX": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "cognito_desk", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=ROOT)


@pytest.mark.parametrize(("name", "expected"), [
    ("deep.cdpool", f"nests tables or arrays more than {MAX_NESTING} levels deep"),
    ("nested.cdpool", f"nests tables or arrays more than {MAX_NESTING} levels deep"),
    ("big.cdpool", "is larger than the 1024 KiB a pool export may be"),
])
def test_pools_import_refuses_crafted_exports_in_one_line(tmp_path, name, expected):
    path = crafted(tmp_path)[name]
    done = cli("pools", "import", str(path), "--dry-run", "--endpoint", "http://127.0.0.1:9", cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == f"cognito-desk: {path} {expected}\n"


@pytest.mark.parametrize(("name", "expected"), [
    ("deep.cdscenario", f"nests tables or arrays more than {MAX_NESTING} levels deep"),
    ("nested.cdscenario", f"nests tables or arrays more than {MAX_NESTING} levels deep"),
    ("big.cdscenario", "is larger than the 1024 KiB a scenario file may be"),
])
def test_scenario_commands_refuse_crafted_files_in_one_line(tmp_path, name, expected):
    path = crafted(tmp_path)[name]
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value) == f"{path} {expected}"
    check = cli("scenarios", "check", str(path), "--endpoint", "http://127.0.0.1:9", cwd=tmp_path)
    assert check.returncode == 1 and "Traceback" not in check.stderr
    assert f"FAIL {path} {expected}\n" in check.stderr
    run = cli("scenarios", "run", str(path), "--endpoint", "http://127.0.0.1:9", cwd=tmp_path)
    assert run.returncode == 2 and run.stderr == f"cognito-desk: {path} {expected}\n"


def test_what_the_formats_need_still_reads():
    assert load_json('{"a":' * (MAX_NESTING - 1) + "1" + "}" * (MAX_NESTING - 1), "x")
    with pytest.raises(DocumentError, match="is not JSON"):
        load_json("{", "x.cdpool")
