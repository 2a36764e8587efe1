"""MCP server overhead over stdio: the time from process start to the first response, and the
median cost of a tool call (list_domains), both through the SDK's Client and as raw JSON-RPC lines.

    .venv/bin/python benchmarks/mcp_overhead.py [--calls 200] [--starts 10]

Run from the repository root; it uses a temporary data directory. The project's bytecode is
compiled first, as an installer does (PYTHONDONTWRITEBYTECODE, set on this machine, would make
every start compile the server's modules).
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client, StdioServerParameters

REPO = Path(__file__).resolve().parents[1]
INITIALIZE = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}}


def serve_cmd(data_dir: str) -> list[str]:
    return [sys.executable, "-m", "training_data_miner.server", "serve", "--data-dir", data_dir]


def ms(seconds: list[float]) -> dict[str, float]:
    s = sorted(seconds)
    return {"median_ms": round(statistics.median(s) * 1000, 3), "p90_ms": round(s[int(len(s) * 0.9)] * 1000, 3),
            "min_ms": round(s[0] * 1000, 3), "n": len(s)}


def time_to_first_response(data_dir: str, starts: int) -> dict[str, float]:
    """Process start -> the initialize response on stdout."""
    times = []
    for _ in range(starts):
        t0 = time.perf_counter()
        proc = subprocess.Popen(serve_cmd(data_dir), cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL)
        assert proc.stdin and proc.stdout
        proc.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
        proc.stdin.flush()
        line = proc.stdout.readline()
        times.append(time.perf_counter() - t0)
        assert json.loads(line)["id"] == 0, line
        proc.stdin.close()
        proc.wait(10)
    return ms(times)


def raw_calls(data_dir: str, calls: int) -> dict[str, float]:
    """tools/call list_domains as JSON-RPC lines on the pipes: the server's own cost plus the pipe."""
    proc = subprocess.Popen(serve_cmd(data_dir), cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdin and proc.stdout

    def send(msg: dict) -> None:
        proc.stdin.write((json.dumps(msg) + "\n").encode())
        proc.stdin.flush()

    send(INITIALIZE)
    proc.stdout.readline()
    send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    times = []
    for i in range(1, calls + 1):
        t0 = time.perf_counter()
        send({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": {"name": "list_domains", "arguments": {}}})
        reply = json.loads(proc.stdout.readline())
        times.append(time.perf_counter() - t0)
        assert reply["id"] == i and not reply["result"].get("isError"), reply
    proc.stdin.close()
    proc.wait(10)
    return ms(times)


async def sdk_calls(data_dir: str, calls: int) -> dict[str, float]:
    """The same call through the SDK's Client over stdio (what an agent framework does)."""
    cmd = serve_cmd(data_dir)
    times = []
    async with Client(StdioServerParameters(command=cmd[0], args=cmd[1:], cwd=str(REPO))) as client:
        await client.call_tool("list_domains", {})  # warm-up
        for _ in range(calls):
            t0 = time.perf_counter()
            result = await client.call_tool("list_domains", {})
            times.append(time.perf_counter() - t0)
            assert not result.is_error
    return ms(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--starts", type=int, default=10)
    args = ap.parse_args()
    for pkg in ("skills", "server"):
        compileall.compile_dir(REPO / pkg, quiet=1)
    with tempfile.TemporaryDirectory() as data_dir:
        results = {
            "start_to_first_response": time_to_first_response(data_dir, args.starts),
            "tool_call_sdk_client_stdio": anyio.run(sdk_calls, data_dir, args.calls),
            "tool_call_raw_jsonrpc_stdio": raw_calls(data_dir, args.calls),
        }
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
