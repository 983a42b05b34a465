"""The trust-policy lint (cognito_desk.core.trust_lint): each finding, its line, and a fix that passes STS."""

from __future__ import annotations

import json

import pytest

from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.core.policy import evaluate_trust_policy
from cognito_desk.core.trust_lint import Finding, fix_all, format_policy, lint_trust_policy

POOL = "us-east-1:00000000-0000-0000-0000-000000000000"
OTHER_POOL = "us-east-1:11111111-1111-1111-1111-111111111111"
COGNITO = "cognito-identity.amazonaws.com"
AUD, AMR = f"{COGNITO}:aud", f"{COGNITO}:amr"
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


def standard(slot: str = "authenticated", tags: bool = False) -> dict:
    return cognito_trust_policy(POOL, slot, tag_session=tags)


def context(slot: str) -> dict:
    amr = ["authenticated", "accounts.google.com", "accounts.google.com:123"] if slot == "authenticated" \
        else ["unauthenticated"]
    return {AUD: POOL, AMR: amr, f"{COGNITO}:sub": "us-east-1:abc"}


def sts_allows(document: dict, slot: str, tags: bool = False) -> bool:
    """What the service's trust check decides for this pool's caller in ``slot`` (tags: sts:TagSession too)."""
    ok = evaluate_trust_policy(document, federated_principal=COGNITO, action=WEB_IDENTITY,
                               context=context(slot)).allowed
    if tags:
        ok = ok and evaluate_trust_policy(document, federated_principal=COGNITO, action="sts:TagSession",
                                          context={**context(slot), "aws:TagKeys": ["username"]}).allowed
    return ok


def lint(document: dict, slot: str = "authenticated", tags: bool = False) -> list[Finding]:
    return lint_trust_policy(document, pool_id=POOL, slot=slot, uses_principal_tags=tags,
                             standard_policy=standard(slot, tags))


def only(findings: list[Finding], code: str) -> Finding:
    assert [f.code for f in findings] == [code], [(f.code, f.message) for f in findings]
    return findings[0]


def line_of(document: dict, text: str) -> int:
    """1-based line of the first formatted line containing ``text``."""
    return next(n for n, line in enumerate(format_policy(document).splitlines(), 1) if text in line)


def statement(document: dict) -> dict:
    return document["Statement"][0]


@pytest.mark.parametrize("slot", ["authenticated", "unauthenticated"])
def test_the_standard_policy_is_clean(slot):
    assert lint(standard(slot, tags=True), slot, tags=True) == []
    assert lint(standard(slot), slot) == []


def test_another_pools_aud_is_flagged_on_its_line_and_fixed():
    document = standard()
    statement(document)["Condition"]["StringEquals"][AUD] = OTHER_POOL
    assert not sts_allows(document, "authenticated")
    finding = only(lint(document), "wrong-aud")
    assert finding.severity == "error"
    assert finding.line == line_of(document, OTHER_POOL)
    assert OTHER_POOL in finding.message and POOL in finding.message
    assert sts_allows(finding.fix, "authenticated")
    assert lint(finding.fix) == []


def test_no_aud_trusts_every_pool():
    document = standard()
    del statement(document)["Condition"]["StringEquals"]
    assert sts_allows(document, "authenticated")  # works — for every pool in the world
    finding = only(lint(document), "missing-aud")
    assert "EVERY identity pool" in finding.message
    assert statement(finding.fix)["Condition"]["StringEquals"] == {AUD: POOL}
    assert lint(finding.fix) == []


def test_aud_lint_without_a_known_pool_only_warns_about_a_missing_aud():
    document = standard()
    assert lint_trust_policy(document, slot="authenticated") == []
    del statement(document)["Condition"]["StringEquals"]
    finding = only(lint_trust_policy(document, slot="authenticated"), "missing-aud")
    assert finding.severity == "warning" and finding.fix is None


def test_a_guest_role_used_as_the_authenticated_role():
    document = standard("unauthenticated")
    assert not sts_allows(document, "authenticated")
    finding = only(lint(document, "authenticated"), "wrong-amr")
    assert finding.line == line_of(document, AMR)
    assert "'authenticated'" in finding.message and "'unauthenticated'" in finding.message
    assert sts_allows(finding.fix, "authenticated") and not sts_allows(finding.fix, "unauthenticated")


def test_missing_amr_lets_guests_in():
    document = standard()
    del statement(document)["Condition"]["ForAnyValue:StringLike"]
    assert sts_allows(document, "unauthenticated")
    finding = only(lint(document), "missing-amr")
    assert finding.severity == "warning"
    assert not sts_allows(finding.fix, "unauthenticated") and sts_allows(finding.fix, "authenticated")


