"""Near-duplicate detection (filter_quality: exact keys + MinHash-LSH) over N synthetic examples.

    python benchmarks/bench_dedup.py [--n 100000] [--runs 3]

The examples are realistic in shape (WSP application statements with a subject, a relation, WSP
numbers and a reason), drawn from a fixed seed from a vocabulary, with ~10% exact repeats and ~10%
near copies (one word changed), so every path of the filter runs. Prints the median time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path


WORDS = ("module orchestrator daemon index holo scoring pipeline roadmap readme modlog agent skill wardrobe "
         "embedding cache queue scheduler registry protocol compliance violation refactor test coverage "
         "dependency interface storage stream token budget priority phase milestone decision reason root "
         "cause failure retry timeout memory cleanup migration schema parser vector search ranking").split()


def make_examples(n: int, seed: int = 15):
    from training_data_miner.skills.models import Example, Quality

    rnd = random.Random(seed)
    q = Quality(score=1.0, criteria={c: 0.2 for c in ("complete", "clear_reasoning", "correct_format",
                                                       "verifiable", "unambiguous")})
    out, bodies = [], []
    for i in range(n):
        r = rnd.random()
        if bodies and r < 0.1:
            body = rnd.choice(bodies)
        elif bodies and r < 0.2:
            words = rnd.choice(bodies).split()
            words[rnd.randrange(len(words))] = rnd.choice(WORDS)
            body = " ".join(words)
        else:
            body = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(12, 30)))
        bodies.append(body)
        wsp = sorted(rnd.sample(range(1, 100), 2))
        out.append(Example(
            example_id=f"wsp_{i + 1:06d}", instruction="Which WSPs does this statement invoke, and how?",
            input={"statement": body}, output={"wsps": [f"WSP {w}" for w in wsp], "relation": "applied",
                                               "subject": body.split()[0], "reason": " ".join(body.split()[-6:])},
            source=f"synthetic.txt:line_{i + 1}", quality_score=rnd.choice((0.8, 0.9, 1.0)), evidence=body[:80],
            pattern="wsp_applied", kind="decision_trees", quality=q))
    return out


def main() -> int:
    from training_data_miner.skills.filter_quality import filter_quality

    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    examples = make_examples(args.n)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        fr = filter_quality(examples, 0.85)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(f"dedup of {args.n} examples: median {med:.2f} s over {args.runs} runs; kept {len(fr.kept)}, "
          f"reasons {fr.reason_counts} (target <= 10 s: {'PASS' if med <= 10 else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
