"""The Principal tags screen; :func:`install` (called by the composition root) adds it as a pool tab."""

from __future__ import annotations

from .page import TagsPage

__all__ = ["TagsPage", "install"]


def install(window) -> TagsPage:
    page = TagsPage(window.ctx, window)
    window.add_pool_page(page, "Principal tags", "tag")
    return page
