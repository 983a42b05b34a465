"""The embedded STS: GetCallerIdentity and AssumeRoleWithWebIdentity.

Handlers take and return botocore shapes (``query.py`` does the wire). A web identity token is
verified by the verifier for its issuer (:func:`web_identity_verifier`): the service's own Cognito
tokens, or a token of an IAM OIDC provider registered for that issuer URL, checked by
``ctx.providers`` (``providers.ProviderVerifier``) against the provider's client ids. Either way it
becomes a :class:`WebIdentity`: the federated principal, subject, audience, the trust-policy
condition keys and the session tags. For an IAM OIDC provider the principal is the provider ARN and
the keys are ``<host[/path]>:aud`` (``azp`` when the token has one, else ``aud``, as IAM documents),
``:sub`` and ``:azp``; the response's ``Provider`` is that ARN too, as observed from AWS (its
documentation says the ``iss``). The role's trust policy then decides, through ``core.policy``, both
``sts:AssumeRoleWithWebIdentity`` and, when tags are passed, ``sts:TagSession``; refusal reasons go
to the request log, never to the caller.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import jwt

from ..core import errors
from ..core.permissions.document import parse_document
from ..core.policy import evaluate_trust_policy
from ..core.providers import COGNITO_PROVIDER, NOT_SUPPORTED, trust_context
from . import keys
from .context import RequestContext
from .credentials import assumed_role_arn, vend_credentials
from .iam import find_role
from .iam_providers import find_oidc_provider_by_url, provider_path
from .providers import TokenExpired

TAGS_CLAIM = "https://aws.amazon.com/tags"
DEFAULT_DURATION = 3600
#: What AWS allows in the packed session (policies + tags); PackedPolicySize is a percentage of it.
_PACKED_LIMIT = 2048
_ROLE_ARN = re.compile(r"arn:[\w-]+:iam::\d{12}:role/.+")

_NOT_JWT = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
_NO_KEY = ("Couldn't retrieve verification key from your identity provider, please reference "
           "AssumeRoleWithWebIdentity documentation for requirements")
_NOT_VALIDATED = ("The web identity token that was passed could not be validated by AWS. Get a new "
                  "identity token from the identity provider and then retry the request.")
_WRONG_AUDIENCE = "Incorrect token audience"
_UNREACHABLE = ("The request could not be fulfilled because the identity provider (IDP) that was asked to "
                "verify the incoming identity token could not be reached.")


@dataclass(frozen=True)
class WebIdentity:
    """A verified web identity token, as STS sees it."""

    #: The federated principal the trust policy must name, also the response's ``Provider``.
    provider: str
    subject: str
    audience: str
    #: Trust-policy condition keys, e.g. ``cognito-identity.amazonaws.com:amr``.
    condition_context: dict[str, str | list[str]]
    session_tags: dict[str, str] = field(default_factory=dict)


WebIdentityVerifier = Callable[[RequestContext, str], Awaitable[WebIdentity]]


def _session_tags(claims: Mapping) -> dict[str, str]:
    """Tags from ``{"principal_tags": {"k": ["v"]}}`` (single-element lists, or plain strings)."""
    principal_tags = (claims.get(TAGS_CLAIM) or {}).get("principal_tags") or {}
    tags = {}
    for key, value in principal_tags.items():
        tags[str(key)] = str(value[0] if isinstance(value, list) and value else value)
    return tags


def _expired(ctx: RequestContext, exp: object) -> errors.AwsError:
    return errors.ExpiredTokenException(
        f"Token expired: current date/time {int(ctx.now())} must be before the expiration date/time{exp}")


async def _verify_cognito_token(ctx: RequestContext, token: str) -> WebIdentity:
    claims = ctx.keys.verify(token, now=ctx.now())
    amr = claims.get("amr") or []
    amr = [amr] if isinstance(amr, str) else list(amr)
    return WebIdentity(
        provider=COGNITO_PROVIDER, subject=claims["sub"], audience=claims["aud"],
        condition_context=trust_context(claims["aud"], claims["sub"], amr),
        session_tags=_session_tags(claims))


_BUILT_IN_ISSUERS: dict[str, WebIdentityVerifier] = {keys.ISSUER: _verify_cognito_token}


def _oidc_verifier(issuer: str, provider: sqlite3.Row) -> WebIdentityVerifier:
    """The verifier for tokens of ``issuer``, registered as the IAM OIDC ``provider``."""

    async def verify(ctx: RequestContext, token: str) -> WebIdentity:
        if ctx.providers is None:
            ctx.log_notes.append("oidc=no provider verifier in this service")
            raise errors.InvalidIdentityToken(_NO_KEY)
        client_ids = json.loads(provider["client_ids"])
        try:
            claims = await ctx.providers.verify_oidc_token(issuer, token, audiences=client_ids, now=ctx.now())
        except TokenExpired as exc:
            raise _expired(ctx, exc.exp) from None
        except errors.NotAuthorizedException as exc:
            ctx.log_notes.append(f"token_rejected={exc.message}")
            raise errors.InvalidIdentityToken(_WRONG_AUDIENCE if exc.message == NOT_SUPPORTED else _NOT_VALIDATED) \
                from None
        except errors.ExternalServiceException as exc:
            ctx.log_notes.extend(exc.notes or (f"idp_unreachable={exc.message}",))
            raise errors.IDPCommunicationError(_UNREACHABLE) from None
        prefix = provider_path(provider["url"])
        audience = claims.get("azp") or claims["aud"]
        if not isinstance(audience, str):
            audience = next(value for value in audience if value in client_ids)
        context: dict[str, str | list[str]] = {f"{prefix}:aud": audience, f"{prefix}:sub": claims["sub"]}
        if "azp" in claims:
            context[f"{prefix}:azp"] = claims["azp"]
        return WebIdentity(provider=provider["arn"], subject=claims["sub"], audience=audience,
                           condition_context=context, session_tags=_session_tags(claims))

    return verify


def web_identity_verifier(ctx: RequestContext, issuer: str) -> WebIdentityVerifier | None:
    """The verifier trusted for tokens of ``issuer``, or None (the caller answers InvalidIdentityToken)."""
    built_in = _BUILT_IN_ISSUERS.get(issuer)
    if built_in is not None:
        return built_in
    provider = find_oidc_provider_by_url(ctx.store, issuer) if issuer else None
    return _oidc_verifier(issuer, provider) if provider is not None else None


async def _web_identity(ctx: RequestContext, token: str) -> WebIdentity:
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise errors.InvalidIdentityToken(_NOT_JWT) from None
    verifier = web_identity_verifier(ctx, str(unverified.get("iss", "")))
    if verifier is None:
        raise errors.InvalidIdentityToken(_NO_KEY)
    try:
        return await verifier(ctx, token)
    except jwt.ExpiredSignatureError:
        raise _expired(ctx, unverified.get("exp")) from None
    except (jwt.InvalidTokenError, KeyError) as exc:
        ctx.log_notes.append(f"token_rejected={type(exc).__name__}")
        raise errors.InvalidIdentityToken(_NOT_VALIDATED) from None


def _refuse(ctx: RequestContext, action: str, reasons: tuple[str, ...]) -> errors.AwsError:
    ctx.log_notes.append(f"trust_denied={action}: " + " | ".join(reasons))
    return errors.AccessDenied(f"Not authorized to perform {action}")


def _packed_size(tags: Mapping[str, str], policy: str | None) -> int:
    packed = len(json.dumps(tags, separators=(",", ":"))) + len(policy or "")
    return math.ceil(100 * packed / _PACKED_LIMIT)


async def assume_role_with_web_identity(ctx: RequestContext, params: dict) -> dict:
    role_arn = params["RoleArn"]
    if not _ROLE_ARN.fullmatch(role_arn):
        raise errors.ValidationError(f"{role_arn} is invalid")
    identity = await _web_identity(ctx, params["WebIdentityToken"])
    policy = params.get("Policy")
    if policy is not None:
        try:
            json.loads(policy)
        except (ValueError, RecursionError):  # RecursionError: nested thousands deep
            raise errors.MalformedPolicyDocument("The policy is not in the valid JSON format.") from None
        parse_document(policy)  # a session policy is an identity policy: core.permissions checks its grammar
    role = find_role(ctx.store, role_arn)
    if role is None:
        ctx.log_notes.append("role=missing")
        raise errors.AccessDenied("Not authorized to perform sts:AssumeRoleWithWebIdentity")
    ctx.log_notes.append(f"role={role['name']}")
    duration = params.get("DurationSeconds", DEFAULT_DURATION)
    if duration > role["max_session_duration"]:
        raise errors.ValidationError(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
    decision = evaluate_trust_policy(role["assume_role_policy"], federated_principal=identity.provider,
                                     action="sts:AssumeRoleWithWebIdentity",
                                     context=identity.condition_context)
    if not decision.allowed:
        raise _refuse(ctx, "sts:AssumeRoleWithWebIdentity", decision.reasons)
    tags = identity.session_tags
    if tags:
        tag_context = {**identity.condition_context, "aws:TagKeys": list(tags),
                       **{f"aws:RequestTag/{key}": value for key, value in tags.items()}}
        decision = evaluate_trust_policy(role["assume_role_policy"], federated_principal=identity.provider,
                                         action="sts:TagSession", context=tag_context)
        if not decision.allowed:
            raise _refuse(ctx, "sts:TagSession", decision.reasons)
    session_name = params["RoleSessionName"]
    settings = ctx.settings
    result = {
        "Credentials": vend_credentials(ctx, role=role, session_name=session_name, subject=identity.subject,
                                        session_tags=tags, duration=duration),
        "SubjectFromWebIdentityToken": identity.subject,
        "AssumedRoleUser": {
            "AssumedRoleId": f"{role['role_id']}:{session_name}",
            "Arn": assumed_role_arn(settings.partition, settings.account_id, role["arn"], session_name),
        },
        "Provider": identity.provider,
        "Audience": identity.audience,
    }
    if tags or policy is not None:
        result["PackedPolicySize"] = _packed_size(tags, policy)
    return result


def get_caller_identity(ctx: RequestContext, params: dict) -> dict:
    principal = ctx.principal
    account = ctx.settings.account_id
    if principal.is_admin:
        return {"UserId": account, "Account": account, "Arn": principal.arn}
    session = principal.credentials
    return {"UserId": f"{session['role_id']}:{session['session_name']}", "Account": account,
            "Arn": principal.arn}


ACTIONS: dict[str, Callable[[RequestContext, dict], dict | Awaitable[dict]]] = {
    "AssumeRoleWithWebIdentity": assume_role_with_web_identity,
    "GetCallerIdentity": get_caller_identity,
}
