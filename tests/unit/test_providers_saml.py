"""ProviderVerifier with IAM SAML providers: responses built and signed here (tests/fakes/saml.py, signxml)."""

from __future__ import annotations

import base64

import pytest
from fakes.pools import NOW, add_pool, add_saml_provider, refused, validate
from fakes.pools import store_fixture as store_fixture  # the ``store`` fixture
from fakes.saml import ROLE, SAML, SamlIdp, encode
from lxml import etree

from cognito_desk.service.providers import TokenExpired

ACCOUNT = "111122223333"
NAME_ID_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier"
NAME_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"


@pytest.fixture(scope="module")
def idp():
    return SamlIdp(now=NOW)


@pytest.fixture
def arn(store, idp):
    return add_saml_provider(store, "MyIdP", idp.metadata())


@pytest.fixture
def pool(store, arn):
    return add_pool(store, saml_arns=[arn])


def attributes(arn: str) -> dict[str, list[str]]:
    return {ROLE: [f"arn:aws:iam::{ACCOUNT}:role/Reader,{arn}",
                   f"{arn},arn:aws:iam::{ACCOUNT}:role/Writer",
                   f"arn:aws:iam::{ACCOUNT}:role/Other,arn:aws:iam::{ACCOUNT}:saml-provider/Elsewhere"],
            NAME_CLAIM: ["Alice Example"], "department": ["eng", "ops"]}


@pytest.mark.parametrize("what", ["assertion", "response"])
def test_signed_response_is_accepted(store, pool, arn, idp, what):
    response = idp.sign(idp.response_xml(name_id="alice@example.com", now=NOW, attributes=attributes(arn)),
                        what=what)
    login = validate(store, pool, arn, encode(response))
    assert login.provider_name == arn
    assert login.subject == "alice@example.com"
    assert login.amr == (arn, f"{arn}:SAML:alice@example.com")
    assert login.mapping_keys == (arn,)
    assert login.saml_roles == (f"arn:aws:iam::{ACCOUNT}:role/Reader", f"arn:aws:iam::{ACCOUNT}:role/Writer")
    assert login.claims["department"] == ["eng", "ops"]
    assert login.claims["NameID"] == "alice@example.com"
    assert login.default_tags == {"username": "alice@example.com", "name": "Alice Example"}


def test_nameidentifier_attribute_feeds_the_username_tag(store, pool, arn, idp):
    token = idp.response(name_id="opaque-1", now=NOW, attributes={NAME_ID_CLAIM: ["alice"]})
    assert validate(store, pool, arn, token).default_tags == {"username": "alice"}


def test_modified_assertion_is_refused(store, pool, arn, idp):
    response = idp.sign(idp.response_xml(name_id="alice", now=NOW, attributes=attributes(arn)))
    name_id = response.find(f".//{{{SAML}}}NameID")
    name_id.text = "mallory"
    assert refused(store, pool, arn, encode(response)) == \
        "Invalid login token. Couldn't verify the SAML response's signature with the SAML provider's certificates."


def test_signature_wrapping_uses_only_the_signed_assertion(store, pool, arn, idp):
    response = idp.sign(idp.response_xml(name_id="alice", now=NOW))
    signed = response.find(f"{{{SAML}}}Assertion")
    evil = etree.fromstring(etree.tostring(signed))
    evil.find(f".//{{{SAML}}}NameID").text = "mallory"
    evil.set("ID", "_evil")
    for signature in evil.findall("{http://www.w3.org/2000/09/xmldsig#}Signature"):
        evil.remove(signature)
    # The forged assertion takes the signed one's place; the signed one hides in the Status element.
    response.replace(signed, evil)
    response.find("{urn:oasis:names:tc:SAML:2.0:protocol}Status").append(signed)
    login = validate(store, pool, arn, encode(response))
    # Only the element the signature covers is read: the forged twin in the assertion's place is ignored.
    assert login.subject == "alice"
    assert login.claims["NameID"] == "alice"


def test_signed_by_another_key_is_refused(store, pool, arn, idp):
    other = SamlIdp(idp.entity_id, now=NOW)
    assert refused(store, pool, arn, other.response(name_id="alice", now=NOW)) == \
        "Invalid login token. Couldn't verify the SAML response's signature with the SAML provider's certificates."


def test_expired_assertion_is_refused(store, pool, arn, idp):
    token = idp.response(name_id="alice", now=NOW - 1000, lifetime=300)
    with pytest.raises(TokenExpired) as excinfo:
        validate(store, pool, arn, token)
    assert excinfo.value.message == f"Invalid login token. Token expired: {NOW} >= {NOW - 700}"
    # inside the 5 minutes of skew it still passes
    assert validate(store, pool, arn, idp.response(name_id="alice", now=NOW - 500, lifetime=300)).subject == "alice"


def test_wrong_audience_recipient_and_issuer(store, pool, arn, idp):
    assert refused(store, pool, arn, idp.response(name_id="a", now=NOW, audience="urn:example:sp")) == \
        "Invalid login token. The SAML assertion's audience is not urn:amazon:webservices."
    assert refused(store, pool, arn, idp.response(name_id="a", now=NOW, recipient="https://evil.example/saml")) \
        == "Invalid login token. The SAML response's Destination is not https://signin.aws.amazon.com/saml."
    assert refused(store, pool, arn, idp.response(name_id="a", now=NOW, issuer="https://other.example")) == \
        "Invalid login token. The SAML assertion's Issuer doesn't match the SAML provider's metadata."
    regional = idp.response(name_id="a", now=NOW, recipient="https://us-east-1.signin.aws.amazon.com/saml")
    assert validate(store, pool, arn, regional).subject == "a"


def test_malformed_tokens(store, pool, arn):
    assert refused(store, pool, arn, "%%% not base64 %%%") == \
        "Invalid login token. The SAML response is not valid base64."
    assert refused(store, pool, arn, base64.b64encode(b"<unclosed").decode()) == \
        "Invalid login token. The SAML response is not well-formed XML."
    doctype = b'<!DOCTYPE x [<!ENTITY e "boom">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>'
    assert refused(store, pool, arn, base64.b64encode(doctype).decode()) == \
        "Invalid login token. The SAML response carries a document type declaration (DTD), which is not allowed."


def test_expired_metadata_and_detached_provider(store, idp):
    stale = add_saml_provider(store, "Stale", idp.metadata(valid_until=NOW - 10))
    pool = add_pool(store, saml_arns=[stale])
    assert refused(store, pool, stale, idp.response(name_id="a", now=NOW)) == \
        f"Invalid login token. The SAML provider's metadata expired at {NOW - 10} (now {NOW})."
    attached_elsewhere = add_saml_provider(store, "Fresh", idp.metadata())
    assert refused(store, pool, attached_elsewhere, idp.response(name_id="a", now=NOW)) == \
        "Token is not from a supported provider of this identity pool."
    deleted = f"arn:aws:iam::{ACCOUNT}:saml-provider/Deleted"
    assert refused(store, add_pool(store, saml_arns=[deleted]), deleted, idp.response(name_id="a", now=NOW)) == \
        "Token is not from a supported provider of this identity pool."
