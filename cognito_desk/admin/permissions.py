"""What one Cognito identity can do with the role it assumed: the Permissions model, Qt-free.

Owns :class:`Permissions` — given the identity (:class:`~cognito_desk.core.permissions.identity.IdentityFacts`:
identity ID, pool, amr, principal tags, role and role id) and the role's policy documents
(:class:`RolePolicies`, read by :func:`read_role_policies`), it lists every statement with this identity's
values substituted, offers access checks pre-filled from the statements (resources built with this
identity's ID), evaluates a check with ``core.permissions`` (the same evaluator the embedded IAM uses for
``SimulatePrincipalPolicy``) and names the pitfalls that cost people days: a policy keyed on a provider's or
user pool's ``sub`` when Cognito credentials carry only the identity ID (and the reverse), a variable in a
policy without ``Version`` 2012-10-17, ``${aws:PrincipalTag/x}`` when the pool maps no such tag or the
trust policy lacks ``sts:TagSession``. On AWS, :func:`ask_aws` puts the same question to IAM
``SimulateCustomPolicy`` with this identity's context entries and :func:`compare` sets the answers side by
side. Permission boundaries, SCPs and resource policies are not visible here: :data:`NOT_EVALUATED`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cognito_desk.admin.preview import PREVIEW_IDENTITY, Preview
from cognito_desk.admin.principal_tags import PrincipalTagMap, session_tags
from cognito_desk.admin.role_policies import load_role_policies
from cognito_desk.aws import ContextEntry
from cognito_desk.core import errors
from cognito_desk.core.login_keys import NotPreviewable, login_for
from cognito_desk.core.permissions import Evaluation, Policy, Request, evaluate
from cognito_desk.core.permissions.document import Document, Statement, parse_document
from cognito_desk.core.permissions.identity import COGNITO, IdentityFacts, request_context
from cognito_desk.core.permissions.patterns import plain
from cognito_desk.core.permissions.variables import substitute, substitute_resource, variable_key
from cognito_desk.core.policy import evaluate_trust_policy
from cognito_desk.core.presented import PresentedToken

NOT_EVALUATED = ("permission boundaries", "service control and resource control policies (AWS Organizations)",
                 "resource-based policies (bucket, queue or key policies)")
_VARIABLE = re.compile(r"\$\{[^}]*\}")
_PROVIDER_SUB = re.compile(r"^(?!cognito-identity\.amazonaws\.com:)[^$]+:(sub|id|user_id)$", re.IGNORECASE)


@dataclass(frozen=True)
class RolePolicies:
    """A role's identity policies as documents, its RoleId and trust policy; ``notes`` say what is missing."""

    role_arn: str
    role_id: str
    trust_policy: object
    policies: tuple[Policy, ...]
    notes: tuple[str, ...] = ()


async def read_role_policies(iam, role_arn: str) -> RolePolicies:
    """The role's inline and attached managed policies (each at its default version) and its trust policy, as
    :func:`cognito_desk.admin.role_policies.load_role_policies` reads them."""
    loaded = await load_role_policies(iam, role_arn)
    policies = tuple(Policy(policy.name, _text(policy.document), policy.kind) for policy in loaded.policies)
    return RolePolicies(role_arn, loaded.role_id, loaded.trust_policy, policies)


def _text(document: object) -> str:
    return document if isinstance(document, str) else json.dumps(document, indent=2)


@dataclass(frozen=True)
class StatementView:
    """One statement as this identity sees it: ``summary`` has its values substituted."""

    policy: str
    kind: str
    index: int
    sid: str | None
    effect: str
    summary: str
    unresolved: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.policy} #{self.index + 1}" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Pitfall:
    title: str
    detail: str


@dataclass(frozen=True)
class Comparison:
    """AWS's ``SimulateCustomPolicy`` answer beside the local one."""

    aws_decision: str
    local_decision: str

    @property
    def agrees(self) -> bool:
        return self.aws_decision == self.local_decision

    def describe(self) -> str:
        if self.agrees:
            return f"AWS IAM agrees: {self.aws_decision}."
        return (f"DISAGREEMENT: AWS IAM says {self.aws_decision}, the local evaluation says {self.local_decision}. "
                "Trust AWS's answer and report the case.")


