"""Roles in the Roles & rules tab against the real embedded service: "Create role trusted by this pool" then a real
guest sign-in through it, and every lint finding on a crafted trust policy — the sign-in is refused, the lint names
the problem, its fix goes through IAM UpdateAssumeRolePolicy and the same sign-in then succeeds."""

from __future__ import annotations

import asyncio
import copy
import json
import secrets

import httpx
import pytest

from cognito_desk.admin.role_fixes import RoleFix, plan_trust_fix
from cognito_desk.admin.role_trust import (
    apply_trust_fix,
    create_trusted_role,
    fix_diff,
    lint_role,
    load_trust_policies,
    roles_in_use,
)
from cognito_desk.admin.rules import RoleMapping, RolesForm, Rule
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.aws import IamClient, RetryPolicy, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.core import errors

COGNITO = "cognito-identity.amazonaws.com"
AUD, AMR = f"{COGNITO}:aud", f"{COGNITO}:amr"
OTHER_POOL = "us-east-1:11111111-1111-1111-1111-111111111111"


def with_iam(service, scenario):
    async def main():
        async with httpx.AsyncClient() as http:
            iam = IamClient(http, custom_endpoints(service.url, service.region).iam,
                            StaticCredentials(service.access_key_id, service.secret_access_key),
                            retry=RetryPolicy(max_attempts=1))
            return await scenario(iam)
    return asyncio.run(main())


def guest_sign_in(ci, pool_id: str) -> str | None:
    """None when a guest gets credentials, else the AWS error code."""
    identity_id = ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    try:
        ci.get_credentials_for_identity(IdentityId=identity_id)
    except ci.exceptions.ClientError as exc:
        return exc.response["Error"]["Code"]
    return None


@pytest.fixture
def guest_pool(aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool(roles=())
    return ci, pool.id


def test_create_role_trusted_by_this_pool_then_a_real_guest_sign_in(service, guest_pool):
    ci, pool_id = guest_pool
    assert guest_sign_in(ci, pool_id) == "InvalidIdentityPoolConfigurationException"  # no guest role yet
    name = f"guest-{secrets.token_hex(4)}"
    arn = with_iam(service, lambda iam: create_trusted_role(iam, pool_id=pool_id, slot="unauthenticated", name=name))
    form = RolesForm(pool_id)
    form.set_default_role("unauthenticated", arn)
    assert form.problems() == []
    ci.set_identity_pool_roles(**form.to_request())
    assert guest_sign_in(ci, pool_id) is None
    policies = with_iam(service, lambda iam: load_trust_policies(iam, [arn, arn.replace(name, "missing-role")]))
    assert policies[arn] == cognito_trust_policy(pool_id, "unauthenticated")
    assert policies[arn.replace(name, "missing-role")] is None
    assert lint_role(policies[arn], pool_id=pool_id, slot="unauthenticated", uses_principal_tags=True) == []


def statement(document: dict) -> dict:
    return document["Statement"][0]


def another_pools_aud(d):
    statement(d)["Condition"]["StringEquals"][AUD] = OTHER_POOL


def authenticated_amr(d):
    statement(d)["Condition"]["ForAnyValue:StringLike"][AMR] = "authenticated"


def assume_role(d):
    statement(d)["Action"] = "sts:AssumeRole"


def tag_session_only(d):
    statement(d)["Action"] = "sts:TagSession"


def amazon_com(d):
    statement(d)["Principal"] = {"Federated": "cognito-identity.amazon.com"}


def account_principal(d):
    statement(d)["Principal"] = {"AWS": "arn:aws:iam::000000000000:root"}


def account_only(d):
    d["Statement"] = [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::000000000000:root"},
                       "Action": "sts:AssumeRole"}]


@pytest.mark.parametrize(("break_policy", "code"), [
    (another_pools_aud, "wrong-aud"), (authenticated_amr, "wrong-amr"), (assume_role, "assume-role-action"),
    (tag_session_only, "no-web-identity"), (amazon_com, "principal-typo"), (account_principal, "account-principal"),
    (account_only, "no-cognito-statement")])
