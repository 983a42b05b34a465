"""Developer-authenticated identities with boto3: tokens, linking, lookup, merge, unlink, enhanced flow."""

from __future__ import annotations

import boto3
import jwt
import pytest
from support import aws_error

DEV = "login.example.app"
DUAR = "DeveloperUserAlreadyRegisteredException"


@pytest.fixture
def ci(aws_client):
    return aws_client("cognito-identity")


@pytest.fixture
def dev_pool(make_pool):
    return make_pool(DeveloperProviderName=DEV)


def dev_token(ci, pool, user, **kwargs):
    return ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool.id, Logins={DEV: user}, **kwargs)


def test_token_claims_and_same_user_same_identity(ci, dev_pool, service):
    first = dev_token(ci, dev_pool, "alice")
    again = dev_token(ci, dev_pool, "alice", TokenDuration=3600)
    assert first["IdentityId"] == again["IdentityId"]
    claims = jwt.decode(first["Token"], options={"verify_signature": False})
    assert claims["amr"] == ["authenticated", DEV, f"{DEV}:{dev_pool.id}:alice"]
    assert claims["aud"] == dev_pool.id and claims["sub"] == first["IdentityId"]
    assert claims["exp"] - claims["iat"] == 900
    assert claims["https://cognito-identity.amazonaws.com/identity-pool-arn"].endswith(f"identitypool/{dev_pool.id}")
    longer = jwt.decode(again["Token"], options={"verify_signature": False})
    assert longer["exp"] - longer["iat"] == 3600
    described = ci.describe_identity(IdentityId=first["IdentityId"])
    assert described["Logins"] == [DEV]
    assert dev_token(ci, dev_pool, "bob")["IdentityId"] != first["IdentityId"]


