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
  # TERM first: a `timeout` wrapper (sipp_bg) passes it on to its command,
  # which a KILL would orphan, still holding its ports for the next test.
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 20); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
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

# free_port [SPAN [EVEN]]: a port P such that P..P+SPAN-1 are unused right
# now on TCP and UDP (SIP listens on both); EVEN=1 makes P even.
free_port() {
  local span=${1:-1} even=${2:-0} p k busy
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    ((even)) && p=$((p & ~1))
    busy=0
    for ((k = 0; k < span; k++)); do
      [[ -z "$(ss -Htuan "sport = :$((p + k))" 2>/dev/null)" ]] || busy=1
    done
    if ((busy == 0)); then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# free_media_port: for SIPp's -mp, which binds audio RTP/RTCP at P, P+1 and
# video at P+2, P+3.
free_media_port() { free_port 4 1; }

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

# Clients (curl, SIPp) run in the network namespace CLIENT_NS when a test
# set one (tests that build their own network), else here.
curl() {
  if [[ -n "${CLIENT_NS:-}" ]]; then
    ip netns exec "$CLIENT_NS" curl "$@"
  else
    command curl "$@"
  fi
}
# client_prefix: the words that run a command where the clients run (for
# `timeout`, which cannot run a shell function).
client_prefix() {
  [[ -z "${CLIENT_NS:-}" ]] || echo "ip netns exec $CLIENT_NS"
}

# http_to HOST:PORT METHOD PATH [curl args...]: prints "<status> <body>".
http_to() {
  local hp=$1 method=$2 path=$3
  shift 3
  curl -sk -m 5 -o "$WORK/body" -w '%{http_code}' -X "$method" \
    "https://$hp$path" "$@" || true
  printf ' '
  cat "$WORK/body" 2>/dev/null || true
}
# http METHOD PATH [curl args...]: the node of make_conf.
http() { http_to "127.0.0.1:$MGMT_PORT" "$@"; }

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

# start_private_redis: a redis-server on REDIS_HOST (default 127.0.0.1)
# at a free port (or REDIS_PORT), no persistence, where the clients run;
# sets REDIS_PORT and REDIS_PID. Protected mode is off: the address is a
# test's own (loopback or a namespace's).
start_private_redis() {
  local host=${REDIS_HOST:-127.0.0.1}
  REDIS_PORT=${REDIS_PORT:-$(free_port)}
  # shellcheck disable=SC2046
  $(client_prefix) redis-server --bind "$host" --port "$REDIS_PORT" --save "" \
    --protected-mode no --appendonly no --dir "$WORK" >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  for _ in $(seq 1 50); do
    # shellcheck disable=SC2046
    $(client_prefix) redis-cli -h "$host" -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "redis-server did not start"
}

# node_ip K: spK's own address: 127.0.0.1K, or NODE_NET.K when the nodes
# run in network namespaces (netns_lab).
node_ip() {
  if [[ -n "${NODE_NET:-}" ]]; then echo "$NODE_NET.$1"; else echo "127.0.0.1$1"; fi
}

# make_cluster_conf BASE N [YAML]: a cluster of N nodes sp1..spN on
# 127.0.0.1N (each with every role but db on sp1 only), sharing the Redis
# at REDIS_HOST (default 127.0.0.1):REDIS_PORT; one configuration
# directory per node, BASE/spK, each with its data dir and YAML appended to
# its config.local.yml. A BASE/network.yml written before is kept (a test
# with its own addresses). Sets CLUSTER_MGMT_PORT, CLUSTER_SIP_PORT.
make_cluster_conf() {
  local base=$1 n=$2 extra=${3:-} k
  CLUSTER_MGMT_PORT=$(free_port)
  CLUSTER_SIP_PORT=$(free_port)
  local cport
  cport=$(free_port)
  mkdir -p "$base"
  [[ -f "$base/network.yml" ]] || {
    echo "hosts:"
    for k in $(seq 1 "$n"); do
      local roles="[lb, proxy, mgmt]"
      [[ $k == 1 ]] && roles="[lb, proxy, db, mgmt]"
      cat <<YML
  sp$k:
    role: $roles
    status: online
    interfaces: [lo]
    lo:
      ip: 127.0.0.1$k
      type: [sip_ext, rtp_ext, api_int, ha_int]
YML
    done
  } >"$base/network.yml"
  for k in $(seq 1 "$n"); do
    local dir="$base/sp$k"
    mkdir -p "$dir"
    cp "$SB_SOURCE_DIR"/conf/{config,constants}.yml "$dir"/
    cp "$base/network.yml" "$dir/network.yml"
    cat >"$dir/config.local.yml" <<YML
general:
  data_dir: data
mgmt:
  port: $CLUSTER_MGMT_PORT
  drain_timeout_ms: 3000
sip:
  port: $CLUSTER_SIP_PORT
cluster:
  enable: true
  port: $cport
provisioning:
  log_backend: redis
redis:
  host: ${REDIS_HOST:-127.0.0.1}
  port: $REDIS_PORT
  connect_timeout_ms: 500
  command_timeout_ms: 300
$extra
YML
  done
}

# The extra configuration of cluster tests with SIPp load from 127.0.0.x.
LOAD_WHITELIST_YML='security:
  dos_whitelist_ip: [127.0.0.0/8]'

# start_cluster BASE K...: starts those nodes, waits until each is ready.
start_cluster() {
  local base=$1 k
  shift
  for k in "$@"; do start_cluster_node "$base" "$k" "$WORK/sp$k.log"; done
  for k in "$@"; do wait_ready_at "$(node_ip "$k")" "${NODE_PIDS[$k]}"; done
}

# start_cluster_node BASE K LOG [ARGS...]: starts spK (in the network
# namespace NODE_NS_PREFIX<K> when that is set); sets NODE_PID and
# NODE_PIDS[K].
declare -A NODE_PIDS=()
start_cluster_node() {
  local base=$1 k=$2 log=$3 ns=()
  shift 3
  [[ -z "${NODE_NS_PREFIX:-}" ]] || ns=(ip netns exec "$NODE_NS_PREFIX$k")
  "${ns[@]}" "$SBNODE" --config-dir "$base/sp$k" --node "sp$k" "$@" >"$log" 2>&1 &
  NODE_PID=$!
  NODE_PIDS[$k]=$NODE_PID
  PIDS+=("$NODE_PID")
}

# http_at IP METHOD PATH [curl args...]: a cluster node's management
# listener (CLUSTER_MGMT_PORT on its own address).
http_at() { http_to "$1:$CLUSTER_MGMT_PORT" "${@:2}"; }

# wait_ready_at IP PID: until that node's /readyz answers 200 (30 s).
wait_ready_at() {
  local ip=$1 pid=$2
  for _ in $(seq 1 150); do
    if [[ "$(http_at "$ip" GET /readyz)" == 200* ]]; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then fail "node at $ip exited early"; fi
    sleep 0.2
  done
  fail "node at $ip not ready within 30 s"
}
