"""The selected pool's state against the real embedded service: shared loads, saves announced, conflicts against
the latest read, cancelled loads — the requests counted by the service itself (``Service.requests``)."""

from __future__ import annotations

import asyncio

import pytest
from pool_admin_support import embedded, run

from cognito_desk.admin.pool_state import (
    IAM_PROVIDERS,
    POOL,
    PRINCIPAL_TAGS,
    ROLES,
    Changes,
    ConnectionState,
)
from cognito_desk.admin.pools import Conflict, PoolEdit, Saved
from cognito_desk.admin.principal_tags import PrincipalTagMap
from cognito_desk.admin.shared_load import SharedLoads

GOOGLE = {"accounts.google.com": "app-1"}


def state_of(http, service) -> ConnectionState:
    conn = embedded(http, service)
    return ConnectionState(conn.identity, conn.iam)


def counts(service) -> dict[str, int]:
    return service.thread.service.requests.snapshot()


async def pages_of_one_role_listing(http, service, pool_id: str) -> int:
    """How many ``ListRoles`` pages one reading of the account's roles takes on the shared service (other tests
    leave roles behind, so it may be more than one)."""
    before = counts(service)
    await state_of(http, service).pool(pool_id).roles_snapshot()
    return service.thread.service.requests.since(before)["ListRoles"]


def test_two_callers_of_one_part_cause_one_request(service, make_pool):
    pool = make_pool(SupportedLoginProviders=GOOGLE)

    async def scenario(http):
        pages = await pages_of_one_role_listing(http, service, pool.id)
        state = state_of(http, service).pool(pool.id)
        before = counts(service)
        first, second = await asyncio.gather(state.roles_snapshot(), state.roles_snapshot())
        described = await state.pool()
        return first, second, described, service.thread.service.requests.since(before), pages

    first, second, described, made, pages = run(scenario)
    assert made == {"DescribeIdentityPool": 1, "GetIdentityPoolRoles": 1, "ListRoles": pages,
                    "GetPrincipalTagAttributeMap": 1}
    assert first.form.default_roles == pool.roles and first.pool == described
    first.form.set_default_role("authenticated", None)  # one caller's edits are its own
    assert second.form.default_roles == pool.roles
    assert set(first.tag_maps) == {"accounts.google.com"}


def test_the_account_roles_are_read_once_per_connection(service, make_pool):
    pools = [make_pool(), make_pool()]

    async def scenario(http):
        pages = await pages_of_one_role_listing(http, service, pools[0].id)
        connection = state_of(http, service)
        before = counts(service)
        for pool in pools:
            await connection.pool(pool.id).roles_snapshot()
        return service.thread.service.requests.since(before), pages

    made, pages = run(scenario)
    assert made == {"DescribeIdentityPool": 2, "GetIdentityPoolRoles": 2, "ListRoles": pages}


def test_the_apps_own_save_is_not_a_conflict_but_a_change_elsewhere_is(service, make_pool, aws_client):
    pool = make_pool()
    ci = aws_client("cognito-identity")

    async def scenario(http):
        connection = state_of(http, service)
        state = connection.pool(pool.id)
        heard: list[Changes] = []
        connection.subscribe(heard.append)
        settings = PoolEdit(await state.pool())  # the Settings tab opens first
        providers = PoolEdit(await state.pool())  # then Identity providers saves
        providers.set("SupportedLoginProviders", GOOGLE)
        assert isinstance(await state.save_pool(providers, origin="providers"), Saved)
        settings.set("IdentityPoolName", "renamed")
        own = await state.save_pool(settings, origin="settings")
        elsewhere = PoolEdit(await state.pool())
        elsewhere.set("AllowClassicFlow", True)
        current = ci.describe_identity_pool(IdentityPoolId=pool.id)
        current.pop("ResponseMetadata")
        ci.update_identity_pool(**{**current, "AllowUnauthenticatedIdentities": False})
        conflict = await state.save_pool(elsewhere, origin="settings")
        return own, conflict, heard

    own, conflict, heard = run(scenario)
    assert isinstance(own, Saved)
    assert own.pool["IdentityPoolName"] == "renamed" and own.pool["SupportedLoginProviders"] == GOOGLE
    assert isinstance(conflict, Conflict)
    assert [(d.path, d.before, d.after) for d in conflict.changed_elsewhere] == [
        ("AllowUnauthenticatedIdentities", True, False)]
    assert [(c.pool_id, set(c.parts), c.origin) for c in heard] == [
        (pool.id, {POOL, PRINCIPAL_TAGS}, "providers"), (pool.id, {POOL}, "settings")]
    stored = ci.describe_identity_pool(IdentityPoolId=pool.id)
    assert stored["IdentityPoolName"] == "renamed" and not stored.get("AllowClassicFlow")


