"""The Cognito side of a sign-in: the enhanced or basic exchange, developer and guest logins, GetCallerIdentity.

Each function makes its calls through the connection's clients (one injected ``httpx.AsyncClient``) and
records them on the run's :class:`~.timeline.Timeline` — with the ``Logins`` keys sent and the ``amr`` of
the Cognito token (read from the token where one is returned; for ``GetCredentialsForIdentity``, which
returns none, the ``amr`` Cognito gives such a request: ``authenticated`` plus the providers when
``Logins`` went with it, ``unauthenticated`` when not). :class:`VendedCredentials` keeps the secret key
and session token masked until they are exported on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..aws import CognitoIdentityClient, StsClient
from ..aws.credentials import StaticCredentials
from ..core.tokens import inspect_token
from ..settings import Secret
from .timeline import Timeline

__all__ = ["Exchange", "VendedCredentials", "assumed_role_arn"]

#: The Logins key under which a Cognito token (developer flow) goes back to GetCredentialsForIdentity.
SESSION_NAME = "cognito-desk-tester"


@dataclass(frozen=True)
class VendedCredentials:
    access_key_id: str
    secret_key: Secret
    session_token: Secret
    expiration: datetime

    @classmethod
    def from_wire(cls, raw: Mapping[str, Any]) -> VendedCredentials:
        secret = raw.get("SecretKey") or raw.get("SecretAccessKey") or ""
        return cls(str(raw["AccessKeyId"]), Secret(str(secret)), Secret(str(raw.get("SessionToken", ""))),
                   raw["Expiration"])

    def provider(self) -> StaticCredentials:
        return StaticCredentials(self.access_key_id, self.secret_key.reveal(), self.session_token.reveal())

    def as_environment(self) -> str:
        """``export AWS_…=…`` lines (secrets revealed: for the clipboard or a file the user asked for)."""
        return (f"export AWS_ACCESS_KEY_ID={self.access_key_id}\n"
                f"export AWS_SECRET_ACCESS_KEY={self.secret_key.reveal()}\n"
                f"export AWS_SESSION_TOKEN={self.session_token.reveal()}\n")

    def as_credentials_profile(self, profile: str) -> str:
        """A ``~/.aws/credentials`` section named ``profile`` (secrets revealed)."""
        return (f"[{profile}]\naws_access_key_id = {self.access_key_id}\n"
                f"aws_secret_access_key = {self.secret_key.reveal()}\n"
                f"aws_session_token = {self.session_token.reveal()}\n")


def _token_amr(token: str) -> tuple[str, ...]:
    amr = inspect_token(token).claims.get("amr", [])
    return tuple(str(item) for item in amr) if isinstance(amr, list) else ()


def _implied_amr(logins: Mapping[str, str]) -> tuple[str, ...]:
    return ("authenticated", *logins) if logins else ("unauthenticated",)


def assumed_role_arn(caller_arn: str) -> str:
    """``arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION`` → ``arn:aws:iam::ACCOUNT:role/NAME`` (path unknown)."""
    head, _, rest = caller_arn.partition(":assumed-role/")
    if not rest:
        return caller_arn
    partition_account = head.removeprefix("arn:").split(":sts:", 1)
    if len(partition_account) != 2:
        return caller_arn
    return f"arn:{partition_account[0]}:iam:{partition_account[1]}:role/{rest.split('/', 1)[0]}"


class Exchange:
    """The Cognito and STS calls of one run, recorded on ``timeline``."""

    def __init__(self, identity: CognitoIdentityClient, sts: StsClient, timeline: Timeline) -> None:
        self.identity = identity
        self.sts = sts
        self.timeline = timeline

    async def get_id(self, pool_id: str, logins: Mapping[str, str]) -> str:
        with self.timeline.call("GetId", logins=tuple(logins)):
            answer = await self.identity.get_id(identity_pool_id=pool_id, logins=dict(logins) or None)
        return str(answer["IdentityId"])

    async def credentials_for_identity(self, identity_id: str, logins: Mapping[str, str],
                                       custom_role_arn: str | None) -> VendedCredentials:
        with self.timeline.call("GetCredentialsForIdentity", logins=tuple(logins)) as call:
            call.amr = _implied_amr(logins)
            answer = await self.identity.get_credentials_for_identity(
                identity_id=identity_id, logins=dict(logins) or None, custom_role_arn=custom_role_arn or None)
        return VendedCredentials.from_wire(answer["Credentials"])

    async def open_id_token(self, identity_id: str, logins: Mapping[str, str]) -> str:
        with self.timeline.call("GetOpenIdToken", logins=tuple(logins)) as call:
            answer = await self.identity.get_open_id_token(identity_id=identity_id, logins=dict(logins) or None)
            call.amr = _token_amr(answer["Token"])
        return str(answer["Token"])

    async def developer_token(self, pool_id: str, provider_name: str, user_identifier: str) -> tuple[str, str]:
        """(identity id, Cognito token) from GetOpenIdTokenForDeveloperIdentity, signed with the admin credentials."""
        with self.timeline.call("GetOpenIdTokenForDeveloperIdentity", "GetId", logins=(provider_name,)) as call:
            answer = await self.identity.get_open_id_token_for_developer_identity(
                identity_pool_id=pool_id, logins={provider_name: user_identifier})
            call.amr = _token_amr(answer["Token"])
        return str(answer["IdentityId"]), str(answer["Token"])

    async def assume_role(self, role_arn: str, token: str) -> VendedCredentials:
        with self.timeline.call("AssumeRoleWithWebIdentity", "STS AssumeRoleWithWebIdentity") as call:
            call.amr = _token_amr(token)
            answer = await self.sts.assume_role_with_web_identity(role_arn, SESSION_NAME, token)
        return VendedCredentials.from_wire(answer["Credentials"])

    async def caller_identity(self, credentials: VendedCredentials) -> str:
        """The ARN STS sees for the vended credentials."""
        with self.timeline.call("GetCallerIdentity", "STS GetCallerIdentity"):
            answer = await self.sts.with_credentials(credentials.provider()).get_caller_identity()
        return str(answer["Arn"])

    async def describe_identity(self, identity_id: str) -> dict[str, Any]:
        with self.timeline.call("DescribeIdentity", "Identity details"):
            return await self.identity.describe_identity(identity_id=identity_id)
