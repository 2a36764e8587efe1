"""Identify + extract over a big source, streamed: MB/s and peak RSS.

    python benchmarks/bench_big.py [--size-mb 1024] [SOURCE]

Builds the source in /tmp by repeating SOURCE (012_dev.txt) up to --size-mb, then, in a child
process, scans it for all six domains and feeds each match straight to its domain's extraction
(skills.extract_examples.Extraction); nothing is kept but counts, so memory stays bounded whatever
the size. Reports MB/s of the child's wall time and its peak RSS (VmHWM, from wait4's ru_maxrss).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus" / "012_dev.txt"


def run(src: Path) -> None:
    from skills.extract_examples import Extraction
    from skills.identify_domain_patterns import Scanner, scan
    from skills.models import Match
    from skills.packs import load_packs

    packs = list(load_packs([]).values())
    runs = {p.name: Extraction(p, src.name) for p in packs}
    matches = examples = 0
    for item in scan(src, Scanner(packs)):
        if isinstance(item, Match):
            matches += 1
            examples += len(runs[item.domain].feed(item))
    print(f"matches {matches}, examples {examples}", flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", nargs="?", default=str(CORPUS))
    ap.add_argument("--size-mb", type=int, default=1024)
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
            run(big)
        finally:
            os._exit(0)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - t0
    rate = size / 1e6 / wall
    rss = usage.ru_maxrss / 1024
    print(f"big source {size / 1e6:.0f} MB: identify+extract {wall:.1f} s, {rate:.1f} MB/s "
          f"(target >= 200: {'PASS' if rate >= 200 else 'FAIL'}); peak RSS {rss:.0f} MB "
          f"(target <= 256: {'PASS' if rss <= 256 else 'FAIL'}); status {status}")
    return 0 if status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
