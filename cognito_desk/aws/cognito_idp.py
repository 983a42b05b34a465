"""Async client for the Amazon Cognito user-pool API (``cognito-idp``, JSON 1.1 ``AWSCognitoIdentityProviderService``).

Two kinds of calls, as AWS defines them: the sign-in calls an app makes for its users — ``InitiateAuth`` and
``RespondToAuthChallenge`` — go out **unsigned** (the app client id, the user's password proof and, for a
client with a secret, the ``SECRET_HASH`` authenticate them); the admin reads the app's screens need —
``ListUserPools``, ``ListUserPoolClients``, ``DescribeUserPoolClient``, ``ListGroups``, ``GetGroup`` — are
SigV4-signed with the connection's credentials. Results are the wire dicts (PascalCase members), with
``CreationDate`` / ``LastModifiedDate`` as aware UTC datetimes; ``iter_*`` methods follow ``NextToken``.
Errors are the ``core.errors`` class of the code, as for every client (``NotAuthorizedException`` from a user
pool has the same code as Cognito Identity's: the sign-in flow says whose it is).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any

from .protocols import JsonProtocol, convert_timestamps, members, paginate
from .transport import ServiceClient

__all__ = ["CognitoIdpClient"]

_PROTOCOL = JsonProtocol("AWSCognitoIdentityProviderService")
_TIMESTAMPS = frozenset({"CreationDate", "LastModifiedDate"})
MAX_POOLS_PAGE = 60
MAX_PAGE = 60


class CognitoIdpClient(ServiceClient):
    """The user-pool API of one backend connection (real AWS, moto server, or a Local profile's user pool)."""

    async def _call(self, operation: str, params: Mapping[str, Any], *, signed: bool = True) -> dict[str, Any]:
        answer = await self.transport.call(_PROTOCOL, operation, params, signed=signed)
        return convert_timestamps(answer, _TIMESTAMPS)

    # -- sign-in (unsigned) --------------------------------------------------------------------------
    async def initiate_auth(self, *, client_id: str, auth_flow: str, auth_parameters: Mapping[str, str],
                            client_metadata: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Start ``auth_flow`` (``USER_SRP_AUTH``, ``USER_PASSWORD_AUTH``, ``REFRESH_TOKEN_AUTH`` …)."""
        return await self._call("InitiateAuth", members(
            AuthFlow=auth_flow, ClientId=client_id, AuthParameters=dict(auth_parameters),
            ClientMetadata=dict(client_metadata) if client_metadata else None), signed=False)

    async def respond_to_auth_challenge(self, *, client_id: str, challenge_name: str,
                                        challenge_responses: Mapping[str, str],
                                        session: str | None = None) -> dict[str, Any]:
        """Answer the challenge ``InitiateAuth`` (or the previous answer) returned."""
        return await self._call("RespondToAuthChallenge", members(
            ClientId=client_id, ChallengeName=challenge_name, Session=session,
            ChallengeResponses=dict(challenge_responses)), signed=False)

    # -- admin reads (signed) ------------------------------------------------------------------------
    async def list_user_pools(self, *, max_results: int = MAX_POOLS_PAGE,
                              next_token: str | None = None) -> dict[str, Any]:
        return await self._call("ListUserPools", members(MaxResults=max_results, NextToken=next_token))

    def iter_user_pools(self) -> AsyncIterator[dict[str, Any]]:
        """Every user pool of the account in the connection's region (``{Id, Name, …}``)."""
        return paginate(lambda token: self.list_user_pools(next_token=token), "UserPools",
                        lambda page: page.get("NextToken"))

    async def list_user_pool_clients(self, *, user_pool_id: str, max_results: int = MAX_PAGE,
                                     next_token: str | None = None) -> dict[str, Any]:
        return await self._call("ListUserPoolClients", members(UserPoolId=user_pool_id, MaxResults=max_results,
                                                               NextToken=next_token))

    def iter_user_pool_clients(self, user_pool_id: str) -> AsyncIterator[dict[str, Any]]:
        """Every app client of ``user_pool_id`` (``{ClientId, ClientName, UserPoolId}``)."""
        return paginate(lambda token: self.list_user_pool_clients(user_pool_id=user_pool_id, next_token=token),
                        "UserPoolClients", lambda page: page.get("NextToken"))

    async def describe_user_pool_client(self, *, user_pool_id: str, client_id: str) -> dict[str, Any]:
        """``{UserPoolClient: {…, ExplicitAuthFlows, ClientSecret?}}`` of one app client."""
        return await self._call("DescribeUserPoolClient", members(UserPoolId=user_pool_id, ClientId=client_id))

    async def list_groups(self, *, user_pool_id: str, limit: int = MAX_PAGE,
                          next_token: str | None = None) -> dict[str, Any]:
        return await self._call("ListGroups", members(UserPoolId=user_pool_id, Limit=limit, NextToken=next_token))

    def iter_groups(self, user_pool_id: str) -> AsyncIterator[dict[str, Any]]:
        """Every group of ``user_pool_id`` (``{GroupName, RoleArn?, Precedence?, …}``)."""
        return paginate(lambda token: self.list_groups(user_pool_id=user_pool_id, next_token=token), "Groups",
                        lambda page: page.get("NextToken"))

    async def get_group(self, *, user_pool_id: str, group_name: str) -> dict[str, Any]:
        return await self._call("GetGroup", members(UserPoolId=user_pool_id, GroupName=group_name))