def test_enhanced_flow_with_the_developer_token_gets_the_authenticated_role(ci, dev_pool, service):
    answer = dev_token(ci, dev_pool, "carol")
    creds = ci.get_credentials_for_identity(
        IdentityId=answer["IdentityId"], Logins={"cognito-identity.amazonaws.com": answer["Token"]})["Credentials"]
    sts = boto3.session.Session().client(
        "sts", endpoint_url=service.url, region_name=service.region, aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretKey"], aws_session_token=creds["SessionToken"])
    role_name = dev_pool.roles["authenticated"].rsplit("/", 1)[1]
    assert sts.get_caller_identity()["Arn"].endswith(f":assumed-role/{role_name}/CognitoIdentityCredentials")


def test_authenticated_identity_needs_its_logins(ci, dev_pool):
    answer = dev_token(ci, dev_pool, "dave")
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_credentials_for_identity(IdentityId=answer["IdentityId"])
    assert aws_error(exc)[1] == f"Access to Identity '{answer['IdentityId']}' is forbidden."
    other = dev_token(ci, dev_pool, "erin")
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_credentials_for_identity(IdentityId=answer["IdentityId"],
                                        Logins={"cognito-identity.amazonaws.com": other["Token"]})
    assert aws_error(exc)[1].startswith("Logins don't match.")
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_credentials_for_identity(IdentityId=answer["IdentityId"],
                                        Logins={"cognito-identity.amazonaws.com": answer["Token"] + "x"})
    assert aws_error(exc)[1] == "Invalid login token. Couldn't verify signed token."


def test_token_of_another_pool_is_not_accepted(ci, dev_pool, make_pool):
    other_pool = make_pool(DeveloperProviderName=DEV)
    foreign = dev_token(ci, other_pool, "frank")
    mine = dev_token(ci, dev_pool, "frank")
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_credentials_for_identity(IdentityId=mine["IdentityId"],
                                        Logins={"cognito-identity.amazonaws.com": foreign["Token"]})
    assert aws_error(exc)[1] == "Token is not from a supported provider of this identity pool."


def test_expired_developer_token(fresh_service):
    from support import make_client, trust_policy

    ci, iam = make_client(fresh_service, "cognito-identity"), make_client(fresh_service, "iam")
    pool_id = ci.create_identity_pool(IdentityPoolName="p", AllowUnauthenticatedIdentities=False,
                                      DeveloperProviderName=DEV)["IdentityPoolId"]
    arn = iam.create_role(RoleName="auth", AssumeRolePolicyDocument=trust_policy(pool_id))["Role"]["Arn"]
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": arn})
    answer = ci.get_open_id_token_for_developer_identity(IdentityPoolId=pool_id, Logins={DEV: "u"}, TokenDuration=60)
    fresh_service.clock.advance(61)
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_credentials_for_identity(IdentityId=answer["IdentityId"],
                                        Logins={"cognito-identity.amazonaws.com": answer["Token"]})
    message = aws_error(exc)[1]
    assert message.startswith("Invalid login token. Token expired: ") and " >= " in message


def test_pool_without_that_developer_provider(ci, make_pool, dev_pool):
    plain = make_pool()
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_open_id_token_for_developer_identity(IdentityPoolId=plain.id, Logins={DEV: "u"})
    assert aws_error(exc)[1] == "This identity pool does not support the specified developer provider"
    with pytest.raises(ci.exceptions.NotAuthorizedException):
        ci.get_open_id_token_for_developer_identity(IdentityPoolId=dev_pool.id, Logins={"login.other": "u"})


def test_developer_provider_is_refused_in_the_public_flow(ci, dev_pool):
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        ci.get_id(IdentityPoolId=dev_pool.id, Logins={DEV: "alice"})
    assert "developer provider" in aws_error(exc)[1]


def test_guest_upgrade_keeps_the_identity_id(ci, dev_pool):
    guest = ci.get_id(IdentityPoolId=dev_pool.id)["IdentityId"]
    upgraded = dev_token(ci, dev_pool, "grace", IdentityId=guest)
    assert upgraded["IdentityId"] == guest
    assert ci.describe_identity(IdentityId=guest)["Logins"] == [DEV]
    with pytest.raises(ci.exceptions.NotAuthorizedException):  # no longer a guest
        ci.get_credentials_for_identity(IdentityId=guest)


def test_identifier_owned_by_another_identity(ci, dev_pool):
    owner = dev_token(ci, dev_pool, "heidi")["IdentityId"]
    guest = ci.get_id(IdentityPoolId=dev_pool.id)["IdentityId"]
    with pytest.raises(ci.exceptions.DeveloperUserAlreadyRegisteredException) as exc:
        dev_token(ci, dev_pool, "heidi", IdentityId=guest)
    assert aws_error(exc)[0] == DUAR and owner in aws_error(exc)[1]
    assert "Logins" not in ci.describe_identity(IdentityId=guest)


def test_linking_a_second_identifier_needs_a_login_of_the_identity(ci, dev_pool):
    first = dev_token(ci, dev_pool, "ivan")
    with pytest.raises(ci.exceptions.NotAuthorizedException) as exc:
        dev_token(ci, dev_pool, "ivan-work", IdentityId=first["IdentityId"])
    assert aws_error(exc)[1].startswith("Logins don't match.")
    linked = ci.get_open_id_token_for_developer_identity(
        IdentityPoolId=dev_pool.id, IdentityId=first["IdentityId"],
        Logins={DEV: "ivan-work", "cognito-identity.amazonaws.com": first["Token"]})
    assert linked["IdentityId"] == first["IdentityId"]
    users = ci.lookup_developer_identity(IdentityPoolId=dev_pool.id, IdentityId=first["IdentityId"], MaxResults=10)
    assert users["DeveloperUserIdentifierList"] == ["ivan", "ivan-work"]


def test_principal_tags_travel_in_the_token(ci, dev_pool):
    answer = dev_token(ci, dev_pool, "judy", PrincipalTags={"team": "qa", "level": "3"})
    claims = jwt.decode(answer["Token"], options={"verify_signature": False})
    assert claims["https://aws.amazon.com/tags"] == {"principal_tags": {"team": ["qa"], "level": ["3"]}}


def test_principal_tags_need_tag_session_in_the_trust_policy(ci, make_pool):
    plain = make_pool(DeveloperProviderName=DEV)
    answer = dev_token(ci, plain, "kim", PrincipalTags={"team": "qa"})
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException) as exc:
        ci.get_credentials_for_identity(IdentityId=answer["IdentityId"],
                                        Logins={"cognito-identity.amazonaws.com": answer["Token"]})
    assert "sts:TagSession" in exc.value.response["ResponseMetadata"]["HTTPHeaders"]["x-cognito-desk-notes"]
    tagging = make_pool(DeveloperProviderName=DEV, tag_session=True)
    answer = dev_token(ci, tagging, "kim", PrincipalTags={"team": "qa"})
    assert ci.get_credentials_for_identity(IdentityId=answer["IdentityId"], Logins={
        "cognito-identity.amazonaws.com": answer["Token"]})["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_lookup(ci, dev_pool):
    identity_id = dev_token(ci, dev_pool, "leo")["IdentityId"]
    by_user = ci.lookup_developer_identity(IdentityPoolId=dev_pool.id, DeveloperUserIdentifier="leo")
    assert by_user["IdentityId"] == identity_id and by_user["DeveloperUserIdentifierList"] == ["leo"]
    both = ci.lookup_developer_identity(IdentityPoolId=dev_pool.id, DeveloperUserIdentifier="leo",
                                        IdentityId=identity_id)
    assert both["IdentityId"] == identity_id
    other = dev_token(ci, dev_pool, "mia")["IdentityId"]
    with pytest.raises(ci.exceptions.ResourceConflictException):
        ci.lookup_developer_identity(IdentityPoolId=dev_pool.id, DeveloperUserIdentifier="leo", IdentityId=other)
    with pytest.raises(ci.exceptions.InvalidParameterException):
        ci.lookup_developer_identity(IdentityPoolId=dev_pool.id)
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.lookup_developer_identity(IdentityPoolId=dev_pool.id, DeveloperUserIdentifier="nobody")


def test_lookup_pages_identifiers(ci, dev_pool):
    first = dev_token(ci, dev_pool, "user-00")
    for n in range(1, 5):
        ci.get_open_id_token_for_developer_identity(
            IdentityPoolId=dev_pool.id, IdentityId=first["IdentityId"],
            Logins={DEV: f"user-{n:02}", "cognito-identity.amazonaws.com": first["Token"]})
    seen, token = [], None
    while True:
        kwargs = {"NextToken": token} if token else {}
        page = ci.lookup_developer_identity(IdentityPoolId=dev_pool.id, IdentityId=first["IdentityId"],
                                            MaxResults=2, **kwargs)
        seen += page["DeveloperUserIdentifierList"]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"user-{n:02}" for n in range(5)]


