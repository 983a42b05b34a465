"""Sign-in runs end to end: real oidc-provider / saml-idp logins played by an HTTP-client browser, the real
embedded service, the flows' own clients — identity ids, predicted vs assumed roles, failures and their steps."""

from __future__ import annotations

import asyncio
import json
import time
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from support import make_client, start_service
from test_flows_user_agent import FormBrowser, oidc_client

from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.aws import CognitoIdentityClient, IamClient, StsClient, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.run import Flow, RunRequest, SignInRun

DEVELOPER_PROVIDER = "login.qa.example"


@dataclass
class Clients:
    http: httpx.AsyncClient
    identity: CognitoIdentityClient
    sts: StsClient
    iam: IamClient


@asynccontextmanager
async def clients(service, *, admin: bool = True):
    endpoints = custom_endpoints(service.url, service.region)
    credentials = StaticCredentials(service.access_key_id, service.secret_access_key) if admin else None
    async with httpx.AsyncClient() as http:
        yield Clients(http, CognitoIdentityClient(http, endpoints.cognito_identity, credentials),
                      StsClient(http, endpoints.sts, credentials), IamClient(http, endpoints.iam, credentials))


class Lab:
    """A pool wired to the real OIDC and SAML IdPs, a developer provider and roles chosen by department."""

    def __init__(self, service, oidc_idp, saml_idp, name: str) -> None:
        self.service, self.oidc, self.saml = service, oidc_idp, saml_idp
        self.ci, self.iam = make_client(service, "cognito-identity"), make_client(service, "iam")
        existing = {p["Arn"] for p in self.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
        self.oidc_arn = f"arn:aws:iam::{service.account_id}:oidc-provider/{oidc_idp.host}"
        if self.oidc_arn not in existing:
            self.iam.create_open_id_connect_provider(Url=oidc_idp.issuer, ClientIDList=["qa-desk"])
        self.saml_arn = self.iam.create_saml_provider(
            Name=f"corp-{name}", SAMLMetadataDocument=saml_idp.metadata_xml())["SAMLProviderArn"]
        self.pool_id = self.ci.create_identity_pool(
            IdentityPoolName=name, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
            OpenIdConnectProviderARNs=[self.oidc_arn], SamlProviderARNs=[self.saml_arn],
            DeveloperProviderName=DEVELOPER_PROVIDER)["IdentityPoolId"]
        self.roles = {}
        for role, amr in (("auth", "authenticated"), ("guest", "unauthenticated"), ("qa", "authenticated"),
                          ("engineers", "authenticated"), ("no-amr", "unauthenticated")):
            policy = json.dumps(cognito_trust_policy(self.pool_id, amr, tag_session=False))
            self.roles[role] = self.iam.create_role(RoleName=f"{role}--{name}"[:64],
                                                    AssumeRolePolicyDocument=policy)["Role"]["Arn"]
        self.map_departments()

    def map_departments(self, authenticated: str = "auth") -> None:
        rules = [{"Claim": "department", "MatchType": "Equals", "Value": "qa", "RoleARN": self.roles["qa"]},
                 {"Claim": "department", "MatchType": "Equals", "Value": "engineering",
                  "RoleARN": self.roles["engineers"]}]
        self.ci.set_identity_pool_roles(
            IdentityPoolId=self.pool_id,
            Roles={"authenticated": self.roles[authenticated], "unauthenticated": self.roles["guest"]},
            RoleMappings={self.oidc.host: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                           "RulesConfiguration": {"Rules": rules}}})

    def saml_client(self, **overrides) -> ProviderClient:
        values = {"connection": "local", "name": "corp", "kind": ProviderKind.SAML, "saml_provider_arn": self.saml_arn,
                  "saml_sso_url": f"{self.saml.url}/saml/sso", **overrides}
        return ProviderClient(**values)

    def sign_in(self, client: ProviderClient, browser: FormBrowser | None = None, *, admin: bool = True, **request):
        async def main():
            async with clients(self.service, admin=admin) as connection:
                runner = SignInRun(connection, browser or FormBrowser())
                return await runner.run(RunRequest(self.pool_id, client, **request))

        return asyncio.run(asyncio.wait_for(main(), 60))


