"""Plain-language explanations of the errors people hit with Cognito identity pools.

Owns :func:`explain`, a pure function from an :class:`~cognito_desk.core.errors.AwsError` (plus, when
the caller has them, the ``Logins`` map that was sent, the pool as DescribeIdentityPool returns it, the
roles as GetIdentityPoolRoles returns them and the local service's decision notes for the request) to
an :class:`Explanation`: a title, the likely cause, a suggested fix and the facts behind them (token
issuer beside the Logins key, token audience beside the client ids the pool accepts, expiry times in
UTC, the roles involved…). It covers every message of reference §8 and falls back to an honest generic
explanation with the raw code and message. Tokens are decoded with :mod:`.tokens`, never trusted, never
shown whole.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from . import errors
from .quotas import describe_quota
from .tokens import (
    TokenInspection,
    TokenKind,
    format_duration,
    format_utc,
    inspect_token,
    logins_key_for_issuer,
)

__all__ = ["ROLE_REFUSALS", "Explanation", "TriedRole", "explain", "refused_role"]

#: The errors that mean Cognito (or STS, in the basic flow) could not use the role it tried.
ROLE_REFUSALS = ("InvalidIdentityPoolConfigurationException", "AccessDenied")


@dataclass(frozen=True)
class Explanation:
    title: str
    cause: str
    fix: str
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TriedRole:
    """The role Cognito tried for a refused sign-in, as the caller worked it out (the role engine's prediction
    for this login, checked with IAM ``GetRole``): the service's notes, when it sends them, take precedence."""

    arn: str
    #: How the role was chosen, in words ("the first matching rule: claim 'dept' Equals 'eng'…").
    why: str = ""
    #: False when IAM has no such role, True when it has, None when unknown.
    exists: bool | None = None
    #: Why its trust policy refuses this pool's Cognito token (empty when it accepts it, or is unknown).
    refusal: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Context:
    error: errors.AwsError
    logins: Mapping[str, str]
    pool: Mapping[str, Any]
    roles: Mapping[str, Any]
    notes: tuple[str, ...]
    now: float
    tried_role: TriedRole | None = None

    def tokens(self) -> list[tuple[str, TokenInspection]]:
        return [(key, inspect_token(value)) for key, value in self.logins.items()]

    @property
    def pool_id(self) -> str:
        return str(self.pool.get("IdentityPoolId") or self.roles.get("IdentityPoolId") or "")


_Handler = Callable[[_Context, re.Match[str]], Explanation]
_RULES: list[tuple[frozenset[str] | None, re.Pattern[str], _Handler]] = []


def _rule(codes: str | None, pattern: str) -> Callable[[_Handler], _Handler]:
    def register(handler: _Handler) -> _Handler:
        _RULES.append((frozenset(codes.split()) if codes else None, re.compile(pattern, re.S), handler))
        return handler
    return register


def explain(error: errors.AwsError, *, logins: Mapping[str, str] | None = None,
            pool: Mapping[str, Any] | None = None, roles: Mapping[str, Any] | None = None,
            notes: Sequence[str] = (), now: float | None = None, tried_role: TriedRole | None = None
            ) -> Explanation:
    """Why ``error`` happened and what to do, using whatever context the caller has.

    ``notes`` are the service's decision notes for the failed request (the local service records why a
    trust policy refused a role there); ``tried_role`` the role the caller predicts Cognito tried, checked in
    IAM (what the app knows on real AWS, where there are no notes); ``now`` defaults to the current time.
    """
    ctx = _Context(error, logins or {}, pool or {}, roles or {}, tuple(notes),
                   time.time() if now is None else now, tried_role)
    message = error.message or ""
    for codes, pattern, handler in _RULES:
        if codes is not None and error.code not in codes:
            continue
        match = pattern.search(message)
        if match:
            found = handler(ctx, match)
            break
    else:
        found = Explanation(
            f"{error.code}",
            "cognito-desk has no specific explanation for this error; the service's own words are below.",
            f"Look up {error.code} for the operation you called in the AWS documentation, and check the "
            "request's values against the message.",
        )
    raw = [("Error code", error.code), ("Message", message or "(none)")]
    return Explanation(found.title, found.cause, found.fix, [*found.details, *raw])


