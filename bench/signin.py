"""The sign-in benchmark: cognito-desk against moto and a bare-uvicorn floor, guests and federated users, in one run.

One guest sign-in is ``GetId`` then ``GetCredentialsForIdentity`` with the returned id. The three
targets, ``cognito-desk serve`` in a subprocess, ``python -m moto.server`` and ``bench/floor.py``
(the least work any Python service could do), are started first; each gets an identity pool
allowing guests with an unauthenticated role (an IAM role trusting the pool, through boto3; moto
does not implement ``SetIdentityPoolRoles`` and needs none) and signs one guest in with boto3.
Then, for 1, 16 and 64 connections, wrk with ``bench/signin.lua`` drives each target in turn (a
warm-up run, then a measured one; floor and cognito-desk back to back, idle targets waiting), so
the compared figures come from the same minutes. It prints sign-ins/s, requests/s, p50/p99 request
latency and errors per point, the ratios to the floor, and PASS/FAIL for the issue's target
(cognito-desk at least 40% of the floor's sign-ins/s at 16 connections, with no cognito-desk
errors at any point), and writes everything to ``bench/results/<timestamp>.json``.

The ``cognito-desk-auth`` target measures authenticated sign-ins on the same cognito-desk process: the
same two calls with ``Logins`` carrying a real RS256 id_token of a local OpenID provider
(``bench/issuer.py``; cognito-desk fetches its discovery document and JWKS once and caches them), set
up and checked with boto3 as ``bench/federated.py`` describes, driven by ``bench/signin_auth.lua``
right after cognito-desk's guest point at each connection count. Each measured point replays pre-minted
tokens of ``--users`` users new to the service, round-robin: their first sign-ins create identities and
link logins, the rest are repeat sign-ins (the split is reported). wrk runs one thread per connection
there (the script must pair each GetId answer with the token it sent); the same guest load measured that
way gives 5-10% fewer sign-ins/s than with two threads, so ``auth/guest`` errs a few % low. Its target:
authenticated sign-ins/s at least 70% of the guest rate at 16 connections, with no errors.

Usage (with the project's venv Python; needs Debian's ``wrk``: ``apt-get install -y wrk``)::

    python bench/signin.py [--duration 10] [--warmup 2] [--connections 1,16,64] [--users 2000]
                           [--targets cognito-desk,cognito-desk-auth,moto,floor] [--no-pin]

On a machine with two cores or more the server is pinned to CPU 1 and wrk to CPU 0 (``--no-pin``
lets the kernel place them). Absolute rates move a lot with other work on the machine: each point
also records the server's CPU per sign-in and the CPU other processes used meanwhile (a note is
printed when that was significant); the ratios are what the target judges. The exit status
is 0 even when the target is missed (this is a measurement); it is 1 if a target failed to start
or to sign a guest (or user) in, 2 if wrk is missing or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import boto3
import federated
from botocore.config import Config
from issuer import Issuer

BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
REGION = "us-east-1"
TARGET_RATIO = 0.40
AUTH_TARGET_RATIO = 0.70
TARGET_CONNECTIONS = 16
AUTH = "cognito-desk-auth"
TARGETS = ("cognito-desk", AUTH, "moto", "floor")
RUN_ORDER = ("floor", "cognito-desk", AUTH, "moto")  # the pairs compared by the targets run back to back
SERVER_CPU, WRK_CPU = 1, 0
RESULT_PREFIX = "SIGNIN-RESULT "
BUSY_CORES = 0.2  # CPU (in cores) used by other processes during a point above which a note is printed


class StartFailure(Exception):
    """A target did not start, or could not be set up for guest sign-ins."""


@dataclass
class Point:
    """One measured run of one target at one connection count."""

    target: str
    connections: int
    seconds: float
    signins: int
    requests: int
    errors: int
    non_2xx: int
    malformed: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p99_ms: float
    max_ms: float
    #: CPU seconds the server process used during the run (None where /proc is missing).
    server_cpu_s: float | None
    #: CPU seconds all other processes (but wrk) used meanwhile: other work sharing the machine.
    other_cpu_s: float | None
    #: authenticated sign-ins only: how many were a user's first (identity created, login linked).
    first_signins: int | None = None

    @property
    def signins_per_s(self) -> float:
        return self.signins / self.seconds

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_us_per_signin(self) -> float | None:
        """Server CPU per sign-in: unlike the rates, barely moved by other load on the machine."""
        if self.server_cpu_s is None or not self.signins:
            return None
        return self.server_cpu_s / self.signins * 1e6


@dataclass
class Endpoint:
    """A started target: its URL, the pool to sign guests (or users) into, its process and how to stop it."""

    url: str
    pool_id: str
    pid: int
    stop: Callable[[], None]
    #: cognito-desk only: its admin access key id and secret.
    admin_key: tuple[str, str] | None = None
    #: authenticated sign-ins only: the OpenID provider, and the token file per run (see federated.py).
    issuer: Issuer | None = None
    tokens: dict[str, Path] | None = None


def _pinned(cpu: int | None) -> Callable[[], None] | None:
    return None if cpu is None else (lambda: os.sched_setaffinity(0, {cpu}))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(command: list[str], workdir: Path, cpu: int | None,
            env: dict | None = None) -> tuple[subprocess.Popen, Path, Path]:
    out, err = workdir / "stdout.log", workdir / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        try:
            process = subprocess.Popen(command, stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                       preexec_fn=_pinned(cpu), env=env)
        except OSError as exc:
            raise StartFailure(f"cannot run {command[0]}: {exc.strerror}") from exc
    return process, out, err


def _stopper(process: subprocess.Popen) -> Callable[[], None]:
    def stop() -> None:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    return stop


def _wait_for(ready: Callable[[], str | None], process: subprocess.Popen, err: Path, what: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        found = ready()
        if found:
            return found
        if process.poll() is not None:
            tail = err.read_text(errors="replace")[-2000:]
            raise StartFailure(f"{what} exited with status {process.returncode}:\n{tail}")
        time.sleep(0.05)
    _stopper(process)()
    raise StartFailure(f"{what} did not start within 30 s")


def _announced(stdout: Path) -> Callable[[], str | None]:
    """A probe for the URL a server prints on stdout once listening (``… listening on <url>``)."""
    def probe() -> str | None:
        found = re.search(r"listening on (http://\S+)", stdout.read_text(errors="replace"))
        return found.group(1) if found else None
    return probe


def _answering(url: str) -> Callable[[], str | None]:
    def probe() -> str | None:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return url
        except urllib.error.HTTPError:
            return url
        except OSError:
            return None
    return probe


def _clients(url: str, key: str, secret: str) -> tuple:
    session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name=REGION)
    config = Config(retries={"max_attempts": 1})
    return (session.client("cognito-identity", endpoint_url=url, config=config),
            session.client("iam", endpoint_url=url, config=config))


def _guest_pool(url: str, key: str, secret: str, *, set_roles: bool = True) -> str:
    """Create a pool allowing guests, with an unauthenticated role trusting it; return its id.

    ``set_roles=False`` skips ``SetIdentityPoolRoles``, which moto does not implement (it answers
    500); moto hands out credentials without a role anyway.
    """
    identity, iam = _clients(url, key, secret)
    pool_id = identity.create_identity_pool(IdentityPoolName="signin_bench",
                                            AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    trust = federated.trust_policy(pool_id, "unauthenticated")
    role_arn = iam.create_role(RoleName="signin-bench-guest", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    if set_roles:
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": role_arn})
    return pool_id


def _check_signin(url: str, pool_id: str, name: str) -> None:
    """Sign one guest in with boto3 (unsigned calls), so wrk measures a working path."""
    identity, _ = _clients(url, "AKIDBENCHCHECK", "bench-check-secret")
    try:
        identity_id = identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
        answer = identity.get_credentials_for_identity(IdentityId=identity_id)
    except Exception as exc:
        raise StartFailure(f"{name}: a guest sign-in with boto3 failed: {exc}") from exc
    if answer["IdentityId"] != identity_id or not answer["Credentials"].get("SessionToken"):
        raise StartFailure(f"{name}: GetCredentialsForIdentity answered {answer!r}")


def start_cognito_desk(workdir: Path, cpu: int | None) -> Endpoint:
    data = workdir / "data"
    env = {name: value for name, value in os.environ.items() if not name.startswith("COGNITO_DESK_")}
    process, out, err = _launch([str(VENV_BIN / "cognito-desk"), "serve", "--port", "0",
                                 "--data-dir", str(data)], workdir, cpu, env)

    try:
        url = _wait_for(_announced(out), process, err, "cognito-desk")
        key_lines = subprocess.run([str(VENV_BIN / "cognito-desk"), "admin-key", "--data-dir", str(data)],
                                   capture_output=True, text=True, check=True, env=env).stdout
        keys = dict(line.split("=", 1) for line in key_lines.splitlines() if "=" in line)
        admin_key = keys["AWS_ACCESS_KEY_ID"], keys["AWS_SECRET_ACCESS_KEY"]
        pool_id = _guest_pool(url, *admin_key)
    except StartFailure:
        raise
    except Exception as exc:
        _stopper(process)()
        raise StartFailure(f"cognito-desk: setting up a guest pool failed: {exc}") from exc
    return Endpoint(url, pool_id, process.pid, _stopper(process), admin_key=admin_key)


def start_cognito_desk_auth(desk: Endpoint, workdir: Path, users: int, connections: list[int],
                            stack: contextlib.ExitStack) -> Endpoint:
    """Authenticated sign-ins on the running cognito-desk ``desk``: provider, pool, roles, check, tokens."""
    issuer = stack.enter_context(Issuer())
    try:
        identity, iam = _clients(desk.url, *desk.admin_key)
        pool_id = federated.create_auth_pool(identity, iam, issuer)
        unsigned, _ = _clients(desk.url, "AKIDBENCHCHECK", "bench-check-secret")
        federated.check_auth_signin(unsigned, pool_id, issuer)
    except Exception as exc:
        raise StartFailure(f"{AUTH}: an authenticated sign-in with boto3 failed: {exc}") from exc
    tokens = federated.mint_token_sets(issuer, workdir, users, connections)
    return Endpoint(desk.url, pool_id, desk.pid, desk.stop, issuer=issuer, tokens=tokens)


def start_moto(workdir: Path, cpu: int | None) -> Endpoint:
    port = _free_port()
    process, _, err = _launch([sys.executable, "-m", "moto.server", "-p", str(port)], workdir, cpu)
    try:
        url = _wait_for(_answering(f"http://127.0.0.1:{port}/moto-api/"), process, err, "moto")
        url = url.removesuffix("/moto-api/")
        pool_id = _guest_pool(url, "testing", "testing", set_roles=False)
    except StartFailure:
        raise
    except Exception as exc:
        _stopper(process)()
        raise StartFailure(f"moto: setting up a guest pool failed: {exc}") from exc
    return Endpoint(url, pool_id, process.pid, _stopper(process))


def start_floor(workdir: Path, cpu: int | None) -> Endpoint:
    process, out, err = _launch([sys.executable, str(BENCH / "floor.py")], workdir, cpu)

    url = _wait_for(_announced(out), process, err, "floor")
    return Endpoint(url, f"{REGION}:00000000-0000-4000-8000-000000000000", process.pid, _stopper(process))


STARTERS = {"cognito-desk": start_cognito_desk, "moto": start_moto, "floor": start_floor}


def run_wrk(endpoint: Endpoint, connections: int, seconds: float, cpu: int | None, warmup: bool = False) -> dict:
    """Run wrk once; authenticated sign-ins use one thread per connection and the run's token file."""
    script, threads = "signin.lua", min(connections, 2)
    env = {**os.environ, "SIGNIN_POOL_ID": endpoint.pool_id, "SIGNIN_BENCH_DIR": str(BENCH)}
    if endpoint.tokens is not None:
        script, threads = "signin_auth.lua", connections
        env.update(SIGNIN_LOGIN_KEY=endpoint.issuer.login_key, SIGNIN_THREADS=str(threads),
                   SIGNIN_TOKENS=str(endpoint.tokens[federated.WARMUP if warmup else str(connections)]))
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds:g}s",
               "--latency", "-s", str(BENCH / script), endpoint.url + "/"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, preexec_fn=_pinned(cpu),
                          timeout=seconds + 60)
    line = next((line for line in done.stdout.splitlines() if line.startswith(RESULT_PREFIX)), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed (status {done.returncode}):\n{done.stdout}{done.stderr}")
    return json.loads(line[len(RESULT_PREFIX):])


def _busy_seconds() -> float | None:
    """CPU seconds all processors have spent busy since boot, from /proc/stat; None off Linux."""
    try:
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (all its threads) from /proc; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(name: str, endpoint: Endpoint, connections: int, args: argparse.Namespace,
            cpu: int | None) -> Point:
    if args.warmup > 0:
        run_wrk(endpoint, connections, args.warmup, cpu, warmup=True)
    before = (_cpu_seconds(endpoint.pid), _busy_seconds(), _children_cpu_seconds())
    raw = run_wrk(endpoint, connections, args.duration, cpu)
    after = (_cpu_seconds(endpoint.pid), _busy_seconds(), _children_cpu_seconds())
    server_cpu = other_cpu = None
    if None not in before and None not in after:
        server_cpu = after[0] - before[0]
        other_cpu = max(0.0, (after[1] - before[1]) - server_cpu - (after[2] - before[2]))
    errors = raw["non_2xx"] + raw["malformed"] + raw["socket_errors"] + raw["timeouts"]
    return Point(target=name, connections=connections, seconds=raw["duration_us"] / 1e6,
                 signins=raw["signins"], requests=raw["requests"], errors=errors, non_2xx=raw["non_2xx"],
                 malformed=raw["malformed"], socket_errors=raw["socket_errors"], timeouts=raw["timeouts"],
                 p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000, max_ms=raw["max_us"] / 1000,
                 server_cpu_s=server_cpu, other_cpu_s=other_cpu, first_signins=raw.get("first_signins"))


def start_targets(args: argparse.Namespace, workdir: Path, pin: bool,
                  stack: contextlib.ExitStack) -> tuple[dict[str, Endpoint], dict[str, str]]:
    """Start and check every target (stopped when ``stack`` closes); report those that failed.

    ``cognito-desk-auth`` uses the cognito-desk process, started for it if ``cognito-desk`` is not a target.
    """
    endpoints: dict[str, Endpoint] = {}
    failures: dict[str, str] = {}
    names = sorted(args.targets, key=TARGETS.index)
    for name in names:
        folder = workdir / name
        folder.mkdir()
        try:
            if name == AUTH:
                if "cognito-desk" in failures:
                    raise StartFailure("needs cognito-desk, which failed to start")
                desk = endpoints.get("cognito-desk") or _started("cognito-desk", workdir / "cognito-desk",
                                                                 pin, stack)
                endpoint = start_cognito_desk_auth(desk, folder, args.users, args.connections, stack)
            else:
                endpoint = _started(name, folder, pin, stack)
        except StartFailure as exc:
            failures[name] = str(exc)
            print(f"  {name}: FAILED TO START: {exc}", file=sys.stderr, flush=True)
            continue
        endpoints[name] = endpoint
    return endpoints, failures


def _started(name: str, folder: Path, pin: bool, stack: contextlib.ExitStack) -> Endpoint:
    folder.mkdir(exist_ok=True)
    endpoint = STARTERS[name](folder, SERVER_CPU if pin else None)
    stack.callback(endpoint.stop)
    _check_signin(endpoint.url, endpoint.pool_id, name)
    return endpoint


def sweep(endpoints: dict[str, Endpoint], args: argparse.Namespace, pin: bool) -> list[Point]:
    """Measure every connection count on every target, the targets back to back (idle ones wait)."""
    points = []
    for connections in args.connections:
        for name in sorted(endpoints, key=RUN_ORDER.index):
            point = measure(name, endpoints[name], connections, args, WRK_CPU if pin else None)
            print(f"  {name:<17} {connections:>3} connections: {point.signins_per_s:>9,.0f} sign-ins/s, "
                  f"{point.errors} errors", flush=True)
            points.append(point)
    return sorted(points, key=lambda p: (TARGETS.index(p.target), p.connections))


def ratios(points: list[Point]) -> dict[str, dict[int, float]]:
    """Sign-ins/s of cognito-desk and moto over the floor's, and of authenticated over guest sign-ins on
    cognito-desk ("auth/guest"); and the same from server CPU per sign-in."""
    by = {(p.target, p.connections): p for p in points}
    out: dict[str, dict[int, float]] = {}
    for (target, connections), point in by.items():
        name, base = ("auth/guest", by.get(("cognito-desk", connections))) if target == AUTH else (
            f"{target}/floor", by.get(("floor", connections)))
        if target == "floor" or base is None:
            continue
        if base.signins:
            out.setdefault(name, {})[connections] = point.signins_per_s / base.signins_per_s
        if point.cpu_us_per_signin and base.cpu_us_per_signin:
            out.setdefault(f"{name} by CPU", {})[connections] = base.cpu_us_per_signin / point.cpu_us_per_signin
    return dict(sorted(out.items(), key=lambda item: (item[0].endswith("CPU"), item[0])))


def verdict(points: list[Point], shares: dict[str, dict[int, float]]) -> tuple[str, str]:
    share = shares.get("cognito-desk/floor", {}).get(TARGET_CONNECTIONS)
    if share is None:
        return "NOT EVALUATED", (f"needs cognito-desk and floor at {TARGET_CONNECTIONS} connections "
                                 "in the same run")
    errors = sum(p.errors for p in points if p.target == "cognito-desk")
    passed = share >= TARGET_RATIO and errors == 0
    return ("PASS" if passed else "FAIL",
            f"cognito-desk at {TARGET_CONNECTIONS} connections = {share:.0%} of the floor's sign-ins/s "
            f"(target >= {TARGET_RATIO:.0%}), {errors} cognito-desk errors (target 0)")


def auth_verdict(points: list[Point], shares: dict[str, dict[int, float]]) -> tuple[str, str]:
    share = shares.get("auth/guest", {}).get(TARGET_CONNECTIONS)
    if share is None:
        return "NOT EVALUATED", (f"needs cognito-desk and {AUTH} at {TARGET_CONNECTIONS} connections "
                                 "in the same run")
    errors = sum(p.errors for p in points if p.target == AUTH)
    passed = share >= AUTH_TARGET_RATIO and errors == 0
    return ("PASS" if passed else "FAIL",
            f"authenticated sign-ins at {TARGET_CONNECTIONS} connections = {share:.0%} of the guest sign-ins/s "
            f"(target >= {AUTH_TARGET_RATIO:.0%}), {errors} {AUTH} errors (target 0)")


def auth_summary(points: list[Point], endpoint: Endpoint | None, users: int) -> dict | None:
    """The mix of first and repeat authenticated sign-ins per point, and what the issuer served."""
    if endpoint is None:
        return None
    return {"users_per_point": users, "login_key": endpoint.issuer.login_key,
            "issuer_documents_served": dict(endpoint.issuer.served),
            "first_signins": {p.connections: p.first_signins for p in points if p.target == AUTH},
            "repeat_signins": {p.connections: p.signins - p.first_signins for p in points
                               if p.target == AUTH and p.first_signins is not None}}


def report(points: list[Point], shares: dict[str, dict[int, float]], statuses: list[tuple[str, str]],
           auth: dict | None) -> None:
    print(f"\n{'target':<18}{'conns':>6}{'sign-ins/s':>12}{'requests/s':>12}{'p50 ms':>9}{'p99 ms':>9}"
          f"{'errors':>8}{'CPU us/sign-in':>16}{'others':>8}")
    for p in points:
        cpu = "-" if p.cpu_us_per_signin is None else f"{p.cpu_us_per_signin:,.0f}"
        others = "-" if p.other_cpu_s is None else f"{p.other_cpu_s / p.seconds:.2f}"
        print(f"{p.target:<18}{p.connections:>6}{p.signins_per_s:>12,.0f}{p.requests_per_s:>12,.0f}"
              f"{p.p50_ms:>9.2f}{p.p99_ms:>9.2f}{p.errors:>8}{cpu:>16}{others:>8}")
    busy = [p for p in points if p.other_cpu_s is not None and p.other_cpu_s / p.seconds > BUSY_CORES]
    if busy:
        print(f"note: other processes used more than {BUSY_CORES} of a core during {len(busy)} point(s) "
              "('others', in cores):\n  those rates are low; the CPU per sign-in is the steadier figure")
    if shares:
        print()
        for name, by_connections in shares.items():
            cells = ", ".join(f"{c} conns {r:.1%}" for c, r in sorted(by_connections.items()))
            print(f"{name:<26} {cells}")
    if auth:
        mix = ", ".join(f"{c} conns {first:,} of {first + auth['repeat_signins'][c]:,}"
                        for c, first in auth["first_signins"].items() if first is not None)
        served = ", ".join(f"{path} {n}x" for path, n in auth["issuer_documents_served"].items())
        print(f"\n{'auth first sign-ins':<26} {mix}\n"
              f"  ({auth['users_per_point']:,} users new to the service per point, round-robin; the other "
              "sign-ins repeat)\n"
              f"  the issuer served, in the whole run: {served or 'nothing'}")
    print()
    for status in statuses:
        print(f"{status[0]}: {status[1]}")


def save(points: list[Point], shares: dict, statuses: list[tuple[str, str]], auth: dict | None,
         failures: dict[str, str], args: argparse.Namespace, pin: bool, started: datetime.datetime) -> Path:
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout.splitlines()
    document = {
        "started": started.isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version(), "wrk": wrk_version[0] if wrk_version else None},
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup, "pinned": pin,
                     "connections": args.connections, "targets": args.targets, "users": args.users},
        "points": [{**asdict(p), "signins_per_s": p.signins_per_s, "requests_per_s": p.requests_per_s,
                    "cpu_us_per_signin": p.cpu_us_per_signin} for p in points],
        "busy_cores_note_above": BUSY_CORES,
        "ratios": shares,
        "target": {"status": statuses[0][0], "detail": statuses[0][1]},
        "auth_target": {"status": statuses[1][0], "detail": statuses[1][1]},
        "auth": auth,
        "failed_to_start": failures,
    }
    folder = BENCH / "results"
    folder.mkdir(exist_ok=True)
    path = folder / f"{started.strftime('%Y%m%dT%H%M%S')}.json"
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def _parser() -> argparse.ArgumentParser:
    def listing(text: str) -> list[str]:
        return [item.strip() for item in text.split(",") if item.strip()]

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds measured per point (default 10)")
    parser.add_argument("--warmup", type=float, default=2,
                        help="warm-up seconds before each point (default 2)")
    parser.add_argument("--connections", type=lambda text: [int(c) for c in listing(text)],
                        default=[1, 16, 64], help="comma-separated connection counts (default 1,16,64)")
    parser.add_argument("--targets", type=listing, default=list(TARGETS),
                        help=f"comma-separated targets (default {','.join(TARGETS)})")
    parser.add_argument("--users", type=int, default=2000,
                        help=f"distinct users per {AUTH} point, at least the connections (default 2000)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the server and wrk to CPUs")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    unknown = sorted(set(args.targets) - set(TARGETS))
    if (unknown or not args.targets or not args.connections or min(args.connections) < 1
            or args.users < max(args.connections, default=1)):
        print(f"signin bench: targets must be among {', '.join(TARGETS)}; connections must be >= 1; "
              "users must be >= the connections", file=sys.stderr)
        return 2
    if shutil.which("wrk") is None:
        print("signin bench: the load generator wrk is not installed.\n"
              "  Debian/Ubuntu: sudo apt-get install -y wrk    macOS: brew install wrk\n"
              "  (python3 dev.py bench installs it for you)", file=sys.stderr)
        return 2
    pin = not args.no_pin and (os.cpu_count() or 1) >= 2
    started = datetime.datetime.now()
    seconds = len(args.targets) * len(args.connections) * (args.duration + args.warmup)
    print(f"sign-in benchmark: {', '.join(args.targets)} at {args.connections} connections, "
          f"{args.duration:g} s per point after {args.warmup:g} s warm-up (~{seconds:.0f} s of load"
          f"{', server on CPU 1, wrk on CPU 0' if pin else ''})", flush=True)
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="signin-bench-")))
        endpoints, failures = start_targets(args, workdir, pin, stack)
        points = sweep(endpoints, args, pin)
    shares = ratios(points)
    statuses = [verdict(points, shares), auth_verdict(points, shares)]
    auth = auth_summary(points, endpoints.get(AUTH), args.users)
    report(points, shares, statuses if AUTH in args.targets else statuses[:1], auth)
    path = save(points, shares, statuses, auth, failures, args, pin, started)
    print(f"results written to {path.relative_to(BENCH.parent)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