def test_string_equals_on_amr_wants_a_set_operator():
    document = standard()
    condition = statement(document)["Condition"]
    condition["StringEquals"][AMR] = condition.pop("ForAnyValue:StringLike")[AMR]
    finding = only(lint(document), "amr-single-value-operator")
    assert finding.line == line_of(document, '"StringEquals"')
    assert "ForAnyValue:StringLike" in finding.message
    assert statement(finding.fix)["Condition"] == {"StringEquals": {AUD: POOL},
                                                   "ForAnyValue:StringLike": {AMR: "authenticated"}}


def test_sts_assume_role_instead_of_web_identity():
    document = standard()
    statement(document)["Action"] = ["sts:AssumeRole", "sts:TagSession"]
    assert not sts_allows(document, "authenticated")
    finding = only(lint(document), "assume-role-action")
    assert finding.line == line_of(document, '"Action"')
    assert statement(finding.fix)["Action"] == [WEB_IDENTITY, "sts:TagSession"]
    assert sts_allows(finding.fix, "authenticated")


def test_an_action_without_web_identity():
    document = standard()
    statement(document)["Action"] = "sts:TagSession"
    finding = only(lint(document), "no-web-identity")
    assert sts_allows(finding.fix, "authenticated")


def test_the_amazon_com_typo():
    document = standard()
    statement(document)["Principal"] = {"Federated": "cognito-identity.amazon.com"}
    assert not sts_allows(document, "authenticated")
    finding = only(lint(document), "principal-typo")
    assert finding.line == line_of(document, '"Principal"')
    assert sts_allows(finding.fix, "authenticated")


def test_an_account_principal_with_cognito_conditions():
    document = standard()
    statement(document)["Principal"] = {"AWS": "arn:aws:iam::123456789012:root"}
    assert not sts_allows(document, "authenticated")
    finding = only(lint(document), "account-principal")
    assert "AWS account" in finding.message
    assert sts_allows(finding.fix, "authenticated")


def test_a_policy_for_an_account_only_has_no_cognito_statement():
    document = {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {
        "AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}}
    findings = lint(document)
    assert [f.code for f in findings] == ["no-cognito-statement", "account-principal"]  # in line order
    fix = findings[0].fix
    assert fix["Statement"][0] == document["Statement"]  # the account's statement is kept
    assert sts_allows(fix, "authenticated") and [f.code for f in lint(fix)] == ["account-principal"]
    assert lint_trust_policy(document, pool_id=POOL, slot="authenticated")[0].fix is None  # no standard given


def test_missing_tag_session_when_the_pool_maps_principal_tags():
    document = standard(tags=False)
    assert lint(document) == []
    assert not sts_allows(document, "authenticated", tags=True)
    finding = only(lint(document, tags=True), "missing-tag-session")
    assert sts_allows(finding.fix, "authenticated", tags=True)


def test_statements_for_other_principals_and_denies_are_left_alone():
    document = standard()
    document["Statement"].append({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                  "Action": "sts:AssumeRole"})
    document["Statement"].append({"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRole"})
    assert lint(document) == []


def test_a_malformed_document_is_one_finding_with_iams_message():
    findings = lint_trust_policy("{not json", pool_id=POOL, slot="authenticated")
    assert findings == [Finding("malformed", "error", 1, "MalformedPolicyDocument: Syntax errors in policy.")]
    findings = lint_trust_policy({"Statement": [{"Effect": "Allow", "Action": WEB_IDENTITY}]})
    assert findings[0].message == "MalformedPolicyDocument: Missing required field Principal"


def test_text_documents_and_a_bad_slot():
    assert lint_trust_policy(json.dumps(standard()), pool_id=POOL, slot="authenticated") == []
    with pytest.raises(ValueError, match="slot"):
        lint_trust_policy(standard(), slot="guest")


def test_fix_all_turns_the_worst_policy_into_a_working_one():
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazon.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {AUD: OTHER_POOL, AMR: "unauthenticated"}}}]}
    options = {"pool_id": POOL, "slot": "authenticated", "uses_principal_tags": True}
    assert [f.code for f in lint_trust_policy(document, **options)] == [
        "principal-typo", "assume-role-action", "missing-tag-session", "wrong-aud", "wrong-amr"]
    fixed = fix_all(document, **options)
    assert lint_trust_policy(fixed, **options) == []
    assert sts_allows(fixed, "authenticated", tags=True)
    assert document["Statement"][0]["Action"] == "sts:AssumeRole"  # the input is not changed


def test_line_numbers_follow_the_formatted_text_for_a_single_statement_object():
    document = {"Version": "2012-10-17", "Statement": {**statement(standard())}}
    document["Statement"]["Condition"] = {"StringEquals": {AUD: OTHER_POOL},
                                          "ForAnyValue:StringLike": {AMR: "authenticated"}}
    finding = only(lint(document), "wrong-aud")
    assert format_policy(document).splitlines()[finding.line - 1].strip().startswith(f'"{AUD}"')
