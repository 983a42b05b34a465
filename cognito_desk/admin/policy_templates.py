"""The documented per-identity permission templates, as data: starting points for a role's inline policy.

Each :class:`PolicyTemplate` is one pattern from AWS's identity-pool documentation, keyed on the identity
ID through the policy variable ``${cognito-identity.amazonaws.com:sub}`` (not the user pool's ``sub`` — the
classic 403), always with ``"Version": "2012-10-17"`` (without it IAM does not substitute variables):

* ``s3-private-folder`` — one private S3 folder per identity (``<bucket>/<identity ID>/…``), listing limited
  to that prefix (authenticated identities only);
* ``amplify-storage`` — the Amplify Storage layout: ``public/`` for everyone, ``protected/<identity ID>/``
  readable by all and writable by its owner, ``private/<identity ID>/`` for its owner only, ``uploads/``
  write-only; guests get the public and protected-read part;
* ``dynamodb-leading-keys`` — items of one DynamoDB table whose partition key is the identity ID
  (``dynamodb:LeadingKeys``; authenticated identities only).

:meth:`PolicyTemplate.problems` checks the user's values (bucket, table, region, account) and
:meth:`PolicyTemplate.render` gives the policy document for a role kind (``authenticated`` or
``unauthenticated``). The pool wizard and the role editor offer these; neither keeps its own copy.
:class:`TemplatePolicy` is what the role editor's "Add permissions from template…" holds — the role, the
template, its values and the inline policy name — with its problems, the JSON shown before saving and
the ``PutRolePolicy`` it sends (:func:`put_template_policy`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..aws import IamClient
from .pools import model_problems
from .role_policies import role_name_of

#: The identity ID as a policy variable (the Cognito identity, not the user pool's ``sub``).
IDENTITY = "${cognito-identity.amazonaws.com:sub}"
VERSION = "2012-10-17"
AUTHENTICATED, UNAUTHENTICATED = "authenticated", "unauthenticated"

_BUCKET = re.compile(r"(?!xn--)(?!.*-s3alias$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_TABLE = re.compile(r"[a-zA-Z0-9_.-]{3,255}")
_REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d")
_ACCOUNT = re.compile(r"\d{12}")


@dataclass(frozen=True)
class Parameter:
    """A value the user fills in: its key in ``values``, label, rule and what breaking the rule means."""

    key: str
    label: str
    pattern: re.Pattern[str]
    rule: str
    default: str = ""


BUCKET = Parameter("bucket", "S3 bucket", _BUCKET, "3–63 lower-case letters, digits, dots and hyphens, "
                   "starting and ending with a letter or digit")
TABLE = Parameter("table", "DynamoDB table", _TABLE, "3–255 letters, digits, '_', '-' and '.'")
REGION = Parameter("region", "Table region", _REGION, "a region code such as us-east-1")
ACCOUNT = Parameter("account", "Table account ID", _ACCOUNT, "the 12-digit AWS account ID")


@dataclass(frozen=True)
class PolicyTemplate:
    """One documented per-identity permissions pattern."""

    id: str
    title: str
    summary: str
    #: The inline policy name a role gets by default.
    policy_name: str
    parameters: tuple[Parameter, ...]
    build: Callable[[Mapping[str, str], str], list[dict[str, Any]] | None]

    def problems(self, values: Mapping[str, str]) -> list[tuple[str, str]]:
        """``(parameter key, message)`` for every value that is missing or malformed."""
        found = []
        for parameter in self.parameters:
            value = values.get(parameter.key, "").strip()
            if not value:
                found.append((parameter.key, f"{parameter.label} is required."))
            elif not parameter.pattern.fullmatch(value):
                found.append((parameter.key, f"{parameter.label} '{value}' is not valid: {parameter.rule}."))
        return found

    def applies_to(self, kind: str) -> bool:
        """Whether the template grants anything to a role of this kind."""
        return self.build({parameter.key: parameter.key for parameter in self.parameters}, kind) is not None

    def render(self, values: Mapping[str, str], kind: str = AUTHENTICATED) -> dict[str, Any]:
        """The policy document for a role of ``kind``; ``ValueError`` if a value is wrong or the kind gets nothing."""
        problems = self.problems(values)
        if problems:
            raise ValueError("; ".join(message for _, message in problems))
        statements = self.build({key: value.strip() for key, value in values.items()}, kind)
        if statements is None:
            raise ValueError(f"The {self.title} template grants nothing to {kind} identities.")
        return {"Version": VERSION, "Statement": statements}

    def render_json(self, values: Mapping[str, str], kind: str = AUTHENTICATED) -> str:
        """:meth:`render` as the indented JSON the editors show before saving."""
        return json.dumps(self.render(values, kind), indent=2)


def _private_folder(values: Mapping[str, str], kind: str) -> list[dict[str, Any]] | None:
    if kind != AUTHENTICATED:
        return None
    bucket = f"arn:aws:s3:::{values['bucket']}"
    return [
        {"Sid": "ListOwnFolder", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket,
         "Condition": {"StringLike": {"s3:prefix": [f"{IDENTITY}/", f"{IDENTITY}/*"]}}},
        {"Sid": "ReadWriteOwnFolder", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": f"{bucket}/{IDENTITY}/*"},
    ]


def _amplify_storage(values: Mapping[str, str], kind: str) -> list[dict[str, Any]]:
    bucket = f"arn:aws:s3:::{values['bucket']}"
    own = [f"{bucket}/public/*"]
    listed = ["public/", "public/*", "protected/", "protected/*"]
    if kind == AUTHENTICATED:
        own += [f"{bucket}/protected/{IDENTITY}/*", f"{bucket}/private/{IDENTITY}/*"]
        listed += [f"private/{IDENTITY}/", f"private/{IDENTITY}/*"]
    statements = [
        {"Sid": "OwnObjects", "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
         "Resource": own},
        {"Sid": "ReadProtected", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket}/protected/*"},
        {"Sid": "ListVisiblePrefixes", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket,
         "Condition": {"StringLike": {"s3:prefix": listed}}},
    ]
    if kind == AUTHENTICATED:
        statements.insert(1, {"Sid": "Uploads", "Effect": "Allow", "Action": "s3:PutObject",
                              "Resource": f"{bucket}/uploads/*"})
    return statements


def _dynamodb_leading_keys(values: Mapping[str, str], kind: str) -> list[dict[str, Any]] | None:
    if kind != AUTHENTICATED:
        return None
    table = f"arn:aws:dynamodb:{values['region']}:{values['account']}:table/{values['table']}"
    return [{
        "Sid": "OwnItems", "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                   "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
        "Resource": [table],
        "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [IDENTITY]}},
    }]


TEMPLATES: tuple[PolicyTemplate, ...] = (
    PolicyTemplate("s3-private-folder", "Private S3 folder per identity",
                   "Each identity reads, writes and lists only <bucket>/<its identity ID>/.",
                   "private-s3-folder", (BUCKET,), _private_folder),
    PolicyTemplate("amplify-storage", "Amplify Storage (public / protected / private)",
                   "public/ for all; protected/<identity ID>/ readable by all, writable by its owner; "
                   "private/<identity ID>/ for its owner only. Guests get public/ and read protected/.",
                   "amplify-storage", (BUCKET,), _amplify_storage),
    PolicyTemplate("dynamodb-leading-keys", "DynamoDB items keyed by identity",
                   "Each identity reads and writes only the items whose partition key is its identity ID.",
                   "dynamodb-own-items", (TABLE, REGION, ACCOUNT), _dynamodb_leading_keys),
)
_BY_ID = {template.id: template for template in TEMPLATES}


def template(template_id: str) -> PolicyTemplate:
    """The template with this id (``KeyError`` for an unknown one)."""
    return _BY_ID[template_id]


@dataclass
class TemplatePolicy:
    """A template to put on an existing role as an inline policy (empty ``policy_name``: the template's)."""

    role_arn: str = ""
    kind: str = AUTHENTICATED
    template_id: str = TEMPLATES[0].id
    values: dict[str, str] = field(default_factory=dict)
    policy_name: str = ""

    @property
    def template(self) -> PolicyTemplate:
        return template(self.template_id)

    @property
    def name(self) -> str:
        return self.policy_name.strip() or self.template.policy_name

    def problems(self) -> list[tuple[str, str]]:
        """``(field, message)``: ``role``, ``kind``, ``policy_name`` or ``template.<parameter>``."""
        found = [] if self.role_arn.strip() else [("role", "Choose the role to add the permissions to.")]
        found += [(f"template.{key}", message) for key, message in self.template.problems(self.values)]
        if not self.template.applies_to(self.kind):
            found.append(("kind", f"{self.template.title} grants nothing to {self.kind} identities."))
        found += [("policy_name", problem.message) for problem in model_problems(
            "PutRolePolicy", {"RoleName": "r", "PolicyName": self.name, "PolicyDocument": "{}"}, service="iam")
            if problem.member == "PolicyName"]
        return found

    def preview(self) -> str:
        """The policy JSON as it will be saved, or the first problem with the values."""
        try:
            return self.template.render_json(self.values, self.kind)
        except ValueError as exc:
            return f"// {exc}"

    def request(self) -> dict[str, Any]:
        """The ``PutRolePolicy`` request (``ValueError`` while :meth:`problems` is not empty)."""
        problems = self.problems()
        if problems:
            raise ValueError(problems[0][1])
        return {"RoleName": role_name_of(self.role_arn.strip()), "PolicyName": self.name,
                "PolicyDocument": self.template.render(self.values, self.kind)}


async def put_template_policy(iam: IamClient, policy: TemplatePolicy) -> dict[str, Any]:
    """Put the template on the role as an inline policy (replacing one of the same name); the request sent."""
    request = policy.request()
    await iam.put_role_policy(role_name=request["RoleName"], policy_name=request["PolicyName"],
                              policy_document=request["PolicyDocument"])
    return request