# --- helpers -----------------------------------------------------------------------------------

def _claim(token: TokenInspection, name: str) -> str:
    value = token.claims.get(name)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def _keys(ctx: _Context) -> str:
    return ", ".join(ctx.logins) if ctx.logins else "none"


def _role_arns(ctx: _Context) -> Mapping[str, str]:
    roles = ctx.roles.get("Roles", ctx.roles)
    return {kind: arn for kind, arn in roles.items()
            if kind in ("authenticated", "unauthenticated") and isinstance(arn, str)}


def _role_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _accepted_clients(pool: Mapping[str, Any], key: str) -> tuple[bool, list[str]]:
    """(is the provider attached to the pool, the client ids/audiences it accepts when the pool says)."""
    clients = [str(p.get("ClientId")) for p in pool.get("CognitoIdentityProviders") or []
               if p.get("ProviderName") == key]
    supported = pool.get("SupportedLoginProviders") or {}
    if key in supported:
        clients.append(str(supported[key]))
    arns = pool.get("OpenIdConnectProviderARNs") or []
    oidc = any(arn.split("oidc-provider/", 1)[-1] == key for arn in arns)
    return bool(clients) or oidc, clients


_CONDITION = re.compile(r"(?:(?P<op>(?:ForAnyValue:|ForAllValues:)?String(?:Not)?(?:Equals|Like))\W+)?"
                        r"(?P<key>cognito-identity\.amazon(?:aws)?\.com:(?:aud|amr|sub))")


def _trust_policy_facts(ctx: _Context) -> tuple[list[tuple[str, str]], list[str]]:
    """Details and cause sentences the message and the service's notes reveal about the trust policy."""
    details: list[tuple[str, str]] = [("Service note", note) for note in ctx.notes]
    notes: list[str] = []
    message = " ".join([ctx.error.message, *ctx.notes])
    for match in _CONDITION.finditer(message):
        details.append(("Failed trust-policy condition", " ".join(filter(None, match.groups()))))
        if ".amazon.com:" in match["key"]:
            notes.append(f"The condition key {match['key']} has a typo: it must be "
                         f"{match['key'].replace('.amazon.com:', '.amazonaws.com:')}.")
    if re.search(r"sts:AssumeRole(?!WithWebIdentity)\b", message):
        notes.append("The trust policy allows sts:AssumeRole, but Cognito needs "
                     "sts:AssumeRoleWithWebIdentity.")
    if "principal does not include Federated" in message:
        notes.append("The trust policy does not name the federated principal cognito-identity.amazonaws.com.")
    if "sts:TagSession" in message:
        notes.append("The pool maps principal tags, so the trust policy must also allow sts:TagSession.")
    return details, notes


def _trust_policy_fix(ctx: _Context, amr: str) -> str:
    aud = ctx.pool_id or "<identity pool id>"
    return ("Edit the role's trust policy: Principal {\"Federated\": \"cognito-identity.amazonaws.com\"}, "
            "Action sts:AssumeRoleWithWebIdentity (plus sts:TagSession when principal tags are mapped), "
            f"Condition StringEquals cognito-identity.amazonaws.com:aud = {aud} and "
            f"ForAnyValue:StringLike cognito-identity.amazonaws.com:amr = {amr}.")


# --- NotAuthorizedException: tokens and Logins -------------------------------------------------

@_rule("NotAuthorizedException", r"Unauthenticated access is not supported for this identity pool")
def _guest_disabled(ctx: _Context, _: re.Match[str]) -> Explanation:
    details = [("Logins keys sent", _keys(ctx))]
    if "AllowUnauthenticatedIdentities" in ctx.pool:
        details.append(("Pool allows guests", str(bool(ctx.pool["AllowUnauthenticatedIdentities"]))))
    expired = [(key, t) for key, t in ctx.tokens() if isinstance(t.claims.get("exp"), int | float)
               and t.claims["exp"] <= ctx.now]
    cause = ("The call carried no Logins, so it asked for a guest (unauthenticated) identity, and this pool "
             "does not allow guests.")
    for key, token in expired:
        details.append((f"Token for {key} expired", format_utc(token.claims["exp"])))
        cause += (f" The token for {key} has expired, which is the usual reason a client silently drops its "
                  "login and falls back to guest access.")
    return Explanation(
        "Guest access is off for this pool", cause,
        "Sign in first and send the provider's token in Logins (refresh it before it expires), or, if guests "
        "are intended, enable unauthenticated identities (AllowUnauthenticatedIdentities) and give the pool "
        "an unauthenticated role.", details)


