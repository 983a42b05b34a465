"""Where a scenario may send its secrets: origins approved outside the file, and everything a file would contact.

A scenario file is data from others: it never decides alone where a secret goes. Owns :class:`Approval` (the
origins the person running the scenario approved: ``--allow-origin`` on the command line, the origins of the
provider clients saved in their own ``provider-clients.json``, or what they confirmed in the scenario
dialog — plain ``http`` only for loopback, because secrets never travel unencrypted) and :func:`plan_of`
(a :class:`ScenarioPlan`: every origin the file would contact and why, every reference it would resolve and
where its value would go, and the violations that stop the run before anything is resolved):

* every endpoint the file names must be on the provider's own origin (the issuer's, or the SAML sign-in
  page's) or be approved itself — a trusted issuer with its ``jwks_uri`` elsewhere is refused;
* a file with references resolves them only when the provider's origin is approved;
* a connection endpoint named by the file (not by the command line or a saved profile) must be approved,
  because the provider's token goes there — and, for a ``user-pool-password`` provider, its password: a
  user pool's secrets go only to the connection's own user-pool API (its origin), never to an address the
  file names.

At run time the same approval travels on: discovered endpoints must be on the issuer's origin or approved
(:func:`cognito_desk.flows.oidc.discover`), a client secret goes only to an approved token endpoint
(:func:`cognito_desk.flows.oauth.token_request`), and a fill step's secret is typed only into a page whose
origin is approved (the scripted browser checks the page right before typing).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core import errors
from ..flows.clients import OAUTH_DEFAULTS, ProviderClient, ProviderKind
from ..flows.origins import may_carry_secrets, origin_of
from .model import Scenario
from .references import is_reference

__all__ = ["Approval", "Contact", "OriginError", "ScenarioPlan", "Use", "approved_origin", "home_origin",
           "plan_of"]


class OriginError(errors.CognitoDeskError):
    """An origin that cannot be approved (not an http(s) URL, or plain http to another machine)."""


def approved_origin(text: str) -> str:
    """The origin of an ``--allow-origin`` value, refused when it is not one secrets may go to."""
    origin = origin_of(text)
    if not origin:
        raise OriginError(f"--allow-origin {text!r} is not an http(s) URL (e.g. https://idp.example.com)")
    if not may_carry_secrets(origin):
        raise OriginError(f"--allow-origin {text!r}: secrets never travel over plain http except to this machine "
                          "(loopback); use the provider's https address")
    return origin


def _urls(client: ProviderClient) -> list[tuple[str, str]]:
    return [(what, url) for what, url in (
        ("issuer", client.issuer), ("authorization endpoint", client.authorization_endpoint),
        ("token endpoint", client.token_endpoint), ("JWKS", client.jwks_uri),
        ("SAML sign-in page", client.saml_sso_url), ("SAML IdP-initiated page", client.saml_idp_initiated_url))
        if url]


@dataclass(frozen=True)
class Approval:
    """The origins secrets may go to, each approved outside the scenario file."""

    origins: frozenset[str] = frozenset()

    @classmethod
    def of(cls, allowed: Iterable[str] = (), clients: Iterable[ProviderClient] = ()) -> Approval:
        """``allowed`` (command-line values, refused when unsafe) and the saved clients' own origins."""
        origins = {approved_origin(text) for text in allowed}
        origins |= {origin for client in clients for _what, url in _urls(client)
                    if (origin := origin_of(url)) and may_carry_secrets(origin)}
        return cls(frozenset(origins))

    def approves(self, url: str) -> bool:
        origin = origin_of(url)
        return bool(origin) and origin in self.origins and may_carry_secrets(origin)


@dataclass(frozen=True)
class Contact:
    origin: str
    what: str
    approved: bool


@dataclass(frozen=True)
class Use:
    """A reference the run would resolve, where it stands and where its value would go."""

    reference: str
    where: str
    goes_to: str


