"""``cognito-desk pools export|import``: the pool export and import without the desktop app.

``pools export POOL_ID`` prints the export document (or, with ``--format cloudformation``, the
CloudFormation template) on stdout; ``pools import FILE`` (``-`` for stdin) prints the preview — what will be
created, how ARNs are mapped, warnings — then creates the pool and its roles and prints the new pool ID on
stdout, or stops after the preview with ``--dry-run``. A failure midway rolls back what was created unless
``--keep-partial``. Both run against a named connection (``--connection``, default the active one) or any
endpoint URL signed with the environment's AWS credentials (``--endpoint``, ``--region``). Failures print
the plain-language explanation and exit 1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TextIO

from ..backend.connection import connected
from ..core import errors
from ..settings.documents import DocumentError, load_json, read_document_text
from .cloudformation import cloudformation_template
from .failures import describe_failure
from .provision import ProvisioningFailed, provision, roll_back
from .transfer import export_pool, plan_import


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _fail(error: BaseException) -> int:
    report = describe_failure(error)
    _say(f"cognito-desk: {report.title}. {report.cause}" + (f" {report.fix}" if report.fix else ""))
    if report.raw:
        _say("  " + report.raw.replace("\n", "\n  "))
    return 1


async def _export(args: argparse.Namespace, out: TextIO) -> int:
    async with connected(args.connection, endpoint=args.endpoint, region=args.region) as conn:
        document = await export_pool(conn, args.pool_id)
    for part, why in document.get("Unavailable", {}).items():
        _say(f"warning: {part} is not in the export: {why}")
    result = cloudformation_template(document) if args.format == "cloudformation" else document
    json.dump(result, out, indent=2)
    out.write("\n")
    return 0


def _read(path: str) -> dict:
    return load_json(read_document_text(path, "pool export"), path)


async def _import(args: argparse.Namespace, out: TextIO) -> int:
    try:
        document = _read(args.file)
    except DocumentError as exc:
        _say(f"cognito-desk: {exc}")
        return 1
    async with connected(args.connection, endpoint=args.endpoint, region=args.region) as conn:
        preview = await plan_import(document, conn, name=args.name)
        _say(f"Import into {conn.name} ({conn.endpoint_url}):")
        for label, value in preview.rows:
            _say(f"  {label}: {value}")
        for source, target in preview.arn_mapping.items():
            if source != target:
                _say(f"  {source} -> {target}")
        for warning in preview.warnings:
            _say(f"warning: {warning}")
        if args.dry_run:
            return 0
        try:
            created = await provision(conn.identity, conn.iam, preview.provisioning, lambda step: _say(f"{step}…"))
        except ProvisioningFailed as failure:
            _say(f"cognito-desk: {failure}")
            if not args.keep_partial:
                left = await roll_back(conn.identity, conn.iam, failure.created)
                _say("Rolled back." if not left else "Could not roll back: " + "; ".join(left))
            return 1
    print(created.pool["IdentityPoolId"], file=out)
    return 0


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run ``pools export`` or ``pools import`` as parsed by the ``cognito-desk`` parser."""
    action = _export if args.pools_command == "export" else _import
    try:
        return asyncio.run(action(args, out or sys.stdout))
    except KeyError as exc:  # an unknown connection name
        _say(f"cognito-desk: {exc.args[0]}")
        return 2
    except (errors.CognitoDeskError, ValueError) as exc:
        return _fail(exc)
