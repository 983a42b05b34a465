"""Tags on IAM roles, customer-managed policies and OIDC/SAML providers (Tag…, Untag…, List…Tags).

Each taggable kind keeps its tags as a JSON list of ``{"Key", "Value"}`` in its own table's ``tags``
column; :class:`_Taggable` names the table, the request member that identifies the resource and how
to find its row (with IAM's ``NoSuchEntity`` for a missing one). Keys are case-insensitive as in IAM:
tagging an existing key (any case) replaces it in place; untagging an absent key is not an error; a
resource holds at most :data:`MAX_TAGS`. Handlers take and return botocore shapes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from ..core import errors
from . import iam_policies, iam_providers
from .context import RequestContext
from .iam import paged, request_tags, role_row

MAX_TAGS = 50


@dataclass(frozen=True)
class _Taggable:
    """One kind of taggable IAM resource."""

    quota: str
    table: str
    column: str
    member: str
    row: Callable[[RequestContext, str], sqlite3.Row]


def _policy_row(ctx: RequestContext, arn: str) -> sqlite3.Row:
    iam_policies.own_policy(ctx, arn)  # NoSuchEntity, or AccessDenied for an AWS-managed one
    return ctx.store.query_one("SELECT * FROM iam_policies WHERE arn = ?", (arn,))


_KINDS = {
    "Role": _Taggable("TagsPerRole", "iam_roles", "name", "RoleName", role_row),
    "Policy": _Taggable("TagsPerPolicy", "iam_policies", "arn", "PolicyArn", _policy_row),
    "OpenIDConnectProvider": _Taggable("TagsPerOpenIdConnectProvider", "iam_oidc_providers", "arn",
                                       "OpenIDConnectProviderArn", iam_providers.OIDC.row),
    "SAMLProvider": _Taggable("TagsPerSamlProvider", "iam_saml_providers", "arn", "SAMLProviderArn",
                              iam_providers.SAML.row),
}


def _change(ctx: RequestContext, kind: _Taggable, params: dict, edit: Callable[[list[dict]], list[dict]]) -> dict:
    with ctx.store.transaction() as conn:
        row = kind.row(ctx, params[kind.member])
        tags = edit(json.loads(row["tags"]))
        if len(tags) > MAX_TAGS:
            raise errors.LimitExceeded(f"Cannot exceed quota for {kind.quota}: {MAX_TAGS}")
        ctx.store.changed(kind.table)
        conn.execute(f"UPDATE {kind.table} SET tags = ? WHERE {kind.column} = ?", (json.dumps(tags), row[kind.column]))
    return {}


def _tagger(kind: _Taggable) -> Callable[[RequestContext, dict], dict]:
    def tag(ctx: RequestContext, params: dict) -> dict:
        new = request_tags(params)

        def edit(tags: list[dict]) -> list[dict]:
            for added in new:
                same = [i for i, tag in enumerate(tags) if tag["Key"].lower() == added["Key"].lower()]
                if same:
                    tags[same[0]] = added
                else:
                    tags.append(added)
            return tags

        return _change(ctx, kind, params, edit)

    return tag


def _untagger(kind: _Taggable) -> Callable[[RequestContext, dict], dict]:
    def untag(ctx: RequestContext, params: dict) -> dict:
        gone = {key.lower() for key in params["TagKeys"]}
        return _change(ctx, kind, params, lambda tags: [tag for tag in tags if tag["Key"].lower() not in gone])

    return untag


def _lister(kind: _Taggable) -> Callable[[RequestContext, dict], dict]:
    def list_tags(ctx: RequestContext, params: dict) -> dict:
        tags = json.loads(kind.row(ctx, params[kind.member])["tags"])
        shown, paging = paged(tags, params, key=lambda tag: f"{tags.index(tag):06d}")
        return {"Tags": shown, **paging}

    return list_tags


ACTIONS: dict[str, Callable[[RequestContext, dict], dict]] = {}
for _name, _kind in _KINDS.items():
    ACTIONS[f"Tag{_name}"] = _tagger(_kind)
    ACTIONS[f"Untag{_name}"] = _untagger(_kind)
    ACTIONS[f"List{_name}Tags"] = _lister(_kind)
