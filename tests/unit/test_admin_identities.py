"""The identity browser's Qt-free part: column text, delete batches of 60, details, developer unlink and merge —
the texts without a backend, the calls against the real embedded service (checked with boto3)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest

from cognito_desk.admin.identities import (
    COLUMNS,
    DELETE_BATCH,
    PAGE_SIZE,
    Deletion,
    Merge,
    Unlink,
    delete_batches,
    identity_id_problems,
    identity_pages,
    load_details,
)
from cognito_desk.aws import CognitoIdentityClient, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.core import errors

POOL_ID = "us-east-1:11111111-2222-3333-4444-555555555555"
DEVELOPER = "login.qa.example"


def _texts(row):
    return [column.text(row) for column in COLUMNS]


def test_limits_come_from_the_service_model():
    assert DELETE_BATCH == 60 and PAGE_SIZE == 60


def test_columns_show_logins_dates_and_what_is_known_about_disabled():
    created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    row = {"IdentityId": "us-east-1:abc", "Logins": ["accounts.google.com", DEVELOPER], "CreationDate": created,
           "LastModifiedDate": created, "HiddenDisabled": False}
    assert [c.title for c in COLUMNS] == ["Identity ID", "Logins", "Created", "Last modified", "Disabled"]
    assert _texts(row) == ["us-east-1:abc", f"accounts.google.com, {DEVELOPER}", "2026-01-02 03:04:05 UTC",
                           "2026-01-02 03:04:05 UTC", "not reported"]
    assert "does not say" in COLUMNS[4].tooltip(row)
    guest = {"IdentityId": "us-east-1:def", "HiddenDisabled": True}
    assert _texts(guest) == ["us-east-1:def", "none", "", "", "No"]
    assert "guest" in COLUMNS[1].tooltip(guest) and COLUMNS[4].tooltip(guest) == ""


def test_delete_batches_hold_at_most_60_each_id_once_in_order():
    ids = [f"us-east-1:{i:08x}" for i in range(130)]
    batches = delete_batches(ids + ids[:5])
    assert [len(b) for b in batches] == [60, 60, 10]
    assert [i for b in batches for i in b] == ids
    assert delete_batches([]) == []


def test_deletion_question_and_outcome_name_the_counts():
    one = Deletion(["us-east-1:a"])
    assert one.question().startswith("Delete 1 identity?") and "1 DeleteIdentities call of" in one.question()
    many = Deletion([f"us-east-1:{i}" for i in range(130)])
    assert many.question().startswith("Delete 130 identities?") and "3 DeleteIdentities calls" in many.question()
    many.deleted, many.processed = [f"us-east-1:{i}" for i in range(59)], 60
    many.unprocessed = [{"IdentityId": "us-east-1:59", "ErrorCode": "AccessDenied"}]
    assert many.outcome() == ("Deleted 59 identities; stopped before the other 70. "
                              "Not deleted: us-east-1:59 (AccessDenied).")


def test_bad_identity_ids_are_refused_before_anything_is_sent():
    assert identity_id_problems("") == ["Enter an identity ID, e.g. us-east-1:0f3b1a7e-…"]
    [problem] = identity_id_problems("not an id")
    assert problem == ("Not in the form the API expects: letters, digits and the characters _ -, then “:”, then "
                       "0 to 9, a to f and the characters -.")  # the model's pattern, in words
    assert identity_id_problems("us-east-1:0f3b1a7e-0000-4000-8000-000000000000") == []


def test_developer_forms_are_checked_with_the_model():
    merge = Merge(POOL_ID, DEVELOPER, "", "bob")
    [problem] = merge.problems()
    assert problem.member == "SourceUserIdentifier" and problem.message
    same = Merge(POOL_ID, DEVELOPER, "bob", "bob").problems()
    assert [p.message for p in same] == ["The source and the destination are the same developer user."]
    long = Unlink(POOL_ID, DEVELOPER, "us-east-1:0f3b1a7e-0000-4000-8000-000000000000", "x" * 1025).problems()
    assert [p.member for p in long] == ["DeveloperUserIdentifier"]
    assert Unlink(POOL_ID, DEVELOPER, "us-east-1:0f3b1a7e-0000-4000-8000-000000000000", "alice").problems() == []
    assert "alice" in Unlink(POOL_ID, DEVELOPER, "us-east-1:x", "alice").question()


# --- against the embedded service --------------------------------------------------------------------------

def _run(service, scenario):
    async def main():
        async with httpx.AsyncClient() as http:
            client = CognitoIdentityClient(http, custom_endpoints(service.url, service.region).cognito_identity,
                                           StaticCredentials(service.access_key_id, service.secret_access_key))
            return await scenario(client)
    return asyncio.run(main())


def _guests(ci, pool_id, count):
    return [ci.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(count)]


def _all_ids(ci, pool_id, hide_disabled=False):
    ids, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        answer = ci.list_identities(IdentityPoolId=pool_id, MaxResults=60, HideDisabled=hide_disabled, **kwargs)
        ids += [i["IdentityId"] for i in answer["Identities"]]
        token = answer.get("NextToken")
        if not token:
            return ids


def test_deleting_130_takes_three_calls_and_leaves_the_others(service, aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    ids = _guests(ci, pool.id, 135)
    doomed, kept = ids[:130], ids[130:]
    seen: list[int] = []
    deletion = Deletion(doomed)
    _run(service, lambda client: deletion.run(client, on_batch=lambda d: seen.append(len(d.deleted))))
    assert seen == [60, 120, 130] and deletion.finished and deletion.outcome() == "Deleted 130 identities."
    assert _all_ids(ci, pool.id) == kept


def test_a_stopped_deletion_ends_after_the_batch_in_flight(service, aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    ids = _guests(ci, pool.id, 70)
    deletion = Deletion(ids)
    _run(service, lambda client: deletion.run(client, on_batch=lambda d: d.stop()))
    assert deletion.deleted == ids[:60] and not deletion.finished
    assert _all_ids(ci, pool.id) == ids[60:]
    assert "stopped before the other 10" in deletion.outcome()


def _developer_identity(ci, pool_id, user, *more):
    """The identity of developer user ``user``, with the users ``more`` merged into it."""
    identity_id = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEVELOPER: user})
    for other in more:
        ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEVELOPER: other})
        ci.merge_developer_identities(SourceUserIdentifier=other, DestinationUserIdentifier=user,
                                      DeveloperProviderName=DEVELOPER, IdentityPoolId=pool_id)
    return identity_id["IdentityId"]


def test_details_unlink_and_merge(service, aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool(DeveloperProviderName=DEVELOPER)
    alice = _developer_identity(ci, pool.id, "alice", "alice-2")
    bob = _developer_identity(ci, pool.id, "bob")

    details = _run(service, lambda client: load_details(client, pool.id, alice, DEVELOPER))
    assert details.identity_id == alice and details.logins == (DEVELOPER,)
    assert details.developer_users == ("alice", "alice-2") and details.created_text.endswith("UTC")

    _run(service, Unlink(pool.id, DEVELOPER, alice, "alice-2").send)
    assert ci.lookup_developer_identity(IdentityPoolId=pool.id, IdentityId=alice)["DeveloperUserIdentifierList"] \
        == ["alice"]
    survivor = _run(service, Merge(pool.id, DEVELOPER, "bob", "alice").send)
    assert survivor == alice
    assert ci.lookup_developer_identity(IdentityPoolId=pool.id, DeveloperUserIdentifier="bob")["IdentityId"] == alice
    # bob's old identity is disabled by the merge: listed, but not when disabled ones are hidden.
    assert bob in _all_ids(ci, pool.id) and _all_ids(ci, pool.id, hide_disabled=True) == [alice]

    async def both_listings(client):
        shown = await identity_pages(client, pool.id, hide_disabled=False)(None)
        hidden = await identity_pages(client, pool.id, hide_disabled=True)(None)
        return shown, hidden
    (shown, _), (hidden, _) = _run(service, both_listings)
    assert {alice, bob} < {r["IdentityId"] for r in shown} and [r["IdentityId"] for r in hidden] == [alice]
    assert [COLUMNS[4].text(r) for r in hidden] == ["No"]

    with pytest.raises(errors.ResourceNotFoundException, match="'nobody' not found"):
        _run(service, Merge(pool.id, DEVELOPER, "nobody", "alice").send)
    with pytest.raises(errors.ResourceNotFoundException, match="is not linked"):
        _run(service, Unlink(pool.id, DEVELOPER, alice, "alice-2").send)


def test_details_of_a_guest_in_a_pool_without_developer_provider(service, aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    [guest] = _guests(ci, pool.id, 1)
    details = _run(service, lambda client: load_details(client, pool.id, guest, None))
    assert details.logins == () and details.developer_users == () and details.developer_provider is None
    missing = guest[:-4] + "0000" if not guest.endswith("0000") else guest[:-4] + "1111"
    with pytest.raises(errors.ResourceNotFoundException, match="not found"):
        _run(service, lambda client: load_details(client, pool.id, missing, None))


def test_pages_come_60_at_a_time(service, aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    ids = _guests(ci, pool.id, 61)

    async def two_pages(client):
        page = identity_pages(client, pool.id, hide_disabled=False)
        first, token = await page(None)
        second, end = await page(token)
        return first, token, second, end
    first, token, second, end = _run(service, two_pages)
    assert len(first) == 60 and token and [r["IdentityId"] for r in first + second] == ids and end is None
