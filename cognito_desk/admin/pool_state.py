"""The state of the selected pool on one connection: what was loaded, loaded once, changes announced after every save.

Owns :class:`ConnectionState` — what one open connection knows across pools: the account's roles with their trust
policies, its IAM OIDC/SAML providers, and (only when asked, for the IAM identity providers view and the guarded
delete) which pools use each provider — and :class:`PoolState`, one per selected pool: the described pool, its roles
form (default roles and role mappings), the principal-tag map of each provider, and the roles snapshot both the Roles
& rules and Principal tags tabs show. Tabs ask for a part when they are first shown; the loads are shared
(:class:`~.shared_load.SharedLoads`: two tabs asking at once cause one request) and kept until a save replaces them or
:meth:`ConnectionState.forget` (Refresh) drops them. Every save goes through the state, which stores what was saved
and announces a :class:`Changes` (Anki's ``OpChanges``: which parts of which pool changed, and who saved) to every
listener, so other tabs update or mark themselves stale. Conflict detection compares against the state's latest
read: an edit is rebased onto it before :func:`~.pools.save_pool` re-reads the pool, so the app's own earlier save
is never "changed elsewhere", while a change made by anyone else still is. :meth:`PoolState.close` (another pool or
connection was selected) stops the loads under way. Qt-free.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cognito_desk.aws import CognitoIdentityClient, IamClient

from .pools import Conflict, PoolEdit, Saved, save_pool
from .principal_tags import PrincipalTagMap
from .provider_usage import IamProvider, load_iam_providers, load_provider_usage, record_pool
from .roles_snapshot import RolesSnapshot, assemble_snapshot, load_account_roles, load_tag_maps, login_keys
from .rules import RolesForm
from .shared_load import SharedLoads

__all__ = ["ACCOUNT_ROLES", "IAM_PROVIDERS", "POOL", "PRINCIPAL_TAGS", "PROVIDER_USAGE", "ROLES", "Changes",
           "ConnectionState", "PoolState"]

log = logging.getLogger(__name__)

#: Parts of a pool.
POOL, ROLES, PRINCIPAL_TAGS = "pool", "roles", "principal-tags"
#: Parts of a connection.
ACCOUNT_ROLES, IAM_PROVIDERS, PROVIDER_USAGE = "account-roles", "iam-providers", "provider-usage"


@dataclass(frozen=True)
class Changes:
    """What an operation changed: ``parts`` of pool ``pool_id`` (None: of the connection), saved by ``origin``
    (whoever asked for the save — a tab ignores its own announcements)."""

    pool_id: str | None
    parts: frozenset[str]
    origin: object = None

    def touches(self, parts: Iterable[str]) -> bool:
        return not self.parts.isdisjoint(parts)


Listener = Callable[[Changes], object]


class ConnectionState:
    """What one connection knows across its pools; makes the :class:`PoolState` of the pool selected."""

    def __init__(self, identity: CognitoIdentityClient, iam: IamClient) -> None:
        self.identity, self.iam = identity, iam
        self.loads = SharedLoads()
        self._listeners: list[Listener] = []

    # --- listening -------------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every :class:`Changes`; returns the function that stops it."""
        self._listeners.append(listener)
        return lambda: listener in self._listeners and self._listeners.remove(listener)

    def announce(self, changes: Changes) -> None:
        for listener in list(self._listeners):
            try:
                listener(changes)
            except Exception:  # one broken listener must not undo a save that went through
                log.exception("a listener failed on %s", changes)

    # --- parts -----------------------------------------------------------------------------------------------
    def pool(self, pool_id: str) -> PoolState:
        return PoolState(self, pool_id)

    async def account_roles(self) -> dict[str, dict | None]:
        """Role ARN → trust policy for every role of the account (``ListRoles`` once per connection)."""
        return await self.loads.get(ACCOUNT_ROLES, lambda: load_account_roles(self.iam))

    async def iam_providers(self) -> list[IamProvider]:
        """The IAM OIDC and SAML providers (without usage): two requests once per connection."""
        return copy.deepcopy(await self.loads.get(IAM_PROVIDERS, lambda: load_iam_providers(self.iam)))

    async def provider_usage(self, progress: Callable[[int], object] | None = None) -> list[IamProvider]:
        """The providers and the pools using each (every pool described): kept until the pool list changes."""
        return copy.deepcopy(await self.loads.get(
            PROVIDER_USAGE, lambda: load_provider_usage(self.identity, self.iam, progress)))

    def pools_changed(self) -> None:
        """The pool list was reloaded, or a pool created or deleted: usage is read again when next shown."""
        self.loads.forget(PROVIDER_USAGE)

    def forget(self) -> None:
        """Drop everything known (Refresh): the next request for any part reads it again."""
        self.loads.cancel()
        self.loads.forget(ACCOUNT_ROLES, IAM_PROVIDERS, PROVIDER_USAGE)

    def close(self) -> None:
        self.loads.cancel()
        self._listeners.clear()

    # --- what the app itself changed ---------------------------------------------------------------------------
    def role_saved(self, arn: str, trust_policy: dict | None, origin: object = None) -> None:
        """A role was created or its trust policy replaced."""
        roles = self.loads.peek(ACCOUNT_ROLES)
        if roles is not None:
            self.loads.put(ACCOUNT_ROLES, {**roles, arn: copy.deepcopy(trust_policy)})
        self.announce(Changes(None, frozenset({ACCOUNT_ROLES}), origin))

    def iam_provider_created(self, arn: str, kind: str, origin: object = None) -> None:
        for part in (IAM_PROVIDERS, PROVIDER_USAGE):
            providers = self.loads.peek(part)
            if providers is not None and all(p.arn != arn for p in providers):
                self.loads.put(part, sorted([*providers, IamProvider(arn, kind)], key=lambda p: (p.kind, p.name)))
        self.announce(Changes(None, frozenset({IAM_PROVIDERS}), origin))

    def iam_provider_deleted(self, arn: str, origin: object = None) -> None:
        for part in (IAM_PROVIDERS, PROVIDER_USAGE):
            providers = self.loads.peek(part)
            if providers is not None:
                self.loads.put(part, [p for p in providers if p.arn != arn])
        self.announce(Changes(None, frozenset({IAM_PROVIDERS}), origin))

    def record_saved_pool(self, pool: dict) -> None:
        """A pool of this connection was saved: the usage kept with the pool list follows, with no request."""
        usage = self.loads.peek(PROVIDER_USAGE)
        if usage is not None:
            record_pool(usage, pool)


