"""User-pool sign-in end to end: the flows' own cognito-idp client against moto server's user pool, the id token
through the real embedded service (which fetches the pool's JWKS from moto by configuration), groups → roles.

Covers SRP and password flows, a client with a secret (SECRET_HASH), groups with precedence under a Token
mapping, CustomRoleArn, no group with either ambiguity setting, NEW_PASSWORD_REQUIRED, TOTP, a challenge the
app cannot answer (MFA_SETUP), the user pool's own NotAuthorizedException, REFRESH_TOKEN_AUTH, and what the
timeline shows (calls, role claims, no secrets).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pyotp
import pytest
from userpool_lab import PASSWORD, TEMPORARY, UserPoolLab, user_pool_service

from cognito_desk.admin.roles_snapshot import load_account_roles
from cognito_desk.admin.user_pools import (
    UserPoolSummary,
    list_app_clients,
    list_user_pools,
    load_group_roles,
    provider_entry,
    user_pool_of,
)
from cognito_desk.aws import CognitoIdentityClient, CognitoIdpClient, IamClient, StsClient, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.aws.endpoints import COGNITO_IDP, Endpoint
from cognito_desk.flows.challenges import Challenge
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.run import RunRequest, SignInRun
from cognito_desk.flows.userpool import UserPoolSignIn
from cognito_desk.settings import Secret


@dataclass
class Clients:
    http: httpx.AsyncClient
    identity: CognitoIdentityClient
    sts: StsClient
    cognito_idp: CognitoIdpClient | None
    iam: IamClient


@asynccontextmanager
async def clients(lab: UserPoolLab):
    endpoints = custom_endpoints(lab.service.url, lab.service.region)
    credentials = StaticCredentials(lab.service.access_key_id, lab.service.secret_access_key)
    async with httpx.AsyncClient() as http:
        yield Clients(http, CognitoIdentityClient(http, endpoints.cognito_identity, credentials),
                      StsClient(http, endpoints.sts, credentials),
                      CognitoIdpClient(http, Endpoint(lab.moto_url, "us-east-1", COGNITO_IDP), credentials),
                      IamClient(http, endpoints.iam, credentials))


class Answers:
    """Answers challenges from a dict of values, remembering what it was asked."""

    def __init__(self, **values: str) -> None:
        self.values, self.asked = values, []

    async def answer(self, challenge: Challenge):
        self.asked.append(challenge)
        return {field.key: self.values[field.key] if field.key in self.values else self.values[field.label]
                for field in challenge.fields()}


@pytest.fixture(scope="module")
def moto_lab(tmp_path_factory):
    with user_pool_service(tmp_path_factory.mktemp("userpool")) as (running, moto_url):
        yield running, moto_url


@pytest.fixture
def lab(request, moto_lab):
    running, moto_url = moto_lab
    return UserPoolLab(running, moto_url, f"up-{uuid.uuid4().hex[:12]}").build()


def provider(lab: UserPoolLab, username: str, flow: str = "srp", *, secret_client: bool = False) -> ProviderClient:
    return ProviderClient("local", "app users", ProviderKind.USER_POOL_PASSWORD, user_pool_id=lab.user_pool_id,
                          client_id=lab.secret_client_id if secret_client else lab.client_id, auth_flow=flow,
                          username=username)


def sign_in(lab: UserPoolLab, username: str, password: str = PASSWORD, *, flow: str = "srp", answers=None,
            custom_role: str | None = None, secret: str | None = None, secret_client: bool = False, refresh=False):
    async def main():
        async with clients(lab) as connection:
            run = SignInRun(connection)
            request = RunRequest(lab.pool_id, provider(lab, username, flow, secret_client=secret_client),
                                 custom_role_arn=custom_role, client_secret=secret,
                                 user_pool=UserPoolSignIn(Secret(password), answers))
            result = await run.run(request)
            if refresh and result.ok:
                result.login.expires_at = time.time() - 1  # an expired ID token: the refresh token renews it
                result = await run.refresh(result)
            return result
    return asyncio.run(asyncio.wait_for(main(), 60))


def role_name(result) -> str:
    assert result.ok, result.failure
    return result.assumed_role.rsplit("/", 1)[1].split("-")[0]


@pytest.mark.parametrize("flow", ["srp", "password"])
def test_groups_with_precedence_and_a_token_mapping_give_the_preferred_role(lab, flow):
    result = sign_in(lab, "alice", flow=flow)
    assert role_name(result) == "A"
    assert sorted(result.login.claims["cognito:groups"]) == ["admins", "staff"]
    assert result.login.claims["cognito:preferred_role"] == lab.roles["A"]
    user_pool_calls = [c for c in result.timeline.calls if c.step == "User pool sign-in"]
    wire = "USER_SRP_AUTH" if flow == "srp" else "USER_PASSWORD_AUTH"
    assert [c.name for c in user_pool_calls] == [f"InitiateAuth ({wire})"] + (
        ["RespondToAuthChallenge (PASSWORD_VERIFIER)"] if flow == "srp" else [])
    groups = ", ".join(result.login.claims["cognito:groups"])
    assert user_pool_calls[-1].note == (f"cognito:groups = {groups}; cognito:roles = {lab.roles['A']}, "
                                        f"{lab.roles['B']}; cognito:preferred_role = {lab.roles['A']}")
    assert result.logins == {lab.provider_name: result.login.id_token}
    assert result.challenges == []
    assert PASSWORD not in repr(result.timeline) and PASSWORD not in repr(result.request)


def test_custom_role_arn_picks_the_other_group_role(lab):
    assert role_name(sign_in(lab, "alice", custom_role=lab.roles["B"])) == "B"


def test_a_user_in_no_group_gets_the_default_role_or_is_denied_per_the_ambiguity_setting(lab):
    assert role_name(sign_in(lab, "bob")) == "auth"
    lab.token_mapping("Deny")
    denied = sign_in(lab, "bob")
    assert denied.failure.error.code == "NotAuthorizedException"
    assert denied.failure.step == "GetCredentialsForIdentity"  # Cognito Identity's refusal, not the user pool's
    assert "user pool" not in denied.failure.explanation.title


def test_force_change_password_user_completes_new_password_required(lab):
    answers = Answers(NEW_PASSWORD="Brand-new-pw1!")
    result = sign_in(lab, "carol", TEMPORARY, answers=answers)
    assert role_name(result) == "auth"
    assert result.challenges == ["NEW_PASSWORD_REQUIRED"]
    assert [c.name for c in answers.asked] == ["NEW_PASSWORD_REQUIRED"]
    assert "Brand-new-pw1!" not in repr(result.timeline)
    # the new password is now the password
    assert sign_in(lab, "carol", "Brand-new-pw1!", flow="password").ok
    assert sign_in(lab, "carol", TEMPORARY, flow="password").failure.error.code == "NotAuthorizedException"


def test_totp_user_signs_in_with_a_code_from_the_seed_and_a_wrong_code_is_the_user_pools_error(lab):
    ok = sign_in(lab, "dave", answers=Answers(Code=pyotp.TOTP(lab.totp_seed).now()))
    assert ok.ok and ok.challenges == ["SOFTWARE_TOKEN_MFA"]
    wrong = sign_in(lab, "dave", flow="password", answers=Answers(Code="000000" if pyotp.TOTP(
        lab.totp_seed).now() != "000000" else "111111"))
    assert wrong.failure.error.code == "CodeMismatchException"
    assert wrong.failure.step == "User pool sign-in"
    assert "user pool" in wrong.failure.explanation.title


def test_sms_mfa_code_is_asked_for_and_sent(lab):
    answers = Answers(Code="424242")  # moto sends no text message and accepts any code
    result = sign_in(lab, "erin", flow="password", answers=answers)
    assert result.ok, result.failure
    assert result.challenges == ["SMS_MFA"] and [c.fields()[0].key for c in answers.asked] == ["SMS_MFA_CODE"]


def test_a_challenge_nobody_answers_is_named(lab):
    result = sign_in(lab, "dave", answers=None)
    assert result.failure.error.challenge == "SOFTWARE_TOKEN_MFA"
    assert "SOFTWARE_TOKEN_MFA" in result.failure.message
    assert not any(c.name == "GetId" for c in result.timeline.calls)


def test_wrong_password_is_the_user_pools_not_authorized(lab):
    result = sign_in(lab, "alice", "wrong-password", flow="password")
    failure = result.failure
    assert failure.error.code == "NotAuthorizedException" and failure.step == "User pool sign-in"
    assert failure.explanation.title == "The user pool refused the sign-in (NotAuthorizedException)"
    assert "cognito-idp" in failure.explanation.cause and "Incorrect username or password" in failure.message
    assert not any(c.name == "GetId" for c in result.timeline.calls)  # nothing went to Cognito Identity


def test_an_app_client_with_a_secret_needs_the_secret_hash(lab):
    assert role_name(sign_in(lab, "alice", secret_client=True, secret=lab.client_secret)) == "A"
    refused = sign_in(lab, "alice", secret_client=True, secret="not-the-secret")
    assert refused.failure.error.code == "NotAuthorizedException" and refused.failure.step == "User pool sign-in"


def test_refresh_uses_refresh_token_auth(lab):
    result = sign_in(lab, "alice", refresh=True)
    assert result.ok, result.failure
    names = [c.name for c in result.timeline.calls]
    assert "InitiateAuth (REFRESH_TOKEN_AUTH)" in names
    assert names.index("InitiateAuth (REFRESH_TOKEN_AUTH)") < len(names) - 1
    assert role_name(result) == "A" and result.provider_expires_at > time.time()


def test_a_connection_without_a_user_pool_api_says_so(lab):
    async def main():
        async with clients(lab) as connection:
            connection.cognito_idp = None
            return await SignInRun(connection).run(RunRequest(lab.pool_id, provider(lab, "alice"),
                                                              user_pool=UserPoolSignIn(Secret(PASSWORD))))
    result = asyncio.run(main())
    assert "user pool endpoint" in result.failure.message


# --- groups → roles and the picker's reads (signed cognito-idp admin calls, IAM for the trust policies) --------

def test_picker_reads_pools_clients_flows_and_secret(lab):
    async def main():
        async with clients(lab) as connection:
            pools = await list_user_pools(connection.cognito_idp)
            return pools, await list_app_clients(connection.cognito_idp, lab.user_pool_id)
    pools, app_clients = asyncio.run(main())
    assert UserPoolSummary(lab.user_pool_id, lab.name) in pools
    by_name = {c.name: c for c in app_clients}
    assert by_name["app"].client_id == lab.client_id and not by_name["app"].has_secret
    assert by_name["server-app"].has_secret and by_name["server-app"].flows == ("SRP", "password", "refresh")
    assert by_name["server-app"].describe() == "SRP, password, refresh · has a client secret"
    assert provider_entry("us-east-1", by_name["app"]) == {"ProviderName": lab.provider_name,
                                                           "ClientId": lab.client_id, "ServerSideTokenCheck": False}
    assert user_pool_of(lab.provider_name) == lab.user_pool_id and user_pool_of("accounts.google.com") is None


def test_group_roles_are_listed_by_precedence_and_untrusted_roles_linted(lab):
    lab.idp.create_group(UserPoolId=lab.user_pool_id, GroupName="contractors", Precedence=3,
                         RoleArn="arn:aws:iam::000000000000:role/never-made")

    async def main():
        async with clients(lab) as connection:
            policies = await load_account_roles(connection.iam)  # what the pool state holds
            return await load_group_roles(connection.cognito_idp, lab.user_pool_id, lab.pool_id, policies)
    report = asyncio.run(main())
    assert [(g.name, g.precedence) for g in report.groups] == [("admins", 1), ("staff", 2), ("contractors", 3)]
    assert report.groups[0].role_arn == lab.roles["A"]
    assert [f.group for f in report.findings] == ["contractors"]


def test_a_challenge_the_app_cannot_answer_is_named_not_swallowed(lab):
    idp = lab.idp  # a pool that requires MFA, and a user who has none set up yet: the pool answers MFA_SETUP
    strict = idp.create_user_pool(PoolName=f"{lab.name}-strict", MfaConfiguration="OFF")["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(UserPoolId=strict, SoftwareTokenMfaConfiguration={"Enabled": True},
                                 MfaConfiguration="ON")
    app = idp.create_user_pool_client(UserPoolId=strict, ClientName="app",
                                      ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=strict, Username="frank", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=strict, Username="frank", Password=PASSWORD, Permanent=True)

    async def main():
        async with clients(lab) as connection:
            client = ProviderClient("local", "strict", ProviderKind.USER_POOL_PASSWORD, user_pool_id=strict,
                                    client_id=app, username="frank")
            return await SignInRun(connection).run(RunRequest(lab.pool_id, client, user_pool=UserPoolSignIn(
                Secret(PASSWORD), Answers())))
    result = asyncio.run(main())
    assert result.challenges == ["MFA_SETUP"]
    assert result.failure.error.challenge == "MFA_SETUP" and result.failure.step == "User pool sign-in"
    assert result.failure.message == "The user pool set the challenge MFA_SETUP, which cognito-desk cannot answer."
    assert result.failure.explanation.title == "The user pool set a challenge this run could not answer"
