"""Every optional pool setting of the client layer reaches the service under its wire name (a misspelt member is
silently ignored by AWS and by the service alike, so only a round trip shows it)."""

from __future__ import annotations

import asyncio

import httpx

from cognito_desk.aws import CognitoIdentityClient, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials


def test_create_and_update_send_every_setting(service, aws_client):
    iam = aws_client("iam")
    oidc_arn = iam.create_open_id_connect_provider(
        Url="https://settings-roundtrip.idp.example", ClientIDList=["app"],
        ThumbprintList=["a" * 40])["OpenIDConnectProviderArn"]
    endpoints = custom_endpoints(service.url, service.region)
    credentials = StaticCredentials(service.access_key_id, service.secret_access_key)
    settings = {
        "allow_classic_flow": True,
        "supported_login_providers": {"accounts.google.com": "app.apps.googleusercontent.com"},
        "developer_provider_name": "login.settings.example",
        "open_id_connect_provider_arns": [oidc_arn],
        "cognito_identity_providers": [{"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEf123",
                                        "ClientId": "client1", "ServerSideTokenCheck": False}],
        "identity_pool_tags": {"team": "qa"},
    }

    async def scenario():
        async with httpx.AsyncClient() as http:
            identity = CognitoIdentityClient(http, endpoints.cognito_identity, credentials)
            created = await identity.create_identity_pool(identity_pool_name="every setting",
                                                          allow_unauthenticated_identities=False, **settings)
            updated = await identity.update_identity_pool(
                identity_pool_id=created["IdentityPoolId"], identity_pool_name="every setting",
                allow_unauthenticated_identities=False, **{**settings, "open_id_connect_provider_arns": []})
            return created, updated

    created, updated = asyncio.run(scenario())
    assert created["OpenIdConnectProviderARNs"] == [oidc_arn]
    assert created["AllowClassicFlow"] is True
    assert created["SupportedLoginProviders"] == settings["supported_login_providers"]
    assert created["DeveloperProviderName"] == "login.settings.example"
    assert created["CognitoIdentityProviders"][0]["ClientId"] == "client1"
    assert created["IdentityPoolTags"] == {"team": "qa"}
    assert updated.get("OpenIdConnectProviderARNs", []) == []
