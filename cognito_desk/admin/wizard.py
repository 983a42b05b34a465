"""The create-pool wizard as plain data: the console's five steps, their checks, the review, and the plan.

:class:`WizardPlan` holds what the user chose, step by step in the console's order — (1) user access
(authenticated and/or guest, basic flow), (2) identity providers (plain fields: social app IDs, user-pool
providers, OIDC and SAML provider ARNs, developer provider name), (3) roles (an existing role's ARN, or a
new role made with the standard Cognito trust policy; optionally a permissions template from
:mod:`.policy_templates` put on the new roles as an inline policy), (4) properties (name, tags) and (5) review.
:meth:`WizardPlan.problems` checks one step with the service models' own constraints; :meth:`review` is the
summary the last page shows; :meth:`provisioning` is what :func:`~cognito_desk.admin.provision.provision`
executes (pool first, then the new roles, then ``SetIdentityPoolRoles``). :func:`unknown_providers` asks IAM
about the OIDC and SAML provider ARNs the user typed (``GetOpenIDConnectProvider`` / ``GetSAMLProvider``), so
a pool is never created pointing at a provider that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..aws import IamClient
from ..core import errors, roles
from .policy_templates import template
from .pools import FieldProblem, model_problems
from .provision import NewRole, Provisioning, new_role_ref
from .trust import cognito_trust_policy

STEPS = ("User access", "Identity providers", "Roles", "Properties", "Review")
#: Which ``CreateIdentityPool`` members each step fills.
STEP_MEMBERS = {
    0: ("AllowUnauthenticatedIdentities", "AllowClassicFlow"),
    1: ("SupportedLoginProviders", "CognitoIdentityProviders", "OpenIdConnectProviderARNs", "SamlProviderARNs",
        "DeveloperProviderName"),
    3: ("IdentityPoolName", "IdentityPoolTags"),
}
#: Role slot → the ``amr`` its trust policy admits.
KINDS = {"authenticated": "authenticated", "unauthenticated": "unauthenticated"}
_NAME_UNSAFE = re.compile(r"[^\w+=,.@-]+", re.ASCII)


@dataclass
class RoleChoice:
    """The role for one slot: an existing role's ARN, or a new role (``new_name``; empty = named after the pool)."""

    existing_arn: str = ""
    create: bool = True
    new_name: str = ""


def default_role_name(pool_name: str, kind: str) -> str:
    """A new role's name from the pool's: IAM-safe characters, at most 64 of them."""
    suffix = "-auth-role" if kind == "authenticated" else "-guest-role"
    base = _NAME_UNSAFE.sub("-", pool_name).strip("-") or "identity-pool"
    return base[: 64 - len(suffix)] + suffix


