"""Federated sign-in end to end: real oidc-provider / saml-idp tokens, the embedded service, boto3 as client.

Covers identities (same login → same identity, linking, guest upgrade, merges and their conflicts), role
selection (Rules, Token, Deny, CustomRoleArn, SAML role attribute), principal tags and the basic flow
through STS.
"""

from __future__ import annotations

import json

import boto3
import pytest
from support import aws_error, make_client

ROLE_TRUST_AMR = "authenticated"


def federated_trust(pool_id: str, *, tag_session: bool = False) -> str:
    actions = ["sts:AssumeRoleWithWebIdentity", *(["sts:TagSession"] if tag_session else [])]
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": actions,
        "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": pool_id},
                      "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": ROLE_TRUST_AMR}}}]})


class Federation:
    """A pool wired to the real OIDC and SAML IdPs, with named roles its tests can map to."""

    def __init__(self, service, oidc_idp, saml_idp, name: str, *, tag_session: bool = False) -> None:
        self.service = service
        self.ci, self.iam = make_client(service, "cognito-identity"), make_client(service, "iam")
        self.oidc = oidc_idp
        self.oidc_arn = self._oidc_provider(oidc_idp)
        self.saml_arn = self.iam.create_saml_provider(
            Name=f"corp-{name}", SAMLMetadataDocument=saml_idp.metadata_xml())["SAMLProviderArn"]
        self.pool_id = self.ci.create_identity_pool(
            IdentityPoolName=name, AllowUnauthenticatedIdentities=True, OpenIdConnectProviderARNs=[self.oidc_arn],
            SamlProviderARNs=[self.saml_arn])["IdentityPoolId"]
        trust = federated_trust(self.pool_id, tag_session=tag_session)
        self.roles = {role: self.iam.create_role(RoleName=f"{role}--{name}", AssumeRolePolicyDocument=trust)[
            "Role"]["Arn"] for role in ("auth", "guest", "admins", "engineers", "gold")}
        self.set_roles()

    def _oidc_provider(self, idp) -> str:
        existing = {p["Arn"] for p in self.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
        arn = f"arn:aws:iam::{self.service.account_id}:oidc-provider/{idp.host}"
        if arn not in existing:
            self.iam.create_open_id_connect_provider(Url=idp.issuer, ClientIDList=["qa-desk", "qa-desk-es256",
                                                                                   "qa-desk-ps256"])
        return arn

    def set_roles(self, mappings: dict | None = None) -> None:
        self.ci.set_identity_pool_roles(IdentityPoolId=self.pool_id, RoleMappings=mappings or {},
                                        Roles={"authenticated": self.roles["auth"],
                                               "unauthenticated": self.roles["guest"]})

    def logins(self, user: str, **claims) -> dict:
        return {self.oidc.host: self.oidc.id_token(user, **claims)}

    def sign_in(self, logins: dict, **kwargs) -> tuple[str, dict]:
        identity_id = self.ci.get_id(IdentityPoolId=self.pool_id, Logins=logins)["IdentityId"]
        answer = self.ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins, **kwargs)
        return answer["IdentityId"], answer["Credentials"]

    def assumed_role(self, credentials: dict) -> str:
        sts = boto3.session.Session().client(
            "sts", endpoint_url=self.service.url, region_name=self.service.region,
            aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretKey"],
            aws_session_token=credentials["SessionToken"])
        arn = sts.get_caller_identity()["Arn"]
        assert arn.endswith("/CognitoIdentityCredentials")
        return arn.split(":assumed-role/")[1].split("/")[0].split("--")[0]

    def identities(self, **kwargs) -> list[dict]:
        return self.ci.list_identities(IdentityPoolId=self.pool_id, MaxResults=60, **kwargs)["Identities"]


@pytest.fixture
def federation(request, service, oidc_idp, saml_idp):
    name = request.node.name.replace("_", "-")[5:40].strip("-")
    return Federation(service, oidc_idp, saml_idp, name)


def rule(claim: str, match: str, value: str, role_arn: str) -> dict:
    return {"Claim": claim, "MatchType": match, "Value": value, "RoleARN": role_arn}


# --- identities ---------------------------------------------------------------------------------

def test_same_login_same_identity_and_default_role(federation):
    first, creds = federation.sign_in(federation.logins("alice"))
    again, _ = federation.sign_in(federation.logins("alice"))
    assert first == again
    assert federation.assumed_role(creds) == "auth"
    described = federation.ci.describe_identity(IdentityId=first)
    assert described["Logins"] == [federation.oidc.host]
    other, _ = federation.sign_in(federation.logins("bob"))
    assert other != first


