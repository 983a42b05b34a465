"""The runnable providers of a pool: drafts from DescribeIdentityPool, saved client settings laid over them."""

from __future__ import annotations

from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.pool_providers import client_id_choices, pool_provider_clients

SAML = "arn:aws:iam::123456789012:saml-provider/corp"
OIDC = "arn:aws:iam::123456789012:oidc-provider/127.0.0.1:4000"
POOL = {
    "AllowUnauthenticatedIdentities": True,
    "SupportedLoginProviders": {"accounts.google.com": "g-client", "graph.facebook.com": "fb-app",
                                "www.amazon.com": "amzn1.app"},
    "CognitoIdentityProviders": [{"ProviderName": "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab1",
                                  "ClientId": "pool-app"}],
    "OpenIdConnectProviderARNs": [OIDC, "arn:aws:iam::123456789012:oidc-provider/login.example.com/tenant"],
    "SamlProviderARNs": [SAML],
    "DeveloperProviderName": "login.qa",
}


def test_every_provider_of_the_pool_becomes_a_draft_with_its_logins_key():
    clients = pool_provider_clients("lab", POOL, [], {OIDC: {"Url": "127.0.0.1:4000", "ClientIDList": ["qa-desk"]}})
    assert [(c.kind.value, c.logins_key, c.client_id) for c in clients] == [
        ("guest", "", ""),
        ("oidc", "accounts.google.com", "g-client"),
        ("facebook", "graph.facebook.com", "fb-app"),
        ("amazon", "www.amazon.com", "amzn1.app"),
        ("user-pool", "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab1", "pool-app"),
        ("user-pool-password", "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab1", "pool-app"),
        ("oidc", "127.0.0.1:4000", "qa-desk"),
        ("oidc", "login.example.com/tenant", ""),
        ("saml", SAML, ""),
        ("developer", "login.qa", ""),
    ]
    assert clients[6].issuer == "http://127.0.0.1:4000" and clients[7].issuer == "https://login.example.com/tenant"
    assert clients[2].authorization_endpoint.startswith("https://www.facebook.com/")
    assert clients[-1].developer_user_identifier


def test_saved_settings_replace_the_draft_of_the_same_provider():
    saved = ProviderClient("lab", "Corp SSO", ProviderKind.SAML, saml_provider_arn=SAML,
                           saml_sso_url="https://idp.example/sso")
    other_connection = ProviderClient("aws", "Corp", ProviderKind.SAML, saml_provider_arn=SAML)
    clients = pool_provider_clients("lab", {"SamlProviderARNs": [SAML]}, [saved, other_connection])
    assert clients == [saved]
    assert pool_provider_clients("lab", {}, [saved]) == []


def test_every_client_id_the_pool_names_is_offered_by_logins_key():
    choices = client_id_choices(POOL, {OIDC: {"Url": "127.0.0.1:4000", "ClientIDList": ["qa-desk", "other-app"]}})
    assert choices == {
        "accounts.google.com": ("g-client",), "graph.facebook.com": ("fb-app",), "www.amazon.com": ("amzn1.app",),
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab1": ("pool-app",),
        "127.0.0.1:4000": ("qa-desk", "other-app"),
    }  # the provider IAM did not describe offers nothing rather than a guess
