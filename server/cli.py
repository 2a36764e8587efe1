"""`training-data-miner`: mine, validate, list domains, serve (MCP).

Imports are kept lazy: `mine` must not pay for the MCP SDK it does not use.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import NoReturn

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def configure_logging(level: str = "warning") -> None:
    """structlog to stderr only, configured when the first line at an enabled level is emitted."""
    from training_data_miner.server import logs

    logs.configure(level)


def _settings(args: argparse.Namespace):
    """The run's settings from the options; ValueError, saying which, for one that cannot work."""
    from training_data_miner.server.orchestrator import Settings
    from training_data_miner.skills.handoff import check_command_template

    data_dir = Path(args.data_dir or os.environ.get("TDM_DATA_DIR", "data"))
    return Settings(
        data_dir=data_dir,
        out_dir=Path(args.out) if getattr(args, "out", None) else None,
        metrics_dir=Path(args.metrics_dir) if getattr(args, "metrics_dir", None) else None,
        learning_store=Path(args.learning_store) if getattr(args, "learning_store", None) else None,
        domains_dirs=[Path(d) for d in (args.domains_dir or [])],
        export_formats=getattr(args, "export", None) or [],
        **({"validation_share": args.validation_share} if getattr(args, "validation_share", None) else {}),
        **({"execution_command": check_command_template(args.next_skill_command)}
           if getattr(args, "next_skill_command", None) else {}),
        holo_index=_holo_config(args),
        # `mine` forks workers (--jobs, default the cores); the server never does (it has threads)
        workers=max(1, (args.jobs or os.cpu_count() or 1) if hasattr(args, "jobs") else 1),
    )


def _holo_config(args: argparse.Namespace):
    """The holo_index endpoint: HOLO_INDEX_* variables, overridden by --holo-index-* options."""
    from training_data_miner.server.holo_index import HoloConfig

    config = (HoloConfig.from_env() or HoloConfig()).model_dump()
    if getattr(args, "holo_index_command", None):
        config.update(command=args.holo_index_command, url=None)
    if getattr(args, "holo_index_url", None):
        config.update(url=args.holo_index_url, command=None)
    if getattr(args, "holo_index_header", None):
        config["headers"] = "\n".join(args.holo_index_header)
    for key in ("token", "tool", "timeout", "connect_timeout"):
        if getattr(args, f"holo_index_{key}", None):
            config[key] = getattr(args, f"holo_index_{key}")
    return HoloConfig(**config) if config["command"] or config["url"] else None


def add_holo_index_options(p: argparse.ArgumentParser) -> None:
    """--holo-index-* options (each overrides its HOLO_INDEX_* variable)."""
    g = p.add_argument_group("semantic search (default: the embedded index of the source)")
    g.add_argument("--holo-index-command", metavar="CMD",
                   help="run the holo_index endpoint over stdio ($HOLO_INDEX_COMMAND)")
    g.add_argument("--holo-index-url", metavar="URL", help="its streamable HTTP URL instead ($HOLO_INDEX_URL)")
    g.add_argument("--holo-index-header", action="append", metavar="'NAME: VALUE'",
                   help="an HTTP header for the URL (repeatable; $HOLO_INDEX_HEADERS)")
    g.add_argument("--holo-index-token", metavar="TOKEN",
                   help="bearer token for the URL ($HOLO_INDEX_TOKEN; prefer the variable)")
    g.add_argument("--holo-index-tool", metavar="NAME",
                   help="its search tool (default semantic_code_search; $HOLO_INDEX_TOOL)")
    g.add_argument("--holo-index-timeout", type=float, metavar="S",
                   help="seconds allowed for each call (default 10; $HOLO_INDEX_TIMEOUT)")
    g.add_argument("--holo-index-connect-timeout", type=float, metavar="S",
                   help="seconds allowed to start it and finish the handshake "
                        "(default 30, or the call timeout if longer; $HOLO_INDEX_CONNECT_TIMEOUT)")


