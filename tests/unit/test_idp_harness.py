"""Tests of the identity-provider harness (tests/idp_fixtures.py): the OIDC id_tokens and SAML responses the
real npm providers issue carry what the rest of the suite relies on, and verify against the providers' keys."""

from __future__ import annotations

import base64
import datetime

import httpx
import jwt
import pytest
from cryptography import x509
from lxml import etree
from signxml import InvalidSignature, XMLVerifier

SAML_NS = {"samlp": "urn:oasis:names:tc:SAML:2.0:protocol", "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
           "md": "urn:oasis:names:tc:SAML:2.0:metadata", "ds": "http://www.w3.org/2000/09/xmldsig#"}
# What AWS expects, spelled out here rather than imported from the harness.
SAML_AUDIENCE = "urn:amazon:webservices"
SAML_ACS_URL = "https://signin.aws.amazon.com/saml"
ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role"
SESSION_NAME_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
NAME_ID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
ROLE = "arn:aws:iam::123456789012:role/saml-qa,arn:aws:iam::123456789012:saml-provider/TestIdP"
OTHER_ROLE = ("arn:aws:iam::123456789012:role/saml-dev", "arn:aws:iam::123456789012:saml-provider/TestIdP")


def verified_claims(idp, token: str, audience: str, algorithm: str) -> dict:
    """The claims of ``token`` after checking its signature against the provider's JWKS, iss, aud and exp."""
    key = jwt.PyJWKClient(idp.jwks_uri, cache_keys=False).get_signing_key_from_jwt(token)
    return jwt.decode(token, key, algorithms=[algorithm], audience=audience, issuer=idp.issuer)


# --- OIDC -------------------------------------------------------------------------------------------------------


def test_id_token_verifies_against_the_provider_jwks_and_carries_the_configured_claims(oidc_idp):
    token = oidc_idp.id_token("alice")
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = verified_claims(oidc_idp, token, "qa-desk", "RS256")
    assert claims["iss"] == oidc_idp.issuer and claims["aud"] == "qa-desk" and claims["sub"] == "alice"
    assert claims["email"] == "alice@example.com" and claims["email_verified"] is True
    assert claims["groups"] == ["qa", "admins"]
    assert claims["department"] == "qa" and claims["custom:tier"] == "gold"
    assert claims["exp"] > claims["iat"]


def test_provider_addresses_follow_its_discovery_document(oidc_idp):
    discovery = httpx.get(f"{oidc_idp.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert discovery["issuer"] == oidc_idp.issuer
    assert discovery["jwks_uri"] == oidc_idp.jwks_uri
    assert oidc_idp.issuer == f"http://{oidc_idp.host}" and oidc_idp.host.startswith("127.0.0.1:")
    assert {"RS256", "PS256", "ES256"} <= set(discovery["id_token_signing_alg_values_supported"])


def test_claims_given_for_one_login_apply_to_that_login_only(oidc_idp):
    token = oidc_idp.id_token("bob", groups=["ops"], **{"custom:tier": "platinum", "email": None})
    claims = verified_claims(oidc_idp, token, "qa-desk", "RS256")
    assert claims["groups"] == ["ops"] and claims["custom:tier"] == "platinum"
    assert "email" not in claims and claims["department"] == "engineering"
    again = verified_claims(oidc_idp, oidc_idp.id_token("bob"), "qa-desk", "RS256")
    assert again["groups"] == ["dev"] and again["custom:tier"] == "silver" and again["email"] == "bob@example.com"


def test_a_user_without_configured_claims_gets_only_a_subject(oidc_idp):
    claims = verified_claims(oidc_idp, oidc_idp.id_token("carol"), "qa-desk", "RS256")
    assert claims["sub"] == "carol"
    assert not {"email", "groups", "department", "custom:tier"} & set(claims)


@pytest.mark.parametrize(("client_id", "algorithm"), [("qa-desk-es256", "ES256"), ("qa-desk-ps256", "PS256")])
def test_clients_can_get_es256_and_ps256_id_tokens(oidc_idp, client_id, algorithm):
    token = oidc_idp.id_token("alice", client_id)
    assert jwt.get_unverified_header(token)["alg"] == algorithm
    claims = verified_claims(oidc_idp, token, client_id, algorithm)
    assert claims["aud"] == client_id and claims["groups"] == ["qa", "admins"]


@pytest.mark.parametrize("client_id", ["other-app", "qa-server"])
def test_other_clients_get_tokens_for_their_own_audience(oidc_idp, client_id):
    claims = verified_claims(oidc_idp, oidc_idp.id_token("alice", client_id), client_id, "RS256")
    assert claims["aud"] == client_id
    with pytest.raises(jwt.InvalidAudienceError):
        verified_claims(oidc_idp, oidc_idp.id_token("alice", client_id), "qa-desk", "RS256")


def test_the_other_provider_has_its_own_issuer_and_keys(oidc_idp, other_oidc_idp):
    token = other_oidc_idp.id_token("alice")
    assert other_oidc_idp.issuer != oidc_idp.issuer
    assert verified_claims(other_oidc_idp, token, "qa-desk", "RS256")["iss"] == other_oidc_idp.issuer
    with pytest.raises(jwt.PyJWKClientError):
        jwt.PyJWKClient(oidc_idp.jwks_uri, cache_keys=False).get_signing_key_from_jwt(token)


def test_a_token_signed_by_the_other_provider_fails_against_the_first_ones_key(oidc_idp, other_oidc_idp):
    token = other_oidc_idp.id_token("alice")
    header = jwt.get_unverified_header(token)
    key = next(k for k in jwt.PyJWKClient(oidc_idp.jwks_uri).get_jwk_set().keys if k.algorithm_name == "RS256")
    assert key.key_id != header["kid"]
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key, algorithms=["RS256"], audience="qa-desk")