def test_es256_and_ps256_id_tokens(federation):
    for client in ("qa-desk-es256", "qa-desk-ps256"):
        logins = {federation.oidc.host: federation.oidc.id_token("alice", client_id=client)}
        _, creds = federation.sign_in(logins)
        assert federation.assumed_role(creds) == "auth"


def test_guest_upgrade_keeps_the_identity_id(federation):
    guest = federation.ci.get_id(IdentityPoolId=federation.pool_id)["IdentityId"]
    logins = federation.logins("carol")
    upgraded = federation.ci.get_credentials_for_identity(IdentityId=guest, Logins=logins)
    assert upgraded["IdentityId"] == guest
    assert federation.ci.get_id(IdentityPoolId=federation.pool_id, Logins=logins)["IdentityId"] == guest
    with pytest.raises(federation.ci.exceptions.NotAuthorizedException):
        federation.ci.get_credentials_for_identity(IdentityId=guest)  # no longer a guest


def test_two_providers_link_to_one_identity(federation, saml_idp):
    oidc_logins = federation.logins("dave")
    identity_id, _ = federation.sign_in(oidc_logins)
    both = {**oidc_logins, federation.saml_arn: saml_idp.saml_response("dave")}
    linked = federation.ci.get_credentials_for_identity(IdentityId=identity_id, Logins=both)["IdentityId"]
    assert linked == identity_id
    saml_only = {federation.saml_arn: saml_idp.saml_response("dave")}
    assert federation.ci.get_id(IdentityPoolId=federation.pool_id, Logins=saml_only)["IdentityId"] == identity_id
    assert sorted(federation.ci.describe_identity(IdentityId=identity_id)["Logins"]) == sorted(
        [federation.oidc.host, federation.saml_arn])


def test_login_owned_by_another_identity_merges(federation, saml_idp):
    oidc_owner, _ = federation.sign_in(federation.logins("erin"))
    saml_owner, _ = federation.sign_in({federation.saml_arn: saml_idp.saml_response("erin")})
    assert oidc_owner != saml_owner
    both = {**federation.logins("erin"), federation.saml_arn: saml_idp.saml_response("erin")}
    survivor = federation.ci.get_credentials_for_identity(IdentityId=oidc_owner, Logins=both)["IdentityId"]
    loser = oidc_owner if survivor == saml_owner else saml_owner
    assert survivor in (oidc_owner, saml_owner)
    visible = {i["IdentityId"] for i in federation.identities(HideDisabled=True)}
    everyone = {i["IdentityId"] for i in federation.identities()}
    assert survivor in visible and loser not in visible and loser in everyone
    assert sorted(federation.ci.describe_identity(IdentityId=survivor)["Logins"]) == sorted(
        [federation.oidc.host, federation.saml_arn])
    with pytest.raises(federation.ci.exceptions.NotAuthorizedException):
        federation.ci.get_credentials_for_identity(IdentityId=loser, Logins=both)


def test_two_users_of_one_provider_conflict(federation, saml_idp):
    frank, _ = federation.sign_in({**federation.logins("frank"), federation.saml_arn: saml_idp.saml_response("frank")})
    grace, _ = federation.sign_in(federation.logins("grace"))
    before = federation.identities()
    mixed = {**federation.logins("grace"), federation.saml_arn: saml_idp.saml_response("frank")}
    with pytest.raises(federation.ci.exceptions.ResourceConflictException):
        federation.ci.get_credentials_for_identity(IdentityId=grace, Logins=mixed)
    assert federation.identities() == before
    assert federation.ci.describe_identity(IdentityId=frank)["Logins"]


def test_authenticated_identity_needs_one_of_its_logins(federation):
    heidi, _ = federation.sign_in(federation.logins("heidi"))
    with pytest.raises(federation.ci.exceptions.NotAuthorizedException) as exc:
        federation.ci.get_credentials_for_identity(IdentityId=heidi)
    assert aws_error(exc)[1] == f"Access to Identity '{heidi}' is forbidden."
    ivan_token = federation.oidc.id_token("ivan")
    federation.sign_in({federation.oidc.host: ivan_token})
    with pytest.raises(federation.ci.exceptions.NotAuthorizedException) as exc:
        federation.ci.get_credentials_for_identity(IdentityId=heidi, Logins={federation.oidc.host: ivan_token})
    assert aws_error(exc)[1].startswith("Logins don't match.")


def test_unlink_makes_the_login_new_again(federation):
    logins = federation.logins("judy")
    judy, _ = federation.sign_in(logins)
    federation.ci.unlink_identity(IdentityId=judy, Logins=logins, LoginsToRemove=[federation.oidc.host])
    assert "Logins" not in federation.ci.describe_identity(IdentityId=judy)
    fresh, _ = federation.sign_in(federation.logins("judy"))
    assert fresh != judy


