#!/usr/bin/env bash
# bench/cluster/run.sh - the scale check of issue 6 (a benchmark, not a
# test): a 3-node cluster on this machine (sp1..sp3 on 127.0.0.11-13, one
# private redis-server), P provisioned subscribers, R of them registered,
# C concurrent calls; prints memory per node, per live subscriber actor and
# binding, per call, Redis memory per binding, and the replication lag of
# provisioning.
#
#   bench/cluster/run.sh [--build DIR] [--provisioned P] [--registered R]
#                        [--calls C] [--hold S] [--layout all|carrier]
#
# Defaults: --build build (Release), P=100000, R=10000, C=1000, hold 40 s,
# layout all. REGISTERs and calls enter through sp1; REGISTERs are
# forwarded to each AoR's owner. Layout `all`: every node has every role
# and calls stay on sp1, the node that took the INVITE. Layout `carrier`:
# sp1 is [lb, db, mgmt] (SIP edge and media relay), sp2 and sp3 are
# [proxy, mgmt] without a SIP interface and run the subscriber and call
# actors. The work dir (node logs, samples, SIPp output) is kept and
# printed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${SB_SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}
BUILD=build P=100000 R=10000 C=1000 HOLD=40 LAYOUT=all
while (($#)); do
  case $1 in
  --build) BUILD=$2; shift 2 ;;
  --provisioned) P=$2; shift 2 ;;
  --registered) R=$2; shift 2 ;;
  --calls) C=$2; shift 2 ;;
  --hold) HOLD=$2; shift 2 ;;
  --layout) LAYOUT=$2; shift 2 ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
  esac
done
((R + C <= P)) || { echo "need registered + calls <= provisioned" >&2; exit 2; }
[[ $LAYOUT == all || $LAYOUT == carrier ]] || { echo "--layout all|carrier" >&2; exit 2; }
export SB_SOURCE_DIR=$REPO SB_BIN_DIR=$REPO/$BUILD/bin KEEP_WORK=1
# shellcheck source=../../tests/integration/cluster_lib.sh
source "$REPO/tests/integration/cluster_lib.sh"
say() { echo "bench-cluster: $*" >&2; }
DOMAIN=scale.example

start_private_redis
BASE="$WORK/cluster"
if [[ $LAYOUT == carrier ]]; then
  mkdir -p "$BASE"
  {
    echo "hosts:"
    printf '  sp1:\n    role: [lb, db, mgmt]\n    status: online\n    interfaces: [lo]\n'
    printf '    lo:\n      ip: 127.0.0.11\n      type: [sip_ext, rtp_ext, api_int, ha_int]\n'
    for k in 2 3; do
      printf '  sp%s:\n    role: [proxy, mgmt]\n    status: online\n    interfaces: [lo]\n' "$k"
      printf '    lo:\n      ip: 127.0.0.1%s\n      type: [api_int, ha_int]\n' "$k"
    done
  } >"$BASE/network.yml"
fi
make_cluster_conf "$BASE" 3 "$LOAD_WHITELIST_YML
rtpproxy:
  rtp_timeout: 600
logging:
  level: warn"
start_cluster "$BASE" 1 2 3
for p in sp2 sp3; do wait_state 1 "$p" alive 15 >/dev/null; done

rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
rss_all() { local k; for k in 1 2 3; do printf '%s ' "$(rss_kb "${NODE_PIDS[$k]}")"; done; }
redis_mem() { redis-cli -p "$REDIS_PORT" info memory | awk -F: '/^used_memory:/ { print $2+0 }'; }
mem0=($(rss_all))
say "3 nodes up; RSS (kB) ${mem0[*]}"

# --- provisioning through sp1's API; lag sampled on sp2 and sp3 ----------
users="$WORK/users.csv"
for i in $(seq 1 "$P"); do printf 'b%06d,%s,pw%06d\n' "$i" "$DOMAIN" "$i"; done >"$users"
(
  max_delay=0 max_entries=0
  while :; do
    for k in 2 3; do
      d=$(metric_at "$k" sb_provisioning_apply_delay_seconds || echo 0)
      e=$(metric_at "$k" sb_provisioning_lag_entries || echo 0)
      max_delay=$(python3 -c "print(max($max_delay, ${d:-0}))")
      max_entries=$(python3 -c "print(int(max($max_entries, ${e:-0})))")
    done
    echo "$max_delay $max_entries" >"$WORK/lag.max"
    sleep 1
  done
) &
LAG_PID=$!
PIDS+=("$LAG_PID")
t0=$(date +%s.%N)
python3 "$REPO/bench/register/provision.py" --host 127.0.0.11 \
  --port "$CLUSTER_MGMT_PORT" --users "$users" --threads 4 >"$WORK/provision.out"
for k in 2 3; do
  for _ in $(seq 1 600); do
    [[ "$(metric_at "$k" sb_provisioning_lag_entries)" == 0 ]] && break
    sleep 1
  done
done
t1=$(date +%s.%N)
kill "$LAG_PID" 2>/dev/null || true
read -r lag_delay lag_entries <"$WORK/lag.max"
mem1=($(rss_all))
say "$P provisioned in $(python3 -c "print(round($t1-$t0,1))") s ($(tail -1 "$WORK/provision.out")); RSS ${mem1[*]}"

