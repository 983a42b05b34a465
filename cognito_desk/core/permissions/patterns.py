"""Wildcard matching for IAM policies: the one glob, action matching and ARN matching.

IAM patterns use ``*`` (any run of characters) and ``?`` (one character). Actions compare case-insensitively;
ARNs and resource names case-sensitively, segment by segment: the first five colon-separated parts
(``arn``, partition, service, region, account) each match on their own and the sixth, the resource part,
takes the rest of the ARN, colons included. Policy variables insert literal text: the escapes ``${*}``,
``${?}``, ``${$}`` and the substituted values are carried through a pattern as private-use characters
(:data:`LITERALS`) so that a ``*`` that came from a variable never acts as a wildcard.
"""

from __future__ import annotations

import re
from functools import lru_cache

# literal character -> private-use stand-in carried inside patterns
LITERALS = {"*": "\ue000", "?": "\ue001", "$": "\ue002"}
_PLAIN = {stand_in: char for char, stand_in in LITERALS.items()}
_TO_STAND_IN = str.maketrans({"*": LITERALS["*"], "?": LITERALS["?"]})
_TO_PLAIN = str.maketrans(_PLAIN)


def literal(text: str) -> str:
    """``text`` made safe to splice into a pattern: its ``*`` and ``?`` match only themselves."""
    return text.translate(_TO_STAND_IN)


def plain(pattern: str) -> str:
    """The text a pattern shows (and compares as, for operators without wildcards)."""
    return pattern.translate(_TO_PLAIN)


@lru_cache(maxsize=8192)
def glob(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """The compiled regular expression for one IAM wildcard pattern (anchored by ``fullmatch``)."""
    parts = []
    for char in pattern:
        if char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(_PLAIN.get(char, char)))
    return re.compile("".join(parts), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def glob_match(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return glob(pattern, ignore_case).fullmatch(value) is not None


@lru_cache(maxsize=2048)
def action_pattern(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One case-insensitive expression matching any of ``patterns`` (an Action list)."""
    return re.compile("|".join(f"(?:{glob(p).pattern})" for p in patterns), re.DOTALL | re.IGNORECASE)


def action_matches(patterns: tuple[str, ...], action: str) -> bool:
    return action_pattern(patterns).fullmatch(action) is not None


def split_arn(text: str) -> list[str] | None:
    """The six parts of an ARN (the last keeps its colons), or None when ``text`` is not one."""
    parts = text.split(":", 5)
    return parts if len(parts) == 6 and parts[0] in ("arn", "*") else None


def _segment(pattern: str, within: str, *, spills: bool = False) -> str:
    """Regex for one ARN segment: ``within`` is what a wildcard may span (no colon before the resource part);
    with ``spills`` a ``*`` ending the segment may run past the colons that follow."""
    out = []
    for n, char in enumerate(pattern):
        if char == "*":
            out.append(".*" if spills and n == len(pattern) - 1 else f"{within}*")
        elif char == "?":
            out.append(within)
        else:
            out.append(re.escape(_PLAIN.get(char, char)))
    return "".join(out)


@lru_cache(maxsize=8192)
def _arn_pattern(pattern: str, resource_element: bool) -> re.Pattern[str] | None:
    parts = pattern.split(":", 5)
    if parts[0] != "arn" or (len(parts) < 6 and not resource_element):
        return glob(pattern) if resource_element else None
    body = ":".join(_segment(part, "." if n == 5 else "[^:]", spills=resource_element)
                    for n, part in enumerate(parts))
    return re.compile(body, re.DOTALL)


def literal_prefix(pattern: str) -> str:
    """The text every match of ``pattern`` starts with (up to its first wildcard or variable)."""
    cut = len(pattern)
    for mark in ("*", "?", "${"):
        found = pattern.find(mark)
        if found != -1:
            cut = min(cut, found)
    return pattern[:cut]


def arn_matches(pattern: str, arn: str, *, resource_element: bool = False) -> bool:
    """IAM's ARN comparison (Resource element, ``ArnLike``/``ArnEquals``): segment-wise, case-sensitive.

    In a ``Resource`` element a ``*`` that ends a segment may expand past the colons that follow, as the IAM
    User Guide says ("IAM JSON policy elements: Resource", wildcards), so ``arn:aws:dynamodb:*:table/t``
    covers that table in every region and account; ``ArnLike`` conditions check the six segments separately."""
    if pattern == "*":
        return True
    if not resource_element and split_arn(arn) is None:
        return False
    compiled = _arn_pattern(pattern, resource_element)
    return compiled is not None and compiled.fullmatch(arn) is not None