@_rule("NotAuthorizedException", r"Token is not from a supported provider of this identity pool")
def _unsupported_provider(ctx: _Context, _: re.Match[str]) -> Explanation:
    details: list[tuple[str, str]] = []
    causes: list[str] = []
    fixes: list[str] = []
    for key, token in ctx.tokens():
        audience = _claim(token, "azp") or _claim(token, "aud")
        attached, clients = _accepted_clients(ctx.pool, key)
        details.append(("Logins key", key))
        details += [(f"Token {name}", _claim(token, name)) for name in ("aud", "azp") if _claim(token, name)]
        if not ctx.pool:
            continue
        if not attached:
            details.append(("Client ids the pool accepts for this provider", "none: not configured"))
            causes.append(f"The pool has no identity provider named {key}.")
            fixes.append(f"add {key} to the identity pool's identity providers")
        elif clients:
            details.append(("Client ids the pool accepts for this provider", ", ".join(clients)))
            if audience and audience not in clients:
                causes.append(f"The token for {key} was issued to client id {audience}, but the pool only "
                              f"accepts {', '.join(clients)} for that provider.")
                fixes.append(f"add client id {audience} to provider {key} in the pool, or sign in through "
                             f"the app client {clients[0]}")
        else:
            details.append(("Client ids the pool accepts for this provider",
                            "the audiences of the IAM OIDC provider"))
            causes.append(f"The token's audience {audience or '(none)'} is not in the client-ID list of the "
                          f"IAM OIDC provider for {key}.")
            fixes.append(f"add {audience or 'the token audience'} to that IAM OIDC provider's audiences")
    return Explanation(
        "The token's audience is not configured in this pool",
        " ".join(causes) or ("The token is valid, but its audience (app/client id) is not one the pool has "
                             "configured for that provider, or the provider is not attached to the pool."),
        (fixes[0][0].upper() + "; ".join(fixes)[1:] + ".") if fixes else
        "Compare the token's aud (or azp) with the client ids configured for the provider in the pool, and "
        "add the missing one or sign in through a configured app client.",
        details)


_IDENTITY_POOL_ID = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d:[0-9a-f-]{36}")
_USER_POOL_ID = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+")


@_rule("NotAuthorizedException", r"Issuer doesn't match providerName")
def _issuer_mismatch(ctx: _Context, _: re.Match[str]) -> Explanation:
    details: list[tuple[str, str]] = []
    causes: list[str] = []
    fix = ("Use the token issuer without https:// as the Logins key (for a user pool: "
           "cognito-idp.<region>.amazonaws.com/<user pool id>).")
    for key, token in ctx.tokens():
        issuer = _claim(token, "iss")
        if not issuer:
            continue
        expected = logins_key_for_issuer(issuer)
        details += [("Logins key sent", key), ("Token issuer (iss)", issuer),
                    ("Logins key should be", expected)]
        if key == expected:
            continue
        causes.append(f"The token was issued by {issuer}, so Cognito expects the Logins key {expected}, "
                      f"but it was sent under {key}.")
        if _IDENTITY_POOL_ID.search(key):
            causes.append("The key holds an identity pool id where the user pool id belongs.")
        key_region, iss_region = _USER_POOL_ID.search(key), _USER_POOL_ID.search(issuer)
        if key_region and iss_region and key_region[0].split("_")[0] != iss_region[0].split("_")[0]:
            causes.append("The key names a different region than the token's user pool.")
        fix = f"Send the token under the Logins key {expected} (the issuer without https://)."
    return Explanation(
        "The Logins key does not match the token issuer",
        " ".join(causes) or ("The token's iss claim is not https:// + the Logins key it was sent under "
                             "(typo, wrong region, or an identity pool id used as the user pool id)."),
        fix, details)


