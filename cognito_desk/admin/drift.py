"""Drift: how a live pool differs from an exported document, field by field, roles' trust policies included.

The console-edit-versus-infrastructure-as-code question. :func:`comparable` reduces an export document to
what describes the pool's configuration — settings, default roles and role mappings, principal-tag maps by
provider, tags, and each role's trust policy, path, description and session length by role name — leaving
out what only identifies or dates things (IDs, role IDs, creation dates). :func:`compare_with_file` exports
the live pool and lists every :class:`~cognito_desk.admin.diff.Difference` (``before`` = the file,
``after`` = live).
"""

from __future__ import annotations

from typing import Any

from ..backend.connection import Connection
from .diff import Difference, differences
from .transfer import check_document, export_pool

_ROLE_FIELDS = ("Path", "Description", "MaxSessionDuration", "AssumeRolePolicyDocument")


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """The configuration an export document describes, keyed for a field-by-field comparison."""
    pool = {key: value for key, value in document["describe-identity-pool"].items() if key != "IdentityPoolId"}
    roles = {key: value for key, value in (document.get("get-identity-pool-roles") or {}).items()
             if key != "IdentityPoolId"}
    return {
        "IdentityPool": pool,
        "IdentityPoolRoles": roles,
        "PrincipalTags": {answer["IdentityProviderName"]: {"UseDefaults": answer.get("UseDefaults", False),
                                                           "PrincipalTags": answer.get("PrincipalTags", {})}
                          for answer in document.get("get-principal-tag-attribute-map", [])},
        "Tags": (document.get("list-tags-for-resource") or {}).get("Tags", {}),
        "Roles": {answer["Role"]["RoleName"]: {key: answer["Role"][key] for key in _ROLE_FIELDS
                                               if key in answer["Role"]}
                  for answer in document.get("get-role", [])},
    }


async def compare_with_file(conn: Connection, pool_id: str, document: dict[str, Any]) -> list[Difference]:
    """Every difference between the file (``before``) and the live pool ``pool_id`` (``after``)."""
    check_document(document)
    live = await export_pool(conn, pool_id)
    return differences(comparable(document), comparable(live))
