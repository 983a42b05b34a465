"""The live preview never disagrees with the service: real tokens from oidc-provider and saml-idp are previewed with
the pool's rules, then signed in on the embedded service, and the role (or the refusal) must be the same.

Session tags too: the preview's tags are compared with the tags the service writes into its OpenID token.
"""

from __future__ import annotations

import json
import secrets
import time

import boto3
import jwt
import pytest

from cognito_desk.admin.preview import preview
from cognito_desk.admin.principal_tags import PrincipalTagMap
from cognito_desk.admin.rules import RoleMapping, RolesForm, Rule
from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.core.presented import read_presented

TAGS_CLAIM = "https://aws.amazon.com/tags"


def _short(role: str) -> str:
    """``admins--<test name>`` → ``admins``."""
    return role.rsplit("/", 1)[-1].split("--")[0]


class Lab:
    """A pool wired to the real OIDC and SAML IdPs, with roles named after what they are for."""

    def __init__(self, service, aws_client, oidc_idp, saml_idp, name: str, *, tag_session: bool = True) -> None:
        self.service, self.oidc = service, oidc_idp
        self.ci, self.iam = aws_client("cognito-identity"), aws_client("iam")
        self.oidc_arn = f"arn:aws:iam::{service.account_id}:oidc-provider/{oidc_idp.host}"
        existing = {p["Arn"] for p in self.iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
        if self.oidc_arn not in existing:
            self.iam.create_open_id_connect_provider(Url=oidc_idp.issuer, ClientIDList=["qa-desk", "other-app"])
        self.saml_arn = self.iam.create_saml_provider(
            Name=f"preview-{name}", SAMLMetadataDocument=saml_idp.metadata_xml())["SAMLProviderArn"]
        self.pool_id = self.ci.create_identity_pool(
            IdentityPoolName=name, AllowUnauthenticatedIdentities=True, AllowClassicFlow=True,
            OpenIdConnectProviderARNs=[self.oidc_arn], SamlProviderARNs=[self.saml_arn])["IdentityPoolId"]
        trust = json.dumps(cognito_trust_policy(self.pool_id, "authenticated", tag_session=tag_session))
        self.roles = {role: self.iam.create_role(RoleName=f"{role}--{name}", AssumeRolePolicyDocument=trust)[
            "Role"]["Arn"] for role in ("auth", "admins", "engineers", "gold", "silver")}

    def save(self, form: RolesForm) -> None:
        assert form.problems() == []
        self.ci.set_identity_pool_roles(**form.to_request())

    def form(self) -> RolesForm:
        return RolesForm(self.pool_id, {"authenticated": self.roles["auth"]})

    def trust_policies(self) -> dict:
        return {arn: self.iam.get_role(RoleName=arn.rsplit("/", 1)[1])["Role"]["AssumeRolePolicyDocument"]
                for arn in self.roles.values()}

    def preview(self, token: str, key: str, **kwargs):
        saved = RolesForm.from_api(self.ci.get_identity_pool_roles(IdentityPoolId=self.pool_id))
        pool = self.ci.describe_identity_pool(IdentityPoolId=self.pool_id)
        return preview(pool, saved, read_presented(token, now=time.time()), key,
                       trust_policies=self.trust_policies(), **kwargs)

    def sign_in(self, key: str, token: str, **kwargs) -> tuple[str | None, str | None]:
        """(role name the service assumed, None) or (None, the AWS error code)."""
        logins = {key: token}
        try:
            identity_id = self.ci.get_id(IdentityPoolId=self.pool_id, Logins=logins)["IdentityId"]
            credentials = self.ci.get_credentials_for_identity(IdentityId=identity_id, Logins=logins,
                                                               **kwargs)["Credentials"]
        except self.ci.exceptions.ClientError as exc:
            return None, exc.response["Error"]["Code"]
        sts = boto3.session.Session().client(
            "sts", endpoint_url=self.service.url, region_name=self.service.region,
            aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretKey"],
            aws_session_token=credentials["SessionToken"])
        return _short(sts.get_caller_identity()["Arn"].split(":assumed-role/")[1].split("/")[0]), None

    def service_tags(self, key: str, token: str) -> dict:
        """The principal tags the service puts in its OpenID token for this login."""
        logins = {key: token}
        identity_id = self.ci.get_id(IdentityPoolId=self.pool_id, Logins=logins)["IdentityId"]
        issued = self.ci.get_open_id_token(IdentityId=identity_id, Logins=logins)["Token"]
        claim = jwt.decode(issued, options={"verify_signature": False}).get(TAGS_CLAIM, {})
        return {k: v[0] for k, v in claim.get("principal_tags", {}).items()}


@pytest.fixture
def lab(request, service, aws_client, oidc_idp, saml_idp):
    name = request.node.name.replace("_", "-")[5:30].strip("-") + secrets.token_hex(3)
    return Lab(service, aws_client, oidc_idp, saml_idp, name)


def rules_form(lab: Lab, key: str, ambiguous: str) -> RolesForm:
    form = lab.form()
    mapping = form.add_mapping(key, RoleMapping("Rules", ambiguous))
    mapping.add_rule(Rule("groups", "Equals", "admins", lab.roles["admins"]))
    mapping.add_rule(Rule("department", "StartsWith", "eng", lab.roles["engineers"]))
    mapping.add_rule(Rule("custom:tier", "Contains", "old", lab.roles["gold"]))
    mapping.add_rule(Rule("email", "NotEqual", "bob@example.com", lab.roles["silver"]))
    return form


CLAIM_SETS = [
    ("alice", {}),                                                   # rule 1 (groups contains admins)
    ("alice", {"groups": ["qa"], "custom:tier": "silver"}),          # rule 4 (NotEqual email)
    ("bob", {}),                                                     # rule 2 (engineering)
    ("bob", {"department": "sales", "custom:tier": "gold"}),         # rule 3
    ("bob", {"department": "sales", "custom:tier": "bronze"}),       # nothing matches: ambiguous
    ("carol", {}),                                                   # no claims: NotEqual skipped, ambiguous
]


@pytest.mark.parametrize("ambiguous", ["AuthenticatedRole", "Deny"])
@pytest.mark.parametrize("by_arn", [False, True], ids=["key-host", "key-arn"])
def test_rules_preview_agrees_with_the_service_on_real_oidc_tokens(lab, ambiguous, by_arn):
    key = lab.oidc.host
    lab.save(rules_form(lab, lab.oidc_arn if by_arn else key, ambiguous))
    outcomes = []
    for user, claims in CLAIM_SETS:
        token = lab.oidc.id_token(user, **claims)
        result = lab.preview(token, key)
        role, error = lab.sign_in(key, token)
        predicted = _short(result.decision.role_arn) if result.would_sign_in else None
        assert predicted == role, (user, claims, result.decision.explain(), role, error)
        if error:
            assert error == (result.decision.error_code or "InvalidIdentityPoolConfigurationException")
        outcomes.append(role or error)
    fallback = "auth" if ambiguous == "AuthenticatedRole" else "NotAuthorizedException"
    assert outcomes == ["admins", "silver", "engineers", "gold", fallback, fallback]


def test_the_preview_uses_unsaved_rules_and_explains_each_rule(lab):
    key = lab.oidc.host
    token = lab.oidc.id_token("bob")
    pool = lab.ci.describe_identity_pool(IdentityPoolId=lab.pool_id)
    form = rules_form(lab, key, "Deny")  # not saved
    result = preview(pool, form, read_presented(token, now=time.time()), key, trust_policies=lab.trust_policies())
    assert result.decision.role_arn == lab.roles["engineers"]
    text = result.decision.explain()
    assert "rule 1: claim 'groups' Equals 'admins': the token has 'dev', no match" in text
    assert "rule 2: claim 'department' StartsWith 'eng'" in text and "first matching rule wins" in text
    assert any("signature is NOT checked" in w for w in result.warnings)
    assert result.trust.allowed and result.would_sign_in
    form.mappings[key].move_rule(3, 0)  # NotEqual email first: bob's email is bob@example.com → no match
    result = preview(pool, form, read_presented(token, now=time.time()), key, trust_policies=lab.trust_policies())
    assert result.decision.role_arn == lab.roles["engineers"]
    form.mappings[key].rules[0].value = "nobody@example.com"
    result = preview(pool, form, read_presented(token, now=time.time()), key, trust_policies=lab.trust_policies())
    assert result.decision.role_arn == lab.roles["silver"]


def test_custom_role_arn_and_token_mappings_agree(lab):
    key = lab.oidc.host
    lab.save(rules_form(lab, key, "Deny"))
    token = lab.oidc.id_token("alice")
    for custom, expected in ((lab.roles["silver"], "silver"), (lab.roles["engineers"], "NotAuthorizedException")):
        result = lab.preview(token, key, custom_role_arn=custom)
        role, error = lab.sign_in(key, token, CustomRoleArn=custom)
        assert (role or error) == expected
        assert (result.decision.role_arn == custom) == (role is not None)
    form = lab.form()
    form.add_mapping(key, RoleMapping("Token", "AuthenticatedRole"))
    lab.save(form)
    assert lab.preview(token, key).decision.role_arn == lab.roles["auth"]  # no cognito:roles claim
    assert lab.sign_in(key, token) == ("auth", None)


def test_saml_roles_preview_agrees(lab, saml_idp):
    lab.save(lab.form())
    one = saml_idp.saml_response("alice", roles=[(lab.roles["gold"], lab.saml_arn)])
    two = saml_idp.saml_response("alice", roles=[(lab.roles[r], lab.saml_arn) for r in ("gold", "silver")])
    assert lab.preview(one, lab.saml_arn).decision.role_arn == lab.roles["gold"]
    assert lab.sign_in(lab.saml_arn, one) == ("gold", None)
    assert lab.preview(two, lab.saml_arn).decision.error_code == "NotAuthorizedException"
    assert lab.sign_in(lab.saml_arn, two) == (None, "NotAuthorizedException")
    chosen = lab.preview(two, lab.saml_arn, custom_role_arn=lab.roles["silver"])
    assert chosen.decision.role_arn == lab.roles["silver"]
    assert lab.sign_in(lab.saml_arn, two, CustomRoleArn=lab.roles["silver"]) == ("silver", None)


@pytest.mark.parametrize("tag_map", [PrincipalTagMap("", use_defaults=True),
                                     PrincipalTagMap("", tags={"dept": "department", "grp": "groups",
                                                               "verified": "email_verified", "none": "missing"})],
                         ids=["defaults", "custom"])
def test_session_tags_agree_with_the_service(lab, tag_map):
    key = lab.oidc.host
    lab.save(lab.form())
    tag_map.provider = key
    assert tag_map.problems(lab.pool_id) == []
    lab.ci.set_principal_tag_attribute_map(**tag_map.to_request(lab.pool_id))
    saved = PrincipalTagMap.from_api(lab.ci.get_principal_tag_attribute_map(IdentityPoolId=lab.pool_id,
                                                                            IdentityProviderName=key))
    assert saved == tag_map
    token = lab.oidc.id_token("alice")
    result = lab.preview(token, key, tag_map=saved)
    assert result.session_tags and result.session_tags == lab.service_tags(key, token)
    assert result.would_sign_in and lab.sign_in(key, token) == ("auth", None)


def test_tags_without_tag_session_are_predicted_to_fail(service, aws_client, oidc_idp, saml_idp):
    lab = Lab(service, aws_client, oidc_idp, saml_idp, "preview-no-tag-session", tag_session=False)
    key = oidc_idp.host
    lab.save(lab.form())
    tag_map = PrincipalTagMap(key, use_defaults=True)
    lab.ci.set_principal_tag_attribute_map(**tag_map.to_request(lab.pool_id))
    token = oidc_idp.id_token("alice")
    result = lab.preview(token, key, tag_map=tag_map)
    assert not result.would_sign_in
    assert any("does not allow sts:TagSession" in w for w in result.warnings)
    assert lab.sign_in(key, token) == (None, "InvalidIdentityPoolConfigurationException")
    assert lab.preview(token, key).would_sign_in  # without the tag map the same role is fine


def test_a_key_the_pool_does_not_trust_is_not_previewable(lab, other_oidc_idp):
    from cognito_desk.core.login_keys import NotPreviewable
    token = other_oidc_idp.id_token("alice")
    with pytest.raises(NotPreviewable) as caught:
        lab.preview(token, other_oidc_idp.host)
    assert caught.value.code == "NotAuthorizedException"
    with pytest.raises(lab.ci.exceptions.NotAuthorizedException) as refused:
        lab.ci.get_id(IdentityPoolId=lab.pool_id, Logins={other_oidc_idp.host: token})
    assert refused.value.response["Error"]["Message"] == caught.value.message
