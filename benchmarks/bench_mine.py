"""Time the six-domain mine of a source end to end, as a person runs it (a CLI process each run).

    python benchmarks/bench_mine.py [SOURCE] [--runs 5] [--repeat N] [--jobs N]

--repeat N first builds a larger source by repeating SOURCE N times (e.g. 012_dev.txt x2 ~ the
98,400 lines of the real 012.txt). --callgrind instead runs the mine once in one process under
valgrind's callgrind and reports the instructions it executed: a count that does not move with the
machine's load (a run takes ~2 minutes), for before/after comparisons on a busy machine. Reports the median wall time, the median CPU time of the
process and its workers (steadier than wall time on a shared machine), lines/s and the peak RSS of
the main process (a worker forked by --jobs is about the same size; see README "Performance").

The project's bytecode is compiled first, as an installer does: with PYTHONDONTWRITEBYTECODE set
(it is, on this machine) every run would otherwise compile ~9,000 lines of source (~0.1 s).
"""

from __future__ import annotations

import argparse
import compileall
import os
import re
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
    ap.add_argument("--callgrind", action="store_true", help="count instructions of one --jobs 1 run instead")
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
        if args.callgrind:
            return _callgrind(exe, tmp, src, lines)
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


def _callgrind(exe: list[str], tmp: str, src: Path, lines: int) -> int:
    """One `--jobs 1` mine under callgrind: the instructions it executed (load-independent)."""
    out = Path(tmp) / "callgrind.out"
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *exe, "--jobs", "1"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if proc.returncode:
        print(proc.stderr[-2000:], file=sys.stderr)
        return 1
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if not found:
        print("valgrind did not report a count (is valgrind installed?)", file=sys.stderr)
        return 1
    print(f"source: {src.name}, {lines} lines, {src.stat().st_size / 1e6:.1f} MB")
    print(f"six-domain mine, one process, under callgrind: {int(found[1]) / 1e9:.2f} G instructions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
