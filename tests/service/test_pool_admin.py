"""Pool editing, the wizard's provisioning, delete and duplicate against the real embedded service."""

from __future__ import annotations

import pytest
from moto_server import running_moto_server
from pool_admin_support import MOTO_KEYS, connection, embedded, run
from support import trust_policy

from cognito_desk.admin.pools import (
    Conflict,
    InvalidPool,
    PoolEdit,
    Saved,
    count_identities,
    save_pool,
    send_pool_request,
)
from cognito_desk.admin.provision import ProvisioningFailed, provision, roll_back
from cognito_desk.admin.transfer import plan_duplicate
from cognito_desk.admin.wizard import WizardPlan
from cognito_desk.core import errors

OIDC_ARN = "arn:aws:iam::000000000000:oidc-provider/idp.qa.example"
USER_POOL = {"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc123", "ClientId": "client1",
             "ServerSideTokenCheck": True}


@pytest.fixture
def full_pool(make_pool):
    """A pool using every member, several of which the Settings form does not show."""
    return make_pool(AllowClassicFlow=True, SupportedLoginProviders={"accounts.google.com": "app-1"},
                     DeveloperProviderName="login.qa.example", OpenIdConnectProviderARNs=[OIDC_ARN],
                     CognitoIdentityProviders=[USER_POOL], IdentityPoolTags={"team": "qa"})


def test_save_changes_one_field_and_keeps_every_other(service, aws_client, full_pool):
    ci = aws_client("cognito-identity")
    before = ci.describe_identity_pool(IdentityPoolId=full_pool.id)

    async def scenario(http):
        conn = embedded(http, service)
        edit = PoolEdit(await conn.identity.describe_identity_pool(identity_pool_id=full_pool.id))
        edit.set("IdentityPoolName", "renamed")
        return await save_pool(conn.identity, edit)

    result = run(scenario)
    after = ci.describe_identity_pool(IdentityPoolId=full_pool.id)
    assert isinstance(result, Saved) and result.pool["IdentityPoolName"] == "renamed"
    before.pop("ResponseMetadata"), after.pop("ResponseMetadata")
    assert after == {**before, "IdentityPoolName": "renamed"}
    assert after["OpenIdConnectProviderARNs"] == [OIDC_ARN] and after["CognitoIdentityProviders"] == [USER_POOL]


def test_a_change_made_elsewhere_is_a_conflict_until_overwritten(service, aws_client, full_pool):
    ci = aws_client("cognito-identity")

    async def scenario(http):
        conn = embedded(http, service)
        edit = PoolEdit(await conn.identity.describe_identity_pool(identity_pool_id=full_pool.id))
        edit.set("AllowUnauthenticatedIdentities", False)
        current = ci.describe_identity_pool(IdentityPoolId=full_pool.id)
        current.pop("ResponseMetadata")
        ci.update_identity_pool(**{**current, "SupportedLoginProviders": {"accounts.google.com": "app-2"}})
        conflict = await save_pool(conn.identity, edit)
        overwritten = await save_pool(conn.identity, edit, overwrite=True)
        return conflict, overwritten

    conflict, overwritten = run(scenario)
    assert isinstance(conflict, Conflict)
    assert [(d.path, d.before, d.after) for d in conflict.changed_elsewhere] == [
        ('SupportedLoginProviders."accounts.google.com"', "app-1", "app-2")]
    assert isinstance(overwritten, Saved)
    pool = ci.describe_identity_pool(IdentityPoolId=full_pool.id)
    assert pool["SupportedLoginProviders"] == {"accounts.google.com": "app-1"}
    assert pool["AllowUnauthenticatedIdentities"] is False


def test_invalid_edits_are_refused_before_sending_and_nothing_changes(service, aws_client, full_pool):
    ci = aws_client("cognito-identity")

    async def scenario(http):
        conn = embedded(http, service)
        edit = PoolEdit(await conn.identity.describe_identity_pool(identity_pool_id=full_pool.id))
        edit.set("IdentityPoolName", "x" * 129)
        with pytest.raises(InvalidPool) as invalid:
            await save_pool(conn.identity, edit)
        edit = PoolEdit(await conn.identity.describe_identity_pool(identity_pool_id=full_pool.id))
        edit.request["DeveloperProviderName"] = "other.example"  # what a form that ignored read-only would send
        with pytest.raises(errors.InvalidParameterException) as refused:
            await save_pool(conn.identity, edit)
        return invalid.value, refused.value

    invalid, refused = run(scenario)
    assert [p.member for p in invalid.problems] == ["IdentityPoolName"]
    assert invalid.problems[0].message == "Too long: at most 128 allowed."
    assert "Member must have length less than or equal to 128" in invalid.problems[0].detail
    assert refused.message == "DeveloperProviderName cannot be changed once set (it is 'login.qa.example')."
    assert ci.describe_identity_pool(IdentityPoolId=full_pool.id)["IdentityPoolName"] == "test pool"


