"""``cognito-desk serve`` in a child process, for the tests that start, query, signal and kill it.

:class:`ServeProcess` starts ``python -m cognito_desk serve --port 0`` on a data directory, reads the URL it
announces, drains its log, and gives boto3 clients signed with the directory's admin key;
:func:`serve_processes` starts as many as a test wants and kills whatever is left at the end.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import boto3
from botocore.config import Config

CLI = [sys.executable, "-m", "cognito_desk"]


class ServeProcess:
    def __init__(self, data_dir: Path, *extra: str, env: dict | None = None) -> None:
        self.proc = subprocess.Popen([*CLI, "serve", "--port", "0", "--data-dir", str(data_dir), *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL, env=env or os.environ.copy())
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, f"unexpected first line {line!r}; stderr: {self.proc.stderr.read() if self.proc.poll() else ''}"
        self.url = match.group(1)
        self.banner = line + self.proc.stdout.readline() + self.proc.stdout.readline()
        self.data_dir = data_dir
        # Drain stderr (one log line per request) so a full pipe can never stall the server.
        self._stderr: list[str] = []
        self._drain = threading.Thread(target=lambda: self._stderr.extend(self.proc.stderr), daemon=True)
        self._drain.start()

    def credentials(self) -> tuple[str, str]:
        out = subprocess.run([*CLI, "admin-key", "--data-dir", str(self.data_dir)], capture_output=True, text=True,
                             check=True).stdout
        values = dict(line.split("=", 1) for line in out.split())
        return values["AWS_ACCESS_KEY_ID"], values["AWS_SECRET_ACCESS_KEY"]

    def client(self, name: str):
        key, secret = self.credentials()
        return boto3.session.Session().client(
            name, endpoint_url=self.url, region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}, max_pool_connections=50, connect_timeout=2, read_timeout=10))

    def stop(self, sig: int = signal.SIGTERM) -> tuple[int, str]:
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.close()
        return self.proc.returncode, "".join(self._stderr)

    def close(self) -> None:
        """After the process ended: collect the rest of stderr and close the pipes."""
        self._drain.join(timeout=10)
        self.proc.stdout.close()
        self.proc.stderr.close()


@contextlib.contextmanager
def serve_processes(data_dir: Path) -> Iterator[Callable[..., ServeProcess]]:
    """``start(*extra, data_dir=..., env=None)`` runs a ``serve`` (on ``data_dir`` unless told); all end after."""
    started: list[ServeProcess] = []

    def start(*extra: str, data_dir: Path = data_dir, env: dict | None = None) -> ServeProcess:
        process = ServeProcess(data_dir, *extra, env=env)
        started.append(process)
        return process

    try:
        yield start
    finally:
        for process in started:
            if process.proc.poll() is None:
                process.proc.kill()
                process.proc.wait()
            if not process.proc.stderr.closed:
                process.close()