def test_unknown_clients_and_unreleased_claims_are_refused_before_any_login(oidc_idp):
    with pytest.raises(ValueError, match="unknown client 'nobody'"):
        oidc_idp.id_token("alice", "nobody")
    with pytest.raises(ValueError, match=r"claims \['shoe_size'\] are not released"):
        oidc_idp.id_token("alice", shoe_size=42)


def test_a_factory_provider_releases_the_claims_it_was_started_with(oidc_idp_factory):
    idp = oidc_idp_factory("shoes", accounts={"dan": {"shoe_size": 44}}, claims=["shoe_size"])
    assert oidc_idp_factory("shoes", accounts={"dan": {"shoe_size": 44}}, claims=["shoe_size"]) is idp
    assert verified_claims(idp, idp.id_token("dan"), "qa-desk", "RS256")["shoe_size"] == 44
    with pytest.raises(ValueError, match="already runs with other settings"):
        oidc_idp_factory("shoes", claims=["hat_size"])


# --- SAML -------------------------------------------------------------------------------------------------------


def parse(saml_response: str) -> etree._Element:
    return etree.fromstring(base64.b64decode(saml_response, validate=True))


def text(root: etree._Element, path: str) -> str:
    return root.findtext(path, namespaces=SAML_NS)


def attribute_values(root: etree._Element, name: str) -> list[str]:
    return root.xpath(f'//saml:Attribute[@Name="{name}"]/saml:AttributeValue/text()', namespaces=SAML_NS)


def certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def verify_signatures(root: etree._Element, cert_pem: str) -> list[str]:
    """Verify the Response's and the Assertion's enveloped signatures; the local names of what they sign."""
    cert = certificate(cert_pem)
    signed = [XMLVerifier().verify(root, x509_cert=cert).signed_xml]
    assertion = etree.fromstring(etree.tostring(root.find("saml:Assertion", SAML_NS)))
    signed.append(XMLVerifier().verify(assertion, x509_cert=cert).signed_xml)
    return [etree.QName(element).localname for element in signed]


