"""Export, import across connections, drift and CloudFormation against real embedded services and moto."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from moto_server import running_moto_server
from pool_admin_support import MOTO_KEYS, connection, embedded, run
from support import VENV_BIN, make_client, start_service

from cognito_desk.admin.cloudformation import cloudformation_template
from cognito_desk.admin.diff import ABSENT
from cognito_desk.admin.drift import compare_with_file
from cognito_desk.admin.provision import ProvisioningFailed, provision, roll_back
from cognito_desk.admin.transfer import export_pool, plan_import

OTHER_ACCOUNT = "111122223333"
RULES = {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": [
    {"Claim": "email", "MatchType": "Contains", "Value": "@qa", "RoleARN": None}]}}


@pytest.fixture
def rich_pool(make_pool, aws_client):
    """A pool with roles, a rules mapping, a principal-tag map and tags."""
    pool = make_pool(SupportedLoginProviders={"accounts.google.com": "app-1"}, IdentityPoolTags={"team": "qa"},
                     DeveloperProviderName="login.export", tag_session=True)
    ci = aws_client("cognito-identity")
    mapping = json.loads(json.dumps(RULES).replace("null", json.dumps(pool.roles["authenticated"])))
    ci.set_identity_pool_roles(IdentityPoolId=pool.id, Roles=pool.roles,
                               RoleMappings={"accounts.google.com": mapping})
    ci.set_principal_tag_attribute_map(IdentityPoolId=pool.id, IdentityProviderName="accounts.google.com",
                                       UseDefaults=False, PrincipalTags={"department": "hd"})
    return pool


@pytest.fixture
def other_service(tmp_path):
    running = start_service(tmp_path / "other", account_id=OTHER_ACCOUNT)
    yield running
    running.thread.stop()


def test_export_parts_are_what_the_aws_cli_prints(service, aws_cli, rich_pool):
    document = run(lambda http: export_pool(embedded(http, service), rich_pool.id))
    pool_arn = f"arn:aws:cognito-identity:{service.region}:{service.account_id}:identitypool/{rich_pool.id}"
    assert document["describe-identity-pool"] == aws_cli(
        "cognito-identity", "describe-identity-pool", "--identity-pool-id", rich_pool.id).json
    assert document["get-identity-pool-roles"] == aws_cli(
        "cognito-identity", "get-identity-pool-roles", "--identity-pool-id", rich_pool.id).json
    assert document["get-principal-tag-attribute-map"] == [aws_cli(
        "cognito-identity", "get-principal-tag-attribute-map", "--identity-pool-id", rich_pool.id,
        "--identity-provider-name", "accounts.google.com").json]
    assert document["list-tags-for-resource"] == aws_cli(
        "cognito-identity", "list-tags-for-resource", "--resource-arn", pool_arn).json
    assert document["get-role"] == [aws_cli("iam", "get-role", "--role-name", arn.rsplit("/", 1)[1]).json
                                    for arn in rich_pool.roles.values()]
    assert document["ExportedFrom"] == {"Endpoint": service.url, "Region": service.region,
                                        "Account": service.account_id}
    assert "Unavailable" not in document


def test_import_into_another_account_maps_arns_and_guests_sign_in(service, other_service, rich_pool):
    document = run(lambda http: export_pool(embedded(http, service), rich_pool.id))

    async def scenario(http):
        target = embedded(http, other_service, "other")
        preview = await plan_import(json.loads(json.dumps(document)), target)
        return preview, await provision(target.identity, target.iam, preview.provisioning)

    preview, created = run(scenario)
    new_id = created.pool["IdentityPoolId"]
    for arn in rich_pool.roles.values():
        assert preview.arn_mapping[arn] == f"new role {arn.rsplit('/', 1)[1]}"
    assert ("Identity pool", "create “test pool”") in preview.rows and preview.warnings == []
    ci = make_client(other_service, "cognito-identity")
    roles = ci.get_identity_pool_roles(IdentityPoolId=new_id)
    assert all(f":{OTHER_ACCOUNT}:role/" in arn for arn in roles["Roles"].values())
    rule_arn = roles["RoleMappings"]["accounts.google.com"]["RulesConfiguration"]["Rules"][0]["RoleARN"]
    assert rule_arn == roles["Roles"]["authenticated"]
    assert ci.get_principal_tag_attribute_map(IdentityPoolId=new_id, IdentityProviderName="accounts.google.com")[
        "PrincipalTags"] == {"department": "hd"}
    pool = ci.describe_identity_pool(IdentityPoolId=new_id)
    assert pool["DeveloperProviderName"] == "login.export" and pool["IdentityPoolTags"] == {"team": "qa"}
    guest = ci.get_id(IdentityPoolId=new_id)["IdentityId"]
    credentials = ci.get_credentials_for_identity(IdentityId=guest)["Credentials"]
    sts = make_client(other_service, "sts", aws_access_key_id=credentials["AccessKeyId"],
                      aws_secret_access_key=credentials["SecretKey"], aws_session_token=credentials["SessionToken"])
    assert sts.get_caller_identity()["Account"] == OTHER_ACCOUNT
    # ... and back: the copy exported from the other account imports into the first one unchanged.
    back = run(lambda http: export_pool(embedded(http, other_service, "other"), new_id))
    assert back["get-role"][0]["Role"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"][
        "StringEquals"]["cognito-identity.amazonaws.com:aud"] == new_id
    preview = run(lambda http: plan_import(back, embedded(http, service), name="came back"))
    assert [row for row in preview.rows if row[0] == "IAM role"] == [
        ("IAM role", f"use existing {arn}") for arn in rich_pool.roles.values()]


def test_moto_round_trip_and_what_moto_cannot_do(service, make_pool, aws_client):
    pool = make_pool(roles=(), SupportedLoginProviders={"graph.facebook.com": "fb-app"})
    with_roles = make_pool()
    ci = aws_client("cognito-identity")
    with running_moto_server() as url:
        async def scenario(http):
            local, moto = embedded(http, service), connection(http, url, "us-east-1", MOTO_KEYS, "moto")
            preview = await plan_import(await export_pool(local, pool.id), moto)
            created = await provision(moto.identity, moto.iam, preview.provisioning)
            from_moto = await export_pool(moto, created.pool["IdentityPoolId"])
            back = await provision(local.identity, local.iam, (await plan_import(from_moto, local)).provisioning)
            roles_preview = await plan_import(await export_pool(local, with_roles.id), moto)
            with pytest.raises(ProvisioningFailed) as failed:
                await provision(moto.identity, moto.iam, roles_preview.provisioning)
            made = failed.value.created.summary()
            left = await roll_back(moto.identity, moto.iam, failed.value.created)
            pools = [p async for p in moto.identity.iter_identity_pools()]
            return from_moto, back, failed.value, made, left, pools

        from_moto, back, failure, made, left, pools = run(scenario)
    assert from_moto["describe-identity-pool"]["SupportedLoginProviders"] == {"graph.facebook.com": "fb-app"}
    assert set(from_moto["Unavailable"]) == {"get-identity-pool-roles", "list-tags-for-resource",
                                             "get-principal-tag-attribute-map graph.facebook.com"}
    assert from_moto["Unavailable"]["list-tags-for-resource"] == "500: INTERNAL SERVER ERROR"
    copy = ci.describe_identity_pool(IdentityPoolId=back.pool["IdentityPoolId"])
    assert copy["SupportedLoginProviders"] == {"graph.facebook.com": "fb-app"}
    assert failure.step == "Attaching roles to the pool (SetIdentityPoolRoles)"
    assert len(made) == 3 and left == []
    assert [p["IdentityPoolName"] for p in pools] == ["test pool"]


def test_drift_lists_each_field_changed_since_the_export(service, aws_client, rich_pool):
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    document = run(lambda http: export_pool(embedded(http, service), rich_pool.id))
    assert run(lambda http: compare_with_file(embedded(http, service), rich_pool.id, document)) == []
    current = ci.describe_identity_pool(IdentityPoolId=rich_pool.id)
    current.pop("ResponseMetadata")
    ci.update_identity_pool(**{**current, "AllowUnauthenticatedIdentities": False})
    guest_role = rich_pool.roles["unauthenticated"].rsplit("/", 1)[1]
    policy = json.loads(json.dumps(document["get-role"][0]["Role"]["AssumeRolePolicyDocument"]))
    policy["Statement"][0]["Action"] = ["sts:AssumeRoleWithWebIdentity"]
    iam.update_assume_role_policy(RoleName=guest_role, PolicyDocument=json.dumps(policy))
    ci.tag_resource(ResourceArn=f"arn:aws:cognito-identity:{service.region}:{service.account_id}:identitypool/"
                                f"{rich_pool.id}", Tags={"owner": "console"})
    found = run(lambda http: compare_with_file(embedded(http, service), rich_pool.id, document))
    assert [(d.path, d.before, d.after) for d in found] == [
        ("IdentityPool.AllowUnauthenticatedIdentities", True, False),
        ("IdentityPool.IdentityPoolTags.owner", ABSENT, "console"),
        ("Tags.owner", ABSENT, "console"),
        (f"Roles.{guest_role}.AssumeRolePolicyDocument.Statement[0].Action",
         ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"], ["sts:AssumeRoleWithWebIdentity"]),
    ]


def cfn_lint(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "cfn-lint"), "--regions", "us-east-1", "--", str(path)],
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_cloudformation_export_passes_cfn_lint(service, rich_pool, tmp_path):
    document = run(lambda http: export_pool(embedded(http, service), rich_pool.id))
    template = cloudformation_template(document)
    types = sorted(resource["Type"] for resource in template["Resources"].values())
    assert types == ["AWS::Cognito::IdentityPool", "AWS::Cognito::IdentityPoolPrincipalTag",
                     "AWS::Cognito::IdentityPoolRoleAttachment", "AWS::IAM::Role", "AWS::IAM::Role"]
    role = next(r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]["StringEquals"] == {
        "cognito-identity.amazonaws.com:aud": {"Ref": "IdentityPool"}}
    path = tmp_path / "pool.json"
    path.write_text(json.dumps(template, indent=2))
    result = cfn_lint(path)
    assert result.returncode == 0, result.stdout + result.stderr
    del template["Resources"]["IdentityPool"]["Properties"]["AllowUnauthenticatedIdentities"]
    path.write_text(json.dumps(template, indent=2))
    broken = cfn_lint(path)
    assert broken.returncode != 0 and "AllowUnauthenticatedIdentities" in broken.stdout
