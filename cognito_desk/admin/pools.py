"""Editing one identity pool: read–modify–write, validation from botocore's model, and conflict detection.

``UpdateIdentityPool`` replaces the whole pool, so an edit (:class:`PoolEdit`) starts from the
``DescribeIdentityPool`` answer and changes only the members the user touched; :func:`save_pool` sends the
whole request back — members the form does not show (or this version of the app does not know) included —
after re-reading the pool: if it changed elsewhere since it was loaded (the pool state rebases the edit onto its
latest read first, :meth:`PoolEdit.rebase`, so the app's own saves in other tabs never count), the save stops with a
:class:`Conflict` listing the differences field by field, and the caller reloads or overwrites.
:func:`pool_problems` checks a request before anything is sent, with the service model's own constraints
(the embedded service's :class:`~cognito_desk.core.validation.Validator`); each problem names its member.
Deleting asks for the pool's identity count (:func:`count_identities`, bounded so a huge pool cannot page
forever).
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..aws import CognitoIdentityClient
from ..aws.protocols import JsonProtocol
from ..core import errors
from ..core.validation import Validator, load_service_model
from .diff import Difference, differences
from .rules import validator

_PROTOCOL = JsonProtocol("AWSCognitoIdentityService")
#: Members that identify the pool rather than configure it.
IDENTITY_MEMBERS = ("IdentityPoolId",)
#: Members that cannot change once they have a value.
SET_ONCE_MEMBERS = ("DeveloperProviderName",)
#: How many identities :func:`count_identities` counts before it says "more than".
IDENTITY_COUNT_LIMIT = 10_000
_VIOLATION_START = re.compile(r"; (?=Value[ ']|Value null)")
_VIOLATION_PATH = re.compile(r" at '([A-Za-z0-9]+)")


def pool_members(operation: str = "UpdateIdentityPool") -> tuple[str, ...]:
    """The members of a pool request, in the model's order."""
    return tuple(load_service_model("cognito-identity").operation_model(operation).input_shape.members)


def member_shape(member: str, operation: str = "UpdateIdentityPool"):
    """The botocore shape of one request member (its ``metadata`` holds min, max and pattern)."""
    return load_service_model("cognito-identity").operation_model(operation).input_shape.members[member]


@dataclass(frozen=True)
class FieldProblem:
    """One reason a request would be refused, and the request member it is about ("" for the whole request):
    ``message`` in plain words, ``detail`` the API's own wording when it comes from the service model."""

    member: str
    message: str
    detail: str = ""


_PHRASES = (
    (re.compile(r"Member must have length less than or equal to (\d+)"), "Too long: at most {0} allowed."),
    (re.compile(r"Member must have length greater than or equal to 1$"), "Required: it cannot be empty."),
    (re.compile(r"Member must have length greater than or equal to (\d+)"), "Too short: at least {0} needed."),
    (re.compile(r"Member must have value less than or equal to (\d+)"), "Too large: at most {0}."),
    (re.compile(r"Member must have value greater than or equal to (\d+)"), "Too small: at least {0}."),
    (re.compile(r"Member must satisfy enum value set: \[(.+)\]"), "Must be one of {0}."),
    (re.compile(r"Member must not be null"), "Required."),
    (re.compile(r"Map keys must satisfy constraint: \[(.+)\]"), "A key is not allowed: {0}"),
)
_CONSTRAINT = re.compile(r"failed to satisfy constraint: (.+)$", re.DOTALL)


_PATTERN = re.compile(r"Member must satisfy regular expression pattern: (.+)")
#: One part of a simple pattern: a repeated character class (its body), or one literal character.
_PART = re.compile(r"\[((?:\\.|[^\]\\])+)\][+*]|\\?([^\\\[\](){}|?*+^$.])")
_CLASS_WORDS = {"w": "letters, digits", "s": "spaces", "d": "digits"}
_CATEGORY = re.compile(r"\\p\{(\w+)\}")
_CATEGORY_WORDS = {"L": "letters", "M": "accents", "S": "symbols", "N": "numbers", "P": "punctuation",
                   "Z": "spaces"}


