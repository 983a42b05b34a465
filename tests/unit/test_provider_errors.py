"""A provider's refusal read from its error page or redirect: its words, the likely cause, the fix (Qt-free)."""

from __future__ import annotations

from cognito_desk.flows.agent import ProviderError
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.provider_errors import error_page, provider_explanation, stalled

CLIENT = ProviderClient(connection="Local", name="op", kind=ProviderKind.OIDC, issuer="https://op.example",
                        client_id="app-1", scopes=("openid", "dept"))
OOPS = "oops! something went wrong\nerror: invalid_client\nerror_description: client is invalid\nstate: x"


def test_an_html_error_page_a_json_body_and_a_bare_status():
    page = error_page("https://op.example/auth?client_id=app-1&state=s", 400, OOPS)
    assert (page.error, page.description) == ("invalid_client", "client is invalid")
    assert page.message == ("The provider answered HTTP 400 at https://op.example/auth with an error page: "
                            "invalid_client. The provider's own description (its text, not cognito-desk's): "
                            "“client is invalid”.")
    body = error_page("https://op.example/authorize", 400, '{"error": "invalid_scope", "error_description": "dept"}')
    assert (body.error, body.description) == ("invalid_scope", "dept")
    bare = error_page("https://op.example/login", 503, "Service Unavailable")
    assert bare.error == "http_503" and bare.message.endswith("with an error page.")
    assert error_page("https://op.example/x", 404, "Error: Cannot GET /x").error == "http_404"  # not an OAuth code
    # A login form shown again with 401 after a wrong password is no dead end: the user goes on there.
    assert error_page("https://op.example/login", 401, "Wrong password, try again", fields_shown=True) is None
    assert error_page("https://op.example/login", 401, "error=access_denied", fields_shown=True).error == \
        "access_denied"
    gone = error_page("https://op.example/auth?x=1", None, "", "net::ERR_CONNECTION_REFUSED")
    assert gone.error == "page_unreachable" and "could not be loaded (net::ERR_CONNECTION_REFUSED)" in gone.message


def test_the_likely_causes_name_the_client_the_redirect_uri_and_the_scopes():
    unknown = provider_explanation(error_page("https://op.example/auth", 400, OOPS), CLIENT)
    assert "The client ID 'app-1' is not registered at https://op.example" in unknown.cause
    assert unknown.cause.startswith("The provider answered HTTP 400")  # the provider's words first
    assert ("Provider's error code", "invalid_client") in unknown.details
    assert ("Provider's description", "client is invalid") in unknown.details
    redirect = ProviderError("refused", error="redirect_uri_mismatch", redirect_uri="http://127.0.0.1:5123/callback")
    explained = provider_explanation(redirect, CLIENT)
    assert "Register this exact redirect URI for the client at the provider: http://127.0.0.1:5123/callback" \
        in explained.fix and ("Redirect URI sent", "http://127.0.0.1:5123/callback") in explained.details
    scope = provider_explanation(ProviderError("refused", error="invalid_scope"), CLIENT)
    assert "'openid dept'" in scope.cause and "Remove the scopes" in scope.fix
    stuck = provider_explanation(stalled("https://op.example/login?x=1", 300), CLIENT)
    assert "stayed at https://op.example/login for 300 s" in stuck.cause and "finish the login" in stuck.fix
    other = provider_explanation(ProviderError("refused", error="temporarily_unavailable"), CLIENT)
    assert "Likely cause" not in other.cause and other.fix.startswith("Check the provider client settings")
