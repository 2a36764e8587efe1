"""Time the six-domain mine of a source end to end, as a person runs it (a CLI process each run).

    python benchmarks/bench_mine.py [SOURCE] [--runs 5] [--repeat N] [--jobs N]

--repeat N first builds a larger source by repeating SOURCE N times (e.g. 012_dev.txt x2 ~ the
98,400 lines of the real 012.txt). Reports the median wall time, the median CPU time of the
process and its workers (steadier than wall time on a shared machine), lines/s and the peak RSS of
the main process (a worker forked by --jobs is about the same size; see README "Performance").

The project's bytecode is compiled first, as an installer does: with PYTHONDONTWRITEBYTECODE set
(it is, on this machine) every run would otherwise compile ~9,000 lines of source (~0.1 s).
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "012_dev.txt"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", nargs="?", default=str(CORPUS))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--jobs", type=int, help="mine --jobs N (default: mine's own, the CPU count)")
    args = ap.parse_args()
    for pkg in ("skills", "server"):
        compileall.compile_dir(ROOT / pkg, quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(args.source)
        if args.repeat > 1:
            big = Path(tmp) / f"{src.stem}_x{args.repeat}.txt"
            data = src.read_bytes()
            big.write_bytes(data * args.repeat)
            src = big
        lines = src.read_bytes().count(b"\n")
        exe = [sys.executable, "-m", "training_data_miner.server", "mine", str(src), "--all-domains", "-q", "--data-dir", tmp]
        if args.jobs:
            exe += ["--jobs", str(args.jobs)]
        subprocess.run(exe, check=True, cwd=ROOT)  # warm the page cache and the pattern cache
        walls, cpus, peaks = [], [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.chdir(ROOT)
                os.execv(exe[0], exe)
            _, status, usage = os.wait4(pid, 0)
            walls.append(time.perf_counter() - t0)
            cpus.append(usage.ru_utime + usage.ru_stime)  # the workers' too: they are waited for
            peaks.append(usage.ru_maxrss / 1024)
            if status:
                print(f"run failed with status {status}", file=sys.stderr)
                return 1
        med = statistics.median(walls)
        print(f"source: {src.name}, {lines} lines, {src.stat().st_size / 1e6:.1f} MB")
        print(f"six-domain mine, {args.runs} runs: median {med:.3f} s (min {min(walls):.3f}, max {max(walls):.3f})")
        print(f"CPU time (process and workers): median {statistics.median(cpus):.3f} s")
        print(f"throughput: {lines / med:,.0f} lines/s; peak RSS {max(peaks):.0f} MB")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
