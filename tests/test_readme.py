"""The README and docs/ against what the program says of itself: docs/cli.md's synopsis lists exactly
the options each command's `--help` shows, the README's CLI block names every command and no option
a command lacks, CI runs the README's test command, and every local link leads to a file."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from training_data_miner.server.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CLI_DOC = ROOT / "docs" / "cli.md"
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")


def _help(*args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), pytest.raises(SystemExit):
        build_parser().parse_args([*args, "--help"])
    return out.getvalue()


def _help_options(text: str) -> set[str]:
    """The option strings of a --help text's option lines (`  --jobs N, -j N   help...`), -h aside."""
    found = set()
    for line in text.splitlines():
        if re.match(r" {2}-", line):  # deeper lines are wrapped help text, which may name options
            found.update(OPTION.findall(line.strip().split("  ")[0]))
    return found - {"-h", "--help"}


def _commands() -> list[str]:
    (choices,) = {c for c in re.findall(r"\{([\w,-]+)\}", _help()) if "mine" in c.split(",")}
    return choices.split(",")


def _synopsis(text: str) -> dict[str, set[str]]:
    """command -> option strings, from the first ```text block: an entry opens with
    `training-data-miner COMMAND` ("" for the top-level line) and runs on over indented lines."""
    block = re.search(r"```text\n(.*?)```", text, re.S).group(1)
    entries: dict[str, set[str]] = {}
    current = None
    for line in block.splitlines():
        line = re.sub(r"\s#\s.*$", "", line)  # a comment says what the command is for
        if line.startswith("training-data-miner "):
            word = line.split()[1]
            current = "" if word.startswith("[") else word
            assert current not in entries, f"{current or 'top level'} listed twice"
            entries[current] = set()
        elif not line.strip():
            continue
        else:
            assert line.startswith(" ") and current is not None, f"not part of an entry: {line!r}"
        entries[current].update(OPTION.findall(line.removeprefix("training-data-miner")))
    return entries


def test_the_help_parser_reads_options():
    """The reader of --help finds what the parser was given (so an empty set cannot pass below)."""
    assert _help_options(_help()) == {"--log-level"}
    mine = _help_options(_help("mine"))
    assert {"--jobs", "-j", "-q", "--quiet", "--semantic", "--no-semantic", "--holo-index-connect-timeout"} <= mine
    assert len(_commands()) >= 9


def test_cli_doc_synopsis_lists_exactly_what_help_shows():
    entries = _synopsis(CLI_DOC.read_text(encoding="utf-8"))
    commands = _commands()
    assert set(entries) == {"", *commands}, "docs/cli.md's synopsis and --help list different commands"
    assert entries[""] == _help_options(_help()), "the top-level options (--log-level comes before the command)"
    for command in commands:
        want = _help_options(_help(command))
        got = entries[command]
        assert got == want, (f"docs/cli.md, {command}: missing {sorted(want - got)}, "
                             f"not in --help {sorted(got - want)}")


def test_readme_cli_names_every_command_and_no_option_a_command_lacks():
    entries = _synopsis(README.read_text(encoding="utf-8").split("## CLI", 1)[1])
    commands = _commands()
    assert set(entries) == {"", *commands}
    assert entries[""] == {"--log-level"}
    for command in commands:
        extra = entries[command] - _help_options(_help(command))
        assert not extra, f"README's CLI block gives {command} options its --help lacks: {sorted(extra)}"


def test_ci_runs_the_readme_test_command():
    readme = README.read_text(encoding="utf-8")
    (command,) = [line for line in readme.splitlines() if "pytest" in line and line.startswith("python3 -m venv")]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci, f".ci/run does not run README's test command: {command}"


def test_readme_headline_mines_the_sample_with_default_domains():
    readme = README.read_text(encoding="utf-8")
    (line,) = [line for line in readme.splitlines() if line.startswith("python3 -m venv") and " mine " in line]
    assert line.endswith("mine data/sample/012_sample.txt"), line
    assert (ROOT / "data" / "sample" / "012_sample.txt").is_file()


def test_readme_is_short():
    lines = README.read_text(encoding="utf-8").count("\n")
    assert lines < 200, f"README.md has {lines} lines; move detail to docs/"


@pytest.mark.parametrize("page", [README, *sorted((ROOT / "docs").glob("*.md"))], ids=lambda p: p.name)
def test_local_links_lead_to_files(page: Path):
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)|(?:src|href)=\"([^\"]+)\"", text):
        target = "".join(target)
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path = (page.parent / target.split("#")[0]).resolve()
        if ROOT not in path.parents:
            continue  # ../shared and the like: beside the project, not in it
        if not path.exists():
            broken.append(target)
    assert not broken, f"{page.name}: {broken}"
