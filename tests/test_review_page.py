"""The review and report pages over HTTP: `serve --http` serves them beside /mcp behind the same
token and Host/Origin guards; `review` serves them alone; `report --out` writes one file that
needs nothing else. The pages escape what the examples say."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, SAMPLE, _free_port, serve_command, wait_for_port
from training_data_miner.server.orchestrator import Settings
from training_data_miner.server.review_page import Pages, View, report_page, review_page

TOKEN = "s3cret"


def request(url: str, body: dict | bytes | None = None, **headers: str) -> tuple[int, str, dict]:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    if isinstance(body, dict):
        headers.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def mine(data_dir: Path, *domains: str) -> None:
    args = [a for d in domains for a in ("--domain", d)]
    subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", str(SAMPLE), *args,
                    "--data-dir", str(data_dir), "-q", "--jobs", "1"], cwd=REPO, check=True, timeout=300)


@pytest.fixture
def guarded(data_dir, tmp_path):
    """`serve --http --auth-token` over a data folder with the mps_scoring dataset."""
    mine(data_dir, "mps_scoring")
    port = _free_port()
    err = open(tmp_path / "http.stderr", "wb")
    proc = subprocess.Popen(serve_command(data_dir, "--http", "--port", str(port), "--auth-token", TOKEN),
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=err)
    wait_for_port(proc, port, "server", tmp_path / "http.stderr")
    yield f"http://127.0.0.1:{port}", port
    proc.terminate()
    proc.wait(10)
    err.close()


def a_fingerprint(page: str) -> str:
    return re.search(r'data-fp="([0-9a-f]{20})"', page).group(1)


def test_serve_http_pages_need_the_token_from_a_header_or_the_page_cookie(guarded, data_dir):
    base, port = guarded
    dataset = json.loads((data_dir / "training_datasets" / "mps_scoring_training_data.json").read_text())
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, body, headers = request(f"{base}/review?domain=mps_scoring&n=all")
    assert status == 401 and "Enter the token" in body and "<form" in body and f"tdm_token_{port}=" in body
    assert "nonce-" in headers["content-security-policy"]
    assert request(f"{base}/report", Cookie=f"tdm_token_{port}=wrong")[0] == 401
    assert request(f"{base}/report", Cookie=f"tdm_token_{port + 1}={TOKEN}")[0] == 401  # another port's cookie
    status, body, _ = request(f"{base}/review?domain=mps_scoring&n=all", **auth)
    assert status == 200 and body.count('<article class="ex"') == len(dataset["examples"]) > 0
    status, body, _ = request(f"{base}/report", Cookie=f"other=1; tdm_token_{port}={TOKEN}")
    assert status == 200 and body.count('<svg class="chart"') == 4
    # the cookie opens the pages only: /mcp still wants the header
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}}}
    status, _, _ = request(f"{base}/mcp", init, Accept="application/json, text/event-stream",
                           Cookie=f"tdm_token_{port}={TOKEN}")
    assert status == 401


def test_serve_http_verdicts_refuse_dns_rebinding_cross_site_posts_and_forms(guarded, data_dir):
    base, _ = guarded
    auth = {"Authorization": f"Bearer {TOKEN}"}
    _, page, _ = request(f"{base}/review?domain=mps_scoring&n=all", **auth)
    fp = a_fingerprint(page)
    verdict = {"domain": "mps_scoring", "fingerprint": fp, "verdict": "WRONG", "note": "cut date"}
    assert request(f"{base}/review/verdict", verdict, Origin="http://evil.example", **auth)[0] == 403
    assert request(f"{base}/review/verdict", verdict, Host="evil.example:80", **auth)[0] == 421
    assert request(f"{base}/review?domain=mps_scoring", Host="evil.example", **auth)[0] == 421
    form = request(f"{base}/review/verdict", b"verdict=WRONG", **{"Content-Type": "application/x-www-form-urlencoded"}, **auth)
    assert form[0] == 400
    assert request(f"{base}/review/verdict", verdict)[0] == 401
    assert not (data_dir / "reviews").exists()  # none of those stored anything
    status, body, _ = request(f"{base}/review/verdict", verdict, Origin=base, **auth)
    assert status == 200 and json.loads(body)["reviewer"] == "person"
    status, body, _ = request(f"{base}/review/verdict", {**verdict, "verdict": "FINE"}, **auth)
    assert status == 400 and "expected one of GOOD, WEAK, WRONG" in json.loads(body)["error"]
    status, body, _ = request(f"{base}/review/verdict", {**verdict, "fingerprint": "0" * 20}, **auth)
    assert status == 404 and "reload the page" in json.loads(body)["error"]
    lines = (data_dir / "reviews" / "mps_scoring.verdicts.jsonl").read_text().splitlines()
    assert [json.loads(x)["note"] for x in lines] == ["cut date"]


def test_review_page_filters_and_samples(data_dir, tmp_path):
    mine(data_dir, "mps_scoring", "wsp_application")
    pages = Pages(Settings(data_dir=data_dir), [REPO])
    assert pages.domains() == ["mps_scoring", "wsp_application"]
    dataset = json.loads((data_dir / "training_datasets" / "mps_scoring_training_data.json").read_text())
    p3 = [e for e in dataset["examples"] if e["label"] == "P3"]
    page = review_page(pages, View("mps_scoring", None, None, label="P3"), "n0nce")
    assert page.count('<article class="ex"') == len(p3) > 0
    sample = review_page(pages, View("mps_scoring", 5, 42), "n0nce")
    assert sample.count('<article class="ex"') == 5
    assert sample == review_page(pages, View("mps_scoring", 5, 42), "n0nce")  # the seed fixes the sample
    fp = a_fingerprint(sample)
    pages.record("mps_scoring", fp, "WEAK", "thin")
    marked = review_page(pages, View("mps_scoring", None, None, verdict="WEAK"), "n0nce")
    assert marked.count('<article class="ex"') == 1 and f'data-fp="{fp}" data-verdict="WEAK"' in marked
    unmarked = review_page(pages, View("mps_scoring", None, None, verdict="none"), "n0nce")
    assert unmarked.count('<article class="ex"') == len(dataset["examples"]) - 1
    assert '<script nonce="n0nce">' in marked


def test_review_page_escapes_what_examples_say_and_hides_a_source_outside_the_roots(data_dir, tmp_path):
    source = tmp_path / "outside" / "012.txt"
    source.parent.mkdir()
    source.write_bytes(SAMPLE.read_bytes())
    subprocess.run([sys.executable, "-m", "training_data_miner.server", "mine", str(source), "--domain", "mps_scoring",
                    "--data-dir", str(data_dir), "-q", "--jobs", "1"], cwd=REPO, check=True)
    path = data_dir / "training_datasets" / "mps_scoring_training_data.json"
    dataset = json.loads(path.read_text())
    hostile = dataset["examples"][0]  # a dataset file edited by someone else
    hostile["instruction"] += " <script>alert(1)</script>"
    hostile["input"]["task_description"] = '"><img src=x onerror=alert(2)>'
    path.write_text(json.dumps(dataset))
    inside = review_page(Pages(Settings(data_dir=data_dir), [source.parent]), View("mps_scoring", None, None), "n")
    assert "<script>alert" not in inside and "&lt;script&gt;alert(1)&lt;/script&gt;" in inside
    assert "<img" not in inside and "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in inside
    assert inside.count('<pre class="src">') == len(dataset["examples"])
    outside = review_page(Pages(Settings(data_dir=data_dir), [REPO]), View("mps_scoring", None, None), "n")
    assert '<pre class="src">' not in outside and "source lines not shown" in outside
    assert str(source.parent) not in outside


def test_report_command_writes_one_self_contained_file(data_dir, tmp_path):
    mine(data_dir, "mps_scoring", "first_principles")
    out = tmp_path / "report.html"
    r = subprocess.run([sys.executable, "-m", "training_data_miner.server", "report", "--data-dir", str(data_dir),
                        "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "first_principles, mps_scoring" in r.stdout
    text = out.read_text()
    assert text == report_page(Pages(Settings(data_dir=data_dir), []))
    assert text.count('<svg class="chart"') == 8
    assert not re.search(r"<(script|link|img|iframe)\b|\b(src|href)=\"(https?:)?//|url\(", text)
    for domain in ("mps_scoring", "first_principles"):
        kept = json.loads((data_dir / "training_datasets" / f"{domain}_training_data.json").read_text())["total_examples"]
        section = text.split(f'id="d-{domain}"', 1)[1].split("</section>", 1)[0]
        labels = re.search(r'data-chart="labels".*?</svg>', section).group(0)
        assert sum(map(int, re.findall(r'data-value="(\d+)"', labels))) == kept
        assert f'data-kept="{kept}"' in section


def test_report_and_review_commands_say_what_is_missing(data_dir, tmp_path):
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "training_data_miner.server", *args, "--data-dir", str(data_dir)],
                              cwd=REPO, capture_output=True, text=True, timeout=120)
    r = run("report", "--out", str(tmp_path / "r.html"))
    assert r.returncode == 2 and "no datasets in" in r.stderr and "run mine first" in r.stderr
    mine(data_dir, "mps_scoring")
    r = run("review", "--domain", "roadmap_analysis", "--port", str(_free_port()))
    assert r.returncode == 2 and "no dataset for roadmap_analysis" in r.stderr and "--domain roadmap_analysis" in r.stderr
    assert not (tmp_path / "r.html").exists()
