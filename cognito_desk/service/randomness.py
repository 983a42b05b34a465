"""Random identifiers and secrets for the service, drawn from the OS CSPRNG in bulk.

Every sign-in needs a request id, an identity id and a key pair with a session token. Asking the
kernel for each (``getrandom`` per call) cost about a tenth of the service's CPU under load, so
:func:`random_bytes` hands out fresh slices of a buffer refilled from ``os.urandom`` 64 KiB at a
time. Every byte is used once; the buffer lives only in this process, and a forked child starts a
buffer of its own.
"""

from __future__ import annotations

import os
import threading

_CHUNK = 65536
_lock = threading.Lock()
_buffer = b""
_offset = 0


def _forget() -> None:
    global _buffer, _offset
    _buffer, _offset = b"", 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget)


def random_bytes(count: int) -> bytes:
    """``count`` bytes from the OS CSPRNG (served from a per-process buffer)."""
    global _buffer, _offset
    with _lock:
        if _offset + count > len(_buffer):
            _buffer, _offset = os.urandom(max(_CHUNK, count)), 0
        chunk = _buffer[_offset:_offset + count]
        _offset += count
        return chunk


def uuid4() -> str:
    """A random (version 4, RFC 4122 variant) UUID as text, as ``str(uuid.uuid4())`` gives."""
    h = random_bytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"
