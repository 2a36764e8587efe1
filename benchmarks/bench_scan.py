"""The scan (identify_domain_patterns, all six domains) side by side with ripgrep, same patterns, same file.

    python benchmarks/bench_scan.py [SOURCE] [--repeat 2] [--runs 5]

What is compared: ours = Scanner + scan() consumed to the end in this process (Hyperscan prefilter,
`regex` confirmation with captures, context windows, Match records); rg = `rg --pcre2 -n` with
every pattern as one `-e` (case-insensitive ones prefixed `(?i)`), output to /dev/null, i.e. the
matching lines only (no captures, no context). Patterns PCRE2 cannot compile are listed and left
out of rg's set (ours still runs them all). Prints the medians and the ratio ours/rg.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "012_dev.txt"


def main() -> int:
    import regex

    from training_data_miner.skills.identify_domain_patterns import Scanner, scan
    from training_data_miner.skills.packs import load_packs

    ap = argparse.ArgumentParser()
    ap.add_argument("source", nargs="?", default=str(CORPUS))
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rg = shutil.which("rg")
    if not rg:
        print("rg not found (apt-get install ripgrep, or pip install ripgrep)", file=sys.stderr)
        return 1
    packs = list(load_packs([]).values())
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "scan_source.txt"
        src.write_bytes(Path(args.source).read_bytes() * args.repeat)
        scanner = Scanner(packs)
        exprs, skipped = [], []
        for p in scanner.patterns:
            # rg joins its -e patterns into one regex: group names must not repeat, so they go
            # (rg reports lines, not captures); a pattern with a named back-reference is left out
            body = regex.sub(r"\(\?P?<(?![=!])\w+>", "(", p.rx.pattern)
            if "(?P=" in body or "\\k<" in body:
                skipped.append(p.name)
                continue
            e = ("(?i)" if p.rx.flags & regex.IGNORECASE else "") + body
            ok = subprocess.run([rg, "--pcre2", "-q", "-e", e, "/dev/null"], capture_output=True)
            (exprs if ok.returncode in (0, 1) else skipped).append(e if ok.returncode in (0, 1) else p.name)
        cmd = [rg, "--pcre2", "-n", "--no-config", *[a for e in exprs for a in ("-e", e)], str(src)]
        list(scan(src, scanner))  # warm the page cache
        ours, theirs, n = [], [], 0
        for _ in range(args.runs):
            t0 = time.perf_counter()
            n = sum(1 for _ in scan(src, scanner))
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            rc = subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False).returncode
            if rc not in (0, 1):
                print(f"rg failed ({rc})", file=sys.stderr)
                return 1
            theirs.append(time.perf_counter() - t0)
        lines = src.read_bytes().count(b"\n")
        mo, mt = statistics.median(ours), statistics.median(theirs)
        rg_lines = subprocess.run(cmd, capture_output=True, check=False).stdout.count(b"\n")
        print(f"rg matching lines: {rg_lines}")
        print(f"source: {lines} lines, {src.stat().st_size / 1e6:.1f} MB; {len(scanner.patterns)} patterns "
              f"({len(exprs)} given to rg; PCRE2 rejected: {', '.join(skipped) or 'none'}); {n} matches")
        print(f"scan: ours {mo * 1000:.0f} ms, rg --pcre2 {mt * 1000:.0f} ms, ratio {mo / mt:.2f}x "
              f"(target <= 1.5x: {'PASS' if mo / mt <= 1.5 else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
