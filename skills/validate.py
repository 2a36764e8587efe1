"""The next skill's input contract (gemma_domain_trainer, ../shared/reference/GEMMA_TRAINER.md).

It reads `dataset["examples"]`; each example needs `instruction`, `input`, `output`, a
`quality_score` of at least the threshold (0.85) and a source line number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import regex

TRAINER_MIN_QUALITY = 0.85
REQUIRED_TOP = ("dataset_id", "created", "source", "domain", "total_examples", "quality_threshold",
                "domain_priority_mps", "examples", "metadata", "recommended_wardrobe_config",
                "autonomous_execution", "verification", "learning_feedback")
_SOURCE = regex.compile(r"^.+:line_(\d+)$")


def validate_dataset(data: dict[str, Any], *, full: bool = True) -> list[str]:
    """Every way `data` breaks the trainer's contract; empty when it holds.
    `full=False` checks only what a validation set needs (examples and threshold)."""
    problems: list[str] = []
    top = REQUIRED_TOP if full else ("examples",)
    for key in top:
        if key not in data:
            problems.append(f"missing field {key!r}")
    examples = data.get("examples")
    if not isinstance(examples, list):
        return problems + ["'examples' must be a list"]
    threshold = data.get("quality_threshold", TRAINER_MIN_QUALITY)
    if not isinstance(threshold, (int, float)) or threshold < TRAINER_MIN_QUALITY:
        problems.append(f"quality_threshold {threshold!r} is below the trainer's minimum {TRAINER_MIN_QUALITY}")
        threshold = TRAINER_MIN_QUALITY
    if full and data.get("total_examples") != len(examples):
        problems.append(f"total_examples is {data.get('total_examples')!r} but there are {len(examples)} examples")
    if not examples:
        problems.append("no examples")
    ids: set[str] = set()
    for i, ex in enumerate(examples):
        where = f"examples[{i}]" + (f" ({ex.get('example_id')})" if isinstance(ex, dict) and ex.get("example_id") else "")
        if not isinstance(ex, dict):
            problems.append(f"{where}: not an object")
            continue
        for key in ("instruction", "input", "output", "source", "quality_score"):
            if key not in ex:
                problems.append(f"{where}: missing field {key!r}")
        if "instruction" in ex and (not isinstance(ex["instruction"], str) or not ex["instruction"].strip()):
            problems.append(f"{where}: instruction must be a non-empty string")
        for key in ("input", "output"):
            if key in ex and not isinstance(ex[key], (dict, str)) or key in ex and not ex[key]:
                problems.append(f"{where}: {key} must be a non-empty object or string")
        q = ex.get("quality_score")
        if "quality_score" in ex and (not isinstance(q, (int, float)) or q < threshold):
            problems.append(f"{where}: quality_score {q!r} is under the threshold {threshold}")
        src = ex.get("source")
        if "source" in ex and (not isinstance(src, str) or not _SOURCE.match(src)):
            problems.append(f"{where}: source {src!r} has no line number (expected '<file>:line_<N>')")
        eid = ex.get("example_id")
        if eid is not None:
            if eid in ids:
                problems.append(f"{where}: duplicate example_id {eid!r}")
            ids.add(eid)
    return problems


class DatasetFileError(ValueError):
    """A file that cannot be read as a dataset at all; the message says what to pass instead."""


def read_dataset(path: str | Path) -> dict[str, Any]:
    """The JSON object in `path`, or DatasetFileError saying why there is none."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DatasetFileError(f"no such file: {p}; pass a dataset that mine wrote "
                               "(DATA_DIR/training_datasets/<domain>_training_data.json)") from None
    except IsADirectoryError:
        raise DatasetFileError(f"{p} is a folder; pass one of its *_training_data.json files") from None
    except PermissionError:
        raise DatasetFileError(f"{p} is not readable (permission denied)") from None
    except UnicodeDecodeError:
        raise DatasetFileError(f"{p} is not UTF-8 text; pass a dataset JSON file") from None
    except OSError as exc:
        raise DatasetFileError(f"cannot read {p}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetFileError(f"{p} is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise DatasetFileError(f"{p} is not a dataset: its top level must be a JSON object")
    return data


def check_file(path: str | Path, *, full: bool | None = None) -> list[str]:
    """Every way the dataset in `path` breaks the trainer's contract (a validation set, named
    *_validation_set.json, is checked as one); DatasetFileError if it cannot be read at all."""
    p = Path(path)
    data = read_dataset(p)
    if full is None:
        full = not p.name.endswith("_validation_set.json")
    return validate_dataset(data, full=full)


def validate_file(path: str | Path, *, full: bool | None = None) -> list[str]:
    """`check_file`, with a file that cannot be read reported as its one problem."""
    try:
        return check_file(path, full=full)
    except DatasetFileError as exc:
        return [str(exc)]