@dataclass
class ScenarioPlan:
    contacts: list[Contact] = field(default_factory=list)
    uses: list[Use] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The plan as ``check`` prints it (and the scenario dialog shows it)."""
        out = [f"contacts {c.origin} ({c.what}{', approved' if c.approved else ', not approved'})"
               for c in self.contacts]
        out += [f"resolves {u.reference} ({u.where}) → {u.goes_to}" for u in self.uses]
        return out


def home_origin(client: ProviderClient) -> str:
    """The provider's own origin: the issuer's, the SAML sign-in page's, or the OAuth authorization page's."""
    if client.kind in (ProviderKind.OIDC, ProviderKind.USER_POOL):
        return origin_of(client.issuer)
    if client.kind is ProviderKind.SAML:
        return origin_of(client.saml_sso_url or client.saml_idp_initiated_url)
    if client.kind in OAUTH_DEFAULTS:
        return origin_of(client.with_oauth_defaults().authorization_endpoint)
    return ""


def plan_of(scenario: Scenario, approval: Approval, *, connection_from_file: bool = False) -> ScenarioPlan:
    """What running ``scenario`` would contact and resolve with ``approval``, and what stops it."""
    plan = ScenarioPlan()
    client = scenario.provider
    home = home_origin(client)
    seen: set[tuple[str, str]] = set()

    def contact(origin: str, what: str) -> None:
        if origin and (origin, what) not in seen:
            seen.add((origin, what))
            plan.contacts.append(Contact(origin, what, origin in approval.origins))

    for what, url in _urls(client):
        origin = origin_of(url)
        contact(origin, what)
        if origin and origin != home and not approval.approves(url):
            plan.violations.append(f"the {what} {url} is not on the provider's origin {home or '(none)'} and is not "
                                   "approved (--allow-origin, or a provider client you saved)")
    if client.kind in OAUTH_DEFAULTS:
        defaults = client.with_oauth_defaults()
        contact(origin_of(defaults.authorization_endpoint), "authorization endpoint")
        contact(origin_of(defaults.token_endpoint), "token endpoint")
    if scenario.endpoint:
        contact(origin_of(scenario.endpoint), "connection named by the file" if connection_from_file else
                "connection (the command line's wins)")
        if connection_from_file and not approval.approves(scenario.endpoint):
            plan.violations.append(f"the file names the connection endpoint {scenario.endpoint}, which is not "
                                   "approved: pass --endpoint or --allow-origin for it")
    pages = ", ".join(sorted(o for o in approval.origins)) or "none"
    if is_reference(scenario.client_secret):
        token = client.with_oauth_defaults().token_endpoint
        plan.uses.append(Use(scenario.client_secret, "client secret",
                             f"the token endpoint {origin_of(token) if token else 'its discovery names'} "
                             "(HTTP Basic), only if approved"))
    for number, step in enumerate(scenario.steps, start=1):
        if step.action == "fill" and is_reference(step.value):
            plan.uses.append(Use(step.value, f"step {number}, fill {step.target!r}",
                                 f"typed only into a page of an approved origin ({pages})"))
    user_pool_uses = [Use(value, f"user pool {key.replace('_', ' ')}",
                          "the connection's user-pool API (cognito-idp InitiateAuth / RespondToAuthChallenge; a TOTP "
                          "seed only as the codes computed from it), never an address the file names")
                      for key, value in scenario.user_pool_refs.items() if is_reference(value)]
    if plan.uses and not approval.approves(home or "-"):
        plan.violations.append(f"the file's references are not resolved: its provider {home or client.name!r} is not "
                               "an approved origin (approve it with --allow-origin "
                               f"{home or 'ORIGIN'} or save the provider client in the app)"
                               + ("" if not home or may_carry_secrets(home) else
                                  "; secrets never go over plain http except to loopback"))
    plan.uses += user_pool_uses  # their origin is the connection's (a file-named connection is refused above)
    return plan
