"""The sign-in tester tab (issue 9): setup, the embedded browser (loaded on first use), the result panel.

:func:`install` (called by the composition root) adds it as a pool tab; QtWebEngine loads when it is first shown.
"""

from .page import TesterPage

__all__ = ["TesterPage", "install"]


def install(window) -> TesterPage:
    page = TesterPage(window.ctx, window)
    window.add_pool_page(page, "Tester", "tester-run")
    return page