class _StderrProgress:
    """A progress line on stderr for long sources, at most a few times a second."""

    def __init__(self) -> None:
        self.last = 0.0
        self.started = time.monotonic()

    def finish(self, results: list[dict]) -> None:
        """The final line: every step's lines above it may have been skipped by the rate limit."""
        ok = sum(1 for r in results if not r.get("error"))
        print(f"[done] 100.0% {ok} of {len(results)} domain(s) mined in {time.monotonic() - self.started:.1f} s",
              file=sys.stderr, flush=True)

    def __call__(self, step: str, done: float, total: float, message: str) -> None:
        now = time.monotonic()
        if now - self.last < 0.25:
            return
        self.last = now
        pct = 100 * done / total if total else 0
        print(f"[{step}] {pct:5.1f}% {message}", file=sys.stderr, flush=True)


def cmd_mine(args: argparse.Namespace) -> int:
    from training_data_miner.server.orchestrator import MinerError, Options, Orchestrator
    from training_data_miner.skills.load_source import SourceError, check_source
    from training_data_miner.skills.packs import PackError

    if args.all_domains and args.domain:
        return _fail("use --domain or --all-domains, not both")
    try:
        check_source(args.source)
        options = Options(min_quality=args.min_quality, min_examples=args.min_examples,
                          pattern_type=args.pattern_type, pattern_regex=args.pattern_regex, context=args.context,
                          semantic=args.semantic, replace=args.replace)
        orch = Orchestrator(_settings(args))
        orch.packs  # noqa: B018 - loaded (and their patterns compiled) before collection resumes
        size = Path(args.source).stat().st_size
        # A mine makes almost no cyclic garbage (~1,800 objects per 100,000 lines, measured):
        # collecting costs ~10% of the run and frees nothing, so it stays paused, except for big
        # sources, where even that little must not grow with the file.
        started(collect=size > GC_ABOVE_BYTES)
        domains = None if args.all_domains or not args.domain else args.domain
        big = size > 20 << 20
        progress = _StderrProgress() if (big or args.progress) and not args.quiet else None
        results = orch.mine(args.source, domains, options, progress=progress, execution_id=args.execution_id)
        if progress is not None:
            progress.finish(results)
    except (SourceError, PackError, MinerError) as exc:
        return _fail(str(exc))
    except ValueError as exc:  # pydantic validation of options
        errors = getattr(exc, "errors", None)
        if callable(errors):
            e = errors()[0]
            return _fail(f"invalid --{str(e['loc'][0]).replace('_', '-')}: {e['msg']}")
        return _fail(str(exc).splitlines()[0])
    failed = [r for r in results if r.get("error")]
    if all(r.get("exception_type") == "SourceError" and not r["patterns"]["source_loaded"] for r in results):
        # the source itself cannot be mined: one line says why, whatever the number of domains
        if args.json:
            sys.stdout.write(json.dumps(results[0] if len(results) == 1 else results, indent=2) + "\n")
        return _fail(results[0]["error"].removeprefix("load_source: "))
    if args.json:
        out = results[0] if len(results) == 1 else results
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    elif not args.quiet:
        for r in results:
            if r.get("exception_type") == "DatasetKept":  # the reason follows on stderr
                print(f"{r['domain']}: {r['high_quality_examples']} kept of {r['total_examples_extracted']} "
                      f"extracted ({r['shortfall']} short of min_examples): the existing dataset was kept")
                continue
            if r.get("error") and not r.get("dataset"):  # the reason follows on stderr
                step = next((s for s, done in r["patterns"].items() if not done), "a step")
                print(f"{r['domain']}: failed at {step}, no dataset written")
                continue
            line = (f"{r['domain']}: {r['high_quality_examples']} kept of {r['total_examples_extracted']} "
                    f"extracted, fidelity {r['pattern_fidelity']:.2f}")
            if r.get("dataset"):
                line += f" -> {r['dataset']}"
            if r.get("shortfall"):
                line += f" ({r['shortfall']} short of min_examples)"
            print(line)
        print(f"execution {results[0]['execution_id']} in {results[0]['execution_time_ms']:.0f} ms")
    if failed:
        msgs = dict.fromkeys(f"{r['error']}" for r in failed)
        for m in msgs:
            print(f"error: {m}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from training_data_miner.skills.validate import DatasetFileError, check_file

    status = EXIT_OK
    for path in args.dataset:
        try:
            problems = check_file(path)
        except DatasetFileError as exc:
            status = _fail(str(exc))
            continue
        if problems:
            status = max(status, EXIT_FAILED)
            shown = problems[:20]
            print(f"{path}: INVALID ({len(problems)} problem(s))", file=sys.stderr)
            for p in shown:
                print(f"  - {p}", file=sys.stderr)
            if len(problems) > len(shown):
                print(f"  ... and {len(problems) - len(shown)} more", file=sys.stderr)
        else:
            print(f"{path}: valid")
    return status


def cmd_export(args: argparse.Namespace) -> int:
    from training_data_miner.skills.handoff import export_dataset
    from training_data_miner.skills.validate import DatasetFileError, check_file

    status = EXIT_OK
    valid = []
    for path in args.dataset:
        try:
            problems = check_file(path, full=True)
        except DatasetFileError as exc:
            status = _fail(str(exc))
            continue
        if problems:
            print(f"error: {path} is not a valid dataset ({problems[0]}); run validate for the full list",
                  file=sys.stderr)
            status = EXIT_BAD_INPUT
            continue
        valid.append(path)
    if args.merge:  # one dataset of them all, or none
        return status if status != EXIT_OK else _export_merged(args)
    for path in valid:
        out = Path(args.out) if args.out else Path(path).parent / "exports"
        r = export_dataset(Path(path), args.format, out)
        if args.json:
            sys.stdout.write(json.dumps(r, indent=2) + "\n")
        else:
            for fmt, files in r["files"].items():
                print(f"{r['domain']} {fmt}: {files['train']} + {Path(files['validation']).name}")
            print(f"{r['domain']} card: {r['card']}")
    return status


def _export_merged(args: argparse.Namespace) -> int:
    from training_data_miner.skills.handoff import export_merged

    out = Path(args.out) if args.out else Path(args.dataset[0]).parent / "exports"
    try:
        r = export_merged([Path(p) for p in args.dataset], args.format, out)
    except ValueError as exc:
        return _fail(str(exc))
    if args.json:
        sys.stdout.write(json.dumps(r, indent=2) + "\n")
    else:
        print(f"merged {', '.join(r['domains'])}")
        for fmt, files in r["files"].items():
            print(f"merged {fmt}: {files['train']} + {Path(files['validation']).name}")
        print(f"merged card: {r['card']}")
    return EXIT_OK


def cmd_handoff(args: argparse.Namespace) -> int:
    from training_data_miner.server.orchestrator import MinerError, Orchestrator
    from training_data_miner.skills.handoff import short_domains

    try:
        manifest = Orchestrator(_settings(args), packs={}).handoff(args.domain)
    except (MinerError, ValueError) as exc:
        return _fail(str(exc))
    if not manifest["domains"]:
        return _fail(f"no datasets in {_settings(args).out}; run mine first")
    if args.json:
        sys.stdout.write(json.dumps(manifest, indent=2) + "\n")
    else:
        for d, e in manifest["domains"].items():
            w, src = e["wardrobe_config"], e["source"]
            print(f"{e['training_order']}. {d}: {e['total_examples']} examples, MPS {e['domain_priority_mps']['total']} "
                  f"({e['domain_priority_mps']['priority']}), rank {w['lora_rank']}, lr {w['learning_rate']}, "
                  f"{w['epochs']} epochs; from {src['name']} (sha256 {str(src['sha256'])[:12]})")
    for warning in manifest["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    # an empty or short dataset is flagged in handoff.json and fails the command: not for the trainer as it is
    return EXIT_FAILED if short_domains(manifest["domains"]) else EXIT_OK


def cmd_domains(args: argparse.Namespace) -> int:
    from training_data_miner.skills.packs import PackError, load_packs

    try:
        packs = load_packs([Path(d) for d in (args.domains_dir or [])])
    except PackError as exc:
        return _fail(str(exc))
    if args.json:
        sys.stdout.write(json.dumps([{"name": p.name, "description": p.description, "path": p.path,
                                      "patterns": [s.name for s in p.patterns]} for p in packs.values()], indent=2) + "\n")
    else:
        for p in packs.values():
            print(f"{p.name:18} {len(p.patterns):2} patterns  {p.description}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from training_data_miner.server.mcp_server import serve
    from training_data_miner.skills.load_source import SourceError
    from training_data_miner.skills.packs import PackError

    try:
        serve(_settings(args), roots=args.root, http=args.http, host=args.host, port=args.port,
              log_level=args.log_level, allow_remote=args.allow_remote,
              auth_token=args.auth_token or os.environ.get("TDM_AUTH_TOKEN") or None,
              allowed_hosts=args.allowed_host, max_request_bytes=args.max_request_bytes,
              max_sessions=args.max_sessions, max_sessions_per_client=args.max_sessions_per_client,
              session_idle_timeout=args.session_idle_timeout)
    except (SourceError, PackError, ValueError) as exc:
        return _fail(str(exc))
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


class _Parser(argparse.ArgumentParser):
    """Bad options get one line, like every other bad input (not argparse's usage block), and the
    same exit code (2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"error: {message}; see {self.prog} --help\n")


def _at_least_one(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _seconds(text: str) -> float:
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not s > 0 or s == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 and finite, got {text}")
    return s


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="training-data-miner",
                                     description="Mine a 012.txt decision log for instruction-tuning datasets.")
    parser.add_argument("--log-level", default=os.environ.get("TDM_LOG_LEVEL", "warning"),
                        choices=["debug", "info", "warning", "error"], help="stderr log level")
    sub = parser.add_subparsers(dest="command", required=True)

    common = _Parser(add_help=False)
    common.add_argument("--data-dir", help="root of outputs, executions and metrics (default: data, or $TDM_DATA_DIR)")
    common.add_argument("--domains-dir", action="append", metavar="DIR", help="extra folder of domain packs (repeatable)")

    m = sub.add_parser("mine", parents=[common], help="run the six steps on a source")
    m.add_argument("source", help="the 012.txt-style text file")
    m.add_argument("--domain", action="append", metavar="D", help="a domain to mine (repeatable)")
    m.add_argument("--all-domains", action="store_true", help="mine every domain (the default without --domain)")
    m.add_argument("--out", metavar="DIR", help="dataset folder (default: DATA_DIR/training_datasets)")
    m.add_argument("--min-quality", type=float, default=0.85, metavar="Q", help="keep examples scoring >= Q (default 0.85)")
    m.add_argument("--min-examples", type=int, default=50, metavar="N", help="examples a dataset should reach (default 50)")
    m.add_argument("--replace", action="store_true",
                   help="write a dataset short of --min-examples even over one already there (by default "
                        "that one is kept and mine exits 1)")
    m.add_argument("--pattern-type", choices=["numeric_examples", "decision_trees", "rationale_chains"],
                   help="kind of example to favour")
    m.add_argument("--pattern-regex", metavar="REGEX", help="an extra pattern for this run")
    m.add_argument("--context", type=int, default=5, metavar="N", help="context lines around a match (default 5)")
    m.add_argument("--semantic", action=argparse.BooleanOptionalAction, default=True,
                   help="add semantic matches for lines the regexes missed (default: on)")
    m.add_argument("--jobs", "-j", type=_at_least_one, metavar="N",
                   help="processes to mine domains in parallel (default: the CPU count)")
    m.add_argument("--execution-id", metavar="ID",
                   help="name a new execution, or resume one (with the same, unchanged source)")
    m.add_argument("--metrics-dir", metavar="DIR", help="fidelity metrics folder (default: DATA_DIR/metrics)")
    m.add_argument("--learning-store", metavar="FILE", help="learning_feedback JSONL store")
    m.add_argument("--export", action="append", choices=["messages", "alpaca", "sharegpt", "gemma"],
                   help="also write JSONL exports in this format (repeatable)")
    m.add_argument("--validation-share", type=float, metavar="S", help="held-out share (default 0.2)")
    m.add_argument("--next-skill-command", metavar="TEMPLATE",
                   help="the next skill's command, with {domain} and {dataset} (default: the seed's)")
    m.add_argument("--json", action="store_true", help="print the Expected Patterns Summary as JSON")
    m.add_argument("--progress", action="store_true", help="progress on stderr even for short files")
    m.add_argument("-q", "--quiet", action="store_true")
    add_holo_index_options(m)
    m.set_defaults(func=cmd_mine)

    v = sub.add_parser("validate", help="check datasets against the Gemma trainer's input contract")
    v.add_argument("dataset", nargs="+")
    v.set_defaults(func=cmd_validate)

    e = sub.add_parser("export", help="write JSONL exports, LLaMA-Factory entries and a dataset card")
    e.add_argument("dataset", nargs="+")
    e.add_argument("--format", action="append", required=True, choices=["messages", "alpaca", "sharegpt", "gemma"],
                   help="record shape (repeatable)")
    e.add_argument("--out", metavar="DIR", help="exports folder (default: the dataset's folder/exports)")
    e.add_argument("--merge", action="store_true",
                   help="write the datasets as one, in DIR/merged/: a train and a validation file per format "
                        "with a domain column, one dataset_info.json and one card")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_export)

    h = sub.add_parser("handoff", parents=[common], help=(
        "write handoff.json: training order and what each domain needs; exits 1 if a dataset is empty or short"))
    h.add_argument("--domain", action="append", metavar="D", help="only these domains in the output")
    h.add_argument("--out", metavar="DIR", help="dataset folder (default: DATA_DIR/training_datasets)")
    h.add_argument("--next-skill-command", metavar="TEMPLATE")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_handoff)

    d = sub.add_parser("domains", parents=[common], help="list the domain packs")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=cmd_domains)

    s = sub.add_parser("serve", parents=[common], help="run the MCP server (stdio, or streamable HTTP with --http)")
    s.add_argument("--root", action="append", metavar="DIR",
                   help="a folder sources may be read from (repeatable; default: DATA_DIR and the working directory)")
    s.add_argument("--http", action="store_true", help="serve streamable HTTP at http://HOST:PORT/mcp instead of stdio")
    s.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default 127.0.0.1)")
    s.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    s.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host (use with --auth-token)")
    s.add_argument("--auth-token", metavar="TOKEN",
                   help="require 'Authorization: Bearer TOKEN' on HTTP requests (or $TDM_AUTH_TOKEN)")
    s.add_argument("--allowed-host", action="append", metavar="HOST",
                   help="another Host/Origin name clients use to reach the server (repeatable)")
    add_holo_index_options(s)
    s.add_argument("--max-request-bytes", type=int, default=1 << 20, metavar="N",
                   help="largest HTTP request body accepted (default 1 MiB)")
    from training_data_miner.server import http_security as hs  # standard library only: cheap for `mine`

    s.add_argument("--max-sessions", type=_at_least_one, default=hs.MAX_SESSIONS, metavar="N",
                   help=f"most HTTP sessions open at once (default {hs.MAX_SESSIONS}); "
                        "one more ends the one idle the longest")
    s.add_argument("--max-sessions-per-client", type=_at_least_one, default=hs.MAX_SESSIONS_PER_CLIENT, metavar="N",
                   help=f"most HTTP sessions open at once from one client address "
                        f"(default {hs.MAX_SESSIONS_PER_CLIENT}); likewise")
    s.add_argument("--session-idle-timeout", type=_seconds, default=hs.SESSION_IDLE_TIMEOUT_S, metavar="S",
                   help=f"end an HTTP session after S seconds without a request in flight "
                        f"(default {hs.SESSION_IDLE_TIMEOUT_S:.0f})")
    s.set_defaults(func=cmd_serve)
    return parser


GC_ABOVE_BYTES = 64 << 20


def started(collect: bool = True) -> None:
    """Start-up is over: its objects move to the permanent generation; collection resumes unless
    `collect` is False."""
    gc.freeze()
    if collect:
        gc.enable()


def main(argv: list[str] | None = None) -> int:
    # Start-up builds many long-lived objects (the MCP SDK's and our pydantic schemas, compiled
    # patterns); collecting garbage meanwhile finds none and costs ~10% of it. `started()` turns
    # collection back on once they exist.
    gc.disable()
    args = build_parser().parse_args(argv)
    if args.func not in (cmd_mine, cmd_serve):
        started()
    configure_logging(args.log_level)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a folder that cannot be written, a disk that is full: say which
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}; check the path and its permissions (--data-dir, --out)")


def run() -> None:
    """The console script and `python -m training_data_miner.server`: `main()`, then exit without tearing the
    interpreter down. Finalisation frees a run's objects one by one (~20 ms after a mine of
    100,000 lines) and does nothing else for us: every file is closed by then, the workers have
    been waited for, and the standard streams are flushed here."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`), a closed stream
            pass
    os._exit(code)


if __name__ == "__main__":
    run()
