"""SAML identity provider metadata parsing: certificates, entity id, validity, and refusal of bad or hostile XML."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from cognito_desk.core import errors
from cognito_desk.core.saml_metadata import parse_metadata

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"


def certificate(common_name: str) -> x509.Certificate:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))


def key_descriptor(cert: x509.Certificate | str, use: str | None = "signing") -> str:
    body = cert if isinstance(cert, str) else base64.encodebytes(cert.public_bytes(Encoding.DER)).decode()
    use_attribute = f' use="{use}"' if use else ""
    return (f"<md:KeyDescriptor{use_attribute}><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{body}"
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>")


def entity(keys: str, *, entity_id: str = "https://idp.example.com/saml", attributes: str = "") -> str:
    return (f'<md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" entityID="{entity_id}"{attributes}>'
            f'<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"'
            ' Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>')


def refusal(xml: str) -> str:
    with pytest.raises(errors.InvalidInput) as caught:
        parse_metadata(xml)
    assert caught.value.code == "InvalidInput"
    assert caught.value.message.startswith("Could not parse metadata: ")
    return caught.value.message.removeprefix("Could not parse metadata: ")


def test_signing_certificates_and_entity_id():
    signing, unmarked, encryption = certificate("signing"), certificate("unmarked"), certificate("encryption")
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + entity(
        key_descriptor(signing) + key_descriptor(unmarked, use=None) + key_descriptor(encryption, "encryption"))
    metadata = parse_metadata(xml)
    assert metadata.entity_id == "https://idp.example.com/saml"
    assert metadata.certificates == [cert.public_bytes(Encoding.PEM).decode() for cert in (signing, unmarked)]
    assert metadata.valid_until is None


def test_valid_until_of_the_entity_or_its_group():
    keys = key_descriptor(certificate("c"))
    assert parse_metadata(entity(keys, attributes=' validUntil="2031-05-06T07:08:09Z"')).valid_until == (
        datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC).timestamp())
    group = (f'<md:EntitiesDescriptor xmlns:md="{MD}" validUntil="2030-01-02T03:04:05.123+01:00">'
             f'<md:EntityDescriptor entityID="https://sp.example.com"><md:SPSSODescriptor/></md:EntityDescriptor>'
             f'{entity(keys, entity_id="https://second.example.com")}</md:EntitiesDescriptor>')
    metadata = parse_metadata(group)
    assert metadata.entity_id == "https://second.example.com"
    assert metadata.valid_until == datetime(2030, 1, 2, 2, 4, 5, 123000, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(("xml", "reason"), [
    ("<md:EntityDescriptor", "malformed XML"),
    ("", "malformed XML"),
    ('<EntityDescriptor xmlns="urn:other" entityID="x"/>', "the root element is {urn:other}EntityDescriptor"),
    (f'<md:EntityDescriptor xmlns:md="{MD}" entityID="x"><md:SPSSODescriptor/></md:EntityDescriptor>',
     "no EntityDescriptor with an IDPSSODescriptor"),
    (entity("", entity_id=""), "the EntityDescriptor has no entityID"),
    (entity(""), "the IDPSSODescriptor has no signing certificate"),
    (entity(key_descriptor(certificate("e"), "encryption")), "the IDPSSODescriptor has no signing certificate"),
    (entity(key_descriptor("bm90IGEgY2VydGlmaWNhdGU=")), "an X509Certificate does not load"),
    (entity(key_descriptor("%%%not base64%%%")), "an X509Certificate does not load"),
    (entity(key_descriptor(certificate("c")), attributes=' validUntil="next tuesday"'),
     "validUntil 'next tuesday' is not an ISO 8601 date and time"),
])
def test_malformed_metadata(xml, reason):
    assert refusal(xml).startswith(reason)


def test_entity_expansion_is_refused_without_expanding():
    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 12))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE md:EntityDescriptor [<!ENTITY lol0 "lol">{laughs}]>'
            + entity(key_descriptor(certificate("c")), entity_id="&lol11;"))
    started = time.perf_counter()
    assert refusal(bomb) == "a document type declaration (DTD) is not allowed"
    assert time.perf_counter() - started < 0.5


def test_external_entities_are_refused():
    xxe = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           + entity(key_descriptor(certificate("c")), entity_id="&xxe;"))
    assert refusal(xxe) == "a document type declaration (DTD) is not allowed"
    declared_elsewhere = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d SYSTEM "http://127.0.0.1:9/x.dtd">'
                          + entity(key_descriptor(certificate("c"))))
    assert refusal(declared_elsewhere) == "a document type declaration (DTD) is not allowed"


def test_declared_encoding_does_not_change_how_the_text_is_read():
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?>' + entity(key_descriptor(certificate("c")),
                                                                   entity_id="https://idp.example.com/é")
    assert parse_metadata(xml).entity_id == "https://idp.example.com/é"
