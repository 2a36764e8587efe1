"""The holo_index forwarder: one MCP client session to the team's HoloIndex endpoint.

Configuration (environment, mirrored by the CLI's --holo-index-* options):
  HOLO_INDEX_COMMAND  a command line that runs the endpoint over stdio (shlex-split), or
  HOLO_INDEX_URL      its streamable HTTP URL, with HOLO_INDEX_HEADERS (a JSON object, or
                      "Name: value" pairs separated by newlines or ";") and/or HOLO_INDEX_TOKEN
                      (sent as "Authorization: Bearer <token>");
  HOLO_INDEX_TOOL     the search tool's name (default semantic_code_search);
  HOLO_INDEX_TIMEOUT  seconds allowed for each call (default 10);
  HOLO_INDEX_CONNECT_TIMEOUT  seconds allowed to start the endpoint and finish the MCP handshake
                      (default 30, or HOLO_INDEX_TIMEOUT when that is longer): a Python endpoint
                      alone takes a second or more to import the MCP SDK, longer on a busy machine.

`HoloIndex` is an async context manager holding one session for its lifetime (the MCP server
enters it in its lifespan). The session is opened on first use, by a task of the context's own,
so that it can be closed and opened again from any request: when the endpoint dies, the call that
finds out reconnects and tries once more. Every wait is bounded by one of the two timeouts. Whatever goes
wrong (configuration, start-up, a dead or slow endpoint, an error object, an answer that is not a
search result) raises `HoloIndexError`, whose message says what to do. `HoloIndexSync` runs the
same client on a background event loop for synchronous callers (the CLI and the orchestrator).

Importing this module does not import the MCP SDK; connecting does.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Mapping
from typing import Any

import anyio
from training_data_miner.server import logs
from pydantic import BaseModel

from training_data_miner.skills.semantic_index import SearchHit

log = logs.get_logger("training_data_miner")

DEFAULT_TOOL = "semantic_code_search"
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_CONNECT_TIMEOUT_S = 30.0
# Variables the real server reads; passed through to a stdio endpoint (the SDK's default
# environment for a subprocess is only PATH, HOME and the like).
PASS_ENV = ("REPO_ROOT", "HOLO_INDEX_PATH")


class HoloIndexError(Exception):
    """The endpoint could not answer a search; the message says why and what to do."""


class HoloConfig(BaseModel):
    """Where the endpoint is, as given (environment or CLI); `check()` validates it."""

    command: str | None = None
    url: str | None = None
    headers: str | None = None
    token: str | None = None
    tool: str = DEFAULT_TOOL
    timeout: float | str = DEFAULT_TIMEOUT_S
    connect_timeout: float | str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> HoloConfig | None:
        """The configuration in the environment, or None when no endpoint is configured."""
        env = os.environ if env is None else env
        command, url = env.get("HOLO_INDEX_COMMAND") or None, env.get("HOLO_INDEX_URL") or None
        if not command and not url:
            return None
        return cls(command=command, url=url, headers=env.get("HOLO_INDEX_HEADERS") or None,
                   token=env.get("HOLO_INDEX_TOKEN") or None, tool=env.get("HOLO_INDEX_TOOL") or DEFAULT_TOOL,
                   timeout=env.get("HOLO_INDEX_TIMEOUT") or DEFAULT_TIMEOUT_S,
                   connect_timeout=env.get("HOLO_INDEX_CONNECT_TIMEOUT") or None)

    def describe(self) -> str:
        """Where the endpoint is, without credentials (for logs and breadcrumbs)."""
        if self.url:
            return "url " + _strip_userinfo(self.url).split("?", 1)[0]
        return "command " + (self.command or "").split(maxsplit=1)[0] if self.command else "unconfigured"

    def seconds(self) -> float:
        """Seconds allowed for each call."""
        return _positive(self.timeout, "HOLO_INDEX_TIMEOUT")

    def connect_seconds(self) -> float:
        """Seconds allowed to start the endpoint and finish the handshake."""
        if self.connect_timeout is None:
            return max(DEFAULT_CONNECT_TIMEOUT_S, self.seconds())
        return _positive(self.connect_timeout, "HOLO_INDEX_CONNECT_TIMEOUT")

    def argv(self) -> list[str]:
        try:
            argv = shlex.split(self.command or "")
        except ValueError as exc:
            raise HoloIndexError(f"HOLO_INDEX_COMMAND cannot be split into arguments ({exc}); "
                                 "check its quotes") from None
        if not argv:
            raise HoloIndexError("HOLO_INDEX_COMMAND is empty; give the command line that starts the endpoint")
        return argv

    def header_map(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        raw = (self.headers or "").strip()
        if raw.startswith("{"):
            try:
                data = json.loads(raw)
            except ValueError as exc:
                raise HoloIndexError(f"HOLO_INDEX_HEADERS is not valid JSON ({exc}); "
                                     'use {"Name": "value"} or "Name: value" pairs') from None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise HoloIndexError('HOLO_INDEX_HEADERS must be a JSON object of strings, e.g. {"X-Api-Key": "..."}')
            headers.update(data)
        elif raw:
            for pair in raw.replace(";", "\n").splitlines():
                if not pair.strip():
                    continue
                name, sep, value = pair.partition(":")
                if not sep or not name.strip():
                    raise HoloIndexError(f"HOLO_INDEX_HEADERS: {pair.strip()!r} is not a 'Name: value' pair")
                headers[name.strip()] = value.strip()
        if self.token and not any(k.lower() == "authorization" for k in headers):
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def check(self) -> None:
        """Raise HoloIndexError if this configuration cannot work."""
        if self.command and self.url:
            raise HoloIndexError("both HOLO_INDEX_COMMAND and HOLO_INDEX_URL are set; set one of them")
        if not self.command and not self.url:
            raise HoloIndexError("no holo_index endpoint configured; set HOLO_INDEX_COMMAND (stdio) "
                                 "or HOLO_INDEX_URL (streamable HTTP)")
        if self.url and not self.url.startswith(("http://", "https://")):
            raise HoloIndexError(f"HOLO_INDEX_URL must be an http:// or https:// URL, got {self.url!r}")
        if self.command:
            self.argv()
        else:
            self.header_map()
        if not self.tool.strip():
            raise HoloIndexError(f"HOLO_INDEX_TOOL is empty; the real endpoint's search tool is {DEFAULT_TOOL}")
        self.seconds()
        self.connect_seconds()


def _positive(value: float | str, name: str) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not seconds > 0:
        raise HoloIndexError(f"{name} must be a positive number of seconds, got {value!r}")
    return seconds


def _strip_userinfo(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return scheme + sep + host.rpartition("@")[2] + slash + path


# -- results ----------------------------------------------------------------------------------

def normalise(payload: Any, limit: int | None = None) -> list[SearchHit]:
    """A semantic_code_search result -> hits, best first. Missing or malformed fields of a hit
    are tolerated; an error object, or anything that is not a result, raises HoloIndexError."""
    if isinstance(payload, dict) and set(payload) == {"result"}:
        payload = payload["result"]  # how some servers wrap a dict return value
    if not isinstance(payload, dict):
        raise HoloIndexError(f"holo_index answered with something that is not a search result: {_clip(payload)}")
    if payload.get("error"):
        raise HoloIndexError(f"holo_index answered with an error: {_clip(payload['error'])}")
    lists = {kind: payload.get(key) for kind, key in (("code", "code_results"), ("wsp", "wsp_results"))}
    if all(v is None for v in lists.values()):
        raise HoloIndexError("holo_index answered without code_results or wsp_results: "
                             f"{_clip(payload)}; is HOLO_INDEX_TOOL its search tool?")
    hits: list[SearchHit] = []
    for kind, items in lists.items():
        if items is None:
            continue
        if not isinstance(items, list):
            raise HoloIndexError(f"holo_index's {kind}_results is not a list: {_clip(items)}")
        for item in items:
            if isinstance(item, dict):
                hits.append(_hit(item, kind))
    hits.sort(key=lambda h: -h.score)  # stable: the endpoint's order among equal scores
    return hits[:limit] if limit is not None else hits


def _hit(item: dict[str, Any], kind: str) -> SearchHit:
    path = item.get("path") or (f"WSP {item['protocol']}" if kind == "wsp" and item.get("protocol") else "")
    snippet = item.get("snippet") or item.get("content") or ""
    return SearchHit(path=str(path), line=_int(item.get("line")), snippet=str(snippet)[:2000],
                     score=_float(item.get("relevance")), kind=kind)


def _int(value: Any) -> int | None:
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None


def _float(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return 0.0
    return x if x == x and abs(x) != float("inf") else 0.0


def _clip(value: Any, n: int = 200) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= n else text[:n] + "..."


def _payload(result: Any) -> Any:
    """A CallToolResult's JSON: its structured content, else its first text block parsed."""
    if result.structured_content is not None:
        return result.structured_content
    texts = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    if not texts:
        raise HoloIndexError("holo_index answered with no text content; expected a JSON search result")
    try:
        return json.loads(texts[0])
    except ValueError:
        raise HoloIndexError(f"holo_index answered with text that is not JSON: {_clip(texts[0])}") from None


