"""Breadcrumbs and fidelity metrics, in the record shapes of the system the miner plugs into
(../shared/reference/METRICS.md). Every append is one JSON line under a file lock."""

from __future__ import annotations

import resource
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from training_data_miner.skills.files import append_jsonl

SKILL_ID = "qwen_training_data_miner_v1_prototype"
SKILL_NAME = "qwen_training_data_miner"
AGENT = "qwen"
# The six steps' expected patterns, in order (the seed's "Expected Patterns Summary").
PATTERNS = (
    "source_loaded",
    "domain_patterns_identified",
    "examples_extracted",
    "quality_filtering_applied",
    "pattern_summary_generated",
    "training_dataset_written",
)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def breadcrumb(path: Path, pattern: str, value: bool, execution_id: str, **figures: Any) -> dict[str, Any]:
    record = {"pattern": pattern, "value": value, **figures, "execution_id": execution_id, "timestamp": now_iso()}
    append_jsonl(path, record)
    return record


def fidelity_record(
    metrics_dir: Path,
    execution_id: str,
    domain: str,
    detail: dict[str, bool],
    execution_time_ms: float,
    exception_type: str | None = None,
) -> dict[str, Any]:
    """Append the fidelity record (fidelity = steps executed / 6) and its performance sibling."""
    ts = time.time()
    followed = [p for p in PATTERNS if detail.get(p)]
    record = {
        "execution_id": execution_id,
        "timestamp": ts,
        "timestamp_iso": now_iso(),
        "skill_name": SKILL_NAME,
        "agent": AGENT,
        "domain": domain,
        "pattern_fidelity": round(len(followed) / len(PATTERNS), 4),
        "patterns_followed": len(followed),
        "patterns_missed": len(PATTERNS) - len(followed),
        "patterns_detail": {p: bool(detail.get(p)) for p in PATTERNS},
        "metric_type": "fidelity",
    }
    if exception_type:
        record["exception_type"] = exception_type
    append_jsonl(metrics_dir / f"{SKILL_NAME}_fidelity.json", record)
    append_jsonl(metrics_dir / f"{SKILL_NAME}_performance.json", {
        "execution_id": execution_id,
        "timestamp": ts,
        "skill_name": SKILL_NAME,
        "domain": domain,
        "execution_time_ms": round(execution_time_ms, 1),
        "exception_occurred": exception_type is not None,
        "exception_type": exception_type,
        "memory_usage_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "metric_type": "performance",
    })
    return record