@pytest.fixture
def lab(request, service, oidc_idp, saml_idp):
    return Lab(service, oidc_idp, saml_idp, request.node.name.replace("_", "-")[5:40].strip("-"))


def role_name(arn: str | None) -> str:
    return (arn or "").rsplit("/", 1)[-1].split("--")[0]


def test_oidc_code_flow_enhanced(lab):
    before = time.time()
    result = lab.sign_in(oidc_client(lab.oidc), FormBrowser("alice"))
    assert result.failure is None and result.ok
    assert result.identity_id.startswith(lab.service.region + ":")
    assert result.returning is False and result.linked_logins == (lab.oidc.host,)
    assert role_name(result.assumed_role) == "qa" and not result.roles_differ
    assert result.prediction.role_arn == lab.roles["qa"]
    assert "rule 1" in result.prediction.explanation
    assert result.credentials.access_key_id.startswith("ASIA")
    assert "********" in repr(result.credentials)
    assert result.credentials.expiration.timestamp() > before + 3000
    assert result.provider_expires_at > before
    calls = [call for call in result.timeline.calls if call.step != "Pool configuration"]
    names = [call.name for call in calls]
    assert names[:5] == ["Provider discovery", "Provider authorize", "Provider token", "Provider JWKS",
                         "Verify id_token"]
    assert names[5:7] == ["GetId", "GetCredentialsForIdentity"]
    assert set(names[7:]) == {"DescribeIdentity", "GetCallerIdentity"}
    assert [c.name for c in result.timeline.calls if c.step == "Pool configuration"] == [
        "DescribeIdentityPool", "GetIdentityPoolRoles"]  # read while the user signed in
    get_id = calls[5]
    assert get_id.logins_keys == (lab.oidc.host,) and get_id.logins_sent
    assert calls[6].amr == ("authenticated", lab.oidc.host)
    steps = result.step_durations()
    assert {"Provider login", "Token exchange", "Token verification", "GetId", "GetCredentialsForIdentity",
            "STS GetCallerIdentity"} <= set(steps)
    assert all(duration >= 0 for duration in steps.values())


def test_same_persona_again_is_the_same_returning_identity(lab):
    first = lab.sign_in(oidc_client(lab.oidc), FormBrowser("carol"))
    again = lab.sign_in(oidc_client(lab.oidc), FormBrowser("carol"))
    assert first.identity_id == again.identity_id
    assert (first.returning, again.returning) == (False, True)


def test_two_users_get_the_roles_their_rules_name(lab):
    alice = lab.sign_in(oidc_client(lab.oidc), FormBrowser("alice"))
    bob = lab.sign_in(oidc_client(lab.oidc), FormBrowser("bob"))
    assert (role_name(alice.assumed_role), role_name(bob.assumed_role)) == ("qa", "engineers")
    for result in (alice, bob):
        assert result.prediction.role_arn.rsplit("/", 1)[-1] == result.assumed_role.rsplit("/", 1)[-1]
        assert not result.roles_differ


def test_wrong_client_id_fails_at_get_id_and_keeps_the_provider_token(lab):
    result = lab.sign_in(oidc_client(lab.oidc, client_id="other-app"), FormBrowser("alice"))
    assert result.failure.step == "GetId"
    assert result.failure.error.code == "NotAuthorizedException"
    assert result.failure.message == "NotAuthorizedException: Token is not from a supported provider of this " \
                                     "identity pool."
    assert result.failure.explanation.title and result.failure.explanation.fix
    assert result.login.claims["aud"] == "other-app" and result.logins == {lab.oidc.host: result.login.token}
    assert result.credentials is None and result.identity_id is None


