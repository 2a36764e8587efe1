"""generic: for packs that bring only patterns. The matched line is the input, the named groups
(or numbered captures) the output; the rationale is whatever follows "because", "so that", "to"."""

from __future__ import annotations

import regex

from training_data_miner.skills.extractors import Draft, Extractor
from training_data_miner.skills.models import Match
from training_data_miner.skills.packs import DomainPack

_WHY = regex.compile(r"(?i)\b(?:because|since|so that|in order to|due to)\b\s+(?P<why>.{8,})")


def extract(match: Match, pack: DomainPack) -> list[Draft]:
    fields = {k if not k.isdigit() else f"capture_{k}": v.strip() for k, v in match.groups.items() if v and v.strip()}
    text = " ".join(match.text.split())
    if not fields:
        fields = {"matched": text[:300]}
    why = _WHY.search(text)
    if why:
        fields["rationale"] = why["why"].strip()[:300]
    context = " ".join(" ".join(t.split()) for t in match.context_before[-2:] if t.strip())[:500]
    inp = {"text": text[:1000]}
    if context:
        inp["context"] = context
    spec = next(p for p in pack.patterns if p.name == match.pattern)
    return [Draft(instruction_key="default", input=inp, output=fields, evidence=match.text.strip()[:1000],
                  kind=spec.kind or "numeric_examples", rationale=1.0 if why else 0.0)]


EXTRACTOR = Extractor(extract=extract)
