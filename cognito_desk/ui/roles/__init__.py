"""The Roles & rules screen; :func:`install` (called by the composition root) adds it as a pool tab."""

from __future__ import annotations

from .page import RolesPage

__all__ = ["RolesPage", "install"]


def install(window) -> RolesPage:
    page = RolesPage(window.ctx, window)
    window.add_pool_page(page, "Roles && rules", "role")
    return page
