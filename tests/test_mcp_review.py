"""review_examples: the calling agent's model as reviewer, through MCP sampling, end to end over
stdio and streamable HTTP, on both protocol eras (2025's server-to-client requests and 2026-07-28's
input_required rounds), with a real SDK client whose sampling callback is a deterministic answerer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import anyio
import pytest
from mcp import Client
from mcp_types import CreateMessageResult, TextContent

from conftest import REPO, SAMPLE, error, payload
from training_data_miner.skills.review import fingerprint, read_verdicts

pytestmark = pytest.mark.anyio
SAMPLE_REL = str(SAMPLE.relative_to(REPO))
ERAS = ["auto", "legacy"]  # auto negotiates 2026-07-28 with this server; legacy is the 2025 handshake


def judge(prompt: str) -> str:
    """The deterministic answerer's verdict on a question, read from the example in it as a model
    would: a P3 task is WRONG, one whose input has its scores is GOOD, a P4 one gets an answer with
    no verdict, the rest are WEAK."""
    output = prompt.split("\nOutput: ", 1)[1].split("\n\nSource ", 1)[0]
    given = prompt.split("\nInput: ", 1)[1].split("\nOutput: ", 1)[0]
    if '"P3"' in output:
        return "VERDICT: WRONG\nREASON: P3 is the wrong band here"
    if '"P4"' in output:
        return "I cannot tell."
    if '"complexity"' in given:
        return "VERDICT: GOOD\nREASON: every score is in the source"
    return "Verdict: weak\nReason: little to learn"


FIRST = "VERDICT: WRONG\nREASON: the first one asked is always wrong"


class Answerer:
    """A sampling callback: answers the first question with FIRST (so every sample has a WRONG one)
    and the others with `judge`, names its model, records what it answered about each example, and
    can be made to hang from the question numbered `hang_at` (1-based) on, until cancelled."""

    def __init__(self, hang_at: int | None = None):
        self.asked: list[str] = []
        self.answers: dict[str, str] = {}
        self.hang_at = hang_at
        self.hung = anyio.Event()

    async def __call__(self, ctx, params) -> CreateMessageResult:
        prompt = params.messages[0].content.text
        assert params.system_prompt and "GOOD" in params.system_prompt and "WRONG" in params.system_prompt
        self.asked.append(prompt)
        if self.hang_at is not None and len(self.asked) >= self.hang_at:
            self.hung.set()
            await anyio.sleep(3600)
        text = FIRST if len(self.asked) == 1 else judge(prompt)
        self.answers[example_of(prompt)] = text
        return CreateMessageResult(role="assistant", content=TextContent(type="text", text=text),
                                   model="det-answerer-1")


def parses(answer: str) -> bool:
    return not answer.startswith("I cannot")


def example_of(prompt: str) -> str:
    return re.search(r"^Example (\S+) \(from", prompt, re.MULTILINE).group(1)


async def mine(client: Client) -> None:
    data = payload(await client.call_tool("mine_domain", {"source_path": SAMPLE_REL, "domain": "mps_scoring",
                                                          "min_examples": 1}))
    assert data["summaries"][0]["pattern_fidelity"] == 1.0


async def review_and_check(client: Client, data_dir: Path, answerer: Answerer, sample: int = 9) -> dict:
    """review_examples; checks that every verdict stored is the answerer's, with its reason and model."""
    seen: list[float] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(progress)
        assert total == sample

    got = payload(await client.call_tool("review_examples", {"domain": "mps_scoring", "sample": sample},
                                         progress_callback=on_progress))
    assert got["sampled"] == len(answerer.asked) == len(answerer.answers) == sample
    expected = answerer.answers
    verdicts = read_verdicts(data_dir / "reviews", "mps_scoring")
    dataset = json.loads((data_dir / "training_datasets" / "mps_scoring_training_data.json").read_text())
    by_id = {e["example_id"]: e for e in dataset["examples"]}
    stored = {v.example_id: v for v in verdicts.values()}
    for example_id, answer in expected.items():
        if not parses(answer):
            assert example_id not in stored and example_id in got["unparsed"]
            continue
        v = stored[example_id]
        assert v.fingerprint == fingerprint(by_id[example_id])
        assert v.verdict == answer.split(":", 1)[1].split("\n")[0].strip().upper()
        assert v.note == answer.split("\n")[1].split(":", 1)[1].strip()
        assert v.reviewer == "model:det-answerer-1"
    assert got["judged"] == len(stored) == sample - len(got["unparsed"])
    assert (got["good"], got["weak"], got["wrong"]) == tuple(
        sum(v.verdict == k for v in stored.values()) for k in ("GOOD", "WEAK", "WRONG"))
    assert got["reviewer"] == "model:det-answerer-1"
    assert seen and seen == sorted(seen) and seen[-1] == sample
    # each question shows its example's source lines with the example's own line marked
    for prompt in answerer.asked:
        line = int(re.search(r":line_(\d+)\)", prompt).group(1))
        assert re.search(rf"^>> +{line} \| ", prompt, re.MULTILINE)
    return got


async def remine_drops_the_wrong_ones(client: Client, data_dir: Path) -> None:
    await mine(client)
    out = data_dir / "training_datasets"
    wrong = {v.fingerprint for v in read_verdicts(data_dir / "reviews", "mps_scoring").values() if v.verdict == "WRONG"}
    kept = {fingerprint(e) for e in json.loads((out / "mps_scoring_training_data.json").read_text())["examples"]}
    rejected = json.loads((out / "mps_scoring_rejected_examples.json").read_text())["rejected"]
    by_model = {fingerprint(r["example"]) for r in rejected if "Reviewed WRONG by model:det-answerer-1" in r["reasons"][-1]}
    assert wrong and not wrong & kept and wrong <= by_model


