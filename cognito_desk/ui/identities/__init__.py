"""The Identities tab: a lazily paged browser over a pool's identities, their details and developer actions."""

from .page import IdentitiesPage

__all__ = ["IdentitiesPage"]
