"""IAM OpenID Connect and SAML identity providers of the running service, driven by boto3 and the AWS CLI."""

from __future__ import annotations

import base64
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from cognito_desk.core.saml_metadata import parse_metadata
from cognito_desk.service.iam_providers import find_saml_provider

THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
MD = "urn:oasis:names:tc:SAML:2.0:metadata"


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def error_of(call, *args, **kwargs) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return response["Error"]["Code"], response["Error"]["Message"], response["ResponseMetadata"]["HTTPStatusCode"]


def host() -> str:
    return f"idp-{uuid.uuid4().hex[:10]}.example.com"


def certificate_der(common_name: str) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + timedelta(days=30)).sign(key, hashes.SHA256())).public_bytes(Encoding.DER)


def metadata(common_name: str = "idp", valid_until: str | None = None) -> str:
    """IdP metadata with one signing certificate, padded past IAM's 1000-character minimum."""
    cert = base64.b64encode(certificate_der(common_name)).decode()
    until = f' validUntil="{valid_until}"' if valid_until else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<md:EntityDescriptor xmlns:md="{MD}"'
            f' xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/{common_name}"{until}>'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}'
            '</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"'
            f' Location="https://idp.example.com/sso/{"x" * 400}"/></md:IDPSSODescriptor></md:EntityDescriptor>')


# --- OpenID Connect ---------------------------------------------------------------------------------


def test_create_get_list_delete_oidc_provider(iam, service):
    name = host()
    before = time.time()
    created = iam.create_open_id_connect_provider(
        Url=f"https://{name}", ClientIDList=["app-1", "app-2", "app-1"], ThumbprintList=[THUMBPRINT],
        Tags=[{"Key": "team", "Value": "qa"}])
    arn = f"arn:aws:iam::{service.account_id}:oidc-provider/{name}"
    assert created["OpenIDConnectProviderArn"] == arn
    assert created["Tags"] == [{"Key": "team", "Value": "qa"}]
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert provider["Url"] == name
    assert provider["ClientIDList"] == ["app-1", "app-2"]
    assert provider["ThumbprintList"] == [THUMBPRINT]
    assert provider["Tags"] == [{"Key": "team", "Value": "qa"}]
    assert before - 1 <= provider["CreateDate"].timestamp() <= time.time()
    assert {"Arn": arn} in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]

    iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert {"Arn": arn} not in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert error_of(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=arn) == (
        "NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)
    assert error_of(iam.delete_open_id_connect_provider, OpenIDConnectProviderArn=arn) == (
        "NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)


def test_thumbprints_and_client_ids_are_optional(iam, service):
    name = host()
    arn = iam.create_open_id_connect_provider(Url=f"https://{name}")["OpenIDConnectProviderArn"]
    provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)
    assert (provider["Url"], provider["ClientIDList"], provider["ThumbprintList"]) == (name, [], [])
    assert "Tags" not in provider


@pytest.mark.parametrize(("url", "suffix", "listed_url"), [
    ("https://{host}/tenant/a", "{host}/tenant/a", "{host}/tenant/a"),
    ("https://{host}/tenant/", "{host}/tenant", "{host}/tenant/"),
    ("https://{host}:8443", "{host}:8443", "{host}:8443"),
    ("http://127.0.0.1:{port}", "127.0.0.1:{port}", "127.0.0.1:{port}"),
    ("http://localhost:{port}/realms/qa", "localhost:{port}/realms/qa", "localhost:{port}/realms/qa"),
    ("http://[::1]:{port}", "[::1]:{port}", "[::1]:{port}"),
    ("http://127.9.8.7", "127.9.8.7", "127.9.8.7"),
])
def test_arn_forms(iam, service, url, suffix, listed_url):
    values = {"host": host(), "port": str(1024 + uuid.uuid4().int % 60000)}
    arn = iam.create_open_id_connect_provider(Url=url.format(**values))["OpenIDConnectProviderArn"]
    try:
        assert arn == f"arn:aws:iam::{service.account_id}:oidc-provider/{suffix.format(**values)}"
        assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["Url"] == listed_url.format(**values)
    finally:
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=arn)


def test_duplicate_url(iam):
    url = f"https://{host()}/path"
    iam.create_open_id_connect_provider(Url=url)
    assert error_of(iam.create_open_id_connect_provider, Url=url) == (
        "EntityAlreadyExists", f"Provider with url {url} already exists.", 409)
    assert error_of(iam.create_open_id_connect_provider, Url=url + "/") == (
        "EntityAlreadyExists", f"Provider with url {url}/ already exists.", 409)