# -- the client -------------------------------------------------------------------------------

class _Connection:
    """One open session, owned by a task of HoloIndex's task group."""

    def __init__(self) -> None:
        self.client: Any = None
        self.close = anyio.Event()
        self.closed = anyio.Event()


class HoloIndex:
    """One client session to the endpoint, opened on first use and again after it dies."""

    def __init__(self, config: HoloConfig):
        config.check()
        self.config = config
        self.timeout = config.seconds()
        self.connect_timeout = config.connect_seconds()
        self._conn: _Connection | None = None
        self._lock = anyio.Lock()
        self._tg: anyio.abc.TaskGroup | None = None
        self.connects = 0  # sessions opened so far (a reconnection adds one)

    async def __aenter__(self) -> HoloIndex:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._tg is not None
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close.set()
            with anyio.move_on_after(self.timeout, shield=True):
                await conn.closed.wait()
        self._tg.cancel_scope.cancel()  # a session that would not close in time is abandoned
        await self._tg.__aexit__(None, None, None)
        self._tg = None

    def _target(self) -> Any:
        from mcp import StdioServerParameters

        if self.config.command:
            argv = self.config.argv()
            env = {k: os.environ[k] for k in PASS_ENV if k in os.environ}
            return StdioServerParameters(command=argv[0], args=argv[1:], env=env or None)
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        assert self.config.url is not None
        http = httpx2.AsyncClient(headers=self.config.header_map(), timeout=httpx2.Timeout(self.timeout))
        return http, streamable_http_client(self.config.url, http_client=http)

    async def _run(self, conn: _Connection, *, task_status: anyio.abc.TaskStatus[None]) -> None:
        """Open a session, hand it over, hold it until asked to close. Never raises: a failure
        before the hand-over reaches the caller of `start`, one after it only closes the session."""
        from mcp import Client

        started = False
        try:
            target = self._target()
            http = None
            if isinstance(target, tuple):
                http, target = target
            try:
                async with Client(target, mode="auto") as client:
                    conn.client = client
                    started = True
                    task_status.started()
                    await conn.close.wait()
            finally:
                if http is not None:
                    await http.aclose()
        except Exception as exc:
            if not started:
                raise
            log.info("holo_index session closed with an error", error=_clip(str(exc)), type=type(exc).__name__)
        finally:
            if self._conn is conn:  # the next call opens a new session rather than failing on this one
                self._conn = None
            conn.closed.set()

    async def _connection(self) -> _Connection:
        async with self._lock:
            if self._conn is not None:
                return self._conn
            if self._tg is None:
                raise HoloIndexError("HoloIndex used outside its `async with` block")
            conn = _Connection()
            # Importing the SDK (a second or more) is this process's cost, not the endpoint's
            # start-up: it is paid before the connect timeout starts.
            import mcp  # noqa: F401

            try:
                with anyio.fail_after(self.connect_timeout):
                    await self._tg.start(self._run, conn)
            except TimeoutError:
                raise HoloIndexError(
                    f"holo_index ({self.config.describe()}) did not start or answer the handshake within "
                    f"{self.connect_timeout:g}s; check that it runs on its own, or raise "
                    "HOLO_INDEX_CONNECT_TIMEOUT") from None
            except Exception as exc:
                raise HoloIndexError(f"holo_index ({self.config.describe()}) could not be reached: "
                                     f"{_describe(exc)}; check HOLO_INDEX_COMMAND / HOLO_INDEX_URL") from None
            self._conn = conn
            self.connects += 1
            log.info("holo_index connected", endpoint=self.config.describe(), connects=self.connects)
            return conn

    async def _drop(self, conn: _Connection) -> None:
        async with self._lock:
            if self._conn is conn:
                self._conn = None
        conn.close.set()

    async def search(self, query: str, limit: int = 5, file_types: list[str] | None = None) -> list[SearchHit]:
        """The endpoint's hits for `query`, normalised, best first (at most `limit`)."""
        args: dict[str, Any] = {"query": query, "limit": limit}
        if file_types:
            args["file_types"] = file_types
        lost = ""
        for attempt in (1, 2):
            try:
                conn = await self._connection()
            except HoloIndexError as exc:
                if lost:
                    raise HoloIndexError(f"holo_index stopped answering ({lost}) and could not be started "
                                         f"again: {exc}") from None
                raise
            try:
                with anyio.fail_after(self.timeout):
                    result = await conn.client.call_tool(self.config.tool, args)
            except TimeoutError:
                raise HoloIndexError(f"holo_index did not answer {self.config.tool} within {self.timeout:g}s; "
                                     "raise HOLO_INDEX_TIMEOUT if it is only slow") from None
            except Exception as exc:
                # A dead endpoint shows up as a closed stream or connection: reconnect, try once more.
                await self._drop(conn)
                if attempt == 1:
                    lost = _describe(exc)
                    log.info("holo_index call failed; reconnecting", error=lost)
                    continue
                raise HoloIndexError(f"holo_index failed twice, the second time on a new session: "
                                     f"{_describe(exc)}") from None
            if result.is_error:
                text = " ".join(getattr(c, "text", "") for c in result.content)
                raise HoloIndexError(f"holo_index's {self.config.tool} returned an error: {_clip(text)}"
                                     + await self._tool_hint(conn))
            return normalise(_payload(result), limit)
        raise AssertionError("unreachable")

    async def _tool_hint(self, conn: _Connection) -> str:
        """'; its tools are ...' when the configured tool is not one of them."""
        try:
            with anyio.fail_after(self.timeout):
                names = [t.name for t in (await conn.client.list_tools()).tools]
        except Exception:
            return ""
        if self.config.tool in names:
            return ""
        return f"; it has no tool {self.config.tool!r}: set HOLO_INDEX_TOOL to one of {', '.join(names)}"


def _describe(exc: BaseException) -> str:
    """The innermost useful message of an exception (task groups wrap them in groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return f"{type(exc).__name__}: {_clip(str(exc))}" if str(exc) else type(exc).__name__


class HoloIndexSync:
    """HoloIndex for synchronous code: the session lives on a background event loop.

        with HoloIndexSync(config) as holo:
            hits = holo.search("MPS scoring", 10)
    """

    def __init__(self, config: HoloConfig):
        config.check()
        self.config = config

    def __enter__(self) -> HoloIndexSync:
        from anyio.from_thread import start_blocking_portal

        self._portal_cm = start_blocking_portal()
        self._portal = self._portal_cm.__enter__()
        try:
            self._holo_cm = self._portal.wrap_async_context_manager(HoloIndex(self.config))
            self.holo = self._holo_cm.__enter__()
        except BaseException:
            self._portal_cm.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self._holo_cm.__exit__(None, None, None)
        finally:
            self._portal_cm.__exit__(None, None, None)

    def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        return self._portal.call(self.holo.search, query, limit)
