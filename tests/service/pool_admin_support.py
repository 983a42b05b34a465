"""Connections for the pool-administration tests: the app's own :class:`Connection` on any endpoint URL."""

from __future__ import annotations

import asyncio

import httpx

from cognito_desk.aws import RetryPolicy, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.backend.connection import Connection
from cognito_desk.settings import CredentialSource, EndpointProfile

MOTO_KEYS = ("AKIAIOSFODNN7EXAMPLE", "moto-accepts-any-secret")


def connection(http: httpx.AsyncClient, url: str, region: str, keys: tuple[str, str], name: str) -> Connection:
    """A connection to ``url`` signing with ``keys`` (no retries, so failures show at once)."""
    profile = EndpointProfile(name, url, region, CredentialSource.KEYRING)
    conn = Connection(profile, custom_endpoints(url, region), http, StaticCredentials(*keys))
    for client in (conn.identity, conn.iam, conn.sts):
        client.transport.retry = RetryPolicy(max_attempts=1)
    return conn


def embedded(http: httpx.AsyncClient, service, name: str = "local") -> Connection:
    return connection(http, service.url, service.region, (service.access_key_id, service.secret_access_key), name)


def run(scenario):
    """Run ``scenario(http)`` on a fresh event loop with one shared HTTP client."""

    async def main():
        async with httpx.AsyncClient() as http:
            return await scenario(http)

    return asyncio.run(main())
