"""Test plumbing around ``ProviderVerifier``: identity pool rows in a temporary Store, and running a verifier.

:func:`store_fixture` (import it into a test module) is the pytest fixture ``store``: a fresh Store in ``tmp_path``;
:func:`add_pool` writes a row of table ``pools`` with SQL (JSON columns as given) and returns it as read
back; :func:`run_verifier` runs an async scenario with a fresh ``httpx.AsyncClient`` and ``ProviderVerifier``
inside one event loop, so the verifier's caches live across the scenario's calls. :func:`validate` checks one
login token that way, at :data:`NOW` unless told otherwise, and :func:`refused` answers the message of the
error it raises.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

import httpx
import pytest

from cognito_desk.core import errors
from cognito_desk.service.context import ServiceSettings
from cognito_desk.service.logins import ValidatedLogin
from cognito_desk.service.providers import ProviderVerifier
from cognito_desk.service.store import Store

T = TypeVar("T")
#: The clock of the provider tests: tokens are minted for it and checked at it.
NOW = 1_700_000_000


@pytest.fixture(name="store")
def store_fixture(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "service.db")
    yield store
    store.close()


def add_pool(store: Store, *, supported: Mapping[str, str] | None = None, user_pools: list[dict] | None = None,
             oidc_arns: list[str] | None = None, saml_arns: list[str] | None = None) -> sqlite3.Row:
    pool_id = f"us-east-1:{uuid.uuid4()}"
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO pools (id, name, allow_unauthenticated, supported_login_providers, "
            "cognito_identity_providers, openid_connect_provider_arns, saml_provider_arns, created) "
            "VALUES (?, 'test', 0, ?, ?, ?, ?, 0)",
            (pool_id, json.dumps(supported or {}), json.dumps(user_pools or []), json.dumps(oidc_arns or []),
             json.dumps(saml_arns or [])))
    return store.query_one("SELECT * FROM pools WHERE id = ?", (pool_id,))


def add_oidc_provider(store: Store, url: str, client_ids: list[str], account: str = "111122223333") -> str:
    arn = f"arn:aws:iam::{account}:oidc-provider/{url.split('://', 1)[1]}"
    with store.transaction() as conn:
        conn.execute("INSERT INTO iam_oidc_providers (arn, url, client_ids, created) VALUES (?, ?, ?, 0)",
                     (arn, url, json.dumps(client_ids)))
    return arn


def add_saml_provider(store: Store, name: str, metadata: str, account: str = "111122223333") -> str:
    arn = f"arn:aws:iam::{account}:saml-provider/{name}"
    with store.transaction() as conn:
        conn.execute("INSERT INTO iam_saml_providers (arn, name, metadata, created) VALUES (?, ?, ?, 0)",
                     (arn, name, metadata))
    return arn


def run_verifier(store: Store, scenario: Callable[[ProviderVerifier], Awaitable[T]], *,
                 endpoints: Mapping[str, str] | None = None, **verifier_options) -> T:
    settings = ServiceSettings(provider_endpoints=dict(endpoints or {}))

    async def main() -> T:
        async with httpx.AsyncClient() as http:
            return await scenario(ProviderVerifier(settings, store, http, **verifier_options))

    return asyncio.run(main())


def validate(store: Store, pool: sqlite3.Row, key: str, token: str, endpoints: Mapping[str, str] | None = None, *,
             now: float = NOW, **verifier_options) -> ValidatedLogin:
    """``ProviderVerifier.validate`` of one login ``{key: token}`` at ``now``, in a fresh verifier."""
    async def scenario(verifier: ProviderVerifier) -> ValidatedLogin:
        return await verifier.validate(pool, key, token, now=now)
    return run_verifier(store, scenario, endpoints=endpoints, **verifier_options)


def refused(store: Store, pool: sqlite3.Row, key: str, token: str, endpoints: Mapping[str, str] | None = None, *,
            error: type[errors.AwsError] = errors.NotAuthorizedException, now: float = NOW) -> str:
    """The message of the ``error`` (its code checked too) that :func:`validate` raises for this login."""
    with pytest.raises(error) as excinfo:
        validate(store, pool, key, token, endpoints, now=now)
    assert excinfo.value.code == error.code
    return excinfo.value.message
