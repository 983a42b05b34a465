"""Async client for the two STS operations the sign-in flows use (query protocol, 2011-06-15).

``GetCallerIdentity`` is signed, normally with credentials just vended by Cognito (use
``StsClient.with_credentials``); ``AssumeRoleWithWebIdentity`` is sent unsigned. Results are plain
dicts of the ``<…Result>`` members with the wire names (``Credentials``, ``AssumedRoleUser``, …);
``Expiration`` is an aware UTC ``datetime`` and ``PackedPolicySize`` an ``int``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .protocols import QueryProtocol, XmlShape, members
from .transport import ServiceClient

_PROTOCOL = QueryProtocol("2011-06-15")
_SHAPE = XmlShape(
    structures=frozenset({"Credentials", "AssumedRoleUser"}),
    timestamps=frozenset({"Expiration"}),
    integers=frozenset({"PackedPolicySize"}),
)


class StsClient(ServiceClient):
    """The STS API of one backend connection."""

    async def _call(
        self, operation: str, params: Mapping[str, Any], *, signed: bool = True
    ) -> dict[str, Any]:
        result = await self.transport.call(_PROTOCOL, operation, params, signed=signed)
        return _SHAPE.to_data(result) or {}

    async def get_caller_identity(self) -> dict[str, Any]:
        """``{UserId, Account, Arn}`` of whoever signed the call."""
        return await self._call("GetCallerIdentity", {})

    async def assume_role_with_web_identity(
        self,
        role_arn: str,
        session_name: str,
        token: str,
        duration_seconds: int | None = None,
        *,
        provider_id: str | None = None,
        policy: str | None = None,
        policy_arns: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Exchange an OIDC/web identity token for role credentials (unsigned)."""
        return await self._call(
            "AssumeRoleWithWebIdentity",
            members(
                RoleArn=role_arn,
                RoleSessionName=session_name,
                WebIdentityToken=token,
                DurationSeconds=duration_seconds,
                ProviderId=provider_id,
                Policy=policy,
                PolicyArns=[{"arn": arn} for arn in policy_arns] if policy_arns else None,
            ),
            signed=False,
        )