@_rule("NotAuthorizedException", r"Couldn't verify signed token")
def _bad_signature(ctx: _Context, _: re.Match[str]) -> Explanation:
    details: list[tuple[str, str]] = []
    for key, token in ctx.tokens():
        details.append(("Logins key", key))
        if token.is_jwt:
            details += [("Token issuer (iss)", _claim(token, "iss")),
                        ("Signing algorithm (alg)", str(token.header.get("alg", ""))),
                        ("Key id (kid)", str(token.header.get("kid", "")))]
        else:
            details.append(("Token", f"not a JWT: {token.problem}"))
    return Explanation(
        "The token's signature does not verify",
        "The JWT signature does not verify against the keys (JWKS) published by its issuer: the token was "
        "altered or truncated (e.g. copied incompletely), signed by a different issuer or key, or the "
        "issuer rotated its keys.",
        "Send the token exactly as the provider issued it; check that its kid is in "
        "<iss>/.well-known/jwks.json and that it is RS256-signed.", details)


@_rule("NotAuthorizedException", r"Missing a required claim: aud")
def _missing_aud(ctx: _Context, _: re.Match[str]) -> Explanation:
    details: list[tuple[str, str]] = []
    cause = "The token has no aud claim: a user pool access token was sent where the ID token is needed."
    for key, token in ctx.tokens():
        if token.kind is TokenKind.USER_POOL_ACCESS:
            details += [("Logins key", key), ("Token kind", token.kind.value),
                        ("token_use", _claim(token, "token_use")), ("client_id", _claim(token, "client_id"))]
            cause = (f"The value under {key} is a user pool access token (token_use=access); access tokens "
                     "carry client_id instead of aud, and Cognito Identity needs the ID token.")
    return Explanation(
        "An access token was sent instead of the ID token", cause,
        "Send the user pool ID token (AuthenticationResult.IdToken, or id_token from the hosted UI) in "
        "Logins.", details)


@_rule("NotAuthorizedException", r"Not a Cognito token")
def _not_cognito(ctx: _Context, _: re.Match[str]) -> Explanation:
    details: list[tuple[str, str]] = []
    for key, token in ctx.tokens():
        if key.startswith("cognito-idp."):
            details += [("Logins key", key), ("Value looks like", token.kind.value if token.is_jwt
                                              else f"not a JWT: {token.problem}")]
            if token.is_jwt:
                details.append(("Token issuer (iss)", _claim(token, "iss")))
    return Explanation(
        "The value under a user pool key is not a user pool token",
        "The Logins value under a cognito-idp.… key is not a JWT issued by a Cognito user pool.",
        "Put the user pool ID token under the cognito-idp key; tokens of other providers go under their own "
        "key (e.g. accounts.google.com, or the OIDC issuer host).", details)


@_rule("NotAuthorizedException", r"Token expired: (?P<now>\d+(?:\.\d+)?) >= (?P<exp>\d+(?:\.\d+)?)")
def _token_expired(ctx: _Context, match: re.Match[str]) -> Explanation:
    now, exp = float(match["now"]), float(match["exp"])
    details = [("Cognito's time (UTC)", format_utc(now)), ("Token expired at (UTC)", format_utc(exp)),
               ("Expired for", format_duration(now - exp))]
    details += [("Expired token's Logins key", key) for key, token in ctx.tokens()
                if token.claims.get("exp") == int(exp) or token.claims.get("exp") == exp]
    return Explanation(
        "The provider token has expired",
        f"The token expired at {format_utc(exp)}; Cognito checked it at {format_utc(now)}, "
        f"{format_duration(now - exp)} later.",
        "Refresh the token (user pools: REFRESH_TOKEN_AUTH; OIDC: the refresh token) or sign in again right "
        "before calling Cognito. If the token looks fresh, check this computer's clock.", details)


@_rule("NotAuthorizedException", r"Logins don't match")
def _logins_dont_match(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "None of the logins belongs to this identity",
        "The identity is authenticated, and none of the tokens sent is linked to it: usually a stale cached "
        "identity id (from another user, another pool or a deleted login), or a pool with no provider "
        "configured for these tokens.",
        "Clear the cached identity id and call GetId with these Logins to get the right identity; check that "
        "the pool lists the providers of these tokens.", [("Logins keys sent", _keys(ctx))])


