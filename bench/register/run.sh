#!/usr/bin/env bash
# bench/register/run.sh - REGISTER (digest) benchmark of sbnode, side by side
# with the reference Kamailio, plus memory per subscriber and per binding.
#
#   bench/register/run.sh [--build DIR] [--users N] [--rates LIST]
#                         [--duration S] [--sip-port P] [--no-kamailio]
#
# Options (defaults in brackets):
#   --build DIR      build directory; the node is DIR/bin/sbnode. Use the
#                    Release build of `make build`                    [build]
#   --users N        subscribers provisioned and registered          [10000]
#   --rates LIST     registrations/s, stepped; stops at the first failing
#                    rate                              [1000,2000,4000,8000]
#   --duration S     seconds of load per rate                            [20]
#   --sip-port P     UDP/TCP port of the node's SIP listener       [a free one]
#   --settle S       seconds to wait after the load before the last memory
#                    sample (UDP server transactions linger 32 s)        [35]
#   --no-kamailio    do not run the reference Kamailio (anchor)
#
# Steps: a private config dir and data dir under a mktemp -d work dir; sbnode
# started there (no --demo); N subscribers provisioned through the REST API
# (provision.py); ../shared/bench/compare.sh drives REGISTER + digest through
# Kamailio (127.0.0.1:5060) and then through the node; RSS and bindings are
# sampled before and after. Everything started here is stopped by PID on exit.
# The work dir (node log, compare output, results CSV) is kept and printed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${SB_SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}

