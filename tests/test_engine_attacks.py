"""The engine under hostile and unlucky callers (issue 17), each test named after the attack it
stops: runaway patterns, kill -9 during the writes, cancellations, one-line sources, file modes.
Real processes throughout: the CLI and the server run as subprocesses, killed with SIGKILL."""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest
from mcp import Client

from conftest import error, payload
from helpers import SAMPLE

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
DATASET_FILES = ("training_data", "validation_set", "pattern_summary", "rejected_examples")


def mine_cmd(src: Path, data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "training_data_miner.server", "mine", str(src), "--data-dir", str(data), "-q",
            *extra]


def small_source(tmp_path: Path, lines: int = 1500) -> Path:
    src = tmp_path / "small.txt"
    src.write_bytes(b"".join(SAMPLE.read_bytes().splitlines(keepends=True)[:lines]))
    return src


# -- kill -9 during write_training_dataset -------------------------------------------------------

def assert_each_domain_is_one_run(out: Path) -> int:
    """Every domain in the output folder has its four files, and they are one run's: the validation
    set is the dataset's held-out tail, the summary and the rejected examples count what the dataset
    says, and all four name the same execution. Returns how many domains there are. (A name that
    leads nowhere is a first publish before its switch: no file yet.)"""
    domains = {p.name.rsplit("_", 2)[0] for kind in DATASET_FILES for p in out.glob(f"*_{kind}.json") if p.exists()}
    for d in domains:
        files = {k: json.loads((out / f"{d}_{k}.json").read_text(encoding="utf-8")) for k in DATASET_FILES}
        ds = files["training_data"]
        stats = ds["learning_feedback"]["pattern_extraction_stats"]
        assert files["validation_set"]["examples"] == ds["examples"][ds["metadata"]["split"]["train_examples"]:], d
        assert files["pattern_summary"]["high_quality_examples"] == ds["total_examples"], d
        assert files["rejected_examples"]["total_rejected"] == (
            stats["total_examples_extracted"] - stats["high_quality_kept"]), d
        runs = {ds["metadata"]["execution_id"], *(files[k].get("execution_id") for k in DATASET_FILES[1:])}
        assert len(runs) == 1, (d, runs)
    return len(domains)