def test_provider_logins_never_store_tokens(federation, service):
    token = federation.oidc.id_token("user-kenji-20261126")
    federation.sign_in({federation.oidc.host: token})
    database = (service.data_dir / "cognito-desk.sqlite3").read_bytes()
    wal = service.data_dir / "cognito-desk.sqlite3-wal"
    everything = database + (wal.read_bytes() if wal.exists() else b"")
    assert token.encode() not in everything and token.split(".")[1].encode() not in everything
    assert b"user-kenji-20261126" not in everything  # the subject is stored as a one-way hash


# --- roles ---------------------------------------------------------------------------------------

def test_rules_give_users_different_roles(federation):
    federation.set_roles({federation.oidc_arn: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                                "RulesConfiguration": {"Rules": [
                                                    rule("groups", "Contains", "admin", federation.roles["admins"]),
                                                    rule("department", "Equals", "engineering",
                                                         federation.roles["engineers"])]}}})
    _, alice = federation.sign_in(federation.logins("alice"))
    _, bob = federation.sign_in(federation.logins("bob"))
    _, nobody = federation.sign_in(federation.logins("zoe"))
    assert federation.assumed_role(alice) == "admins"  # groups ["qa", "admins"] contains "admin"
    assert federation.assumed_role(bob) == "engineers"
    assert federation.assumed_role(nobody) == "auth"  # no rule matched: AuthenticatedRole


def test_rules_keyed_by_host_and_other_match_types(federation):
    federation.set_roles({federation.oidc.host: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                                                 "RulesConfiguration": {"Rules": [
                                                     rule("email", "StartsWith", "bob@", federation.roles["engineers"]),
                                                     rule("custom:tier", "NotEqual", "silver",
                                                          federation.roles["gold"])]}}})
    _, bob = federation.sign_in(federation.logins("bob"))
    _, alice = federation.sign_in(federation.logins("alice"))
    assert federation.assumed_role(bob) == "engineers"
    assert federation.assumed_role(alice) == "gold"


def test_deny_when_no_rule_matches(federation):
    federation.set_roles({federation.oidc_arn: {"Type": "Rules", "AmbiguousRoleResolution": "Deny",
                                                "RulesConfiguration": {"Rules": [
                                                    rule("department", "Equals", "finance",
                                                         federation.roles["gold"])]}}})
    logins = federation.logins("alice")
    identity_id = federation.ci.get_id(IdentityPoolId=federation.pool_id, Logins=logins)["IdentityId"]
    with pytest.raises(federation.ci.exceptions.NotAuthorizedException) as exc:
        federation.ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert aws_error(exc)[1] == "The ambiguous role mapping rules denied this request."
    notes = exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-cognito-desk-notes"]
    assert "department" in notes  # the explanation names the rule that was tried


def test_custom_role_arn_with_rules(federation):
    federation.set_roles({federation.oidc_arn: {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                                "RulesConfiguration": {"Rules": [
                                                    rule("department", "Equals", "qa", federation.roles["admins"]),
                                                    rule("custom:tier", "Equals", "gold", federation.roles["gold"])]}}})
    _, creds = federation.sign_in(federation.logins("alice"), CustomRoleArn=federation.roles["gold"])
    assert federation.assumed_role(creds) == "gold"  # second matching rule, chosen over the first
    logins = federation.logins("alice")
    with pytest.raises(federation.ci.exceptions.NotAuthorizedException):
        federation.sign_in(logins, CustomRoleArn=federation.roles["engineers"])  # no matching rule names it


def test_saml_role_attribute_and_custom_role(federation, saml_idp):
    one = saml_idp.saml_response("alice", roles=[(federation.roles["engineers"], federation.saml_arn)])
    _, creds = federation.sign_in({federation.saml_arn: one})
    assert federation.assumed_role(creds) == "engineers"
    two_roles = [(federation.roles["engineers"], federation.saml_arn), (federation.roles["gold"], federation.saml_arn)]
    logins = {federation.saml_arn: saml_idp.saml_response("alice", roles=two_roles)}
    with pytest.raises(federation.ci.exceptions.NotAuthorizedException):
        federation.sign_in(logins)
    logins = {federation.saml_arn: saml_idp.saml_response("alice", roles=two_roles)}
    _, creds = federation.sign_in(logins, CustomRoleArn=federation.roles["gold"])
    assert federation.assumed_role(creds) == "gold"


