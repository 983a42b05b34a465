"""A moto server in a child process, for proving the AWS clients against an independent implementation.

:func:`running_moto_server` starts ``python -m moto.server`` on a free loopback port, waits until it
answers, yields its base URL and stops the process afterwards. Moto's own warnings stay in its process. With
``user_pool=True`` it is the offline user pool instead: ``moto_userpool_server.py`` (ID tokens with
Cognito's role claims) and TOTP codes checked (``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP``). The port is free
when chosen, not when moto binds it (another process may take it meanwhile): a moto that exits at start is
started again on another port.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

STARTUP_TIMEOUT = 30.0
#: Ports tried before giving up (each one free when chosen).
STARTS = 3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(program: list[str], env: dict[str, str] | None) -> tuple[subprocess.Popen, str]:
    """``program`` answering on a free port (a few tries: the port may be taken before moto binds it)."""
    for _ in range(STARTS):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, *program, "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while process.poll() is None:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1.0)
                return process, url
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                _stop(process)
                raise RuntimeError("moto server did not start in time")
            time.sleep(0.2)  # polling a child process that cannot say when it is up
    raise RuntimeError(f"moto server exited with status {process.returncode} on each of {STARTS} ports tried")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_moto_server(*, user_pool: bool = False) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:<port>``) of a fresh moto server."""
    program = [str(Path(__file__).with_name("moto_userpool_server.py"))] if user_pool else ["-m", "moto.server"]
    env = {**os.environ, "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"} if user_pool else None
    process, url = _start(program, env)
    try:
        yield url
    finally:
        _stop(process)
