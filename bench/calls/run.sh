#!/usr/bin/env bash
# bench/calls/run.sh - call benchmark of sbnode's B2BUA (INVITE with digest,
# media relay set up, hold, BYE), side by side with the reference Kamailio
# (+ rtpengine), plus CPU per call and memory per active call.
#
#   bench/calls/run.sh [--build DIR] [--users N] [--rates LIST] [--duration S]
#                      [--hold MS] [--sip-port P] [--rtp-ports MIN-MAX]
#                      [--anchor-args 'ARGS'] [--no-kamailio]
#
# Options (defaults in brackets):
#   --build DIR        build directory; the node is DIR/bin/sbnode. Use the
#                      Release build                                  [build]
#   --users N          subscribers provisioned and registered; every call
#                      goes from user i to user i+N/2, so N/2 should exceed
#                      the calls in flight (rate x (hold + ~1 s))       [10000]
#   --rates LIST       calls/s, stepped; each side stops at its first
#                      failing rate                     [100,200,400,600,800]
#   --duration S       seconds of load per rate                           [20]
#   --hold MS          time between ACK and BYE (keep it below the node's
#                      rtp_timeout: no RTP flows in this scenario)      [1000]
#   --sip-port P       UDP/TCP port of the node's SIP listener    [a free one]
#   --rtp-ports A-B    the node's media relay port range (2 pairs per call)
#                                                               [20000-39999]
#   --prereg-rate R    REGISTERs/s used to register the callees          [1000]
#   --anchor-args 'A'  options for anchor-kamailio.sh
#                      ['--call-auth --with-rtpengine': 407 on INVITE and
#                      rtpengine media setup, like the node]
#   --pause S          idle seconds between two rates (0..60)             [3]
#   --no-stop          keep stepping after a failing rate
#   --no-kamailio      do not run the reference Kamailio (anchor)
#
# Steps: a private config dir and data dir under a mktemp -d work dir; sbnode
# started there (no --demo, 127.0.0.1 DoS-whitelisted); N subscribers
# provisioned through the REST API (../register/provision.py);
# ../shared/bench/compare.sh --scenario call drives the calls through
# Kamailio (127.0.0.1:5060) and then through the node (the harness registers
# every user with Contact 127.0.0.1:5070, its callee SIPp). RSS and the call /
# media gauges of the node are sampled every second. Everything started here
# is stopped by PID on exit. The work dir (node log, compare output, results
# CSV, samples) is kept and printed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${SB_SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}

BUILD=build USERS=10000 RATES=100,200,400,600,800 DURATION=20 HOLD_MS=1000 SIP_PORT=""
RTP_PORTS=20000-39999 PREREG_RATE=1000 ANCHOR_ARGS="--call-auth --with-rtpengine" KAMAILIO=1
PAUSE=3 NO_STOP=0
die() { echo "bench-calls: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --users) USERS=$2; shift 2 ;;
    --rates) RATES=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --hold) HOLD_MS=$2; shift 2 ;;
    --sip-port) SIP_PORT=$2; shift 2 ;;
    --rtp-ports) RTP_PORTS=$2; shift 2 ;;
    --prereg-rate) PREREG_RATE=$2; shift 2 ;;
    --anchor-args) ANCHOR_ARGS=$2; shift 2 ;;
    --pause) PAUSE=$2; shift 2 ;;
    --no-stop) NO_STOP=1; shift ;;
    --no-kamailio) KAMAILIO=0; shift ;;
    -h|--help) sed -n '2,38p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

