"""Opening connection profiles (``cognito_desk.backend``): the Local profile serves or joins the embedded
service (never two on one data dir), remote profiles sign with what they name, and the headless commands'
``connected`` picks a profile by name or an endpoint."""

from __future__ import annotations

import asyncio

import pytest
from service.serve_process import ServeProcess
from support import use_aws_config

from cognito_desk.aws.credentials import CredentialsError
from cognito_desk.backend import LocalServices, MissingSecret, connected, open_connection
from cognito_desk.settings import (
    AwsProfile,
    CredentialSource,
    EndpointProfile,
    LocalProfile,
    Secret,
    SecretField,
    SessionSecrets,
    Settings,
    SettingsFile,
)


def test_local_profile_serves_its_data_dir_once_and_reports_the_caller(tmp_path):
    profile = LocalProfile("local", data_dir=str(tmp_path / "data"))

    async def scenario():
        local = LocalServices()
        try:
            first = await open_connection(profile, SessionSecrets(), local)
            second = await open_connection(profile, SessionSecrets(), local)
            assert first.local_owned and first.endpoint_url == second.endpoint_url  # one service for the dir
            assert local.served() == [first.endpoint_url]
            report = await first.test()
            pool = await first.identity.create_identity_pool(identity_pool_name="shared",
                                                             allow_unauthenticated_identities=True)
            listed = await second.identity.list_identity_pools(max_results=10)
            await first.aclose()
            await second.aclose()
            return report, pool, listed
        finally:
            await asyncio.to_thread(local.stop_all)

    report, pool, listed = asyncio.run(scenario())
    assert report.account == "000000000000" and report.arn.startswith("arn:aws:iam::000000000000:")
    assert report.latency_ms >= 0
    assert [p["IdentityPoolId"] for p in listed["IdentityPools"]] == [pool["IdentityPoolId"]]


def test_a_second_app_joins_the_service_the_first_one_serves(tmp_path):
    profile = LocalProfile("local", data_dir=str(tmp_path / "data"))

    async def scenario():
        first_app, second_app = LocalServices(), LocalServices()
        try:
            served = await first_app.attach(profile)
            joined = await second_app.attach(profile)
            return served, joined, second_app.served()
        finally:
            await asyncio.to_thread(first_app.stop_all)

    served, joined, second_serves = asyncio.run(scenario())
    assert served.owned and not joined.owned
    assert joined.url == served.url and joined.access_key_id == served.access_key_id
    assert second_serves == []


def test_the_app_joins_a_running_cognito_desk_serve(tmp_path):
    data_dir = tmp_path / "data"
    serve = ServeProcess(data_dir)
    try:
        profile = LocalProfile("local", data_dir=str(data_dir))

        async def scenario():
            local = LocalServices()
            connection = await open_connection(profile, SessionSecrets(), local)
            try:
                pool = await connection.identity.create_identity_pool(identity_pool_name="from-the-app",
                                                                      allow_unauthenticated_identities=False)
                return connection.local_owned, connection.endpoint_url, pool["IdentityPoolId"]
            finally:
                await connection.aclose()
                await asyncio.to_thread(local.stop_all)

        owned, url, pool_id = asyncio.run(scenario())
        assert not owned and url == serve.url
        pools = serve.client("cognito-identity").list_identity_pools(MaxResults=10)["IdentityPools"]
        assert [p["IdentityPoolId"] for p in pools] == [pool_id]  # served by the serve process itself
    finally:
        serve.stop()


def test_keyring_profile_without_keys_says_what_to_do(tmp_path):
    profile = EndpointProfile("lab", "http://127.0.0.1:9", "us-east-1", CredentialSource.KEYRING)
    with pytest.raises(MissingSecret, match="Connection 'lab' signs with an access key kept in the keyring"):
        asyncio.run(open_connection(profile, SessionSecrets(), LocalServices()))


def test_expired_sso_session_names_the_login_command(tmp_path, monkeypatch):
    use_aws_config(tmp_path, monkeypatch)
    profile = AwsProfile("corp", "eu-west-1", CredentialSource.AWS_PROFILE, "sso-dev")

    async def scenario():
        connection = await open_connection(profile, SessionSecrets(), LocalServices())
        try:
            await connection.test()
        finally:
            await connection.aclose()

    with pytest.raises(CredentialsError, match=r"run `aws sso login --profile sso-dev`"):
        asyncio.run(scenario())


def test_connected_picks_a_named_profile_or_an_endpoint(tmp_path, service, monkeypatch):
    settings = SettingsFile(tmp_path / "config")
    lab = EndpointProfile("lab", service.url, service.region, CredentialSource.KEYRING)
    settings.save(Settings((LocalProfile("local", data_dir=str(tmp_path / "data")), lab), "local"))
    secrets = SessionSecrets()
    secrets.set("lab", SecretField.ACCESS_KEY_ID, Secret(service.access_key_id))
    secrets.set("lab", SecretField.SECRET_ACCESS_KEY, Secret(service.secret_access_key))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", service.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", service.secret_access_key)

    async def scenario():
        async with connected("lab", settings=settings, secrets=secrets) as by_name:
            named = (by_name.endpoint_url, (await by_name.test()).account)
        async with connected(endpoint=service.url, region=service.region) as by_url:
            endpoint = (by_url.profile.credentials, (await by_url.test()).account)
        async with connected(settings=settings, secrets=secrets) as active:
            local = (active.profile.name, active.local_owned)
        with pytest.raises(KeyError, match=r"no connection named 'nope' \(there are: local, lab\)"):
            async with connected("nope", settings=settings, secrets=secrets):
                pass
        return named, endpoint, local

    named, endpoint, local = asyncio.run(scenario())
    assert named == (service.url, service.account_id)
    assert endpoint == (CredentialSource.ENVIRONMENT, service.account_id)
    assert local == ("local", True)
