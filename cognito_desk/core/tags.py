"""Principal tags: the session tags a login carries into STS under a pool's principal-tag map (reference §5.8).

Owns :func:`session_tags`, used by the embedded service when it vends credentials and by the Principal
tags tab's preview — one implementation, so the preview never disagrees with the service. With the
default mapping the login's provider-specific default tags are used; with a custom map each tag takes
the first value of its claim (arrays give their first element; non-strings are JSON-encoded); missing
claims give no tag.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

__all__ = ["session_tags"]


def session_tags(use_defaults: bool, tag_map: Mapping[str, str], claims: Mapping[str, object],
                 default_tags: Mapping[str, str]) -> dict[str, str]:
    if use_defaults:
        return dict(default_tags)
    tags = {}
    for tag, claim in tag_map.items():
        value = claims.get(claim)
        if isinstance(value, list):
            value = value[0] if value else None
        if value is not None:
            tags[tag] = value if isinstance(value, str) else json.dumps(value)
    return tags
