"""A moto server in a child process, for proving the AWS clients against an independent implementation.

:func:`running_moto_server` starts ``python -m moto.server`` on a free loopback port, waits until it
answers, yields its base URL and stops the process afterwards. Moto's own warnings stay in its process. With
``user_pool=True`` it is the offline user pool instead: ``moto_userpool_server.py`` (ID tokens with
Cognito's role claims) and TOTP codes checked (``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP``).
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_moto_server(*, user_pool: bool = False) -> Iterator[str]:
    """Yield the base URL (``http://127.0.0.1:<port>``) of a fresh moto server."""
    port = _free_port()
    program = [str(Path(__file__).with_name("moto_userpool_server.py"))] if user_pool else ["-m", "moto.server"]
    env = {**os.environ, "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true"} if user_pool else None
    process = subprocess.Popen(
        [sys.executable, *program, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"moto server exited with status {process.returncode}")
            try:
                httpx.get(f"{url}/moto-api/", timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise RuntimeError("moto server did not start in time") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
