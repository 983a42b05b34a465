"""IAM ``SimulatePrincipalPolicy`` and ``SimulateCustomPolicy`` over the one evaluator, ``core.permissions``.

Both answer one ``EvaluationResult`` per action, as IAM does now: ``EvalDecision``
(``allowed``/``explicitDeny``/``implicitDeny``; over several ``ResourceArns`` the most restrictive, each
resource's own decision in ``ResourceSpecificResults``), the ``MatchedStatements`` that decided (policy id,
type, and the statement's start and end line/column in the document as written) and the
``MissingContextValues`` the applicable statements read but the request did not supply. ``EvalResourceName``
of an aggregate over several resources is ``*`` (a choice: IAM does not document it). Rules as IAM
documents them:

* ``ResourceArns`` default to ``*``; ``ContextEntries`` give condition keys with their ``ContextKeyType``
  (``…List`` types are multivalued);
* ``SimulatePrincipalPolicy`` takes a role ARN as ``PolicySourceArn`` and evaluates the role's policies
  (:func:`principal_policies`) plus any ``PolicyInputList`` documents, less those ``PolicyExclusionList``
  names (by type ``inline`` or by ``InlinePolicyIdentifier``);
  the service has no IAM users or groups, so their ARNs are ``NoSuchEntity``;
* ``PermissionsBoundaryPolicyInputList`` narrows like a boundary (``PermissionsBoundaryDecisionDetail``);
* ``CallerArn`` must be an IAM user ARN and is only meaningful with a ``ResourcePolicy``; resource
  policies (and organization policies) are not evaluated here and are refused with ``InvalidInput``;
* a document IAM would refuse is ``InvalidInput`` (these operations have no MalformedPolicyDocument).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from ..core import errors
from ..core.permissions import EXPLICIT_DENY, Evaluation, Policy, Request, evaluate
from ..core.permissions.evaluate import StatementCheck
from ..core.permissions.patterns import glob_match
from . import iam_policies
from .context import RequestContext
from .iam import find_role

_LIST_TYPES = {"stringList", "numericList", "booleanList", "ipList", "binaryList", "dateList"}
_USER_ARN = re.compile(r"^arn:[\w-]+:iam::\d{12}:user/.+$")
_DECODER = json.JSONDecoder()
_SEVERITY = ("allowed", "implicitDeny", "explicitDeny")


def principal_policies(ctx: RequestContext, role_name: str) -> list[tuple[Policy, str]]:
    """The role's identity policies as (policy, text): inline ones in name order (source type ``role``), then its
    attached managed policies at their default versions (``aws-managed`` or ``user-managed``, as IAM names them)."""
    rows = ctx.store.query("SELECT policy_name, document FROM iam_role_policies WHERE role_name = ?"
                           " ORDER BY policy_name", (role_name,))
    found = [(Policy(row["policy_name"], row["document"], "role"), row["document"]) for row in rows]
    for arn, document in iam_policies.attached_documents(ctx, role_name):
        text = json.dumps(document, indent=2)
        kind = "aws-managed" if ":iam::aws:policy/" in arn else "user-managed"
        found.append((Policy(arn.rsplit("/", 1)[-1], text, kind), text))
    return found


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def statement_spans(text: str) -> list[tuple[int, int]]:
    """Character offsets (start, end) of each element of the top-level ``Statement``, as written."""
    try:
        i = _skip(text, 0)
        if text[i] != "{":
            return []
        i += 1
        while True:
            i = _skip(text, i)
            if text[i] == "}":
                return []
            key, i = json.decoder.scanstring(text, i + 1)
            i = _skip(text, _skip(text, i) + 1)
            if key == "Statement" and text[i] == "[":
                spans, i = [], i + 1
                while text[_skip(text, i)] != "]":
                    start = _skip(text, i)
                    _, end = _DECODER.raw_decode(text, start)
                    spans.append((start, end))
                    i = _skip(text, end)
                    i += text[i] == ","
                return spans
            _, end = _DECODER.raw_decode(text, i)
            if key == "Statement":
                return [(i, end)]
            i = _skip(text, end)
            i += text[i] == ","
    except (IndexError, ValueError):
        return []


def _position(text: str, offset: int) -> dict:
    line_start = text.rfind("\n", 0, offset) + 1
    return {"Line": text.count("\n", 0, offset) + 1, "Column": offset - line_start + 1}


def _context(entries: Sequence[dict]) -> dict[str, str | list[str]]:
    context: dict[str, str | list[str]] = {}
    for entry in entries:
        name, values = entry.get("ContextKeyName"), entry.get("ContextKeyValues", [])
        if not name:
            raise errors.InvalidInput("ContextKeyName is required for every context entry.")
        kind = entry.get("ContextKeyType", "string")
        if kind not in _LIST_TYPES and len(values) != 1:
            raise errors.InvalidInput(f"Context key {name} of type {kind} requires exactly one value.")
        context[name] = list(values) if kind in _LIST_TYPES else values[0]
    return context


def _matched(checks: Sequence[StatementCheck], texts: dict[tuple[str, str], str]) -> list[dict]:
    matched = []
    for check in checks:
        text = texts.get((check.kind, check.policy), "")
        spans = statement_spans(text)
        shape = {"SourcePolicyId": check.policy, "SourcePolicyType": check.kind}
        if check.index < len(spans):
            start, end = spans[check.index]
            shape |= {"StartPosition": _position(text, start), "EndPosition": _position(text, end)}
        matched.append(shape)
    return matched


def _result(evaluation: Evaluation, action: str, resource: str, texts: dict, boundary: bool) -> dict:
    decisive = [c for c in evaluation.deciding if c.kind != "boundary"]
    missing = sorted({key for check in evaluation.statements for key in check.missing_keys})
    result = {"EvalActionName": action, "EvalResourceName": resource, "EvalDecision": evaluation.decision,
              "MatchedStatements": _matched(decisive, texts), "MissingContextValues": missing}
    if boundary:
        bounded = [c for c in evaluation.statements if c.kind == "boundary"]
        allowed = any(c.applies for c in bounded) and not any(c.applies and c.effect == "Deny" for c in bounded)
        result["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": allowed}
        if evaluation.decision == EXPLICIT_DENY and not decisive:
            result["MatchedStatements"] = _matched(evaluation.deciding, texts)
    return result


def _aggregate(action: str, per_resource: list[dict]) -> dict:
    """One result per action (as IAM answers now): the most restrictive decision over the resources, with
    each resource's own in ``ResourceSpecificResults``."""
    if len(per_resource) == 1 and per_resource[0]["EvalResourceName"] == "*":
        return per_resource[0]
    decision = max((r["EvalDecision"] for r in per_resource), key=_SEVERITY.index)
    matched = [m for r in per_resource if r["EvalDecision"] == decision for m in r["MatchedStatements"]]
    result = {"EvalActionName": action,
              "EvalResourceName": per_resource[0]["EvalResourceName"] if len(per_resource) == 1 else "*",
              "EvalDecision": decision, "MatchedStatements": list({json.dumps(m, sort_keys=True): m
                                                                   for m in matched}.values()),
              "MissingContextValues": sorted({k for r in per_resource for k in r["MissingContextValues"]}),
              "ResourceSpecificResults": [
                  {"EvalResourceName": r["EvalResourceName"], "EvalResourceDecision": r["EvalDecision"],
                   "MatchedStatements": r["MatchedStatements"], "MissingContextValues": r["MissingContextValues"],
                   **({"PermissionsBoundaryDecisionDetail": r["PermissionsBoundaryDecisionDetail"]}
                      if "PermissionsBoundaryDecisionDetail" in r else {})}
                  for r in per_resource]}
    details = [r["PermissionsBoundaryDecisionDetail"] for r in per_resource if "PermissionsBoundaryDecisionDetail" in r]
    if details:
        result["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": all(d["AllowedByPermissionsBoundary"] for d in details)}
    return result


