"""The AWS clients against moto server: an independent implementation of the same wire protocols."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from botocore.credentials import ReadOnlyCredentials
from moto_server import running_moto_server

from cognito_desk.aws import CognitoIdentityClient, IamClient, RetryPolicy, StsClient, custom_endpoints
from cognito_desk.core import errors

REGION = "us-east-1"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Principal": {"Federated": "cognito-identity.amazonaws.com"},
        }
    ],
}
S3_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


class StaticCredentials:
    async def get(self) -> ReadOnlyCredentials:
        return ReadOnlyCredentials("AKIAIOSFODNN7EXAMPLE", "moto-accepts-any-secret", None)


@pytest.fixture(scope="module")
def moto_url():
    with running_moto_server() as url:
        yield url


def run(moto_url: str, scenario):
    """Run ``scenario(identity, sts, iam)`` with clients sharing one connection to moto."""

    async def main():
        endpoints = custom_endpoints(moto_url, REGION)
        async with httpx.AsyncClient() as http:
            options = {"retry": RetryPolicy(max_attempts=1)}
            return await scenario(
                CognitoIdentityClient(http, endpoints.cognito_identity, StaticCredentials(), **options),
                StsClient(http, endpoints.sts, StaticCredentials(), **options),
                IamClient(http, endpoints.iam, StaticCredentials(), **options),
            )

    return asyncio.run(main())


def test_identity_pool_lifecycle(moto_url: str) -> None:
    async def scenario(identity: CognitoIdentityClient, sts, iam):
        pool = await identity.create_identity_pool(
            identity_pool_name="moto pool",
            allow_unauthenticated_identities=True,
            supported_login_providers={"accounts.google.com": "client.apps.googleusercontent.com"},
        )
        pool_id = pool["IdentityPoolId"]
        assert pool_id.startswith(f"{REGION}:")
        described = await identity.describe_identity_pool(identity_pool_id=pool_id)
        assert described["IdentityPoolName"] == "moto pool"
        assert described["SupportedLoginProviders"] == {
            "accounts.google.com": "client.apps.googleusercontent.com"
        }
        listed = [p["IdentityPoolId"] async for p in identity.iter_identity_pools(page_size=60)]
        assert pool_id in listed
        updated = await identity.update_identity_pool(
            identity_pool_id=pool_id, identity_pool_name="renamed", allow_unauthenticated_identities=False
        )
        # moto keeps the old name on update (its own quirk); the flag proves the full-replacement call.
        assert updated["IdentityPoolId"] == pool_id and updated["AllowUnauthenticatedIdentities"] is False
        await identity.delete_identity_pool(identity_pool_id=pool_id)
        with pytest.raises(errors.ResourceNotFoundException) as caught:
            await identity.describe_identity_pool(identity_pool_id=pool_id)
        assert caught.value.status == 400 and pool_id in caught.value.message

    run(moto_url, scenario)


def test_guest_identity_flow(moto_url: str) -> None:
    async def scenario(identity: CognitoIdentityClient, sts, iam):
        pool = await identity.create_identity_pool(
            identity_pool_name="guests", allow_unauthenticated_identities=True
        )
        identity_id = (await identity.get_id(identity_pool_id=pool["IdentityPoolId"]))["IdentityId"]
        credentials = await identity.get_credentials_for_identity(identity_id=identity_id)
        assert credentials["IdentityId"] == identity_id
        assert isinstance(credentials["Credentials"]["Expiration"], datetime)
        assert credentials["Credentials"]["Expiration"].tzinfo is UTC
        token = await identity.get_open_id_token(identity_id=identity_id)
        assert token["IdentityId"] == identity_id and token["Token"]
        listed = [i["IdentityId"] async for i in identity.iter_identities(pool["IdentityPoolId"])]
        assert identity_id in listed

    run(moto_url, scenario)


def test_sts_caller_identity_and_web_identity(moto_url: str) -> None:
    async def scenario(identity, sts: StsClient, iam: IamClient):
        caller = await sts.get_caller_identity()
        assert caller["Account"] == "123456789012" and caller["Arn"].startswith("arn:aws:")
        role = (await iam.create_role(role_name="WebRole", assume_role_policy_document=TRUST))["Role"]
        assumed = await sts.assume_role_with_web_identity(
            role["Arn"], "qa-session", "x" * 40, duration_seconds=900
        )
        assert assumed["AssumedRoleUser"]["Arn"].endswith(":assumed-role/WebRole/qa-session")
        assert isinstance(assumed["Credentials"]["Expiration"], datetime)

    run(moto_url, scenario)


def test_iam_roles_and_inline_policies(moto_url: str) -> None:
    async def scenario(identity, sts, iam: IamClient):
        created = (
            await iam.create_role(
                role_name="Authenticated",
                assume_role_policy_document=TRUST,
                description="QA",
                tags={"team": "qa"},
            )
        )["Role"]
        assert created["Arn"] == "arn:aws:iam::123456789012:role/Authenticated"
        role = (await iam.get_role(role_name="Authenticated"))["Role"]
        assert role["AssumeRolePolicyDocument"] == TRUST
        assert isinstance(role["CreateDate"], datetime)
        for index in range(3):
            await iam.create_role(
                role_name=f"Paged{index}", assume_role_policy_document=TRUST, path="/paged/"
            )
        names = [r["RoleName"] async for r in iam.iter_roles(path_prefix="/paged/", page_size=2)]
        assert sorted(names) == ["Paged0", "Paged1", "Paged2"]
        widened = {
            **TRUST,
            "Statement": [
                *TRUST["Statement"],
                {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"}},
            ],
        }
        await iam.update_assume_role_policy(role_name="Authenticated", policy_document=widened)
        assert (await iam.get_role(role_name="Authenticated"))["Role"]["AssumeRolePolicyDocument"] == widened
        await iam.put_role_policy(role_name="Authenticated", policy_name="s3-read", policy_document=S3_READ)
        assert (await iam.list_role_policies(role_name="Authenticated"))["PolicyNames"] == ["s3-read"]
        policy = await iam.get_role_policy(role_name="Authenticated", policy_name="s3-read")
        assert policy["PolicyDocument"] == S3_READ
        await iam.delete_role_policy(role_name="Authenticated", policy_name="s3-read")
        assert (await iam.list_role_policies(role_name="Authenticated"))["PolicyNames"] == []
        await iam.delete_role(role_name="Authenticated")
        with pytest.raises(errors.NoSuchEntity) as caught:
            await iam.get_role(role_name="Authenticated")
        assert caught.value.message == "Role Authenticated not found" and caught.value.status == 404

    run(moto_url, scenario)


def test_iam_oidc_and_saml_providers(moto_url: str) -> None:
    metadata = (
        '<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.test/">'
        "</EntityDescriptor>"
    )

    async def scenario(identity, sts, iam: IamClient):
        arn = (
            await iam.create_open_id_connect_provider(
                url="https://oidc.idp.test", client_id_list=["app-1"], thumbprint_list=["a" * 40]
            )
        )["OpenIDConnectProviderArn"]
        assert arn == "arn:aws:iam::123456789012:oidc-provider/oidc.idp.test"
        # moto implements neither AddClientIDTo… nor RemoveClientIDFrom…: the embedded tests cover them.
        await iam.update_open_id_connect_provider_thumbprint(
            open_id_connect_provider_arn=arn, thumbprint_list=["b" * 40]
        )
        provider = await iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn)
        assert (provider["ClientIDList"], provider["ThumbprintList"]) == (["app-1"], ["b" * 40])
        assert {"Arn": arn} in (await iam.list_open_id_connect_providers())["OpenIDConnectProviderList"]
        await iam.delete_open_id_connect_provider(open_id_connect_provider_arn=arn)
        with pytest.raises(errors.NoSuchEntity):
            await iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn)

        saml_arn = (await iam.create_saml_provider(name="Corp", saml_metadata_document=metadata))[
            "SAMLProviderArn"
        ]
        assert saml_arn == "arn:aws:iam::123456789012:saml-provider/Corp"
        await iam.update_saml_provider(saml_provider_arn=saml_arn, saml_metadata_document=metadata + " ")
        assert (await iam.get_saml_provider(saml_provider_arn=saml_arn))["SAMLMetadataDocument"].startswith(
            "<EntityDescriptor"
        )
        assert saml_arn in [p["Arn"] for p in (await iam.list_saml_providers())["SAMLProviderList"]]
        await iam.delete_saml_provider(saml_provider_arn=saml_arn)
        assert (await iam.list_saml_providers())["SAMLProviderList"] == []

    run(moto_url, scenario)
