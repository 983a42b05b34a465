"""The live "which role and why" preview: the role engine and trust evaluation the service runs, on unsaved rules.

Owns :func:`preview` — given the pool's description (``DescribeIdentityPool``), the Roles & rules form as edited
(not yet saved), a pasted token read by :mod:`core.presented`, the ``Logins`` key it is presented under and an
optional ``CustomRoleArn``, it answers a :class:`Preview`: the role (or the error AWS would give), the numbered
explanation from ``core.roles.resolve_role`` (which rule matched, why each earlier one did not, the ambiguity
outcome), whether the chosen role's trust policy lets STS assume it for this pool (``core.policy``, with the
condition keys the service uses — ``core.providers.trust_context``), and the session tags the login would carry
with the warning when the trust policy lacks ``sts:TagSession``. Which provider the key names, and so which
role-mapping keys, ``amr`` values and default tags the login gets, is ``core.login_keys.login_for``. Nothing here
talks to the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cognito_desk.admin.principal_tags import PrincipalTagMap, session_tags
from cognito_desk.admin.rules import RolesForm
from cognito_desk.core import errors, policy, roles
from cognito_desk.core.login_keys import ProviderLogin, login_for, trust_decision
from cognito_desk.core.presented import PresentedToken

#: The ``sub`` the trust check sees when no identity ID is given (the preview has no identity yet).
PREVIEW_IDENTITY = "(identity id)"


@dataclass(frozen=True)
class Preview:
    token: PresentedToken
    login: ProviderLogin
    decision: roles.RoleDecision
    #: The chosen role's trust decision; None when no role was chosen or its trust policy is unknown.
    trust: policy.PolicyDecision | None
    session_tags: dict[str, str]
    warnings: tuple[str, ...] = field(default=())
    #: IAM has no role by the chosen ARN (the snapshot asked GetRole for it).
    role_missing: bool = False

    @property
    def would_sign_in(self) -> bool:
        return self.decision.role_arn is not None and self.trust is not None and self.trust.allowed

    def headline(self) -> str:
        decision = self.decision
        if decision.role_arn is None:
            return f"No role — {decision.error_code}: {decision.error_message}"
        rule = next((step.index for step in reversed(decision.steps) if step.matched), None)
        why = f"rule {rule}" if decision.source == "rule" and rule else decision.reason
        if self.role_missing:
            verdict = "but it does not exist in IAM (InvalidIdentityPoolConfigurationException)"
        elif self.trust is None:
            verdict = "trust policy not checked"
        else:
            verdict = "STS would assume it" if self.trust.allowed else \
                "but its trust policy refuses this pool (InvalidIdentityPoolConfigurationException)"
        return f"{decision.role_arn} ({why}) — {verdict}"

    def describe(self) -> str:
        """The full explanation the preview pane shows: warnings, the numbered decision, trust, tags."""
        lines = [f"⚠ {warning}" for warning in self.warnings]
        lines += ["", "Role decision:", *self.decision.explain().splitlines()[1:]]
        if self.trust is not None:
            lines += ["", "Trust policy (as STS evaluates it for this pool):", *(f"  {r}" for r in self.trust.reasons)]
        if self.session_tags:
            lines += ["", "Session tags:", *(f"  {k} = {v}" for k, v in sorted(self.session_tags.items()))]
        return "\n".join(lines).strip()


def preview(pool: Mapping, form: RolesForm, token: PresentedToken, key: str, *,
            custom_role_arn: str | None = None, trust_policies: Mapping[str, object] | None = None,
            tag_map: PrincipalTagMap | None = None, identity_id: str = PREVIEW_IDENTITY) -> Preview:
    """Which role ``token`` presented under ``key`` gets with the form's (unsaved) roles and rules, and why."""
    login = login_for(pool, key, token)
    decision = roles.resolve_role(roles.RoleRequest(
        kind="authenticated", pool_roles=form.default_roles, role_mappings=form.role_mappings(),
        logins=(roles.LoginClaims(key, token.claims, login.mapping_keys, login.saml_roles),),
        custom_role_arn=custom_role_arn or None))
    tags = session_tags(tag_map, token.claims, login.default_tags)
    warnings = list(token.warnings)
    trust = None
    document = (trust_policies or {}).get(decision.role_arn) if decision.role_arn else None
    missing = bool(decision.role_arn) and document is None and decision.role_arn in (trust_policies or {})
    if missing:
        warnings.append(f"The role {decision.role_arn} does not exist in IAM: a sign-in that gets it fails with "
                        "InvalidIdentityPoolConfigurationException. Create it trusted by this pool, or choose a role "
                        "that exists.")
    elif decision.role_arn and document is None:
        warnings.append(f"The trust policy of {decision.role_arn} is not loaded: whether STS lets this pool assume "
                        "it is unknown.")
    elif document is not None:
        try:
            trust = trust_decision(document, pool["IdentityPoolId"], login, identity_id, tags)
        except errors.MalformedPolicyDocument as exc:
            trust = policy.PolicyDecision(False, False, (f"the trust policy is malformed ({exc.message})",))
        if tags and not trust.allowed and any("sts:TagSession" in r for r in trust.reasons):
            warnings.append(f"This login carries session tags {sorted(tags)}, but the trust policy of "
                            f"{decision.role_arn} does not allow sts:TagSession: the sign-in would fail with "
                            "InvalidIdentityPoolConfigurationException.")
    return Preview(token, login, decision, trust, tags, tuple(warnings), missing)
