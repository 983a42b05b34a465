"""Provider client settings: the Logins key each kind implies, validation, the JSON file and keyring secrets."""

from __future__ import annotations

import json

import pytest

from cognito_desk.flows.clients import (
    FILE_NAME,
    ProviderClient,
    ProviderClientsError,
    ProviderClientsFile,
    ProviderKind,
    client_secret,
    format_extra_params,
    parse_extra_params,
    store_client_secret,
)
from cognito_desk.settings import Secret, SessionSecrets

SAML_ARN = "arn:aws:iam::123456789012:saml-provider/corp"


def oidc(**overrides) -> ProviderClient:
    values = {"connection": "lab", "name": "google", "kind": ProviderKind.OIDC,
              "issuer": "https://accounts.google.com", "client_id": "abc.apps.googleusercontent.com", **overrides}
    return ProviderClient(**values)


@pytest.mark.parametrize(("client", "key"), [
    (oidc(), "accounts.google.com"),
    (oidc(issuer="http://127.0.0.1:4000/"), "127.0.0.1:4000"),
    (oidc(kind=ProviderKind.USER_POOL, issuer="https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"),
     "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC"),
    (ProviderClient("lab", "corp", ProviderKind.SAML, saml_provider_arn=SAML_ARN), SAML_ARN),
    (ProviderClient("lab", "fb", ProviderKind.FACEBOOK, client_id="1"), "graph.facebook.com"),
    (ProviderClient("lab", "lwa", ProviderKind.AMAZON, client_id="1"), "www.amazon.com"),
    (ProviderClient("lab", "dev", ProviderKind.DEVELOPER, developer_provider_name="login.qa"), "login.qa"),
    (ProviderClient("lab", "guest", ProviderKind.GUEST), ""),
])
def test_the_logins_key_comes_from_the_provider(client, key):
    assert client.logins_key == key


def test_problems_name_what_is_missing():
    assert oidc().problems() == []
    assert oidc(issuer="", client_id="").problems() == [
        "An OpenID provider needs its issuer URL (e.g. https://accounts.google.com).",
        "The provider's client id is missing."]
    assert "does not return an id_token" in oidc(response_type="token").problems()[0]
    assert oidc(scopes=("email",)).problems() == ["The scopes must include 'openid' to get an id_token."]
    assert "IAM SAML provider ARN" in ProviderClient("lab", "s", ProviderKind.SAML).problems()[0]
    assert ProviderClient("lab", "d", ProviderKind.DEVELOPER).problems() == [
        "A developer login needs the pool's developer provider name and a user identifier."]
    assert ProviderClient("lab", "fb", ProviderKind.FACEBOOK, client_id="1", response_type="id_token").problems() == [
        "An access-token provider uses response type 'code' or 'token'."]


def test_oauth_defaults_fill_only_what_is_unset():
    facebook = ProviderClient("lab", "fb", ProviderKind.FACEBOOK, client_id="1").with_oauth_defaults()
    assert facebook.authorization_endpoint.startswith("https://www.facebook.com/")
    assert facebook.scopes == ("public_profile",)
    amazon = ProviderClient("lab", "lwa", ProviderKind.AMAZON, client_id="1",
                            token_endpoint="http://127.0.0.1:9/token").with_oauth_defaults()
    assert amazon.token_endpoint == "http://127.0.0.1:9/token"
    assert amazon.authorization_endpoint == "https://www.amazon.com/ap/oa"


def test_clients_are_saved_per_connection_next_to_the_settings(tmp_path):
    store = ProviderClientsFile(tmp_path)
    assert store.path == tmp_path / FILE_NAME and store.load() == []
    first = oidc(extra_params={"prompt": "login", "login_hint": "alice@example.com"}, scopes=("openid", "email"))
    store.put(first)
    assert store.load() == [first]
    store.put(oidc(connection="aws", name="google"))
    store.put(oidc(client_id="new-id"))  # same connection and name: replaces
    assert [(c.connection, c.client_id) for c in store.load()] == [("aws", first.client_id), ("lab", "new-id")]
    assert store.for_connection("lab") == [oidc(client_id="new-id")]
    store.remove("aws", "google")
    assert [c.connection for c in store.load()] == ["lab"]
    assert not (tmp_path / "settings.json").exists()


def test_an_unusable_client_is_refused_and_nothing_stored_is_lost(tmp_path):
    store = ProviderClientsFile(tmp_path)
    store.put(oidc())
    with pytest.raises(ProviderClientsError, match="client id is missing"):
        store.put(oidc(name="broken", client_id=""))
    assert [c.name for c in store.load()] == ["google"]


def test_a_damaged_file_is_reported_with_its_path(tmp_path):
    (tmp_path / FILE_NAME).write_text("{not json")
    with pytest.raises(ProviderClientsError, match="is not valid JSON"):
        ProviderClientsFile(tmp_path).load()
    (tmp_path / FILE_NAME).write_text(json.dumps({"version": 99, "clients": []}))
    with pytest.raises(ProviderClientsError, match="not a version 1 provider clients file"):
        ProviderClientsFile(tmp_path).load()
    (tmp_path / FILE_NAME).write_text(json.dumps({"version": 1, "clients": [{"name": "x", "kind": "carrier-pigeon"}]}))
    with pytest.raises(ProviderClientsError, match="provider client 'x' is unusable"):
        ProviderClientsFile(tmp_path).load()


def test_the_client_secret_lives_in_the_secret_store_never_in_the_file(tmp_path):
    secrets, store = SessionSecrets(), ProviderClientsFile(tmp_path)
    client = oidc()
    store.put(client)
    store_client_secret(secrets, client, Secret("s3cret-value"))
    assert client_secret(secrets, client).reveal() == "s3cret-value"
    assert "s3cret-value" not in store.path.read_text()
    assert client_secret(secrets, oidc(connection="aws")) is None
    store_client_secret(secrets, client, None)
    assert client_secret(secrets, client) is None


def test_extra_parameters_are_key_value_lines():
    assert parse_extra_params("prompt=login\n\n login_hint = alice@example.com \nacr_values=a=b") == {
        "prompt": "login", "login_hint": "alice@example.com", "acr_values": "a=b"}
    assert format_extra_params({"prompt": "login", "x": ""}) == "prompt=login\nx="
    with pytest.raises(ProviderClientsError, match=r"line 2 \('prompt'\) is not key=value"):
        parse_extra_params("a=1\nprompt")
