"""A bounded load test of `serve --http` on loopback.

    python benchmarks/load_http.py [--clients 20] [--calls 50] [--mines 4]

Starts the server on a free loopback port, then at once: CLIENTS clients each make CALLS calls
alternating list_domains and identify_domain_patterns (on an execution of the sample), and MINES
clients each run mine_domain(all) on ../shared/corpus/012_dev.txt. Prints failed calls, p50/p99
latency of the small calls, the mines' wall times and the server's peak RSS. Traffic goes only to
127.0.0.1; every loop is bounded and the script stops by itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "data/sample/012_sample.txt"
CORPUS = ROOT.parent / "shared" / "corpus" / "012_dev.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def main_async(args: argparse.Namespace, url: str) -> dict:
    latencies: list[float] = []
    failures: list[str] = []
    mines: list[float] = []

    async with Client(url) as setup:
        r = await setup.call_tool("load_source", {"source_path": SAMPLE, "domain": "all"})
        execution_id = r.structured_content["execution_id"]

    async def small_client(i: int) -> None:
        async with Client(url) as c:
            for k in range(args.calls):
                if k % 2:
                    name, arguments = "identify_domain_patterns", {"execution_id": execution_id, "domain": "all"}
                else:
                    name, arguments = "list_domains", {}
                t0 = time.perf_counter()
                try:
                    with anyio.fail_after(120):
                        res = await c.call_tool(name, arguments)
                    if res.is_error:
                        failures.append(f"{name}: {res.content[0].text[:200]}")
                except Exception as exc:  # a failed call is counted, the run goes on
                    failures.append(f"{name}: {type(exc).__name__}: {exc}")
                latencies.append(time.perf_counter() - t0)

    async def mine_client(i: int) -> None:
        async with Client(url) as c:
            t0 = time.perf_counter()
            try:
                with anyio.fail_after(600):
                    res = await c.call_tool("mine_domain", {"source_path": str(CORPUS), "domain": "all"})
                if res.is_error:
                    failures.append(f"mine_domain: {res.content[0].text[:200]}")
            except Exception as exc:
                failures.append(f"mine_domain: {type(exc).__name__}: {exc}")
            mines.append(time.perf_counter() - t0)

    t0 = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for i in range(args.mines):
            tg.start_soon(mine_client, i)
        for i in range(args.clients):
            tg.start_soon(small_client, i)
    return {"wall": time.perf_counter() - t0, "latencies": latencies, "failures": failures, "mines": mines}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--calls", type=int, default=50)
    ap.add_argument("--mines", type=int, default=4)
    args = ap.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen(
            [sys.executable, "-m", "training_data_miner.server", "serve", "--http", "--port", str(port), "--data-dir", data,
             "--root", str(ROOT), "--root", str(CORPUS.parent)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 0.2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        print("server did not start", file=sys.stderr)
                        return 1
                    time.sleep(0.05)
            r = anyio.run(main_async, args, f"http://127.0.0.1:{port}/mcp")
            rss = peak_rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)
    lat = sorted(r["latencies"])
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    print(f"{args.clients} clients x {args.calls} calls + {args.mines} concurrent mines of {CORPUS.name}")
    print(f"calls: {len(lat) + len(r['mines'])}, failed: {len(r['failures'])}")
    print(f"small calls: p50 {p(0.50):.1f} ms, p99 {p(0.99):.1f} ms, max {lat[-1] * 1000:.1f} ms")
    print(f"mines: {', '.join(f'{m:.1f}' for m in r['mines'])} s; whole run {r['wall']:.1f} s")
    print(f"server peak RSS: {rss:.0f} MB; machine: {os.cpu_count()} cores")
    for f in r["failures"][:10]:
        print("  failure:", f)
    return 1 if r["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
