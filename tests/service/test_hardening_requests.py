"""Issue 10 §2: bounded requests, proven with a raw-socket client against the real service."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
from support import start_service

from cognito_desk.service.limits import Limits

LIMITS = Limits(max_body_bytes=1 << 20, max_head_bytes=64 << 10, header_timeout=0.5, body_timeout=0.5,
                max_connections=16)
JSON_HEAD = ("POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-amz-json-1.1\r\n"
             "X-Amz-Target: AWSCognitoIdentityService.GetId\r\n")
HOST = "localhost"
QUERY_HEAD = "POST / HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    running = start_service(tmp_path_factory.mktemp("limited"), limits=LIMITS)
    yield running
    running.thread.stop()


def connect(running) -> socket.socket:
    parts = urlsplit(running.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def read_reply(sock: socket.socket) -> tuple[int, dict, bytes]:
    """Status, headers and body of one response (read until the connection closes or the body is complete)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_a_declared_oversized_body_is_refused_before_it_is_sent(limited):
    with connect(limited) as sock:
        sock.sendall((JSON_HEAD + "Content-Length: 209715200\r\n\r\n").format(host=HOST).encode())
        status, headers, body = read_reply(sock)  # answered with no body byte sent
        assert status == 413 and headers["connection"] == "close"
        assert headers["x-amzn-errortype"] == "RequestEntityTooLargeException:"
        assert json.loads(body) == {"__type": "RequestEntityTooLargeException",
                                    "message": "Request body is larger than 1048576 bytes."}
        assert closed_by_server(sock)


def test_a_chunked_body_is_cut_off_at_the_limit_and_query_requests_get_xml(limited):
    with connect(limited) as sock:
        sock.sendall((QUERY_HEAD + "Transfer-Encoding: chunked\r\n\r\n").format(host=HOST).encode())
        chunk = b"A" * 65536
        try:
            for _ in range(40):  # 2.5 MiB offered; the service stops reading past 1 MiB
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, headers, body = read_reply(sock)
    assert status == 413 and headers["content-type"] == "text/xml"
    assert b"<Code>RequestEntityTooLarge</Code>" in body


def test_a_body_just_under_the_limit_is_read(limited):
    payload = json.dumps({"IdentityPoolId": "us-east-1:" + "0" * 36, "Pad": "x" * (LIMITS.max_body_bytes - 200)})
    with connect(limited) as sock:
        head = JSON_HEAD + f"Content-Length: {len(payload)}\r\n\r\n"
        sock.sendall(head.format(host=HOST).encode() + payload.encode())
        status, _, body = read_reply(sock)
    assert status == 400 and json.loads(body)["__type"] == "ResourceNotFoundException"  # read, parsed, looked up


def test_oversized_headers_are_refused(limited):
    with connect(limited) as sock:
        sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n".encode())
        try:
            for _ in range(64):  # 4 MiB of one header value; refused once 64 KiB have come
                sock.sendall(b"X-Big: " + b"b" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _, _ = read_reply(sock)
    assert status == 431


def test_half_sent_headers_are_timed_out(limited):
    with connect(limited) as sock:
        sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n".encode())  # never finished
        status, headers, _ = read_reply(sock)
        assert status == 408 and headers["connection"] == "close"
        assert closed_by_server(sock)


def test_a_body_that_never_completes_is_timed_out(limited):
    with connect(limited) as sock:
        sock.sendall(JSON_HEAD.format(host=HOST).encode() + b"Content-Length: 100\r\n\r\n{")
        status, _, _ = read_reply(sock)
        assert status == 408 and closed_by_server(sock)


def test_a_silent_connection_is_closed(limited):
    with connect(limited) as sock:
        assert closed_by_server(sock)  # no request at all: closed after the header timeout, no answer


def test_idle_half_sent_connections_cannot_lock_new_clients_out(limited):
    """Past max_connections the one waiting longest for its headers makes room; a real client is served."""
    hogs = [connect(limited) for _ in range(LIMITS.max_connections * 2)]
    try:
        for hog in hogs:
            hog.sendall(b"GET / HTTP/1.1\r\n")
        with connect(limited) as sock:
            sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
            status, _, body = read_reply(sock)
        assert (status, body) == (200, b'{"status":"ok"}')
        evicted = 0
        for hog in hogs[:LIMITS.max_connections]:
            hog.settimeout(0.2)
            try:
                evicted += hog.recv(1) in (b"", b"H")  # closed (408 first) to make room
            except TimeoutError:
                pass
        assert evicted >= LIMITS.max_connections // 2
    finally:
        for hog in hogs:
            hog.close()


def test_keep_alive_requests_each_get_the_full_header_budget(limited):
    with connect(limited) as sock:
        for _ in range(3):
            sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\nX-Pad: {'p' * 40000}\r\n\r\n".encode())
            status, _, _ = read_reply(sock)
            assert status == 200
            time.sleep(0.3)  # less than the keep-alive timeout; the header clock starts with the next request


def connect_from(running, address: str) -> socket.socket:
    """A connection from another loopback address (127.0.0.0/8 is all this machine): another client."""
    parts = urlsplit(running.url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10, source_address=(address, 0))


def slow_body(sock: socket.socket) -> None:
    """Complete headers, then one byte of a 100-byte body (the rest would follow a byte at a time)."""
    sock.sendall(f"POST / HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: application/x-amz-json-1.1\r\n"
                 "X-Amz-Target: AWSCognitoIdentityService.GetId\r\nContent-Length: 100\r\n\r\n{".encode())


def health(sock: socket.socket) -> tuple[int, bytes]:
    sock.sendall(f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode())
    status, _, body = read_reply(sock)
    return status, body


@pytest.fixture(scope="module")
def slow_limited(tmp_path_factory):
    """Long body timeouts (the attack's 30 s), so only making room can let a new client in."""
    limits = Limits(header_timeout=30, body_timeout=30, max_connections=16, max_connections_per_client=6)
    running = start_service(tmp_path_factory.mktemp("slow"), limits=limits)
    yield running, limits
    running.thread.stop()


def test_one_client_address_cannot_hold_more_than_its_share(slow_limited):
    """Issue 15 §3: slow-body connections from one address past its limit close that address's slowest ones."""
    running, limits = slow_limited
    hogs = [connect_from(running, "127.0.0.2") for _ in range(limits.max_connections * 2)]
    try:
        for hog in hogs:
            slow_body(hog)
        with connect_from(running, "127.0.0.3") as sock:
            assert health(sock) == (200, b'{"status":"ok"}')  # another client is served, not refused
        open_hogs = 0
        for hog in hogs:
            hog.settimeout(0.5)
            try:
                open_hogs += hog.recv(1) not in (b"", b"H")  # closed (with a 408) to keep the address to its share
            except TimeoutError:
                open_hogs += 1
            except ConnectionResetError:
                pass
        assert open_hogs <= limits.max_connections_per_client
    finally:
        for hog in hogs:
            hog.close()


def test_slow_bodies_from_many_addresses_make_room_instead_of_503(slow_limited):
    """Every connection busy sending a body byte by byte: a new client gets in by closing the slowest, no 503."""
    running, limits = slow_limited
    hogs = [connect_from(running, f"127.0.0.{10 + n % 4}") for n in range(limits.max_connections)]
    try:
        for hog in hogs:
            slow_body(hog)
        for _ in range(3):
            with connect_from(running, "127.0.0.20") as sock:
                assert health(sock) == (200, b'{"status":"ok"}')
    finally:
        for hog in hogs:
            hog.close()