def _class_words(body: str) -> str:
    kinds: list[str] = []
    symbols: list[str] = []
    at = 0
    while at < len(body):
        category = _CATEGORY.match(body, at)
        if category:  # \p{L}: a Unicode category
            kinds.append(_CATEGORY_WORDS.get(category.group(1), f"Unicode {category.group(1)}"))
            at = category.end()
        elif body[at] == "\\" and at + 1 < len(body):
            letter = body[at + 1]
            kinds.append(_CLASS_WORDS[letter]) if letter in _CLASS_WORDS else symbols.append(letter)
            if letter == "w":
                symbols.insert(0, "_")
            at += 2
        elif at + 2 < len(body) and body[at + 1] == "-":
            kinds.append(f"{body[at]} to {body[at + 2]}")
            at += 3
        else:
            symbols.append(body[at])
            at += 1
    named = ", ".join(kinds)
    if symbols:
        named += (" and " if named else "") + "the characters " + " ".join(dict.fromkeys(symbols))
    return named


def _parts(pattern: str) -> list[tuple[str, str]] | None:
    """A simple pattern as ("class", words) and ("literal", character) parts; None when it is not that simple."""
    parts, at = [], 0
    while at < len(pattern):
        found = _PART.match(pattern, at)
        if not found:
            return None
        parts.append(("class", _class_words(found.group(1))) if found.group(1) else ("literal", found.group(2)))
        at = found.end()
    return parts


def allowed_characters(pattern: str) -> str | None:
    r"""The characters a one-class pattern such as ``[\w\s+=,.@-]+`` allows, in words; None for other patterns."""
    parts = _parts(pattern)
    return parts[0][1] if parts and len(parts) == 1 and parts[0][0] == "class" else None


def _pattern_words(pattern: str) -> str:
    allowed = allowed_characters(pattern)
    if allowed is not None:
        return f"Contains characters that are not allowed: use only {allowed}."
    parts = _parts(pattern)
    if not parts:
        return f"Not in the form the API expects ({pattern})."
    form = ", then ".join(words if kind == "class" else f"“{words}”" for kind, words in parts)
    return f"Not in the form the API expects: {form}."


def plain_words(violation: str) -> str:
    """A service-model violation (``Value '…' at '…' failed to satisfy constraint: …``) in plain words."""
    found = _CONSTRAINT.search(violation)
    phrase = found.group(1) if found else violation
    pattern = _PATTERN.search(phrase)
    if pattern:
        return _pattern_words(pattern.group(1))
    for pattern, words in _PHRASES:
        match = pattern.search(phrase)
        if match:
            return words.format(*match.groups())
    return phrase


def _member_of(violation: str, members: tuple[str, ...]) -> str:
    found = _VIOLATION_PATH.search(violation)
    if found:
        for member in members:
            if member[:1].lower() + member[1:] == found.group(1):
                return member
    return ""


@functools.cache
def _iam_validator() -> Validator:
    return Validator(load_service_model("iam"))


def model_problems(operation: str, request: Mapping[str, Any], service: str = "cognito-identity",
                   ) -> list[FieldProblem]:
    """Every constraint of the service model the request breaks, each attributed to its member."""
    check = validator() if service == "cognito-identity" else _iam_validator()
    members = tuple(load_service_model(service).operation_model(operation).input_shape.members)
    try:
        check.validate(operation, dict(request))
    except errors.ValidationException as exc:
        text = exc.message.split(": ", 1)[1]
        return [FieldProblem(_member_of(part, members), plain_words(part), part)
                for part in _VIOLATION_START.split(text)]
    except errors.SerializationException as exc:
        return [FieldProblem("", exc.message)]
    return []


def pool_problems(request: Mapping[str, Any], operation: str = "UpdateIdentityPool") -> list[FieldProblem]:
    """Why ``CreateIdentityPool``/``UpdateIdentityPool`` would refuse this request (empty when it would not)."""
    return model_problems(operation, request)


