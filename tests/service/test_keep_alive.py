"""Keep-alive connections never lose a request: an idle connection is closed after ``Limits.keep_alive_timeout``
(longer than SDKs' own idle timeouts by default), and a request whose bytes have arrived when that timeout fires
is read and answered, not dropped with the connection (a client cannot tell whether such a request was done, and
an SDK retrying a CreateRole that was would get EntityAlreadyExists)."""

from __future__ import annotations

import threading

import pytest
from support import start_service
from test_hardening_requests import HOST, closed_by_server, connect, read_reply

from cognito_desk.service.limits import Limits

HEALTH = f"GET /health HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()


@pytest.fixture
def short_keep_alive(tmp_path):
    running = start_service(tmp_path / "data", limits=Limits(keep_alive_timeout=0.2))
    yield running
    running.thread.stop()


def test_a_request_that_arrived_as_the_idle_timeout_fires_is_answered(service):
    with connect(service) as sock:
        sock.sendall(HEALTH)
        assert read_reply(sock)[0] == 200
        (protocol,) = [c for c in service.thread._server.server_state.connections
                       if c.transport.get_extra_info("peername") == sock.getsockname()]
        holding, sent = threading.Event(), threading.Event()

        def idle_timeout_with_the_request_unread() -> None:
            holding.set()  # the service's loop is here: it reads nothing until this returns
            assert sent.wait(10)
            protocol.timeout_keep_alive_handler()

        protocol.loop.call_soon_threadsafe(idle_timeout_with_the_request_unread)
        assert holding.wait(10)
        sock.sendall(HEALTH)  # on loopback the bytes are in the service's socket when this returns
        sent.set()
        status, _, body = read_reply(sock)
        assert (status, body) == (200, b'{"status":"ok"}')


def test_an_idle_connection_is_closed_after_the_keep_alive_timeout(short_keep_alive):
    with connect(short_keep_alive) as sock:
        sock.sendall(HEALTH)
        assert read_reply(sock)[0] == 200
        assert closed_by_server(sock)  # blocks until the service closes it (the socket's timeout is 10 s)


def test_the_default_outlasts_the_sdks_idle_timeouts():
    assert Limits().keep_alive_timeout > 90  # Go's http.Transport (Terraform's AWS provider) keeps 90 s
