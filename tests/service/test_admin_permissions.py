"""The Permissions model (admin.permissions) for roles stored in the real embedded service, read over IAM."""

from __future__ import annotations

import json
import uuid

from cognito_desk.admin.permissions import Permissions, compare, read_role_policies
from cognito_desk.core.permissions import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY
from cognito_desk.core.permissions.identity import IdentityFacts
from tests.service.test_admin_providers_trust import with_iam

COGNITO = "cognito-identity.amazonaws.com"
POOL = "us-east-1:00000000-0000-4000-8000-00000000000a"
IDENTITY = "us-east-1:0c04a1b2-0000-4000-8000-000000000001"
USER_POOL_SUB = "5f1e2d3c-aaaa-bbbb-cccc-000000000042"


def trust(tag_session: bool) -> dict:
    actions = ["sts:AssumeRoleWithWebIdentity"] + (["sts:TagSession"] if tag_session else [])
    return {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": COGNITO}, "Action": actions,
        "Condition": {"StringEquals": {f"{COGNITO}:aud": POOL}}}]}


PHOTOS = {"Version": "2012-10-17", "Statement": [
    {"Sid": "OwnFolder", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
     "Resource": f"arn:aws:s3:::photos/${{{COGNITO}:sub}}/*"},
    {"Sid": "Team", "Effect": "Allow", "Action": "s3:GetObject",
     "Resource": "arn:aws:s3:::photos/teams/${aws:PrincipalTag/team}/*"},
    {"Sid": "NoDelete", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}
LEGACY = {"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::docs",
                         "Condition": {"StringLike": {"s3:prefix": "${cognito-identity.amazonaws.com:sub}/*"}}}]}
FACEBOOK = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem",
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Notes",
            "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": "${graph.facebook.com:id}"}}}]}


def make_role(service, aws_client, *, tag_session: bool, policies: dict) -> tuple[str, dict]:
    iam = aws_client("iam")
    name = f"perm-{uuid.uuid4().hex[:10]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust(tag_session)))["Role"]
    for policy_name, document in policies.items():
        iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))
    return role["Arn"], with_iam(service, lambda client: read_role_policies(client, role["Arn"]))


def facts(arn: str, role_id: str, tags: dict | None = None) -> IdentityFacts:
    return IdentityFacts(IDENTITY, POOL, logins=("cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",),
                         role_arn=arn, role_id=role_id, principal_tags=tags or {})


def test_statements_are_shown_with_this_identitys_values(service, aws_client):
    arn, role = make_role(service, aws_client, tag_session=True, policies={"photos": PHOTOS})
    assert role.role_id.startswith("AROA") and [p.name for p in role.policies] == ["photos"]
    model = Permissions(facts(arn, role.role_id, {"team": "red"}), role)
    summaries = [s.summary for s in model.statements]
    assert summaries[0] == f"Allow: s3:GetObject, s3:PutObject on arn:aws:s3:::photos/{IDENTITY}/*"
    assert summaries[1] == "Allow: s3:GetObject on arn:aws:s3:::photos/teams/red/*"
    assert summaries[2] == "Deny: s3:DeleteObject on *"
    assert model.suggestions()[0] == ("s3:GetObject", f"arn:aws:s3:::photos/{IDENTITY}/example")
    assert model.pitfalls() == []


def test_access_check_names_the_deciding_statement_and_compares_with_simulate(service, aws_client):
    arn, role = make_role(service, aws_client, tag_session=True, policies={"photos": PHOTOS})
    model = Permissions(facts(arn, role.role_id, {"team": "red"}), role)
    mine = f"arn:aws:s3:::photos/{IDENTITY}/a.jpg"
    allowed = model.check("s3:PutObject", mine)
    assert allowed.decision == ALLOWED and allowed.deciding[0].sid == "OwnFolder"
    assert model.check("s3:DeleteObject", mine).decision == EXPLICIT_DENY
    other = model.check("s3:GetObject", "arn:aws:s3:::photos/us-east-1:someone-else/a.jpg")
    assert other.decision == IMPLICIT_DENY
    assert "does not cover" in other.statements[0].reason
    # the same question to IAM SimulateCustomPolicy with the identity's context entries (the embedded IAM here)
    answer = aws_client("iam").simulate_custom_policy(
        PolicyInputList=[p.document for p in role.policies], ActionNames=["s3:PutObject"], ResourceArns=[mine],
        ContextEntries=[{"ContextKeyName": e.name, "ContextKeyValues": list(e.values), "ContextKeyType": e.type}
                        for e in model.context_entries()])
    assert compare(allowed, answer).agrees
    assert not compare(other, answer).agrees and "DISAGREEMENT" in compare(other, answer).describe()


