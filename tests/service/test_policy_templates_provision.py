"""The pool wizard's permissions template against the real embedded service: the new roles get the template's
inline policy, a failure midway rolls back roles that already have one, and every template is a policy IAM takes."""

from __future__ import annotations

import json
import uuid

import pytest
from pool_admin_support import embedded, run
from support import trust_policy

from cognito_desk.admin.policy_templates import (
    AUTHENTICATED,
    TEMPLATES,
    UNAUTHENTICATED,
    TemplatePolicy,
    put_template_policy,
    template,
)
from cognito_desk.admin.provision import ProvisioningFailed, provision, roll_back
from cognito_desk.admin.wizard import WizardPlan
from cognito_desk.core import errors

VALUES = {"bucket": "photos", "table": "Notes", "region": "us-east-1", "account": "000000000000"}


def plan(name: str, template_id: str) -> WizardPlan:
    return WizardPlan(authenticated=True, guest=True, developer_provider=f"login.{name.lower()}", name=name,
                      permissions_template=template_id, template_values={"bucket": "media"})


def test_wizard_puts_the_template_on_each_new_role(service, aws_client):
    iam = aws_client("iam")
    name = f"Tpl{uuid.uuid4().hex[:8]}"
    wizard = plan(name, "amplify-storage")
    assert ("Authenticated role permissions",
            "Amplify Storage (public / protected / private) (inline policy amplify-storage)") in wizard.review()
    steps: list[str] = []
    created = run(lambda http: provision(embedded(http, service).identity, embedded(http, service).iam,
                                         wizard.provisioning(), steps.append))
    assert steps[1:5] == [f"Creating IAM role {name}-auth-role",
                          f"Adding permissions policy amplify-storage to IAM role {name}-auth-role",
                          f"Creating IAM role {name}-guest-role",
                          f"Adding permissions policy amplify-storage to IAM role {name}-guest-role"]
    stored = iam.get_role_policy(RoleName=f"{name}-auth-role", PolicyName="amplify-storage")["PolicyDocument"]
    assert stored == template("amplify-storage").render({"bucket": "media"}, AUTHENTICATED)
    guest = iam.get_role_policy(RoleName=f"{name}-guest-role", PolicyName="amplify-storage")["PolicyDocument"]
    assert guest == template("amplify-storage").render({"bucket": "media"}, UNAUTHENTICATED)

    assert run(lambda http: roll_back(embedded(http, service).identity, embedded(http, service).iam, created)) == []
    for role in (f"{name}-auth-role", f"{name}-guest-role"):
        with pytest.raises(iam.exceptions.NoSuchEntityException):
            iam.get_role(RoleName=role)


def test_template_only_for_the_roles_it_grants_something(service, aws_client):
    iam = aws_client("iam")
    name = f"Tpl{uuid.uuid4().hex[:8]}"
    wizard = plan(name, "s3-private-folder")
    created = run(lambda http: provision(embedded(http, service).identity, embedded(http, service).iam,
                                         wizard.provisioning()))
    assert iam.list_role_policies(RoleName=f"{name}-auth-role")["PolicyNames"] == ["private-s3-folder"]
    assert iam.list_role_policies(RoleName=f"{name}-guest-role")["PolicyNames"] == []
    run(lambda http: roll_back(embedded(http, service).identity, embedded(http, service).iam, created))


def test_failure_after_a_policy_rolls_back_the_role_with_its_policy(service, aws_client):
    iam = aws_client("iam")
    name = f"Tpl{uuid.uuid4().hex[:8]}"
    iam.create_role(RoleName=f"{name}-guest-role", AssumeRolePolicyDocument=trust_policy("any", "unauthenticated"))

    async def scenario(http):
        conn = embedded(http, service)
        with pytest.raises(ProvisioningFailed) as failed:
            await provision(conn.identity, conn.iam, plan(name, "amplify-storage").provisioning())
        return failed.value, await roll_back(conn.identity, conn.iam, failed.value.created)

    failure, left = run(scenario)
    assert failure.step == f"Creating IAM role {name}-guest-role"
    assert isinstance(failure.cause, errors.EntityAlreadyExists)
    assert left == []
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=f"{name}-auth-role")


def test_template_problems_keep_the_roles_step_open():
    wizard = WizardPlan(authenticated=True, developer_provider="login.x", name="x",
                        permissions_template="dynamodb-leading-keys", template_values={"table": "t"})
    assert [(p.member, p.message) for p in wizard.problems(2)] == [
        ("template.table", "DynamoDB table 't' is not valid: 3–255 letters, digits, '_', '-' and '.'."),
        ("template.region", "Table region is required."),
        ("template.account", "Table account ID is required."),
    ]


@pytest.mark.parametrize("chosen", TEMPLATES, ids=lambda t: t.id)
def test_iam_accepts_every_template(aws_client, chosen):
    iam = aws_client("iam")
    role = f"tpl-{uuid.uuid4().hex[:10]}"
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy("any", "authenticated"))
    for kind in (AUTHENTICATED, UNAUTHENTICATED):
        if chosen.applies_to(kind):
            document = chosen.render(VALUES, kind)
            iam.put_role_policy(RoleName=role, PolicyName=f"{chosen.policy_name}-{kind}",
                                PolicyDocument=json.dumps(document))
            assert iam.get_role_policy(RoleName=role, PolicyName=f"{chosen.policy_name}-{kind}")[
                "PolicyDocument"] == document


def test_put_template_policy_on_an_existing_role(service, aws_client):
    iam = aws_client("iam")
    role = f"tpl-{uuid.uuid4().hex[:10]}"
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust_policy("any", "authenticated"))["Role"]["Arn"]
    chosen = TemplatePolicy(role_arn=arn, template_id="dynamodb-leading-keys", values=VALUES, policy_name="own-items")
    sent = run(lambda http: put_template_policy(embedded(http, service).iam, chosen))
    assert sent["RoleName"] == role
    assert iam.get_role_policy(RoleName=role, PolicyName="own-items")["PolicyDocument"] == chosen.request()[
        "PolicyDocument"]
    missing = TemplatePolicy(role_arn=arn + "-gone", template_id="s3-private-folder", values=VALUES)
    with pytest.raises(errors.NoSuchEntity):
        run(lambda http: put_template_policy(embedded(http, service).iam, missing))
