"""User-pool sign-in the way apps do it: ``InitiateAuth`` (SRP or password), the challenges, ``REFRESH_TOKEN_AUTH``.

Owns :func:`user_pool_login` — from a username and password to the user pool's tokens, over the
connection's :class:`~cognito_desk.aws.CognitoIdpClient`: ``USER_SRP_AUTH`` (the proof computed in
:mod:`.srp`, in a worker thread) or ``USER_PASSWORD_AUTH``, ``SECRET_HASH`` on every request when the app
client has a secret, then each challenge the pool sets handed to a :class:`ChallengeAnswerer` (the
tester's form or a scenario's references) until tokens come back — and :func:`refresh_login`
(``REFRESH_TOKEN_AUTH``). Every call goes on the run's timeline under the step ``User pool sign-in`` with
the challenge's name (never an answer); the last one notes the ``cognito:groups`` / ``cognito:roles`` /
``cognito:preferred_role`` claims. An error the user pool answers with becomes :class:`UserPoolRefused`,
which keeps the AWS code but says the *user pool* refused, not Cognito Identity;
:func:`user_pool_explanation` explains it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from ..aws import CognitoIdpClient
from ..core import errors
from ..core.explain import Explanation
from ..core.tokens import inspect_token
from ..settings import Secret
from .agent import ProviderError
from .challenges import PASSWORD_VERIFIER, Challenge, UnansweredChallenge
from .clients import ProviderClient
from .oauth import ProviderLogin
from .srp import SrpProof, secret_hash
from .timeline import Timeline

__all__ = ["AuthFlow", "ChallengeAnswerer", "UserPoolRefused", "UserPoolSignIn", "refresh_login",
           "role_claims_note", "user_pool_explanation", "user_pool_login"]

STEP = "User pool sign-in"
MAX_CHALLENGES = 8
ROLE_CLAIMS = ("cognito:groups", "cognito:roles", "cognito:preferred_role")


class AuthFlow(StrEnum):
    SRP = "srp"            # USER_SRP_AUTH: the password never leaves the machine
    PASSWORD = "password"  # USER_PASSWORD_AUTH: the password is sent (over TLS) to the user pool

    @property
    def wire(self) -> str:
        return "USER_SRP_AUTH" if self is AuthFlow.SRP else "USER_PASSWORD_AUTH"


class ChallengeAnswerer(Protocol):
    async def answer(self, challenge: Challenge) -> Mapping[str, str]:
        """The values for ``challenge.fields()`` (raise to give up; cancelling cancels the run)."""
        ...


@dataclass(frozen=True)
class UserPoolSignIn:
    """What a user-pool sign-in needs beyond the provider client: the password and who answers challenges."""

    password: Secret
    answerer: ChallengeAnswerer | None = field(default=None, compare=False)


class UserPoolRefused(errors.AwsError):
    """An error answer of the user pool (cognito-idp), not of Cognito Identity; ``code`` is the AWS code."""

    service = "cognito-idp"
    #: What the user pool refused (``InitiateAuth``, ``the NEW_PASSWORD_REQUIRED answer`` …).
    operation = "the sign-in"

    @classmethod
    def of(cls, error: errors.AwsError, operation: str) -> UserPoolRefused:
        refused = cls(error.message, code=error.code, status=error.status, request_id=error.request_id)
        refused.operation = operation
        return refused

    def __str__(self) -> str:
        return f"The user pool refused {self.operation}: {super().__str__()}"


_FIXES = {
    "NotAuthorizedException": "Check the username and password (and the app client secret, if the client has "
                              "one); a disabled user or a client not allowed this auth flow is refused the same way.",
    "UserNotFoundException": "Check the username: this user pool has no such user.",
    "UserNotConfirmedException": "Confirm the user first (ConfirmSignUp, or AdminConfirmSignUp as an admin).",
    "PasswordResetRequiredException": "Reset the user's password (ForgotPassword) before signing in.",
    "CodeMismatchException": "The code was wrong or too old: enter the current code and try again.",
    "ExpiredCodeException": "The code expired: sign in again to get a new one.",
    "InvalidPasswordException": "The new password does not meet the user pool's password policy.",
    "InvalidParameterException": "Check that the app client allows this auth flow (ExplicitAuthFlows).",
    "ResourceNotFoundException": "Check the user pool ID and the app client ID.",
}


def user_pool_explanation(error: UserPoolRefused) -> Explanation:
    return Explanation(f"The user pool refused the sign-in ({error.code})",
                       f"{error.message or error.code} — this answer came from the user pool (cognito-idp), "
                       "before anything was sent to Cognito Identity.",
                       _FIXES.get(error.code, "Check the user pool, app client and user settings, then try again."),
                       [("Service", "cognito-idp (user pool)"), ("Error code", error.code)])


def role_claims_note(claims: Mapping[str, Any]) -> str:
    """``cognito:groups = a, b; cognito:roles = …; cognito:preferred_role = …`` (absent ones said so)."""
    def shown(value: Any) -> str:
        if value is None:
            return "absent"
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return "; ".join(f"{name} = {shown(claims.get(name))}" for name in ROLE_CLAIMS)


class _Session:
    """One sign-in's calls: the client, the app client, the secret hash, the timeline, the challenges met."""

    def __init__(self, idp: CognitoIdpClient, client: ProviderClient, client_secret: str | None,
                 timeline: Timeline, challenges: list[str]) -> None:
        self.idp, self.client, self.secret = idp, client, client_secret
        self.timeline, self.challenges = timeline, challenges

    def with_hash(self, params: dict[str, str], username: str) -> dict[str, str]:
        if self.secret:
            params["SECRET_HASH"] = secret_hash(username, self.client.client_id, self.secret)
        return params

    async def initiate(self, flow: str, params: dict[str, str]) -> dict[str, Any]:
        with self.timeline.call(f"InitiateAuth ({flow})", STEP):
            try:
                return await self.idp.initiate_auth(client_id=self.client.client_id, auth_flow=flow,
                                                    auth_parameters=params)
            except errors.AwsError as exc:
                raise UserPoolRefused.of(exc, "InitiateAuth") from exc

    async def respond(self, name: str, responses: dict[str, str], session: str | None) -> dict[str, Any]:
        with self.timeline.call(f"RespondToAuthChallenge ({name})", STEP):
            try:
                return await self.idp.respond_to_auth_challenge(client_id=self.client.client_id, challenge_name=name,
                                                                challenge_responses=responses, session=session)
            except errors.AwsError as exc:
                raise UserPoolRefused.of(exc, f"the {name} answer") from exc


