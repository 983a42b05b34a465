"""One sign-in run from provider login to ``GetCallerIdentity``, and its result — partial when a step fails.

Owns :class:`RunRequest` (pool, provider client, flow, optional ``CustomRoleArn``), :class:`RunResult`
(provider login, the ``Logins`` map sent, identity id new or returning and its linked logins, vended
credentials, the assumed role beside the predicted one, the call timeline and step durations, the two
expiries) and :class:`SignInRun`, which runs the steps in order and, when one fails, records a
:class:`RunFailure` naming the step with the error and its explanation (``core/explain.py`` for AWS errors)
and keeps everything gathered until then. An id_token-only provider handed an access token
(``token_use: access``) is refused before anything goes to Cognito. Cancelling the task cancels the run
(the user agent closes its page or listener); the partial result stays on :attr:`SignInRun.result`.
:meth:`SignInRun.refresh` gets new credentials with the same logins (renewing a user pool's tokens first with
``REFRESH_TOKEN_AUTH``), or says why a new login is needed.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

import httpx

from ..aws import BackendError, CognitoIdentityClient, CognitoIdpClient, IamClient, StsClient
from ..core import errors
from ..core.explain import ROLE_REFUSALS, Explanation, TriedRole, explain
from ..core.providers import COGNITO_PROVIDER
from ..core.tokens import format_duration, inspect_token
from .agent import ProviderError, UserAgent
from .challenges import UnansweredChallenge
from .clients import ProviderClient, ProviderKind
from .cognito import Exchange, VendedCredentials, assumed_role_arn
from .oauth import ProviderLogin, access_token_login
from .oidc import ProviderKeys, oidc_login
from .prediction import PoolConfig, Prediction, basic_flow_role, load_pool_config, predict, same_role
from .provider_errors import provider_explanation
from .recording import BrowserAction
from .role_check import tried_role
from .saml import saml_login
from .timeline import Timeline
from .userpool import STEP as USER_POOL_STEP
from .userpool import UserPoolRefused, UserPoolSignIn, refresh_login, user_pool_explanation, user_pool_login

__all__ = ["Flow", "RunFailure", "RunRequest", "RunResult", "SignInRun"]

ID_TOKEN_KINDS = (ProviderKind.OIDC, ProviderKind.USER_POOL, ProviderKind.USER_POOL_PASSWORD)
#: How long the IAM check of a refused role may take before the explanation goes without it.
ROLE_CHECK_SECONDS = 5.0


class Flow(StrEnum):
    ENHANCED = "enhanced"
    BASIC = "basic"


class Clients(Protocol):
    """What a run needs of a backend connection (``backend.Connection`` has it)."""

    http: httpx.AsyncClient
    identity: CognitoIdentityClient
    sts: StsClient
    iam: IamClient
    #: The user-pool API (None where the connection has none).
    cognito_idp: CognitoIdpClient | None


@dataclass(frozen=True)
class RunRequest:
    pool_id: str
    client: ProviderClient
    flow: Flow = Flow.ENHANCED
    custom_role_arn: str | None = None
    #: The client secret of a confidential provider client (from the keyring), revealed only for the token call.
    client_secret: str | None = field(default=None, repr=False)
    #: The origins a scenario run approved outside its file (None: the tester, on the user's own settings).
    approved_origins: frozenset[str] | None = None
    #: A user-pool (username & password) sign-in: the password and who answers the pool's challenges.
    user_pool: UserPoolSignIn | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "flow", Flow(self.flow))  # "basic" from a UI list or a file works as well


@dataclass(frozen=True)
class RunFailure:
    step: str
    error: Exception
    explanation: Explanation

    @property
    def message(self) -> str:
        return str(self.error)


@dataclass
class RunResult:
    request: RunRequest
    started_at: float
    timeline: Timeline = field(default_factory=Timeline)
    login: ProviderLogin | None = None
    #: The Logins map as sent to Cognito (key → token).
    logins: dict[str, str] = field(default_factory=dict)
    identity_id: str | None = None
    #: True for an identity that existed before this run, False for a new one, None when unknown.
    returning: bool | None = None
    linked_logins: tuple[str, ...] = ()
    cognito_token: str | None = None
    credentials: VendedCredentials | None = None
    caller_arn: str | None = None
    prediction: Prediction | None = None
    pool_config: PoolConfig = field(default_factory=PoolConfig)
    failure: RunFailure | None = None
    #: The role Cognito (or STS) refused, as predicted and checked in IAM: the explanation names it.
    tried_role: TriedRole | None = None
    #: What the user did on the provider's pages, when the user agent recorded it (the embedded browser does).
    browser_actions: tuple[BrowserAction, ...] | None = None
    #: The user pool's challenges met on the way (names only, never the answers).
    challenges: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.failure is None and self.caller_arn is not None

    @property
    def assumed_role(self) -> str | None:
        return assumed_role_arn(self.caller_arn) if self.caller_arn else None

    @property
    def roles_differ(self) -> bool:
        """The predicted role and the assumed one are both known and not the same role."""
        predicted = self.prediction.role_arn if self.prediction else None
        return bool(predicted and self.assumed_role) and not same_role(predicted, self.assumed_role)

    @property
    def provider_expires_at(self) -> float | None:
        return self.login.expires_at if self.login else None

    @property
    def credentials_expire_at(self) -> datetime | None:
        return self.credentials.expiration if self.credentials else None

    def step_durations(self) -> dict[str, float]:
        return self.timeline.step_durations()

    def refresh_advice(self, now: float | None = None) -> str:
        """Which countdown has run out, and what a refresh needs."""
        now = time.time() if now is None else now
        provider_left = None if self.provider_expires_at is None else self.provider_expires_at - now
        aws_left = None if self.credentials is None else self.credentials.expiration.timestamp() - now
        if provider_left is not None and provider_left <= 0:
            return (f"The provider token expired {format_duration(-provider_left)} ago: refreshing needs a new "
                    "provider login.")
        if aws_left is not None and aws_left <= 0:
            return (f"The AWS credentials expired {format_duration(-aws_left)} ago; the provider token is still "
                    "valid: a new GetCredentialsForIdentity is enough.")
        return "Both are valid: a refresh calls GetCredentialsForIdentity again with the same logins."


class SignInRun:
    """Runs sign-ins on one connection through one user agent."""

    def __init__(self, clients: Clients, agent: UserAgent | None = None, keys: ProviderKeys | None = None) -> None:
        self.clients = clients
        self.agent = agent
        #: Providers' signing keys, kept between the runs that share this object.
        self.keys = keys or ProviderKeys()
        self.result: RunResult | None = None

    async def run(self, request: RunRequest) -> RunResult:
        result = self.result = RunResult(request, time.time())
        exchange = Exchange(self.clients.identity, self.clients.sts, result.timeline)
        kind = request.client.kind
        problems = request.client.problems()
        if problems:
            result.failure = self._failure("Provider settings", ValueError(" ".join(problems)), result)
            return result
        # The pool's configuration (for the prediction and the explanations) is read while the user signs in.
        config = asyncio.ensure_future(load_pool_config(self.clients.identity, request.pool_id, result.timeline))
        step = USER_POOL_STEP if kind is ProviderKind.USER_POOL_PASSWORD else "Provider login"
        try:
            if kind not in (ProviderKind.GUEST, ProviderKind.DEVELOPER):
                result.login = await self._provider_login(request, result)
                result.logins = {result.login.logins_key: result.login.token}
                step = "Check token"
                self._check_token(request.client, result.login)
            result.pool_config = await config
            result.prediction = self._predict(request, result)
            step = "STS AssumeRoleWithWebIdentity"  # the only step that can fail without a call: no role to ask for
            await self._identity(request, result, exchange)
            await self._credentials(request, result, exchange)
            assert result.credentials is not None
            details, result.caller_arn = await asyncio.gather(
                self._identity_details(exchange, result.identity_id or ""),
                exchange.caller_identity(result.credentials))
            if details:
                result.returning = self._created_before_run(details, result.timeline)
                result.linked_logins = tuple(details.get("Logins", []))
        except (ProviderError, errors.AwsError, BackendError, ValueError) as exc:
            result.pool_config = await config  # for the explanation (it never raises; at most 5 s)
            step = self._failed_step(Timeline([c for c in result.timeline.calls if c.step != "Pool configuration"]),
                                     step)
            if isinstance(exc, errors.AwsError) and exc.code in ROLE_REFUSALS:
                result.tried_role = await self._tried_role(result)
            result.failure = self._failure(step, exc, result)
        finally:
            config.cancel()
        return result

    async def refresh(self, result: RunResult) -> RunResult:
        """New credentials with the same logins (a provider login is not repeated; a user pool's tokens are renewed
        first with its refresh token, so they may have expired)."""
        renewable = result.login is not None and bool(result.login.refresh_token)
        if not renewable and result.provider_expires_at is not None and result.provider_expires_at <= time.time():
            raise ProviderError(result.refresh_advice(), error="provider_token_expired")
        exchange = Exchange(self.clients.identity, self.clients.sts, result.timeline)
        result.failure = None
        calls_before = len(result.timeline.calls)
        try:
            if renewable and result.login is not None:
                result.login = await refresh_login(self._user_pool_api(), result.request.client, result.login,
                                                   result.request.client_secret, result.timeline)
                result.logins = {result.login.logins_key: result.login.token}
            await self._credentials(result.request, result, exchange)
            assert result.credentials is not None
            result.caller_arn = await exchange.caller_identity(result.credentials)
        except (ProviderError, errors.AwsError, BackendError, ValueError) as exc:
            step = self._failed_step(Timeline(result.timeline.calls[calls_before:]), "Refresh")
            result.failure = self._failure(step, exc, result)
        return result

    def _user_pool_api(self) -> CognitoIdpClient:
        api = getattr(self.clients, "cognito_idp", None)
        if api is None:
            raise ValueError("This connection has no user pool API: for a Local connection, set its user pool "
                             "endpoint (a cognito-idp server such as moto server) in the connection's settings.")
        return api

    async def _provider_login(self, request: RunRequest, result: RunResult) -> ProviderLogin:
        client, http, timeline = request.client, self.clients.http, result.timeline
        if client.kind is ProviderKind.USER_POOL_PASSWORD:
            if request.user_pool is None:
                raise ValueError("A user-pool sign-in needs the user's password.")
            return await user_pool_login(self._user_pool_api(), client, request.user_pool, request.client_secret,
                                         timeline, result.challenges)
        if self.agent is None:
            raise ValueError(f"A {client.kind.value} sign-in needs a browser, and this run has none.")
        if client.kind in ID_TOKEN_KINDS:
            return await oidc_login(http, self.agent, client, request.client_secret, timeline, self.keys,
                                    request.approved_origins)
        if client.kind is ProviderKind.SAML:
            return await saml_login(self.agent, client, timeline)
        return await access_token_login(http, self.agent, client.with_oauth_defaults(), request.client_secret,
                                        timeline, request.approved_origins)

    @staticmethod
    def _check_token(client: ProviderClient, login: ProviderLogin) -> None:
        if client.kind not in ID_TOKEN_KINDS:
            return
        claims = inspect_token(login.token).claims
        if login.token_type == "access_token" or claims.get("token_use") == "access":
            raise ValueError(f"An access token is about to be sent under {login.logins_key}, where Cognito accepts "
                             "only an id_token (token_use: access): it would be refused, so nothing was sent.")

    def _predict(self, request: RunRequest, result: RunResult) -> Prediction:
        if request.flow is Flow.BASIC:
            return basic_flow_role(request.client.kind, result.pool_config, request.custom_role_arn)
        return predict(request.client.kind, result.login, result.pool_config, request.custom_role_arn)

    async def _identity(self, request: RunRequest, result: RunResult, exchange: Exchange) -> None:
        client = request.client
        if client.kind is ProviderKind.DEVELOPER:
            result.identity_id, result.cognito_token = await exchange.developer_token(
                request.pool_id, client.developer_provider_name, client.developer_user_identifier)
            result.logins = {COGNITO_PROVIDER: result.cognito_token}
            return
        result.identity_id = await exchange.get_id(request.pool_id, result.logins)

    async def _credentials(self, request: RunRequest, result: RunResult, exchange: Exchange) -> None:
        assert result.identity_id is not None
        if request.flow is Flow.ENHANCED:
            result.credentials = await exchange.credentials_for_identity(result.identity_id, result.logins,
                                                                         request.custom_role_arn)
            return
        if request.client.kind is not ProviderKind.DEVELOPER:
            result.cognito_token = await exchange.open_id_token(result.identity_id, result.logins)
        role = result.prediction.role_arn if result.prediction else None
        if not role:
            raise ValueError(result.prediction.explanation if result.prediction else "No role to ask STS for.")
        assert result.cognito_token is not None
        result.credentials = await exchange.assume_role(role, result.cognito_token)

    @staticmethod
    async def _identity_details(exchange: Exchange, identity_id: str) -> dict[str, Any]:
        try:
            return await exchange.describe_identity(identity_id)
        except (errors.AwsError, BackendError):
            return {}  # without admin rights the run simply does not say new or returning

    @staticmethod
    def _created_before_run(details: dict[str, Any], timeline: Timeline) -> bool | None:
        """An identity created before this run's first identity call is a returning one (clocks assumed in step)."""
        created = details.get("CreationDate")
        first = next((call for call in timeline.calls if call.step == "GetId"), None)
        return created.timestamp() < first.started if created and first else None

    async def _tried_role(self, result: RunResult) -> TriedRole | None:
        """The refused role with what IAM says of it (the pool config is already read; IAM gets a few seconds)."""
        try:
            return await asyncio.wait_for(tried_role(self.clients.iam, result.prediction, result.pool_config.pool,
                                                     result.login, result.identity_id), ROLE_CHECK_SECONDS)
        except TimeoutError:
            return None

    @staticmethod
    def _failed_step(timeline: Timeline, otherwise: str) -> str:
        """The step of the call that failed, or ``otherwise`` when the failure came between calls."""
        failed = [call for call in timeline.calls if call.error]
        return failed[-1].step if failed else otherwise

    @staticmethod
    def _failure(step: str, exc: Exception, result: RunResult) -> RunFailure:
        if isinstance(exc, UserPoolRefused):
            explanation = user_pool_explanation(exc)
        elif isinstance(exc, UnansweredChallenge):
            explanation = Explanation("The user pool set a challenge this run could not answer", exc.message,
                                      "Answer it in the tester, or give the scenario what it needs (a new "
                                      "password or TOTP seed reference); other challenges cannot be automated.",
                                      [("Challenge", exc.challenge)] if exc.challenge else [])
        elif isinstance(exc, errors.AwsError):
            explanation = explain(exc, logins=result.logins, pool=result.pool_config.pool,
                                  roles=result.pool_config.roles, notes=exc.notes, tried_role=result.tried_role)
        elif isinstance(exc, ProviderError):
            explanation = provider_explanation(exc, result.request.client)
        elif isinstance(exc, BackendError):
            explanation = Explanation("The backend did not answer", exc.message,
                                      "Check that the connection's endpoint is reachable and try again.")
        else:
            explanation = Explanation(f"The run stopped at {step}", str(exc),
                                      "Change the run's settings as the message says and run it again.")
        return RunFailure(step, exc, explanation)