[[ "$BUILD" == /* ]] || BUILD="$REPO/$BUILD"
SBNODE="$BUILD/bin/sbnode"
[[ -x "$SBNODE" ]] || die "$SBNODE not found: build it (Release) or pass --build DIR"
[[ -d "$SHARED" && -x "$SHARED/compare.sh" ]] || die "shared bench harness not found at $SHARED (set SB_SHARED_BENCH)"
[[ "$USERS" =~ ^[0-9]+$ && "$USERS" -ge 2 ]] || die "--users must be >= 2"
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 ]] || die "--duration must be a positive number"
[[ "$HOLD_MS" =~ ^[0-9]+$ && "$HOLD_MS" -le 60000 ]] || die "--hold must be 0..60000 ms"
[[ "$RATES" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--rates must be a comma separated list of numbers"
[[ "$PAUSE" =~ ^[0-9]+$ && "$PAUSE" -le 60 ]] || die "--pause must be 0..60"
[[ "$PREREG_RATE" =~ ^[0-9]+$ && "$PREREG_RATE" -ge 1 ]] || die "--prereg-rate must be a positive number"
[[ "$RTP_PORTS" =~ ^([0-9]+)-([0-9]+)$ ]] || die "--rtp-ports must be MIN-MAX"
RTP_MIN=$(( BASH_REMATCH[1] & ~1 )) RTP_MAX=${BASH_REMATCH[2]}
(( RTP_MIN >= 1024 && RTP_MAX <= 65535 && RTP_MAX - RTP_MIN >= 3 )) || die "--rtp-ports: bad range"
for tool in sipp python3 curl ss; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install sip-tester python3 curl iproute2)"
done
if [[ $KAMAILIO -eq 1 ]]; then
  command -v kamailio >/dev/null \
    || die "kamailio not found: apt-get install kamailio (and rtpengine-daemon), or run with --no-kamailio"
  if [[ " $ANCHOR_ARGS " == *" --with-rtpengine "* ]] && ! command -v rtpengine >/dev/null; then
    die "rtpengine not found: apt-get install rtpengine-daemon, or pass --anchor-args '--call-auth'"
  fi
fi
# shellcheck source=/dev/null
. "$SHARED/lib/proc.sh"

hold_s=$(( (HOLD_MS + 999) / 1000 ))
# every call's RTP relay would be torn down after rtp_timeout without RTP
RTP_TIMEOUT=$(( hold_s + 30 > 60 ? hold_s + 30 : 60 ))
max_rate=$(echo "$RATES" | tr , '\n' | sort -n | tail -1)
pairs=$(( (RTP_MAX - RTP_MIN + 1) / 2 ))
if (( pairs < 2 * max_rate * (hold_s + 2) )); then
  echo "# warning: $pairs relay port pairs may be too few for ${max_rate} calls/s (2 pairs per call," \
       "~$(( max_rate * (hold_s + 2) )) calls in flight); widen --rtp-ports" >&2
fi
if (( USERS / 2 < max_rate * (hold_s + 2) )); then
  echo "# warning: --users $USERS: a subscriber will be in several calls at once at ${max_rate}/s" >&2
fi

# Ports the shared harness uses: 5060 anchor, 5070 callee SIPp, 5071 caller,
# 5072 callee registration, 16000/17000 SIPp media, 22222 rtpengine ng.
port_busy() { [[ -n "$(ss -Htuan "sport = :$1" 2>/dev/null)" ]]; }
free_port() { # outside the relay range and the harness's ports
  local p
  for _ in $(seq 1 200); do
    p=$(( 40000 + RANDOM % 20000 ))
    (( p >= RTP_MIN && p <= RTP_MAX )) && continue
    port_busy "$p" || { echo "$p"; return 0; }
  done
  return 1
}
for p in 5070 5071 5072; do port_busy "$p" && die "port $p (harness SIPp) is in use"; done
if [[ $KAMAILIO -eq 1 ]]; then
  port_busy 5060 && die "port 5060 (reference Kamailio) is in use"
  port_busy 22222 && die "port 22222 (rtpengine ng) is in use"
fi
MGMT_PORT=$(free_port)
if [[ -z "$SIP_PORT" ]]; then SIP_PORT=$(free_port); fi
case "$SIP_PORT" in 5060|5070|5071|5072|22222) die "--sip-port $SIP_PORT collides with the shared harness" ;; esac
port_busy "$SIP_PORT" && die "--sip-port $SIP_PORT is in use"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sb-bench-calls.XXXXXX")
CONF="$WORK/conf"
NODE_PID="" CMP_PID="" SAMPLER_PID="" TAIL_PID=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_tree "$CMP_PID" 150
  stop_tree "$TAIL_PID" 10
  stop_tree "$SAMPLER_PID" 20
  stop_tree "$NODE_PID" 100
  echo "# work dir kept: $WORK (node.log, compare.out, results.csv, samples.csv)"
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
rtpproxy:
  minport: $RTP_MIN
  maxport: $RTP_MAX
  rtp_timeout: $RTP_TIMEOUT
security:
  dos_whitelist_ip: [127.0.0.1]
  failed_auth_ban_enable: false
YML

source "$HERE/../lib/node_api.sh"

echo "# bench-calls: sbnode=$SBNODE users=$USERS rates=$RATES duration=${DURATION}s hold=${HOLD_MS}ms" \
     "sip=udp:127.0.0.1:$SIP_PORT mgmt=$MGMT_PORT relay=$RTP_MIN-$RTP_MAX ($pairs pairs)" \
     "kamailio=$([[ $KAMAILIO -eq 1 ]] && echo "yes ($ANCHOR_ARGS)" || echo no) cpus=$(nproc) work=$WORK"

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
echo "# node pid=$NODE_PID ready; rss=$(rss_kb) kB"

# ------------------------------------------------------------- provisioning
"$SHARED/gen-users.sh" -n "$USERS" -d 127.0.0.1 > "$WORK/users.csv"
python3 "$REPO/bench/register/provision.py" --port "$MGMT_PORT" --users "$WORK/users.csv" --threads 4 \
  || die "provisioning failed (see $WORK/node.log)"
nsubs=$(api_total '/api/subscribers/?rows=1')
[[ "$nsubs" == "$USERS" ]] || die "API lists ${nsubs:-?} subscribers, expected $USERS"
CDRS_BEFORE=$(api_total '/api/cdrs/?rows=1')

# ------------------------------------------------------------- sampler
# one line a second: epoch, VmRSS kB, sb_calls_active, sb_media_sessions,
# sb_media_port_pairs_in_use (bounded by timeout; stopped by PID at exit)
sampler() {
  echo "t,rss_kb,calls_active,media_sessions,pairs_in_use"
  while kill -0 "$NODE_PID" 2>/dev/null; do
    local m r
    r=$(rss_kb 2>/dev/null || echo 0)
    m=$(fetch_metrics 2>/dev/null | awk '
      $1 == "sb_calls_active" { a = $2 } $1 == "sb_media_sessions" { s = $2 }
      $1 == "sb_media_port_pairs_in_use" { p = $2 }
      END { printf "%d,%d,%d", a, s, p }') || m="0,0,0"
    echo "$(date +%s.%N | cut -c1-14),$r,$m"
    sleep 1
  done
}
export -f sampler rss_kb fetch_metrics
export NODE_PID CONF MGMT
timeout -k 2 14400 bash -c sampler > "$WORK/samples.csv" 2>/dev/null &
SAMPLER_PID=$!

# ------------------------------------------------------------------- load
cmp_args=(--target "127.0.0.1:$SIP_PORT" --server-pid "$NODE_PID" --scenario call
          --users "$WORK/users.csv" --rates "$RATES" --duration "$DURATION" --hold "$HOLD_MS"
          --prereg-rate "$PREREG_RATE" --pause "$PAUSE" --results "$WORK/results.csv")
[[ $NO_STOP -eq 1 ]] && cmp_args+=(--no-stop)
if [[ $KAMAILIO -eq 0 ]]; then
  cmp_args+=(--skip-anchor)
else
  cmp_args+=(--anchor-args "$ANCHOR_ARGS")
fi
timeout -k 10 14400 "$SHARED/compare.sh" "${cmp_args[@]}" > "$WORK/compare.out" 2>&1 &
CMP_PID=$!
tail -n +1 --pid="$CMP_PID" -f "$WORK/compare.out" 2>/dev/null &
TAIL_PID=$!
# a node that died makes every later step meaningless: stop the load then
while kill -0 "$CMP_PID" 2>/dev/null; do
  if ! kill -0 "$NODE_PID" 2>/dev/null; then
    sleep 2
    echo "# !! sbnode is gone: stopping the load"
    stop_tree "$CMP_PID" 150
    break
  fi
  sleep 1
done
cmp_rc=0
wait "$CMP_PID" 2>/dev/null || cmp_rc=$?
CMP_PID=""
stop_tree "$TAIL_PID" 10
TAIL_PID=""
[[ $cmp_rc -eq 0 ]] || echo "# compare.sh exited with $cmp_rc"
NODE_DIED=0
if ! kill -0 "$NODE_PID" 2>/dev/null; then
  NODE_DIED=1
  wait "$NODE_PID" 2>/dev/null || echo "# sbnode exited with status $?"
  echo "# !! sbnode DIED during the load; last lines of $WORK/node.log:"
  tail -5 "$WORK/node.log" | sed 's/^/#   /'
fi

# --------------------------------------------------------- after the load
if [[ $NODE_DIED -eq 0 ]]; then
  sleep 5   # calls still being torn down, CDRs being written
  fetch_metrics > "$WORK/metrics-after-load.txt" || true
  stop_tree "$SAMPLER_PID" 20
  SAMPLER_PID=""
  CDRS_AFTER=$(api_total '/api/cdrs/?rows=1')
  echo "# node counters after the load (all in $WORK/metrics-after-load.txt):"
  grep -E '^sb_(calls|media)_' "$WORK/metrics-after-load.txt" | sed 's/^/#   /' || true
  echo "# CDRs written during the run: $(( ${CDRS_AFTER:-0} - ${CDRS_BEFORE:-0} ))"
else
  stop_tree "$SAMPLER_PID" 20
  SAMPLER_PID=""
fi

# ------------------------------------------------------------------ summary
python3 - "$WORK/results.csv" "$WORK/samples.csv" "$HOLD_MS" "$NODE_DIED" <<'EOF'
import csv, os, statistics, sys
path, spath, hold_ms, died = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
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
    if label == "target" and died:
        bound = " (the node DIED during the next step: no result for it)"
    print(f"{name}: max_pass_cps={m}/s{bound} cpu_ms_per_call={r['server_cpu_ms_per_op']} "
          f"setup_p50/p99_ms={r['rt_p50_ms']}/{r['rt_p99_ms']} server_cpu={r['server_cpu_pct']}% "
          f"ok={r['ok']} failed={r['failed']} retrans={r['retrans']}")
    fails = [(k, r["verdict"]) for k, r in sorted(by[label].items()) if r["verdict"] != "PASS"]
    for k, v in fails:
        print(f"  {name} at {k}/s: {v}")
if "target" in best and "kamailio" in best:
    t, k = best["target"], best["kamailio"]
    common = [x for x in by["target"] if by["target"][x]["verdict"] == "PASS"
              and by["kamailio"].get(x, {}).get("verdict") == "PASS"]
    line = f"ratio sbnode/kamailio: max_cps x{int(t['rate']) / int(k['rate']):.2f} (higher is better)"
    if common:
        c = max(common)
        ct, ck = float(by["target"][c]["server_cpu_ms_per_op"]), float(by["kamailio"][c]["server_cpu_ms_per_op"])
        line += (f", cpu_ms_per_call at {c}/s (highest rate both passed) "
                 f"{ct:.3f} vs {ck:.3f} = x{ct / ck:.2f} (lower is better)")
    print(line)

# memory per active call: busy periods of the node (calls_active > 0) are the
# rate steps of the target run, in order
samples = []
if os.path.exists(spath):
    for s in csv.DictReader(open(spath)):
        try:
            samples.append((float(s["t"]), int(s["rss_kb"]), int(s["calls_active"]),
                            int(s["media_sessions"]), int(s["pairs_in_use"])))
        except (ValueError, KeyError):
            pass
segs, cur, gap = [], [], 0
for i, s in enumerate(samples):
    if s[2] > 0:
        if cur and gap > 1:
            segs.append(cur); cur = []
        cur.append(i); gap = 0
    else:
        gap += 1
if cur:
    segs.append(cur)
order = [(int(r["rate"]), int(r["ok"])) for r in rows if r["label"] == "target"]
if segs and samples:
    base = samples[max(0, segs[0][0] - 1)][1]
    print(f"rss_kb: before_first_call={base} (subscribers provisioned, callees registered) "
          f"max={max(s[1] for s in samples)}")
    print("memory per step (plateau = samples with calls_active >= 80 % of the step's peak):")
    print(f"{'step':>7} {'active':>7} {'expected':>8} {'sessions':>8} {'pairs':>6} {'rss_before':>10} "
          f"{'rss_peak':>9} {'KB/active_call':>14} {'KB/call_of_step':>15}")
    per_active = {}
    for n, seg in enumerate(segs):
        rate, ok = order[n] if n < len(order) else (None, 0)
        top = max(samples[i][2] for i in seg)
        plat = [i for i in seg if samples[i][2] >= 0.8 * top]
        act = statistics.median(samples[i][2] for i in plat)
        ms = statistics.median(samples[i][3] for i in plat)
        pp = statistics.median(samples[i][4] for i in plat)
        before = samples[max(0, seg[0] - 1)][1]
        peak = max(samples[i][1] for i in seg)
        pa = (peak - base) / act if act else float("nan")
        pc = (peak - before) / ok if ok else float("nan")
        if rate:
            per_active[rate] = (pa, act, peak)
        exp = "?" if rate is None else f"{rate * hold_ms / 1000.0:.0f}"
        name = f"{rate}/s" if rate else "?"
        print(f"{name:>7} {act:>7.0f} {exp:>8} {ms:>8.0f} {pp:>6.0f} {before:>10} {peak:>9} "
              f"{pa:>14.1f} {pc:>15.1f}")
    print("  KB/active_call = (rss_peak - before_first_call) / active: everything the load left in")
    print("  the process, charged to the calls up at once (an upper bound); KB/call_of_step =")
    print("  RSS growth during the step / calls it completed (per-call residue: transactions kept")
    print("  32 s for retransmissions, CDRs, allocator slack).")
    if "target" in best and int(best["target"]["rate"]) in per_active:
        m = int(best["target"]["rate"])
        pa, act, peak = per_active[m]
        first = order[0][0] if order else None
        line = (f"memory: {pa:.0f} KB per active call at {m}/s (RSS {base} -> {peak} kB, "
                f"{act:.0f} calls up)")
        if first in per_active and first != m:
            line += f"; {per_active[first][0]:.0f} KB at the first step ({first}/s)"
        print(line)
else:
    print("memory: no busy period seen in the samples (no call reached the node?)")
EOF

# ------------------------------------------------------------ node log check
nwarn=$(grep -ciE '\b(warn|warning)\b' "$WORK/node.log" || true)
nerr=$(grep -ciE '\b(error|err|critical|fatal)\b' "$WORK/node.log" || true)
echo "node log: warnings=$nwarn errors=$nerr ($WORK/node.log)"
grep -iE '\b(warn|warning|error|err|critical|fatal)\b' "$WORK/node.log" \
  | sed -E 's/^[0-9][0-9T:.+-]* +//' | cut -c1-200 | sort | uniq -c | sort -rn | head -10 || true
grep -E 'Assertion|assert|Segmentation|Aborted' "$WORK/node.log" | head -5 || true
if [[ $NODE_DIED -eq 1 ]]; then exit 1; fi