def test_wizard_creates_pool_then_roles_and_a_guest_signs_in(service, aws_client):
    ci = aws_client("cognito-identity")
    plan = WizardPlan(authenticated=True, guest=True, developer_provider="login.wizard", name="Wizard pool")
    steps: list[str] = []

    async def scenario(http):
        return await provision(embedded(http, service).identity, embedded(http, service).iam, plan.provisioning(),
                               steps.append)

    created = run(scenario)
    pool_id = created.pool["IdentityPoolId"]
    assert steps == ["Creating identity pool Wizard pool", "Creating IAM role Wizard-pool-auth-role",
                     "Creating IAM role Wizard-pool-guest-role",
                     "Attaching roles to the pool (SetIdentityPoolRoles)"]
    assert ci.get_identity_pool_roles(IdentityPoolId=pool_id)["Roles"] == created.role_arns
    identity_id = ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert ci.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]["AccessKeyId"]
    run(lambda http: roll_back(embedded(http, service).identity, embedded(http, service).iam, created))


def test_failure_midway_says_what_exists_and_rolls_back(service, aws_client):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    iam.create_role(RoleName="Taken-guest-role", AssumeRolePolicyDocument=trust_policy("any", "unauthenticated"))
    plan = WizardPlan(authenticated=True, guest=True, developer_provider="login.taken", name="Taken")

    async def scenario(http):
        conn = embedded(http, service)
        with pytest.raises(ProvisioningFailed) as failed:
            await provision(conn.identity, conn.iam, plan.provisioning())
        created = failed.value.created
        summary = created.summary()
        left = await roll_back(conn.identity, conn.iam, created)
        return failed.value, summary, left

    failure, summary, left = run(scenario)
    assert failure.step == "Creating IAM role Taken-guest-role"
    assert isinstance(failure.cause, errors.EntityAlreadyExists)
    pool_id = summary[0].split("(")[1].rstrip(")")
    assert summary[1].endswith(":role/Taken-auth-role") and len(summary) == 2
    assert left == []
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName="Taken-auth-role")
    iam.get_role(RoleName="Taken-guest-role")


def test_identity_count_and_delete(service, aws_client, make_pool):
    ci = aws_client("cognito-identity")
    pool = make_pool()
    for _ in range(5):
        ci.get_id(IdentityPoolId=pool.id)

    async def scenario(http):
        conn = embedded(http, service)
        counts = [await count_identities(conn.identity, pool.id), await count_identities(conn.identity, pool.id, 3)]
        await conn.identity.delete_identity_pool(identity_pool_id=pool.id)
        return counts

    assert run(scenario) == [(5, True), (3, False)]
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.describe_identity_pool(IdentityPoolId=pool.id)


@pytest.mark.parametrize("copy_roles", [False, True])
def test_duplicate(service, aws_client, make_pool, copy_roles):
    ci = aws_client("cognito-identity")
    pool = make_pool(SupportedLoginProviders={"accounts.google.com": "app-1"}, tag_session=True)

    async def scenario(http):
        conn = embedded(http, service)
        preview = await plan_duplicate(conn, pool.id, f"copy {copy_roles}", copy_roles=copy_roles)
        return preview, await provision(conn.identity, conn.iam, preview.provisioning)

    preview, created = run(scenario)
    copy = ci.describe_identity_pool(IdentityPoolId=created.pool["IdentityPoolId"])
    assert copy["IdentityPoolName"] == f"copy {copy_roles}"
    assert copy["SupportedLoginProviders"] == {"accounts.google.com": "app-1"}
    roles = ci.get_identity_pool_roles(IdentityPoolId=copy["IdentityPoolId"])["Roles"]
    guest = ci.get_id(IdentityPoolId=copy["IdentityPoolId"])["IdentityId"]
    if copy_roles:
        assert roles["unauthenticated"].endswith("-copy") and preview.warnings == []
        assert ci.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    else:
        assert roles == pool.roles
        assert len(preview.warnings) == 2 and "does not admit the new pool" in preview.warnings[0]
        with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException):
            ci.get_credentials_for_identity(IdentityId=guest)


@pytest.fixture(scope="module")
def moto_url():
    with running_moto_server() as url:
        yield url


def test_moto_save_keeps_other_fields_and_detects_conflicts(moto_url):
    async def scenario(http):
        moto = connection(http, moto_url, "us-east-1", MOTO_KEYS, "moto")
        created = await send_pool_request(moto.identity, "CreateIdentityPool", {
            "IdentityPoolName": "moto pool", "AllowUnauthenticatedIdentities": True,
            "DeveloperProviderName": "login.moto", "OpenIdConnectProviderARNs": [OIDC_ARN]})
        edit = PoolEdit(await moto.identity.describe_identity_pool(identity_pool_id=created["IdentityPoolId"]))
        edit.set("AllowUnauthenticatedIdentities", False)
        saved = await save_pool(moto.identity, edit)
        stale = PoolEdit(saved.pool)
        stale.set("AllowUnauthenticatedIdentities", True)
        edit.set("SupportedLoginProviders", {"graph.facebook.com": "fb-app"})
        await save_pool(moto.identity, edit)
        conflict = await save_pool(moto.identity, stale)
        return saved.pool, conflict, await moto.identity.describe_identity_pool(identity_pool_id=edit.pool_id)

    saved, conflict, final = run(scenario)
    assert saved["AllowUnauthenticatedIdentities"] is False
    assert saved["OpenIdConnectProviderARNs"] == [OIDC_ARN] and saved["DeveloperProviderName"] == "login.moto"
    assert [(d.path, d.before, d.after) for d in conflict.changed_elsewhere] == [
        ("SupportedLoginProviders", None, {"graph.facebook.com": "fb-app"})]
    assert final["AllowUnauthenticatedIdentities"] is False  # the stale save was stopped
    assert final["SupportedLoginProviders"] == {"graph.facebook.com": "fb-app"}