def test_saves_of_roles_and_tags_update_the_shared_snapshot_without_reading_again(service, make_pool):
    pool = make_pool(SupportedLoginProviders=GOOGLE)

    async def scenario(http):
        connection = state_of(http, service)
        state = connection.pool(pool.id)
        heard: list[Changes] = []
        state.subscribe(heard.append)
        connection.pool("us-east-1:00000000-0000-0000-0000-000000000000").subscribe(
            lambda changes: heard.append(("other pool heard", changes)))
        snapshot = await state.roles_snapshot()
        snapshot.form.set_default_role("unauthenticated", None)
        await state.save_roles(snapshot.form, origin="roles")
        await state.save_tag_map(PrincipalTagMap("accounts.google.com", tags={"team": "hd"}), origin="tags")
        before = counts(service)
        again = await state.roles_snapshot()
        return again, heard, service.thread.service.requests.since(before)

    again, heard, made = run(scenario)
    assert made == {}
    assert "unauthenticated" not in again.form.default_roles
    assert again.tag_maps["accounts.google.com"].tags == {"team": "hd"}
    assert [set(c.parts) for c in heard] == [{ROLES}, {PRINCIPAL_TAGS}]


def test_provider_usage_is_read_only_when_asked_and_follows_saves(service, make_pool, aws_client):
    iam = aws_client("iam")
    arn = iam.create_open_id_connect_provider(Url="https://usage.state.example", ClientIDList=["c"],
                                              ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    pool = make_pool(OpenIdConnectProviderARNs=[arn])
    try:
        async def scenario(http):
            connection = state_of(http, service)
            before = counts(service)
            listed = await connection.iam_providers()
            listed_requests = service.thread.service.requests.since(before)
            usage = await connection.provider_usage()
            state = connection.pool(pool.id)
            edit = PoolEdit(await state.pool())
            edit.set("OpenIdConnectProviderARNs", None)
            await state.save_pool(edit)
            before = counts(service)
            after = await connection.provider_usage()
            return listed, listed_requests, usage, after, service.thread.service.requests.since(before)

        listed, listed_requests, usage, after, made = run(scenario)
    finally:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert listed_requests == {"ListOpenIDConnectProviders": 1, "ListSAMLProviders": 1}
    assert [p.pools for p in listed if p.arn == arn] == [[]]
    assert [p.pools for p in usage if p.arn == arn] == [[(pool.id, "test pool")]]
    assert [p.pools for p in after if p.arn == arn] == [[]] and made == {}


def test_a_closed_state_stops_its_loads_and_a_waiter_cancelled_does_not_stop_the_others(service, make_pool):
    pool = make_pool()

    async def scenario(http):
        connection = state_of(http, service)
        state = connection.pool(pool.id)
        impatient = asyncio.ensure_future(state.pool())
        patient = asyncio.ensure_future(state.pool())
        await asyncio.sleep(0)
        impatient.cancel()
        described = await patient
        closing = connection.pool(pool.id)
        loading = asyncio.ensure_future(closing.roles_snapshot())
        await asyncio.sleep(0)
        closing.close()  # another pool was selected
        try:
            await loading
        except asyncio.CancelledError:
            pass
        return impatient, described, loading, closing

    impatient, described, loading, closing = run(scenario)
    assert impatient.cancelled() and described["IdentityPoolId"] == pool.id
    assert loading.cancelled() and closing.closed and closing.loads.in_flight == 0


def test_shared_loads_keep_the_newest_value_and_cancel_what_is_loading():
    async def scenario():
        loads = SharedLoads()
        gate = asyncio.Event()

        async def slow():
            await gate.wait()
            return "old"

        waiting = asyncio.ensure_future(loads.get("part", slow))
        await asyncio.sleep(0)
        loads.put("part", "saved")  # a save lands while the load is under way
        gate.set()
        assert await waiting == "old"  # that caller gets its answer…
        kept = loads.peek("part")  # …but the newer value stays
        never = asyncio.Event()

        async def forever():
            await never.wait()

        stuck = asyncio.ensure_future(loads.get("other", forever))
        await asyncio.sleep(0)
        loads.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
        failing = asyncio.ensure_future(loads.get("bad", _fails))
        with pytest.raises(ValueError, match="boom"):
            await failing
        return kept, loads.known("bad"), loads.in_flight

    kept, known_bad, in_flight = asyncio.run(scenario())
    assert kept == "saved" and not known_bad and in_flight == 0


async def _fails():
    raise ValueError("boom")


def test_iam_providers_created_by_the_app_are_listed_without_reading_again(service):
    async def scenario(http):
        connection = state_of(http, service)
        heard: list[Changes] = []
        connection.subscribe(heard.append)
        await connection.iam_providers()
        connection.iam_provider_created("arn:aws:iam::000000000000:saml-provider/NewOne", "SAML", origin="page")
        before = counts(service)
        listed = await connection.iam_providers()
        return listed, heard, service.thread.service.requests.since(before)

    listed, heard, made = run(scenario)
    assert "NewOne" in [p.name for p in listed] and made == {}
    assert heard == [Changes(None, frozenset({IAM_PROVIDERS}), "page")]