HTTPS_ONLY = ("Invalid Open ID Connect Provider URL: the URL must begin with https:// "
              "(http:// is accepted only for a loopback host).")


@pytest.mark.parametrize(("url", "message"), [
    ("http://idp.example.com", HTTPS_ONLY),
    ("http://10.0.0.1:8080", HTTPS_ONLY),
    ("http://localhost.example.com", HTTPS_ONLY),
    ("ftp://idp.example.com", HTTPS_ONLY),
    ("idp.example.com", "Invalid Open ID Connect Provider URL: idp.example.com"),
    ("https://", "Invalid Open ID Connect Provider URL: https://"),
    ("https://user:pw@idp.example.com", "Invalid Open ID Connect Provider URL: https://user:pw@idp.example.com"),
    ("https://idp.example.com:99999", "Invalid Open ID Connect Provider URL: https://idp.example.com:99999"),
    ("https://idp.example.com/?tenant=a",
     "Invalid Open ID Connect Provider URL: the URL must not have a query or fragment."),
    ("https://idp.example.com/#x", "Invalid Open ID Connect Provider URL: the URL must not have a query or fragment."),
])
def test_invalid_urls(iam, url, message):
    assert error_of(iam.create_open_id_connect_provider, Url=url) == ("InvalidInput", message, 400)


def test_invalid_thumbprints(iam):
    url = f"https://{host()}"
    assert error_of(iam.create_open_id_connect_provider, Url=url, ThumbprintList=["z" * 40]) == (
        "InvalidInput", f"Thumbprint {'z' * 40} is not a 40-character hexadecimal SHA-1 digest.", 400)
    assert error_of(iam.create_open_id_connect_provider, Url=url, ThumbprintList=[THUMBPRINT] * 6) == (
        "InvalidInput", "Thumbprint list must contain at most 5 entries.", 400)
    code, message, status = error_of(iam.create_open_id_connect_provider, Url=url, ThumbprintList=["a" * 41])
    assert (code, status) == ("ValidationError", 400)
    assert "Member must have length less than or equal to 40" in message
    assert iam.create_open_id_connect_provider(Url=url, ThumbprintList=[THUMBPRINT.upper()] * 5)


def test_client_ids_persist_through_add_and_remove(iam, aws_client):
    arn = iam.create_open_id_connect_provider(Url=f"https://{host()}", ClientIDList=["a"])["OpenIDConnectProviderArn"]
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="c")
    fresh = aws_client("iam")
    assert fresh.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["a", "b", "c"]
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="a")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="never-added")
    assert fresh.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == ["b", "c"]
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="b")
    iam.remove_client_id_from_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="c")
    assert fresh.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ClientIDList"] == []


def test_client_id_quota(iam):
    arn = iam.create_open_id_connect_provider(
        Url=f"https://{host()}", ClientIDList=[f"app-{i}" for i in range(100)])["OpenIDConnectProviderArn"]
    assert error_of(iam.add_client_id_to_open_id_connect_provider, OpenIDConnectProviderArn=arn,
                    ClientID="one-more") == (
        "LimitExceeded", "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100", 409)
    iam.add_client_id_to_open_id_connect_provider(OpenIDConnectProviderArn=arn, ClientID="app-7")


def test_update_thumbprints(iam):
    arn = iam.create_open_id_connect_provider(Url=f"https://{host()}", ThumbprintList=[THUMBPRINT])[
        "OpenIDConnectProviderArn"]
    replacement = ["0" * 40, "f" * 40]
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=replacement)
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == replacement
    assert error_of(iam.update_open_id_connect_provider_thumbprint, OpenIDConnectProviderArn=arn,
                    ThumbprintList=["g" * 40])[:2] == (
        "InvalidInput", f"Thumbprint {'g' * 40} is not a 40-character hexadecimal SHA-1 digest.")
    iam.update_open_id_connect_provider_thumbprint(OpenIDConnectProviderArn=arn, ThumbprintList=[])
    assert iam.get_open_id_connect_provider(OpenIDConnectProviderArn=arn)["ThumbprintList"] == []


def test_unknown_oidc_provider_in_every_operation(iam, service):
    arn = f"arn:aws:iam::{service.account_id}:oidc-provider/{host()}"
    expected = ("NoSuchEntity", f"OpenIDConnect Provider not found for arn {arn}", 404)
    calls = [
        (iam.add_client_id_to_open_id_connect_provider, {"ClientID": "a"}),
        (iam.remove_client_id_from_open_id_connect_provider, {"ClientID": "a"}),
        (iam.update_open_id_connect_provider_thumbprint, {"ThumbprintList": [THUMBPRINT]}),
    ]
    for call, extra in calls:
        assert error_of(call, OpenIDConnectProviderArn=arn, **extra) == expected