class PoolState:
    """One selected pool: its parts loaded on demand and shared, its saves, its announcements."""

    def __init__(self, connection: ConnectionState, pool_id: str) -> None:
        self.connection, self.pool_id = connection, pool_id
        self.identity, self.iam = connection.identity, connection.iam
        self.loads = SharedLoads()
        self.closed = False

    def __repr__(self) -> str:
        return f"PoolState({self.pool_id!r}, closed={self.closed})"

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """``listener`` hears the changes of this pool and of its connection (not of other pools)."""
        def heard(changes: Changes) -> None:
            if changes.pool_id in (None, self.pool_id):
                listener(changes)
        return self.connection.subscribe(heard)

    def _announce(self, parts: Iterable[str], origin: object) -> None:
        self.connection.announce(Changes(self.pool_id, frozenset(parts), origin))

    def close(self) -> None:
        """Another pool or connection was selected: stop what is loading for this one."""
        self.closed = True
        self.loads.cancel()

    def forget(self, *parts: str, origin: object = None) -> None:
        """Read ``parts`` again when next asked (Reload), and tell the other tabs they are stale."""
        self.loads.forget(*parts)
        self._announce(parts, origin)

    # --- reading ---------------------------------------------------------------------------------------------
    @property
    def latest_pool(self) -> dict | None:
        """The pool as last read or saved by this app (None before the first read)."""
        return copy.deepcopy(self.loads.peek(POOL))

    async def pool(self) -> dict:
        """The ``DescribeIdentityPool`` answer (a copy the caller may change)."""
        return copy.deepcopy(await self.loads.get(POOL, lambda: self.identity.describe_identity_pool(
            identity_pool_id=self.pool_id)))

    async def _roles_answer(self) -> dict:
        return await self.loads.get(ROLES, lambda: self.identity.get_identity_pool_roles(
            identity_pool_id=self.pool_id))

    async def tag_maps(self) -> dict[str, PrincipalTagMap]:
        """The principal-tag map of every provider of the pool (one request per provider, once)."""
        async def load() -> dict[str, PrincipalTagMap]:
            return await load_tag_maps(self.identity, await self.pool())
        return copy.deepcopy(await self.loads.get(PRINCIPAL_TAGS, load))

    async def roles_snapshot(self) -> RolesSnapshot:
        """What Roles & rules and Principal tags show (a copy each: one tab's unsaved edits stay its own)."""
        pool = await self.pool()
        form = RolesForm.from_api(await self._roles_answer())
        account_roles = await self.connection.account_roles()
        return await assemble_snapshot(self.iam, pool, form, account_roles, await self.tag_maps())

    # --- saving ----------------------------------------------------------------------------------------------
    async def save_pool(self, edit: PoolEdit, *, overwrite: bool = False, origin: object = None) -> Saved | Conflict:
        """``UpdateIdentityPool`` through :func:`~.pools.save_pool`, the edit first rebased onto the latest read;
        on success the saved pool becomes the latest read and :data:`POOL` is announced (with
        :data:`PRINCIPAL_TAGS` when the pool's providers changed: their maps are read again)."""
        latest = self.loads.peek(POOL)
        if latest is not None and latest != edit.loaded:
            edit.rebase(latest)
        outcome = await save_pool(self.identity, edit, overwrite=overwrite)
        if isinstance(outcome, Saved):
            parts = {POOL}
            if latest is None or login_keys(latest) != login_keys(outcome.pool):
                self.loads.forget(PRINCIPAL_TAGS)
                parts.add(PRINCIPAL_TAGS)
            self.loads.put(POOL, copy.deepcopy(outcome.pool))
            self.connection.record_saved_pool(outcome.pool)
            self._announce(parts, origin)
        return outcome

    async def save_roles(self, form: RolesForm, origin: object = None) -> None:
        """``SetIdentityPoolRoles`` with ``form``; announces :data:`ROLES`."""
        request = form.to_request()
        await self.identity.set_identity_pool_roles(identity_pool_id=self.pool_id, roles=request["Roles"],
                                                    role_mappings=request.get("RoleMappings", {}))
        self.loads.put(ROLES, copy.deepcopy(request))
        self._announce({ROLES}, origin)

    async def save_tag_map(self, tag_map: PrincipalTagMap, origin: object = None) -> None:
        """``SetPrincipalTagAttributeMap`` for one provider; announces :data:`PRINCIPAL_TAGS`."""
        request = tag_map.to_request(self.pool_id)
        answer = await self.identity.set_principal_tag_attribute_map(
            identity_pool_id=self.pool_id, identity_provider_name=request["IdentityProviderName"],
            use_defaults=request["UseDefaults"], principal_tags=request["PrincipalTags"])
        maps = self.loads.peek(PRINCIPAL_TAGS)
        if maps is not None:
            self.loads.put(PRINCIPAL_TAGS, {**maps, tag_map.provider: PrincipalTagMap.from_api(
                {"IdentityProviderName": tag_map.provider, **request, **answer})})
        self._announce({PRINCIPAL_TAGS}, origin)
