"""Guards for the streamable HTTP transport.

- Loopback by default: binding any other address needs `--allow-remote`, because the server reads
  files and writes datasets on behalf of whoever reaches it (without a token too, it warns).
- An optional bearer token (`--auth-token` / `$TDM_AUTH_TOKEN`): HTTP requests and WebSocket
  handshakes without it get 401. The scheme is matched without regard to case (RFC 7235).
- Host and Origin checks against DNS rebinding (the SDK's TransportSecuritySettings): loopback
  names for a loopback bind, the bound host (plus `--allowed-host`) otherwise.
- A request-size limit (`--max-request-bytes`, default 1 MiB): a larger body gets 413, whether it
  declares its length or comes chunked (read up to the limit, no further).
- Sessions bounded per client address (`--max-sessions-per-client`, default 16) and in all
  (`--max-sessions`, 256): opening one more ends the session idle the longest, the way a client
  ends one (DELETE); `--session-idle-timeout` (300 s) ends a session with no request in flight.
"""

from __future__ import annotations

import hmac
import ipaddress
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

MAX_REQUEST_BYTES = 1 << 20
MAX_SESSIONS = 256
MAX_SESSIONS_PER_CLIENT = 16
SESSION_IDLE_TIMEOUT_S = 300.0
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
SESSION_HEADER = b"mcp-session-id"


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


@dataclass
class _Session:
    client: str
    last: float  # when its last request ended (monotonic seconds)
    busy: int = 0  # requests in flight, an open GET stream among them


class SessionLimit:
    """ASGI middleware in front of the SDK's session manager: at most `per_client` sessions per
    client address and `total` in all. A request that opens a session (a POST without
    Mcp-Session-Id) first makes room: it ends the session of that address (or, at the total, of
    any) idle the longest, by a DELETE to the app as its client would send. With every session of
    the address busy, it gets 503. So a flood of `initialize` requests only ever replaces its own
    idle sessions, and a connected client (its GET stream open) is never the one ended."""

    def __init__(self, app: Any, per_client: int = MAX_SESSIONS_PER_CLIENT, total: int = MAX_SESSIONS,
                 idle_timeout: float | None = SESSION_IDLE_TIMEOUT_S):
        self.app = app
        self.per_client = per_client
        self.total = total
        self.idle_timeout = idle_timeout
        self.sessions: dict[bytes, _Session] = {}  # session id (or a placeholder while one opens) -> session
        self._placeholders = itertools.count()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sid = dict(scope.get("headers") or []).get(SESSION_HEADER)
        if sid is None:
            if scope.get("method") == "POST":
                await self._open(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        session = self.sessions.get(sid)
        if session is None:  # not one this middleware saw open: the SDK answers it (404)
            await self.app(scope, receive, send)
            return
        session.busy += 1
        status: list[int] = []
        try:
            await self.app(scope, receive, _watch(send, status))
        finally:
            session.busy -= 1
            session.last = time.monotonic()
        if status and (status[0] == 404 or (scope.get("method") == "DELETE" and status[0] < 300)):
            self.sessions.pop(sid, None)

    async def _open(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        client = (scope.get("client") or ("unknown",))[0]
        if not await self._make_room(client, scope):
            await _reply(send, 503, f"too many open sessions from {client} ({self.per_client}), all of them busy; "
                         "end one (DELETE) or wait for one to finish")
            return
        placeholder = f"opening-{next(self._placeholders)}".encode()
        self.sessions[placeholder] = _Session(client, time.monotonic(), busy=1)
        status: list[int] = []
        new: list[bytes] = []
        try:
            await self.app(scope, receive, _watch(send, status, new))
        finally:
            del self.sessions[placeholder]
            if new and status and status[0] < 400:
                self.sessions[new[0]] = _Session(client, time.monotonic())

    async def _make_room(self, client: str, scope: dict[str, Any]) -> bool:
        """End idle sessions, oldest first, until one more fits for `client` and in all."""
        now = time.monotonic()
        if self.idle_timeout is not None:  # the SDK has ended these by now: forget them
            for sid in [sid for sid, s in self.sessions.items() if not s.busy and now - s.last > self.idle_timeout]:
                del self.sessions[sid]
        while True:
            own = [(sid, s) for sid, s in self.sessions.items() if s.client == client]
            crowd = own if len(own) >= self.per_client else list(self.sessions.items())
            if len(crowd) < (self.per_client if crowd is own else self.total):
                return True
            idle = [(s.last, sid) for sid, s in crowd if not s.busy]
            if not idle:
                return False
            _, sid = min(idle)
            del self.sessions[sid]  # before the await: a concurrent opening does not pick it again
            await self._end(sid, scope)

    async def _end(self, sid: bytes, scope: dict[str, Any]) -> None:
        """DELETE the session, with the Host and Origin of the request that made room (which the
        app's checks accept, as they accepted that request)."""
        keep = {b"host", b"origin", b"authorization", b"mcp-protocol-version"}
        headers = [(k, v) for k, v in scope.get("headers") or [] if k in keep] + [(SESSION_HEADER, sid)]
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            return None

        await self.app({**scope, "method": "DELETE", "headers": headers, "query_string": b""}, receive, send)


def _watch(send: Any, status: list[int], session: list[bytes] | None = None) -> Any:
    """`send`, noting the response's status (and the session id it opens)."""
    async def watched(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
            if session is not None:
                sid = dict(message.get("headers") or []).get(SESSION_HEADER)
                if sid:
                    session.append(sid)
        await send(message)
    return watched