def test_each_lint_fix_makes_a_refused_guest_sign_in_succeed(service, aws_client, guest_pool, break_policy, code):
    ci, pool_id = guest_pool
    iam = aws_client("iam")
    document = copy.deepcopy(cognito_trust_policy(pool_id, "unauthenticated", tag_session=False))
    break_policy(document)
    arn = iam.create_role(RoleName=f"guest-{code}-{secrets.token_hex(3)}",
                          AssumeRolePolicyDocument=json.dumps(document))["Role"]["Arn"]
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": arn})
    assert guest_sign_in(ci, pool_id) == "InvalidIdentityPoolConfigurationException"
    stored = with_iam(service, lambda client: load_trust_policies(client, [arn]))[arn]
    findings = lint_role(stored, pool_id=pool_id, slot="unauthenticated", uses_principal_tags=False)
    finding = next(f for f in findings if f.code == code)
    assert finding.fix is not None and finding.severity == "error"
    diff = fix_diff(stored, finding.fix)
    assert diff.startswith("--- trust policy (now)") and "\n+" in diff
    with_iam(service, lambda client: apply_trust_fix(client, arn, finding.fix))
    assert guest_sign_in(ci, pool_id) is None


def test_missing_tag_session_fix_lets_a_tagged_sign_in_through(service, aws_client, make_pool, oidc_idp):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    oidc_arn = f"arn:aws:iam::{service.account_id}:oidc-provider/{oidc_idp.host}"
    if oidc_arn not in {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}:
        iam.create_open_id_connect_provider(Url=oidc_idp.issuer, ClientIDList=["qa-desk", "other-app"])
    pool = make_pool(roles=("authenticated",), OpenIdConnectProviderARNs=[oidc_arn])
    ci.set_principal_tag_attribute_map(IdentityPoolId=pool.id, IdentityProviderName=oidc_idp.host, UseDefaults=True)
    logins = {oidc_idp.host: oidc_idp.id_token("alice")}
    identity_id = ci.get_id(IdentityPoolId=pool.id, Logins=logins)["IdentityId"]
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException):
        ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    arn = pool.roles["authenticated"]
    form = RolesForm.from_api(ci.get_identity_pool_roles(IdentityPoolId=pool.id))
    assert roles_in_use(form) == {arn: "authenticated"}
    stored = with_iam(service, lambda client: load_trust_policies(client, [arn]))[arn]
    finding = next(f for f in lint_role(stored, pool_id=pool.id, slot="authenticated", uses_principal_tags=True)
                   if f.code == "missing-tag-session")
    with_iam(service, lambda client: apply_trust_fix(client, arn, finding.fix))
    assert ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)["Credentials"]["AccessKeyId"]


def test_roles_in_use_names_each_slot():
    form = RolesForm("us-east-1:00000000-0000-0000-0000-000000000000",
                     {"authenticated": "arn:aws:iam::1:role/a", "unauthenticated": "arn:aws:iam::1:role/g"})
    form.add_mapping("accounts.google.com", RoleMapping("Rules")).add_rule(
        Rule("hd", "Equals", "x", "arn:aws:iam::1:role/r"))
    assert roles_in_use(form) == {"arn:aws:iam::1:role/r": "authenticated", "arn:aws:iam::1:role/a": "authenticated",
                                  "arn:aws:iam::1:role/g": "unauthenticated"}


def test_the_testers_trust_fix_is_planned_from_the_roles_policy_in_iam(service, aws_client):
    """admin.role_fixes.plan_trust_fix on real IAM: the diff of the stored policy, or a clear word when none."""
    pool_id = aws_client("cognito-identity").create_identity_pool(
        IdentityPoolName="plan fix", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    iam, suffix = aws_client("iam"), secrets.token_hex(4)
    elsewhere = cognito_trust_policy(OTHER_POOL, "authenticated")
    for name, policy in ((f"elsewhere-{suffix}", elsewhere),
                         (f"fine-{suffix}", cognito_trust_policy(pool_id, "authenticated"))):
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(policy))
    account = iam.get_role(RoleName=f"fine-{suffix}")["Role"]["Arn"].split(":")[4]

    def fix(name: str) -> RoleFix:
        return RoleFix("trust", f"arn:aws:iam::{account}:role/{name}", "authenticated")

    plan = with_iam(service, lambda client: plan_trust_fix(client, fix(f"elsewhere-{suffix}"), pool_id=pool_id))
    assert plan.document == elsewhere and plan.fixed == cognito_trust_policy(pool_id, "authenticated")
    assert f'-          "{AUD}": "{OTHER_POOL}"' in plan.diff and f'+          "{AUD}": "{pool_id}"' in plan.diff
    with pytest.raises(errors.CognitoDeskError, match="no automatic fix: edit it in Roles & rules"):
        with_iam(service, lambda client: plan_trust_fix(client, fix(f"fine-{suffix}"), pool_id=pool_id))
    with pytest.raises(errors.CognitoDeskError, match=f"gone-{suffix} does not exist in IAM any more"):
        with_iam(service, lambda client: plan_trust_fix(client, fix(f"gone-{suffix}"), pool_id=pool_id))