def test_merge_moves_identifiers_and_disables_the_source(ci, dev_pool):
    source = dev_token(ci, dev_pool, "nina")
    destination = dev_token(ci, dev_pool, "omar")
    merged = ci.merge_developer_identities(SourceUserIdentifier="nina", DestinationUserIdentifier="omar",
                                           DeveloperProviderName=DEV, IdentityPoolId=dev_pool.id)
    assert merged["IdentityId"] == destination["IdentityId"]
    assert dev_token(ci, dev_pool, "nina")["IdentityId"] == destination["IdentityId"]
    listed = ci.list_identities(IdentityPoolId=dev_pool.id, MaxResults=60)["Identities"]
    assert source["IdentityId"] in {i["IdentityId"] for i in listed}
    visible = ci.list_identities(IdentityPoolId=dev_pool.id, MaxResults=60, HideDisabled=True)["Identities"]
    assert source["IdentityId"] not in {i["IdentityId"] for i in visible}
    with pytest.raises(ci.exceptions.NotAuthorizedException):
        ci.get_credentials_for_identity(IdentityId=source["IdentityId"],
                                        Logins={"cognito-identity.amazonaws.com": source["Token"]})
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.merge_developer_identities(SourceUserIdentifier="nobody", DestinationUserIdentifier="omar",
                                      DeveloperProviderName=DEV, IdentityPoolId=dev_pool.id)
    with pytest.raises(ci.exceptions.NotAuthorizedException):
        ci.merge_developer_identities(SourceUserIdentifier="nina", DestinationUserIdentifier="omar",
                                      DeveloperProviderName="login.other", IdentityPoolId=dev_pool.id)


def test_merge_limit_of_twenty_logins(ci, dev_pool):
    big = dev_token(ci, dev_pool, "big-0")
    for n in range(1, 15):
        ci.get_open_id_token_for_developer_identity(
            IdentityPoolId=dev_pool.id, IdentityId=big["IdentityId"],
            Logins={DEV: f"big-{n}", "cognito-identity.amazonaws.com": big["Token"]})
    other = dev_token(ci, dev_pool, "small-0")
    for n in range(1, 7):
        ci.get_open_id_token_for_developer_identity(
            IdentityPoolId=dev_pool.id, IdentityId=other["IdentityId"],
            Logins={DEV: f"small-{n}", "cognito-identity.amazonaws.com": other["Token"]})
    with pytest.raises(ci.exceptions.ResourceConflictException) as exc:
        ci.merge_developer_identities(SourceUserIdentifier="small-0", DestinationUserIdentifier="big-0",
                                      DeveloperProviderName=DEV, IdentityPoolId=dev_pool.id)
    assert "20" in aws_error(exc)[1]
    assert ci.lookup_developer_identity(IdentityPoolId=dev_pool.id, DeveloperUserIdentifier="small-0")[
        "IdentityId"] == other["IdentityId"]


def test_unlink_developer_identity(ci, dev_pool):
    first = dev_token(ci, dev_pool, "paul")
    ci.unlink_developer_identity(IdentityId=first["IdentityId"], IdentityPoolId=dev_pool.id,
                                 DeveloperProviderName=DEV, DeveloperUserIdentifier="paul")
    assert "Logins" not in ci.describe_identity(IdentityId=first["IdentityId"])
    assert dev_token(ci, dev_pool, "paul")["IdentityId"] != first["IdentityId"]
    with pytest.raises(ci.exceptions.ResourceNotFoundException):
        ci.unlink_developer_identity(IdentityId=first["IdentityId"], IdentityPoolId=dev_pool.id,
                                     DeveloperProviderName=DEV, DeveloperUserIdentifier="paul")


def test_unlink_identity_needs_proof(ci, dev_pool):
    answer = dev_token(ci, dev_pool, "quinn")
    stranger = dev_token(ci, dev_pool, "rita")
    with pytest.raises(ci.exceptions.NotAuthorizedException):
        ci.unlink_identity(IdentityId=answer["IdentityId"],
                           Logins={"cognito-identity.amazonaws.com": stranger["Token"]},
                           LoginsToRemove=["accounts.google.com"])
    ci.unlink_identity(IdentityId=answer["IdentityId"], Logins={"cognito-identity.amazonaws.com": answer["Token"]},
                       LoginsToRemove=["accounts.google.com"])
    assert ci.describe_identity(IdentityId=answer["IdentityId"])["Logins"] == [DEV]
