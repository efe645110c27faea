# Shared helpers of the shell integration tests: a private configuration
# directory, free loopback ports, nodes started and stopped by PID.
# Sourced, not run. Every wait is bounded.

set -euo pipefail

: "${SB_SOURCE_DIR:?}" "${SB_BIN_DIR:?}"
SBNODE="$SB_BIN_DIR/sbnode"
SBCTL="$SB_BIN_DIR/sbctl"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sb-it-XXXXXX")
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ "${KEEP_WORK:-}" != 1 ]]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  for f in "$WORK"/*.log; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
  done
  exit 1
}

pass() { echo "ok: $*"; }

# A port on 127.0.0.1 that nothing uses right now, on TCP or UDP (SIP
# listens on both).
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    if [[ -z "$(ss -Htuan "sport = :$p" 2>/dev/null)" ]]; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# make_conf DIR: the repository's conf/ with a private data dir and port.
make_conf() {
  local dir=$1
  mkdir -p "$dir"
  cp "$SB_SOURCE_DIR"/conf/{config,constants,network}.yml "$dir"/
  MGMT_PORT=$(free_port)
  SIP_PORT=$(free_port)
  cat > "$dir/config.local.yml" <<YML
general:
  data_dir: data
mgmt:
  port: $MGMT_PORT
  drain_timeout_ms: 3000
sip:
  port: $SIP_PORT
YML
}

# start_node DIR LOG [ARGS...]: starts sbnode in the background, sets
# NODE_PID.
start_node() {
  local dir=$1 log=$2
  shift 2
  "$SBNODE" --config-dir "$dir" "$@" >"$log" 2>&1 &
  NODE_PID=$!
  PIDS+=("$NODE_PID")
}

# http METHOD PATH [curl args...]: prints "<status> <body>".
http() {
  local method=$1 path=$2
  shift 2
  curl -sk -m 5 -o "$WORK/body" -w '%{http_code}' -X "$method" \
    "https://127.0.0.1:$MGMT_PORT$path" "$@" || true
  printf ' '
  cat "$WORK/body" 2>/dev/null || true
}

# wait_ready: until /readyz answers 200 (at most 30 s).
wait_ready() {
  for _ in $(seq 1 150); do
    if [[ "$(http GET /readyz)" == 200* ]]; then return 0; fi
    if ! kill -0 "$NODE_PID" 2>/dev/null; then fail "node exited early"; fi
    sleep 0.2
  done
  fail "node not ready within 30 s"
}

# wait_exit PID SECONDS: sets EXIT_RC to the exit status of our child PID;
# fails on timeout. (Not in a subshell: only the parent can wait for it.)
wait_exit() {
  local pid=$1 secs=$2
  for _ in $(seq 1 $(( secs * 10 ))); do
    if [[ "$(ps -o stat= -p "$pid" 2>/dev/null)" == Z* ]] ||
       ! kill -0 "$pid" 2>/dev/null; then
      EXIT_RC=0
      wait "$pid" || EXIT_RC=$?
      return 0
    fi
    sleep 0.1
  done
  fail "process $pid did not exit within $secs s"
}