@_rule("NotAuthorizedException", r"Access to Identity '(?P<identity>[^']*)' is forbidden")
def _identity_forbidden(ctx: _Context, match: re.Match[str]) -> Explanation:
    return Explanation(
        "This identity needs a login",
        f"Identity {match['identity']} is authenticated (it has linked logins) and was requested without one "
        "of its tokens — typically the app lost or let its provider token expire.",
        "Send a valid provider token for this identity in Logins (sign in again if needed), or clear the "
        "cached identity id to continue as a new guest.",
        [("Identity id", match["identity"]), ("Logins keys sent", _keys(ctx))])


@_rule("NotAuthorizedException", r"Access to Role '(?P<role>[^']*)' is forbidden")
def _role_forbidden(ctx: _Context, match: re.Match[str]) -> Explanation:
    return Explanation(
        "You may not pass this role",
        f"The credentials that called SetIdentityPoolRoles lack iam:PassRole on {match['role']}.",
        f"Grant the caller iam:PassRole on {match['role']} (or choose a role it may pass).",
        [("Role", match["role"])])


@_rule(None, r"ambiguous role mapping rules denied this request")
def _ambiguous_denied(ctx: _Context, _: re.Match[str]) -> Explanation:
    details = []
    for provider, mapping in (ctx.roles.get("RoleMappings") or {}).items():
        rules = (mapping.get("RulesConfiguration") or {}).get("Rules") or []
        details.append((f"Role mapping for {provider}",
                        f"{mapping.get('Type')}, ambiguous → {mapping.get('AmbiguousRoleResolution')}, "
                        f"{len(rules)} rule(s)"))
    return Explanation(
        "Role mapping denied the request",
        "The role mapping for the provider is set to Deny when ambiguous, and no rule (or no group role / "
        "preferred role) resolved a role for this token, or the CustomRoleArn asked for is not allowed.",
        "Preview the token against the rules in the role-rule editor; add a rule that matches its claims, or "
        "set AmbiguousRoleResolution to AuthenticatedRole.", details)


# --- not found, configuration, flows ------------------------------------------------------------

@_rule("ResourceNotFoundException", r"IdentityPool '(?P<pool>[^']*)' not found")
def _pool_not_found(ctx: _Context, match: re.Match[str]) -> Explanation:
    pool_id = match["pool"]
    region = pool_id.split(":", 1)[0] if ":" in pool_id else ""
    details = [("Identity pool id", pool_id)] + ([("Region in the pool id", region)] if region else [])
    lives = f"A pool id starts with the region of its pool ({region}): the pool" if region else "The pool"
    return Explanation(
        "Identity pool not found",
        f"No identity pool {pool_id} exists in the region and account the request went to. {lives} may be in "
        "another region or another account than the client uses, or it was deleted.",
        (f"Send the request to {region}" if region else "Check the region the client uses") + ", with "
        "credentials of the pool's account, and check that the pool still exists (ListIdentityPools).", details)


@_rule("ResourceNotFoundException", r"Identity '(?P<identity>[^']*)' not found")
def _identity_not_found(ctx: _Context, match: re.Match[str]) -> Explanation:
    return Explanation(
        "Identity not found",
        f"Identity {match['identity']} was deleted or never existed in this pool.",
        "Clear the cached identity id and call GetId again (the SDKs do this on their own).",
        [("Identity id", match["identity"])])


@_rule("ResourceNotFoundException", r".")
def _not_found(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "Resource not found",
        "The resource does not exist in the region and account the request went to: a region mismatch "
        "between the client and the resource is the usual reason.",
        "Check the client's region against the resource id's region prefix, and the account of the "
        "credentials.")


_MISSING_NOTE = re.compile(r"role (?P<arn>arn:\S+) does not exist in IAM")
_REFUSED_NOTE = re.compile(r"trust=denied role=(?P<name>[\w+=,.@-]+)(?: \([^)]*\))?: (?P<reason>.*)", re.S)
_NEXT_NOTE = re.compile(r"^[\w.]+=")


