#!/usr/bin/env bash
# A third-party client against the MCP server: the MCP Inspector CLI (npm) lists tools, resources,
# resource templates and prompts, runs mine_domain on the sample and reads the dataset back, over
# stdio and over streamable HTTP. Fails on any error, including a tool result with isError.
#
#   .ci/inspector.sh            # from anywhere; needs node, npx, and the project's venv (2.12.0
#                               # declares node >= 22.19; it passes on node 20.20 too)
#   INSPECTOR=@modelcontextprotocol/inspector@0.15.0 .ci/inspector.sh   # another version
set -euo pipefail

cd "$(dirname "$0")/.."
INSPECTOR="${INSPECTOR:-@modelcontextprotocol/inspector@2.12.0}"
PY="${PYTHON:-$PWD/.venv/bin/python}"
SAMPLE=data/sample/012_sample.txt
WORK="$(mktemp -d)"
HTTP_PID=""
cleanup() {
  if [ -n "$HTTP_PID" ]; then kill "$HTTP_PID" 2>/dev/null || true; wait "$HTTP_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# inspect TARGET... -- ARGS...: one Inspector CLI call; its JSON result goes to $WORK/out.json.
# With TOOL_ERROR=1 a non-zero exit is accepted (newer Inspectors exit 5 on an isError result).
inspect() {
  local target=() rc=0; while [ "$1" != "--" ]; do target+=("$1"); shift; done; shift
  npx -y "$INSPECTOR" --cli "${target[@]}" "$@" >"$WORK/out.json" 2>"$WORK/err.txt" || rc=$?
  if [ "$rc" -ne 0 ] && [ "${TOOL_ERROR:-0}" != 1 ]; then
    echo "FAIL: inspector ${*} (exit $rc)" >&2; cat "$WORK/err.txt" "$WORK/out.json" >&2; exit 1
  fi
}

# expect NAME PYTHON-EXPRESSION: the expression, over the last result as `r`, must be true.
expect() {
  if ! "$PY" - "$WORK/out.json" "$2" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
if not eval(sys.argv[2], {"r": r, "json": json}):
    sys.exit(json.dumps(r, indent=1)[:3000])
EOF
  then echo "FAIL: $1" >&2; exit 1; fi
  echo "ok: $1"
}

TOOLS='["load_source", "identify_domain_patterns", "extract_examples", "filter_quality", "generate_pattern_summary", "write_training_dataset", "mine_domain", "handoff_to_next_skill", "semantic_search", "list_domains"]'

check_server() {  # check_server LABEL TARGET...
  local label="$1"; shift
  inspect "$@" -- --method tools/list
  expect "$label tools/list" "[t['name'] for t in r['tools']] == $TOOLS"
  inspect "$@" -- --method resources/list
  expect "$label resources/list" "{x['uri'] for x in r['resources']} >= {'metrics://fidelity', 'domains://all'}"
  inspect "$@" -- --method resources/templates/list
  expect "$label resources/templates/list" "{'source://{+path}{?start,end,section,offset}', 'execution://{execution_id}/outline{?offset,limit}'} <= {t['uriTemplate'] for t in r['resourceTemplates']}"
  inspect "$@" -- --method prompts/list
  expect "$label prompts/list" "[p['name'] for p in r['prompts']] == ['mine_six_steps']"
  inspect "$@" -- --method tools/call --tool-name mine_domain --tool-arg "source_path=$SAMPLE" --tool-arg domain=mps_scoring
  expect "$label mine_domain" "not r.get('isError') and r['structuredContent']['summaries'][0]['pattern_fidelity'] == 1.0"
  inspect "$@" -- --method resources/read --uri dataset://mps_scoring/training_data
  expect "$label dataset resource" "json.loads(r['contents'][0]['text'])['total_examples'] > 0"
  inspect "$@" -- --method resources/read --uri executions://recent
  local eid; eid="$("$PY" -c 'import json, sys; print(json.loads(json.load(open(sys.argv[1]))["contents"][0]["text"])["items"][0]["execution_id"])' "$WORK/out.json")"
  inspect "$@" -- --method resources/read --uri "execution://$eid/outline"
  expect "$label outline resource" "json.loads(r['contents'][0]['text'])['total'] > 0"
  inspect "$@" -- --method resources/read --uri "source://$SAMPLE?section=1"
  expect "$label source section" "json.loads(r['contents'][0]['text'])['next_section_uri'].startswith('source://')"
  TOOL_ERROR=1 inspect "$@" -- --method tools/call --tool-name extract_examples --tool-arg execution_id=exec_nope --tool-arg domain=mps_scoring
  expect "$label tool error" "r.get('isError') is True and 'call load_source first' in r['content'][0]['text']"
}

# stdio: the Inspector starts the server itself, once per call; the executions persist in the data dir.
check_server stdio "$PY" -m training_data_miner.server serve --data-dir "$WORK/stdio-data"

# streamable HTTP on a free port.
PORT="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$PY" -m training_data_miner.server serve --http --port "$PORT" --data-dir "$WORK/http-data" 2>"$WORK/http.log" &
HTTP_PID=$!
for _ in $(seq 100); do
  "$PY" -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 0.2)" 2>/dev/null && break
  kill -0 "$HTTP_PID" 2>/dev/null || { echo "FAIL: http server exited" >&2; cat "$WORK/http.log" >&2; exit 1; }
  sleep 0.1
done
check_server http "http://127.0.0.1:$PORT/mcp" --transport http

echo "inspector: all checks passed ($INSPECTOR)"