def test_duplicate_tag_keys(iam):
    assert error_of(iam.create_open_id_connect_provider, Url=f"https://{host()}",
                    Tags=[{"Key": "Team", "Value": "a"}, {"Key": "team", "Value": "b"}]) == (
        "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400)


def test_aws_cli_oidc_provider(aws_cli, service):
    name = host()
    created = aws_cli("iam", "create-open-id-connect-provider", "--url", f"https://{name}/t",
                      "--client-id-list", "cli-app", "--thumbprint-list", THUMBPRINT).json
    arn = created["OpenIDConnectProviderArn"]
    assert arn == f"arn:aws:iam::{service.account_id}:oidc-provider/{name}/t"
    aws_cli("iam", "add-client-id-to-open-id-connect-provider", "--open-id-connect-provider-arn", arn,
            "--client-id", "second")
    got = aws_cli("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn).json
    assert (got["Url"], got["ClientIDList"], got["ThumbprintList"]) == (f"{name}/t", ["cli-app", "second"],
                                                                        [THUMBPRINT])
    listed = aws_cli("iam", "list-open-id-connect-providers").json["OpenIDConnectProviderList"]
    assert {"Arn": arn} in listed
    aws_cli("iam", "delete-open-id-connect-provider", "--open-id-connect-provider-arn", arn)
    missing = aws_cli("iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", arn, check=False)
    assert missing.returncode != 0
    assert f"(NoSuchEntity) when calling the GetOpenIDConnectProvider operation: OpenIDConnect Provider not " \
           f"found for arn {arn}" in missing.stderr


def test_vended_credentials_may_not_manage_providers(aws_client, make_pool, service):
    pool = make_pool(roles=("unauthenticated",))
    identity = aws_client("cognito-identity")
    identity_id = identity.get_id(IdentityPoolId=pool.id)["IdentityId"]
    credentials = identity.get_credentials_for_identity(IdentityId=identity_id)["Credentials"]
    session = aws_client("iam", aws_access_key_id=credentials["AccessKeyId"],
                         aws_secret_access_key=credentials["SecretKey"], aws_session_token=credentials["SessionToken"])
    caller = aws_client("sts", aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretKey"],
                        aws_session_token=credentials["SessionToken"]).get_caller_identity()["Arn"]
    account = f"arn:aws:iam::{service.account_id}"
    arn = f"{account}:oidc-provider/{host()}"
    refused = f"User: {caller} is not authorized to perform: iam:"
    assert error_of(session.get_open_id_connect_provider, OpenIDConnectProviderArn=arn) == (
        "AccessDenied", f"{refused}GetOpenIDConnectProvider on resource: {arn}", 403)
    assert error_of(session.list_open_id_connect_providers) == (
        "AccessDenied", f"{refused}ListOpenIDConnectProviders on resource: {account}:oidc-provider/*", 403)
    assert error_of(session.create_saml_provider, Name="Corp", SAMLMetadataDocument=metadata()) == (
        "AccessDenied", f"{refused}CreateSAMLProvider on resource: {account}:saml-provider/Corp", 403)


# --- SAML ------------------------------------------------------------------------------------------------


def saml_name() -> str:
    return f"Corp-{uuid.uuid4().hex[:10]}"


def test_create_get_list_update_delete_saml_provider(iam, service):
    name, document = saml_name(), metadata("first", valid_until="2040-02-03T04:05:06Z")
    before = time.time()
    created = iam.create_saml_provider(Name=name, SAMLMetadataDocument=document,
                                       Tags=[{"Key": "env", "Value": "test"}])
    arn = f"arn:aws:iam::{service.account_id}:saml-provider/{name}"
    assert created == {"SAMLProviderArn": arn, "Tags": [{"Key": "env", "Value": "test"}],
                       "ResponseMetadata": created["ResponseMetadata"]}
    provider = iam.get_saml_provider(SAMLProviderArn=arn)
    assert provider["SAMLMetadataDocument"] == document
    assert provider["ValidUntil"] == datetime(2040, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert before - 1 <= provider["CreateDate"].timestamp() <= time.time()
    assert provider["Tags"] == [{"Key": "env", "Value": "test"}]
    listed = [entry for entry in iam.list_saml_providers()["SAMLProviderList"] if entry["Arn"] == arn]
    assert listed == [{"Arn": arn, "ValidUntil": provider["ValidUntil"], "CreateDate": provider["CreateDate"]}]

    replacement = metadata("second")
    assert iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=replacement)["SAMLProviderArn"] == arn
    updated = iam.get_saml_provider(SAMLProviderArn=arn)
    assert updated["SAMLMetadataDocument"] == replacement
    assert updated["CreateDate"] == provider["CreateDate"]
    assert updated["ValidUntil"].year == provider["CreateDate"].year + 100

    iam.delete_saml_provider(SAMLProviderArn=arn)
    assert arn not in [entry["Arn"] for entry in iam.list_saml_providers()["SAMLProviderList"]]
    for call in (iam.get_saml_provider, iam.delete_saml_provider):
        assert error_of(call, SAMLProviderArn=arn) == ("NoSuchEntity", f"Manifest not found for arn {arn}", 404)
    assert error_of(iam.update_saml_provider, SAMLProviderArn=arn, SAMLMetadataDocument=replacement) == (
        "NoSuchEntity", f"Manifest not found for arn {arn}", 404)


def test_metadata_update_changes_certificates(iam, service):
    arn = iam.create_saml_provider(Name=saml_name(), SAMLMetadataDocument=metadata("old"))["SAMLProviderArn"]
    stored = find_saml_provider(service.thread.store, arn)
    old_certificates = parse_metadata(stored["metadata"]).certificates
    iam.update_saml_provider(SAMLProviderArn=arn, SAMLMetadataDocument=metadata("new"))
    new_certificates = parse_metadata(find_saml_provider(service.thread.store, arn)["metadata"]).certificates
    assert len(old_certificates) == len(new_certificates) == 1
    assert old_certificates != new_certificates
    subject = x509.load_pem_x509_certificate(new_certificates[0].encode()).subject.rfc4514_string()
    assert subject == "CN=new"


def test_duplicate_saml_name(iam):
    name = saml_name()
    iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata())
    assert error_of(iam.create_saml_provider, Name=name, SAMLMetadataDocument=metadata()) == (
        "EntityAlreadyExists", f"SAMLProvider {name} already exists.", 409)


@pytest.mark.parametrize(("document", "reason"), [
    ("<not-xml" + " " * 1000, "malformed XML"),
    (metadata().replace('use="signing"', 'use="encryption"'), "the IDPSSODescriptor has no signing certificate"),
    (metadata().replace("<ds:X509Certificate>", "<ds:X509Certificate>AAAA"), "an X509Certificate does not load"),
    ('<!DOCTYPE x [<!ENTITY e "e">]>' + metadata(), "a document type declaration (DTD) is not allowed"),
])
def test_invalid_metadata(iam, document, reason):
    name = saml_name()
    code, message, status = error_of(iam.create_saml_provider, Name=name, SAMLMetadataDocument=document)
    assert (code, status) == ("InvalidInput", 400)
    assert message.startswith(f"Could not parse metadata: {reason}")
    arn = iam.create_saml_provider(Name=name, SAMLMetadataDocument=metadata())["SAMLProviderArn"]
    code, message, _ = error_of(iam.update_saml_provider, SAMLProviderArn=arn, SAMLMetadataDocument=document)
    assert code == "InvalidInput" and message.startswith(f"Could not parse metadata: {reason}")


def test_invalid_saml_name(iam):
    code, message, status = error_of(iam.create_saml_provider, Name="bad name!", SAMLMetadataDocument=metadata())
    assert (code, status) == ("ValidationError", 400)
    assert "Member must satisfy regular expression pattern: [\\w._-]+" in message


def test_aws_cli_saml_provider(aws_cli, service, tmp_path):
    name = saml_name()
    (tmp_path / "first.xml").write_text(metadata("cli"))
    (tmp_path / "second.xml").write_text(metadata("cli2"))
    arn = aws_cli("iam", "create-saml-provider", "--name", name, "--saml-metadata-document",
                  f"file://{tmp_path / 'first.xml'}").json["SAMLProviderArn"]
    assert arn == f"arn:aws:iam::{service.account_id}:saml-provider/{name}"
    aws_cli("iam", "update-saml-provider", "--saml-provider-arn", arn, "--saml-metadata-document",
            f"file://{tmp_path / 'second.xml'}")
    got = aws_cli("iam", "get-saml-provider", "--saml-provider-arn", arn).json
    assert got["SAMLMetadataDocument"] == (tmp_path / "second.xml").read_text()
    assert arn in [entry["Arn"] for entry in aws_cli("iam", "list-saml-providers").json["SAMLProviderList"]]
    aws_cli("iam", "delete-saml-provider", "--saml-provider-arn", arn)
    assert arn not in [entry["Arn"] for entry in aws_cli("iam", "list-saml-providers").json["SAMLProviderList"]]
