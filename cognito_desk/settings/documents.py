"""Documents others hand the app (pool exports, scenario files): read within a size and a nesting limit.

A crafted file must not crash the command line or a dialog. Owns :data:`MAX_DOCUMENT_BYTES` (1 MiB: a pool
export with hundreds of roles and rules is a few hundred KB; a scenario a few KB), :data:`MAX_NESTING` (32
levels of tables / arrays / objects: the formats need fewer than 12 — a trust policy's condition inside an
exported role is the deepest), :func:`read_document_text` (a path, or ``-`` for stdin, refused past the size
without reading further) and :func:`check_nesting` / :func:`load_json` (refused past the depth, the parser's
own ``RecursionError`` included). Every refusal is a :class:`DocumentError` whose one-line message names
the file and the limit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from ..core import errors

__all__ = ["MAX_DOCUMENT_BYTES", "MAX_NESTING", "DocumentError", "check_nesting", "load_json",
           "read_document_text", "too_deep"]

MAX_DOCUMENT_BYTES = 1 << 20
MAX_NESTING = 32


class DocumentError(errors.CognitoDeskError):
    """A document that cannot be read: unreadable, too large, too deeply nested or not parsable."""


def read_document_text(path: str | Path, what: str = "file") -> str:
    """The text of ``path`` (``-``: standard input), refused beyond :data:`MAX_DOCUMENT_BYTES`."""
    try:
        if str(path) == "-":
            data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise DocumentError(f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"{path} is larger than the {MAX_DOCUMENT_BYTES // 1024} KiB a {what} may be")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"{path} is not UTF-8 text (byte {exc.start})") from None


def check_nesting(value: Any, where: str) -> Any:
    """``value`` itself, once no table / array / object in it is deeper than :data:`MAX_NESTING`."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list | tuple):
            if depth > MAX_NESTING:
                raise too_deep(where)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return value


def too_deep(where: str) -> DocumentError:
    """What a parser's ``RecursionError`` on ``where`` becomes."""
    return DocumentError(f"{where} nests tables or arrays more than {MAX_NESTING} levels deep")


def load_json(text: str, where: str) -> Any:
    """The JSON value of ``text``, within the nesting limit."""
    try:
        return check_nesting(json.loads(text), where)
    except RecursionError:
        raise too_deep(where) from None
    except ValueError as exc:
        raise DocumentError(f"{where} is not JSON: {exc}") from None
