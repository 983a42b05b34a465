"""The standard Cognito trust policy: the one document that lets an identity pool's identities assume a role.

Owns what a role made "for this pool" trusts: the federated principal ``cognito-identity.amazonaws.com``
performing ``sts:AssumeRoleWithWebIdentity`` (and ``sts:TagSession``, so principal tags can be passed as
session tags), restricted to tokens whose ``aud`` is the pool ID and whose ``amr`` says authenticated or
unauthenticated (guest). The wizard, duplicate and import use it for new roles; the document is a plain dict
ready for IAM ``CreateRole``/``UpdateAssumeRolePolicy``.
"""

from __future__ import annotations

from cognito_desk.core.providers import COGNITO_PROVIDER

AMR_VALUES = ("authenticated", "unauthenticated")


def cognito_trust_policy(pool_id: str, amr: str, tag_session: bool = True) -> dict:
    """The trust policy for identities of ``pool_id`` whose ``amr`` is ``authenticated`` or ``unauthenticated``."""
    if amr not in AMR_VALUES:
        raise ValueError(f"amr must be one of {', '.join(AMR_VALUES)}, not {amr!r}")
    if not pool_id:
        raise ValueError("a trust policy needs the identity pool ID")
    actions = ["sts:AssumeRoleWithWebIdentity", *(["sts:TagSession"] if tag_session else [])]
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": COGNITO_PROVIDER},
            "Action": actions,
            "Condition": {
                "StringEquals": {f"{COGNITO_PROVIDER}:aud": pool_id},
                "ForAnyValue:StringLike": {f"{COGNITO_PROVIDER}:amr": amr},
            },
        }],
    }
