"""Guards for the streamable HTTP transport.

- Loopback by default: binding any other address needs `--allow-remote`, because the server reads
  files and writes datasets on behalf of whoever reaches it.
- An optional bearer token (`--auth-token` / `$TDM_AUTH_TOKEN`): requests without it get 401.
- Host and Origin checks against DNS rebinding (the SDK's TransportSecuritySettings): loopback
  names for a loopback bind, the bound host (plus `--allowed-host`) otherwise.
- A request-size limit (`--max-request-bytes`, default 1 MiB): larger bodies get 413 before they are read.
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


class Guard:
    """ASGI middleware: bearer token, then request-size limit, then the app."""

    def __init__(self, app: Any, token: str | None = None, max_bytes: int = MAX_REQUEST_BYTES):
        self.app = app
        self.expected = f"Bearer {token}".encode() if token else None
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        if self.expected is not None:
            got = headers.get(b"authorization", b"")
            if not hmac.compare_digest(got, self.expected):
                await _reply(send, 401, "unauthorized: send 'Authorization: Bearer <token>' with the token the "
                             "server was started with (--auth-token or TDM_AUTH_TOKEN)",
                             [(b"www-authenticate", b'Bearer realm="training-data-miner"')])
                return
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _reply(send, 413, f"request body of {int(length)} bytes is over the limit of {self.max_bytes}; "
                         "send smaller arguments (paths, not file contents)")
            return
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    return {"type": "http.disconnect"}  # a chunked body over the limit: stop reading it
            return message

        await self.app(scope, limited, send)
