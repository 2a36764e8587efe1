"""Shared fixtures and helpers. MCP fixtures import the SDK lazily, so tests that do not use them
do not pay for it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # tests import `helpers` (and MCP tests `conftest`)

import helpers  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample" / "012_sample.txt"
SNAPSHOTS = Path(__file__).with_name("snapshots")


def payload(result) -> dict:
    """A tool result's structuredContent, after checking that its JSON text copy says the same."""
    assert not result.is_error, result.content[0].text
    data = json.loads(result.content[0].text)
    assert data == result.structured_content
    return data


def error(result) -> str:
    """A tool error's text."""
    assert result.is_error, result.structured_content
    return result.content[0].text


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "corpus: reads ../shared/corpus/012_dev.txt; skipped, with the reason, "
                                       "when it is not there")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:  # a test that takes the dev_corpus fixture reads the corpus
        if "dev_corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)


def pytest_runtest_setup(item: pytest.Item) -> None:
    helpers.running = item
    if item.get_closest_marker("corpus") is not None and not helpers.has_corpus():
        pytest.skip(helpers.SKIP_REASON)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder of the test's own, so no test writes into the repository's data/."""
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def dev_corpus() -> Path:
    return helpers.corpus()


@pytest.fixture
def mcp_server(data_dir: Path):
    """The real server object, for the SDK's in-memory Client; sources may come from the repository."""
    from training_data_miner.server.mcp_server import build_server
    from training_data_miner.server.orchestrator import Settings

    return build_server(Settings(data_dir=data_dir), roots=[str(REPO), str(data_dir)])


def serve_command(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "training_data_miner.server", "serve", "--data-dir", str(data_dir), *args]


@pytest.fixture
def stdio_server(data_dir: Path):
    """`StdioServerParameters` for `training-data-miner serve` as a subprocess, started in the repository."""
    from mcp import StdioServerParameters

    def params(*args: str) -> StdioServerParameters:
        cmd = serve_command(data_dir, *args)
        return StdioServerParameters(command=cmd[0], args=cmd[1:], cwd=str(REPO), env=dict(os.environ))

    return params


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(proc: subprocess.Popen, port: int, what: str, stderr: Path | None = None,
                  timeout: float = 30.0) -> None:
    """Return once 127.0.0.1:port accepts a connection; fail the test (killing `proc`) if it
    exits first or does not answer within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode}" + (f": {stderr.read_text()}" if stderr else ""))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait(10)
                pytest.fail(f"{what} did not answer within {timeout:.0f} s")
            time.sleep(0.05)


@pytest.fixture
def http_server(data_dir: Path, tmp_path: Path):
    """`serve --http` on a free port; yields (url, process) once the port answers, kills it after."""
    port = _free_port()
    out, err = open(tmp_path / "http.stdout", "wb"), open(tmp_path / "http.stderr", "wb")
    proc = subprocess.Popen(serve_command(data_dir, "--http", "--port", str(port)), cwd=REPO, stdout=out, stderr=err)
    wait_for_port(proc, port, "server", tmp_path / "http.stderr")
    try:
        yield f"http://127.0.0.1:{port}/mcp", proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
        err.close()


@pytest.fixture
def tools_snapshot():
    """Compare a tools/list result's wire JSON with tests/snapshots/list_tools.json;
    UPDATE_SNAPSHOTS=1 rewrites the file from the server instead."""
    path = SNAPSHOTS / "list_tools.json"

    def check(result) -> None:
        wire = {"tools": [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in result.tools]}
        if os.environ.get("UPDATE_SNAPSHOTS") == "1":
            path.parent.mkdir(exist_ok=True)
            path.write_text(json.dumps(wire, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        assert path.is_file(), f"{path} is missing; run UPDATE_SNAPSHOTS=1 pytest tests/test_mcp_tools.py"
        assert wire == json.loads(path.read_text(encoding="utf-8")), (
            "tools/list differs from the snapshot; if the change is intended, rerun with UPDATE_SNAPSHOTS=1 "
            "and review the diff of tests/snapshots/list_tools.json")

    return check
