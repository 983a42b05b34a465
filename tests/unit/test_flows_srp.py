"""The SRP client (flows/srp.py) checked against an SRP *server* computed independently here.

moto accepts any PASSWORD_VERIFIER signature, so these tests are what keeps a broken proof from passing:
the server side below derives the session key by the other formula path — ``S = (A · v^u)^b mod N`` from
the verifier ``v = g^x``, instead of the client's ``(B − k·g^x)^(a + u·x)`` — with its own padding, hashing
and HKDF, and the signature must match byte for byte. Only the group (RFC 5054's 3072-bit N, g = 2) is shared.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from cognito_desk.flows.srp import SrpProof, secret_hash

N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF", 16)
G = 2
POOL_ID = "us-east-1_AbCdEf123"
USER_ID = "6f0c2a1e-1111-4222-8333-944445555666"
SALT = 0x5C1A9E07D3B2F1E4A6C8
SECRET_BLOCK = base64.standard_b64encode(b"server secret block \x00\x01\x02" * 4).decode()
SMALL_A = int("a1b2c3d4e5f6" * 40, 16)
SMALL_B = int("0f1e2d3c4b5a" * 40, 16)
NOW = datetime(2026, 3, 5, 7, 8, 9, tzinfo=UTC)


def signed_bytes(value: int) -> bytes:
    """Big-endian two's-complement bytes, as Java's BigInteger.toByteArray (what Cognito hashes)."""
    return value.to_bytes(value.bit_length() // 8 + 1, "big")


def h(*parts: bytes) -> int:
    return int.from_bytes(hashlib.sha256(b"".join(parts)).digest(), "big")


def server_signature(password: str, big_a: int, timestamp: str) -> tuple[int, str]:
    """(B, the signature a server holding the verifier for ``password`` expects)."""
    k = h(signed_bytes(N), signed_bytes(G))
    inner = hashlib.sha256(f"{POOL_ID.split('_')[1]}{USER_ID}:{password}".encode()).digest()
    x = h(signed_bytes(SALT), inner)
    v = pow(G, x, N)
    big_b = (k * v + pow(G, SMALL_B, N)) % N
    u = h(signed_bytes(big_a), signed_bytes(big_b))
    s = pow(big_a * pow(v, u, N), SMALL_B, N)
    prk = hmac.new(signed_bytes(u), signed_bytes(s), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    message = b"AbCdEf123" + USER_ID.encode() + base64.standard_b64decode(SECRET_BLOCK) + timestamp.encode()
    return big_b, base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def challenge(big_b: int) -> dict[str, str]:
    return {"USER_ID_FOR_SRP": USER_ID, "USERNAME": USER_ID, "SALT": f"{SALT:x}", "SRP_B": f"{big_b:x}",
            "SECRET_BLOCK": SECRET_BLOCK}


def test_public_value_is_g_to_the_a():
    proof = SrpProof(POOL_ID, "client", "alice", "Secret-pw1", small_a=SMALL_A)
    assert int(proof.srp_a, 16) == pow(G, SMALL_A, N)


def test_proof_matches_an_independent_server_computation():
    proof = SrpProof(POOL_ID, "client", "alice", "Secret-pw1", small_a=SMALL_A)
    big_b, expected = server_signature("Secret-pw1", int(proof.srp_a, 16), "Thu Mar 5 07:08:09 UTC 2026")
    answer = proof.answer(challenge(big_b), now=NOW)
    assert answer == {"USERNAME": USER_ID, "TIMESTAMP": "Thu Mar 5 07:08:09 UTC 2026",
                      "PASSWORD_CLAIM_SECRET_BLOCK": SECRET_BLOCK, "PASSWORD_CLAIM_SIGNATURE": expected}


def test_a_wrong_password_gives_a_signature_the_server_rejects():
    proof = SrpProof(POOL_ID, "client", "alice", "not-the-password", small_a=SMALL_A)
    big_b, expected = server_signature("Secret-pw1", int(proof.srp_a, 16), "Thu Mar 5 07:08:09 UTC 2026")
    assert proof.answer(challenge(big_b), now=NOW)["PASSWORD_CLAIM_SIGNATURE"] != expected


def test_fresh_proofs_use_fresh_private_values():
    assert SrpProof(POOL_ID, "c", "alice", "pw").srp_a != SrpProof(POOL_ID, "c", "alice", "pw").srp_a


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="not a user pool id"):
        SrpProof("nounderscore", "c", "alice", "pw")
    proof = SrpProof(POOL_ID, "c", "alice", "pw")
    with pytest.raises(ValueError, match="lacks SRP_B"):
        proof.answer({"USER_ID_FOR_SRP": USER_ID, "SALT": "ab", "SECRET_BLOCK": SECRET_BLOCK})


def test_secret_hash_is_hmac_of_username_and_client_id():
    expected = base64.standard_b64encode(hmac.new(b"s3cret", b"aliceclient-1", hashlib.sha256).digest()).decode()
    assert secret_hash("alice", "client-1", "s3cret") == expected
