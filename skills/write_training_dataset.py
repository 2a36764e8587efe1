"""Step 6, write the dataset: `{domain}_training_data.json` with every field of the seed's output,
beside it the pattern summary and the rejected examples, each written atomically.

Every figure is computed from this run. The seed's `filter_rate` example (58 kept of 73 = 0.79) is
really a keep rate, so both are reported under their right names.
"""

from __future__ import annotations

import json
import shlex
from datetime import datetime, timezone
from pathlib import Path
from statistics import mean
from typing import Any

from training_data_miner.skills import wsp15
from training_data_miner.skills.files import append_jsonl, atomic_write_json, domain_lock
from training_data_miner.skills.handoff import (
    EXECUTION_COMMAND,
    SPLIT_SEED,
    VALIDATION_SHARE,
    stratified_split,
    train_size,
)
from training_data_miner.skills.models import Example, FilterResult, PatternSummary, SourceInfo
from training_data_miner.skills.packs import DomainPack
from training_data_miner.skills.validate import TRAINER_MIN_QUALITY

NEXT_SKILL_AGENT = "gemma_domain_trainer_v1"
# The trainer's own rules (GEMMA_TRAINER.md): rank by domain, learning rate by example count,
# epochs by size.
TRAINER_RANK = {"mps_scoring": 4, "wsp_application": 8, "roadmap_analysis": 16}
TRAINER_DEFAULT_RANK = 8
SMALL_DATASET = 200  # the trainer's learning-rate rule calls more than 200 examples large
SECONDS_PER_EXAMPLE_EPOCH = 0.5  # CPU LoRA step time per example for Gemma 270M, batch 4 (estimate)


class KeptExistingDataset(ValueError):
    """A run short of min_examples left the dataset already written in its place; the message
    says what to do."""


def dataset_paths(out_dir: Path, domain: str) -> dict[str, Path]:
    return {
        "dataset": out_dir / f"{domain}_training_data.json",
        "summary": out_dir / f"{domain}_pattern_summary.json",
        "rejected": out_dir / f"{domain}_rejected_examples.json",
        "validation": out_dir / f"{domain}_validation_set.json",
    }


def wardrobe_config(pack: DomainPack, n_examples: int) -> dict[str, Any]:
    lr = 1e-4 if n_examples < 50 else (2e-4 if n_examples <= 200 else 3e-4)
    return {
        "wardrobe_id": pack.wardrobe.wardrobe_id,
        "lora_rank": TRAINER_RANK.get(pack.name, TRAINER_DEFAULT_RANK),
        "lora_alpha": 16,
        "lora_dropout": 0.05,
        "target_modules": ["q_proj", "v_proj"],
        "learning_rate": lr,
        "epochs": 5 if n_examples <= SMALL_DATASET else 3,
        "batch_size": 4,
        "max_tokens": 1024,
        "expected_accuracy": None,  # measured by the trainer on the validation set, not guessable here
        "validation_accuracy_threshold": 0.85,
        "use_cases": pack.wardrobe.use_cases,
        "rules": "gemma_domain_trainer: rank by domain, learning rate by example count "
                 "(<50: 1e-4, 50-200: 2e-4, >200: 3e-4), epochs 5 up to 200 examples else 3",
    }


def domain_priority_mps(pack: DomainPack, kept: list[Example], summary: PatternSummary,
                        training_order: int | None = None) -> dict[str, Any]:
    """WSP 15 scores for "which wardrobe first", from what this run measured."""
    n = len(kept)
    fields = mean(len(ex.output) for ex in kept) if kept else 0.0
    c = 2 if fields <= 4 else 3 if fields <= 8 else 4 if fields <= 12 else 5
    i = 5 if n >= 200 else 4 if n >= 100 else 3 if n >= 50 else 2 if n >= 20 else 1
    labels = pack.labels or sorted({ex.label for ex in kept if ex.label})
    covered = sum(1 for v in labels if any(ex.label == v for ex in kept))
    share = covered / len(labels) if labels else 0.0
    d = 1 if summary.shortfall else (4 if share >= 1 else 3 if share >= 0.6 else 2)
    q = mean(ex.quality_score for ex in kept) if kept else 0.0
    p = 5 if q >= 0.97 else 4 if q >= 0.93 else 3 if q >= 0.90 else 2 if q >= 0.87 else 1
    total = wsp15.mps_total(c, i, d, p)
    return {
        "complexity": c,
        "complexity_reason": f"{wsp15.level('complexity', c)} - outputs average {fields:.1f} fields",
        "importance": i,
        "importance_reason": f"{wsp15.level('importance', i)} - {n} training examples",
        "deferability": d,
        "deferability_reason": (
            f"{wsp15.level('deferability', d)} - "
            + (f"{summary.shortfall} examples short of {summary.min_examples}" if summary.shortfall
               else f"{covered} of {len(labels)} {pack.label} values covered")
        ),
        "impact": p,
        "impact_reason": f"{wsp15.level('impact', p)} - mean quality {q:.3f}",
        "total": total,
        "priority": wsp15.priority(total),
        "training_order": training_order,
    }


