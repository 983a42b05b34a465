"""The standard Cognito trust policy, checked with the service's own trust-policy evaluator."""

from __future__ import annotations

import pytest

from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.core.policy import evaluate_trust_policy

POOL = "us-east-1:11111111-2222-3333-4444-555555555555"
OTHER_POOL = "us-east-1:99999999-2222-3333-4444-555555555555"


def decide(policy, *, aud=POOL, amr=("unauthenticated",), action="sts:AssumeRoleWithWebIdentity",
           principal="cognito-identity.amazonaws.com"):
    context = {"cognito-identity.amazonaws.com:aud": aud, "cognito-identity.amazonaws.com:amr": list(amr)}
    return evaluate_trust_policy(policy, federated_principal=principal, action=action, context=context).allowed


def test_shape_is_the_console_policy():
    policy = cognito_trust_policy(POOL, "authenticated")
    statement, = policy["Statement"]
    assert policy["Version"] == "2012-10-17"
    assert statement["Principal"] == {"Federated": "cognito-identity.amazonaws.com"}
    assert statement["Action"] == ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    assert statement["Condition"] == {
        "StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
        "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
    }
    assert cognito_trust_policy(POOL, "authenticated", tag_session=False)["Statement"][0]["Action"] == [
        "sts:AssumeRoleWithWebIdentity"]


def test_guest_policy_admits_only_guests_of_this_pool():
    policy = cognito_trust_policy(POOL, "unauthenticated")
    assert decide(policy)
    assert decide(policy, action="sts:TagSession")
    assert not decide(policy, aud=OTHER_POOL)
    assert not decide(policy, amr=("authenticated", "accounts.google.com"))
    assert not decide(policy, action="sts:AssumeRole")
    assert not decide(policy, principal="accounts.google.com")
    assert not decide(cognito_trust_policy(POOL, "unauthenticated", tag_session=False), action="sts:TagSession")


def test_authenticated_policy_admits_signed_in_identities():
    policy = cognito_trust_policy(POOL, "authenticated")
    assert decide(policy, amr=("authenticated", "accounts.google.com", "accounts.google.com:123"))
    assert not decide(policy, amr=("unauthenticated",))


@pytest.mark.parametrize("pool_id, amr, message", [
    (POOL, "guest", "amr must be one of authenticated, unauthenticated, not 'guest'"),
    ("", "authenticated", "a trust policy needs the identity pool ID"),
])
def test_bad_arguments_are_refused(pool_id, amr, message):
    with pytest.raises(ValueError) as excinfo:
        cognito_trust_policy(pool_id, amr)
    assert str(excinfo.value) == message
