"""Domain packs: one TOML file per knowledge domain (the seed's "wardrobes").

A pack is data: name, description, instruction templates, named patterns and the extractor kind
that turns a match into an example. skills/domains/ holds the six built-in packs; a user adds a
domain by adding a file there or in a folder passed as `--domains-dir`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import regex
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from training_data_miner.skills.models import PatternType

BUILTIN_DIR = Path(__file__).with_name("domains")


class PackError(ValueError):
    """A domain pack that cannot be used; the message names the file and the field."""


class PatternSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_]+$")
    regex: str
    ignore_case: bool = False
    kind: PatternType | None = Field(None, description="the pattern_type this pattern feeds")
    seed: bool = Field(False, description="verbatim from the design document")

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:  # with the flag the scan uses (`compiled`): `(?u)` compiles alone, not with it
            regex.compile(value, regex.ASCII)
        except regex.error as exc:
            raise ValueError(f"does not compile: {exc}") from None
        except ValueError as exc:  # conflicting flags
            raise ValueError(f"does not compile with the ASCII flag every pattern runs with "
                             f"(\\w \\d \\s \\b are ASCII): {exc}") from None
        return value

    def compiled(self) -> regex.Pattern[str]:
        # ASCII classes (\w \d \s \b): the log syntax is ASCII, and the fast prefilter agrees.
        return regex.compile(self.regex, regex.ASCII | (regex.IGNORECASE if self.ignore_case else 0))


class Wardrobe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    wardrobe_id: str
    use_cases: list[str]


class DomainPack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    extractor: str
    label: str = Field(description="the output field that is this domain's main label")
    labels: list[str] = Field([], description="the label's expected values, for coverage analysis")
    recommended_use: str
    instructions: dict[str, str | list[str]] = Field(
        description="instruction template(s) per task kind; a list gives several phrasings, one chosen per "
                    "item from its content (so a pasted copy of an item gets the same one)")
    patterns: list[PatternSpec] = Field(min_length=1)
    wardrobe: Wardrobe
    context_before: int | None = Field(None, ge=0, le=200)
    context_after: int | None = Field(None, ge=0, le=400)
    semantic_queries: list[str] = []
    rules: dict[str, Any] = Field({}, description="domain rules the extractor reads as data (e.g. the standard "
                                  "README sections and the heading words that provide each)")
    cost: float = Field(1.0, gt=0, description="relative work of mining this domain (measured; README "
                        "\"Performance\"): whole-run mines balance domains across worker processes by it")
    path: str = ""

    @field_validator("instructions")
    @classmethod
    def _phrasings(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        empty = [k for k, v in value.items() if isinstance(v, list) and not v]
        if empty:
            raise ValueError(f"task kind(s) {', '.join(empty)} have an empty list of phrasings")
        return value

    def with_pattern(self, pattern_regex: str, name: str = "caller_pattern") -> DomainPack:
        """This pack plus a caller-supplied regex, for one run (the seed's `pattern_regex`)."""
        try:
            spec = PatternSpec(name=name, regex=pattern_regex, ignore_case=True)
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise PackError(f"pattern_regex: expected a regular expression; got {pattern_regex!r}, which {reason}") from None
        return self.model_copy(update={"patterns": [*self.patterns, spec]})


def load_pack(path: Path) -> DomainPack:
    from training_data_miner.skills.extractors import INSTRUCTION_KEYS

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(f"{path}: cannot read domain pack: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: not valid TOML: {exc}") from None
    try:
        pack = DomainPack(**data, path=str(path))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        if field.startswith("patterns.") and isinstance(data.get("patterns"), list):
            idx = int(field.split(".")[1])
            if idx < len(data["patterns"]) and isinstance(data["patterns"][idx], dict):
                field += f" (pattern {data['patterns'][idx].get('name', '?')!r})"
        raise PackError(f"{path}: field {field}: {err['msg']}") from None
    keys = INSTRUCTION_KEYS.get(pack.extractor)
    if keys is None:
        raise PackError(
            f"{path}: field extractor: unknown extractor {pack.extractor!r}; "
            f"use one of {', '.join(sorted(INSTRUCTION_KEYS))}"
        )
    missing = [k for k in keys if k not in pack.instructions]
    if missing:
        raise PackError(f"{path}: field instructions: missing template(s) {', '.join(missing)}")
    names = [p.name for p in pack.patterns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PackError(f"{path}: field patterns: duplicate pattern name(s) {', '.join(dupes)}")
    return pack


def load_packs(extra_dirs: list[Path] | tuple[Path, ...] = ()) -> dict[str, DomainPack]:
    """Built-in packs, then each extra folder's; a later pack of the same name replaces one before."""
    packs: dict[str, DomainPack] = {}
    for folder in (BUILTIN_DIR, *map(Path, extra_dirs)):
        if not folder.is_dir():
            raise PackError(f"{folder}: domains folder does not exist or is not a directory")
        for path in sorted(folder.glob("*.toml")):
            pack = load_pack(path)
            packs[pack.name] = pack
    return packs


def select(packs: dict[str, DomainPack], domains: list[str] | None) -> list[DomainPack]:
    """The packs for `domains` (all when None or ["all"]); unknown names list the valid ones."""
    if not domains or domains == ["all"]:
        return list(packs.values())
    unknown = [d for d in domains if d not in packs]
    if unknown:
        raise PackError(
            f"unknown domain {', '.join(map(repr, unknown))}; valid domains: {', '.join(packs)}"
        )
    return [packs[d] for d in dict.fromkeys(domains)]
