"""``cognito-desk --self-test``: prove an installed copy works, one line per check, exit 0 only if it does.

Owns the checks and their order: the bundled resources are there; the data, settings and log
directories lie outside the install directory; every module of the package imports (a bundle missing a
module fails here, not in front of a user); the embedded service starts on a temporary data
directory; a guest signs in through the client layer (``cognito_desk.aws``: a pool and its guest role
are created, ``GetId`` → ``GetCredentialsForIdentity``, then STS ``GetCallerIdentity`` with the vended
keys must name that role); QtWebEngine loads a page from a loopback server and its title is read; the
keyring backend is reported (a missing keyring is a warning, not a failure). Every check is
*required* except the keyring. This module is Qt-free; the QtWebEngine check lives in
``cognito_desk.ui.selftest_web`` and is loaded by name only when it runs, after the offscreen platform
and Chromium's flags are set (the Chromium sandbox is left as the environment has it and reported).
"""

from __future__ import annotations

import asyncio
import http.server
import importlib
import os
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .diagnostics import AppPaths, keyring_backend_name

__all__ = ["Check", "guest_sign_in", "run_self_test"]

#: Resource files the app cannot show its window without.
REQUIRED_RESOURCES = ("icons/cognito-desk.svg",)
WEB_CHECK_MODULE = "cognito_desk.ui.selftest_web"
WEB_TIMEOUT_SECONDS = 45.0


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str
    required: bool = True

    def line(self) -> str:
        status = "PASS" if self.passed else ("FAIL" if self.required else "WARN")
        return f"{status} {self.name}: {self.detail}"


def check_resources(paths: AppPaths) -> Check:
    missing = [name for name in REQUIRED_RESOURCES if not (paths.resources / name).is_file()]
    if missing:
        return Check("resources", False, f"missing in {paths.resources}: {', '.join(missing)}")
    return Check("resources", True, f"{paths.resources}")


#: Libraries the app imports only when a feature is used (a bundle must carry them all the same): the SRP
#: arithmetic of user-pool sign-ins (which imports boto3 and requests) and TOTP codes for scenarios.
LAZY_LIBRARIES = ("pycognito.aws_srp", "pyotp")


def check_modules() -> Check:
    """Every module of the package imports, and the lazily imported libraries (in a bundle: nothing the freezer
    missed or left out)."""
    import pkgutil

    from . import __path__ as package_path

    failed: list[str] = []
    names = [info.name for info in pkgutil.walk_packages(package_path, "cognito_desk.",
                                                         onerror=lambda name: failed.append(name))
             if not info.name.endswith(".__main__")] + list(LAZY_LIBRARIES)
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # the report names each failure instead of stopping at the first
            failed.append(f"{name} ({type(exc).__name__}: {exc})")
    if failed:
        return Check("modules", False, f"{len(failed)} of {len(names)} do not import: {'; '.join(failed[:5])}")
    return Check("modules", True, f"all {len(names)} import")


def check_paths(paths: AppPaths) -> Check:
    inside = paths.inside_install()
    if inside:
        return Check("paths", False, f"{', '.join(inside)} directory inside the install directory {paths.install}")
    where = ", ".join(f"{name} {path}" for name, path in paths.writable().items())
    return Check("paths", True, f"install {paths.install}; {where}")


async def guest_sign_in(url: str, region: str, access_key_id: str, secret_access_key: str) -> tuple[str, str]:
    """Sign a guest in on a backend: returns (identity id, assumed-role ARN from STS GetCallerIdentity)."""
    import httpx

    from .admin.trust import cognito_trust_policy
    from .aws import CognitoIdentityClient, IamClient, StsClient, custom_endpoints
    from .aws.credentials import StaticCredentials

    endpoints = custom_endpoints(url, region)
    admin = StaticCredentials(access_key_id, secret_access_key)
    async with httpx.AsyncClient() as http:
        identity = CognitoIdentityClient(http, endpoints.cognito_identity, admin)
        iam = IamClient(http, endpoints.iam, admin)
        pool_id = (await identity.create_identity_pool(identity_pool_name="self-test",
                                                       allow_unauthenticated_identities=True))["IdentityPoolId"]
        role = await iam.create_role(role_name=f"cognito-desk-self-test-{pool_id.rsplit('-', 1)[-1]}",
                                     assume_role_policy_document=cognito_trust_policy(pool_id, "unauthenticated"))
        await identity.set_identity_pool_roles(identity_pool_id=pool_id,
                                               roles={"unauthenticated": role["Role"]["Arn"]})
        identity_id = (await identity.get_id(identity_pool_id=pool_id))["IdentityId"]
        vended = (await identity.get_credentials_for_identity(identity_id=identity_id))["Credentials"]
        guest = StaticCredentials(vended["AccessKeyId"], vended["SecretKey"], vended["SessionToken"])
        caller = await StsClient(http, endpoints.sts, guest).get_caller_identity()
    expected = f":assumed-role/{role['Role']['RoleName']}/"
    if expected not in caller["Arn"]:
        raise AssertionError(f"STS says the guest is {caller['Arn']}, not the pool's guest role")
    return identity_id, caller["Arn"]


