"""The Permissions view: what one identity can do with the role it assumed (statements, access check, pitfalls)."""

from .view import PermissionsView

__all__ = ["PermissionsView"]