# Forks a warmed-up CLI per run (imports, packs and pattern databases loaded once), so that twenty
# kills cost seconds, not minutes: each child is `training-data-miner mine` from cli.main on.
ZYGOTE = r"""
import json, os, signal, sys
from training_data_miner.server import cli
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps the children
cli.main(json.loads(sys.argv[1]))
print("ready", flush=True)
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        os._exit(cli.main(json.loads(line)))
    print(pid, flush=True)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _writing(out: Path, pid: int) -> bool:
    """Whether process `pid` has begun writing a dataset: a file or folder named with its pid in the
    output folder or under its runs/ (the temporary files of an atomic write carry the writer's pid)."""
    tag = f".{pid}."
    folders = [out, *((out / "runs").iterdir() if (out / "runs").is_dir() else [])]
    for folder in folders:
        try:
            if any(tag in e.name for e in os.scandir(folder)):
                return True
        except FileNotFoundError:
            continue
    return False


def test_kill_9_during_dataset_writes_never_leaves_a_domain_mixing_two_runs(tmp_path):
    src, data = small_source(tmp_path, 800), tmp_path / "data"
    out = data / "training_datasets"
    args = ["mine", str(src), "--data-dir", str(data), "-q", "--jobs", "1", "--min-examples", "0", "--replace",
            "--domain", "mps_scoring", "--domain", "wsp_application", "--domain", "modlog_updates"]
    zygote = subprocess.Popen([sys.executable, "-c", ZYGOTE, json.dumps(args + ["--data-dir", str(tmp_path / "warm")])],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
    rng = random.Random(17)
    kills = runs = 0
    try:
        assert zygote.stdout.readline().strip() == "ready"
        while kills < 20:
            runs += 1
            assert runs <= 80, f"only {kills} kills landed during the writes in {runs} runs"
            # runs alternate their threshold, so two runs' files differ in what they hold
            quality = "0.85" if runs % 2 else "0.95"
            zygote.stdin.write(json.dumps(args + ["--min-quality", quality, "--execution-id", f"run{runs}"]) + "\n")
            zygote.stdin.flush()
            pid = int(zygote.stdout.readline())
            deadline = time.monotonic() + 120
            while not _writing(out, pid) and _alive(pid):
                assert time.monotonic() < deadline
                time.sleep(0.001)
            time.sleep(rng.uniform(0, 0.08))  # somewhere in the six domains' writes
            try:
                os.kill(pid, signal.SIGKILL)
                kills += 1
            except ProcessLookupError:
                pass  # it had finished
            while _alive(pid):
                time.sleep(0.001)
            assert assert_each_domain_is_one_run(out) >= 0
    finally:
        zygote.kill()
        zygote.wait()
    # a complete run afterwards publishes all six and clears what the killed writers left
    subprocess.run([sys.executable, "-m", "training_data_miner.server", *args], check=True, env=ENV, cwd=ROOT)
    assert assert_each_domain_is_one_run(out) == 3
    assert not [p for p in out.rglob("*.tmp")]
    for runs_of_domain in (out / "runs").iterdir():  # the published run and the one before it, nothing else
        folders = [p.name for p in runs_of_domain.iterdir() if not p.is_symlink()]
        assert len(folders) <= 2 and os.readlink(runs_of_domain / "current") in folders, folders


# -- file modes ------------------------------------------------------------------------------------

def test_datasets_and_handoff_follow_the_umask_like_every_other_file(tmp_path):
    src = small_source(tmp_path, 600)
    for mask in (0o022, 0o002, 0o027):
        data = tmp_path / f"data{mask:o}"
        subprocess.run(mine_cmd(src, data, "--min-examples", "0"), check=True, env=ENV, cwd=ROOT,
                       preexec_fn=lambda m=mask: os.umask(m))
        out = data / "training_datasets"
        assert (out / "handoff.json").is_file() and (out / "mps_scoring_training_data.json").is_file()
        modes = {}
        for p in [data, *data.rglob("*")]:
            if p.is_symlink():
                continue
            st = p.stat()
            want = (0o777 if stat.S_ISDIR(st.st_mode) else 0o666) & ~mask
            modes[str(p.relative_to(data))] = (oct(stat.S_IMODE(st.st_mode)), oct(want))
        wrong = {k: v for k, v in modes.items() if v[0] != v[1]}
        assert not wrong, (oct(mask), wrong)


# -- a cancel during the last domain's write ------------------------------------------------------

@pytest.mark.anyio
async def test_cancel_during_the_last_domains_write_publishes_nothing_more(stdio_server, data_dir):
    """The client cancels as the last domain's write begins, after the step's starting checkpoint:
    that domain's set is not published and handoff.json is not written."""
    out = data_dir / "training_datasets"
    async with Client(stdio_server()) as client:
        last = payload(await client.call_tool("list_domains", {}))["domains"][-1]["name"]
        call = anyio.CancelScope()

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            if message == f"write_training_dataset: starting: {last}":
                call.cancel()

        async def mine() -> None:
            with call:
                await client.call_tool("mine_domain", {"source_path": str(SAMPLE.relative_to(ROOT)), "domain": "all"},
                                       progress_callback=on_progress)
                pytest.fail("the call finished: it was not cancelled")

        with anyio.fail_after(300):
            await mine()
        [state_file] = (data_dir / "executions").glob("*/state.json")
        with anyio.move_on_after(20):  # the step records the cancellation when it stops
            while "Cancelled" not in state_file.read_text(encoding="utf-8"):
                await anyio.sleep(0.02)
        await anyio.sleep(0.5)  # longer than the rest of the run would take to write something
        assert not (out / f"{last}_training_data.json").exists()
        assert not (out / "handoff.json").exists()
        assert assert_each_domain_is_one_run(out) == 5  # the domains written before the cancel, whole
        assert list(data_dir.rglob("*.tmp")) == [] and list((out / "runs").glob(f"{last}/*")) == []
    state = json.loads(state_file.read_text(encoding="utf-8"))
    assert state["domains"][last]["exception_type"] == "Cancelled"


# -- one-line sources ------------------------------------------------------------------------------

def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


@pytest.mark.anyio
async def test_a_200_mb_one_line_source_is_read_in_bounded_pieces_and_list_domains_keeps_answering(http_server,
                                                                                                  data_dir):
    """load_source, identify and eight parallel source:// reads of a 200 MB file of one line, while
    another client calls list_domains: the server's peak RSS stays small and list_domains answers."""
    url, proc = http_server
    src = data_dir / "one_line.txt"
    with open(src, "wb") as f:
        f.write(b"[0102-MPS] Batch 007 Score: 9 (Priority: P3) ")
        chunk = b"filler words without any pattern " * 32_768
        while f.tell() < 200 << 20:
            f.write(chunk)
        f.write(b"\n")
    latencies: list[float] = []
    done = anyio.Event()

    async def poll_list_domains() -> None:
        async with Client(url) as client:
            while not done.is_set():
                t0 = time.monotonic()
                assert payload(await client.call_tool("list_domains", {}))["domains"]
                latencies.append(time.monotonic() - t0)
                await anyio.sleep(0.1)

    async def read_source(client: Client) -> None:
        with pytest.raises(Exception) as err:
            await client.read_resource("source://one_line.txt?start=1&end=1")
        assert "more than 1048576 bytes" in str(err.value)

    async with anyio.create_task_group() as tg:
        tg.start_soon(poll_list_domains)
        async with Client(url) as client:
            loaded = payload(await client.call_tool("load_source", {"source_path": "one_line.txt"}))
            assert loaded["total_lines"] == 1 and loaded["bytes"] == src.stat().st_size
            found = payload(await client.call_tool("identify_domain_patterns",
                                                   {"execution_id": loaded["execution_id"], "domain": "all"}))
            mps = next(d for d in found["domains"] if d["domain"] == "mps_scoring")
            assert mps["matches_found"] == 1 and mps["samples"][0]["line"] == 1
            async with anyio.create_task_group() as reads:
                for _ in range(8):
                    reads.start_soon(read_source, client)
        done.set()
    peak = _peak_rss_mb(proc.pid)
    assert peak < 300, f"peak RSS {peak:.0f} MB for a 200 MB line"  # main: load_source 473 MB, identify 2.58 GB
    assert latencies and max(latencies) < 3, f"list_domains stalled {max(latencies):.1f} s"  # main: 11-15 s
    assert "1 line(s) longer than 2 MiB: each is mined as its first 2 MiB" in loaded["encoding_notes"]


# -- pattern_regex="^": caps, reported; executions kept in bounds -----------------------------------

@pytest.mark.anyio
async def test_pattern_regex_caret_is_capped_per_pattern_and_per_call_and_the_caps_are_reported(stdio_server,
                                                                                                 data_dir):
    sample = str(SAMPLE.relative_to(ROOT))
    async with Client(stdio_server("--max-matches", "2500", "--max-matches-per-pattern", "400")) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": sample, "pattern_regex": "^"}))
        eid = loaded["execution_id"]
        found = payload(await client.call_tool("identify_domain_patterns", {"execution_id": eid, "domain": "all"}))
        total = sum(d["matches_found"] for d in found["domains"])
        # semantic matches come on top of the scan's, which the call's cap bounds
        state = json.loads((data_dir / "executions" / eid / "state.json").read_text())
        regex = sum(s["figures"]["identify_domain_patterns"]["regex_matches"] for s in state["domains"].values())
        assert regex == 2500 and total >= regex
        for d in found["domains"]:
            assert d["pattern_counts"]["caller_pattern"] <= 400
            assert any("cap of 2500 matches was reached" in c for c in d["caps_reached"]), d
            rows = (data_dir / "executions" / eid / f"{d['domain']}.matches.jsonl").read_text().splitlines()
            assert len(rows) == d["matches_found"]  # every match is on disk
        capped = [c for d in found["domains"] for c in d["caps_reached"] if "caller_pattern reached its cap of 400" in c]
        assert capped  # the first domains' `^` hit their own cap before the call's
        mined = payload(await client.call_tool("mine_domain", {"source_path": sample, "domain": "mps_scoring",
                                                               "pattern_regex": "^"}))
        [summary] = mined["summaries"]
        assert any("caller_pattern reached its cap of 400" in w for w in summary["warnings"])


def test_executions_beyond_the_retention_policy_are_removed_by_gc_and_at_server_start(tmp_path):
    data = tmp_path / "data"
    subprocess.run(mine_cmd(small_source(tmp_path, 300), data, "--domain", "mps_scoring", "--min-examples", "0",
                            "--execution-id", "e00"), check=True, env=ENV, cwd=ROOT)
    executions = data / "executions"
    day = 86_400
    for i in range(1, 9):  # e01..e08, e08 the newest; e01 and e02 last used 20 and 15 days ago
        copy = executions / f"e{i:02d}"
        shutil.copytree(executions / "e00", copy)
        age = {1: 20 * day, 2: 15 * day}.get(i, (9 - i) * 60)
        os.utime(copy / "state.json", (time.time() - age, time.time() - age))
    os.utime(executions / "e00" / "state.json", (time.time() - 30 * day, time.time() - 30 * day))
    (executions / "not-ours").mkdir()  # no state.json, or a name no execution has: never touched
    shutil.copytree(executions / "e01", executions / "not ours")
    gc = [sys.executable, "-m", "training_data_miner.server", "gc", "--data-dir", str(data)]
    r = subprocess.run([*gc, "--keep-executions", "5", "--max-execution-age-days", "14", "--dry-run"],
                       capture_output=True, text=True, env=ENV, cwd=ROOT, check=True)
    assert "would remove 4 execution(s)" in r.stdout and len(list(executions.iterdir())) == 11
    r = subprocess.run([*gc, "--keep-executions", "5", "--max-execution-age-days", "14", "--json"],
                       capture_output=True, text=True, env=ENV, cwd=ROOT, check=True)
    assert sorted(json.loads(r.stdout)["removed"]) == ["e00", "e01", "e02", "e03"]
    assert sorted(p.name for p in executions.iterdir()) == ["e04", "e05", "e06", "e07", "e08", "not ours", "not-ours"]
    # the server applies the same policy when it starts
    serve = subprocess.Popen([sys.executable, "-m", "training_data_miner.server", "serve", "--data-dir", str(data),
                              "--keep-executions", "2"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=ENV, cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while sorted(p.name for p in executions.iterdir()) != ["e07", "e08", "not ours", "not-ours"]:
            assert time.monotonic() < deadline and serve.poll() is None, sorted(p.name for p in executions.iterdir())
            time.sleep(0.05)
    finally:
        serve.kill()
        serve.wait()


# -- work that ignores cancellation and time -------------------------------------------------------

RUNAWAY = "(?:.*?){25}$x"  # Hyperscan cannot compile it; `regex` backtracks on every line until its timeout


@pytest.mark.anyio
async def test_a_runaway_pattern_times_out_once_and_is_dropped_for_the_rest_of_the_call(stdio_server):
    async with Client(stdio_server()) as client:
        with anyio.fail_after(120):  # main: a one-second timeout on every line of 4,529, for each domain
            mined = payload(await client.call_tool("mine_domain", {
                "source_path": str(SAMPLE.relative_to(ROOT)), "domain": "mps_scoring", "pattern_regex": RUNAWAY}))
    [summary] = mined["summaries"]
    assert summary["pattern_fidelity"] == 1.0
    [warning] = summary["warnings"]
    assert warning.startswith("caller_pattern: timed out after 0.25s on line ") and "not used for the rest" in warning


@pytest.mark.anyio
async def test_cancel_stops_the_scan_of_a_runaway_pattern(stdio_server, data_dir):
    started = anyio.Event()

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        if message and message.startswith("identify_domain_patterns:"):
            started.set()

    async with Client(stdio_server()) as client:
        call = anyio.CancelScope()

        async def mine() -> None:
            with call:
                await client.call_tool("mine_domain", {"source_path": str(SAMPLE.relative_to(ROOT)), "domain": "all",
                                                       "pattern_regex": RUNAWAY}, progress_callback=on_progress)
                pytest.fail("the call finished: it was not cancelled mid-way")

        async with anyio.create_task_group() as tg:
            tg.start_soon(mine)
            with anyio.fail_after(60):
                await started.wait()
            call.cancel()
        [state_file] = (data_dir / "executions").glob("*/state.json")
        # the step records the cancellation when it stops (main: minutes later, one timeout per line);
        # how soon is measured by benchmarks/bench_limits.py
        with anyio.fail_after(20):
            while "Cancelled" not in state_file.read_text(encoding="utf-8"):
                await anyio.sleep(0.02)
        assert payload(await client.call_tool("list_domains", {}))["domains"]
    state = json.loads(state_file.read_text(encoding="utf-8"))
    assert {d["exception_type"] for d in state["domains"].values()} == {"Cancelled"}
    assert not list(data_dir.rglob("*_training_data.json"))


@pytest.mark.anyio
async def test_a_call_over_its_time_budget_stops_with_an_error_and_writes_no_dataset(stdio_server, data_dir):
    async with Client(stdio_server("--time-budget", "1")) as client:
        with anyio.fail_after(60):
            result = await client.call_tool("mine_domain", {
                "source_path": str(SAMPLE.relative_to(ROOT)), "domain": "all", "pattern_regex": "(?:.*?){3}$x"})
        text = error(result)
        assert "ran out of its time budget of 1 s" in text and len(text) < 500
        assert payload(await client.call_tool("list_domains", {}))["domains"]  # still answering
    [state_file] = (data_dir / "executions").glob("*/state.json")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    assert {d["exception_type"] for d in state["domains"].values()} == {"OverBudget"}
    assert not list(data_dir.rglob("*_training_data.json"))


@pytest.mark.anyio
@pytest.mark.parametrize("pattern", [".{12000}", ".{20000}", "(?:(?:.{30}){30}){30}"])
async def test_a_pattern_with_huge_bounded_repeats_does_not_hold_the_call_in_a_compile(stdio_server, pattern):
    async with Client(stdio_server()) as client:
        with anyio.fail_after(120):  # main: ~50 s for .{12000}, over 400 s for .{20000}, in one uninterruptible call
            mined = payload(await client.call_tool("mine_domain", {
                "source_path": str(SAMPLE.relative_to(ROOT)), "domain": "mps_scoring", "pattern_regex": pattern}))
    [summary] = mined["summaries"]
    assert summary["pattern_fidelity"] == 1.0 and summary["total_examples_extracted"] > 0


def test_huge_repeats_are_lowered_for_the_fast_engine_or_left_to_regex():
    from training_data_miner.skills.identify_domain_patterns import (
        MAX_FAST_WEIGHT,
        Scanner,
        prefilter_expression,
        repeat_weight,
    )
    from training_data_miner.skills.packs import load_packs

    assert prefilter_expression(".{20000}") == ".{32,}" and prefilter_expression("x{5,9000}") == "x{5,}"
    assert prefilter_expression(r"\d{1,2}[{]{40}\{9000\}") == r"\d{1,2}[{]{32,}\{9000\}"
    nested = prefilter_expression("(?:(?:.{30}){30}){30}")
    assert repeat_weight(nested) == 27_000 > MAX_FAST_WEIGHT
    pack = load_packs()["mps_scoring"].with_pattern("(?:(?:.{30}){30}){30}")
    scanner = Scanner([pack])
    assert [scanner.patterns[i].name for i in scanner.fallback] == ["caller_pattern"]  # `regex` alone


def test_many_distinct_pattern_regexes_do_not_grow_the_pattern_cache_without_bound(tmp_path, monkeypatch):
    from training_data_miner.skills.identify_domain_patterns import Scanner
    from training_data_miner.skills.packs import load_packs

    cache = tmp_path / "cache"
    monkeypatch.setenv("TDM_CACHE_DIR", str(cache))
    monkeypatch.setenv("TDM_CACHE_MAX_BYTES", "200000")
    pack = load_packs()["mps_scoring"]
    sizes = []
    for i in range(40):
        Scanner([pack.with_pattern(f"caller{i}\\d+ [a-z]+ score")])
        sizes.append(sum(f.stat().st_size for f in cache.glob("hs-*.db")))
    assert max(sizes) <= 200_000, sizes
    assert len(list(cache.glob("hs-*.db"))) >= 5  # still a cache: the recent entries stay
