"""cognito-desk: the desktop app for Amazon Cognito identity pools (no command, or a .cdpool/.cdscenario file to
open), its embedded service (serve, admin-key) and the headless pools and scenarios commands.

Arguments are parsed before anything heavy is imported, so ``--help`` and ``--version`` are
instant and nothing here imports Qt. Without a subcommand the command opens the desktop app
(``cognito_desk.ui.app``) — or, where there is no display, says so in one line and points to ``serve``.
The whole command line is parsed here, the desktop app's too: it takes only files to open, and an unknown
option is an error with the usage. Qt gets none of the user's arguments (no ``-platformpluginpath``, no
``-platform``: code from another directory is never loaded because of a command line).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__

if TYPE_CHECKING:
    import argparse


SUBCOMMANDS = ("serve", "admin-key", "pools", "scenarios")
TOP_OPTIONS = ("-h", "--help", "--version", "--self-test")
OPENABLE_SUFFIXES = (".cdpool", ".cdscenario", ".json", ".toml")


def default_data_dir() -> Path:
    from .settings.paths import default_data_dir as shared_default

    return shared_default()


def _parser() -> argparse.ArgumentParser:
    import argparse  # not before it is needed: the desktop app starts without it

    parser = argparse.ArgumentParser(prog="cognito-desk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"cognito-desk {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation (service, guest sign-in, web engine, keyring) and exit")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the embedded Cognito Identity / STS / IAM service")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7766, help="port (default 7766; 0 picks a free one)")
    serve.add_argument("--data-dir", type=Path, default=None, help="where the SQLite database and keys live")
    serve.add_argument("--region", default="us-east-1", help="region of the service (default us-east-1)")
    serve.add_argument("--account-id", default="000000000000", help="account id (default 000000000000)")
    serve.add_argument("--model-status-codes", action="store_true",
                       help="answer client errors with the API model's status codes instead of AWS's 400")
    serve.add_argument("--tls-cert", type=Path, default=None, help="PEM certificate (chain): serve HTTPS")
    serve.add_argument("--tls-key", type=Path, default=None, help="PEM private key of --tls-cert")
    serve.add_argument("--public-url", default=None,
                       help="the URL clients use when a proxy sits in front (for the OpenID discovery document)")
    serve.add_argument("--notes", action=argparse.BooleanOptionalAction, default=None,
                       help="send the decision-notes header (default: only when listening on loopback)")
    serve.add_argument("--quotas", default="off", metavar="aws|off|FILE",
                       help="enforce request-rate quotas: AWS's defaults, none (default), or a TOML quota file")
    serve.add_argument("--user-pool-endpoint", default=None, metavar="URL",
                       help="fetch user-pool keys from this cognito-idp server (e.g. moto server) instead of AWS")
    serve.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                       help="a web origin besides loopback ones that may read the notes header (repeatable)")
    key = sub.add_parser("admin-key", help="print the admin access key pair of a data directory")
    key.add_argument("--data-dir", type=Path, default=None)
    pools = sub.add_parser("pools", help="export or import an identity pool as JSON").add_subparsers(
        dest="pools_command", required=True)
    export = pools.add_parser("export", help="print a pool's export document (or CloudFormation template)")
    export.add_argument("pool_id")
    export.add_argument("--format", choices=("json", "cloudformation"), default="json")
    imported = pools.add_parser("import", help="create a pool (and its roles) from an export document")
    imported.add_argument("file", help="the export document; - reads stdin")
    imported.add_argument("--name", default=None, help="name of the new pool (default: the exported name)")
    imported.add_argument("--dry-run", action="store_true", help="show the preview only")
    imported.add_argument("--keep-partial", action="store_true", help="do not roll back after a failure")
    scenarios = sub.add_parser("scenarios", help="run or check saved sign-in scenarios (TOML files)").add_subparsers(
        dest="scenarios_command", required=True)
    scenario_run = scenarios.add_parser("run", help="sign in as each scenario says, headless, and check it")
    scenario_run.add_argument("--junit", type=Path, default=None, help="write a JUnit XML report here")
    scenario_run.add_argument("--html", type=Path, default=None, help="write a self-contained HTML report here")
    scenario_run.add_argument("--parallel", type=int, default=1, help="scenarios at a time (default 1)")
    scenario_run.add_argument("--timeout", type=float, default=120.0, help="seconds per scenario (default 120)")
    scenario_run.add_argument("--history", type=Path, default=None, help="run history file (default: user data)")
    scenario_check = scenarios.add_parser("check", help="validate scenario files on the connection, no sign-in")
    for command in (scenario_run, scenario_check):
        command.add_argument("paths", nargs="+", metavar="PATH", help="scenario files (.toml)")
        command.add_argument("--allow-origin", action="append", default=[], metavar="ORIGIN",
                             help="an identity provider origin (https://host[:port]; plain http only for loopback) "
                                  "the files' secret references may be sent to (repeatable; saved provider "
                                  "clients are approved already)")
    for command in (export, imported, scenario_run, scenario_check):
        command.add_argument("--connection", default=None, help="connection name (default: the active one)")
        command.add_argument("--endpoint", default=None, help="any compatible URL, signed with AWS_* variables")
        command.add_argument("--region", default="us-east-1", help="region of --endpoint (default us-east-1)")
    return parser


def _serve(args: argparse.Namespace) -> int:
    import re

    from .service import server
    from .service.context import ServiceSettings
    from .service.quotas import QuotaFileError, quota_table

    if not re.fullmatch(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", args.region):
        print(f"cognito-desk: invalid region {args.region!r} (expected e.g. us-east-1)", file=sys.stderr)
        return 2
    if not re.fullmatch(r"\d{12}", args.account_id):
        print(f"cognito-desk: invalid account id {args.account_id!r} (expected 12 digits)", file=sys.stderr)
        return 2
    if (args.tls_cert is None) != (args.tls_key is None):
        print("cognito-desk: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if args.public_url is not None and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", args.public_url):
        print(f"cognito-desk: invalid public URL {args.public_url!r} (expected e.g. https://idp.lab.example)",
              file=sys.stderr)
        return 2
    if args.user_pool_endpoint is not None and not re.fullmatch(r"https?://[^\s/?#]+/?", args.user_pool_endpoint):
        print(f"cognito-desk: invalid user pool endpoint {args.user_pool_endpoint!r} (expected e.g. "
              "http://127.0.0.1:5000)", file=sys.stderr)
        return 2
    tls = server.TlsFiles(args.tls_cert, args.tls_key) if args.tls_cert else None
    if tls is not None:
        problem = server.tls_problem(tls)
        if problem:
            print(f"cognito-desk: cannot serve HTTPS with {tls.cert} and {tls.key}: {problem}", file=sys.stderr)
            return 2
    try:
        quotas = quota_table(args.quotas)
    except QuotaFileError as exc:
        print(f"cognito-desk: --quotas {exc}", file=sys.stderr)
        return 2
    from .console import configure_logging

    configure_logging()
    data_dir = args.data_dir or default_data_dir()
    notes = server.is_loopback_host(args.host) if args.notes is None else args.notes
    try:
        settings, store, origin, lock = server.prepare(data_dir, ServiceSettings(
            region=args.region, account_id=args.account_id, model_status_codes=args.model_status_codes,
            public_url=args.public_url, notes=notes, cors_origins=tuple(args.cors_origin), quotas=quotas,
            provider_endpoints={"cognito-idp": args.user_pool_endpoint} if args.user_pool_endpoint else {}))
    except server.DataDirInUse as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        sock = server.bind(args.host, args.port)
    except OSError as exc:
        store.close()
        lock.release()
        print(f"cognito-desk: cannot listen on {args.host}:{args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    where = ("the environment" if origin == "environment"
             else f"{origin} (show it with: cognito-desk admin-key --data-dir {data_dir})")

    def announce() -> None:
        print(f"cognito-desk {__version__} listening on {server.url_of(sock, tls=tls is not None)}", flush=True)
        print(f"  region {settings.region}, account {settings.account_id}, data in {data_dir}", flush=True)
        print(f"  admin access key {settings.access_key_id}; its secret is in {where}", flush=True)
        print(f"  request quotas: {'off' if quotas is None else quotas.source}", flush=True)

    server.serve(sock, settings, store, lock, announce, tls)
    print("cognito-desk stopped", file=sys.stderr)
    return 0


def _admin_key(args: argparse.Namespace) -> int:
    from .service import server

    data_dir = args.data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    key, secret, _ = server.admin_credentials(data_dir)
    print(f"AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}")
    return 0


def _openable(argument: str) -> bool:
    """A file the desktop app opens (an exported pool, a scenario): ``cognito-desk FILE`` as the desktop runs it."""
    return Path(argument).suffix.lower() in OPENABLE_SUFFIXES and Path(argument).is_file()


def _no_display() -> str | None:
    """Why Qt could not open a window here, asked before Qt is loaded (Qt would abort the process)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set)"


