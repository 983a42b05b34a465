"""The role a sign-in should get, predicted from the pool's configuration by the one role engine.

Owns :class:`PoolConfig` (DescribeIdentityPool + GetIdentityPoolRoles, read with the connection's admin
credentials; the explanations of failures use it too) and :func:`predict`, which turns a provider login
into :class:`~cognito_desk.core.roles.LoginClaims` with the ``RoleMappings`` keys Cognito matches for that
kind of provider (an OIDC provider's IAM ARN or issuer key, a user pool key with ``:<app client id>``, a
SAML provider ARN, a social provider's key) and asks :func:`~cognito_desk.core.roles.resolve_role`. In the
basic flow no mapping applies: the prediction is the role the run asks STS for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..aws import CognitoIdentityClient
from ..core.login_keys import NotPreviewable, login_for
from ..core.presented import PresentedToken
from ..core.roles import LoginClaims, RoleDecision, RoleRequest, resolve_role
from .clients import ProviderKind
from .oauth import ProviderLogin
from .timeline import Timeline

__all__ = ["PoolConfig", "Prediction", "basic_flow_role", "load_pool_config", "predict", "same_role"]

#: How long each attempt to read the pool's configuration may take (seconds).
POOL_CONFIG_TIMEOUTS = (2.0, 3.0)


@dataclass(frozen=True)
class PoolConfig:
    pool: Mapping[str, Any] = field(default_factory=dict)
    roles: Mapping[str, Any] = field(default_factory=dict)
    #: Why the configuration could not be read (empty when it was).
    unavailable: str = ""


@dataclass(frozen=True)
class Prediction:
    role_arn: str | None
    explanation: str
    error_code: str | None = None
    #: How the role was chosen, in words (for the explanation of a refused role).
    why: str = ""


_SOURCES = {"custom-role": "asked for as CustomRoleArn", "ambiguous-default": "no rule applied, so the pool's default "
            "authenticated role", "token-preferred": "named by the token's cognito:preferred_role",
            "token-single-role": "the only role in the token's cognito:roles",
            "saml": "named by the SAML assertion's Role attribute"}


def _why(decision: RoleDecision) -> str:
    """How ``decision`` chose its role, in words: the matching rule's own text for a rule."""
    if decision.source == "rule":
        matched = [step for step in decision.steps if step.matched]
        if matched:
            return "chosen by " + matched[-1].text.split(" → role", 1)[0]
    if decision.source.startswith("default-"):
        return f"the pool's default {decision.source.removeprefix('default-')} role"
    return _SOURCES.get(decision.source, decision.source)


async def load_pool_config(identity: CognitoIdentityClient, pool_id: str, timeline: Timeline,
                           timeouts: tuple[float, ...] = POOL_CONFIG_TIMEOUTS) -> PoolConfig:
    """The pool and its roles, or a PoolConfig saying why they could not be read (no admin rights, too slow …).

    A read that does not answer in time is abandoned (its connection is dropped) and tried once more on a
    fresh connection; after that the prediction is given up, never the sign-in.
    """

    async def read() -> PoolConfig:
        with timeline.call("DescribeIdentityPool", "Pool configuration"):
            pool = await identity.describe_identity_pool(identity_pool_id=pool_id)
        with timeline.call("GetIdentityPoolRoles", "Pool configuration"):
            roles = await identity.get_identity_pool_roles(identity_pool_id=pool_id)
        return PoolConfig(pool, roles)

    for timeout in timeouts:
        try:
            return await asyncio.wait_for(read(), timeout)
        except TimeoutError:
            continue
        except Exception as exc:  # any failure only costs the prediction; the sign-in itself goes on
            return PoolConfig(unavailable=f"the pool's configuration could not be read ({exc})")
    return PoolConfig(unavailable=f"the pool's configuration did not arrive within {sum(timeouts):g} s")


def _mapping_keys(login: ProviderLogin, pool: Mapping[str, Any]) -> tuple[str, ...]:
    """The role-mapping keys the service looks up for this login: the role editor's preview works them out
    (``core.login_keys.login_for``, proven against the service), so the tester and the preview never differ."""
    try:
        return login_for(pool, login.logins_key, PresentedToken("claims", dict(login.claims))).mapping_keys
    except NotPreviewable:  # not a provider of this pool: the service refuses the login before any mapping
        return (login.logins_key,)


def predict(kind: ProviderKind, login: ProviderLogin | None, config: PoolConfig,
            custom_role_arn: str | None) -> Prediction:
    """The enhanced-flow role decision for this login under the pool's current configuration."""
    if config.unavailable:
        return Prediction(None, f"No prediction: {config.unavailable}.")
    if kind is ProviderKind.GUEST:
        request = RoleRequest("unauthenticated", config.roles.get("Roles", {}), custom_role_arn=custom_role_arn)
    elif kind is ProviderKind.DEVELOPER:
        request = RoleRequest("developer", config.roles.get("Roles", {}), custom_role_arn=custom_role_arn)
    else:
        assert login is not None
        claims = LoginClaims(login.logins_key, login.claims, _mapping_keys(login, config.pool),
                             login.saml_roles)
        request = RoleRequest("authenticated", config.roles.get("Roles", {}),
                              config.roles.get("RoleMappings", {}) or {}, (claims,), custom_role_arn)
    decision = resolve_role(request)
    return Prediction(decision.role_arn, decision.explain(), decision.error_code, _why(decision))


def basic_flow_role(kind: ProviderKind, config: PoolConfig, custom_role_arn: str | None) -> Prediction:
    """The role the basic flow asks STS for: ``custom_role_arn``, else the pool's default role for the login."""
    label = "unauthenticated" if kind is ProviderKind.GUEST else "authenticated"
    if custom_role_arn:
        return Prediction(custom_role_arn, f"Basic flow: the run asks STS for the chosen role {custom_role_arn}; "
                                           "role mappings do not apply, the role's trust policy decides.",
                          why="asked for as CustomRoleArn (basic flow)")
    default = config.roles.get("Roles", {}).get(label)
    if default:
        return Prediction(default, f"Basic flow: the pool's default {label} role {default} is asked for; role "
                                   "mappings do not apply, the role's trust policy decides.",
                          why=f"the pool's default {label} role (basic flow)")
    why = config.unavailable or f"the pool has no default {label} role"
    return Prediction(None, f"Basic flow needs a role to ask STS for: choose one (CustomRoleArn), {why}.")


def same_role(predicted_arn: str | None, assumed_arn: str | None) -> bool:
    """Whether two role ARNs name the same role (an assumed-role ARN carries no path, so paths are ignored)."""
    if not predicted_arn or not assumed_arn:
        return False
    def account_and_name(arn: str) -> tuple[str, str]:
        parts = arn.split(":", 5)
        return (parts[4] if len(parts) > 5 else "", arn.rsplit("/", 1)[-1])
    return account_and_name(predicted_arn) == account_and_name(assumed_arn)
