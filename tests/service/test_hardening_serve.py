"""Issue 10 §5/§6 through ``cognito-desk serve``: HTTPS, notes off on a shared interface, option errors."""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
import signal
import ssl
import subprocess
import sys
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cognito_desk.service.server import admin_credentials

CLI = [sys.executable, "-m", "cognito_desk"]


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cognito-desk lab")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Served:
    def __init__(self, data_dir: Path, *extra: str) -> None:
        self.data_dir = data_dir
        self.proc = subprocess.Popen([*CLI, "serve", "--port", "0", "--data-dir", str(data_dir), *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     stdin=subprocess.DEVNULL)
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (https?://\S+)", line)
        assert match, f"unexpected first line {line!r}"
        self.url = match.group(1)

    def client(self, name: str, **kwargs):
        key, secret, _ = admin_credentials(self.data_dir)
        return boto3.session.Session().client(name, endpoint_url=self.url, region_name="us-east-1",
                                              aws_access_key_id=key, aws_secret_access_key=secret,
                                              config=Config(retries={"max_attempts": 1}), **kwargs)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.communicate(timeout=20)
        assert self.proc.returncode == 0


@pytest.fixture
def served(tmp_path):
    started: list[Served] = []

    def start(*extra: str) -> Served:
        started.append(Served(tmp_path / "data", *extra))
        return started[-1]

    yield start
    for process in started:
        if process.proc.poll() is None:
            process.stop()


def test_https_with_tls_cert_and_key(served, tmp_path):
    cert, key = self_signed(tmp_path)
    running = served("--tls-cert", str(cert), "--tls-key", str(key))
    assert running.url.startswith("https://127.0.0.1:")
    ci = running.client("cognito-identity", verify=str(cert))
    assert ci.list_identity_pools(MaxResults=1)["IdentityPools"] == []
    trusted = ssl.create_default_context(cafile=str(cert))
    assert httpx.get(running.url + "/health", verify=trusted).json() == {"status": "ok"}
    with pytest.raises(httpx.RemoteProtocolError):  # plain HTTP is not answered on the TLS port
        httpx.get(running.url.replace("https://", "http://") + "/health")


def test_notes_are_off_on_a_shared_interface_unless_asked_for(served, tmp_path):
    running = served("--host", "0.0.0.0")
    running.url = running.url.replace("0.0.0.0", "127.0.0.1")
    ci, iam = running.client("cognito-identity"), running.client("iam")
    pool_id = ci.create_identity_pool(IdentityPoolName="n", AllowUnauthenticatedIdentities=True)["IdentityPoolId"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "ec2.amazonaws.com"}}]})
    arn = iam.create_role(RoleName="untrusting", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    ci.set_identity_pool_roles(IdentityPoolId=pool_id, Roles={"unauthenticated": arn})
    identity = ci.get_id(IdentityPoolId=pool_id)["IdentityId"]
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException) as excinfo:
        ci.get_credentials_for_identity(IdentityId=identity)
    assert "x-cognito-desk-notes" not in excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]
    running.stop()

    running = served("--host", "0.0.0.0", "--notes")
    running.url = running.url.replace("0.0.0.0", "127.0.0.1")
    ci = running.client("cognito-identity")
    with pytest.raises(ci.exceptions.InvalidIdentityPoolConfigurationException) as excinfo:
        ci.get_credentials_for_identity(IdentityId=identity)
    assert "trust" in excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["x-cognito-desk-notes"]


@pytest.mark.parametrize(("extra", "message"), [
    (["--tls-cert", "c.pem"], "cognito-desk: --tls-cert and --tls-key go together\n"),
    (["--public-url", "lab.example"], "cognito-desk: invalid public URL 'lab.example' (expected e.g. "
                                      "https://idp.lab.example)\n"),
])
def test_option_mistakes_are_explained(tmp_path, extra, message):
    result = subprocess.run([*CLI, "serve", "--port", "0", "--data-dir", str(tmp_path), *extra], capture_output=True,
                            text=True, timeout=30)
    assert (result.returncode, result.stderr) == (2, message)


def test_an_unusable_certificate_is_explained_before_serving(tmp_path):
    cert, _ = self_signed(tmp_path)
    wrong = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (tmp_path / "wrong.pem").write_bytes(wrong)
    result = subprocess.run([*CLI, "serve", "--port", "0", "--data-dir", str(tmp_path / "data"), "--tls-cert",
                             str(cert), "--tls-key", str(tmp_path / "wrong.pem")], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert result.stderr.startswith(f"cognito-desk: cannot serve HTTPS with {cert} and {tmp_path / 'wrong.pem'}: ")
    assert not (tmp_path / "data").exists()  # refused before anything was opened