class Permissions:
    """The Permissions view's state for one identity and the role it assumed."""

    def __init__(self, facts: IdentityFacts, role: RolePolicies, *, provider_sub: str | None = None,
                 session_policy: str | None = None) -> None:
        self.facts, self.role, self.provider_sub = facts, role, provider_sub
        self.context = request_context(facts)
        self.session = [Policy("session policy", session_policy, "session")] if session_policy else None
        self.problems: list[str] = []
        self.documents: list[tuple[Policy, Document]] = []
        for policy in role.policies + tuple(self.session or ()):
            try:
                self.documents.append((policy, parse_document(policy.document)))
            except errors.MalformedPolicyDocument as exc:
                self.problems.append(f"{policy.name} is not a valid policy ({exc.message}); it is left out.")
        self.statements = [self._view(policy, document, s) for policy, document in self.documents
                           for s in document.statements]

    # --- statements with this identity's values ----------------------------------------------------------
    def _resolve(self, pattern: str, document: Document, *, resource: bool = True) -> tuple[str, tuple[str, ...]]:
        """``pattern`` with this identity's values in (as written when a variable has none)."""
        if not document.variables or "${" not in pattern:
            return pattern, ()
        result = (substitute_resource if resource else substitute)(pattern, self.context)
        if result.text is None:
            return pattern, result.missing
        return plain(result.text), ()

    def _view(self, policy: Policy, document: Document, statement: Statement) -> StatementView:
        resolved = [self._resolve(r, document) for r in statement.resources]
        actions = ", ".join(statement.actions)
        resources = ", ".join(text for text, _ in resolved)
        summary = (f"{'all actions except ' if statement.not_action else ''}{actions} on "
                   f"{'everything except ' if statement.not_resource else ''}{resources}")
        for n, condition in enumerate(statement.conditions):
            values = [self._resolve(v, document, resource=False) if condition.operator.base.takes_variables
                      else (v, ()) for v in condition.values]
            resolved += values
            summary += (" when " if n == 0 else " and ") + \
                f"{condition.operator.text} {condition.key} {'/'.join(text for text, _ in values)}"
        unresolved = tuple(dict.fromkeys(v for _, missing in resolved for v in missing))
        return StatementView(policy.name, policy.kind, statement.index, statement.sid, statement.effect,
                             f"{statement.effect}: {summary}", unresolved)

    def suggestions(self) -> list[tuple[str, str]]:
        """Access checks worth trying: each Allow statement's first action on its first resource, with this
        identity's values in and any wildcard made concrete (``example``)."""
        found = []
        for policy, document in self.documents:
            if policy.kind == "session":
                continue
            for statement in document.statements:
                if statement.effect != "Allow" or statement.not_action:
                    continue
                resource = self._resolve(statement.resources[0], document)[0]
                resource = "*" if resource == "*" else resource.replace("*", "example").replace("?", "x")
                pair = (statement.actions[0], resource)
                if pair not in found:
                    found.append(pair)
        return found

    # --- access checks ----------------------------------------------------------------------------------
    def check(self, action: str, resource: str) -> Evaluation:
        policies = [policy for policy, _ in self.documents if policy.kind != "session"]
        return evaluate(policies, Request(action.strip(), resource.strip(), self.context),
                        session_policies=self.session)

    def context_entries(self) -> list[ContextEntry]:
        """The identity's request context as IAM ``ContextEntries`` (multivalued keys as ``stringList``)."""
        return [ContextEntry(key, (value,) if isinstance(value, str) else tuple(value),
                             "string" if isinstance(value, str) else "stringList")
                for key, value in self.context.items()]

    # --- pitfalls ---------------------------------------------------------------------------------------
    def _references(self) -> list[tuple[Policy, str]]:
        """Every variable key and condition key the policies read: (policy, key)."""
        found = []
        for policy, document in self.documents:
            for statement in document.statements:
                texts = list(statement.resources) + [v for c in statement.conditions for v in c.values]
                found += [(policy, variable_key(v)) for t in texts for v in _VARIABLE.findall(t)]
                found += [(policy, c.key) for c in statement.conditions]
        return found

    def pitfalls(self) -> list[Pitfall]:
        found: list[Pitfall] = []
        references = self._references()
        seen = set()
        for policy, key in references:
            if (policy.name, key) in seen:
                continue
            seen.add((policy.name, key))
            if _PROVIDER_SUB.match(key) and not self.facts.direct_provider:
                found.append(Pitfall(
                    f"{policy.name} is keyed on {key}",
                    f"Credentials from Cognito never carry {key}: they carry {COGNITO}:sub, the identity ID "
                    f"{self.facts.identity_id}. A per-user folder must use ${{{COGNITO}:sub}} and the app must "
                    "write under the identity ID, not the user pool's or the provider's sub."))
            tag = key.split("/", 1)[1] if key.lower().startswith("aws:principaltag/") else None
            if tag is not None and tag not in self.facts.principal_tags:
                found.append(Pitfall(f"{policy.name} reads aws:PrincipalTag/{tag}",
                                     f"The pool maps no principal tag {tag!r} for this login, so the key is "
                                     "missing and the element using it never matches."))
        for policy, document in self.documents:
            if not document.variables and "${" in _text(policy.document):
                found.append(Pitfall(
                    f"{policy.name} has policy variables but no \"Version\": \"2012-10-17\"",
                    "IAM substitutes variables only in Version 2012-10-17 policies; here ${…} is literal text "
                    "and matches nothing — the classic silent 403."))
        if any(key.lower().startswith("aws:principaltag/") for _, key in references) and not self._can_tag():
            found.append(Pitfall("The role's trust policy lacks sts:TagSession",
                                 "Principal tags reach the session only when the trust policy allows "
                                 "sts:TagSession for Cognito; policies reading aws:PrincipalTag never match."))
        return found

    def _can_tag(self) -> bool:
        context = {f"{COGNITO}:aud": self.facts.pool_id, f"{COGNITO}:amr": self.facts.amr,
                   f"{COGNITO}:sub": self.facts.identity_id,
                   **{f"aws:RequestTag/{k}": v for k, v in self.facts.principal_tags.items()},
                   "aws:TagKeys": list(self.facts.principal_tags)}
        try:
            return evaluate_trust_policy(self.role.trust_policy, federated_principal=COGNITO,
                                         action="sts:TagSession", context=context).allowed
        except errors.MalformedPolicyDocument:
            return False

    def check_pitfalls(self, resource: str) -> list[Pitfall]:
        """The reverse mistake, for one check: a resource built with the provider's sub, not the identity ID."""
        sub = self.provider_sub
        uses_identity = any(f"{COGNITO}:sub".lower() in _text(p.document).lower() for p, _ in self.documents)
        if sub and sub in resource and self.facts.identity_id not in resource and uses_identity:
            return [Pitfall("This resource is built with the user pool's (or provider's) sub",
                            f"{sub} is the sub of the login token, but the policy is keyed on the identity ID "
                            f"{self.facts.identity_id}: write under the identity ID.")]
        return []


