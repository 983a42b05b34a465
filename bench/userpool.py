"""What a user-pool sign-in costs: the SRP proof on this machine, and whole runs with SRP against the password flow.

The **SRP client** alone: ``flows.srp.SrpProof`` — the private value, ``A = g^a mod N`` and the
``PASSWORD_VERIFIER`` answer (two 3072-bit modular exponentiations, HKDF, HMAC) — per sign-in. Then **whole
runs** (``flows.run.SignInRun``: InitiateAuth [+ RespondToAuthChallenge], GetId, GetCredentialsForIdentity,
DescribeIdentity, GetCallerIdentity) on moto server's cognito-idp and an embedded service trusting it by
``provider_endpoints``, for ``USER_SRP_AUTH`` and — the named baseline, in the same run — ``USER_PASSWORD_AUTH``
(one user-pool call, no proof). Medians and p95 over ``--rounds`` runs each, after one warm-up.
Run: ``python3 dev.py bench userpool`` (or ``.venv/bin/python bench/userpool.py --rounds 20``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import boto3
import httpx

from cognito_desk.admin.trust import cognito_trust_policy
from cognito_desk.aws import CognitoIdentityClient, CognitoIdpClient, Endpoint, StsClient, custom_endpoints
from cognito_desk.aws.credentials import StaticCredentials
from cognito_desk.aws.endpoints import COGNITO_IDP
from cognito_desk.flows.clients import ProviderClient, ProviderKind
from cognito_desk.flows.run import RunRequest, SignInRun
from cognito_desk.flows.srp import SrpProof
from cognito_desk.flows.userpool import UserPoolSignIn
from cognito_desk.settings import Secret

PASSWORD = "Bench-passw0rd!"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{url}/moto-api/", timeout=1.0)
            return process, url
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("moto server did not start") from None
            time.sleep(0.2)


def srp_proof_ms(rounds: int) -> list[float]:
    challenge = {"USER_ID_FOR_SRP": "bench-user", "SALT": "5c1a9e07d3b2f1e4a6c8", "SRP_B": "ab" * 384,
                 "SECRET_BLOCK": "c2VjcmV0IGJsb2Nr"}
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        proof = SrpProof("us-east-1_Bench1", "client", "bench-user", PASSWORD)
        proof.answer({**challenge, "SRP_B": proof.srp_a})
        times.append((time.perf_counter() - started) * 1000)
    return times


def summary(name: str, times: list[float]) -> str:
    p95 = sorted(times)[max(0, round(len(times) * 0.95) - 1)]
    return f"{name:<34} median {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   (n={len(times)})"


async def runs(service, moto_url: str, pool_id: str, client: ProviderClient, rounds: int) -> dict[str, list[float]]:
    endpoints = custom_endpoints(service.url, "us-east-1")
    credentials = StaticCredentials(service.settings.access_key_id, service.settings.secret_access_key)
    results: dict[str, list[float]] = {"srp": [], "password": []}
    async with httpx.AsyncClient() as http:
        clients = type("Clients", (), {})()
        clients.http = http
        clients.identity = CognitoIdentityClient(http, endpoints.cognito_identity, credentials)
        clients.sts = StsClient(http, endpoints.sts, credentials)
        clients.cognito_idp = CognitoIdpClient(http, Endpoint(moto_url, "us-east-1", COGNITO_IDP), credentials)
        for round_number in range(rounds + 1):
            for flow in ("srp", "password"):
                request = RunRequest(pool_id, replace(client, auth_flow=flow, username="bench-user"),
                                     user_pool=UserPoolSignIn(Secret(PASSWORD)))
                started = time.perf_counter()
                result = await SignInRun(clients).run(request)
                elapsed = (time.perf_counter() - started) * 1000
                if not result.ok:
                    raise SystemExit(f"the {flow} sign-in failed: {result.failure}")
                if round_number:  # the first round warms caches (JWKS, connections)
                    results[flow].append(elapsed)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from cognito_desk.service.context import ServiceSettings
    from cognito_desk.service.server import ServiceThread

    print(summary("SRP proof (client side only)", srp_proof_ms(max(args.rounds, 20))))
    moto, moto_url = start_moto()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            service = ServiceThread(Path(tmp), ServiceSettings(provider_endpoints={"cognito-idp": moto_url})).start()
            try:
                idp = boto3.client("cognito-idp", endpoint_url=moto_url, region_name="us-east-1",
                                   aws_access_key_id="bench", aws_secret_access_key="bench")
                user_pool = idp.create_user_pool(PoolName="bench")["UserPool"]["Id"]
                app = idp.create_user_pool_client(UserPoolId=user_pool, ClientName="bench", ExplicitAuthFlows=[
                    "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
                idp.admin_create_user(UserPoolId=user_pool, Username="bench-user", MessageAction="SUPPRESS")
                idp.admin_set_user_password(UserPoolId=user_pool, Username="bench-user", Password=PASSWORD,
                                            Permanent=True)
                ci = boto3.client("cognito-identity", endpoint_url=service.url, region_name="us-east-1",
                                  aws_access_key_id=service.settings.access_key_id,
                                  aws_secret_access_key=service.settings.secret_access_key)
                iam = boto3.client("iam", endpoint_url=service.url, region_name="us-east-1",
                                   aws_access_key_id=service.settings.access_key_id,
                                   aws_secret_access_key=service.settings.secret_access_key)
                provider = f"cognito-idp.us-east-1.amazonaws.com/{user_pool}"
                pool_id = ci.create_identity_pool(IdentityPoolName="bench", AllowUnauthenticatedIdentities=False,
                                                  CognitoIdentityProviders=[{"ProviderName": provider,
                                                                             "ClientId": app}])["IdentityPoolId"]
                role = iam.create_role(RoleName="bench-auth", AssumeRolePolicyDocument=json.dumps(
                    cognito_trust_policy(pool_id, "authenticated")))["Role"]["Arn"]
                ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"authenticated": role})
                client = ProviderClient("bench", "users", ProviderKind.USER_POOL_PASSWORD, user_pool_id=user_pool,
                                        client_id=app)
                results = asyncio.run(runs(service, moto_url, pool_id, client, args.rounds))
            finally:
                service.stop()
    finally:
        moto.terminate()
        moto.wait(10)
    print(summary("whole run, USER_PASSWORD_AUTH (baseline)", results["password"]))
    print(summary("whole run, USER_SRP_AUTH", results["srp"]))
    extra = statistics.median(results["srp"]) - statistics.median(results["password"])
    print(f"SRP costs {extra:+.1f} ms per sign-in over the password flow (median), one more user-pool call "
          "and the proof.")


if __name__ == "__main__":
    main()