@pytest.mark.parametrize("mode", ERAS)
async def test_stdio_review_by_the_clients_model(stdio_server, data_dir, mode):
    answerer = Answerer()
    async with Client(stdio_server(), mode=mode, sampling_callback=answerer) as client:
        await mine(client)
        got = await review_and_check(client, data_dir, answerer)
        await remine_drops_the_wrong_ones(client, data_dir)
    assert got["reviewed_from"].endswith("mps_scoring_training_data.json")


@pytest.mark.parametrize("mode", ERAS)
async def test_http_review_by_the_clients_model(http_server, data_dir, mode):
    url, _ = http_server
    answerer = Answerer()
    async with Client(url, mode=mode, sampling_callback=answerer) as client:
        await mine(client)
        await review_and_check(client, data_dir, answerer, sample=7)
        await remine_drops_the_wrong_ones(client, data_dir)


@pytest.mark.parametrize("mode", ERAS)
async def test_client_without_sampling_gets_a_clear_error(http_server, stdio_server, mode):
    url, _ = http_server
    for target in (url, stdio_server()):
        async with Client(target, mode=mode) as client:
            text = error(await client.call_tool("review_examples", {"domain": "mps_scoring"}))
        assert "needs a client with the MCP sampling capability" in text
        assert "training-data-miner review" in text


@pytest.mark.parametrize("mode", ERAS)
async def test_cancelled_review_keeps_the_verdicts_before_it_and_stores_none_after(stdio_server, data_dir, mode):
    answerer = Answerer(hang_at=4)
    async with Client(stdio_server(), mode=mode, sampling_callback=answerer) as client:
        await mine(client)
        call = anyio.CancelScope()

        async def review() -> None:
            with call:
                await client.call_tool("review_examples", {"domain": "mps_scoring", "sample": 20})
                pytest.fail("the call finished: it was not cancelled")

        async with anyio.create_task_group() as tg:
            tg.start_soon(review)
            with anyio.fail_after(60):
                await answerer.hung.wait()
            call.cancel()
        # 2025: one question at a time, each answer stored before the next question; 2026-07-28: three
        # questions a round (20 in 8 rounds), a round's answers stored when the next call brings them.
        # Either way the answers stored are those to the first three questions, the fourth hangs.
        stored = read_verdicts(data_dir / "reviews", "mps_scoring")
        first = {example_of(p) for p in answerer.asked[:3]}
        assert {v.example_id for v in stored.values()} == {i for i in first if parses(answerer.answers[i])}
        assert any(v.verdict == "WRONG" for v in stored.values())  # the first answer
        assert payload(await client.call_tool("list_domains", {}))["domains"]  # still answering
        await anyio.sleep(0.5)
        assert read_verdicts(data_dir / "reviews", "mps_scoring") == stored  # nothing after the cancel


async def test_review_of_an_executions_kept_examples(mcp_server, data_dir):
    answerer = Answerer()
    async with Client(mcp_server, sampling_callback=answerer) as client:
        loaded = payload(await client.call_tool("load_source", {"source_path": SAMPLE_REL, "domain": "mps_scoring"}))
        eid = loaded["execution_id"]
        payload(await client.call_tool("identify_domain_patterns", {"execution_id": eid, "domain": "mps_scoring"}))
        payload(await client.call_tool("extract_examples", {"execution_id": eid, "domain": "mps_scoring"}))
        early = error(await client.call_tool("review_examples", {"domain": "mps_scoring", "execution_id": eid}))
        assert "call filter_quality first" in early
        payload(await client.call_tool("filter_quality", {"execution_id": eid, "domain": "mps_scoring"}))
        got = payload(await client.call_tool("review_examples", {"domain": "mps_scoring", "sample": 4,
                                                                 "execution_id": eid}))
    assert got["reviewed_from"] == f"execution {eid}" and got["sampled"] == 4
    assert "no dataset yet" == got["domain_precision"]
    assert len(read_verdicts(data_dir / "reviews", "mps_scoring")) == got["judged"] > 0


async def test_review_without_a_dataset_says_what_to_run(mcp_server):
    async with Client(mcp_server, sampling_callback=Answerer()) as client:
        text = error(await client.call_tool("review_examples", {"domain": "mps_scoring"}))
        assert "no dataset for mps_scoring" in text and "run mine_domain first" in text
        text = error(await client.call_tool("review_examples", {"domain": "astrology"}))
        assert "domain: expected one of" in text
        text = error(await client.call_tool("review_examples", {"domain": "mps_scoring", "sample": 0}))
        assert "sample" in text and "from 1 to 100" in text


async def test_review_of_a_dataset_whose_source_is_outside_the_roots_is_refused(mcp_server, data_dir, tmp_path):
    outside = tmp_path / "elsewhere" / "012.txt"
    outside.parent.mkdir()
    outside.write_bytes(SAMPLE.read_bytes())
    import subprocess
    import sys
    subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", str(outside), "--domain",
                    "mps_scoring", "--data-dir", str(data_dir), "-q", "--jobs", "1"], cwd=REPO, check=True)
    answerer = Answerer()
    async with Client(mcp_server, sampling_callback=answerer) as client:
        text = error(await client.call_tool("review_examples", {"domain": "mps_scoring"}))
    assert "outside the allowed roots" in text and str(outside) not in text
    assert answerer.asked == []  # nothing of the file was sent to the client's model