def _desktop_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="cognito-desk", description="Open the desktop app, with pool exports or scenario files to open.",
        epilog=f"Other commands: {', '.join(SUBCOMMANDS)} (cognito-desk COMMAND --help).")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help=f"a pool export or scenario file to open ({', '.join(OPENABLE_SUFFIXES)})")
    return parser


def _desktop_files(argv: list[str]) -> list[str]:
    """The files ``cognito-desk FILE…`` opens; anything else (an option, a missing file) is a usage error."""
    parser = _desktop_parser()
    args = parser.parse_args(argv)
    for path in args.files:
        if not _openable(path):
            parser.error(f"{path!r} is not a pool export or scenario file to open "
                         f"({', '.join(OPENABLE_SUFFIXES)}), nor a command ({', '.join(SUBCOMMANDS)})")
    return list(args.files)


def _gui(files: list[str]) -> int:
    problem = _no_display()
    if problem:
        print(f"cognito-desk: {problem}; the desktop app needs one. To run the embedded service without a "
              "display, use: cognito-desk serve", file=sys.stderr)
        return 2
    try:
        from .ui.app import run
    except ImportError as exc:
        print(f"cognito-desk: the desktop app cannot load Qt here ({exc}). Install Qt's system libraries "
              "(see the README), or run the embedded service alone: cognito-desk serve", file=sys.stderr)
        return 2
    return run(files)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in (*SUBCOMMANDS, *TOP_OPTIONS):
        return _gui(_desktop_files(argv))  # the desktop app: files to open, nothing else, nothing for Qt
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "scenarios":
        from .scenarios.origins import OriginError, approved_origin

        try:
            for origin in args.allow_origin:
                approved_origin(origin)
        except OriginError as exc:
            parser.error(str(exc))
    if args.self_test:
        from .selftest import run_self_test

        return run_self_test()
    if args.command == "admin-key":
        return _admin_key(args)
    if args.command == "pools":
        from .admin.pools_cli import run as run_pools

        return run_pools(args)
    if args.command == "scenarios" and args.scenarios_command == "check":
        from .scenarios.cli import check

        return check(args)
    if args.command == "scenarios":
        from .ui.runner.headless import run as run_scenarios

        return run_scenarios(args)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