def test_trust_policy_without_authenticated_amr_is_explained(lab):
    lab.ci.set_identity_pool_roles(IdentityPoolId=lab.pool_id, Roles={"authenticated": lab.roles["no-amr"]})
    enhanced = lab.sign_in(oidc_client(lab.oidc), FormBrowser("dave"))
    assert enhanced.failure.step == "GetCredentialsForIdentity"
    assert enhanced.failure.error.code == "InvalidIdentityPoolConfigurationException"
    assert "amr" in enhanced.failure.explanation.fix and enhanced.identity_id
    basic = lab.sign_in(oidc_client(lab.oidc), FormBrowser("dave"), flow=Flow.BASIC)
    assert basic.failure.step == "STS AssumeRoleWithWebIdentity"
    assert basic.failure.error.code == "AccessDenied"
    assert basic.failure.explanation.title == f"STS refused the role {lab.roles['no-amr'].rsplit('/', 1)[1]} " \
                                              "(basic flow)"
    assert basic.cognito_token and basic.timeline.calls[-1].amr[0] == "authenticated"


@pytest.mark.parametrize("notes", [True, False], ids=["service notes", "no notes as on AWS"])
def test_the_role_a_rule_chose_is_the_role_named_when_it_is_missing_or_refuses(service, notes, tmp_path, oidc_idp,
                                                                               saml_idp):
    # Real AWS sends no decision notes: the app predicts the role and asks IAM about it.
    service = service if notes else start_service(tmp_path / "data", notes=False)
    lab = Lab(service, oidc_idp, saml_idp, f"tried-role-{notes}")
    try:
        account = lab.roles["auth"].split(":")[4]
        missing = f"arn:aws:iam::{account}:role/eng-role"
        lab.roles["engineers"] = missing
        lab.map_departments()
        result = lab.sign_in(oidc_client(lab.oidc), FormBrowser("bob"))  # department: engineering → rule 2
        assert result.failure.step == "GetCredentialsForIdentity"
        assert bool(result.failure.error.notes) is notes
        explanation = result.failure.explanation
        assert explanation.title == "The role eng-role does not exist"
        assert f"Cognito tried role eng-role ({missing}), chosen by rule 2: claim 'department' Equals " \
               "'engineering'" in explanation.cause
        assert "auth--" not in explanation.cause  # the default role is not the one blamed
        assert explanation.fix.startswith("Create the role eng-role trusted by this pool")
        other_pool = json.dumps(cognito_trust_policy("us-east-1:11111111-1111-1111-1111-111111111111",
                                                     "authenticated"))
        lab.roles["engineers"] = lab.iam.create_role(RoleName=f"eng-elsewhere-{notes}",
                                                     AssumeRolePolicyDocument=other_pool)["Role"]["Arn"]
        lab.map_departments()
        refused = lab.sign_in(oidc_client(lab.oidc), FormBrowser("bob")).failure.explanation
        assert refused.title == f"The trust policy of eng-elsewhere-{notes} refuses this pool"
        assert "cognito-identity.amazonaws.com:aud" in refused.cause
        assert refused.fix.startswith("Apply the trust-lint fix in Roles & rules")
    finally:
        if not notes:
            service.thread.stop()


def test_basic_flow(lab):
    result = lab.sign_in(oidc_client(lab.oidc), FormBrowser("erin"), flow=Flow.BASIC,
                         custom_role_arn=lab.roles["engineers"])
    assert result.ok, result.failure
    calls = [call for call in result.timeline.calls if call.step != "Pool configuration"]
    assert [call.name for call in calls][5:8] == ["GetId", "GetOpenIdToken", "AssumeRoleWithWebIdentity"]
    get_token = calls[6]
    assert get_token.amr[0] == "authenticated" and lab.oidc.host in get_token.amr
    assert role_name(result.assumed_role) == "engineers" and not result.roles_differ


def test_saml_sp_initiated(lab):
    browser = FormBrowser("alice", fields={"https://aws.amazon.com/SAML/Attributes/Role":
                                           f"{lab.roles['engineers']},{lab.saml_arn}"})
    result = lab.sign_in(lab.saml_client(), browser)
    assert result.ok, result.failure
    assert result.login.token_type == "SAMLResponse" and result.login.saml_roles == (lab.roles["engineers"],)
    assert result.logins.keys() == {lab.saml_arn}
    assert role_name(result.assumed_role) == "engineers" and not result.roles_differ


