"""Domain packs: the six built-ins, adding a domain by adding a file, and broken packs."""

from __future__ import annotations

import pytest
from helpers import PACKS

from training_data_miner.skills.packs import PackError, load_pack, load_packs, select

SEED_DOMAINS = ["mps_scoring", "wsp_application", "roadmap_analysis", "readme_patterns", "modlog_updates",
                "first_principles"]

GOOD = '''
name = "deploy_notes"
description = "Deployment notes"
extractor = "generic"
label = "matched"
recommended_use = "Train on deployment notes"
[instructions]
default = "Summarise this deployment note."
[wardrobe]
wardrobe_id = "gemma_deploy_v1"
use_cases = ["Release notes"]
[[patterns]]
name = "deployed"
regex = 'deployed (?P<service>\\w+) because (?P<why>.+)'
'''


def test_the_six_seed_domains_are_built_in():
    assert sorted(PACKS) == sorted(SEED_DOMAINS)
    for pack in PACKS.values():
        assert pack.description and pack.patterns and pack.instructions


def test_seed_regexes_are_kept_verbatim():
    mps = {p.regex for p in PACKS["mps_scoring"].patterns if p.seed}
    assert r"MPS.*Score:?\s*(\d+)" in mps
    assert r"MPS.*\(C:(\d),\s*I:(\d),\s*D:(\d),\s*P:(\d)\)" in mps
    wsp = {p.regex for p in PACKS["wsp_application"].patterns if p.seed}
    assert r"following\s+WSP\s*(\d+)" in wsp
    road = {p.regex for p in PACKS["roadmap_analysis"].patterns if p.seed}
    assert r"TODO.*implement" in road


def test_a_domains_dir_adds_a_domain(tmp_path):
    (tmp_path / "deploy_notes.toml").write_text(GOOD, encoding="utf-8")
    packs = load_packs([tmp_path])
    assert "deploy_notes" in packs and set(SEED_DOMAINS) <= set(packs)
    assert packs["deploy_notes"].path.endswith("deploy_notes.toml")


def test_a_pack_carries_its_domain_rules_as_data(tmp_path):
    (tmp_path / "deploy_notes.toml").write_text(GOOD + '\n[rules.sections]\nUsage = ["usage", "how to use"]\n',
                                               encoding="utf-8")
    assert load_pack(tmp_path / "deploy_notes.toml").rules == {"sections": {"Usage": ["usage", "how to use"]}}
    (tmp_path / "plain.toml").write_text(GOOD.replace("deploy_notes", "plain"), encoding="utf-8")
    assert load_pack(tmp_path / "plain.toml").rules == {}  # a pack without rules has none

def test_bad_regex_names_the_file_and_the_field(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text(GOOD.replace("(?P<service>", "(?P<service"), encoding="utf-8")
    with pytest.raises(PackError) as err:
        load_pack(p)
    msg = str(err.value)
    assert str(p) in msg and "patterns.0.regex" in msg and "'deployed'" in msg and "does not compile" in msg


def test_missing_field_names_the_file_and_the_field(tmp_path):
    p = tmp_path / "nodesc.toml"
    p.write_text(GOOD.replace('description = "Deployment notes"\n', ""), encoding="utf-8")
    with pytest.raises(PackError, match=r"nodesc\.toml: field description: Field required"):
        load_pack(p)


def test_unknown_extractor_lists_the_known_ones(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text(GOOD.replace('extractor = "generic"', 'extractor = "magic"'), encoding="utf-8")
    with pytest.raises(PackError, match=r"field extractor: unknown extractor 'magic'; use one of .*mps_scoring"):
        load_pack(p)


def test_missing_instruction_template_is_named(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text(GOOD.replace('extractor = "generic"', 'extractor = "mps_scoring"'), encoding="utf-8")
    with pytest.raises(PackError, match="field instructions: missing template"):
        load_pack(p)


def test_invalid_toml_is_named(tmp_path):
    p = tmp_path / "x.toml"
    p.write_text("name = ", encoding="utf-8")
    with pytest.raises(PackError, match="not valid TOML"):
        load_pack(p)


def test_unknown_domain_lists_the_valid_ones():
    with pytest.raises(PackError, match="unknown domain 'mps'; valid domains: .*mps_scoring"):
        select(PACKS, ["mps"])


def test_caller_pattern_regex_is_added_for_one_run():
    pack = PACKS["wsp_application"].with_pattern(r"WSP\s*(\d+)\s+audit")
    assert pack.patterns[-1].name == "caller_pattern"
    assert len(PACKS["wsp_application"].patterns) == len(pack.patterns) - 1
    with pytest.raises(PackError, match="does not compile"):
        PACKS["wsp_application"].with_pattern("(unclosed")
    # valid alone, but not with the ASCII flag every pattern runs with: refused here, not mid-scan
    with pytest.raises(PackError, match="does not compile with the ASCII flag.*incompatible"):
        PACKS["wsp_application"].with_pattern("(?u)WSP")


@pytest.mark.parametrize("source", ["sample", pytest.param("012_dev", marks=pytest.mark.corpus)])
def test_extractors_use_only_their_listed_instruction_keys(source):
    """A pack is checked against INSTRUCTION_KEYS without importing its extractor, so the list
    must hold every key the extractor's drafts use (on the sample and on 012_dev.txt)."""
    from helpers import PACKS, SAMPLE, corpus

    from training_data_miner.skills.extractors import INSTRUCTION_KEYS, get_extractor
    from training_data_miner.skills.identify_domain_patterns import identify_domain_patterns
    from training_data_miner.skills.structure import Structure

    used: dict[str, set[str]] = {}
    src = SAMPLE if source == "sample" else corpus()
    found = identify_domain_patterns(src, list(PACKS.values())).matches
    structure = Structure.read(src)
    for name, pack in PACKS.items():
        extractor = get_extractor(pack.extractor)
        keys = used.setdefault(pack.extractor, set())
        if extractor.document is not None:  # reads each document with its hits
            docs: dict[int, list] = {}
            for m in found[name]:
                docs.setdefault(structure.index_of(m.line), []).append(m)
            for i, hits in docs.items():
                keys.update(d.instruction_key for d in extractor.document(structure.document(i), hits, pack))
        else:
            for m in found[name]:
                keys.update(d.instruction_key for d in extractor.extract(m, pack))
    assert set(used) == {p.extractor for p in PACKS.values()}
    for extractor, keys in used.items():
        assert keys and keys <= set(INSTRUCTION_KEYS[extractor]), (extractor, keys)
