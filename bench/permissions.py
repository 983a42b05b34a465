"""How fast one access check is for a role with 10 managed policies x 20 statements with conditions.

One check is what the Permissions view (and IAM ``SimulatePrincipalPolicy``) spends per action x resource:
``core.permissions.evaluate`` over all 200 statements with an explanation for each. The worst case is
measured: policy variables in every Resource, conditions on every statement (String,
ForAnyValue on ``amr``, IpAddress, Date, Numeric), the one Allow that applies is the last statement of the
last policy and a Deny with a condition that fails sits in every policy — so every statement is read to the
end. Stored documents are JSON text (parsed once, as the service reads them). The named baseline, in the
same run, is the role engine alone (``core.roles.resolve_role``, 1 mapping x 25 rules, the 25th matching).
Budget: 1 ms median per check (issue 16). Run: ``.venv/bin/python bench/permissions.py``.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from cognito_desk.core import roles
from cognito_desk.core.permissions import ALLOWED, Policy, Request, evaluate
from cognito_desk.core.permissions.identity import IdentityFacts, request_context

ACCOUNT = "123456789012"
IDENTITY = "us-east-1:0c04a1b2-0000-4000-8000-000000000001"
POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/Auth"
BUDGET_MS = 1.0
ROUNDS = 2000


def statement(p: int, s: int, last: bool) -> dict:
    """Statement ``s`` of policy ``p``: an Allow on this identity's folder of bucket ``p-s``, with conditions."""
    bucket = "photos" if last else f"bucket-{p}-{s}"
    if s % 5 == 4:
        return {"Sid": f"Deny{p}x{s}", "Effect": "Deny", "Action": "s3:*",
                "Resource": f"arn:aws:s3:::{bucket}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    return {"Sid": f"P{p}S{s}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:List*"],
            "Resource": [f"arn:aws:s3:::{bucket}/${{cognito-identity.amazonaws.com:sub}}/*",
                         f"arn:aws:s3:::{bucket}/public/*"],
            "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": POOL},
                          "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                          "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "198.51.100.0/24"]},
                          "DateLessThan": {"aws:CurrentTime": "2099-01-01T00:00:00Z"},
                          "NumericLessThanEquals": {"s3:max-keys": "1000"} if s % 2 else
                          {"aws:MultiFactorAuthAge": "86400"}}}


def role_policies(count: int = 10, statements: int = 20) -> list[Policy]:
    """The benchmark role: ``count`` managed policies of ``statements`` statements, as stored JSON text."""
    return [Policy(f"Managed{p}", json.dumps({"Version": "2012-10-17", "Statement": [
        statement(p, s, p == count - 1 and s == statements - 2) for s in range(statements)]}), "managed")
        for p in range(count)]


def identity_context() -> dict:
    facts = IdentityFacts(IDENTITY, POOL, logins=("accounts.google.com",), role_arn=ROLE,
                          role_id="AROAEXAMPLEROLEID00001", principal_tags={"team": "red"},
                          extra={"aws:SourceIp": "203.0.113.7", "aws:CurrentTime": "2026-12-07T02:00:00Z",
                                 "aws:SecureTransport": "true", "s3:max-keys": "100",
                                 "aws:MultiFactorAuthAge": "60"})
    return request_context(facts)


def role_request() -> roles.RoleRequest:
    rules = [{"Claim": f"claim{r}", "MatchType": "Equals", "Value": f"v{r}", "RoleARN": f"{ROLE}{r}"}
             for r in range(25)]
    mapping = {"Type": "Rules", "AmbiguousRoleResolution": "Deny", "RulesConfiguration": {"Rules": rules}}
    claims = {f"claim{r}": "no" for r in range(24)} | {"claim24": "v24"}
    login = roles.LoginClaims("accounts.google.com", claims, ("accounts.google.com",))
    return roles.RoleRequest("authenticated", {"authenticated": ROLE}, {"accounts.google.com": mapping}, [login])


def measure(action) -> list[float]:
    for _ in range(50):
        action()
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> float:
    ordered = sorted(times)
    median = statistics.median(times)
    print(f"{name:<52} median {median:7.3f} ms   p99 {ordered[int(len(ordered) * 0.99) - 1]:7.3f} ms")
    return median


def main() -> int:
    policies, context = role_policies(), identity_context()
    request = Request("s3:PutObject", f"arn:aws:s3:::photos/{IDENTITY}/2026/a.jpg", context)
    result = evaluate(policies, request)
    assert result.decision == ALLOWED and result.deciding[0].sid == "P9S18", result.summary
    assert len(result.statements) == 200
    role = role_request()
    assert roles.resolve_role(role).role_arn == f"{ROLE}24"
    print(f"{len(policies)} managed policies x 20 statements, {ROUNDS} rounds")
    check = report("access check (core.permissions.evaluate, explained)", measure(lambda: evaluate(policies, request)))
    report("baseline: core.roles.resolve_role (25 rules)", measure(lambda: roles.resolve_role(role)))
    verdict = "PASS" if check <= BUDGET_MS else "FAIL"
    print(f"access check median {check:.3f} ms, budget {BUDGET_MS:.1f} ms: {verdict}")
    return 0 if check <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
