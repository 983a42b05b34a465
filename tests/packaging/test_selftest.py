"""``cognito-desk --self-test`` from the source tree: its checks, one line each, and its exit status."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cognito_desk.core import errors
from cognito_desk.diagnostics import AppPaths
from cognito_desk.selftest import check_paths, check_resources, guest_sign_in

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [str(Path(sys.executable).with_name("cognito-desk")), "--self-test"]
CHECKS = ["resources", "paths", "modules", "embedded service", "guest sign-in", "web engine", "chromium sandbox",
          "keyring"]


def self_test(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("QT", "COGNITO_DESK_"))}
    environ = {**base, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
               "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_STATE_HOME": str(tmp_path / "state"),
               "DBUS_SESSION_BUS_ADDRESS": "disabled:", **env}
    return subprocess.run(COMMAND, cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=240)


def lines_by_check(stdout: str) -> dict[str, str]:
    found = {}
    for line in stdout.splitlines()[1:-1]:
        status, rest = line.split(" ", 1)
        name, detail = rest.split(": ", 1)
        found[name] = f"{status} {detail}"
    return found


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the root-only Chromium refusal")
def test_passes_with_one_line_per_check_and_reports_the_sandbox_off(tmp_path) -> None:
    """As root (the test machines) the sandbox must be switched off; the report says it was, as a warning."""
    result = self_test(tmp_path, QTWEBENGINE_DISABLE_SANDBOX="1")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("cognito-desk ") and "self-test (source" in lines[0]
    checks = lines_by_check(result.stdout)
    assert list(checks) == CHECKS
    assert all(checks[name].startswith("PASS") for name in CHECKS[:6]), checks
    assert checks["guest sign-in"].split()[1].startswith("us-east-1:")
    assert ":assumed-role/cognito-desk-self-test-" in checks["guest sign-in"]
    assert checks["chromium sandbox"].startswith("WARN OFF (layer-1 none")
    assert "QTWEBENGINE_DISABLE_SANDBOX" in checks["chromium sandbox"]
    assert checks["keyring"].startswith(("WARN", "PASS"))  # reported either way, never a failure
    assert lines[-1].startswith("self-test passed")
    assert not (tmp_path / "data" / "cognito-desk").exists()  # the service ran on a temporary data dir


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the root-only Chromium refusal")
def test_as_root_with_the_sandbox_on_fails_the_web_check_and_says_why(tmp_path) -> None:
    result = self_test(tmp_path)
    assert result.returncode == 1
    checks = lines_by_check(result.stdout)
    assert checks["web engine"].startswith("FAIL")
    assert "running as root" in checks["web engine"] and "QTWEBENGINE_DISABLE_SANDBOX=1" in checks["web engine"]
    assert checks["guest sign-in"].startswith("PASS")
    assert result.stdout.splitlines()[-1].startswith("self-test failed: web engine")


def test_keyring_passes_with_a_real_secret_service(tmp_path) -> None:
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no real Secret Service: {', '.join(missing)} not installed (apt-get install dbus gnome-keyring)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QT", "COGNITO_DESK_", "DBUS_"))}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), QTWEBENGINE_DISABLE_SANDBOX="1")
    script = ('eval "$(printf self-test | gnome-keyring-daemon --unlock --components=secrets)"; '
              f'exec {shlex.join(COMMAND)}')
    result = subprocess.run(["dbus-run-session", "--", "sh", "-c", script], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines_by_check(result.stdout)["keyring"] == "PASS keyring.backends.SecretService.Keyring"


def test_missing_resources_fail_and_name_the_file(tmp_path) -> None:
    paths = replace(AppPaths.current(), resources=tmp_path)
    check = check_resources(paths)
    assert not check.passed and check.required
    assert check.line() == f"FAIL resources: missing in {tmp_path}: icons/cognito-desk.svg"
    assert check_resources(AppPaths.current()).passed


def test_data_inside_the_install_folder_fails(tmp_path) -> None:
    paths = replace(AppPaths.current(), install=tmp_path, data=tmp_path / "data", logs=tmp_path / "logs")
    check = check_paths(paths)
    assert not check.passed
    assert check.detail == f"data, logs directory inside the install directory {tmp_path}"
    assert check_paths(AppPaths.current()).passed


def test_guest_sign_in_on_the_embedded_service(service) -> None:
    identity_id, arn = asyncio.run(guest_sign_in(service.url, service.region, service.access_key_id,
                                                 service.secret_access_key))
    assert identity_id.startswith(f"{service.region}:")
    assert arn.startswith(f"arn:aws:sts::{service.account_id}:assumed-role/cognito-desk-self-test-")
    assert arn.endswith("/CognitoIdentityCredentials")


def test_guest_sign_in_with_a_wrong_admin_key_raises_the_aws_error(service) -> None:
    with pytest.raises(errors.AwsError) as raised:
        asyncio.run(guest_sign_in(service.url, service.region, service.access_key_id, "not-the-secret"))
    assert raised.value.code == "InvalidSignatureException"