def check_service_and_guest(data_dir: Path) -> list[Check]:
    return asyncio.run(_service_and_guest(data_dir))


async def _service_and_guest(data_dir: Path) -> list[Check]:
    """Start the embedded service as a Local connection does (``backend.local``) and sign a guest in on it."""
    from .backend.local import LocalServices
    from .settings import LocalProfile

    services = LocalServices()
    started = time.perf_counter()
    profile = LocalProfile("self-test", data_dir=str(data_dir))
    try:
        service = await services.attach(profile)
    except Exception as exc:  # the report is the product here: name the failure, don't raise
        return [Check("embedded service", False, f"did not start: {type(exc).__name__}: {exc}"),
                Check("guest sign-in", False, "skipped: no service")]
    checks = [Check("embedded service", True,
                    f"{service.url} on {data_dir} in {1000 * (time.perf_counter() - started):.0f} ms")]
    try:
        started = time.perf_counter()
        identity_id, arn = await guest_sign_in(service.url, profile.region, service.access_key_id,
                                               service.secret_access_key)
        checks.append(Check("guest sign-in", True,
                            f"{identity_id} as {arn} in {1000 * (time.perf_counter() - started):.0f} ms"))
    except Exception as exc:
        checks.append(Check("guest sign-in", False, f"{type(exc).__name__}: {exc}"))
    finally:
        await asyncio.to_thread(services.stop_all)
    return checks


def check_keyring() -> Check:
    from .settings.secrets import KeyringSecrets, KeyringUnavailable

    try:
        name = keyring_backend_name()
        KeyringSecrets().check()
    except KeyringUnavailable as exc:
        return Check("keyring", False, f"{exc.cause} (secrets can be kept for the session only)", required=False)
    except Exception as exc:
        return Check("keyring", False, f"{type(exc).__name__}: {exc}", required=False)
    return Check("keyring", True, name)


class _TitlePage(http.server.BaseHTTPRequestHandler):
    title = ""

    def do_GET(self) -> None:
        body = f"<!doctype html><html><head><title>{self.title}</title></head><body>ok</body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def title_page() -> Iterator[tuple[str, str]]:
    """A loopback HTTP server with one page whose title is random: yields (url, title)."""
    title = f"cognito-desk self-test {secrets.token_hex(4)}"
    handler = type("TitlePage", (_TitlePage,), {"title": title})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="self-test-page", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/self-test", title
    finally:
        server.shutdown()
        server.server_close()


def check_web_engine() -> list[Check]:
    """Load the QtWebEngine check by name (the only Qt in the self-test) and run it on a loopback page."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if "--disable-gpu" not in flags.split():
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --disable-gpu".strip()
    try:
        web = importlib.import_module(WEB_CHECK_MODULE)
    except ImportError as exc:
        return [Check("web engine", False, f"QtWebEngine cannot be loaded: {exc}")]
    with title_page() as (url, title):
        return web.check_page_title(url, title, WEB_TIMEOUT_SECONDS)


def run_self_test(out: TextIO = sys.stdout, web_check: Callable[[], list[Check]] = check_web_engine) -> int:
    """Run every check, print one line each as it finishes; 0 when every required check passed, else 1."""
    from . import __version__

    paths = AppPaths.current()
    print(f"cognito-desk {__version__} self-test ({'bundle' if paths.frozen else 'source'}, "
          f"Python {sys.version.split()[0]}, {sys.platform})", file=out, flush=True)
    checks: list[Check] = []

    def report(*done: Check) -> None:
        for check in done:
            checks.append(check)
            print(check.line(), file=out, flush=True)

    report(check_resources(paths), check_paths(paths), check_modules())
    with tempfile.TemporaryDirectory(prefix="cognito-desk-self-test-") as data_dir:
        report(*check_service_and_guest(Path(data_dir)))
    report(*web_check())
    report(check_keyring())
    failed = [check.name for check in checks if check.required and not check.passed]
    print(f"self-test {'failed: ' + ', '.join(failed) if failed else 'passed'} "
          f"({sum(c.passed for c in checks)} of {len(checks)} checks passed)", file=out, flush=True)
    return 1 if failed else 0