def build_dataset(
    *,
    pack: DomainPack,
    source: SourceInfo,
    filtered: FilterResult,
    summary: PatternSummary,
    matches_found: int,
    dataset_path: Path,
    learning_store: Path | None,
    execution_id: str,
    pattern_type: str | None,
    training_order: int | None = None,
    execution_command: str = EXECUTION_COMMAND,
    validation_share: float = VALIDATION_SHARE,
    split_seed: int = SPLIT_SEED,
) -> dict[str, Any]:
    kept = filtered.kept
    # Train first, then the held-out set: the trainer's in-order 80/20 slice is this split.
    train, val = stratified_split(kept, lambda e: e.label, validation_share, split_seed)
    if pattern_type is not None:
        train.sort(key=lambda e: e.kind != pattern_type)  # the favoured kind leads, stably
    ordered = train + val
    extracted = summary.total_examples
    rejected = len(filtered.rejected)
    wardrobe = wardrobe_config(pack, len(kept))
    ds = str(dataset_path)
    capable = not summary.shortfall and bool(kept)
    tokens = sum(len(ex.instruction) + len(json.dumps(ex.input)) + len(json.dumps(ex.output)) for ex in kept) // 4
    reasons = [f"{reason} - {n} filtered" for reason, n in filtered.reason_counts.items()]
    improvements: list[str] = []
    if summary.shortfall:
        improvements.append(f"Find {summary.shortfall} more examples: add patterns to skills/domains/"
                            f"{pack.name}.toml or mine a longer source")
    missing = summary.coverage_analysis.get("missing_labels") or []
    if missing:
        improvements.append(f"No kept examples for {pack.label} {', '.join(missing)}: mine sources that contain them")
    dup = sum(n for r, n in filtered.reason_counts.items() if "uplicate" in r)
    if extracted and dup / extracted > 0.3:
        improvements.append(f"{dup} of {extracted} examples were duplicates: the source repeats pastes; "
                            "deduplicate the scrapbook upstream")
    low = sum(n for r, n in filtered.reason_counts.items() if "rationale" in r.lower())
    if low:
        improvements.append(f"{low} examples lacked a rationale in the text: mine the reasoning around them")
    improvements.append("Extract negative examples (what NOT to do)")

    # Commands anyone can run where the dataset is: the CLI, or a system python3 (the script uses
    # the standard library only), never the interpreter of the environment that mined it.
    validation_script = (
        f"python3 -c \"import json,sys; d=json.load(open(sys.argv[1], encoding='utf-8')); "
        f"ex=d['examples']; assert d['total_examples'] == len(ex) > 0; "
        f"assert d['quality_threshold'] >= {TRAINER_MIN_QUALITY}; "
        f"assert all(e['quality_score'] >= d['quality_threshold'] and e['instruction'] and e['input'] "
        f"and e['output'] and ':line_' in e['source'] for e in ex); "
        f"print('\u2713 Dataset validated:', len(ex), 'examples')\" {shlex.quote(ds)}"
    )
    return {
        "dataset_id": f"{pack.name}_training_v1",
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "source": f"{source.name} (lines 1-{source.total_lines})",
        "domain": pack.name,
        "total_examples": len(kept),
        "quality_threshold": filtered.min_quality,
        "domain_priority_mps": domain_priority_mps(pack, kept, summary, training_order),
        "examples": [ex.model_dump(mode="json") for ex in ordered],
        "metadata": {
            "pattern_summary": summary.model_dump(mode="json"),
            "coverage_analysis": summary.coverage_analysis,
            "recommended_use": summary.recommended_use,
            "execution_id": execution_id,
            "source_file": {"path": source.path, "sha256": source.sha256, "total_lines": source.total_lines,
                            "bytes": source.bytes, "encoding_notes": source.encoding_notes},
            "pattern_type": pattern_type,
            "split": {
                "validation_share": validation_share,
                "seed": split_seed,
                "stratified_by": pack.label,
                "train_examples": len(train),
                "validation_examples": len(val),
                "validation_set": str(dataset_path.with_name(f"{pack.name}_validation_set.json")),
                "note": "examples are ordered train then validation: an in-order 80/20 slice gives this split",
            },
            "dedup": {"method": filtered.dedup_method, "near_duplicate_threshold": filtered.near_duplicate_threshold},
            "quality_criteria": "complete, clear_reasoning, correct_format, verifiable, unambiguous: 0.2 each, partial credit",
        },
        "recommended_wardrobe_config": wardrobe,
        "autonomous_execution": {
            "capable": capable,
            "agent": NEXT_SKILL_AGENT,
            "confidence": round(mean(ex.quality_score for ex in kept), 3) if kept else 0.0,
            "estimated_tokens": tokens,
            "estimated_time_seconds": round(len(kept) * wardrobe["epochs"] * SECONDS_PER_EXAMPLE_EPOCH),
            "estimate_basis": f"{SECONDS_PER_EXAMPLE_EPOCH}s per example per epoch",
            "requires_0102_approval": not capable,
            "execution_command": execution_command.format(domain=pack.name, dataset=shlex.quote(ds)),
        },
        "verification": {
            "verify_command": f"training-data-miner validate {shlex.quote(ds)}",
            "success_criteria": f"File exists + total_examples >= {summary.min_examples} + quality_threshold >= {TRAINER_MIN_QUALITY}",
            "min_examples_met": not summary.shortfall,
            "validation_script": validation_script,
        },
        "learning_feedback": {
            "pattern_extraction_stats": {
                "total_patterns_found": matches_found,
                "total_examples_extracted": extracted,
                "high_quality_kept": len(kept),
                "keep_rate": round(len(kept) / extracted, 3) if extracted else 0.0,
                "filter_rate": round(rejected / extracted, 3) if extracted else 0.0,
                "common_filter_reasons": reasons,
                "min_examples": summary.min_examples,
                "shortfall": summary.shortfall,
            },
            "domain_insights": summary.common_patterns,
            "future_improvements": improvements,
            "store_to": str(learning_store) if learning_store else None,
        },
    }


