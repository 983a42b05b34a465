"""Which host names stay on this machine: the one loopback test the service, the flows and the scenarios share.

Owns :func:`is_loopback_host` (``localhost``, 127.0.0.0/8, ``::1``; brackets of an IPv6 literal allowed).
"""

from __future__ import annotations

import ipaddress

__all__ = ["is_loopback_host"]


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` (a name or an address literal) is this machine's loopback."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
