"""Reading a SAML 2.0 identity provider's metadata document, as IAM does when a SAML provider is saved.

:func:`parse_metadata` takes the ``EntityDescriptor`` of an identity provider (or the first one with an
``IDPSSODescriptor`` inside an ``EntitiesDescriptor``) and returns what the service needs later to check
SAML responses: the entity id (the issuer), the signing certificates as PEM (``KeyDescriptor`` elements
with ``use="signing"`` or no ``use``) and the ``validUntil`` instant. The XML is parsed with entity
resolution, DTD loading and network access off, and any document carrying a DTD is refused, so entity
expansion ("billion laughs") and external entities (XXE) never happen. Every failure is IAM's
``InvalidInput`` "Could not parse metadata", with the reason appended.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree

from . import errors

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
_NAMESPACES = {"md": MD, "ds": DS}
_PARSER_OPTIONS = {"encoding": "utf-8", "resolve_entities": False, "no_network": True, "load_dtd": False,
                   "huge_tree": False, "remove_comments": True, "remove_pis": True}
_NO_DTD = "a document type declaration (DTD) is not allowed"


@dataclass
class SamlMetadata:
    """What a SAML identity provider's metadata says about it."""

    entity_id: str
    #: Signing certificates, PEM.
    certificates: list[str]
    #: ``validUntil`` as epoch seconds, or None when the document sets none.
    valid_until: float | None


def _invalid(reason: str) -> errors.AwsError:
    return errors.InvalidInput(f"Could not parse metadata: {reason}")


def _parse_xml(xml: str) -> etree._Element:
    # Refused before parsing: libxml2 expands internal entities in attribute values even with
    # resolve_entities off. A DTD can only be declared with this literal markup, and the parser reads the
    # text as the UTF-8 it is encoded to here, whatever encoding the XML declaration names.
    if "<!DOCTYPE" in xml:
        raise _invalid(_NO_DTD)
    try:
        return etree.fromstring(xml.encode("utf-8"), etree.XMLParser(**_PARSER_OPTIONS))
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise _invalid(f"malformed XML ({exc})") from None


def _entity_descriptor(root: etree._Element) -> etree._Element:
    if root.tag == f"{{{MD}}}EntityDescriptor":
        candidates = [root]
    elif root.tag == f"{{{MD}}}EntitiesDescriptor":
        candidates = root.findall(".//md:EntityDescriptor", _NAMESPACES)
    else:
        raise _invalid(f"the root element is {root.tag}, not a SAML 2.0 metadata EntityDescriptor")
    for candidate in candidates:
        if candidate.find("md:IDPSSODescriptor", _NAMESPACES) is not None:
            return candidate
    raise _invalid("no EntityDescriptor with an IDPSSODescriptor")


def _certificate(text: str | None) -> str:
    try:
        der = base64.b64decode("".join((text or "").split()), validate=True)
        certificate = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as exc:
        raise _invalid(f"an X509Certificate does not load ({exc})") from None
    return certificate.public_bytes(Encoding.PEM).decode("ascii")


def _signing_certificates(descriptor: etree._Element) -> list[str]:
    certificates = []
    for key in descriptor.iterfind("md:IDPSSODescriptor/md:KeyDescriptor", _NAMESPACES):
        if key.get("use", "signing") != "signing":
            continue
        for node in key.iterfind("ds:KeyInfo/ds:X509Data/ds:X509Certificate", _NAMESPACES):
            certificates.append(_certificate(node.text))
    if not certificates:
        raise _invalid("the IDPSSODescriptor has no signing certificate")
    return certificates


def _valid_until(descriptor: etree._Element) -> float | None:
    owners = [descriptor, *descriptor.iterancestors(f"{{{MD}}}EntitiesDescriptor")]
    text = next((owner.get("validUntil") for owner in owners if owner.get("validUntil")), None)
    if text is None:
        return None
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise _invalid(f"validUntil {text!r} is not an ISO 8601 date and time") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.timestamp()


def parse_metadata(xml: str) -> SamlMetadata:
    """The identity provider described by ``xml``; raises ``InvalidInput`` when it cannot be used."""
    descriptor = _entity_descriptor(_parse_xml(xml))
    entity_id = (descriptor.get("entityID") or "").strip()
    if not entity_id:
        raise _invalid("the EntityDescriptor has no entityID")
    return SamlMetadata(entity_id=entity_id, certificates=_signing_certificates(descriptor),
                        valid_until=_valid_until(descriptor))
