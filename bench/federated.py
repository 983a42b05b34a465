"""Authenticated sign-ins for the benchmark: the cognito-desk setup they need and the token sets they use.

:func:`trust_policy` is the role trust policy every benchmark pool uses (Cognito's web identity, ``aud`` =
the pool, ``amr`` = ``authenticated`` or ``unauthenticated``). :func:`create_auth_pool` sets up, through
boto3 clients of cognito-desk's admin key, an IAM OpenID Connect provider for the local :class:`Issuer`, a
pool trusting it (guests allowed too) and its authenticated and unauthenticated roles;
:func:`check_auth_signin` signs one user in with boto3 before any load. :func:`mint_token_sets` writes the
id_tokens wrk replays: one set of users for the warm-ups and a fresh set per measured connection count, so
each measured point starts with users the service has never seen (their first sign-in creates the
identity and links the login; later rounds through the set are repeat sign-ins of existing identities).
"""

from __future__ import annotations

import json
from pathlib import Path

from issuer import Issuer

WARMUP = "warmup"


def trust_policy(pool_id: str, amr: str) -> str:
    """A trust policy letting Cognito identities of ``pool_id`` whose ``amr`` matches ``amr`` assume a role."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr}},
    }]})


def create_auth_pool(identity, iam, issuer: Issuer) -> str:
    """Create the OIDC provider, a pool trusting it and both its roles on cognito-desk; return the pool id."""
    provider_arn = iam.create_open_id_connect_provider(
        Url=issuer.url, ClientIDList=[issuer.client_id])["OpenIDConnectProviderArn"]
    pool_id = identity.create_identity_pool(
        IdentityPoolName="signin_bench_auth", AllowUnauthenticatedIdentities=True,
        OpenIdConnectProviderARNs=[provider_arn])["IdentityPoolId"]
    arns = {amr: iam.create_role(RoleName=f"signin-bench-{amr}",
                                 AssumeRolePolicyDocument=trust_policy(pool_id, amr))["Role"]["Arn"]
            for amr in ("authenticated", "unauthenticated")}
    identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=arns)
    return pool_id


def check_auth_signin(identity, pool_id: str, issuer: Issuer) -> None:
    """Sign one user in with a fresh token (boto3, unsigned calls); raise RuntimeError unless it worked."""
    logins = {issuer.login_key: issuer.mint("user-check")}
    identity_id = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    answer = identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    if answer["IdentityId"] != identity_id or not answer["Credentials"].get("SessionToken"):
        raise RuntimeError(f"GetCredentialsForIdentity answered {answer!r}")
    again = identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    if again != identity_id:
        raise RuntimeError(f"a repeat GetId for the same user answered {again}, not {identity_id}")


def mint_token_sets(issuer: Issuer, folder: Path, users: int, connections: list[int]) -> dict[str, Path]:
    """Token files of ``users`` distinct users each: ``"warmup"`` and one per connection count (``str(c)``).

    Subjects are ``user-<n>`` with ``n`` unique across the sets.
    """
    names = [WARMUP, *(str(c) for c in connections)]
    return {name: issuer.write_tokens(folder / f"tokens-{name}.txt",
                                      [f"user-{index * users + n}" for n in range(users)])
            for index, name in enumerate(names)}