# --- registrations through sp1 -------------------------------------------
SIP1="127.0.0.11:$CLUSTER_SIP_PORT"
UAS_PORT=$(free_port)
sipp_bg uas -sf "$SHARED/scenarios/call-uas.xml" -i 127.0.0.2 -p "$UAS_PORT" \
  -l $((C * 2)) -mp $(free_media_port)
{
  echo SEQUENTIAL
  for i in $(seq 1 "$R"); do
    printf 'b%06d;%s;pw%06d;[authentication username=b%06d password=pw%06d]\n' \
      "$i" "$DOMAIN" "$i" "$i" "$i"
  done
} >"$WORK/regs.inf"
redis0=$(redis_mem)
sipp_bg register "$SIP1" -sf "$SB_SOURCE_DIR/tests/integration/sip/register.xml" \
  -inf "$WORK/regs.inf" -i 127.0.0.4 -p "$(free_port)" -m "$R" -r 500 -l 2000 \
  -key expires 3600 -key contact_hp "127.0.0.2:$UAS_PORT" -recv_timeout 10000 \
  -timeout 300s
wait "$SIPP_PID" || true
registered=$(successes register)
sleep 2
mem2=($(rss_all))
redis1=$(redis_mem)
actors=$(view 1 | jq -r '[.members[].actors] | map(tostring) | join(" ")')
say "$registered of $R registered; RSS ${mem2[*]}; live actors per node $actors"

# --- concurrent calls through sp1 ----------------------------------------
{
  echo SEQUENTIAL
  for i in $(seq 1 "$C"); do
    c=$((R + i))
    printf 'b%06d;%s;pw%06d;[authentication username=b%06d password=pw%06d];b%06d\n' \
      "$c" "$DOMAIN" "$c" "$c" "$c" "$i"
  done
} >"$WORK/calls.inf"
rate=$(( C / 10 > 0 ? C / 10 : 1 ))
sipp_bg calls "$SIP1" -sf "$SHARED/scenarios/call-uac.xml" -inf "$WORK/calls.inf" \
  -i 127.0.0.3 -p "$(free_port)" -m "$C" -r "$rate" -l "$C" -d $((HOLD * 1000)) \
  -recv_timeout 30000 -timeout $((HOLD + 120))s
CALLS_PID=$SIPP_PID
peak=0 mem3=()
for _ in $(seq 1 $((HOLD + 20))); do
  a=0
  for k in 1 2 3; do
    n=$(metric_at "$k" sb_calls_active || echo 0)
    a=$((a + ${n%.*}))
  done
  if ((a > peak)); then peak=$a; mem3=($(rss_all)); fi
  ((a >= C)) && break
  sleep 1
done
wait "$CALLS_PID" || true
calls_ok=$(successes calls)
# Every call's CDR reaches the db node (sp1) through the cluster's CDR log.
t2=$(date +%s.%N) cdrs=0
for _ in $(seq 1 300); do
  cdrs=$(count_at 127.0.0.11 "/api/cdrs/?rows=1")
  ((cdrs >= calls_ok)) && break
  sleep 0.1
done
t3=$(date +%s.%N)
say "$cdrs CDRs on sp1 (db) for $calls_ok completed calls, $(python3 -c "print(round($t3-$t2,1))") s after the last call ended"

python3 - "$P" "$R" "$registered" "$C" "$peak" "$calls_ok" "$lag_delay" \
  "$lag_entries" "$redis0" "$redis1" "${mem0[*]}" "${mem1[*]}" "${mem2[*]}" \
  "${mem3[*]:-${mem2[*]}}" "$actors" "$LAYOUT" <<'PY'
import sys
P, R, reg, C, peak, ok = map(int, sys.argv[1:7])
lag_s, lag_n = float(sys.argv[7]), int(float(sys.argv[8]))
r0, r1 = int(sys.argv[9]), int(sys.argv[10])
m = [list(map(int, a.split())) for a in sys.argv[11:15]]
actors = list(map(int, sys.argv[15].split()))
mb = lambda kb: f"{kb / 1024:.1f} MB"
layout = sys.argv[16]
print(f"cluster scale check ({layout} layout): 3 nodes, {P} provisioned, {reg}/{R} registered, "
      f"{peak} concurrent calls (of {C}; {ok} completed)")
for k in range(3):
    print(f"  sp{k+1}: RSS start {mb(m[0][k])}, provisioned {mb(m[1][k])}, "
          f"registered {mb(m[2][k])}, calls up {mb(m[3][k])}; live actors {actors[k]}")
prov = sum(m[1]) - sum(m[0])
print(f"  provisioning: {prov / 3 / P * 1024:.0f} bytes per subscriber per node "
      f"(RocksDB memtables and caches included)")
per = (sum(m[2]) - sum(m[1])) * 1024 / max(reg, 1)
print(f"  per registered subscriber (live actor + binding, all nodes): {per:.0f} bytes")
print(f"  Redis per binding: {(r1 - r0) / max(reg, 1):.0f} bytes")
if peak:
    # RSS growth while the calls were up, per call up (all of them ran on
    # sp1 in the `all` layout; on the proxies, their media on sp1, in
    # `carrier`).
    grow = [(m[3][k] - m[2][k]) / peak for k in range(3)]
    print("  per concurrent call: " +
          ", ".join(f"sp{k+1} {grow[k]:.1f} KB" for k in range(3)) +
          f"; all nodes {sum(grow):.1f} KB")
print(f"  provisioning replication lag: max {lag_s * 1000:.0f} ms from an API "
      f"write on sp1 to its application on sp2/sp3, max {lag_n} entries behind")
PY
say "work dir: $WORK"
