"""admin.policy_templates: the documented per-identity permission templates as data."""

from __future__ import annotations

import json

import pytest

from cognito_desk.admin.policy_templates import (
    AUTHENTICATED,
    IDENTITY,
    TEMPLATES,
    UNAUTHENTICATED,
    TemplatePolicy,
    template,
)

VALUES = {"bucket": "photos.example-1", "table": "Notes", "region": "eu-west-1", "account": "123456789012"}


def resources(document: dict) -> list[str]:
    found = []
    for statement in document["Statement"]:
        value = statement["Resource"]
        found += value if isinstance(value, list) else [value]
    return found


@pytest.mark.parametrize("chosen", TEMPLATES, ids=lambda t: t.id)
def test_every_template_keys_on_the_identity_id_with_version_2012(chosen):
    document = chosen.render(VALUES, AUTHENTICATED)
    text = json.dumps(document)
    assert document["Version"] == "2012-10-17"  # without it IAM leaves ${…} unsubstituted
    assert IDENTITY in text and "cognito-idp" not in text
    assert all(statement["Effect"] == "Allow" and statement["Sid"] for statement in document["Statement"])
    assert json.loads(chosen.render_json(VALUES)) == document


def test_private_folder_grants_only_the_identity_prefix():
    document = template("s3-private-folder").render({"bucket": "photos"})
    assert resources(document) == ["arn:aws:s3:::photos", f"arn:aws:s3:::photos/{IDENTITY}/*"]
    listing = document["Statement"][0]
    assert listing["Action"] == "s3:ListBucket"
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{IDENTITY}/", f"{IDENTITY}/*"]}}


def test_amplify_layout_for_signed_in_users_and_guests():
    chosen = template("amplify-storage")
    signed_in = chosen.render({"bucket": "media"}, AUTHENTICATED)
    guest = chosen.render({"bucket": "media"}, UNAUTHENTICATED)
    assert signed_in["Statement"][0]["Resource"] == [
        "arn:aws:s3:::media/public/*", f"arn:aws:s3:::media/protected/{IDENTITY}/*",
        f"arn:aws:s3:::media/private/{IDENTITY}/*"]
    assert guest["Statement"][0]["Resource"] == ["arn:aws:s3:::media/public/*"]
    assert "arn:aws:s3:::media/uploads/*" in resources(signed_in)
    assert "arn:aws:s3:::media/uploads/*" not in resources(guest)
    assert not any("private/" in prefix for prefix in guest["Statement"][-1]["Condition"]["StringLike"]["s3:prefix"])
    assert chosen.applies_to(UNAUTHENTICATED)


def test_dynamodb_leading_keys():
    document = template("dynamodb-leading-keys").render(VALUES)
    [statement] = document["Statement"]
    assert statement["Resource"] == ["arn:aws:dynamodb:eu-west-1:123456789012:table/Notes"]
    assert statement["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [IDENTITY]}}
    assert "dynamodb:Scan" not in statement["Action"]  # a scan would read every identity's items


@pytest.mark.parametrize("template_id", ["s3-private-folder", "dynamodb-leading-keys"])
def test_per_identity_data_is_for_signed_in_identities_only(template_id):
    chosen = template(template_id)
    assert not chosen.applies_to(UNAUTHENTICATED)
    with pytest.raises(ValueError, match="grants nothing to unauthenticated identities"):
        chosen.render(VALUES, UNAUTHENTICATED)


def test_problems_name_each_bad_value():
    assert template("s3-private-folder").problems({}) == [("bucket", "S3 bucket is required.")]
    [(key, message)] = template("amplify-storage").problems({"bucket": "Bad_Bucket"})
    assert key == "bucket" and message.startswith("S3 bucket 'Bad_Bucket' is not valid: 3–63 lower-case")
    problems = template("dynamodb-leading-keys").problems({"table": "ok_table", "region": "Europe", "account": "12"})
    assert [key for key, _ in problems] == ["region", "account"]
    with pytest.raises(ValueError, match="Table region 'Europe' is not valid"):
        template("dynamodb-leading-keys").render({"table": "ok_table", "region": "Europe", "account": "1" * 12})


def test_unknown_template():
    with pytest.raises(KeyError):
        template("no-such-template")


def test_template_policy_checks_role_kind_values_and_name():
    policy = TemplatePolicy(template_id="s3-private-folder", kind=UNAUTHENTICATED, values={"bucket": "b"},
                            policy_name="bad name!")
    fields = [name for name, _ in policy.problems()]
    assert fields == ["role", "template.bucket", "kind", "policy_name"]
    assert policy.preview().startswith("// ")
    with pytest.raises(ValueError, match="Choose the role"):
        policy.request()


def test_template_policy_request_names_the_role_and_defaults_the_policy_name():
    policy = TemplatePolicy(role_arn="arn:aws:iam::123456789012:role/app/Auth", template_id="amplify-storage",
                            values={"bucket": "media"})
    assert policy.problems() == []
    request = policy.request()
    assert (request["RoleName"], request["PolicyName"]) == ("Auth", "amplify-storage")
    assert request["PolicyDocument"] == template("amplify-storage").render({"bucket": "media"})
    assert json.loads(policy.preview()) == request["PolicyDocument"]
