#!/usr/bin/env bash
# schemathesis against the service's own OpenAPI schema: no endpoint may answer 500.
#   scripts/schemathesis_run.sh [MAX_EXAMPLES]   (default 100 per operation; a few minutes)
# Starts `catalyse serve` on a copy of the bundled corpus index (with an editor token, so the
# editor endpoints are exercised too), runs the not_a_server_error check, stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
MAX=${1:-100}
"$BIN/python" -c "import schemathesis" 2>/dev/null || "$BIN/pip" install --quiet schemathesis==4.32.5
DATA=$(mktemp -d)
PORT=${PORT:-8765}
export CATALYSE_DATA_DIR=$DATA CATALYSE_EDITOR_TOKEN=schemathesis-token CATALYSE_SEARCH_RATE=0 CATALYSE_EDITOR_RATE=0
"$BIN/catalyse" serve --port "$PORT" >"$DATA/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 1; done
"$BIN/schemathesis" run "http://127.0.0.1:$PORT/openapi.json" --checks not_a_server_error \
  --max-examples "$MAX" --header "Authorization: Bearer schemathesis-token" --workers 2 --exclude-path /api/reindex