@dataclass
class PoolEdit:
    """A pool as loaded, and the ``UpdateIdentityPool`` request the user is building from it."""

    loaded: dict[str, Any]
    request: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.request:
            self.request = copy.deepcopy(self.loaded)

    @property
    def pool_id(self) -> str:
        return self.loaded["IdentityPoolId"]

    def read_only(self, member: str) -> bool:
        """Whether the member cannot be edited (the pool ID, a developer provider name once set)."""
        return member in IDENTITY_MEMBERS or (member in SET_ONCE_MEMBERS and self.loaded.get(member) is not None)

    def get(self, member: str, default: Any = None) -> Any:
        return self.request.get(member, default)

    def set(self, member: str, value: Any) -> None:
        """Change one member; ``None`` (or an empty map/list) leaves it out of the request."""
        if member not in pool_members():
            raise KeyError(f"UpdateIdentityPool has no member {member!r}")
        if self.read_only(member):
            raise ValueError(f"{member} cannot be changed once set (it is {self.loaded.get(member)!r}).")
        if value is None or value == {} or value == []:
            self.request.pop(member, None)
        else:
            self.request[member] = value

    def changes(self) -> list[Difference]:
        """What the user changed, field by field."""
        return differences(self.loaded, self.request)

    def problems(self) -> list[FieldProblem]:
        return pool_problems(self.request)

    def rebase(self, latest: Mapping[str, Any]) -> None:
        """Start again from ``latest`` (the pool as the app now knows it, e.g. after its own save in another tab),
        keeping the members the user changed here."""
        touched = {member for member in {*self.loaded, *self.request}
                   if self.loaded.get(member) != self.request.get(member)}
        request = copy.deepcopy(dict(latest))
        for member in touched:
            if member in self.request:
                request[member] = copy.deepcopy(self.request[member])
            else:
                request.pop(member, None)
        self.loaded, self.request = copy.deepcopy(dict(latest)), request


@dataclass(frozen=True)
class Conflict:
    """The pool changed elsewhere after it was loaded: what differs between then and now."""

    current: dict[str, Any]
    changed_elsewhere: list[Difference]


@dataclass(frozen=True)
class Saved:
    pool: dict[str, Any]


class InvalidPool(errors.CognitoDeskError):
    """A request refused before sending: the problems, each naming its member."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = problems


async def send_pool_request(identity: CognitoIdentityClient, operation: str,
                            request: Mapping[str, Any]) -> dict[str, Any]:
    """``CreateIdentityPool``/``UpdateIdentityPool`` with the request exactly as given: every member kept,
    known to this app or not (the client's keyword methods can only send the members they name)."""
    return await identity.transport.call(_PROTOCOL, operation, dict(request),
                                         idempotent=operation != "CreateIdentityPool")


async def save_pool(identity: CognitoIdentityClient, edit: PoolEdit, *, overwrite: bool = False) -> Saved | Conflict:
    """Validate, re-read, then send the whole pool; a change made elsewhere since loading stops the save
    (a :class:`Conflict`) unless ``overwrite`` is set. On success the edit starts afresh from the saved pool."""
    problems = edit.problems()
    if problems:
        raise InvalidPool(problems)
    current = await identity.describe_identity_pool(identity_pool_id=edit.pool_id)
    if not overwrite and current != edit.loaded:
        return Conflict(current, differences(edit.loaded, current))
    saved = await send_pool_request(identity, "UpdateIdentityPool", edit.request)
    edit.loaded, edit.request = saved, copy.deepcopy(saved)
    return Saved(saved)


async def count_identities(identity: CognitoIdentityClient, pool_id: str,
                           limit: int = IDENTITY_COUNT_LIMIT) -> tuple[int, bool]:
    """``(count, exact)``: the pool's identities, counted up to ``limit`` (``exact`` False when there are more)."""
    count = 0
    async for _ in identity.iter_identities(identity_pool_id=pool_id):
        count += 1
        if count > limit:
            return limit, False
    return count, True


def delete_confirmation(pool: Mapping[str, Any], count: int, exact: bool) -> str:
    """The question a delete asks, naming the pool and how many identities go with it."""
    many = f"{count:,}" if exact else f"more than {count:,}"
    noun = "identity" if exact and count == 1 else "identities"
    return (f"Delete identity pool “{pool['IdentityPoolName']}” ({pool['IdentityPoolId']}) and its {many} {noun}? "
            "This cannot be undone.")
