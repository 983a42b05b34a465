"""Qt-free backend connections: the clients of one connection profile, and the embedded service it may need.

:func:`open_connection` (the desktop app) and :func:`connected` (the headless commands) build a
:class:`Connection`; :class:`LocalServices` serves or joins the embedded service of Local profiles.
"""

from .connection import Connection, ConnectionReport, MissingSecret, connected, credentials_for, open_connection
from .local import AttachedService, LocalServices, local_data_dir

__all__ = [
    "AttachedService",
    "Connection",
    "ConnectionReport",
    "LocalServices",
    "MissingSecret",
    "connected",
    "credentials_for",
    "local_data_dir",
    "open_connection",
]
