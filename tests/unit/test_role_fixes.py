"""Which fix a refused sign-in offers (admin.role_fixes): create the role Cognito tried, or fix its trust policy."""

from __future__ import annotations

import pytest

from cognito_desk.admin.role_fixes import RoleFix, role_fix, trust_fix
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.core import errors
from cognito_desk.core.explain import TriedRole
from cognito_desk.core.trust_lint import lint_trust_policy

POOL = "us-east-1:22222222-2222-2222-2222-222222222222"
OTHER_POOL = "us-east-1:11111111-1111-1111-1111-111111111111"
ACCOUNT = "arn:aws:iam::123456789012:role"
AUTH, GUEST, ENG = f"{ACCOUNT}/desk-auth", f"{ACCOUNT}/desk-guest", f"{ACCOUNT}/eng-role"
ROLES = {"IdentityPoolId": POOL, "Roles": {"authenticated": AUTH, "unauthenticated": GUEST},
         "RoleMappings": {"idp.example": {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                          "RulesConfiguration": {"Rules": [
                                              {"Claim": "dept", "MatchType": "Equals", "Value": "eng",
                                               "RoleARN": ENG}]}}}}
LOGINS = {"idp.example": "token"}


def refused(*notes: str, code: str = "InvalidIdentityPoolConfigurationException") -> errors.AwsError:
    return errors.AwsError("Invalid identity pool configuration. Check assigned IAM roles for this pool.",
                           code=code, notes=notes)


def test_a_missing_rule_role_is_created_for_the_authenticated_slot():
    fix = role_fix(refused(), roles=ROLES, logins=LOGINS, tried_role=TriedRole(ENG, "rule 1", exists=False))
    assert fix == RoleFix("create", ENG, "authenticated")
    assert fix.label == "Create eng-role trusted by this pool"


def test_the_services_note_names_the_role_even_when_the_prediction_named_another():
    fix = role_fix(refused(f"role {ENG} does not exist in IAM"), roles=ROLES, logins=LOGINS,
                   tried_role=TriedRole(AUTH, "the default", exists=True))
    assert fix == RoleFix("create", ENG, "authenticated")


def test_a_guest_role_whose_trust_refused_gets_the_trust_fix_for_the_guest_slot():
    fix = role_fix(refused("trust=denied role=desk-guest: aud differs"), roles=ROLES, logins={}, tried_role=None)
    assert fix == RoleFix("trust", GUEST, "unauthenticated")
    assert fix.label == "Fix the trust policy…"


def test_the_basic_flows_sts_refusal_with_a_predicted_refusal_gets_the_trust_fix():
    error = refused(code="AccessDenied")
    fix = role_fix(error, roles=ROLES, logins=LOGINS, tried_role=TriedRole(AUTH, exists=True, refusal=("amr",)))
    assert fix == RoleFix("trust", AUTH, "authenticated")


@pytest.mark.parametrize("error, tried", [
    (refused(), TriedRole(ENG)),  # IAM could not be read: which fix is not known
    (refused(), TriedRole(ENG, exists=True)),  # exists and nothing known to refuse it
    (refused(), None),
    (errors.AwsError("Token is expired", code="NotAuthorizedException"), TriedRole(ENG, exists=False)),
    (ValueError("not an AWS error"), TriedRole(ENG, exists=False)),
])
def test_no_fix_is_offered_when_no_role_fix_applies(error, tried):
    assert role_fix(error, roles=ROLES, logins=LOGINS, tried_role=tried) is None


def test_the_trust_fix_applies_every_fixable_finding_until_the_lint_is_clean():
    document = cognito_trust_policy(OTHER_POOL, "unauthenticated", tag_session=False)
    fixed, findings = trust_fix(document, pool_id=POOL, slot="authenticated")
    assert len(findings) == 2 and any("aud" in f for f in findings) and any("amr" in f for f in findings)
    assert not [f for f in lint_trust_policy(fixed, pool_id=POOL, slot="authenticated") if f.severity == "error"]
    assert document == cognito_trust_policy(OTHER_POOL, "unauthenticated", tag_session=False)  # not changed in place


def test_a_clean_policy_has_no_trust_fix():
    assert trust_fix(cognito_trust_policy(POOL, "authenticated"), pool_id=POOL, slot="authenticated") is None
