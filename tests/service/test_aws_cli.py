"""Every cognito-identity operation through the AWS CLI (an independent client) against the running service."""

from __future__ import annotations

import json

from support import trust_policy

DEV = "login.cli.app"


def test_every_operation_through_the_aws_cli(aws_cli, service):
    ci = ("cognito-identity",)
    pool = aws_cli(*ci, "create-identity-pool", "--identity-pool-name", "cli pool",
                   "--allow-unauthenticated-identities", "--developer-provider-name", DEV,
                   "--identity-pool-tags", "team=qa").json
    pool_id = pool["IdentityPoolId"]
    assert pool["IdentityPoolTags"] == {"team": "qa"}
    assert aws_cli(*ci, "describe-identity-pool", "--identity-pool-id", pool_id).json["DeveloperProviderName"] == DEV
    listed, token = [], None  # the session's service holds other tests' pools too: page through them all
    while True:
        page = aws_cli(*ci, "list-identity-pools", "--max-results", "60",
                       *(("--next-token", token) if token else ())).json
        listed += page["IdentityPools"]
        token = page.get("NextToken")
        if not token:
            break
    assert {"IdentityPoolId": pool_id, "IdentityPoolName": "cli pool"} in listed
    updated = aws_cli(*ci, "update-identity-pool", "--identity-pool-id", pool_id, "--identity-pool-name", "renamed",
                      "--allow-unauthenticated-identities", "--developer-provider-name", DEV,
                      "--allow-classic-flow").json
    assert updated["IdentityPoolName"] == "renamed" and updated["AllowClassicFlow"] is True

    roles = {}
    for kind in ("unauthenticated", "authenticated"):
        roles[kind] = aws_cli("iam", "create-role", "--role-name", f"cli-{kind}-{pool_id[-12:]}",
                              "--assume-role-policy-document", trust_policy(pool_id, kind)).json["Role"]["Arn"]
    aws_cli(*ci, "set-identity-pool-roles", "--identity-pool-id", pool_id, "--roles", json.dumps(roles))
    assert aws_cli(*ci, "get-identity-pool-roles", "--identity-pool-id", pool_id).json["Roles"] == roles

    tag_map = aws_cli(*ci, "set-principal-tag-attribute-map", "--identity-pool-id", pool_id,
                      "--identity-provider-name", DEV, "--principal-tags", "dept=department").json
    assert tag_map["PrincipalTags"] == {"dept": "department"}
    assert aws_cli(*ci, "get-principal-tag-attribute-map", "--identity-pool-id", pool_id,
                   "--identity-provider-name", DEV).json["PrincipalTags"] == {"dept": "department"}

    arn = f"arn:aws:cognito-identity:{service.region}:{service.account_id}:identitypool/{pool_id}"
    aws_cli(*ci, "tag-resource", "--resource-arn", arn, "--tags", "env=test")
    aws_cli(*ci, "untag-resource", "--resource-arn", arn, "--tag-keys", "team")
    assert aws_cli(*ci, "list-tags-for-resource", "--resource-arn", arn).json["Tags"] == {"env": "test"}

    guest = aws_cli(*ci, "get-id", "--identity-pool-id", pool_id).json["IdentityId"]
    creds = aws_cli(*ci, "get-credentials-for-identity", "--identity-id", guest).json["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert aws_cli(*ci, "get-open-id-token", "--identity-id", guest).json["IdentityId"] == guest

    dev = aws_cli(*ci, "get-open-id-token-for-developer-identity", "--identity-pool-id", pool_id,
                  "--logins", f"{DEV}=alice", "--token-duration", "600").json
    other = aws_cli(*ci, "get-open-id-token-for-developer-identity", "--identity-pool-id", pool_id,
                    "--logins", f"{DEV}=bob").json
    logins = json.dumps({"cognito-identity.amazonaws.com": dev["Token"]})
    dev_creds = aws_cli(*ci, "get-credentials-for-identity", "--identity-id", dev["IdentityId"],
                        "--logins", logins).json
    assert dev_creds["IdentityId"] == dev["IdentityId"]
    looked_up = aws_cli(*ci, "lookup-developer-identity", "--identity-pool-id", pool_id,
                        "--developer-user-identifier", "alice").json
    assert looked_up["IdentityId"] == dev["IdentityId"]
    merged = aws_cli(*ci, "merge-developer-identities", "--source-user-identifier", "bob",
                     "--destination-user-identifier", "alice", "--developer-provider-name", DEV,
                     "--identity-pool-id", pool_id).json
    assert merged["IdentityId"] == dev["IdentityId"]
    aws_cli(*ci, "unlink-developer-identity", "--identity-id", dev["IdentityId"], "--identity-pool-id", pool_id,
            "--developer-provider-name", DEV, "--developer-user-identifier", "bob")
    aws_cli(*ci, "unlink-identity", "--identity-id", dev["IdentityId"], "--logins", logins,
            "--logins-to-remove", "graph.facebook.com")
    described = aws_cli(*ci, "describe-identity", "--identity-id", dev["IdentityId"]).json
    assert described["Logins"] == [DEV]
    identities = aws_cli(*ci, "list-identities", "--identity-pool-id", pool_id, "--max-results", "60").json
    assert {i["IdentityId"] for i in identities["Identities"]} == {guest, dev["IdentityId"], other["IdentityId"]}
    hidden = aws_cli(*ci, "list-identities", "--identity-pool-id", pool_id, "--max-results", "60",
                     "--hide-disabled").json
    assert other["IdentityId"] not in {i["IdentityId"] for i in hidden["Identities"]}
    deleted = aws_cli(*ci, "delete-identities", "--identity-ids-to-delete", guest).json
    assert deleted["UnprocessedIdentityIds"] == []
    aws_cli(*ci, "delete-identity-pool", "--identity-pool-id", pool_id)
    missing = aws_cli(*ci, "describe-identity-pool", "--identity-pool-id", pool_id, check=False)
    assert missing.returncode != 0
    assert "ResourceNotFoundException" in missing.stderr and f"IdentityPool '{pool_id}' not found." in missing.stderr
    caller = aws_cli("sts", "get-caller-identity").json
    assert caller["Account"] == service.account_id
