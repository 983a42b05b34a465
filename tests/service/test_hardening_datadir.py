"""Issue 10 §1 and one service per data directory: private file modes under umask 022, the exclusive lock."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from cognito_desk.service.context import ServiceSettings
from cognito_desk.service.server import DataDirInUse, ServiceThread, admin_credentials, running_instance

CLI = [sys.executable, "-m", "cognito_desk"]


def modes(data_dir: Path) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in [data_dir, *data_dir.iterdir()]}


def start_serve(data_dir: Path, umask: int = 0o022) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([*CLI, "serve", "--port", "0", "--data-dir", str(data_dir)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            preexec_fn=lambda: os.umask(umask))
    line = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    assert match, f"unexpected first line {line!r}"
    return proc, match.group(1)


def stop_serve(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    return err


def admin_client(url: str, data_dir: Path, name: str):
    key, secret, _ = admin_credentials(data_dir)
    return boto3.session.Session().client(name, endpoint_url=url, region_name="us-east-1", aws_access_key_id=key,
                                          aws_secret_access_key=secret, config=Config(retries={"max_attempts": 1}))


def test_every_file_is_owner_only_under_umask_022(tmp_path):
    data_dir = tmp_path / "data"
    proc, url = start_serve(data_dir)
    try:
        admin_client(url, data_dir, "cognito-identity").create_identity_pool(
            IdentityPoolName="p", AllowUnauthenticatedIdentities=True)
        found = modes(data_dir)
    finally:
        stop_serve(proc)
    assert {"cognito-desk.sqlite3", "cognito-desk.sqlite3-wal", "cognito-desk.sqlite3-shm", "admin-credentials.json",
            "instance.json", "instance.lock"} <= found.keys()
    assert found.pop("data") == 0o700
    assert found == dict.fromkeys(found, 0o600)


def test_a_loose_existing_directory_is_tightened_and_the_log_says_so(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    (data_dir / "cognito-desk.sqlite3").touch()
    (data_dir / "cognito-desk.sqlite3").chmod(0o644)
    proc, _ = start_serve(data_dir)
    err = stop_serve(proc)
    assert modes(data_dir)["data"] == 0o700 and modes(data_dir)["cognito-desk.sqlite3"] == 0o600
    assert f"tightened permissions of {data_dir} from 0755 to 0700" in err


def test_a_held_directory_names_the_running_service_and_is_free_after_stop(tmp_path):
    first = ServiceThread(tmp_path, ServiceSettings()).start()
    try:
        assert running_instance(tmp_path) == first.url
        info = json.loads((tmp_path / "instance.json").read_text())
        assert info == {"url": first.url, "pid": os.getpid()}
        with pytest.raises(DataDirInUse) as excinfo:
            ServiceThread(tmp_path, ServiceSettings())
        assert excinfo.value.url == first.url
        assert str(excinfo.value) == f"cognito-desk is already serving {tmp_path} on {first.url} (pid {os.getpid()})"
        # Another process sees it too, and `cognito-desk serve` refuses with one line saying where it runs.
        probe = subprocess.run([sys.executable, "-c", "import sys; from cognito_desk.service.server import "
                                "running_instance as r; print(r(sys.argv[1]))", str(tmp_path)],
                               capture_output=True, text=True, check=True)
        assert probe.stdout.strip() == first.url
        refused = subprocess.run([*CLI, "serve", "--port", "0", "--data-dir", str(tmp_path)], capture_output=True,
                                 text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr == f"cognito-desk is already serving {tmp_path} on {first.url} (pid {os.getpid()})\n"
    finally:
        first.stop()
    assert running_instance(tmp_path) is None and not (tmp_path / "instance.json").exists()
    second = ServiceThread(tmp_path, ServiceSettings()).start()  # the lock was released
    second.stop()


def test_a_stale_instance_file_counts_for_nothing(tmp_path):
    (tmp_path / "instance.lock").touch()
    (tmp_path / "instance.json").write_text(json.dumps({"url": "http://127.0.0.1:1", "pid": 999999}))
    assert running_instance(tmp_path) is None
    assert running_instance(tmp_path / "never-served") is None
    thread = ServiceThread(tmp_path, ServiceSettings()).start()
    try:
        assert running_instance(tmp_path) == thread.url
    finally:
        thread.stop()


def test_a_killed_server_leaves_the_directory_free(tmp_path):
    proc, url = start_serve(tmp_path / "data")
    assert running_instance(tmp_path / "data") == url
    proc.kill()
    proc.communicate(timeout=20)
    assert (tmp_path / "data" / "instance.json").exists()  # stale, and harmless
    assert running_instance(tmp_path / "data") is None
    proc, url = start_serve(tmp_path / "data")
    assert running_instance(tmp_path / "data") == url
    stop_serve(proc)