def _tried_role(ctx: _Context) -> TriedRole | None:
    """The role Cognito tried: the service's note when it sent one (it knows), else the caller's prediction."""
    predicted = ctx.tried_role
    for index, note in enumerate(ctx.notes):
        missing = _MISSING_NOTE.search(note)
        if missing:
            why = predicted.why if predicted and predicted.arn == missing["arn"] else ""
            return TriedRole(missing["arn"], why, exists=False)
        refused = _REFUSED_NOTE.search(note)
        if refused:
            # The refusal's reasons are "; "-separated, as the notes themselves are: the notes up to the next key=.
            reasons = [refused["reason"]]
            for more in ctx.notes[index + 1:]:
                if _NEXT_NOTE.match(more):
                    break
                reasons.append(more)
            name = refused["name"]
            if predicted is not None and _role_name(predicted.arn) == name:
                return TriedRole(predicted.arn, predicted.why, exists=True, refusal=tuple(reasons))
            known = [arn for arn in [*_role_arns(ctx).values(), *_rule_roles(ctx)] if _role_name(arn) == name]
            return TriedRole(known[0] if known else name, exists=True, refusal=tuple(reasons))
    return predicted


def refused_role(error: errors.AwsError, *, roles: Mapping[str, Any] | None = None,
                 tried_role: TriedRole | None = None) -> TriedRole | None:
    """The role Cognito tried for a role refusal, as the explanation names it (the service's notes first)."""
    return _tried_role(_Context(error, {}, {}, roles or {}, tuple(error.notes), 0.0, tried_role))


def _rule_roles(ctx: _Context) -> list[str]:
    return [str(rule.get("RoleARN")) for mapping in (ctx.roles.get("RoleMappings") or {}).values()
            for rule in (mapping.get("RulesConfiguration") or {}).get("Rules") or [] if rule.get("RoleARN")]


def _tried_role_explanation(ctx: _Context, tried: TriedRole, kind: str, details: list[tuple[str, str]],
                            notes: list[str], refused_title: str = "The trust policy of {name} refuses this pool"
                            ) -> Explanation:
    name = _role_name(tried.arn)
    chosen = f", {tried.why}" if tried.why else ""
    details = [("Role Cognito tried", tried.arn), *([("Why that role", tried.why)] if tried.why else []), *details]
    if tried.exists is False:
        return Explanation(
            f"The role {name} does not exist",
            f"Cognito tried role {name} ({tried.arn}){chosen}, and IAM has no such role, so no credentials could "
            "be issued.",
            f"Create the role {name} trusted by this pool (Roles & rules ▸ Create role trusted by this pool), or "
            "point the rule or setting that chose it at a role that exists.", details)
    if tried.refusal:
        details += [("Trust policy refused", reason) for reason in tried.refusal]
        return Explanation(
            refused_title.format(name=name),
            " ".join([f"Cognito tried role {name} ({tried.arn}){chosen}; its trust policy refused this pool's "
                      f"token: {'; '.join(tried.refusal)}.", *notes]),
            "Apply the trust-lint fix in Roles & rules (it rewrites the trust policy for this pool). "
            + _trust_policy_fix(ctx, kind), details)
    exists = " The role exists, so its trust policy refused Cognito" if tried.exists else \
        " The role does not exist, or its trust policy refused Cognito"
    return Explanation(
        f"Cognito could not assume role {name}",
        " ".join([f"Cognito tried role {name} ({tried.arn}){chosen}.{exists} (federated principal "
                  f"cognito-identity.amazonaws.com, aud = this pool id, amr = {kind}).", *notes]),
        _trust_policy_fix(ctx, kind), details)


@_rule("InvalidIdentityPoolConfigurationException", r"")
def _invalid_configuration(ctx: _Context, _: re.Match[str]) -> Explanation:
    roles = _role_arns(ctx)
    kind = "authenticated" if ctx.logins else "unauthenticated"
    details = [(f"{name.capitalize()} role", roles.get(name, "none set"))
               for name in ("authenticated", "unauthenticated")] + [("Role needed for this call", kind)]
    details += [("Role mapping", provider) for provider in ctx.roles.get("RoleMappings") or {}]
    condition_details, notes = _trust_policy_facts(ctx)
    details += condition_details
    tried = _tried_role(ctx)
    if tried is not None:
        return _tried_role_explanation(ctx, tried, kind, details, notes)
    if ctx.roles and kind not in roles and not ctx.roles.get("RoleMappings"):
        cause = f"The pool has no {kind} role, so Cognito has no role to give this identity."
        fix = f"Set an {kind} role on the pool (SetIdentityPoolRoles)."
    else:
        arn = roles.get(kind)
        target = f"role {_role_name(arn)} ({arn})" if arn else "the role chosen for this identity"
        cause = (f"Cognito could not assume {target}: the role does not exist, or STS refused "
                 "AssumeRoleWithWebIdentity because the trust policy does not accept Cognito "
                 "(federated principal cognito-identity.amazonaws.com, aud = this pool id, amr = "
                 f"{kind}).")
        fix = _trust_policy_fix(ctx, kind)
    return Explanation("The pool's IAM roles cannot be used", " ".join([cause, *notes]), fix, details)


