"""The Identities tab: a lazily paged browser over a pool's identities, their details and developer actions.

:func:`install` (called by the composition root) adds it as a pool tab.
"""

from .page import IdentitiesPage

__all__ = ["IdentitiesPage", "install"]


def install(window) -> IdentitiesPage:
    page = IdentitiesPage(window.ctx, window)
    window.add_pool_page(page, "Identities", "identity")
    return page