def test_saml_response_is_addressed_to_aws_with_the_chosen_roles(saml_idp):
    root = parse(saml_idp.saml_response("alice", roles=[ROLE, OTHER_ROLE]))
    assert etree.QName(root).localname == "Response" and root.get("Destination") == SAML_ACS_URL
    assert text(root, "saml:Issuer") == saml_idp.entity_id == "urn:cognito-desk:test-idp"
    assertion = root.find("saml:Assertion", SAML_NS)
    assert text(assertion, "saml:Issuer") == saml_idp.entity_id
    assert text(assertion, "saml:Conditions/saml:AudienceRestriction/saml:Audience") == SAML_AUDIENCE
    confirmation = assertion.find("saml:Subject/saml:SubjectConfirmation/saml:SubjectConfirmationData", SAML_NS)
    assert confirmation.get("Recipient") == SAML_ACS_URL
    name_id = assertion.find("saml:Subject/saml:NameID", SAML_NS)
    assert name_id.text == "alice" and name_id.get("Format") == NAME_ID_PERSISTENT
    assert attribute_values(root, ROLE_ATTRIBUTE) == [ROLE, ",".join(OTHER_ROLE)]
    assert attribute_values(root, SESSION_NAME_ATTRIBUTE) == ["alice"]
    assert attribute_values(root, "email") == ["alice@example.com"]
    assert attribute_values(root, "department") == ["qa"]


def test_saml_response_is_valid_now(saml_idp):
    root = parse(saml_idp.saml_response("alice", roles=[ROLE]))
    conditions = root.find("saml:Assertion/saml:Conditions", SAML_NS)
    not_before = datetime.datetime.fromisoformat(conditions.get("NotBefore"))
    not_on_or_after = datetime.datetime.fromisoformat(conditions.get("NotOnOrAfter"))
    assert not_before <= datetime.datetime.now(datetime.UTC) < not_on_or_after


def test_response_and_assertion_signatures_verify_against_the_idp_certificate(saml_idp):
    root = parse(saml_idp.saml_response("alice", roles=[ROLE]))
    assert verify_signatures(root, saml_idp.cert_pem) == ["Response", "Assertion"]


def test_a_changed_assertion_no_longer_verifies(saml_idp):
    root = parse(saml_idp.saml_response("alice", roles=[ROLE]))
    root.find("saml:Assertion/saml:Subject/saml:NameID", SAML_NS).text = "mallory"
    with pytest.raises(InvalidSignature):
        verify_signatures(root, saml_idp.cert_pem)


def test_the_other_idp_claims_the_same_entity_but_signs_with_another_key(saml_idp, other_saml_idp):
    root = parse(other_saml_idp.saml_response("alice", roles=[ROLE]))
    assert text(root, "saml:Issuer") == saml_idp.entity_id
    assert other_saml_idp.cert_pem != saml_idp.cert_pem
    assert verify_signatures(root, other_saml_idp.cert_pem) == ["Response", "Assertion"]
    with pytest.raises(InvalidSignature):
        verify_signatures(root, saml_idp.cert_pem)


def test_each_response_carries_only_the_values_of_its_own_login(saml_idp):
    saml_idp.saml_response("alice", roles=[ROLE], attributes={"groups": ["a", "b"]})
    root = parse(saml_idp.saml_response("bob", session_name="bob-session", attributes={"department": None}))
    assert text(root, "saml:Assertion/saml:Subject/saml:NameID") == "bob"
    assert attribute_values(root, ROLE_ATTRIBUTE) == [] and attribute_values(root, "groups") == []
    assert attribute_values(root, "department") == []
    assert attribute_values(root, SESSION_NAME_ATTRIBUTE) == ["bob-session"]
    assert attribute_values(root, "email") == ["bob@example.com"]


def test_unconfigured_saml_attributes_are_refused(saml_idp):
    with pytest.raises(ValueError, match=r"attributes \['shoe_size'\] are not configured"):
        saml_idp.saml_response("alice", attributes={"shoe_size": "44"})


def test_metadata_names_the_entity_and_its_signing_certificate(saml_idp):
    metadata = etree.fromstring(saml_idp.metadata_xml().encode())
    assert metadata.get("entityID") == saml_idp.entity_id
    published = metadata.findtext(".//md:KeyDescriptor[@use='signing']//ds:X509Certificate", namespaces=SAML_NS)
    der = base64.b64decode("".join(published.split()))
    assert x509.load_der_x509_certificate(der) == certificate(saml_idp.cert_pem)