def _login(client: ProviderClient, result: Mapping[str, Any], timeline: Timeline,
           refresh_token: str | None = None) -> ProviderLogin:
    tokens = result.get("AuthenticationResult") or {}
    id_token = str(tokens.get("IdToken") or "")
    if not id_token:
        raise ProviderError("The user pool answered without an ID token.", error="no_id_token")
    claims = inspect_token(id_token).claims
    ours = [call for call in timeline.calls if call.step == STEP]  # the pool's configuration loads meanwhile
    if ours:
        ours[-1].note = role_claims_note(claims)
    expires = claims.get("exp")
    return ProviderLogin(client.logins_key, id_token, "id_token", id_token=id_token,
                         access_token=tokens.get("AccessToken"), claims=claims,
                         expires_at=float(expires) if isinstance(expires, int | float) else time.time()
                         + float(tokens.get("ExpiresIn") or 3600),
                         refresh_token=tokens.get("RefreshToken") or refresh_token)


async def user_pool_login(idp: CognitoIdpClient, client: ProviderClient, sign_in: UserPoolSignIn,
                          client_secret: str | None, timeline: Timeline, challenges: list[str]) -> ProviderLogin:
    """Sign ``client.username`` in; ``challenges`` receives the name of every challenge met (never an answer)."""
    session = _Session(idp, client, client_secret, timeline, challenges)
    username, flow = client.username.strip(), AuthFlow(client.auth_flow)
    if not username:
        raise ValueError("A user-pool sign-in needs the username.")
    if flow is AuthFlow.SRP:
        # 3072-bit modular arithmetic (~0.1 s each): in a worker thread, so the window never waits on it.
        srp = await asyncio.to_thread(SrpProof, client.user_pool_id, client.client_id, username,
                                      sign_in.password.reveal())
        result = await session.initiate(flow.wire, session.with_hash({"USERNAME": username, "SRP_A": srp.srp_a},
                                                                     username))
        if result.get("ChallengeName") == PASSWORD_VERIFIER:
            challenge = Challenge(PASSWORD_VERIFIER, result.get("ChallengeParameters") or {}, username)
            answer = await asyncio.to_thread(srp.answer, challenge.parameters)
            result = await session.respond(PASSWORD_VERIFIER, session.with_hash(answer, challenge.user),
                                           result.get("Session"))
    else:
        result = await session.initiate(flow.wire, session.with_hash(
            {"USERNAME": username, "PASSWORD": sign_in.password.reveal()}, username))
    for _ in range(MAX_CHALLENGES):
        name = result.get("ChallengeName")
        if not name:
            return _login(client, result, timeline)
        challenge = Challenge(str(name), result.get("ChallengeParameters") or {}, username)
        challenges.append(challenge.name)
        if not challenge.answerable:
            raise UnansweredChallenge(challenge.describe(), challenge.name)
        if sign_in.answerer is None:
            raise UnansweredChallenge(f"The user pool asks for {challenge.name}, and this run has nobody to "
                                      "answer it.", challenge.name)
        values = await sign_in.answerer.answer(challenge)
        result = await session.respond(challenge.name, session.with_hash(challenge.responses(values),
                                                                         challenge.user), result.get("Session"))
    raise UnansweredChallenge(f"The user pool set more than {MAX_CHALLENGES} challenges in a row.",
                              str(result.get("ChallengeName", "")))


async def refresh_login(idp: CognitoIdpClient, client: ProviderClient, login: ProviderLogin,
                        client_secret: str | None, timeline: Timeline) -> ProviderLogin:
    """New user-pool tokens from ``login.refresh_token`` (``REFRESH_TOKEN_AUTH``)."""
    if not login.refresh_token:
        raise ProviderError("This sign-in has no refresh token: sign in again.", error="no_refresh_token")
    session = _Session(idp, client, client_secret, timeline, [])
    username = str(login.claims.get("cognito:username") or login.claims.get("sub") or client.username)
    result = await session.initiate("REFRESH_TOKEN_AUTH", session.with_hash(
        {"REFRESH_TOKEN": login.refresh_token}, username))
    return _login(client, result, timeline, login.refresh_token)