def _inputs(documents: Sequence[str], field: str, kind: str) -> list[tuple[Policy, str]]:
    return [(Policy(f"{field}.{n}", text, kind), text) for n, text in enumerate(documents, start=1)]


def _simulate(policies: list[tuple[Policy, str]], params: dict) -> dict:
    if "ResourcePolicy" in params or params.get("OrderedOrganizationPolicyInputList"):
        raise errors.InvalidInput("This service does not evaluate resource or organization policies;"
                                  " simulate identity policies only.")
    caller = params.get("CallerArn")
    if caller is not None and not _USER_ARN.match(caller):
        raise errors.InvalidInput(f"Invalid CallerArn {caller}: only the ARN of an IAM user can be the caller.")
    boundaries = _inputs(params.get("PermissionsBoundaryPolicyInputList", []),
                         "PermissionsBoundaryPolicyInputList", "boundary")
    texts = {(policy.kind, policy.name): text for policy, text in policies + boundaries}
    context = _context(params.get("ContextEntries", []))
    results = []
    try:
        for action in params["ActionNames"]:
            per_resource = []
            for resource in params.get("ResourceArns") or ["*"]:
                evaluation = evaluate([p for p, _ in policies], Request(action, resource, context),
                                      session_policies=[p for p, _ in boundaries] if boundaries else None)
                per_resource.append(_result(evaluation, action, resource, texts, bool(boundaries)))
            results.append(_aggregate(action, per_resource))
    except errors.MalformedPolicyDocument as refused:
        raise errors.InvalidInput(refused.message) from None
    return _page(results, params)


