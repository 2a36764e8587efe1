"""A small holo_index-compatible MCP server for the tests (../shared/reference/HOLO_INDEX.md).

    python tests/holo_server.py [--http PORT] [--corpus FILE] [--slow S] [--slow-start S] [--error]
                                [--garbage text|list|shape] [--die-after N] [--once FILE]
                                [--calls FILE]

`semantic_code_search(query, file_types=None, limit=5)` answers with the real server's result
shape. With --corpus it searches FILE's lines for the query's words (hits point at FILE and a
line number); without it, it answers a fixed set of hits, some with fields missing or empty, as
the real server's often are. The switches make it misbehave: --slow sleeps S seconds before
answering, --slow-start sleeps S seconds before serving at all (a slow start-up, like the real
server loading its index), --error answers the real server's error object, --garbage answers
something that is not a result, --die-after N exits the process on call N+1 without answering,
--once FILE starts only if FILE does not exist yet (and creates it), so a restart fails. --calls
appends "<pid> <query>" for each call, so a test can tell which process answered.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from datetime import datetime, timezone

from mcp.server import MCPServer

FIXED = {
    "code_results": [
        {"content": "def score_module(c, i, d, p):\n    return c + i + d + p", "path": "modules/wsp15/mps.py",
         "function": "score_module", "line": 12, "relevance": 0.91, "snippet": "def score_module(c, i, d, p):"},
        {"path": "modules/roadmap/tracker.py", "relevance": "0.5"},  # no line, no snippet, score as text
        {"content": "", "path": "", "function": None, "line": None, "relevance": None, "snippet": ""},
        "not a hit",
    ],
    "wsp_results": [
        {"content": "WSP 15: Module Prioritization Scoring", "path": "WSP_framework/src/WSP_15.md",
         "protocol": "15", "relevance": 0.87, "snippet": "WSP 15 Module Prioritization Scoring (MPS)"},
        {"protocol": "22", "relevance": 0.4, "content": "WSP 22: ModLog and roadmap"},  # no path, no snippet
    ],
}


def build(args: argparse.Namespace) -> MCPServer:
    server = MCPServer("holo-index-test")
    lines = open(args.corpus, encoding="utf-8", errors="replace").read().splitlines() if args.corpus else []
    calls = 0

    @server.tool()
    async def semantic_code_search(query: str, file_types: list | None = None, limit: int = 5) -> dict:
        """Search code and WSP protocols by meaning."""
        nonlocal calls
        calls += 1
        if args.calls:
            with open(args.calls, "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {query}\n")
        if args.die_after is not None and calls > args.die_after:
            os._exit(3)
        if args.slow:
            time.sleep(args.slow)  # blocks the whole process, as a stuck real server would
        base = {"query": query, "quantum_coherence": 0.0, "bell_state_alignment": False,
                "timestamp": datetime.now(timezone.utc).isoformat()}
        if args.error:
            return {"error": "Vector database not initialized: run holo_index --index first", **base,
                    "code_results": [], "wsp_results": [], "total_results": 0}
        if args.garbage == "text":
            return "<html>502 Bad Gateway</html>"  # type: ignore[return-value]
        if args.garbage == "list":
            return [1, 2, 3]  # type: ignore[return-value]
        if args.garbage == "shape":
            return {"code_results": "none found", "wsp_results": 7}
        found = _search(lines, args.corpus, query, limit) if lines else FIXED
        return {**base, **found, "total_results": len(found["code_results"]) + len(found["wsp_results"]),
                "search_metadata": {"limit": limit, "file_types": file_types, "execution_time": 0.001}}

    return server


def _search(lines: list[str], path: str, query: str, limit: int) -> dict:
    words = {w for w in re.findall(r"[a-z0-9]+", query.lower()) if len(w) > 2}
    scored = []
    for i, line in enumerate(lines):
        n = len(words & set(re.findall(r"[a-z0-9]+", line.lower())))
        if n:
            scored.append((-n, i))
    scored.sort()
    return {"code_results": [{"content": lines[i], "path": path, "function": "", "line": i + 1,
                              "relevance": round(-n / max(len(words), 1), 3), "snippet": lines[i][:200]}
                             for n, i in scored[:limit]],
            "wsp_results": []}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP at http://127.0.0.1:PORT/mcp")
    ap.add_argument("--corpus", metavar="FILE")
    ap.add_argument("--slow", type=float, default=0.0, metavar="S")
    ap.add_argument("--slow-start", type=float, default=0.0, metavar="S")
    ap.add_argument("--error", action="store_true")
    ap.add_argument("--garbage", choices=["text", "list", "shape"])
    ap.add_argument("--die-after", type=int, metavar="N")
    ap.add_argument("--once", metavar="FILE")
    ap.add_argument("--calls", metavar="FILE")
    args = ap.parse_args()
    if args.once:
        if os.path.exists(args.once):
            sys.exit("holo_server: already started once")
        open(args.once, "w").close()
    time.sleep(args.slow_start)
    server = build(args)
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http, streamable_http_path="/mcp")
    else:
        server.run()


if __name__ == "__main__":
    sys.exit(main())
