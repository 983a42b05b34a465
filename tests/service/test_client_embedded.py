"""The AWS clients against the real embedded service over a loopback socket (``service`` fixture)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from botocore.credentials import ReadOnlyCredentials

from cognito_desk.aws import (
    CognitoIdentityClient,
    IamClient,
    NoCredentials,
    RetryPolicy,
    StsClient,
    custom_endpoints,
)
from cognito_desk.core import errors

DEVELOPER_PROVIDER = "login.qa.example"


class StaticCredentials:
    def __init__(self, access_key: str, secret_key: str, token: str | None = None) -> None:
        self.credentials = ReadOnlyCredentials(access_key, secret_key, token)

    async def get(self) -> ReadOnlyCredentials:
        return self.credentials


class Clients:
    def __init__(self, http: httpx.AsyncClient, service, credentials) -> None:
        endpoints = custom_endpoints(service.url, service.region)
        options = {"retry": RetryPolicy(max_attempts=1)}
        self.identity = CognitoIdentityClient(http, endpoints.cognito_identity, credentials, **options)
        self.sts = StsClient(http, endpoints.sts, credentials, **options)
        self.iam = IamClient(http, endpoints.iam, credentials, **options)


def run(service, scenario, *, credentials="admin", **http_options):
    """Run ``scenario(clients)`` with the three clients sharing one connection to the service."""
    if credentials == "admin":
        credentials = StaticCredentials(service.access_key_id, service.secret_access_key)

    async def main():
        async with httpx.AsyncClient(**http_options) as http:
            return await scenario(Clients(http, service, credentials))

    return asyncio.run(main())


def trust_policy(pool_id: str, amr: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": amr},
                },
            }
        ],
    }


async def new_pool(c: Clients, name: str, **options) -> str:
    pool = await c.identity.create_identity_pool(
        identity_pool_name=name, **{"allow_unauthenticated_identities": True, **options}
    )
    return pool["IdentityPoolId"]


def within_a_minute(moment: datetime, expected: datetime) -> bool:
    return moment.tzinfo is UTC and abs(moment - expected) < timedelta(minutes=1)


# --- pools ---------------------------------------------------------------------------------------


def test_pool_administration(service) -> None:
    async def scenario(c: Clients):
        created = await c.identity.create_identity_pool(
            identity_pool_name="embedded admin",
            allow_unauthenticated_identities=False,
            allow_classic_flow=True,
            supported_login_providers={"accounts.google.com": "client.apps.googleusercontent.com"},
            identity_pool_tags={"team": "qa"},
        )
        pool_id = created["IdentityPoolId"]
        assert pool_id.startswith(f"{service.region}:")
        described = await c.identity.describe_identity_pool(identity_pool_id=pool_id)
        assert described == created
        assert described["IdentityPoolTags"] == {"team": "qa"} and described["AllowClassicFlow"] is True
        updated = await c.identity.update_identity_pool(
            identity_pool_id=pool_id, identity_pool_name="renamed", allow_unauthenticated_identities=True
        )
        assert updated["IdentityPoolName"] == "renamed"
        assert updated.get("SupportedLoginProviders", {}) == {}  # full replacement cleared it
        assert pool_id in [p["IdentityPoolId"] async for p in c.identity.iter_identity_pools(page_size=1)]
        page = await c.identity.list_identity_pools(max_results=1)
        assert len(page["IdentityPools"]) == 1

        arn = f"arn:aws:cognito-identity:{service.region}:{service.account_id}:identitypool/{pool_id}"
        await c.identity.tag_resource(resource_arn=arn, tags={"env": "lab"})
        await c.identity.untag_resource(resource_arn=arn, tag_keys=["team"])
        assert (await c.identity.list_tags_for_resource(resource_arn=arn))["Tags"] == {"env": "lab"}

        provider = "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf"
        tags = await c.identity.set_principal_tag_attribute_map(
            identity_pool_id=pool_id,
            identity_provider_name=provider,
            use_defaults=False,
            principal_tags={"dept": "custom:dept"},
        )
        assert tags["PrincipalTags"] == {"dept": "custom:dept"}
        read = await c.identity.get_principal_tag_attribute_map(
            identity_pool_id=pool_id, identity_provider_name=provider
        )
        assert (read["UseDefaults"], read["PrincipalTags"]) == (False, {"dept": "custom:dept"})

        await c.identity.delete_identity_pool(identity_pool_id=pool_id)
        with pytest.raises(errors.ResourceNotFoundException) as caught:
            await c.identity.describe_identity_pool(identity_pool_id=pool_id)
        assert caught.value.message == f"IdentityPool '{pool_id}' not found."
        assert caught.value.status == 400 and caught.value.request_id

    run(service, scenario)


def test_roles_guest_credentials_and_caller_identity(service) -> None:
    async def scenario(c: Clients):
        pool_id = await new_pool(c, "embedded guests")
        unauth = await c.iam.create_role(
            role_name=f"Guest-{pool_id[-12:]}",
            assume_role_policy_document=trust_policy(pool_id, "unauthenticated"),
        )
        auth = await c.iam.create_role(
            role_name=f"Auth-{pool_id[-12:]}",
            assume_role_policy_document=trust_policy(pool_id, "authenticated"),
        )
        roles = {"unauthenticated": unauth["Role"]["Arn"], "authenticated": auth["Role"]["Arn"]}
        mappings = {"graph.facebook.com": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}}
        await c.identity.set_identity_pool_roles(
            identity_pool_id=pool_id, roles=roles, role_mappings=mappings
        )
        assert await c.identity.get_identity_pool_roles(identity_pool_id=pool_id) == {
            "IdentityPoolId": pool_id,
            "Roles": roles,
            "RoleMappings": mappings,
        }

        identity_id = (await c.identity.get_id(identity_pool_id=pool_id))["IdentityId"]
        vended = await c.identity.get_credentials_for_identity(identity_id=identity_id)
        creds = vended["Credentials"]
        assert vended["IdentityId"] == identity_id
        assert within_a_minute(creds["Expiration"], datetime.now(UTC) + timedelta(hours=1))

        as_guest = c.sts.with_credentials(
            StaticCredentials(creds["AccessKeyId"], creds["SecretKey"], creds["SessionToken"])
        )
        caller = await as_guest.get_caller_identity()
        assert caller["Arn"].endswith(
            f":assumed-role/{unauth['Role']['RoleName']}/CognitoIdentityCredentials"
        )
        assert caller["Account"] == service.account_id

        described = await c.identity.describe_identity(identity_id=identity_id)
        assert described["IdentityId"] == identity_id
        assert within_a_minute(described["CreationDate"], datetime.now(UTC))

    run(service, scenario)


def test_basic_flow_open_id_token_and_web_identity(service) -> None:
    async def scenario(c: Clients):
        pool_id = await new_pool(c, "embedded basic", allow_classic_flow=True)
        role = await c.iam.create_role(
            role_name=f"Basic-{pool_id[-12:]}",
            assume_role_policy_document=trust_policy(pool_id, "unauthenticated"),
        )
        identity_id = (await c.identity.get_id(identity_pool_id=pool_id))["IdentityId"]
        token = await c.identity.get_open_id_token(identity_id=identity_id)
        assert token["IdentityId"] == identity_id and token["Token"].count(".") == 2
        assumed = await c.sts.with_credentials(None).assume_role_with_web_identity(
            role["Role"]["Arn"], "qa-basic", token["Token"], duration_seconds=900
        )
        assert assumed["SubjectFromWebIdentityToken"] == identity_id
        assert assumed["AssumedRoleUser"]["Arn"].endswith(f"/{role['Role']['RoleName']}/qa-basic")
        assert within_a_minute(
            assumed["Credentials"]["Expiration"], datetime.now(UTC) + timedelta(minutes=15)
        )

    run(service, scenario)


def test_identities_paging_and_deletion(service) -> None:
    async def scenario(c: Clients):
        pool_id = await new_pool(c, "embedded paging")
        created = {(await c.identity.get_id(identity_pool_id=pool_id))["IdentityId"] for _ in range(130)}
        listed = [i["IdentityId"] async for i in c.identity.iter_identities(pool_id)]
        assert len(listed) == 130 and set(listed) == created
        first_page = await c.identity.list_identities(identity_pool_id=pool_id, max_results=60)
        assert len(first_page["Identities"]) == 60 and first_page["NextToken"]
        doomed = sorted(created)[:5]
        result = await c.identity.delete_identities(identity_ids_to_delete=doomed)
        assert result.get("UnprocessedIdentityIds", []) == []
        remaining = {i["IdentityId"] async for i in c.identity.iter_identities(pool_id, hide_disabled=True)}
        assert remaining == created - set(doomed)

    run(service, scenario)


def test_developer_identities(service) -> None:
    async def scenario(c: Clients):
        pool_id = await new_pool(c, "embedded developer", developer_provider_name=DEVELOPER_PROVIDER)
        first = await c.identity.get_open_id_token_for_developer_identity(
            identity_pool_id=pool_id, logins={DEVELOPER_PROVIDER: "user-1"}, token_duration=600
        )
        second = await c.identity.get_open_id_token_for_developer_identity(
            identity_pool_id=pool_id, logins={DEVELOPER_PROVIDER: "user-2"}
        )
        again = await c.identity.get_open_id_token_for_developer_identity(
            identity_pool_id=pool_id, logins={DEVELOPER_PROVIDER: "user-1"}
        )
        assert again["IdentityId"] == first["IdentityId"] != second["IdentityId"]
        looked_up = await c.identity.lookup_developer_identity(
            identity_pool_id=pool_id, developer_user_identifier="user-1"
        )
        assert looked_up["IdentityId"] == first["IdentityId"]

        merged = await c.identity.merge_developer_identities(
            source_user_identifier="user-2",
            destination_user_identifier="user-1",
            developer_provider_name=DEVELOPER_PROVIDER,
            identity_pool_id=pool_id,
        )
        assert merged["IdentityId"] == first["IdentityId"]
        identifiers = [
            u
            async for u in c.identity.iter_developer_identities(
                pool_id, identity_id=first["IdentityId"], page_size=1
            )
        ]
        assert sorted(identifiers) == ["user-1", "user-2"]

        await c.identity.unlink_developer_identity(
            identity_id=first["IdentityId"],
            identity_pool_id=pool_id,
            developer_provider_name=DEVELOPER_PROVIDER,
            developer_user_identifier="user-2",
        )
        assert [
            u async for u in c.identity.iter_developer_identities(pool_id, identity_id=first["IdentityId"])
        ] == ["user-1"]

    run(service, scenario)


def test_unlink_identity_is_sent_unsigned_and_errors_map(service) -> None:
    async def scenario(c: Clients):
        pool_id = await new_pool(c, "embedded unlink")
        identity_id = (await c.identity.get_id(identity_pool_id=pool_id))["IdentityId"]
        with pytest.raises(errors.AwsError) as caught:
            await c.identity.with_credentials(None).unlink_identity(
                identity_id=identity_id,
                logins={"accounts.google.com": "not-a-jwt"},
                logins_to_remove=["accounts.google.com"],
            )
        return caught.value

    error = run(service, scenario)
    assert type(error) is errors.NotAuthorizedException and error.status == 400
    assert error.message == "Token is not from a supported provider of this identity pool."


# --- signing -------------------------------------------------------------------------------------


def test_public_operations_need_no_credentials_but_admin_ones_do(service) -> None:
    async def scenario(c: Clients):
        with pytest.raises(NoCredentials):
            await c.identity.list_identity_pools()
        return c

    run(service, scenario, credentials=None)

    async def admin(c: Clients):
        pool_id = await new_pool(c, "embedded public")
        anonymous = c.identity.with_credentials(None)
        identity_id = (await anonymous.get_id(identity_pool_id=pool_id))["IdentityId"]
        assert (await anonymous.get_open_id_token(identity_id=identity_id))["Token"]

    run(service, scenario=admin)


def test_wrong_secret_is_rejected_by_the_service(service) -> None:
    async def scenario(c: Clients):
        with pytest.raises(errors.AwsError) as caught:
            await c.identity.list_identity_pools()
        with pytest.raises(errors.AwsError) as caught_iam:
            await c.iam.list_roles()
        return caught.value, caught_iam.value

    wrong = StaticCredentials(service.access_key_id, "definitely-not-the-secret")
    error, iam_error = run(service, scenario, credentials=wrong)
    assert type(error) is errors.InvalidSignatureException
    assert type(iam_error) is errors.SignatureDoesNotMatch and iam_error.status == 403


# --- IAM -----------------------------------------------------------------------------------------


def test_iam_roles_and_inline_policies(service) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::qa-bucket/*"}],
    }

    async def scenario(c: Clients):
        trust = trust_policy("us-east-1:00000000-0000-0000-0000-000000000000", "authenticated")
        for index in range(3):
            await c.iam.create_role(
                role_name=f"EmbeddedPaged{index}",
                assume_role_policy_document=trust,
                path="/embedded/",
                description="paging",
                max_session_duration=7200,
            )
        names = [r["RoleName"] async for r in c.iam.iter_roles(path_prefix="/embedded/", page_size=2)]
        assert sorted(names) == ["EmbeddedPaged0", "EmbeddedPaged1", "EmbeddedPaged2"]
        role = (await c.iam.get_role(role_name="EmbeddedPaged0"))["Role"]
        assert role["AssumeRolePolicyDocument"] == trust and role["MaxSessionDuration"] == 7200
        assert within_a_minute(role["CreateDate"], datetime.now(UTC))
        narrowed = trust_policy("us-east-1:11111111-0000-0000-0000-000000000000", "authenticated")
        await c.iam.update_assume_role_policy(role_name="EmbeddedPaged0", policy_document=narrowed)
        assert (await c.iam.get_role(role_name="EmbeddedPaged0"))["Role"][
            "AssumeRolePolicyDocument"
        ] == narrowed

        await c.iam.put_role_policy(role_name="EmbeddedPaged0", policy_name="read", policy_document=policy)
        assert (await c.iam.list_role_policies(role_name="EmbeddedPaged0"))["PolicyNames"] == ["read"]
        stored = await c.iam.get_role_policy(role_name="EmbeddedPaged0", policy_name="read")
        assert stored["PolicyDocument"] == policy
        await c.iam.delete_role_policy(role_name="EmbeddedPaged0", policy_name="read")
        for index in range(3):
            await c.iam.delete_role(role_name=f"EmbeddedPaged{index}")
        with pytest.raises(errors.NoSuchEntity) as caught:
            await c.iam.get_role(role_name="EmbeddedPaged0")
        assert caught.value.status == 404 and "EmbeddedPaged0" in caught.value.message

    run(service, scenario)


# --- cancellation --------------------------------------------------------------------------------


def test_cancelled_call_leaves_the_connection_usable(service) -> None:
    async def scenario(c: Clients):
        pool_id = await new_pool(c, "embedded cancel")
        sent.clear()
        task = asyncio.create_task(c.identity.describe_identity_pool(identity_pool_id=pool_id))
        await sent.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        for _ in range(3):
            assert (await c.identity.describe_identity_pool(identity_pool_id=pool_id))[
                "IdentityPoolId"
            ] == pool_id

    sent = asyncio.Event()

    async def on_request(request: httpx.Request) -> None:
        sent.set()

    run(service, scenario, event_hooks={"request": [on_request]})


def test_a_refused_trust_policy_carries_the_service_notes_into_the_explanation(service):
    from cognito_desk.core.explain import explain

    async def scenario(c: Clients):
        pool_id = await new_pool(c, "notes")
        role = await c.iam.create_role(role_name=f"wrong-aud-{pool_id[-12:]}",
                                       assume_role_policy_document=trust_policy("us-east-1:0000-other", "*"))
        await c.identity.set_identity_pool_roles(identity_pool_id=pool_id,
                                                 roles={"unauthenticated": role["Role"]["Arn"]})
        identity_id = (await c.identity.get_id(identity_pool_id=pool_id))["IdentityId"]
        with pytest.raises(errors.InvalidIdentityPoolConfigurationException) as caught:
            await c.identity.get_credentials_for_identity(identity_id=identity_id)
        return pool_id, caught.value

    pool_id, error = run(service, scenario)
    assert any("trust=denied" in note and "cognito-identity.amazonaws.com:aud" in note for note in error.notes)
    explanation = explain(error, notes=error.notes)
    assert "cognito-identity.amazonaws.com:aud" in " ".join([explanation.cause, *(v for _, v in explanation.details)])
    assert pool_id in " ".join(v for _, v in explanation.details)
