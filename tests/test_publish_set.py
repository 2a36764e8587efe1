"""skills.files.publish_set: a domain's four files appear together, on the first publish too."""

from __future__ import annotations

import pytest

from training_data_miner.skills.files import publish_set

NAMES = ("d_validation_set.json", "d_pattern_summary.json", "d_rejected_examples.json", "d_training_data.json")


def files(run: str) -> dict[str, str]:
    return {n: f'{{"run": "{run}"}}\n' for n in NAMES}


def test_on_the_first_publish_every_name_is_made_before_the_switch_and_none_opens_until_it(tmp_path):
    seen = {}

    def before_switch() -> None:
        seen["links"] = [(tmp_path / n).is_symlink() for n in NAMES]
        seen["open"] = [(tmp_path / n).exists() for n in NAMES]

    publish_set(tmp_path, "d", "run1", files("run1"), before_switch)
    assert seen == {"links": [True] * 4, "open": [False] * 4}
    assert [(tmp_path / n).read_text() for n in NAMES] == ['{"run": "run1"}\n'] * 4


def test_a_first_publish_stopped_before_its_switch_leaves_no_name_behind(tmp_path):
    def cancel() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish_set(tmp_path, "d", "run1", files("run1"), cancel)
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]
    assert list((tmp_path / "runs" / "d").iterdir()) == []


def test_a_later_publish_stopped_before_its_switch_keeps_the_set_before(tmp_path):
    publish_set(tmp_path, "d", "run1", files("run1"))

    def cancel() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        publish_set(tmp_path, "d", "run2", files("run2"), cancel)
    assert [(tmp_path / n).read_text() for n in NAMES] == ['{"run": "run1"}\n'] * 4
    publish_set(tmp_path, "d", "run3", files("run3"))
    assert [(tmp_path / n).read_text() for n in NAMES] == ['{"run": "run3"}\n'] * 4
