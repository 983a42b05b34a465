"""The sign-in tester tab (issue 9): setup, the embedded browser (loaded on first use), the result panel."""

from .page import TesterPage

__all__ = ["TesterPage"]