BUILD=build USERS=10000 RATES=1000,2000,4000,8000 DURATION=20 SIP_PORT="" SETTLE=35 KAMAILIO=1
die() { echo "bench-register: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --sip-port) SIP_PORT=$2; shift 2 ;;
    --settle) SETTLE=$2; shift 2 ;;
    --no-kamailio) KAMAILIO=0; shift ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[[ "$BUILD" == /* ]] || BUILD="$REPO/$BUILD"
SBNODE="$BUILD/bin/sbnode"
[[ -x "$SBNODE" ]] || die "$SBNODE not found: run \`make build\` (Release) or pass --build DIR"
[[ -d "$SHARED" && -x "$SHARED/compare.sh" ]] || die "shared bench harness not found at $SHARED (set SB_SHARED_BENCH)"
[[ "$USERS" =~ ^[0-9]+$ && "$USERS" -ge 2 ]] || die "--users must be >= 2"
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 ]] || die "--duration must be a positive number"
[[ "$SETTLE" =~ ^[0-9]+$ ]] || die "--settle must be a number of seconds"
[[ "$RATES" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--rates must be a comma separated list of numbers"
for tool in sipp python3 curl ss; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install sip-tester python3 curl iproute2)"
done
if [[ $KAMAILIO -eq 1 ]] && ! command -v kamailio >/dev/null; then
  die "kamailio not found: install the reference with \`apt-get install kamailio\`, or run with --no-kamailio"
fi
# shellcheck source=/dev/null
. "$SHARED/lib/proc.sh"

# Ports the shared harness uses: 5060 anchor, 5070 contact, 5071 SIPp, 5072.
port_busy() { [[ -n "$(ss -Htuan "sport = :$1" 2>/dev/null)" ]]; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 40000 ))
    port_busy "$p" || { echo "$p"; return 0; }
  done
  return 1
}
if port_busy 5071; then die "port 5071 (SIPp) is in use"; fi
if [[ $KAMAILIO -eq 1 ]] && port_busy 5060; then die "port 5060 (reference Kamailio) is in use"; fi
MGMT_PORT=$(free_port)
if [[ -z "$SIP_PORT" ]]; then SIP_PORT=$(free_port); fi
case "$SIP_PORT" in 5060|5070|5071|5072) die "--sip-port $SIP_PORT collides with the shared harness (5060, 5070-5072)" ;; esac
port_busy "$SIP_PORT" && die "--sip-port $SIP_PORT is in use"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-register.XXXXXX")
CONF="$WORK/conf"
NODE_PID="" CMP_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tree "$CMP_PID" 150
  stop_tree "$NODE_PID" 100
  echo "# work dir kept: $WORK (node.log, compare.out, results.csv)"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$CONF"
cp "$REPO"/conf/{config,constants,network}.yml "$CONF"/
cat > "$CONF/config.local.yml" <<YML
general:
  data_dir: data
mgmt:
  port: $MGMT_PORT
sip:
  port: $SIP_PORT
security:
  dos_ban_enable: false
  failed_auth_ban_enable: false
YML

source "$HERE/../lib/node_api.sh"

echo "# bench-register: sbnode=$SBNODE users=$USERS rates=$RATES duration=${DURATION}s" \
     "sip=udp:127.0.0.1:$SIP_PORT mgmt=$MGMT_PORT kamailio=$([[ $KAMAILIO -eq 1 ]] && echo yes || echo no)" \
     "cpus=$(nproc) work=$WORK"

# ------------------------------------------------------------------ node
"$SBNODE" --config-dir "$CONF" > "$WORK/node.log" 2>&1 &
NODE_PID=$!
ready=0
for _ in $(seq 1 300); do
  kill -0 "$NODE_PID" 2>/dev/null || { tail -20 "$WORK/node.log" >&2; die "sbnode exited at start"; }
  if [[ "$(curl -sk -m 2 -o /dev/null -w '%{http_code}' "$MGMT/readyz" || true)" == 200 ]]; then ready=1; break; fi
  sleep 0.2
done
[[ $ready -eq 1 ]] || { tail -20 "$WORK/node.log" >&2; die "sbnode not ready after 60 s"; }
sleep 2
RSS_BASE=$(rss_kb)
echo "# node pid=$NODE_PID ready; rss_baseline=${RSS_BASE} kB"

# ------------------------------------------------------------- provisioning
"$SHARED/gen-users.sh" -n "$USERS" -d 127.0.0.1 > "$WORK/users.csv"
python3 "$HERE/provision.py" --port "$MGMT_PORT" --users "$WORK/users.csv" --threads 4 \
  || die "provisioning failed (see $WORK/node.log)"
nsubs=$(api_total '/api/subscribers/?rows=1')
[[ "$nsubs" == "$USERS" ]] || die "API lists ${nsubs:-?} subscribers, expected $USERS"
sleep 3
RSS_IDLE=$(rss_kb)
echo "# $nsubs subscribers provisioned; rss_idle=${RSS_IDLE} kB"

# ------------------------------------------------------------------- load
cmp_args=(--target "127.0.0.1:$SIP_PORT" --server-pid "$NODE_PID" --scenario register
          --users "$WORK/users.csv" --rates "$RATES" --duration "$DURATION"
          --results "$WORK/results.csv")
if [[ $KAMAILIO -eq 0 ]]; then
  # only the node: the raw SIPp files are kept too
  cmp_args+=(--skip-anchor --out "$WORK/sipp")
fi
"$SHARED/compare.sh" "${cmp_args[@]}" > "$WORK/compare.out" 2>&1 &
CMP_PID=$!
tail -n +1 --pid="$CMP_PID" -f "$WORK/compare.out" 2>/dev/null || true
cmp_rc=0
wait "$CMP_PID" || cmp_rc=$?
CMP_PID=""
[[ $cmp_rc -eq 0 ]] || echo "# compare.sh exited with $cmp_rc"
kill -0 "$NODE_PID" 2>/dev/null || die "sbnode died during the load (see $WORK/node.log)"

RSS_LOAD=$(rss_kb)
BINDINGS_API=$(api_total '/api/subscriberregistrations/?rows=1' || true)
BINDINGS_METRIC=$(metric sb_registrar_bindings || true)
echo "# after load: rss=${RSS_LOAD} kB bindings api=${BINDINGS_API:-?} metric=${BINDINGS_METRIC:-?}"
fetch_metrics > "$WORK/metrics-after-load.txt" || true
echo "# node counters after the load (all in $WORK/metrics-after-load.txt):"
grep -E '^sb_(registrar|sip)_' "$WORK/metrics-after-load.txt" | sed 's/^/#   /' || true
if [[ "$SETTLE" -gt 0 ]]; then
  echo "# settling ${SETTLE}s (server transactions expire) ..."
  sleep "$SETTLE"
fi
RSS_SETTLED=$(rss_kb)

# ------------------------------------------------------------------ summary
python3 - "$WORK/results.csv" "$USERS" "$RSS_BASE" "$RSS_IDLE" "$RSS_LOAD" "$RSS_SETTLED" \
  "${BINDINGS_API:-0}" "${BINDINGS_METRIC:-}" <<'EOF'
import csv, os, sys
path, users, base, idle, load, settled, b_api, b_metric = sys.argv[1:9]
users, base, idle, load, settled = int(users), int(base), int(idle), int(load), int(settled)
bindings = int(b_api or 0) or int(float(b_metric or 0))
rows = list(csv.DictReader(open(path))) if os.path.exists(path) else []
by = {}
for r in rows:
    by.setdefault(r["label"], {})[int(r["rate"])] = r
print()
print("== summary ==")
best = {}
for label in ("target", "kamailio"):
    if label not in by:
        continue
    name = "sbnode" if label == "target" else "kamailio"
    passing = [k for k, r in by[label].items() if r["verdict"] == "PASS"]
    tried = max(by[label])
    if not passing:
        print(f"{name}: no passing rate (tried up to {tried}/s)")
        continue
    m = max(passing)
    r = by[label][m]
    best[label] = r
    bound = " (= highest rate tried: the real limit may be higher)" if m == tried else ""
    print(f"{name}: max_pass_rate={m}/s{bound} cpu_ms_per_reg={r['server_cpu_ms_per_op']} "
          f"p99_ms={r['rt_p99_ms']} p50_ms={r['rt_p50_ms']} server_cpu={r['server_cpu_pct']}% "
          f"ok={r['ok']} failed={r['failed']} retrans={r['retrans']}")
if "target" in best and "kamailio" in best:
    t, k = best["target"], best["kamailio"]
    print(f"ratio sbnode/kamailio: max_rate x{int(t['rate']) / int(k['rate']):.2f} (higher is better), "
          f"cpu_ms_per_reg x{float(t['server_cpu_ms_per_op']) / float(k['server_cpu_ms_per_op']):.2f} "
          f"at each one's max passing rate (lower is better; compare.sh's table above has the "
          f"ratio at the highest common rate)")
idle_b = (idle - base) * 1024 / users
bind_b = (load - idle) * 1024 / bindings if bindings else float("nan")
bind_s = (settled - idle) * 1024 / bindings if bindings else float("nan")
print(f"rss_kb: baseline={base} after_provisioning={idle} after_load={load} settled={settled}")
print(f"memory: idle_subscriber_bytes={idle_b:.0f} (RSS delta over {users} provisioned / {users}) "
      f"binding_bytes={bind_b:.0f} (RSS delta after registration / {bindings} bindings; "
      f"{bind_s:.0f} after settling)")
EOF

# ------------------------------------------------------------ node log check
nwarn=$(grep -ciE '\b(warn|warning)\b' "$WORK/node.log" || true)
nerr=$(grep -ciE '\b(error|err|critical|fatal)\b' "$WORK/node.log" || true)
echo "node log: warnings=$nwarn errors=$nerr ($WORK/node.log)"
grep -iE '\b(warn|warning|error|err|critical|fatal)\b' "$WORK/node.log" \
  | sed -E 's/^[0-9][0-9T:.+-]* +//' | cut -c1-200 | sort | uniq -c | sort -rn | head -10 || true