def test_saml_idp_initiated(lab):
    result = lab.sign_in(lab.saml_client(saml_sso_url="", saml_idp_initiated_url=f"{lab.saml.url}/"),
                         FormBrowser("bob"))
    assert result.ok, result.failure
    assert result.login.claims["NameID"] == "bob"
    assert role_name(result.assumed_role) == "auth"


def test_guest_enhanced_and_basic(lab):
    guest = ProviderClient("local", "guest", ProviderKind.GUEST)
    enhanced = lab.sign_in(guest)
    assert enhanced.ok and role_name(enhanced.assumed_role) == "guest"
    assert [c.logins_sent for c in enhanced.timeline.calls if c.name == "GetId"] == [False]
    assert [c.amr for c in enhanced.timeline.calls if c.name == "GetCredentialsForIdentity"] == [("unauthenticated",)]
    basic = lab.sign_in(guest, flow=Flow.BASIC)
    assert basic.ok and role_name(basic.assumed_role) == "guest"


def test_developer_authenticated(lab):
    developer = ProviderClient("local", "dev", ProviderKind.DEVELOPER, developer_provider_name=DEVELOPER_PROVIDER,
                               developer_user_identifier="user-42")
    first = lab.sign_in(developer)
    assert first.ok, first.failure
    assert role_name(first.assumed_role) == "auth" and not first.roles_differ
    developer_call = next(c for c in first.timeline.calls if c.name == "GetOpenIdTokenForDeveloperIdentity")
    assert "authenticated" in developer_call.amr and developer_call.step == "GetId"
    again = lab.sign_in(developer, flow=Flow.BASIC)
    assert again.ok and again.identity_id == first.identity_id


def test_access_token_where_an_id_token_is_needed_is_flagged_before_the_call(lab):
    result = lab.sign_in(oidc_client(lab.oidc, send_token="access_token"), FormBrowser("alice"))
    assert result.failure.step == "Check token"
    assert "only an id_token" in result.failure.message
    assert not any(call.name == "GetId" for call in result.timeline.calls)


def test_without_admin_rights_the_run_still_signs_in(lab):
    result = lab.sign_in(oidc_client(lab.oidc), FormBrowser("frank"), admin=False)
    assert result.ok
    assert result.prediction.role_arn is None and "could not be read" in result.prediction.explanation
    assert result.returning is None and not result.roles_differ


def test_refresh_gets_new_credentials_with_the_same_logins(lab):
    async def main():
        async with clients(lab.service) as connection:
            runner = SignInRun(connection, FormBrowser("gina"))
            result = await runner.run(RunRequest(lab.pool_id, oidc_client(lab.oidc)))
            first_key = result.credentials.access_key_id
            await runner.refresh(result)
            return result, first_key

    result, first_key = asyncio.run(main())
    assert result.ok and result.credentials.access_key_id != first_key
    assert [c.name for c in result.timeline.calls][-2:] == ["GetCredentialsForIdentity", "GetCallerIdentity"]
    assert "GetCredentialsForIdentity again" in result.refresh_advice()
    assert "new provider login" in result.refresh_advice(now=result.provider_expires_at + 5)


def test_unusable_provider_settings_stop_the_run_before_any_call(lab):
    result = lab.sign_in(oidc_client(lab.oidc, client_id=""))
    assert result.failure.step == "Provider settings"
    assert result.failure.message == "The provider's client id is missing."
    assert result.timeline.calls == []  # not even the pool's configuration was read


def test_a_provider_refusal_names_the_provider_login_step(lab):
    result = lab.sign_in(oidc_client(lab.oidc, extra_params={"prompt": "none"}))
    assert result.failure.step == "Provider login" and result.failure.error.error == "login_required"
    assert result.failure.explanation.title == "The identity provider did not complete the sign-in"
    assert result.identity_id is None