def _page(results: list[dict], params: dict) -> dict:
    start = 0
    if "Marker" in params:
        if not params["Marker"].isdigit():
            raise errors.InvalidInput("Invalid Marker.")
        start = int(params["Marker"])
    limit = params.get("MaxItems", 1000)
    page = {"EvaluationResults": results[start:start + limit], "IsTruncated": start + limit < len(results)}
    if page["IsTruncated"]:
        page["Marker"] = str(start + limit)
    return page


def _excludes(rule: dict, policy: Policy, role_name: str) -> bool:
    """Whether one ``PolicyIdentifier`` of ``PolicyExclusionList`` names this inline role policy."""
    if sum(key in rule for key in ("PolicyType", "PolicyArn", "InlinePolicyIdentifier")) != 1:
        raise errors.InvalidInput("Specify exactly one of PolicyType, PolicyArn or InlinePolicyIdentifier.")
    if "PolicyType" in rule:
        return rule["PolicyType"] == "inline"
    inline = rule.get("InlinePolicyIdentifier")
    if inline is None:
        return False  # a managed-policy ARN: not an inline policy
    if inline.get("AttachmentType", "role") != "role" or inline.get("PolicyName") != policy.name:
        return False
    return glob_match(inline.get("AttachmentName", "*"), role_name)


def simulate_custom_policy(ctx: RequestContext, params: dict) -> dict:
    return _simulate(_inputs(params["PolicyInputList"], "PolicyInputList", "none"), params)


def simulate_principal_policy(ctx: RequestContext, params: dict) -> dict:
    arn = params["PolicySourceArn"]
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[2] != "iam" or "/" not in parts[5]:
        raise errors.InvalidInput(f"Invalid ARN: {arn}")
    kind, name = parts[5].split("/", 1)[0], parts[5].rsplit("/", 1)[1]
    role = find_role(ctx.store, arn) if kind == "role" else None
    if role is None:
        raise errors.NoSuchEntity(f"The {kind} with name {name} cannot be found.")
    exclusions = params.get("PolicyExclusionList", [])
    policies = [(p, t) for p, t in principal_policies(ctx, role["name"])
                if not any(_excludes(rule, p, role["name"]) for rule in exclusions)]
    return _simulate(policies + _inputs(params.get("PolicyInputList", []), "PolicyInputList", "none"), params)


ACTIONS: dict[str, Callable[[RequestContext, dict], dict]] = {
    "SimulateCustomPolicy": simulate_custom_policy,
    "SimulatePrincipalPolicy": simulate_principal_policy,
}
