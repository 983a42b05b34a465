"""Identity-provider screens: the per-pool Identity providers tab and the connection's IAM identity providers view.

:func:`install` (called by the composition root) adds the "Identity providers" pool tab and Pool ▸ IAM identity
providers… (Ctrl+Shift+I), which opens :class:`~.iam_view.IamProvidersDialog` for the open connection (the one open
is the page's ``iam_dialog``).
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from ..icons import icon
from .iam_view import IamProvidersDialog
from .page import ProvidersPage

__all__ = ["IamProvidersDialog", "ProvidersPage", "install"]


def install(window) -> ProvidersPage:
    page = ProvidersPage(window.ctx, window)
    window.add_pool_page(page, "Identity providers", "provider")
    action = QAction(icon("provider"), "IAM identity &providers…", window)
    action.setShortcut(QKeySequence("Ctrl+Shift+I"))
    action.setToolTip("Every IAM OIDC and SAML provider of this connection and the pools using each")
    action.setEnabled(window.connection is not None)
    window.connection_changed.connect(lambda connection: action.setEnabled(connection is not None))

    def open_view() -> None:
        if window.connection is None:
            return
        dialog = IamProvidersDialog(window.ctx.runner, window.connection, window.connection_state, window)
        page.iam_dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.show()
        dialog.reload()

    action.triggered.connect(open_view)
    window.pool_menu.addAction(action)
    return page