@_rule("AccessDenied", r"Not authorized to perform sts:AssumeRoleWithWebIdentity")
def _sts_denied(ctx: _Context, _: re.Match[str]) -> Explanation:
    kind = "authenticated" if ctx.logins else "unauthenticated"
    details = [(f"{name.capitalize()} role", arn) for name, arn in _role_arns(ctx).items()]
    condition_details, notes = _trust_policy_facts(ctx)
    tried = _tried_role(ctx)
    if tried is not None and (tried.exists is False or tried.refusal):
        return _tried_role_explanation(ctx, tried, kind, details + condition_details, notes,
                                       "STS refused the role {name} (basic flow)")
    return Explanation(
        "STS refused the role (basic flow)",
        " ".join(["The role's trust policy does not accept this Cognito token: it must trust the "
                  "federated principal cognito-identity.amazonaws.com and its aud/amr conditions must match "
                  f"the pool id and '{kind}'.", *notes]),
        _trust_policy_fix(ctx, kind), details + condition_details)


@_rule("ExpiredTokenException ExpiredToken",
       r"Token expired: current date/time (?P<now>.+?) must be before the expiration date/time ?(?P<exp>.+)")
def _sts_token_expired(ctx: _Context, match: re.Match[str]) -> Explanation:
    def show(value: str) -> str:
        return format_utc(float(value)) if re.fullmatch(r"\d+(\.\d+)?", value.strip()) else value.strip()
    return Explanation(
        "The Cognito token has expired (basic flow)",
        f"The Cognito OpenID token expired at {show(match['exp'])}; STS checked it at {show(match['now'])}. "
        "These tokens live 10 minutes (or the TokenDuration of GetOpenIdTokenForDeveloperIdentity).",
        "Call GetOpenIdToken again right before AssumeRoleWithWebIdentity, or use the enhanced flow "
        "(GetCredentialsForIdentity).",
        [("STS time", show(match["now"])), ("Token expired at", show(match["exp"]))])


@_rule("InvalidParameterException", r"Basic \(classic\) flow is not enabled")
def _classic_disabled(ctx: _Context, _: re.Match[str]) -> Explanation:
    details = [("AllowClassicFlow", str(ctx.pool[key])) for key in ("AllowClassicFlow",) if key in ctx.pool]
    return Explanation(
        "The basic flow is off for this pool",
        "GetOpenIdToken (basic/classic flow) was called on a pool whose AllowClassicFlow is false.",
        "Use the enhanced flow (GetCredentialsForIdentity), or enable the basic flow on the pool "
        "(AllowClassicFlow = true).", details)


@_rule("ValidationException", r"Value '(?P<value>.*?)' at '(?P<field>identityPoolId|identityId)' failed")
def _bad_pool_id(ctx: _Context, match: re.Match[str]) -> Explanation:
    value, name = match["value"], match["field"]
    details = [(name, value), ("Expected format", "<region>:<uuid>, e.g. us-east-1:1234abcd-…")]
    if _USER_POOL_ID.fullmatch(value):
        cause = f"{value} is a Cognito user pool id, not an identity pool id."
        fix = ("Use the identity pool id (<region>:<uuid>, shown by ListIdentityPools or the identity pool "
               "console); the user pool id belongs in the Logins key cognito-idp.<region>.amazonaws.com/"
               f"{value}.")
    elif value.startswith("arn:"):
        pool_id = value.split("identitypool/", 1)[1] if "identitypool/" in value else ""
        cause = f"{value} is an ARN, but the API expects the bare id."
        fix = f"Pass only the id: {pool_id}." if pool_id else "Pass the identity pool id (<region>:<uuid>)."
    else:
        cause = f"{value!r} does not have the <region>:<uuid> shape of an {name}."
        fix = f"Copy the {name} again; it looks like us-east-1:1234abcd-… ."
    return Explanation(f"Malformed {name}", cause, fix, details)