def test_principal_tags_need_tag_session(service, oidc_idp, saml_idp):
    plain = Federation(service, oidc_idp, saml_idp, "tags-plain")
    plain.ci.set_principal_tag_attribute_map(IdentityPoolId=plain.pool_id, IdentityProviderName=oidc_idp.host,
                                             PrincipalTags={"dept": "department"})
    logins = plain.logins("alice")
    identity_id = plain.ci.get_id(IdentityPoolId=plain.pool_id, Logins=logins)["IdentityId"]
    with pytest.raises(plain.ci.exceptions.InvalidIdentityPoolConfigurationException) as exc:
        plain.ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)
    assert "sts:TagSession" in exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-cognito-desk-notes"]

    tagging = Federation(service, oidc_idp, saml_idp, "tags-ok", tag_session=True)
    tagging.ci.set_principal_tag_attribute_map(IdentityPoolId=tagging.pool_id, IdentityProviderName=oidc_idp.host,
                                               UseDefaults=True)
    _, creds = tagging.sign_in(tagging.logins("alice"))
    assert tagging.assumed_role(creds) == "auth"


def test_basic_flow_through_sts(federation, service):
    logins = federation.logins("alice")
    identity_id = federation.ci.get_id(IdentityPoolId=federation.pool_id, Logins=logins)["IdentityId"]
    token = federation.ci.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
    import jwt

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["amr"][0] == "authenticated" and federation.oidc.host in claims["amr"]
    assert f"{federation.oidc_arn}:OIDC:alice" in claims["amr"]
    sts = boto3.session.Session().client("sts", endpoint_url=service.url, region_name=service.region,
                                         aws_access_key_id="x", aws_secret_access_key="x")
    assumed = sts.assume_role_with_web_identity(RoleArn=federation.roles["engineers"], RoleSessionName="qa-basic",
                                                WebIdentityToken=token)
    creds = {**assumed["Credentials"], "SecretKey": assumed["Credentials"]["SecretAccessKey"]}
    session = boto3.session.Session().client(
        "sts", endpoint_url=service.url, region_name=service.region, aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretKey"], aws_session_token=creds["SessionToken"])
    assert session.get_caller_identity()["Arn"].endswith("/qa-basic")


# --- user pools with Token mappings (moto server's cognito-idp is the user pool; boto3 is the app) --------------

@pytest.fixture(scope="module")
def userpool_service(tmp_path_factory):
    from userpool_lab import user_pool_service

    with user_pool_service(tmp_path_factory.mktemp("userpool")) as (running, moto_url):
        yield running, moto_url


def test_user_pool_token_mapping(userpool_service):
    from userpool_lab import PASSWORD, UserPoolLab

    running, moto_url = userpool_service
    lab = UserPoolLab(running, moto_url, "up-token-mapping").build()
    lab.token_mapping("Deny")
    ci, idp = make_client(running, "cognito-identity"), lab.idp
    sts_for = lambda c: boto3.session.Session().client(  # noqa: E731
        "sts", endpoint_url=running.url, region_name="us-east-1", aws_access_key_id=c["AccessKeyId"],
        aws_secret_access_key=c["SecretKey"], aws_session_token=c["SessionToken"])

    def tokens(user, client_id=lab.client_id):
        return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                 AuthParameters={"USERNAME": user, "PASSWORD": PASSWORD})["AuthenticationResult"]

    def sign_in(token, **kwargs):
        logins = {lab.provider_name: token}
        identity_id = ci.get_id(IdentityPoolId=lab.pool_id, Logins=logins)["IdentityId"]
        return ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins, **kwargs)["Credentials"]

    alice = tokens("alice")  # admins (role A, precedence 1) and staff (role B, precedence 2)
    assert "/A-up-token-mapping/" in sts_for(sign_in(alice["IdToken"])).get_caller_identity()["Arn"]
    chosen = sign_in(alice["IdToken"], CustomRoleArn=lab.roles["B"])
    assert "/B-up-token-mapping/" in sts_for(chosen).get_caller_identity()["Arn"]
    with pytest.raises(ci.exceptions.NotAuthorizedException):  # in no group: ambiguous, and the mapping denies
        sign_in(tokens("bob")["IdToken"])
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        sign_in(alice["AccessToken"])
    assert aws_error(exc)[1] == "Invalid login token. Missing a required claim: aud"
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        other = idp.create_user_pool_client(UserPoolId=lab.user_pool_id, ClientName="not-in-the-identity-pool",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]
        sign_in(tokens("alice", other["ClientId"])["IdToken"])
    assert aws_error(exc)[1] == "Token is not from a supported provider of this identity pool."
