"""Identify + extract over a big source, streamed: MB/s and peak RSS.

    python benchmarks/bench_big.py [--size-mb 1024] [SOURCE]

Builds the source in /tmp by repeating SOURCE (012_dev.txt) up to --size-mb, then, in a child
process, scans it for all six domains and feeds each match straight to its domain's extraction
(skills.extract_examples.Extraction, which parses each document of the source's structure when
its matches reach it); nothing is kept but counts, so memory stays bounded whatever the size. With --jobs 2 (the default: the CPU count) the domains are split into groups by their
packs' cost, as `mine` splits them, and each group streams the file in its own process. Reports
MB/s of the wall time and the peak RSS of the largest process (ru_maxrss of the waited children).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "012_dev.txt"


def stream(src: Path, packs: list) -> tuple[int, int]:
    from training_data_miner.skills.extract_examples import Extraction
    from training_data_miner.skills.identify_domain_patterns import Scanner, scan
    from training_data_miner.skills.models import Match
    from training_data_miner.skills.structure import Structure

    structure = Structure.open(src)  # documents parsed as the extractions reach them
    runs = {p.name: Extraction(p, src.name, structure) for p in packs}
    matches = examples = 0
    for item in scan(src, Scanner(packs)):
        if isinstance(item, Match):
            matches += 1
            examples += len(runs[item.domain].feed(item))
    examples += sum(len(run.finish()) for run in runs.values())
    return matches, examples


def run(src: Path, jobs: int) -> None:
    from training_data_miner.server.workers import WorkerFailed, balance, run_in_workers
    from training_data_miner.skills.packs import load_packs

    packs = load_packs([])
    groups = balance({d: p.cost for d, p in packs.items()}, jobs)
    counts: list = []
    run_in_workers(groups, lambda g: stream(src, [packs[d] for d in g]), counts.extend, lambda g, _: None)
    failed = [c for c in counts if isinstance(c, WorkerFailed)]
    if failed:
        raise SystemExit(f"a worker failed: {failed[0]}")
    print(f"groups {groups}: matches {sum(c[0] for c in counts)}, examples {sum(c[1] for c in counts)}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", nargs="?", default=str(CORPUS))
    ap.add_argument("--size-mb", type=int, default=1024)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    big = Path("/tmp") / f"tdm_big_{args.size_mb}mb.txt"
    unit = Path(args.source).read_bytes()
    want = args.size_mb << 20
    if not big.exists() or big.stat().st_size < want:
        with open(big, "wb") as f:
            for _ in range(-(-want // len(unit))):
                f.write(unit)
    size = big.stat().st_size
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            run(big, args.jobs)
        finally:
            os._exit(0)
    _, status, _usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the largest of the processes
    rate = size / 1e6 / wall
    rss = usage.ru_maxrss / 1024
    print(f"big source {size / 1e6:.0f} MB: identify+extract {wall:.1f} s, {rate:.1f} MB/s "
          f"(target >= 200: {'PASS' if rate >= 200 else 'FAIL'}); peak RSS {rss:.0f} MB "
          f"(target <= 256: {'PASS' if rss <= 256 else 'FAIL'}); status {status}")
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