def test_pitfalls(service, aws_client):
    arn, role = make_role(service, aws_client, tag_session=False,
                          policies={"photos": PHOTOS, "legacy": LEGACY, "facebook": FACEBOOK})
    model = Permissions(facts(arn, role.role_id), role, provider_sub=USER_POOL_SUB)
    titles = [p.title for p in model.pitfalls()]
    assert "photos reads aws:PrincipalTag/team" in titles
    assert "facebook is keyed on graph.facebook.com:id" in titles
    assert 'legacy has policy variables but no "Version": "2012-10-17"' in titles
    assert "The role's trust policy lacks sts:TagSession" in titles
    (team,) = [s for s in model.statements if s.sid == "Team"]
    assert team.unresolved == ("${aws:PrincipalTag/team}",)
    reverse = model.check_pitfalls(f"arn:aws:s3:::photos/{USER_POOL_SUB}/a.jpg")
    assert reverse and "user pool" in reverse[0].title
    assert model.check_pitfalls(f"arn:aws:s3:::photos/{IDENTITY}/a.jpg") == []
    # the legacy policy's variable is literal text: the check is denied, as on AWS
    legacy = model.check("s3:ListBucket", "arn:aws:s3:::docs")
    assert legacy.decision == IMPLICIT_DENY


def test_session_policy_narrows(service, aws_client):
    arn, role = make_role(service, aws_client, tag_session=True, policies={"photos": PHOTOS})
    session = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    model = Permissions(facts(arn, role.role_id), role, session_policy=session)
    mine = f"arn:aws:s3:::photos/{IDENTITY}/a.jpg"
    assert model.check("s3:GetObject", mine).decision == ALLOWED
    assert model.check("s3:PutObject", mine).decision == IMPLICIT_DENY
    assert any(s.kind == "session" for s in model.statements)


def test_aws_answer_through_the_iam_client_and_managed_policies(service, aws_client):
    """The AWS side of the view — IAM SimulateCustomPolicy with the identity's context entries, and attached
    managed policies — through the app's IAM client, against the embedded IAM."""
    from cognito_desk.admin.permissions import ask_aws

    iam = aws_client("iam")
    arn, _ = make_role(service, aws_client, tag_session=True, policies={"photos": PHOTOS})
    managed = iam.create_policy(PolicyName=f"notes-{uuid.uuid4().hex[:8]}", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Sid": "Notes", "Effect": "Allow", "Action": "dynamodb:GetItem",
                                                 "Resource": "*"}]}))["Policy"]
    iam.attach_role_policy(RoleName=arn.rsplit("/", 1)[1], PolicyArn=managed["Arn"])
    role = with_iam(service, lambda client: read_role_policies(client, arn))
    assert [(p.name, p.kind) for p in role.policies] == [("photos", "inline"), (managed["PolicyName"], "managed")]
    model = Permissions(facts(arn, role.role_id, {"team": "red"}), role)
    mine = f"arn:aws:s3:::photos/{IDENTITY}/a.jpg"
    for action, resource in (("s3:PutObject", mine), ("s3:PutObject", "arn:aws:s3:::photos/x/y"),
                             ("dynamodb:GetItem", "*")):
        local = model.check(action, resource)
        answer = with_iam(service, lambda client, a=action, r=resource: ask_aws(client, model, a, r))
        assert compare(local, answer).agrees, (action, resource, answer)


def test_principal_tags_of_a_login_follow_the_pools_tag_map(service, aws_client):
    import asyncio

    import httpx

    from cognito_desk.admin.permissions import principal_tags_for
    from cognito_desk.aws import CognitoIdentityClient, RetryPolicy, custom_endpoints
    from cognito_desk.aws.credentials import StaticCredentials

    identity = aws_client("cognito-identity")
    host = f"idp-{uuid.uuid4().hex[:6]}.example.com"
    oidc = aws_client("iam").create_open_id_connect_provider(Url=f"https://{host}", ClientIDList=["qa-desk"])
    pool = identity.create_identity_pool(IdentityPoolName="tags", AllowUnauthenticatedIdentities=False,
                                         OpenIdConnectProviderARNs=[oidc["OpenIDConnectProviderArn"]])
    claims = {"sub": "user-1", "aud": "qa-desk", "department": "qa"}

    async def tags() -> dict:
        async with httpx.AsyncClient() as http:
            client = CognitoIdentityClient(http, custom_endpoints(service.url, service.region).cognito_identity,
                                           StaticCredentials(service.access_key_id, service.secret_access_key),
                                           retry=RetryPolicy(max_attempts=1))
            return await principal_tags_for(client, pool, host, claims)

    assert asyncio.run(tags()) == {}  # no map for this provider: no tags
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool["IdentityPoolId"], IdentityProviderName=host,
                                             PrincipalTags={"team": "department"})
    assert asyncio.run(tags()) == {"team": "qa"}
    identity.set_principal_tag_attribute_map(IdentityPoolId=pool["IdentityPoolId"], IdentityProviderName=host,
                                             UseDefaults=True)
    assert asyncio.run(tags()) == {"client": "qa-desk", "username": "user-1"}
