"""Guards for the streamable HTTP transport.

- Loopback by default: binding any other address needs `--allow-remote`, because the server reads
  files and writes datasets on behalf of whoever reaches it (without a token too, it warns).
- An optional bearer token (`--auth-token` / `$TDM_AUTH_TOKEN`): HTTP requests and WebSocket
  handshakes without it get 401. The scheme is matched without regard to case (RFC 7235).
- Host and Origin checks against DNS rebinding (the SDK's TransportSecuritySettings): loopback
  names for a loopback bind, the bound host (plus `--allowed-host`) otherwise.
- A request-size limit (`--max-request-bytes`, default 1 MiB): a larger body gets 413, whether it
  declares its length or comes chunked (read up to the limit, no further).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
from typing import Any

MAX_REQUEST_BYTES = 1 << 20
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


class BindRefused(ValueError):
    pass


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, allow_remote: bool) -> None:
    if not is_loopback(host) and not allow_remote:
        raise BindRefused(
            f"refusing to listen on {host}: only loopback addresses are served by default. Pass "
            "--allow-remote to listen there, and set --auth-token (or TDM_AUTH_TOKEN) so that not "
            "everyone who can reach the port can read sources and write datasets"
        )


def transport_security(host: str, extra_hosts: list[str] | None = None) -> Any:
    """Allowed Host and Origin values for a bind address (DNS-rebinding protection stays on)."""
    from mcp.server.transport_security import TransportSecuritySettings

    names = sorted(LOOPBACK_NAMES) if is_loopback(host) else [host]
    names += list(extra_hosts or [])
    hosts = [f"[{n}]:*" if ":" in n and not n.startswith("[") else f"{n}:*" for n in names]
    hosts += [h.removesuffix(":*") for h in hosts]
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts,
                                     allowed_origins=origins)


async def _reply(send: Any, status: int, message: str, headers: list[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


UNAUTHORIZED = ("unauthorized: send 'Authorization: Bearer <token>' with the token the server was started with "
                "(--auth-token or TDM_AUTH_TOKEN)")
CHALLENGE = [(b"www-authenticate", b'Bearer realm="training-data-miner"')]


class Guard:
    """ASGI middleware: bearer token, then request-size limit, then the app. Lifespan events pass
    through; a WebSocket handshake needs the token like any request."""

    def __init__(self, app: Any, token: str | None = None, max_bytes: int = MAX_REQUEST_BYTES):
        self.app = app
        self.token = token.encode() if token else None
        self.max_bytes = max_bytes

    def authorized(self, headers: dict[bytes, bytes]) -> bool:
        if self.token is None:
            return True
        scheme, _, credentials = headers.get(b"authorization", b"").strip().partition(b" ")
        # compare_digest on both parts, so that the time taken says nothing about either
        return hmac.compare_digest(scheme.lower(), b"bearer") & hmac.compare_digest(credentials.strip(), self.token)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if scope["type"] == "websocket":
            if self.authorized(headers):
                await self.app(scope, receive, send)
            else:
                await _refuse_websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"unsupported ASGI scope type {scope['type']!r}")
        if not self.authorized(headers):
            await _reply(send, 401, UNAUTHORIZED, CHALLENGE)
            return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _reply(send, 413, self._too_big(int(length)))
            return
        # A body without a declared length (chunked) is read here, up to the limit and no further.
        body, messages = 0, []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += len(message.get("body", b""))
            if body > self.max_bytes:
                await _reply(send, 413, self._too_big(body, more=True))
                return
            if not message.get("more_body", False):
                break

        async def replay() -> dict[str, Any]:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    def _too_big(self, size: int, more: bool = False) -> str:
        return (f"request body of {'more than ' if more else ''}{size} bytes is over the limit of {self.max_bytes}; "
                "send smaller arguments (paths, not file contents)")


async def _refuse_websocket(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """401 for a WebSocket handshake without the token, where the server can answer one (the
    ASGI websocket.http.response extension); else the handshake is closed (policy violation)."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in (scope.get("extensions") or {}):
        body = json.dumps({"error": UNAUTHORIZED}).encode()
        await send({"type": "websocket.http.response.start", "status": 401,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()), *CHALLENGE]})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008, "reason": "unauthorized"})
