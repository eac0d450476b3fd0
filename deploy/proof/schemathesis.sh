#!/usr/bin/env bash
# Schemathesis (https://schemathesis.io) against a live `loaxa serve`: a temporary station
# (temp data folder, null audio output, a free local port), an admin and an approver with API
# tokens, then every operation of /api/v1/openapi.json fuzzed with all of schemathesis's checks.
# The admin's token covers every operation but approve/reject (approvers only), which get a
# second run with the approver's token. The server is stopped and the station removed at the end.
#
#   deploy/proof/schemathesis.sh                 # 50 examples per operation, seed 1
#   MAX_EXAMPLES=200 SEED=7 deploy/proof/schemathesis.sh
#   BIN=target/release/loaxa deploy/proof/schemathesis.sh
#
# Needs python3 (a venv with schemathesis is made under target/proof/venv unless `schemathesis`
# is on the PATH). Reports (JUnit, NDJSON, the console output) go to target/proof/schemathesis.
# The exit code is schemathesis's: non-zero while any check fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
MAX_EXAMPLES=${MAX_EXAMPLES:-50}
SEED=${SEED:-1}
OUT=${OUT:-$ROOT/target/proof/schemathesis}

# `loaxa` takes every LOAXA_* variable as a config key: none of the caller's may leak in.
for v in $(compgen -e); do
    case $v in LOAXA_*) unset "$v" ;; esac
done

if [ -z "${BIN:-}" ]; then
    nice -n 10 cargo build --locked --bin loaxa
    BIN=$ROOT/target/debug/loaxa
fi
if command -v schemathesis >/dev/null 2>&1; then
    ST=schemathesis
else
    VENV=${VENV:-$ROOT/target/proof/venv}
    if [ ! -x "$VENV/bin/schemathesis" ]; then
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q 'schemathesis>=4,<5'
    fi
    ST=$VENV/bin/schemathesis
fi

TMP=$(mktemp -d)
PID=
cleanup() {
    if [ -n "$PID" ]; then
        kill "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE=http://127.0.0.1:$PORT/api/v1
mkdir -p "$TMP/schedules" "$TMP/playlists" "$OUT"
cat > "$TMP/loaxa.toml" <<EOF
data_dir = "$TMP/data"
[audio]
output = "null"
[web]
listen = "127.0.0.1:$PORT"
max_upload_mb = 5
[schedule]
schedules_dir = "$TMP/schedules"
playlists_dir = "$TMP/playlists"
require_time_sync = false
[emergency]
cap_areas = ["12345"]
repeat = 1
EOF
loaxa() { "$BIN" --config "$TMP/loaxa.toml" "$@"; }
echo 'mật khẩu thử nghiệm đủ dài' | loaxa user add quantri --role admin >/dev/null
echo 'mật khẩu thử nghiệm đủ dài' | loaxa user add lanhdao --role approver >/dev/null
ADMIN=$(loaxa token create --user quantri 2>/dev/null)
LEADER=$(loaxa token create --user lanhdao 2>/dev/null)
loaxa media import tests/fixtures/pcm-u8.wav --title "Bản tin mẫu" >/dev/null

# The binary itself in the background (not the shell function: its $! would be a subshell).
"$BIN" --config "$TMP/loaxa.toml" serve >"$OUT/serve.log" 2>&1 &
PID=$!
python3 - "$BASE" "$ADMIN" <<'EOF'
import json, sys, time, urllib.request, urllib.error
base, token = sys.argv[1], sys.argv[2]
for _ in range(600):
    try:
        urllib.request.urlopen(base.replace("/api/v1", "/healthz"), timeout=1)
        break
    except urllib.error.HTTPError:
        break
    except Exception:
        time.sleep(0.1)
else:
    sys.exit("loaxa serve did not start")
# A submitted item, so the approver's run has something real to act on.
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=json.dumps(body).encode() if body is not None else b"",
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req))
item = call("POST", "/items", {"media_id": 1, "title": "Bản tin chờ duyệt", "category": "bulletin"})
call("POST", "/items/%d/submit" % item["id"])
EOF

run() {
    local name=$1 token=$2
    shift 2
    echo "=== schemathesis: $name ==="
    # From the report folder: schemathesis keeps its example database (.schemathesis/) in the
    # working directory, and it has no place in the source tree.
    (cd "$OUT" && NO_COLOR=1 "$ST" run "$BASE/openapi.json" \
        -H "Authorization: Bearer $token" \
        --checks all --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 \
        --report junit,ndjson --report-dir "$OUT/$name" "$@") 2>&1 | tee "$OUT/$name.txt"
    return "${PIPESTATUS[0]}"
}
status=0
run admin "$ADMIN" --exclude-path-regex '/(approve|reject)$' || status=$?
run approver "$LEADER" --include-path-regex '/(approve|reject)$' || status=$?

echo
echo "=== summary (seed $SEED, $MAX_EXAMPLES examples per operation) ==="
for name in admin approver; do
    ops=$(grep -A2 '^API Operations' "$OUT/$name.txt" | grep -o 'Tested: [0-9]*' || true)
    cases=$(grep -E '[0-9]+ generated' "$OUT/$name.txt" | sed 's/^ *//' || true)
    echo "$name: $ops; $cases"
    grep -E '^ *❌ ST[0-9]+' "$OUT/$name.txt" | sed 's/^ */    /' || true
done
echo "reports: $OUT"
exit "$status"
