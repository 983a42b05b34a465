"""Reading what a user pastes into the live preview: a JWT, a claims JSON object or a SAML response/assertion.

Owns :func:`read_presented`, which turns the pasted text into :class:`PresentedToken` — the claims role mapping
will look at (for SAML: each attribute as a list of values plus ``NameID``, as the service sees an assertion)
and the warnings the preview must show: nothing here checks a signature (said every time), and an expired JWT
or assertion is previewed anyway with a warning that the service would refuse it. XML is read with entities,
DTDs and network access off, as the service reads it. Bad input raises :class:`UnreadableToken` with a reason.
:func:`default_tag_source` reads SAML's default principal tags as the service does.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from .providers import NAME, NAME_IDENTIFIER, SAML
from .tokens import describe_expiry, format_utc, inspect_token

_NS = {"saml": SAML}
_XML_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}
NO_SIGNATURE_CHECK = ("The signature is NOT checked here: the preview shows what the claims would get, "
                      "not whether the service would accept the token.")


class UnreadableToken(ValueError):
    """The pasted text is neither a JWT, a JSON object of claims, nor a SAML response or assertion."""


@dataclass(frozen=True)
class PresentedToken:
    kind: str  # "jwt" | "claims" | "saml"
    claims: dict
    warnings: tuple[str, ...] = ()
    #: The SAML NameID (SAML only).
    name_id: str | None = None

    @property
    def saml_attributes(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.claims.items() if k != "NameID"} if self.kind == "saml" else {}


def _expiry_warning(what: str, exp: float, now: float) -> list[str]:
    if exp > now:
        return []
    return [f"The {what} expired at {format_utc(exp)} ({describe_expiry(exp, now)}): previewed anyway, but the "
            "service would refuse it (NotAuthorizedException)."]


def _read_jwt(text: str, now: float) -> PresentedToken | None:
    inspection = inspect_token(text)
    if not inspection.is_jwt:
        return None
    warnings = [NO_SIGNATURE_CHECK]
    exp = inspection.claims.get("exp")
    if isinstance(exp, int | float) and not isinstance(exp, bool):
        warnings += _expiry_warning("token", exp, now)
    return PresentedToken("jwt", dict(inspection.claims), tuple(warnings))


def _read_claims(text: str) -> PresentedToken | None:
    try:
        claims = json.loads(text)
    except ValueError:
        return None
    if not isinstance(claims, dict):
        raise UnreadableToken(f"The JSON is a {type(claims).__name__}; claims are a JSON object.")
    return PresentedToken("claims", claims, ("Claims typed by hand: nothing was signed or checked.",))


def _saml_document(text: str) -> bytes | None:
    if text.startswith("<"):
        return text.encode("utf-8")
    try:
        decoded = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded.lstrip().startswith(b"<") else None


def _read_saml(text: str, now: float) -> PresentedToken | None:
    document = _saml_document(text)
    if document is None:
        return None
    if b"<!DOCTYPE" in document:
        raise UnreadableToken("The SAML document declares a DTD, which is not allowed.")
    try:
        root = etree.fromstring(document, etree.XMLParser(**_XML_OPTIONS))
    except etree.XMLSyntaxError as exc:
        raise UnreadableToken(f"The SAML document is not well-formed XML ({exc}).") from None
    assertion = root if root.tag == f"{{{SAML}}}Assertion" else root.find(".//saml:Assertion", _NS)
    if assertion is None:
        raise UnreadableToken("The XML holds no SAML 2.0 Assertion (an encrypted assertion cannot be previewed).")
    attributes: dict[str, list[str]] = {}
    for attribute in assertion.iterfind("saml:AttributeStatement/saml:Attribute", _NS):
        values = [(value.text or "").strip() for value in attribute.findall("saml:AttributeValue", _NS)]
        attributes.setdefault(attribute.get("Name", ""), []).extend(values)
    name_id = (assertion.findtext("saml:Subject/saml:NameID", namespaces=_NS) or "").strip()
    warnings = [NO_SIGNATURE_CHECK]
    not_after = assertion.find("saml:Conditions", _NS)
    if not_after is not None and not_after.get("NotOnOrAfter"):
        try:
            instant = datetime.fromisoformat(not_after.get("NotOnOrAfter").replace("Z", "+00:00"))
            warnings += _expiry_warning("assertion", instant.timestamp(), now)
        except ValueError:
            warnings.append(f"NotOnOrAfter {not_after.get('NotOnOrAfter')!r} is not a date and time.")
    return PresentedToken("saml", {**attributes, "NameID": name_id}, tuple(warnings), name_id=name_id)


def read_presented(text: str, *, now: float) -> PresentedToken:
    """What the pasted ``text`` says, without trusting it; raises :class:`UnreadableToken`."""
    text = (text or "").strip()
    if not text:
        raise UnreadableToken("Paste a JWT, a JSON object of claims or a SAML response to preview.")
    for reader in (lambda: _read_jwt(text, now), lambda: _read_claims(text), lambda: _read_saml(text, now)):
        token = reader()
        if token is not None:
            return token
    raise UnreadableToken("This is neither a JWT (header.claims.signature), a JSON object of claims, nor a "
                          "SAML response or assertion (XML or base64).")


def default_tag_source(token: PresentedToken) -> dict[str, str]:
    """SAML's default principal tags (``username``, ``name``), read as the service reads them."""
    attributes = token.saml_attributes
    tags = {"username": (attributes.get(NAME_IDENTIFIER) or [token.name_id or ""])[0]}
    if attributes.get(NAME):
        tags["name"] = attributes[NAME][0]
    return tags