@_rule("ValidationException", r"Value '(?P<value>.*?)' at '(?P<field>[\w.]+)' failed to satisfy constraint: "
                              r"(?P<constraint>[^;]*)")
def _bad_value(ctx: _Context, match: re.Match[str]) -> Explanation:
    return Explanation(
        f"Invalid {match['field']}",
        f"The value of {match['field']} breaks a constraint of the API: {match['constraint'].strip()}.",
        f"Correct {match['field']} to satisfy that constraint.",
        [(match["field"], match["value"]), ("Constraint", match["constraint"].strip())])


@_rule("SerializationException", r"")
def _serialization(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "A request field has the wrong JSON type",
        "A field of the request has a JSON type the API does not expect (e.g. a list where a string "
        "belongs, such as an array as a PrincipalTags value).",
        "Check every field's type against the API: maps of strings must hold strings only.")


@_rule("DeveloperUserAlreadyRegisteredException", r"")
def _developer_registered(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "Developer user already belongs to another identity",
        "GetOpenIdTokenForDeveloperIdentity was given an IdentityId and a developer user identifier that "
        "is already linked to a different identity.",
        "Omit IdentityId to get the identity that owns this identifier (LookupDeveloperIdentity shows it), "
        "or merge the identities with MergeDeveloperIdentities.")


@_rule("ResourceConflictException", r"")
def _conflict(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "Conflicting link or lookup",
        "The identity already has a different user of this provider linked, the IdentityId and developer "
        "identifier given to LookupDeveloperIdentity do not belong together, or a merge would conflict.",
        "Unlink the other login first, or look the identity up by one value only.")


@_rule(None, r"does not support the specified developer provider")
def _developer_provider(ctx: _Context, _: re.Match[str]) -> Explanation:
    configured = str(ctx.pool.get("DeveloperProviderName") or "none")
    return Explanation(
        "Unknown developer provider",
        f"The developer provider name in Logins is not the pool's DeveloperProviderName ({configured}).",
        f"Use the pool's developer provider name ({configured}) as the Logins key.",
        [("Pool's developer provider", configured), ("Logins keys sent", _keys(ctx))])


@_rule("TooManyRequestsException ThrottlingException Throttling RequestLimitExceeded", r"")
def _throttled(ctx: _Context, _: re.Match[str]) -> Explanation:
    operation = ctx.error.operation
    which = f"{operation}'s request-rate quota" if operation else "an operation's request-rate quota"
    details = [("Operation", operation)] if operation else []
    return Explanation(
        f"Throttled by AWS: {operation}" if operation else "Throttled by AWS",
        f"The account went over {which} and AWS kept refusing the call, even after cognito-desk retried it "
        f"with backoff as the AWS SDKs do. {describe_quota(operation)} The quota is shared by every app, script "
        "and person using this account in this Region.",
        "Wait a few seconds and retry. If it keeps happening, find what else calls this operation so often "
        "(CloudTrail shows the callers), or ask for more: AWS request quotas are adjustable, in the Service "
        "Quotas console (Amazon Cognito Federated Identities) or through your AWS account team.",
        details)


@_rule("AccessDeniedException", r"resource control policy")
def _rcp(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "Denied by an organization policy",
        "An AWS Organizations resource control policy explicitly denies this call.",
        "Ask the organization's administrators to exempt this identity pool or operation from the policy.")


@_rule("MissingAuthenticationTokenException", r"")
def _unsigned(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "The request was not signed",
        "Administrative operations must be signed with AWS credentials (SigV4); this one was sent unsigned.",
        "Give the connection profile credentials (an AWS profile or a key pair) and try again.")


@_rule("UnrecognizedClientException InvalidClientTokenId", r"")
def _unknown_keys(ctx: _Context, _: re.Match[str]) -> Explanation:
    return Explanation(
        "The access key is not known here",
        "The request was signed with an access key this endpoint does not know: keys of another account or "
        "endpoint (AWS keys sent to the local service, or the reverse), deleted keys, or expired temporary "
        "credentials.",
        "Check which credentials the connection profile uses, and refresh or replace them.")
