"""How good the mined examples are: a six-domain mine of 012_dev.txt held against the gold.

    python benchmarks/bench_quality.py [SOURCE] [--gold DIR] [--no-semantic] [--keep DIR] [--misses N]

Mines SOURCE (default ../shared/corpus/012_dev.txt) as a person runs it (`training-data-miner mine`,
all domains, default settings), then prints the table of ../shared/gold/score.py (item precision,
precision, recall, label accuracy per domain, recall by label) and each domain's figures against
the project's targets. score.py measures whether items were found and labelled; whether examples
are well written is judged by reading a sample (../shared/gold/AUDIT.md).
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"

# domain -> (precision, recall, label accuracy, {label: recall}) the project aims for (issues 14-16)
TARGETS: dict[str, tuple[float, float, float | None, dict[str, float]]] = {
    "mps_scoring": (0.95, 0.90, 0.97, {}),
    "modlog_updates": (0.95, 0.90, None, {}),
    "wsp_application": (0.95, 0.83, 0.95, {"violation": 0.90, "applied": 0.90, "compliant": 0.80}),
    "roadmap_analysis": (0.95, 0.90, 0.95, {"needs_update": 0.80}),
    "readme_patterns": (0.95, 0.90, 0.95, {}),
    "first_principles": (0.95, 0.90, 0.95, {}),
}
MIN_EXAMPLES = 50


def _scorer(gold: Path):
    path = gold.parent / "score.py"
    spec = importlib.util.spec_from_file_location("gold_score", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise SystemExit(f"no scorer at {path}; this benchmark needs ../shared/gold beside the project")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def verdicts(report: dict) -> list[str]:
    """One line per domain: its figures against TARGETS, and PASS or what falls short."""
    out = []
    for domain, r in report.items():
        precision, recall, label_acc, by_label = TARGETS.get(domain, (0.95, 0.90, 0.95, {}))
        short = []
        if r["precision"] < precision:
            short.append(f"precision {r['precision']:.3f} < {precision}")
        if r["recall"] < recall:
            short.append(f"recall {r['recall']:.3f} < {recall}")
        if label_acc is not None and r["label_accuracy"] is not None and r["label_accuracy"] < label_acc:
            short.append(f"label accuracy {r['label_accuracy']:.3f} < {label_acc}")
        for label, want in by_label.items():
            got = r["recall_by_label"].get(label)
            if got is not None and got < want:
                short.append(f"recall of {label} {got:.3f} < {want}")
        if r["examples"] < MIN_EXAMPLES:
            short.append(f"{r['examples']} examples < {MIN_EXAMPLES}")
        out.append(f"{domain:18} {'PASS' if not short else 'FAIL: ' + '; '.join(short)}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", nargs="?", default=str(SHARED / "corpus" / "012_dev.txt"))
    ap.add_argument("--gold", default=str(SHARED / "gold" / "dev"))
    ap.add_argument("--no-semantic", action="store_true")
    ap.add_argument("--keep", help="mine into this data folder (kept) instead of a temporary one")
    ap.add_argument("--misses", type=int, default=0, help="also list up to N missed items and wrong examples")
    args = ap.parse_args()
    gold = Path(args.gold)
    if not Path(args.source).is_file() or not gold.is_dir():
        print(f"skipped: {args.source} or {gold} is not here", file=sys.stderr)
        return 0
    scorer = _scorer(gold)
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(args.keep or tmp)
        cmd = [sys.executable, "-m", "training_data_miner.server", "mine", args.source, "-q", "--data-dir", str(data)]
        if args.no_semantic:
            cmd.append("--no-semantic")
        subprocess.run(cmd, check=True, cwd=ROOT)
        out = data / "training_datasets"
        report = scorer.score(out, gold, args.misses)
        proc = subprocess.run([sys.executable, str(gold.parent / "score.py"), str(out), str(gold),
                               "--misses", str(args.misses)], capture_output=True, text=True, check=True)
    print(f"source: {Path(args.source).name}; gold: {gold}")
    print(proc.stdout, end="")
    print("\nagainst the targets (precision, recall, label accuracy, recall by label, >= 50 examples):")
    for line in verdicts(report):
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
