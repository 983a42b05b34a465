"""The ``cognito-desk`` command: ``serve`` (the embedded service), ``admin-key``, ``--version``.

Arguments are parsed before anything heavy is imported, so ``--help`` and ``--version`` are
instant and nothing here imports Qt. Without a subcommand the command starts the embedded
service in the foreground (the desktop GUI will take this place when it lands).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__


def default_data_dir() -> Path:
    from .settings.paths import default_data_dir as shared_default

    return shared_default()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cognito-desk", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"cognito-desk {__version__}")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="run the embedded Cognito Identity / STS / IAM service")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=7766, help="port (default 7766; 0 picks a free one)")
    serve.add_argument("--data-dir", type=Path, default=None, help="where the SQLite database and keys live")
    serve.add_argument("--region", default="us-east-1", help="region of the service (default us-east-1)")
    serve.add_argument("--account-id", default="000000000000", help="account id (default 000000000000)")
    serve.add_argument("--model-status-codes", action="store_true",
                       help="answer client errors with the API model's status codes instead of AWS's 400")
    key = sub.add_parser("admin-key", help="print the admin access key pair of a data directory")
    key.add_argument("--data-dir", type=Path, default=None)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import re

    from .service import server
    from .service.context import ServiceSettings

    if not re.fullmatch(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", args.region):
        print(f"cognito-desk: invalid region {args.region!r} (expected e.g. us-east-1)", file=sys.stderr)
        return 2
    if not re.fullmatch(r"\d{12}", args.account_id):
        print(f"cognito-desk: invalid account id {args.account_id!r} (expected 12 digits)", file=sys.stderr)
        return 2
    from .console import configure_logging

    configure_logging()
    data_dir = args.data_dir or default_data_dir()
    try:
        settings, store, origin, lock = server.prepare(data_dir, ServiceSettings(
            region=args.region, account_id=args.account_id, model_status_codes=args.model_status_codes))
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
        print(f"cognito-desk {__version__} listening on {server.url_of(sock)}", flush=True)
        print(f"  region {settings.region}, account {settings.account_id}, data in {data_dir}", flush=True)
        print(f"  admin access key {settings.access_key_id}; its secret is in {where}", flush=True)

    server.serve(sock, settings, store, lock, announce)
    print("cognito-desk stopped", file=sys.stderr)
    return 0


def _admin_key(args: argparse.Namespace) -> int:
    from .service import server

    data_dir = args.data_dir or default_data_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    key, secret, _ = server.admin_credentials(data_dir)
    print(f"AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("serve", "admin-key", "-h", "--help", "--version"):
        argv = ["serve", *argv]  # no subcommand: the service (the GUI takes this place when it lands)
    args = _parser().parse_args(argv)
    if args.command == "admin-key":
        return _admin_key(args)
    return _serve(args)


if __name__ == "__main__":
    sys.exit(main())
