"""The last step of the enhanced flow: choose the role, check its trust policy, vend credentials.

``credentials_for`` does what Cognito does inside GetCredentialsForIdentity (reference §4.8, §5):
ask the one role engine (``core.roles.resolve_role``) which role the caller gets, look the role
up in the local IAM, check the trust policy for ``sts:AssumeRoleWithWebIdentity`` (and
``sts:TagSession`` when session tags are passed) with the claims Cognito would put in its token
(``aud``, ``amr``, ``sub``), and mint one-hour credentials with the session name
``CognitoIdentityCredentials``. Any refusal surfaces as AWS does — as
``InvalidIdentityPoolConfigurationException`` — while the exact reason goes to the request log
and the ``x-cognito-desk-notes`` response header, so a tester can see *why*.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping

from ..core import errors, policy, roles
from ..core.providers import COGNITO_PROVIDER, trust_context
from . import credentials, iam, pools
from .context import RequestContext
from .logins import ValidatedLogin

SESSION_NAME = "CognitoIdentityCredentials"
CREDENTIALS_LIFETIME = 3600


def _refuse(ctx: RequestContext, why: str) -> errors.AwsError:
    ctx.log_notes.append(why)
    return errors.InvalidIdentityPoolConfigurationException(roles.IIPC_MESSAGE)


def check_trust(ctx: RequestContext, role: sqlite3.Row, context: dict, session_tags: Mapping[str, str]) -> None:
    """Raise IIPC unless the role's trust policy lets a Cognito token assume it (and tag the session)."""
    try:
        decision = policy.evaluate_trust_policy(role["assume_role_policy"], federated_principal=COGNITO_PROVIDER,
                                                action="sts:AssumeRoleWithWebIdentity", context=context)
    except errors.MalformedPolicyDocument as exc:
        raise _refuse(ctx, f"trust=denied role={role['name']}: the trust policy is malformed ({exc.message})") \
            from None
    if not decision.allowed:
        raise _refuse(ctx, f"trust=denied role={role['name']}: {'; '.join(decision.reasons)}")
    if session_tags:
        tagged = {**context, **{f"aws:RequestTag/{k}": v for k, v in session_tags.items()},
                  "aws:TagKeys": list(session_tags)}
        decision = policy.evaluate_trust_policy(role["assume_role_policy"], federated_principal=COGNITO_PROVIDER,
                                                action="sts:TagSession", context=tagged)
        if not decision.allowed:
            raise _refuse(ctx, f"trust=denied role={role['name']} (sts:TagSession, principal tags are mapped): "
                               f"{'; '.join(decision.reasons)}")


def credentials_for(ctx: RequestContext, pool: sqlite3.Row, identity_id: str, *, kind: str, amr: Iterable[str],
                    logins: Iterable[ValidatedLogin], session_tags: Mapping[str, str],
                    custom_role_arn: str | None) -> dict:
    """Resolve the role for the caller and return the ``Credentials`` structure of the API."""
    pool_roles, role_mappings = pools.pool_roles(ctx, pool)
    decision = roles.resolve_role(roles.RoleRequest(
        kind=kind,
        pool_roles=pool_roles,
        role_mappings=role_mappings,
        logins=tuple(roles.LoginClaims(provider_name=login.provider_name, claims=login.claims,
                                       mapping_keys=login.mapping_keys, saml_roles=login.saml_roles)
                     for login in logins if login.provider_name != COGNITO_PROVIDER),
        custom_role_arn=custom_role_arn,
    ))
    if decision.role_arn is None:
        ctx.log_notes.append(f"role=none source={decision.source}: {decision.explain()}")
        decision.raise_for_error()
    role = iam.find_role(ctx.store, decision.role_arn)
    if role is None:
        raise _refuse(ctx, f"role {decision.role_arn} does not exist in IAM")
    check_trust(ctx, role, trust_context(pool["id"], identity_id, amr), session_tags)
    ctx.log_notes.append(f"role={role['name']} source={decision.source}")
    vended = credentials.vend_credentials(ctx, role=role, session_name=SESSION_NAME, subject=identity_id,
                                          session_tags=session_tags, duration=CREDENTIALS_LIFETIME)
    return {"AccessKeyId": vended["AccessKeyId"], "SecretKey": vended["SecretAccessKey"],
            "SessionToken": vended["SessionToken"], "Expiration": vended["Expiration"]}
