"""What a hostile call costs the server (issue 17): peak RSS, disk and time, through a real server.

    .venv/bin/python benchmarks/bench_limits.py [--only caret,cancel,oneline,compile] [--cancels 5]

Each measure starts `training-data-miner serve --http` as its own process, drives it with the SDK's
Client and reads the server's peak RSS (VmHWM in /proc/PID/status):

- caret: mine_domain of all domains over 012_dev.txt x4 (200,000 lines) with pattern_regex "^";
  goal: peak RSS < 512 MB. Reports the time, the caps reached and what the execution keeps on disk.
- cancel: mine_domain of all domains with a pattern Hyperscan cannot compile and `regex`
  backtracks on: (?:.*?){25}$x over 012_dev.txt x4, (?:.*?){3}$x over the project's sample (slow
  on every line, never timing out); the client cancels once the scan has run for `--after`
  seconds; reports the time from the cancel to the step recording it (goal: < 1 s).
- oneline: load_source + identify of a 200 MB file of one line, and 8 parallel source:// reads,
  while another client calls list_domains every 0.1 s: peak RSS and the slowest list_domains.
- compile: how long a Scanner takes to build with pattern_regex .{12000} and .{20000}.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
from mcp import Client

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "012_dev.txt"
SAMPLE = ROOT / "data" / "sample" / "012_sample.txt"
RUNAWAY = "(?:.*?){25}$x"  # times out on most lines (dropped at the first)
SLOW = "(?:.*?){3}$x"  # ~1.4 ms a line, up to ~0.2 s on long ones, never a timeout


def peak_rss_mb(pid: int) -> float:
    return int(Path(f"/proc/{pid}/status").read_text().split("VmHWM:")[1].split()[0]) / 1024


class Server:
    """`serve --http` on a free port, its data folder and roots in `work`."""

    def __init__(self, work: Path, *args: str):
        work.mkdir(parents=True, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.data = work / "data"
        self.url = f"http://127.0.0.1:{port}/mcp"
        cmd = [sys.executable, "-m", "training_data_miner.server", "serve", "--http", "--port", str(port),
               "--data-dir", str(self.data), "--root", str(work), *args]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.05)

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


def folder_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


async def caret(work: Path) -> dict:
    work.mkdir(parents=True)
    src = work / "012_dev_x4.txt"
    src.write_bytes(CORPUS.read_bytes() * 4)
    server = Server(work)
    try:
        async with Client(server.url) as client:
            base = peak_rss_mb(server.proc.pid)
            t0 = time.perf_counter()
            result = await client.call_tool("mine_domain", {"source_path": str(src), "domain": "all",
                                                            "pattern_regex": "^"})
            seconds = time.perf_counter() - t0
        data = result.structured_content
        warnings = sorted({w for s in data["summaries"] for w in s.get("warnings", [])})
        return {"measure": "mine_domain all, pattern_regex ^, 012_dev.txt x4 (200,000 lines)",
                "peak_rss_mb": round(peak_rss_mb(server.proc.pid), 1), "rss_before_call_mb": round(base, 1),
                "seconds": round(seconds, 1), "executions_mb": folder_mb(server.data / "executions"),
                "caps_reached": warnings, "examples": {s["domain"]: s["total_examples_extracted"]
                                                       for s in data["summaries"]}}
    finally:
        server.close()


async def cancel(work: Path, runs: int, after: float, pattern: str, source: Path) -> dict:
    stops = []
    for i in range(runs):
        server = Server(work / f"c{i}", "--root", str(source.parent))
        try:
            scanning = anyio.Event()

            async def on_progress(progress: float, total: float | None, message: str | None) -> None:
                if message and message.startswith("identify_domain_patterns:"):
                    scanning.set()

            async with Client(server.url) as client:
                call = anyio.CancelScope()

                async def mine() -> None:
                    with call:
                        r = await client.call_tool("mine_domain", {"source_path": str(source), "domain": "all",
                                                                   "pattern_regex": pattern}, progress_callback=on_progress)
                        raise RuntimeError(f"the call finished before the cancel: {r.content[0].text[:300]}")

                async with anyio.create_task_group() as tg:
                    tg.start_soon(mine)
                    await scanning.wait()
                    await anyio.sleep(after)
                    call.cancel()
                t0 = time.perf_counter()
                [state] = (server.data / "executions").glob("*/state.json")
                while "Cancelled" not in state.read_text(encoding="utf-8"):
                    await anyio.sleep(0.005)
                stops.append(time.perf_counter() - t0)
        finally:
            server.close()
    return {"measure": f"cancel {after} s into the scan of {pattern} (all domains, {source.name}) -> step stopped",
            "median_s": round(statistics.median(stops), 3), "max_s": round(max(stops), 3),
            "runs": [round(s, 3) for s in stops]}


async def oneline(work: Path) -> dict:
    work.mkdir(parents=True)
    src = work / "one_line.txt"
    with open(src, "wb") as f:
        f.write(b"[0102-MPS] Batch 007 Score: 9 (Priority: P3) ")
        chunk = b"filler words without any pattern " * 32_768
        while f.tell() < 200 << 20:
            f.write(chunk)
        f.write(b"\n")
    server = Server(work)
    latencies: list[float] = []
    try:
        done = anyio.Event()

        async def poll() -> None:
            async with Client(server.url) as client:
                while not done.is_set():
                    t0 = time.perf_counter()
                    await client.call_tool("list_domains", {})
                    latencies.append(time.perf_counter() - t0)
                    await anyio.sleep(0.1)

        async def read(client: Client) -> None:
            try:
                await client.read_resource(f"source://{src}?start=1&end=1")
            except Exception:  # over the resource's 1 MiB: the error is the answer
                pass

        t0 = time.perf_counter()
        async with anyio.create_task_group() as tg:
            tg.start_soon(poll)
            async with Client(server.url) as client:
                loaded = (await client.call_tool("load_source", {"source_path": str(src)})).structured_content
                t_load = time.perf_counter() - t0
                await client.call_tool("identify_domain_patterns", {"execution_id": loaded["execution_id"]})
                t_identify = time.perf_counter() - t0 - t_load
                async with anyio.create_task_group() as reads:
                    for _ in range(8):
                        reads.start_soon(read, client)
            done.set()
        return {"measure": "200 MB one-line file: load_source, identify, 8 source:// reads; list_domains meanwhile",
                "peak_rss_mb": round(peak_rss_mb(server.proc.pid), 1), "load_source_s": round(t_load, 1),
                "identify_s": round(t_identify, 1), "list_domains_calls": len(latencies),
                "list_domains_max_s": round(max(latencies), 3),
                "list_domains_median_s": round(statistics.median(latencies), 3)}
    finally:
        server.close()


def compile_times() -> dict:
    from training_data_miner.skills.identify_domain_patterns import Scanner
    from training_data_miner.skills.packs import load_packs

    pack = load_packs()["mps_scoring"]
    Scanner([pack])  # the pack's own databases, cached
    out = {}
    for pattern in (".{12000}", ".{20000}", "(?:(?:.{30}){30}){30}"):
        with tempfile.TemporaryDirectory() as cache:
            os.environ["TDM_CACHE_DIR"] = cache  # not cached: a compile every time
            t0 = time.perf_counter()
            scanner = Scanner([pack.with_pattern(pattern)])
            out[pattern] = {"seconds": round(time.perf_counter() - t0, 2),
                            "engine": "hyperscan prefilter" if scanner.patterns[-1].fast else "regex alone"}
    os.environ.pop("TDM_CACHE_DIR")
    return {"measure": "Scanner build of mps_scoring + pattern_regex, nothing cached", **out}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="caret,cancel,oneline,compile")
    ap.add_argument("--cancels", type=int, default=5)
    ap.add_argument("--after", type=float, default=1.0, help="seconds into the scan to cancel")
    args = ap.parse_args()
    only = args.only.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "caret" in only:
            print(json.dumps(anyio.run(caret, work / "caret"), indent=1), flush=True)
        if "cancel" in only:
            x4 = work / "012_dev_x4.txt"
            x4.write_bytes(CORPUS.read_bytes() * 4)
            for k, (pattern, source) in enumerate(((RUNAWAY, x4), (SLOW, SAMPLE))):
                result = anyio.run(cancel, work / f"cancel{k}", args.cancels, args.after, pattern, source)
                print(json.dumps(result, indent=1), flush=True)
        if "oneline" in only:
            print(json.dumps(anyio.run(oneline, work / "oneline"), indent=1), flush=True)
    if "compile" in only:
        print(json.dumps(compile_times(), indent=1), flush=True)


if __name__ == "__main__":
    main()
