"""Export a pool as one JSON document, and plan its import into any connection (duplicate included).

The document's parts are exactly what the AWS CLI prints (and the matching ``set``/``create`` calls accept),
each under the name of the command: ``describe-identity-pool``, ``get-identity-pool-roles``,
``get-principal-tag-attribute-map`` (one answer per provider that has a map), ``list-tags-for-resource`` and
``get-role`` (one answer per role the pool uses, trust policy included), plus ``ExportedFrom`` (endpoint,
region, account) and ``Unavailable`` (parts the backend could not answer, with its error). Timestamps are
ISO 8601 strings, as the CLI prints them.

:func:`plan_import` turns a document into an :class:`ImportPreview`: every ARN of the source account mapped
to the target account, each exported role either reused (a role of that name exists there; a warning when
its trust policy would not admit the new pool) or created again with its trust policy pointed at the new
pool, and the :class:`~cognito_desk.admin.provision.Provisioning` that
:func:`~cognito_desk.admin.provision.provision` executes. :func:`plan_duplicate` is an export followed by
an import into the same connection, under a new name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..backend.connection import Connection
from ..core import errors
from ..core.policy import evaluate_trust_policy
from ..core.providers import COGNITO_PROVIDER
from .diff import map_leaves
from .provision import NewRole, Provisioning, new_role_ref

FORMAT = "cognito-desk/identity-pool-export"
VERSION = 1
_IAM_ARN = re.compile(r"arn:(?P<partition>[\w-]+):iam::(?P<account>\d{12}):(?P<rest>.+)")
#: A pool ID that no real pool has: how a reused role's trust policy is tried against "the new pool".
_PROBE_POOL = "us-east-1:00000000-0000-4000-8000-000000000000"


class NotAnExport(errors.CognitoDeskError):
    """The document is not a pool export this version can read."""


def _cli_timestamp(value: Any) -> Any:
    """A datetime as the AWS CLI prints it (ISO 8601 UTC, ``…T12:00:00Z``); anything else unchanged."""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat(timespec="microseconds" if value.microsecond else "seconds")
        return text.replace("+00:00", "Z")
    return value


def provider_names(pool: dict[str, Any]) -> list[str]:
    """Every identity provider name of a pool, as ``GetPrincipalTagAttributeMap`` takes them."""
    return [*(pool.get("SupportedLoginProviders") or {}),
            *(p["ProviderName"] for p in pool.get("CognitoIdentityProviders") or []),
            *pool_provider_arns(pool)]


def role_arns(roles_answer: dict[str, Any] | None) -> list[str]:
    """Every role ARN a ``GetIdentityPoolRoles`` answer names: default roles, then rule roles (no repeats)."""
    if not roles_answer:
        return []
    found = list(roles_answer.get("Roles", {}).values())
    for mapping in roles_answer.get("RoleMappings", {}).values():
        found += [rule["RoleARN"] for rule in (mapping.get("RulesConfiguration") or {}).get("Rules", [])]
    return list(dict.fromkeys(found))


async def export_pool(conn: Connection, pool_id: str) -> dict[str, Any]:
    """The export document of one pool (``describe-identity-pool`` must succeed; other parts may be unavailable)."""
    identity = conn.identity
    caller = await conn.sts.get_caller_identity()
    account, partition = caller["Account"], caller["Arn"].split(":")[1]
    described = await identity.describe_identity_pool(identity_pool_id=pool_id)
    document: dict[str, Any] = {
        "Format": FORMAT, "Version": VERSION,
        "ExportedFrom": {"Endpoint": conn.endpoint_url, "Region": conn.region, "Account": account},
        "describe-identity-pool": described,
    }
    unavailable: dict[str, str] = {}

    async def part(name: str, call) -> Any:
        try:
            return await call
        except errors.AwsError as exc:
            unavailable[name] = str(exc)
            return None

    roles_answer = await part("get-identity-pool-roles", identity.get_identity_pool_roles(identity_pool_id=pool_id))
    if roles_answer is not None:
        document["get-identity-pool-roles"] = roles_answer
    tag_maps = []
    for provider in provider_names(described):
        answer = await part(f"get-principal-tag-attribute-map {provider}", identity.get_principal_tag_attribute_map(
            identity_pool_id=pool_id, identity_provider_name=provider))
        if answer and (answer.get("UseDefaults") or answer.get("PrincipalTags")):
            tag_maps.append(answer)
    document["get-principal-tag-attribute-map"] = tag_maps
    pool_arn = f"arn:{partition}:cognito-identity:{conn.region}:{account}:identitypool/{pool_id}"
    tags = await part("list-tags-for-resource", identity.list_tags_for_resource(resource_arn=pool_arn))
    if tags is not None:
        document["list-tags-for-resource"] = tags
    roles = []
    for arn in role_arns(roles_answer):
        name = arn.rsplit("/", 1)[1]
        answer = await part(f"get-role {name}", conn.iam.get_role(role_name=name))
        if answer is not None:
            roles.append(answer)
    document["get-role"] = roles
    if unavailable:
        document["Unavailable"] = unavailable
    return map_leaves(document, _cli_timestamp)


def check_document(document: Any) -> dict[str, Any]:
    """The document if it is a pool export this version reads; :class:`NotAnExport` saying why otherwise."""
    if not isinstance(document, dict) or document.get("Format") != FORMAT:
        raise NotAnExport(f"This is not an identity pool export (its \"Format\" is not \"{FORMAT}\").")
    if document.get("Version") != VERSION:
        raise NotAnExport(f"Export version {document.get('Version')!r} is not supported (this app reads "
                          f"version {VERSION}).")
    pool = document.get("describe-identity-pool")
    if not isinstance(pool, dict) or "IdentityPoolName" not in pool:
        raise NotAnExport("The export has no \"describe-identity-pool\" part with an IdentityPoolName.")
    return document


def map_accounts(value: Any, source: str, target: str, partition: str) -> Any:
    """``value`` with every IAM ARN of account ``source`` moved to account ``target`` (and ``partition``)."""
    def move(leaf: Any) -> Any:
        found = _IAM_ARN.fullmatch(leaf) if isinstance(leaf, str) else None
        if found and found["account"] == source:
            return f"arn:{partition}:iam::{target}:{found['rest']}"
        return leaf
    return map_leaves(value, move)


@dataclass
class ImportPreview:
    """What an import will do: rows to show, the ARN mapping, warnings, and the provisioning to run."""

    provisioning: Provisioning
    rows: list[tuple[str, str]] = field(default_factory=list)
    arn_mapping: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _retarget_trust(policy: Any, source_pool: str) -> Any:
    text = json.dumps(policy)
    return lambda pool_id: json.loads(text.replace(json.dumps(source_pool)[1:-1], pool_id))


def _admits_new_pool(policy: Any, amr: str) -> bool:
    context = {f"{COGNITO_PROVIDER}:aud": _PROBE_POOL, f"{COGNITO_PROVIDER}:amr": [amr]}
    try:
        return evaluate_trust_policy(policy, federated_principal=COGNITO_PROVIDER,
                                     action="sts:AssumeRoleWithWebIdentity", context=context).allowed
    except errors.AwsError:
        return False


async def _existing_role(conn: Connection, name: str) -> dict[str, Any] | None:
    try:
        return (await conn.iam.get_role(role_name=name))["Role"]
    except errors.NoSuchEntity:
        return None


async def plan_import(document: dict[str, Any], conn: Connection, *, name: str | None = None,
                      role_suffix: str | None = None) -> ImportPreview:
    """Plan creating the exported pool in ``conn``; ``role_suffix`` creates every role anew as name+suffix."""
    check_document(document)
    caller = await conn.sts.get_caller_identity()
    target, partition = caller["Account"], caller["Arn"].split(":")[1]
    source = document.get("ExportedFrom", {}).get("Account", target)
    mapped = map_accounts(document, source, target, partition)
    pool = mapped["describe-identity-pool"]
    source_pool = document["describe-identity-pool"].get("IdentityPoolId", "")
    request = {key: value for key, value in pool.items() if key != "IdentityPoolId" and value is not None}
    request["IdentityPoolName"] = name or pool["IdentityPoolName"]
    tags = {**(pool.get("IdentityPoolTags") or {}), **(mapped.get("list-tags-for-resource") or {}).get("Tags", {})}
    if tags:
        request["IdentityPoolTags"] = tags
    preview = ImportPreview(Provisioning(request))
    preview.rows.append(("Identity pool", f"create “{request['IdentityPoolName']}”"))
    originals = [answer["Role"]["Arn"] for answer in document.get("get-role", [])]
    preview.arn_mapping = {arn: map_accounts(arn, source, target, partition)
                           for arn in [*role_arns(document.get("get-identity-pool-roles")),
                                       *pool_provider_arns(document["describe-identity-pool"])]}
    kinds = {arn: kind for kind, arn in (mapped.get("get-identity-pool-roles") or {}).get("Roles", {}).items()}
    replacements: dict[str, str] = {}
    for original, answer in zip(originals, mapped.get("get-role", []), strict=True):
        role = answer["Role"]
        arn = map_accounts(original, source, target, partition)
        new_name = role["RoleName"] + role_suffix if role_suffix else role["RoleName"]
        existing = None if role_suffix else await _existing_role(conn, new_name)
        if existing is not None:
            preview.rows.append(("IAM role", f"use existing {existing['Arn']}"))
            amr = kinds.get(arn, "authenticated")
            if not _admits_new_pool(existing.get("AssumeRolePolicyDocument", {}), amr):
                preview.warnings.append(f"Role {new_name} exists and its trust policy does not admit the new pool: "
                                        "sign-ins will be refused until its trust policy names the new pool ID.")
            replacements[arn] = existing["Arn"]
            continue
        key = f"role-{len(preview.provisioning.new_roles)}"
        preview.provisioning.new_roles.append(NewRole(
            key, new_name[:64], _retarget_trust(role.get("AssumeRolePolicyDocument", {}), source_pool),
            path=role.get("Path"), description=role.get("Description"),
            max_session_duration=role.get("MaxSessionDuration")))
        preview.rows.append(("IAM role", f"create {new_name[:64]} (trust policy pointed at the new pool)"))
        replacements[arn] = new_role_ref(key)
        preview.arn_mapping[original] = f"new role {new_name[:64]}"
    roles_answer = mapped.get("get-identity-pool-roles") or {}
    preview.provisioning.roles = _replace(roles_answer.get("Roles", {}), replacements)
    preview.provisioning.role_mappings = _replace(roles_answer.get("RoleMappings", {}), replacements)
    for arn in role_arns(roles_answer):
        if arn not in replacements:
            preview.warnings.append(f"Role {arn} was not exported; the pool will name it as it is.")
    preview.provisioning.principal_tags = mapped.get("get-principal-tag-attribute-map", [])
    preview.rows += [("Principal tags", answer["IdentityProviderName"])
                     for answer in preview.provisioning.principal_tags]
    preview.warnings += await _missing_providers(conn, pool)
    if "Unavailable" in document:
        preview.warnings += [f"The export lacks {part}: {why}" for part, why in document["Unavailable"].items()]
    return preview


def pool_provider_arns(pool: dict[str, Any]) -> list[str]:
    return [*(pool.get("OpenIdConnectProviderARNs") or []), *(pool.get("SamlProviderARNs") or [])]


def _replace(value: Any, replacements: dict[str, str]) -> Any:
    return map_leaves(value, lambda leaf: replacements.get(leaf, leaf) if isinstance(leaf, str) else leaf)


async def _missing_providers(conn: Connection, pool: dict[str, Any]) -> list[str]:
    wanted = pool_provider_arns(pool)
    if not wanted:
        return []
    known: set[str] = set()
    try:
        known |= {p["Arn"] for p in (await conn.iam.list_open_id_connect_providers()).get(
            "OpenIDConnectProviderList", [])}
        known |= {p["Arn"] for p in (await conn.iam.list_saml_providers()).get("SAMLProviderList", [])}
    except errors.AwsError as exc:
        return [f"Could not list the target's IAM identity providers ({exc}); provider ARNs were not checked."]
    return [f"IAM identity provider {arn} does not exist in the target account: create it before signing in."
            for arn in wanted if arn not in known]


async def plan_duplicate(conn: Connection, pool_id: str, name: str, *, copy_roles: bool = False) -> ImportPreview:
    """Plan a copy of a pool in the same connection (new roles named ``<role>-copy`` when ``copy_roles``)."""
    return await plan_import(await export_pool(conn, pool_id), conn, name=name,
                             role_suffix="-copy" if copy_roles else None)