def write_training_dataset(
    *,
    pack: DomainPack,
    source: SourceInfo,
    filtered: FilterResult,
    summary: PatternSummary,
    matches_found: int,
    out_dir: Path,
    execution_id: str,
    learning_store: Path | None = None,
    pattern_type: str | None = None,
    training_order: int | None = None,
    execution_command: str = EXECUTION_COMMAND,
    validation_share: float = VALIDATION_SHARE,
    split_seed: int = SPLIT_SEED,
    replace: bool = False,
) -> dict[str, Any]:
    """Write dataset, validation set, summary and rejected examples; append learning feedback to
    the store. Returns the paths and the dataset's size. A run short of min_examples does not
    replace a dataset already there (KeptExistingDataset) unless `replace` is True."""
    out_dir = Path(out_dir)
    paths = dataset_paths(out_dir, pack.name)
    dataset = build_dataset(
        pack=pack, source=source, filtered=filtered, summary=summary, matches_found=matches_found,
        dataset_path=paths["dataset"].resolve(), learning_store=learning_store, execution_id=execution_id,
        pattern_type=pattern_type, training_order=training_order, execution_command=execution_command,
        validation_share=validation_share, split_seed=split_seed,
    )
    held = dataset["examples"][train_size(len(dataset["examples"]), validation_share):]
    with domain_lock(out_dir, pack.name):
        if summary.shortfall and not replace and paths["dataset"].exists():
            raise KeptExistingDataset(
                f"{pack.name}: this run kept {len(filtered.kept)} examples, {summary.shortfall} short of "
                f"min_examples {summary.min_examples}, so the dataset already in {paths['dataset']} "
                f"({_count(paths['dataset'])}) was kept; mine again with --replace (replace=true) to "
                "overwrite it, or with a lower min_examples")
        _write_all(paths, dataset, held, summary, filtered, pack, execution_id)
    size = paths["dataset"].stat().st_size
    if learning_store is not None:
        append_jsonl(learning_store, {
            "execution_id": execution_id, "domain": pack.name, "created": dataset["created"],
            **dataset["learning_feedback"],
        })
    return {
        "paths": {k: str(v) for k, v in paths.items()},
        "file_size_kb": round(size / 1024, 1),
        "total_examples": len(filtered.kept),
        "autonomous_ready": dataset["autonomous_execution"]["capable"],
        "domain_priority_mps": dataset["domain_priority_mps"],
    }


def _count(path: Path) -> str:
    try:
        return f"{json.loads(path.read_text(encoding='utf-8'))['total_examples']} examples"
    except (OSError, ValueError, KeyError, TypeError):
        return "unreadable"


def _write_all(paths: dict[str, Path], dataset: dict[str, Any], held: list[Any], summary: PatternSummary,
               filtered: FilterResult, pack: DomainPack, execution_id: str) -> None:
    atomic_write_json(paths["validation"], {
        "dataset_id": f"{pack.name}_validation_v1",
        "created": dataset["created"],
        "source": dataset["source"],
        "domain": pack.name,
        "total_examples": len(held),
        "quality_threshold": dataset["quality_threshold"],
        "split": dataset["metadata"]["split"],
        "examples": held,
    })
    atomic_write_json(paths["summary"], summary.model_dump(mode="json"))
    atomic_write_json(paths["rejected"], {
        "domain": pack.name,
        "execution_id": execution_id,
        "total_rejected": len(filtered.rejected),
        "reason_counts": filtered.reason_counts,
        "rejected": [r.model_dump(mode="json") for r in filtered.rejected],
    })
    # The dataset last: a reader that sees it finds its validation set and summary in place.
    atomic_write_json(paths["dataset"], dataset)
