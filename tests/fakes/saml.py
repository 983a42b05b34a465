"""A SAML 2.0 identity provider in-process: its metadata document and signed ``Response`` messages for AWS.

Not an HTTP server — SAML reaches Cognito inside the Logins map — but the same role as the other fakes:
:class:`SamlIdp` owns an RSA key and a self-signed certificate, writes the metadata IAM stores for a SAML
provider, and builds responses the way IdPs federating with AWS do (Audience ``urn:amazon:webservices``,
Recipient/Destination ``https://signin.aws.amazon.com/saml``, the Role attribute), signed with signxml
(exclusive c14n, RSA-SHA256) on the Assertion or on the whole Response.
"""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import XMLSigner

SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"
DS = "http://www.w3.org/2000/09/xmldsig#"
SIGN_IN = "https://signin.aws.amazon.com/saml"
ROLE = "https://aws.amazon.com/SAML/Attributes/Role"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


def _instant(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class SamlIdp:
    def __init__(self, entity_id: str = "https://idp.example.test/saml", *, now: float) -> None:
        self.entity_id = entity_id
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake saml idp")])
        start = datetime.fromtimestamp(now, UTC) - timedelta(days=1)
        self.certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                            .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                            .not_valid_before(start).not_valid_after(start + timedelta(days=3650))
                            .sign(self.key, hashes.SHA256()))

    @property
    def certificate_pem(self) -> str:
        return self.certificate.public_bytes(Encoding.PEM).decode()

    def metadata(self, *, valid_until: float | None = None) -> str:
        der = base64.b64encode(self.certificate.public_bytes(Encoding.DER)).decode()
        until = f' validUntil="{_instant(valid_until)}"' if valid_until is not None else ""
        return (f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{self.entity_id}"'
                f'{until}><md:IDPSSODescriptor protocolSupportEnumeration="{SAMLP}"><md:KeyDescriptor use="signing">'
                f'<ds:KeyInfo xmlns:ds="{DS}"><ds:X509Data><ds:X509Certificate>{der}</ds:X509Certificate>'
                '</ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService '
                'Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.test/sso"/>'
                '</md:IDPSSODescriptor></md:EntityDescriptor>')

    def response_xml(self, *, name_id: str, now: float, attributes: dict[str, list[str]] | None = None,
                     audience: str = "urn:amazon:webservices", recipient: str = SIGN_IN, lifetime: int = 300,
                     issuer: str | None = None) -> etree._Element:
        """An unsigned Response (for tests that alter it before :meth:`sign`)."""
        e = _Builder()
        response = e("samlp:Response", ID="_r" + uuid.uuid4().hex, Version="2.0", IssueInstant=_instant(now),
                     Destination=recipient)
        e(response, "saml:Issuer", text=issuer or self.entity_id)
        status = e(response, "samlp:Status")
        e(status, "samlp:StatusCode", Value="urn:oasis:names:tc:SAML:2.0:status:Success")
        assertion = e(response, "saml:Assertion", ID="_a" + uuid.uuid4().hex, Version="2.0",
                      IssueInstant=_instant(now))
        e(assertion, "saml:Issuer", text=issuer or self.entity_id)
        e(assertion, "ds:Signature", Id="placeholder")
        subject = e(assertion, "saml:Subject")
        e(subject, "saml:NameID", text=name_id, Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
        confirmation = e(subject, "saml:SubjectConfirmation", Method="urn:oasis:names:tc:SAML:2.0:cm:bearer")
        e(confirmation, "saml:SubjectConfirmationData", NotOnOrAfter=_instant(now + lifetime), Recipient=recipient)
        conditions = e(assertion, "saml:Conditions", NotBefore=_instant(now - 5),
                       NotOnOrAfter=_instant(now + lifetime))
        e(e(conditions, "saml:AudienceRestriction"), "saml:Audience", text=audience)
        statement = e(assertion, "saml:AttributeStatement")
        for name, values in (attributes or {}).items():
            attribute = e(statement, "saml:Attribute", Name=name)
            for value in values:
                e(attribute, "saml:AttributeValue", text=value)
        return response

    def sign(self, response: etree._Element, *, what: str = "assertion", key: rsa.RSAPrivateKey | None = None,
             certificate: x509.Certificate | None = None) -> etree._Element:
        """Sign the Assertion (in place) or the whole Response (a new element is returned)."""
        signer = XMLSigner(c14n_algorithm=EXC_C14N)
        key, certificate = key or self.key, certificate or self.certificate
        assertion = response.find(f"{{{SAML}}}Assertion")
        if what == "assertion":
            signed = signer.sign(assertion, key=key, cert=[certificate], reference_uri=assertion.get("ID"))
            response.replace(assertion, signed)
            return response
        placeholder = assertion.find(f"{{{DS}}}Signature")
        assertion.remove(placeholder)
        issuer = response.find(f"{{{SAML}}}Issuer")
        issuer.addnext(etree.Element(f"{{{DS}}}Signature", Id="placeholder"))
        return signer.sign(response, key=key, cert=[certificate], reference_uri=response.get("ID"))

    def response(self, **kwargs) -> str:
        """A signed (on the Assertion) Response, base64-encoded as it goes into Logins."""
        return encode(self.sign(self.response_xml(**kwargs)))


def encode(response: etree._Element) -> str:
    return base64.b64encode(etree.tostring(response)).decode()


class _Builder:
    _NS = {"samlp": SAMLP, "saml": SAML, "ds": DS}

    def __call__(self, *args, text: str | None = None, **attributes: str) -> etree._Element:
        parent, tag = (None, args[0]) if len(args) == 1 else args
        prefix, local = tag.split(":")
        qname = f"{{{self._NS[prefix]}}}{local}"
        nsmap = self._NS if parent is None else None
        element = etree.Element(qname, nsmap=nsmap) if parent is None else etree.SubElement(parent, qname)
        for name, value in attributes.items():
            element.set(name, value)
        element.text = text
        return element
