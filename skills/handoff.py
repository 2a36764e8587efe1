"""Hand-off to the next skill (gemma_domain_trainer) and to the tools people fine-tune with.

- `stratified_split`: the held-out validation set, stratified by the domain's main label and
  deterministic from a seed; the dataset's examples are ordered train-then-validation so that the
  trainer's own in-order 80/20 slice gives exactly this split.
- `export_dataset`: JSON Lines in the messages / alpaca / sharegpt record shapes and the trainer's
  own Gemma prompt format, LLaMA-Factory `dataset_info.json` entries and a Hugging Face dataset card.
  `export_merged` does the same for several domains at once: one dataset with a `domain` column.
- `build_manifest`: `handoff.json`, the training order across domains and what each needs, with
  warnings for what the trainer should not take as it is: an empty or short dataset, datasets
  mined from different sources.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

from training_data_miner.skills.files import atomic_write_json, atomic_write_text

T = TypeVar("T")

FORMATS = ("messages", "alpaca", "sharegpt", "gemma")
VALIDATION_SHARE = 0.2
SPLIT_SEED = 15  # WSP 15
NEXT_SKILL = "gemma_domain_trainer_v1_prototype"
EXECUTION_COMMAND = (
    "python -m modules.infrastructure.wsp_orchestrator.src.wsp_orchestrator "
    "--skill gemma_domain_trainer --domain {domain} --dataset {dataset}"
)


# -- split ---------------------------------------------------------------------------------------

def train_size(n: int, share: float = VALIDATION_SHARE) -> int:
    """How many examples the trainer's in-order slice puts in training (it slices at int(n * 0.8))."""
    return int(n * (1 - share))


def stratified_split(items: Sequence[T], label: Callable[[T], str | None], share: float = VALIDATION_SHARE,
                     seed: int = SPLIT_SEED) -> tuple[list[T], list[T]]:
    """(train, validation): validation takes each label's share of the held-out count (largest
    remainder), members drawn at random from a seeded generator; both keep source order."""
    n = len(items)
    n_val = n - train_size(n, share)
    groups: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        groups[label(item) or ""].append(i)
    quotas = {k: len(v) * n_val / n for k, v in groups.items()} if n else {}
    take = {k: int(q) for k, q in quotas.items()}
    rest = n_val - sum(take.values())
    for k in sorted(quotas, key=lambda k: (-(quotas[k] - take[k]), -len(groups[k]), k))[:rest]:
        take[k] += 1
    held: set[int] = set()
    for k, idx in groups.items():
        rng = random.Random(f"{seed}:{k}")
        held.update(rng.sample(idx, take[k]))
    train = [items[i] for i in range(n) if i not in held]
    val = [items[i] for i in range(n) if i in held]
    return train, val


# -- record shapes -------------------------------------------------------------------------------

def user_text(ex: dict[str, Any]) -> str:
    return f"{ex['instruction']}\n\nInput: {json.dumps(ex['input'], indent=2)}"


def gemma_prompt(ex: dict[str, Any]) -> str:
    """The trainer's prompt, byte for byte (GEMMA_TRAINER.md; json.dumps with its defaults)."""
    return (
        f"<start_of_turn>user\n{ex['instruction']}\n\nInput: {json.dumps(ex['input'], indent=2)}\n<end_of_turn>\n"
        f"<start_of_turn>model\n{json.dumps(ex['output'])}\n<end_of_turn>"
    )


def record(ex: dict[str, Any], fmt: str) -> dict[str, Any]:
    answer = json.dumps(ex["output"])
    if fmt == "messages":
        return {"messages": [{"role": "user", "content": user_text(ex)}, {"role": "assistant", "content": answer}]}
    if fmt == "alpaca":
        return {"instruction": ex["instruction"], "input": json.dumps(ex["input"], indent=2), "output": answer}
    if fmt == "sharegpt":
        return {"conversations": [{"from": "human", "value": user_text(ex)}, {"from": "gpt", "value": answer}]}
    if fmt == "gemma":
        return {"text": gemma_prompt(ex)}
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


