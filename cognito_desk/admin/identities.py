"""The identities of one pool, Qt-free: what the browser lists and shows, deletes in batches, and the developer actions.

Owns the listing (:func:`identity_pages`, one ``ListIdentities`` page of 60 at a time, ``HideDisabled`` passed
through), the text of the browser's columns (:data:`COLUMNS`; ``ListIdentities`` does not report whether an
identity is disabled, so the Disabled column says "No" only when the listing hides disabled identities and
"not reported" otherwise), the details of one identity (:func:`load_details`: ``DescribeIdentity`` plus the
developer user identifiers from ``LookupDeveloperIdentity``), deleting many identities in ``DeleteIdentities``
batches of at most 60 with progress and a stop between batches (:class:`Deletion`), and the developer-identity
actions :class:`Unlink` and :class:`Merge`, each checked with the service model's own constraints before
anything is sent. Limits (page size, batch size) are read from botocore's model, not retyped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..aws import CognitoIdentityClient
from ..core import errors
from ..core.tokens import format_utc
from .pools import FieldProblem, member_shape, model_problems

__all__ = [
    "COLUMNS", "DELETE_BATCH", "PAGE_SIZE", "Deletion", "IdentityDetails", "Merge", "Unlink", "delete_batches",
    "identity_id_problems", "identity_pages", "load_details",
]

Row = dict[str, Any]
#: Most identities one ``DeleteIdentities`` call takes (60).
DELETE_BATCH: int = member_shape("IdentityIdsToDelete", "DeleteIdentities").metadata["max"]
#: Most identities one ``ListIdentities`` page holds (60).
PAGE_SIZE: int = member_shape("MaxResults", "ListIdentities").metadata["max"]
NO_LOGINS = "none"
DISABLED_NOT_REPORTED = "not reported"
DISABLED_TOOLTIP = ("ListIdentities does not say whether an identity is disabled (the loser of a merge). "
                    "Switch on “Hide disabled” to list only identities that are not.")


# --- the listing -------------------------------------------------------------------------------------

def identity_pages(client: CognitoIdentityClient, pool_id: str, *, hide_disabled: bool):
    """A page source for the browser: ``await page(token)`` → (identities of the page, next token or None).

    Each row is the wire ``IdentityDescription`` plus ``HiddenDisabled`` (whether the listing hid disabled ones),
    with ``Logins`` as a tuple: a row of strings, dates and tuples is not tracked by the garbage collector, so
    holding 100,000 of them does not lengthen every full collection."""
    async def page(token: str | None) -> tuple[list[Row], str | None]:
        answer = await client.list_identities(identity_pool_id=pool_id, max_results=PAGE_SIZE, next_token=token,
                                              hide_disabled=True if hide_disabled else None)
        rows = [dict(row, Logins=tuple(row.get("Logins") or ()), HiddenDisabled=hide_disabled)
                for row in answer.get("Identities", [])]
        return rows, answer.get("NextToken")
    return page


def when(value: datetime | float | None) -> str:
    """A date as the browser shows it (UTC, to the second); empty when the backend gave none."""
    if value is None:
        return ""
    return format_utc(value.timestamp() if isinstance(value, datetime) else float(value))


def logins_text(row: Row) -> str:
    return ", ".join(row.get("Logins") or []) or NO_LOGINS


def logins_tooltip(row: Row) -> str:
    logins = row.get("Logins") or []
    if not logins:
        return "No linked logins: a guest (unauthenticated) identity, or one disabled by a merge."
    return "Linked logins:\n" + "\n".join(logins)


def disabled_text(row: Row) -> str:
    """"No" when the listing hid disabled identities (so this one is not), else "not reported"."""
    return "No" if row.get("HiddenDisabled") else DISABLED_NOT_REPORTED


@dataclass(frozen=True)
class ColumnText:
    title: str
    text: Callable[[Row], str]
    tooltip: Callable[[Row], str] | None = None


COLUMNS = (
    ColumnText("Identity ID", lambda row: row["IdentityId"]),
    ColumnText("Logins", logins_text, logins_tooltip),
    ColumnText("Created", lambda row: when(row.get("CreationDate"))),
    ColumnText("Last modified", lambda row: when(row.get("LastModifiedDate"))),
    ColumnText("Disabled", disabled_text, lambda row: "" if row.get("HiddenDisabled") else DISABLED_TOOLTIP),
)


def identity_id_problems(identity_id: str) -> list[str]:
    """Why ``DescribeIdentity`` would refuse this identity ID (empty when it would not)."""
    if not identity_id.strip():
        return ["Enter an identity ID, e.g. us-east-1:0f3b1a7e-…"]
    return [problem.message for problem in model_problems("DescribeIdentity", {"IdentityId": identity_id})]


# --- one identity ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IdentityDetails:
    identity_id: str
    logins: tuple[str, ...]
    created: datetime | None
    modified: datetime | None
    #: The pool's developer provider name (None: the pool has none, so no developer identifiers).
    developer_provider: str | None = None
    developer_users: tuple[str, ...] = ()

    @property
    def created_text(self) -> str:
        return when(self.created)

    @property
    def modified_text(self) -> str:
        return when(self.modified)


async def load_details(client: CognitoIdentityClient, pool_id: str, identity_id: str,
                       developer_provider: str | None) -> IdentityDetails:
    """``DescribeIdentity``, then (pool with a developer provider) every developer user identifier of it."""
    described = await client.describe_identity(identity_id=identity_id)
    users: list[str] = []
    if developer_provider:
        try:
            users = [user async for user in client.iter_developer_identities(pool_id, identity_id=identity_id)]
        except errors.ResourceNotFoundException:
            users = []  # AWS answers so for an identity without developer identifiers
    return IdentityDetails(described["IdentityId"], tuple(described.get("Logins") or ()),
                           described.get("CreationDate"), described.get("LastModifiedDate"),
                           developer_provider, tuple(users))


# --- deleting many -----------------------------------------------------------------------------------

def delete_batches(identity_ids: Iterable[str]) -> list[list[str]]:
    """The ``DeleteIdentities`` calls for these identities: each once, in order, at most 60 a call."""
    unique = list(dict.fromkeys(identity_ids))
    return [unique[start:start + DELETE_BATCH] for start in range(0, len(unique), DELETE_BATCH)]


def count_text(count: int) -> str:
    return f"{count} {'identity' if count == 1 else 'identities'}"


@dataclass
class Deletion:
    """Deleting a set of identities batch by batch; :meth:`stop` ends it after the batch in flight."""

    identity_ids: Sequence[str]
    deleted: list[str] = field(default_factory=list)
    #: ``UnprocessedIdentityIds`` entries: ``{"IdentityId": …, "ErrorCode": "AccessDenied" | …}``.
    unprocessed: list[dict[str, str]] = field(default_factory=list)
    processed: int = 0
    stopped: bool = False

    def __post_init__(self) -> None:
        self.batches = delete_batches(self.identity_ids)
        self.total = sum(len(batch) for batch in self.batches)

    def question(self) -> str:
        calls = len(self.batches)
        return (f"Delete {count_text(self.total)}? Each loses its linked logins; a returning user gets a new "
                f"identity ID. This cannot be undone. ({calls} DeleteIdentities call{'s' if calls != 1 else ''} "
                f"of at most {DELETE_BATCH}.)")

    def stop(self) -> None:
        self.stopped = True

    @property
    def finished(self) -> bool:
        return self.processed == self.total

    def progress_text(self) -> str:
        return f"Deleted {len(self.deleted)} of {self.total}…"

    def outcome(self) -> str:
        said = f"Deleted {count_text(len(self.deleted))}"
        if not self.finished:
            said += f"; stopped before the other {self.total - self.processed}"
        said += "."
        if self.unprocessed:
            failures = "; ".join(f"{u.get('IdentityId')} ({u.get('ErrorCode', 'error')})" for u in self.unprocessed)
            said += f" Not deleted: {failures}."
        return said

    async def run(self, client: CognitoIdentityClient, on_batch: Callable[[Deletion], object] | None = None,
                  ) -> Deletion:
        """Send the batches in order until done or stopped, calling ``on_batch`` after each."""
        for batch in self.batches:
            if self.stopped:
                break
            answer = await client.delete_identities(identity_ids_to_delete=batch)
            failed = list(answer.get("UnprocessedIdentityIds") or [])
            refused = {entry.get("IdentityId") for entry in failed}
            self.unprocessed += failed
            self.deleted += [identity_id for identity_id in batch if identity_id not in refused]
            self.processed += len(batch)
            if on_batch is not None:
                on_batch(self)
        return self


# --- developer identities ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Unlink:
    """Detach one developer user identifier from its identity (``UnlinkDeveloperIdentity``)."""

    pool_id: str
    developer_provider: str
    identity_id: str
    user: str

    def request(self) -> dict[str, Any]:
        return {"IdentityId": self.identity_id, "IdentityPoolId": self.pool_id,
                "DeveloperProviderName": self.developer_provider, "DeveloperUserIdentifier": self.user}

    def problems(self) -> list[FieldProblem]:
        return model_problems("UnlinkDeveloperIdentity", self.request())

    def question(self) -> str:
        return (f"Unlink developer user “{self.user}” from {self.identity_id}? The next sign-in of that user "
                "through your backend creates a new identity.")

    async def send(self, client: CognitoIdentityClient) -> None:
        await client.unlink_developer_identity(identity_id=self.identity_id, identity_pool_id=self.pool_id,
                                               developer_provider_name=self.developer_provider,
                                               developer_user_identifier=self.user)


@dataclass(frozen=True)
class Merge:
    """Move developer user ``source`` (and its identity's links) onto ``destination``'s identity."""

    pool_id: str
    developer_provider: str
    source: str
    destination: str

    def request(self) -> dict[str, Any]:
        return {"SourceUserIdentifier": self.source, "DestinationUserIdentifier": self.destination,
                "DeveloperProviderName": self.developer_provider, "IdentityPoolId": self.pool_id}

    def problems(self) -> list[FieldProblem]:
        found = model_problems("MergeDeveloperIdentities", self.request())
        if self.source and self.source == self.destination:
            found.append(FieldProblem("SourceUserIdentifier",
                                      "The source and the destination are the same developer user."))
        return found

    def question(self) -> str:
        return (f"Merge developer user “{self.source}” into the identity of “{self.destination}”? The source "
                "identity is disabled and its logins move over. This cannot be undone.")

    async def send(self, client: CognitoIdentityClient) -> str:
        """The destination identity's ID."""
        answer = await client.merge_developer_identities(
            source_user_identifier=self.source, destination_user_identifier=self.destination,
            developer_provider_name=self.developer_provider, identity_pool_id=self.pool_id)
        return str(answer.get("IdentityId", ""))
