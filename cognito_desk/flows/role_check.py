"""The role a refused sign-in tried, checked in IAM: what the explanation names when Cognito does not say which.

Cognito answers a role it could not use with one message for every cause ("Invalid identity pool
configuration. Check assigned IAM roles for this pool."). Owns :func:`tried_role`: the role the run's
prediction names (the one role engine, on the pool's roles and this login's claims — the rule's role, the
``CustomRoleArn`` or the default) with how it was chosen, whether IAM has it (``GetRole``) and, when it does,
whether its trust policy accepts this pool's Cognito token for this login (the evaluation the Roles & rules
preview runs). Real AWS sends no decision notes, so this is what the app can say there; the local service's
notes, when present, take precedence in :func:`cognito_desk.core.explain.explain`. Reading IAM may fail
(no rights): the facts are then left unknown, and the sign-in's own error is never hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..aws import BackendError, IamClient
from ..core import errors
from ..core.explain import TriedRole
from ..core.login_keys import NotPreviewable, login_for, trust_decision
from ..core.presented import PresentedToken
from .oauth import ProviderLogin
from .prediction import Prediction

__all__ = ["tried_role"]

#: The sub the trust evaluation sees when the identity is not known yet.
UNKNOWN_IDENTITY = "(identity id)"


async def tried_role(iam: IamClient, prediction: Prediction | None, pool: Mapping[str, Any],
                     login: ProviderLogin | None, identity_id: str | None) -> TriedRole | None:
    """The predicted role with the facts IAM gives about it; None when no role was predicted."""
    arn = prediction.role_arn if prediction else None
    if not arn or prediction is None:
        return None
    try:
        role = (await iam.get_role(role_name=arn.rsplit("/", 1)[-1]))["Role"]
    except errors.AwsError as exc:
        return TriedRole(arn, prediction.why, exists=False if exc.code == "NoSuchEntity" else None)
    except BackendError:
        return TriedRole(arn, prediction.why)
    document = role.get("AssumeRolePolicyDocument")
    if login is None or not pool.get("IdentityPoolId") or document is None:
        return TriedRole(arn, prediction.why, exists=True)
    try:
        presented = login_for(pool, login.logins_key, PresentedToken("claims", dict(login.claims)))
        decision = trust_decision(document, pool["IdentityPoolId"], presented, identity_id or UNKNOWN_IDENTITY, {})
    except (NotPreviewable, errors.MalformedPolicyDocument):
        return TriedRole(arn, prediction.why, exists=True)
    return TriedRole(arn, prediction.why, exists=True, refusal=() if decision.allowed else tuple(decision.reasons))