@dataclass
class WizardPlan:
    """Everything the wizard's pages collect."""

    authenticated: bool = True
    guest: bool = False
    basic_flow: bool = False
    social: dict[str, str] = field(default_factory=dict)
    user_pools: list[dict[str, Any]] = field(default_factory=list)
    oidc_arns: list[str] = field(default_factory=list)
    saml_arns: list[str] = field(default_factory=list)
    developer_provider: str = ""
    roles: dict[str, RoleChoice] = field(default_factory=lambda: {kind: RoleChoice() for kind in KINDS})
    name: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    #: A ``policy_templates`` id (empty: none) and its values, for the inline policy of the new roles.
    permissions_template: str = ""
    template_values: dict[str, str] = field(default_factory=dict)

    def slots(self) -> list[str]:
        """The role slots this pool needs (authenticated and/or unauthenticated)."""
        return [kind for kind, wanted in (("authenticated", self.authenticated), ("unauthenticated", self.guest))
                if wanted]

    def role_name(self, kind: str) -> str:
        return self.roles[kind].new_name.strip() or default_role_name(self.name, kind)

    def create_request(self) -> dict[str, Any]:
        """The ``CreateIdentityPool`` request (empty optional members left out)."""
        request: dict[str, Any] = {"IdentityPoolName": self.name, "AllowUnauthenticatedIdentities": self.guest,
                                   "AllowClassicFlow": self.basic_flow}
        optional = {"SupportedLoginProviders": self.social, "CognitoIdentityProviders": self.user_pools,
                    "OpenIdConnectProviderARNs": self.oidc_arns, "SamlProviderARNs": self.saml_arns,
                    "DeveloperProviderName": self.developer_provider.strip(), "IdentityPoolTags": self.tags}
        request.update({member: value for member, value in optional.items() if value})
        return request

    def problems(self, step: int) -> list[FieldProblem]:
        """Why the wizard cannot leave page ``step`` (0-based; the review page checks every step)."""
        if step == 4:
            return [problem for earlier in range(4) for problem in self.problems(earlier)]
        if step == 2:
            return self._role_problems()
        found = [] if step != 0 or self.slots() else [FieldProblem(
            "AllowUnauthenticatedIdentities", "Choose authenticated access, guest access, or both.")]
        if step == 1 and self.authenticated and not any(
                (self.social, self.user_pools, self.oidc_arns, self.saml_arns, self.developer_provider.strip())):
            found.append(FieldProblem("", "Authenticated access needs at least one identity provider."))
        members = STEP_MEMBERS[step]
        if step == 3 and not self.name.strip():
            found.append(FieldProblem("IdentityPoolName", "Enter a name for the identity pool."))
            members = tuple(member for member in members if member != "IdentityPoolName")
        return found + [problem for problem in model_problems("CreateIdentityPool", self.create_request())
                        if problem.member in members]

    def _role_problems(self) -> list[FieldProblem]:
        found: list[FieldProblem] = []
        for kind in self.slots():
            choice = self.roles[kind]
            if choice.create:
                if choice.new_name.strip():
                    found += [FieldProblem(kind, problem.message, problem.detail) for problem in model_problems(
                        "CreateRole", {"RoleName": choice.new_name.strip(), "AssumeRolePolicyDocument": "{}"},
                        service="iam") if problem.member == "RoleName"]
            elif not choice.existing_arn:
                found.append(FieldProblem(kind, f"Choose the {kind} role, or create a new one."))
            else:
                found += [FieldProblem(kind, text) for text in roles.validate_roles({kind: choice.existing_arn})]
        if self.permissions_template:
            found += [FieldProblem(f"template.{key}", message)
                      for key, message in template(self.permissions_template).problems(self.template_values)]
        return found

    def _template_policies(self, kind: str) -> tuple[tuple[str, dict], ...]:
        """The inline policy the chosen permissions template gives a new role of ``kind`` (if any)."""
        if not self.permissions_template:
            return ()
        chosen = template(self.permissions_template)
        if not chosen.applies_to(kind):
            return ()
        return ((chosen.policy_name, chosen.render(self.template_values, kind)),)

    def provisioning(self) -> Provisioning:
        new_roles, attached = [], {}
        for kind in self.slots():
            choice = self.roles[kind]
            if choice.create:
                amr = KINDS[kind]
                new_roles.append(NewRole(kind, self.role_name(kind),
                                         lambda pool_id, amr=amr: cognito_trust_policy(pool_id, amr),
                                         description=f"Cognito {kind} role for identity pool {self.name}",
                                         inline_policies=self._template_policies(kind)))
                attached[kind] = new_role_ref(kind)
            else:
                attached[kind] = choice.existing_arn
        return Provisioning(self.create_request(), new_roles, attached)

    def review(self) -> list[tuple[str, str]]:
        """(label, value) rows of the review page, in the steps' order."""
        access = " and ".join(label for label, on in (("Authenticated", self.authenticated), ("Guest", self.guest))
                              if on) or "None"
        rows = [("User access", access), ("Basic (classic) flow", "On" if self.basic_flow else "Off")]
        rows += [(f"Social: {provider}", app_id) for provider, app_id in self.social.items()]
        rows += [("User pool", f"{p['ProviderName']} (client {p.get('ClientId', '')})") for p in self.user_pools]
        rows += [("OpenID Connect provider", arn) for arn in self.oidc_arns]
        rows += [("SAML provider", arn) for arn in self.saml_arns]
        if self.developer_provider.strip():
            rows.append(("Developer provider name", self.developer_provider.strip()))
        for kind in self.slots():
            choice = self.roles[kind]
            value = (f"New role {self.role_name(kind)} (trusts this pool only)" if choice.create
                     else choice.existing_arn)
            rows.append((f"{kind.capitalize()} role", value))
            if choice.create and self._template_policies(kind):
                rows.append((f"{kind.capitalize()} role permissions",
                             f"{template(self.permissions_template).title} (inline policy "
                             f"{template(self.permissions_template).policy_name})"))
        rows.append(("Name", self.name))
        rows += [(f"Tag {key}", value) for key, value in self.tags.items()]
        return rows


async def unknown_providers(iam: IamClient, plan: WizardPlan, known: Iterable[str] = ()) -> list[FieldProblem]:
    """A problem for each OIDC or SAML provider ARN of ``plan`` that IAM does not know (``known``: ARNs just
    listed, not asked again)."""
    listed, found = set(known), []
    asks = [("OpenIdConnectProviderARNs", "OpenID Connect", arn,
             lambda arn: iam.get_open_id_connect_provider(open_id_connect_provider_arn=arn)) for arn in plan.oidc_arns]
    asks += [("SamlProviderARNs", "SAML", arn, lambda arn: iam.get_saml_provider(saml_provider_arn=arn))
             for arn in plan.saml_arns]
    for member, kind, arn, ask in asks:
        if arn in listed:
            continue
        try:
            await ask(arn)
        except (errors.NoSuchEntity, errors.InvalidInput):
            found.append(FieldProblem(member, f"IAM has no {kind} provider {arn} in this account: create it here, "
                                              "pick an existing one, or correct the ARN."))
    return found