async def principal_tags_for(identity, pool: Mapping, key: str, claims: Mapping) -> dict[str, str]:
    """The session tags a login under ``key`` carries into STS with the pool's principal-tag map (the same
    rules the embedded service applies); none when the pool maps none or the login is not one it validates."""
    try:
        answer = await identity.get_principal_tag_attribute_map(identity_pool_id=pool["IdentityPoolId"],
                                                                identity_provider_name=key)
        login = login_for(pool, key, PresentedToken("jwt", dict(claims)))
    except (errors.AwsError, NotPreviewable):
        return {}
    return session_tags(PrincipalTagMap.from_api(answer), claims, login.default_tags)


STORED_NOTE = ("Shown for the pool's default role for this kind of identity with no principal tags: role "
               "mapping rules and tags depend on the login token, which the pool does not keep — sign in with the "
               "Tester for the role and tags a login actually gets.")


async def stored_identity_facts(identity, pool_id: str, identity_id: str, logins: Sequence[str]) -> IdentityFacts:
    """An identity from the pool's list (:data:`STORED_NOTE` says what is assumed about it)."""
    kind = "authenticated" if logins else "unauthenticated"
    role = (await identity.get_identity_pool_roles(identity_pool_id=pool_id)).get("Roles", {}).get(kind)
    if not role:
        raise errors.CognitoDeskError(f"The pool has no {kind} role: an identity like this one gets no "
                                      "credentials, so it can do nothing.")
    return IdentityFacts(identity_id, pool_id, authenticated=bool(logins), logins=tuple(logins), role_arn=role)


def preview_facts(pool_id: str, result: Preview) -> IdentityFacts | None:
    """The hypothetical identity of a Roles & rules preview (None when no role would be chosen)."""
    if not result.decision.role_arn:
        return None
    logins = tuple(entry for entry in result.login.amr if entry != "authenticated")
    return IdentityFacts(PREVIEW_IDENTITY, pool_id, logins=logins, role_arn=result.decision.role_arn,
                         principal_tags=dict(result.session_tags))


async def ask_aws(iam, permissions: Permissions, action: str, resource: str) -> Mapping:
    """IAM ``SimulateCustomPolicy`` for the same question with this identity's context entries."""
    simulate = getattr(iam, "simulate_custom_policy", None)
    if simulate is None:
        raise errors.CognitoDeskError("This version's IAM client cannot call SimulateCustomPolicy.")
    return await simulate(policy_input_list=[_text(p.document) for p, _ in permissions.documents
                                             if p.kind != "session"],
                          action_names=[action], resource_arns=[resource],
                          context_entries=permissions.context_entries())


def compare(local: Evaluation, answer: Mapping) -> Comparison:
    results: Sequence[Mapping] = answer.get("EvaluationResults", [])
    aws = results[0]["EvalDecision"] if results else "no answer"
    return Comparison(aws, local.decision)
