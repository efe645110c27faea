#!/usr/bin/env bash
# bench/media/run.sh - the media relay's throughput and CPU, side by side
# with rtpengine (user space) from the shared harness, same traffic.
#
#   bench/media/run.sh [--build DIR] [--sessions 250,500,1000,2000]
#                      [--duration 20] [--pps 50] [--threads 1] [--no-rtpengine]
#
# Each session is two G.711 streams (A->B, B->A) of --pps packets/s. Per
# step, relay_bench (bench/relay_bench.cpp: N media/rtp_relay sessions in
# --threads one-thread io_contexts) hosts the relays and the shared
# rtp-blast drives them; then ../shared/bench/rtp/relay-bench.sh runs the
# same steps against rtpengine. Prints one line per step and side:
#   sessions=N ... relayed_pps=... loss_pct=... relay_cpu=..% relay_cpu_per_kpps=..%
# A benchmark, not a test: nothing checks the numbers.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
SHARED=${SB_SHARED_BENCH:-$(cd "$REPO/.." && pwd)/shared/bench}
BUILD=build SESSIONS=250,500,1000,2000 DURATION=20 PPS=50 THREADS=1 RTPENGINE=1
die() { echo "bench-media: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) BUILD=$2; shift 2 ;;
    --sessions) SESSIONS=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --pps) PPS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --no-rtpengine) RTPENGINE=0; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
[[ "$BUILD" == /* ]] || BUILD="$REPO/$BUILD"
BENCH_BIN="$BUILD/bin/relay_bench"
[[ -x "$BENCH_BIN" ]] || die "$BENCH_BIN not found: cmake --build $BUILD --target relay_bench (Release)"
[[ -x "$SHARED/rtp/relay-bench.sh" ]] || die "shared harness not found at $SHARED"
[[ "$DURATION" =~ ^[0-9]+$ && "$DURATION" -ge 1 && "$DURATION" -le 300 ]] || die "--duration 1..300"
[[ "$SESSIONS" =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--sessions must be a comma separated list"
command -v gcc >/dev/null || die "gcc not found"
. "$SHARED/lib/proc.sh"

WORK=$(mktemp -d /tmp/sb-bench-media.XXXXXX)
RPID=""
cleanup() { local rc=$?; trap - EXIT INT TERM; stop_tree "$RPID" 50; echo "# work dir: $WORK"; exit $rc; }
trap cleanup EXIT
trap 'exit 130' INT TERM
gcc -O2 -o "$WORK/rtp-blast" "$SHARED/rtp/rtp-blast.c"

cpu_report() { # before.json after.json relayed_pps
  python3 - "$1" "$2" "$3" <<'PY'
import json, sys
b, e = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
wall = e["t"] - b["t"]
relay = 100.0 * (e["trees"][0] - b["trees"][0]) / float(b["hz"]) / wall
kpps = float(sys.argv[3]) / 1000.0
print(f"relay_cpu={relay:.1f}% relay_cpu_per_kpps={(relay / kpps if kpps else float('nan')):.2f}%")
PY
}

echo "## sbnode media/rtp_relay (relay_bench, threads=$THREADS, epoll + one recvfrom/sendto per packet)"
echo "# streams per session=2 pps/stream=$PPS duration=${DURATION}s cpus=$(nproc)"
IFS=, read -r -a STEPS <<<"$SESSIONS"
for n in "${STEPS[@]}"; do
  step="$WORK/s$n"; mkdir -p "$step"
  timeout -k 5 $(( DURATION + 90 )) "$BENCH_BIN" --sessions "$n" --threads "$THREADS" \
    --plan "$step/plan" --seconds $(( DURATION + 60 )) > "$step/relay.out" 2>&1 &
  RPID=$!
  for _ in $(seq 1 100); do [[ -s "$step/plan" ]] && break; sleep 0.1; done
  [[ -s "$step/plan" ]] || { cat "$step/relay.out" >&2; die "relay_bench did not start"; }
  python3 "$SHARED/lib/procstat.py" "$RPID" > "$step/before.json"
  timeout -k 5 $(( DURATION + 20 )) "$WORK/rtp-blast" "$step/plan" "$DURATION" "$PPS" > "$step/blast.out"
  python3 "$SHARED/lib/procstat.py" "$RPID" > "$step/after.json"
  relayed=$(sed -n 's/.*relayed_pps=\([0-9.]*\).*/\1/p' "$step/blast.out")
  echo "sessions=$n $(cat "$step/blast.out") $(cpu_report "$step/before.json" "$step/after.json" "${relayed:-0}")"
  stop_tree "$RPID" 50; RPID=""
  sleep 1
done

if [[ $RTPENGINE -eq 1 ]]; then
  command -v rtpengine >/dev/null || die "rtpengine not found (apt-get install rtpengine-daemon), or use --no-rtpengine"
  echo "## rtpengine (user space), same steps"
  "$SHARED/rtp/relay-bench.sh" --relay rtpengine --sessions "$SESSIONS" --duration "$DURATION" --pps "$PPS"
fi