LLAMA_FACTORY = {
    "alpaca": {"formatting": "alpaca", "columns": {"prompt": "instruction", "query": "input", "response": "output"}},
    "sharegpt": {"formatting": "sharegpt", "columns": {"messages": "conversations"},
                 "tags": {"role_tag": "from", "content_tag": "value", "user_tag": "human", "assistant_tag": "gpt"}},
}


# -- export --------------------------------------------------------------------------------------

def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def split_of(dataset: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The dataset's (train, validation) as the trainer slices it."""
    examples = dataset["examples"]
    share = dataset.get("metadata", {}).get("split", {}).get("validation_share", VALIDATION_SHARE)
    k = train_size(len(examples), share)
    return examples[:k], examples[k:]


def export_dataset(dataset_path: Path, formats: Sequence[str], out_dir: Path) -> dict[str, Any]:
    """JSONL exports of a written dataset (train and validation files per format), LLaMA-Factory
    entries and a dataset card, in `out_dir/<domain>/`. Returns the paths written."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    dataset = json.loads(Path(dataset_path).read_text(encoding="utf-8"))
    domain = dataset["domain"]
    folder = Path(out_dir) / domain
    train, val = split_of(dataset)
    files: dict[str, dict[str, str]] = {}
    for fmt in formats:
        files[fmt] = {}
        for split, rows in (("train", train), ("validation", val)):
            path = folder / f"{fmt}_{split}.jsonl"
            _write_jsonl(path, [record(ex, fmt) for ex in rows])
            files[fmt][split] = str(path)
    info_path = folder / "dataset_info.json"
    info: dict[str, Any] = {}
    if info_path.exists():
        info = json.loads(info_path.read_text(encoding="utf-8"))
    for fmt in formats:
        if fmt in LLAMA_FACTORY:
            for split in ("train", "validation"):
                info[f"{domain}_{fmt}_{split}"] = {"file_name": f"{fmt}_{split}.jsonl", **LLAMA_FACTORY[fmt]}
    if info:
        atomic_write_json(info_path, info)
    card = folder / "README.md"
    atomic_write_text(card, dataset_card(dataset, sorted({*formats, *_existing_formats(folder)}), len(train), len(val)))
    return {"domain": domain, "folder": str(folder), "files": files,
            "dataset_info": str(info_path) if info else None, "card": str(card)}


MERGED = "merged"


def export_merged(dataset_paths: Sequence[Path], formats: Sequence[str], out_dir: Path) -> dict[str, Any]:
    """Several domains' datasets as one, in `out_dir/merged/`: per format one train and one
    validation file (each domain's trainer slice, in the order given) whose records carry a
    `domain` column, one `dataset_info.json` and one card. The folder is written whole: export
    files of formats not asked for this time are removed, so the card describes every file there."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    datasets = [json.loads(Path(p).read_text(encoding="utf-8")) for p in dataset_paths]
    domains = [d["domain"] for d in datasets]
    twice = sorted({d for d in domains if domains.count(d) > 1})
    if twice:
        raise ValueError(f"{', '.join(twice)} given more than once; merge one dataset per domain")
    splits = {d["domain"]: split_of(d) for d in datasets}
    folder = Path(out_dir) / MERGED
    files: dict[str, dict[str, str]] = {}
    for fmt in formats:
        files[fmt] = {}
        for i, split in enumerate(("train", "validation")):
            path = folder / f"{fmt}_{split}.jsonl"
            _write_jsonl(path, [{**record(ex, fmt), "domain": d} for d, parts in splits.items() for ex in parts[i]])
            files[fmt][split] = str(path)
    for fmt in set(FORMATS) - set(formats):
        for split in ("train", "validation"):
            (folder / f"{fmt}_{split}.jsonl").unlink(missing_ok=True)
    info = {f"{MERGED}_{fmt}_{split}": {"file_name": f"{fmt}_{split}.jsonl", **LLAMA_FACTORY[fmt]}
            for fmt in formats if fmt in LLAMA_FACTORY for split in ("train", "validation")}
    info_path = folder / "dataset_info.json"
    if info:
        atomic_write_json(info_path, info)
    else:
        info_path.unlink(missing_ok=True)
    card = folder / "README.md"
    counts = {d: (len(train), len(val)) for d, (train, val) in splits.items()}
    atomic_write_text(card, merged_card(datasets, sorted(formats), counts))
    return {"domains": domains, "folder": str(folder), "files": files,
            "dataset_info": str(info_path) if info else None, "card": str(card)}


def _existing_formats(folder: Path) -> list[str]:
    return [f for f in FORMATS if (folder / f"{f}_train.jsonl").exists()]


def _size_category(n: int) -> str:
    return "n<1K" if n < 1_000 else "1K<n<10K" if n < 10_000 else "10K<n<100K" if n < 100_000 else "100K<n<1M"


def _yaml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid YAML scalar


FIELDS = {
    "messages": "`messages`: a user turn (instruction + JSON input) and an assistant turn (JSON output)",
    "alpaca": "`instruction`, `input` (JSON text), `output` (JSON text)",
    "sharegpt": "`conversations`: `human` then `gpt` turns",
    "gemma": "`text`: the Gemma chat-turn prompt the gemma_domain_trainer renders, byte for byte",
}
QUALITY = ("five criteria, 0.2 each: complete, clear reasoning, correct format, verifiable, unambiguous; "
           "exact and near-duplicates removed")
LIMITATIONS = [
    "- Mined by regular expressions (and optional semantic search) from an append-only paste "
    "buffer: examples inherit its mess (log prefixes, emoji escapes, truncated long lines).",
    "- Reasons the text did not give are not invented: such fields are absent or name the WSP 15 "
    "rubric level instead.",
]


def _front_matter(pretty_name: str, n_examples: int, tags: list[str], formats: list[str]) -> list[str]:
    """A Hugging Face card's YAML front matter: one config per format, the first the default."""
    lines = [
        "---",
        "license: other  # placeholder: choose a license before publishing",
        f"pretty_name: {_yaml_str(pretty_name)}",
        "language:",
        "  - en",
        "task_categories:",
        "  - text-generation",
        "  - question-answering",
        "size_categories:",
        f"  - {_size_category(n_examples)}",
        "source_datasets:",
        "  - original",
        "tags:",
        "  - instruction-tuning",
        "  - wsp",
        *[f"  - {t}" for t in tags],
        "configs:",
    ]
    for fmt in formats:
        lines += [f"  - config_name: {fmt}", "    data_files:",
                  "      - split: train", f"        path: {fmt}_train.jsonl",
                  "      - split: validation", f"        path: {fmt}_validation.jsonl"]
        if fmt == formats[0]:
            lines.append("    default: true")
    return lines + ["---"]


def dataset_card(dataset: dict[str, Any], formats: list[str], n_train: int, n_val: int) -> str:
    domain = dataset["domain"]
    meta = dataset.get("metadata", {})
    src = meta.get("source_file", {})
    source = source_of(dataset)  # the file's name: a card is published, this machine's paths are not
    summary = meta.get("pattern_summary", {})
    lines = _front_matter(f"{domain} instruction-tuning examples mined from 012.txt", dataset["total_examples"],
                          [domain], formats)
    quality = dataset.get("quality_threshold")
    body = [
        "",
        f"# {domain}: instruction-tuning examples",
        "",
        f"{summary.get('recommended_use') or meta.get('recommended_use', '')}.",
        "",
        "## Source",
        "",
        f"Mined from `{source['name']}` ({src.get('total_lines', '?')} lines, "
        f"sha256 `{source['sha256'] or '?'}`) by training-data-miner (skill "
        f"`qwen_training_data_miner_v1_prototype`), execution `{meta.get('execution_id', '?')}`, "
        f"on {dataset.get('created')}.",
        "",
        "## Fields",
        "",
        *[f"- {FIELDS[f]}" for f in formats],
        "",
        f"Every example traces to a line of the source (`source`: `<file>:line_<N>` in the dataset file "
        f"`{domain}_training_data.json`).",
        "",
        "## Splits and quality",
        "",
        f"- train: {n_train} examples; validation: {n_val} examples, stratified by "
        f"`{summary.get('coverage_analysis', {}).get('label_field', 'label')}`.",
        f"- quality threshold: {quality} ({QUALITY}).",
        f"- quality distribution: {json.dumps(summary.get('quality_distribution', {}))}",
        f"- coverage: {json.dumps({k: v for k, v in summary.get('coverage_analysis', {}).items() if k.endswith('_examples')})}",
        "",
        "## Known limitations",
        "",
        *LIMITATIONS,
    ]
    if summary.get("shortfall"):
        body.append(f"- {summary['shortfall']} examples short of the {summary.get('min_examples')} the trainer wants.")
    missing = summary.get("coverage_analysis", {}).get("missing_labels")
    if missing:
        body.append(f"- No examples for: {', '.join(missing)}.")
    return "\n".join(lines + body) + "\n"


def merged_card(datasets: list[dict[str, Any]], formats: list[str], counts: dict[str, tuple[int, int]]) -> str:
    """The card of a merged export: what each domain contributes, and from which source."""
    domains = [d["domain"] for d in datasets]
    total = sum(d["total_examples"] for d in datasets)
    lines = _front_matter(f"instruction-tuning examples in {len(domains)} WSP domains mined from 012.txt", total,
                          domains, formats)
    rows = []
    for d in datasets:
        src, (n_train, n_val) = source_of(d), counts[d["domain"]]
        rows.append(f"| {d['domain']} | {n_train} | {n_val} | {d.get('quality_threshold')} | "
                    f"`{src['name']}` | `{src['sha256'] or '?'}` |")
    sources = {(src["name"], src["sha256"]) for src in map(source_of, datasets)}
    body = [
        "",
        f"# {len(domains)} WSP domains: instruction-tuning examples",
        "",
        f"{', '.join(domains)}, merged by training-data-miner (skill `qwen_training_data_miner_v1_prototype`); "
        "every record's `domain` column says which one it belongs to.",
        "",
        "## Domains and sources",
        "",
        "| domain | train | validation | quality threshold | source | sha256 |",
        "| --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        *(["The domains were mined from different sources.", ""] if len(sources) > 1 else []),
        "## Fields",
        "",
        *[f"- {FIELDS[f]}" for f in formats],
        "- `domain`: the domain the example belongs to",
        "",
        "## Splits and quality",
        "",
        "- each split holds every domain's own split (its held-out share, stratified by its label), "
        "domains in the order above.",
        f"- {QUALITY}.",
        "",
        "## Known limitations",
        "",
        *LIMITATIONS,
    ]
    return "\n".join(lines + body) + "\n"


# -- training order and manifest -----------------------------------------------------------------

def order_key(domain: str, total: int, n_examples: int) -> tuple[int, int, str]:
    """Higher WSP 15 domain total first, then more examples, then name."""
    return (-total, -n_examples, domain)


def check_command_template(template: str) -> str:
    """`template` if it can be filled in with {domain} and {dataset}; else ValueError saying why."""
    try:
        template.format(domain="d", dataset="p")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"--next-skill-command {template!r} cannot be filled in ({type(exc).__name__}: {exc}): "
                         "it may name {domain} and {dataset} only; write {{ and }} for literal braces") from None
    return template


def build_manifest(out_dir: Path, exports_dir: Path | None = None,
                   execution_command: str | None = None, domains: Sequence[str] | None = None) -> dict[str, Any]:
    """handoff.json's content for every dataset in `out_dir` (or just `domains`): each dataset's
    place in the training order, what it needs, its source (name and sha256), and `warnings`."""
    rows = []
    for path in sorted(Path(out_dir).glob("*_training_data.json")):
        try:
            ds = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if domains and ds.get("domain") not in domains:
            continue
        rows.append((path, ds))
    rows.sort(key=lambda r: order_key(r[1]["domain"], r[1]["domain_priority_mps"]["total"], r[1]["total_examples"]))
    exports_dir = Path(exports_dir) if exports_dir else Path(out_dir) / "exports"
    entries = {}
    for order, (path, ds) in enumerate(rows, 1):
        d = ds["domain"]
        folder = exports_dir / d
        exports = {f: {s: str(folder / f"{f}_{s}.jsonl") for s in ("train", "validation")}
                   for f in _existing_formats(folder)}
        val = path.with_name(f"{d}_validation_set.json")
        template = execution_command or EXECUTION_COMMAND
        entries[d] = {
            "training_order": order,
            "dataset": str(path),
            "validation_set": str(val) if val.exists() else None,
            "source": source_of(ds),
            "total_examples": ds["total_examples"],
            "shortfall": shortfall_of(ds),
            "domain_priority_mps": ds["domain_priority_mps"],
            "wardrobe_config": ds["recommended_wardrobe_config"],
            "exports": exports,
            "dataset_card": str(folder / "README.md") if (folder / "README.md").exists() else None,
            "autonomous_ready": ds["autonomous_execution"]["capable"],
            "execution_command": template.format(domain=d, dataset=str(path)),
        }
    return {
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "next_skill": NEXT_SKILL,
        "training_order": list(entries),
        "domains": entries,
        "warnings": manifest_warnings(entries),
    }


def source_of(dataset: dict[str, Any]) -> dict[str, Any]:
    """The source a dataset was mined from: its file name (never the local path) and sha256."""
    src = dataset.get("metadata", {}).get("source_file", {})
    name = Path(src["path"]).name if src.get("path") else str(dataset.get("source", "")).split(" (lines", 1)[0]
    return {"name": name or None, "sha256": src.get("sha256")}


def shortfall_of(dataset: dict[str, Any]) -> int:
    """How many examples the dataset is short of the min_examples it was mined for."""
    stats = dataset.get("learning_feedback", {}).get("pattern_extraction_stats", {})
    return int(stats.get("shortfall") or 0)


def short_domains(entries: dict[str, dict[str, Any]]) -> list[str]:
    """The domains whose dataset is empty or short of min_examples: not for the trainer as they are."""
    return [d for d, e in entries.items() if not e["total_examples"] or e["shortfall"]]


def manifest_warnings(entries: dict[str, dict[str, Any]]) -> list[str]:
    warnings = []
    for d in short_domains(entries):
        e = entries[d]
        if not e["total_examples"]:
            warnings.append(f"{d} has no examples: the trainer would learn nothing from it; mine it again "
                            "from a source that has some")
        else:
            warnings.append(f"{d} has {e['total_examples']} examples, {e['shortfall']} short of the "
                            "min_examples it was mined for; mine a longer source before training it")
    by_source: dict[tuple[Any, Any], list[str]] = defaultdict(list)
    for d, e in entries.items():
        by_source[(e["source"]["name"], e["source"]["sha256"])].append(d)
    if len(by_source) > 1:
        parts = [f"{', '.join(ds)} from {name} (sha256 {str(sha)[:12]})" for (name, sha), ds in by_source.items()]
        warnings.append(f"the datasets were mined from {len(by_source)} different sources: {'; '.join(parts)}; "
                        "mine them from one source if they are to be trained together")
    return warnings
