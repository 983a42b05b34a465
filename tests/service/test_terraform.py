"""Terraform's AWS provider drives the running service: apply, a clean second plan, an in-place update,
import of an existing pool, destroy — the configuration is ``tests/terraform/main.tf``.

It runs offline: ``terraform`` from PATH and the AWS provider from a local filesystem mirror (found on the
machine, or named by ``COGNITO_DESK_TF_MIRROR``), through a CLI config file of the test's own. Without
either, the test is skipped and says why. Each Terraform command takes tens of seconds (the provider is
large), so the whole test takes a few minutes: it is marked slow and stays in the default run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from fakes.saml import SamlIdp

CONFIGURATION = Path(__file__).resolve().parents[1] / "terraform" / "main.tf"
PROVIDER = "registry.terraform.io/hashicorp/aws/5.100.0"
#: Where filesystem mirrors usually live (Terraform's implied mirror directories and this project's machines).
MIRROR_ROOTS = ("/opt/tf-plugins", "~/.terraform.d/plugins", "~/.local/share/terraform/plugins",
                "/usr/local/share/terraform/plugins", "/usr/share/terraform/plugins")
#: The configuration's pool roles and what they attach.
ROLE_NAMES = ("tf-authenticated-{suffix}", "tf-unauthenticated-{suffix}")


def find_mirror() -> Path | None:
    """A filesystem mirror root holding the AWS provider 5.100.0, or None."""
    roots = [os.environ["COGNITO_DESK_TF_MIRROR"]] if os.environ.get("COGNITO_DESK_TF_MIRROR") else MIRROR_ROOTS
    for root in roots:
        path = Path(root).expanduser()
        if any((path / PROVIDER).glob("*/terraform-provider-aws*")):
            return path
    return None


TERRAFORM = shutil.which("terraform")
MIRROR = find_mirror()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(1800),  # a few minutes on an idle machine; the suite's 300 s is for ordinary tests
    pytest.mark.skipif(TERRAFORM is None, reason="SKIPPED LOUDLY: `terraform` is not on PATH, so the Terraform "
                       "apply/plan/import/destroy test cannot run on this machine"),
    pytest.mark.skipif(MIRROR is None, reason=f"SKIPPED LOUDLY: no filesystem mirror holds {PROVIDER} (looked in "
                       f"{', '.join(MIRROR_ROOTS)}; set COGNITO_DESK_TF_MIRROR)"),
]


class Terraform:
    """``terraform`` in one working directory, offline, with the service's endpoint and admin key."""

    def __init__(self, workdir: Path, service, suffix: str, metadata: str) -> None:
        self.workdir = workdir
        cli_config = workdir / "terraform.rc"
        cli_config.write_text(
            'provider_installation {\n'
            f'  filesystem_mirror {{\n    path = "{MIRROR}"\n    include = ["registry.terraform.io/*/*"]\n  }}\n'
            '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n')
        # Nothing of the caller's AWS or Terraform setup leaks in, except Terraform's debug log when asked for.
        self.env = {key: value for key, value in os.environ.items()
                    if not key.startswith(("AWS_", "TF_")) or key in ("TF_LOG", "TF_LOG_PATH")}
        self.env.update(TF_CLI_CONFIG_FILE=str(cli_config), TF_IN_AUTOMATION="1", CHECKPOINT_DISABLE="1",
                        TF_INPUT="0", TF_VAR_endpoint=service.url, TF_VAR_access_key=service.access_key_id,
                        TF_VAR_secret_key=service.secret_access_key, TF_VAR_saml_metadata=metadata,
                        TF_VAR_suffix=suffix)
        shutil.copy(CONFIGURATION, workdir / "main.tf")

    def __call__(self, *args: str, expect: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        result = subprocess.run([TERRAFORM, *args, "-no-color"], cwd=self.workdir, env=self.env, text=True,
                                capture_output=True, timeout=900, stdin=subprocess.DEVNULL)
        if result.returncode not in expect:
            raise AssertionError(f"terraform {' '.join(args)} exited {result.returncode}:\n"
                                 f"{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
        return result

    def plan_is_clean(self, *variables: str) -> None:
        """``plan -detailed-exitcode`` answers 0: every shape read back matches what was written."""
        result = self("plan", "-detailed-exitcode", "-input=false", *variables, expect=(0, 2))
        assert result.returncode == 0, f"the plan after apply wants changes:\n{result.stdout[-8000:]}"

    def output(self, name: str) -> str:
        return json.loads(self("output", "-json").stdout)[name]["value"]


def gone(call, **kwargs) -> str:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return info.value.response["Error"]["Code"]


def test_terraform_apply_plan_update_import_destroy(aws_client, service, tmp_path):
    suffix = uuid.uuid4().hex[:8]
    tf = Terraform(tmp_path, service, suffix, SamlIdp(now=time.time()).metadata())
    ci, iam = aws_client("cognito-identity"), aws_client("iam")
    tf("init", "-input=false")

    tf("apply", "-auto-approve", "-input=false")
    pool_id = tf.output("pool_id")
    pool = ci.describe_identity_pool(IdentityPoolId=pool_id)
    assert pool["IdentityPoolName"] == f"terraform pool {suffix}"
    assert (pool["AllowUnauthenticatedIdentities"], pool["AllowClassicFlow"]) == (True, True)
    assert pool["DeveloperProviderName"] == f"login.terraform.{suffix}"
    assert pool["SupportedLoginProviders"]["graph.facebook.com"] == "7346241598935552"
    assert pool["CognitoIdentityProviders"] == [{
        "ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_Zr231apJu",
        "ClientId": "6lhlkkfbfb4q5kpp90urffae", "ServerSideTokenCheck": False}]
    assert pool["IdentityPoolTags"] == {"purpose": "first"}
    authenticated, unauthenticated = (name.format(suffix=suffix) for name in ROLE_NAMES)
    roles = ci.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert roles["Roles"]["authenticated"] == iam.get_role(RoleName=authenticated)["Role"]["Arn"]
    mappings = roles["RoleMappings"]
    assert mappings[f"login-{suffix}.example.com"]["Type"] == "Rules"
    assert len(mappings[f"login-{suffix}.example.com"]["RulesConfiguration"]["Rules"]) == 2
    attached = iam.list_attached_role_policies(RoleName=authenticated)["AttachedPolicies"]
    assert {policy["PolicyName"] for policy in attached} == {f"list-bucket-{suffix}", "AmazonCognitoReadOnly"}
    assert iam.list_role_policies(RoleName=authenticated)["PolicyNames"] == ["private-folder"]
    tags = ci.get_principal_tag_attribute_map(IdentityPoolId=pool_id, IdentityProviderName="accounts.google.com")
    assert (tags["UseDefaults"], tags["PrincipalTags"]) == (False, {"user": "sub", "email": "email"})
    tf.plan_is_clean()

    updated = tf("apply", "-auto-approve", "-input=false", "-var", "pool_description=second")
    assert "0 added, 5 changed, 0 destroyed" in updated.stdout, updated.stdout[-4000:]
    assert tf.output("pool_id") == pool_id
    pool = ci.describe_identity_pool(IdentityPoolId=pool_id)
    assert (pool["IdentityPoolTags"], pool["AllowClassicFlow"]) == ({"purpose": "second"}, False)
    assert iam.get_role(RoleName=unauthenticated)["Role"]["Description"] == "unauthenticated identities (second)"
    inline = iam.get_role_policy(RoleName=authenticated, PolicyName="private-folder")["PolicyDocument"]
    assert inline["Statement"][0]["Sid"] == "OwnFolderSecond"
    policy_arn = next(p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=authenticated)[
        "AttachedPolicies"] if p["PolicyName"] == f"list-bucket-{suffix}")
    assert iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"] == "v2"  # a new version, in place
    version = iam.get_policy_version(PolicyArn=policy_arn, VersionId="v2")["PolicyVersion"]["Document"]
    assert version["Statement"][0]["Sid"] == "ListOwnPrefixSecond"
    tf.plan_is_clean("-var", "pool_description=second")

    for address in ("aws_cognito_identity_pool.pool", "aws_cognito_identity_pool_roles_attachment.roles"):
        tf("state", "rm", address)
        tf("import", "-input=false", "-var", "pool_description=second", address, pool_id)
    tf.plan_is_clean("-var", "pool_description=second")

    providers = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    oidc_arn = next(p["Arn"] for p in providers if p["Arn"].endswith(f"login-{suffix}.example.com"))
    tf("destroy", "-auto-approve", "-input=false", "-var", "pool_description=second")
    assert gone(ci.describe_identity_pool, IdentityPoolId=pool_id) == "ResourceNotFoundException"
    for name in (authenticated, unauthenticated):
        assert gone(iam.get_role, RoleName=name) == "NoSuchEntity"
    assert gone(iam.get_policy, PolicyArn=policy_arn) == "NoSuchEntity"
    assert gone(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=oidc_arn) == "NoSuchEntity"
    saml_arn = f"arn:aws:iam::{service.account_id}:saml-provider/corp-{suffix}"
    assert gone(iam.get_saml_provider, SAMLProviderArn=saml_arn) == "NoSuchEntity"
