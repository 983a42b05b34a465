"""The benchmark's floor: the least work any Python service could do to answer a guest sign-in.

A raw ASGI app (no framework, no validation, no storage) answering the two JSON 1.1 targets of a
guest sign-in with correctly shaped bodies: ``GetId`` returns a fresh ``us-east-1:<uuid4>`` and
``GetCredentialsForIdentity`` echoes the identity id with a Credentials structure. It runs under
uvicorn with the settings ``cognito-desk serve`` uses (httptools, uvloop, one worker, no access
log, no lifespan, no server header), so the gap between the two is the cost of the service
itself. Run ``python bench/floor.py [--port N]``; it prints ``floor listening on <url>`` once bound.
"""

from __future__ import annotations

import argparse
import json
import socket
import time
import uuid

import uvicorn

GET_ID = b"AWSCognitoIdentityService.GetId"
GET_CREDENTIALS = b"AWSCognitoIdentityService.GetCredentialsForIdentity"


def _body_for(target: bytes | None, request: bytes) -> tuple[int, dict]:
    if target == GET_ID:
        return 200, {"IdentityId": f"us-east-1:{uuid.uuid4()}"}
    if target == GET_CREDENTIALS:
        identity_id = json.loads(request)["IdentityId"]
        return 200, {"IdentityId": identity_id, "Credentials": {
            "AccessKeyId": "ASIA" + uuid.uuid4().hex[:16].upper(),
            "SecretKey": uuid.uuid4().hex + uuid.uuid4().hex[:8],
            "SessionToken": uuid.uuid4().hex * 4,
            "Expiration": int(time.time()) + 3600,
        }}
    return 400, {"__type": "UnknownOperationException", "message": "Unknown operation"}


async def app(scope: dict, receive, send) -> None:
    """Answer GetId and GetCredentialsForIdentity; anything else is an UnknownOperationException."""
    target = next((value for name, value in scope["headers"] if name == b"x-amz-target"), None)
    request = b""
    while True:
        message = await receive()
        request += message.get("body", b"")
        if not message.get("more_body"):
            break
    status, document = _body_for(target, request)
    payload = json.dumps(document).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/x-amz-json-1.1"),
        (b"x-amzn-requestid", str(uuid.uuid4()).encode()),
        (b"content-length", str(len(payload)).encode()),
    ]})
    await send({"type": "http.response.body", "body": payload})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    port = parser.parse_args().port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    sock.setblocking(False)
    print(f"floor listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    config = uvicorn.Config(app, loop="uvloop", http="httptools", workers=1, lifespan="off", proxy_headers=False,
                            access_log=False, log_config=None, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
