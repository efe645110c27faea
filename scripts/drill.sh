#!/usr/bin/env bash
# The failover drill (issue 6, docs/operations.md "Failover drill"):
#
#   scripts/drill.sh kill [--node sp1] [--signal KILL|STOP] [--calls N]
#                         [--registrations N]
#
# Builds a private network of network namespaces (a bridge; one namespace
# per node, one for the clients: redis-server, SIPp, curl) and starts a
# 3-node cluster in it: sp1 and sp2 are an HA pair sharing the service
# address 10.214.0.10 (held by sp1), sp3 is a third node; every node has
# every role. It provisions N subscribers through sp1's API (the
# provisioning stream carries them to every node), registers them with
# SIPp through the service address (their subscriber actors are spread
# over the three nodes), holds calls through it (they run on sp1, the
# node that holds the address), kills the node, lets the calls end, then
# calls every registered subscriber once to prove its binding survived,
# counts the CDRs and prints one line:
#
#   drill: calls=N calls_lost=N registrations=N registrations_lost=N
#          cdrs_missing=N detect_ms=N recover_ms=N
#
# When the victim holds the service address, the drill does what
# keepalived does when the node's check fails: the address moves to its
# peer (gratuitous ARP), which sees the victim dead and takes its calls
# over from their snapshots. Nothing is restarted.
#
# detect_ms: from the signal until sp1 (sp2 when sp1 is the victim) sees
# the node dead. recover_ms: until a REGISTER of an AoR the killed node
# owned succeeds again through the service address. The survivors must
# also run every registered subscriber's actor again (taken over from
# Redis without waiting for a request), reported on stderr. With STOP the
# node is woken (SIGCONT) after that and must fence itself and rejoin
# without taking back what moved. Exit 0 when nothing was lost, no CDR was
# written twice and detection took at most 2 s; 77 where network
# namespaces cannot be made (run it as root).
#
# Needs SB_BIN_DIR (sbnode, sbctl; default build/bin) and sipp,
# redis-server, curl, jq, ip, arping. Every process it starts is stopped
# by PID, every namespace deleted.
set -euo pipefail

SB_SOURCE_DIR=${SB_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
SB_BIN_DIR=${SB_BIN_DIR:-$SB_SOURCE_DIR/build/bin}
export SB_SOURCE_DIR SB_BIN_DIR
# shellcheck source=../tests/integration/cluster_lib.sh
source "$SB_SOURCE_DIR/tests/integration/cluster_lib.sh"

usage() {
  echo "usage: $0 kill [--node sp1|sp2|sp3] [--signal KILL|STOP]" \
    "[--calls N] [--registrations N]" >&2
  exit 2
}
[[ "${1:-}" == kill ]] || usage
shift
VICTIM=sp1 SIGNAL=KILL CALLS=10 REGS=50
while (($#)); do
  case $1 in
  --node) VICTIM=${2:?}; shift 2 ;;
  --signal) SIGNAL=${2:?}; shift 2 ;;
  --calls) CALLS=${2:?}; shift 2 ;;
  --registrations) REGS=${2:?}; shift 2 ;;
  *) usage ;;
  esac
done
[[ "$SIGNAL" == KILL || "$SIGNAL" == STOP ]] || usage
[[ "$VICTIM" =~ ^sp[123]$ ]] || usage
((REGS >= 1 && CALLS >= 0 && CALLS <= REGS)) ||
  { echo "drill: need 1 <= registrations and 0 <= calls <= registrations" >&2; exit 2; }
for tool in sipp redis-server curl jq ip arping; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps)"
done
K=${VICTIM#sp}
# sp1 holds the service address and runs the calls (they stay on the node
# that took the INVITE). Another node watches the victim: sp2 when sp1 is
# the victim, else sp1.
OBS=1
((K != 1)) || OBS=2
SCEN="$SB_SOURCE_DIR/tests/integration/sip"
DOMAIN=drill.example
say() { echo "drill: $*" >&2; }

# --- the network: a bridge, the clients' and each node's namespace -------
TAG="sbdr$$"
NET=10.214.0
VIP=$NET.10
CLIENT=$NET.100
trap 'cleanup; netns_down' EXIT
if ! netns_pair_cluster "$TAG" $NET $VIP 3; then
  echo "drill: cannot create network namespaces here (run it as root):" \
    "$(cat "$WORK/netns.err")" >&2
  exit 77
fi

BASE="$WORK/cluster"
mkdir -p "$BASE"
{
  echo "hosts:"
  for k in 1 2 3; do
    # The HA pair holds the CDR database, as the reference's sp1/sp2 do.
    roles="[lb, proxy, mgmt]" ha=""
    [[ $k == 1 || $k == 2 ]] && roles="[lb, proxy, db, mgmt]"
    [[ $k == 1 ]] && ha=$'    peer: sp2\n'
    [[ $k == 2 ]] && ha=$'    peer: sp1\n'
    shared=""
    [[ -n "$ha" ]] && shared=$'      shared_ip: ['"$VIP"$']\n'
    printf '  sp%s:\n    role: %s\n%s    status: online\n    interfaces: [eth0]\n' \
      "$k" "$roles" "$ha"
    printf '    eth0:\n      ip: %s\n%s      type: [sip_ext, rtp_ext, api_int, ha_int]\n' \
      "$NET.$k" "$shared"
  done
} >"$BASE/network.yml"
make_cluster_conf "$BASE" 3 "security:
  dos_whitelist_ip: [$NET.0/24]"
start_cluster "$BASE" 1 2 3

wait_all_alive() {
  local k p
  for k in 1 2 3; do
    for p in sp1 sp2 sp3; do
      for _ in $(seq 1 150); do
        [[ "$(state_of "$k" "$p")" == alive ]] && continue 2
        sleep 0.1
      done
      fail "sp$k does not see $p alive"
    done
  done
}
wait_all_alive
say "3 nodes up (sp1 and sp2 share $VIP, sp1 holds it), $VICTIM will get SIG$SIGNAL"

# --- provisioning through sp1 -------------------------------------------
provision_subscribers "$DOMAIN" "$REGS"

# --- SIPp: the callee UA all bindings point to, registrations, calls ---
ENTRY="$VIP:$CLUSTER_SIP_PORT"
UAS_PORT=$(free_port)
sipp_bg uas -sn uas -i $CLIENT -p "$UAS_PORT" -mp $(free_media_port)
UAS_PID=$SIPP_PID

inf_users "$WORK/regs.inf" 1 "$REGS"
sipp_bg register "$ENTRY" -sf "$SCEN/register.xml" -inf "$WORK/regs.inf" \
  -i $CLIENT -p "$(free_port)" -m "$REGS" -r 50 -l 100 \
  -key expires 600 -key contact_hp "$CLIENT:$UAS_PORT" \
  -recv_timeout 5000 -timeout 60s
wait "$SIPP_PID" || true
registered=$(successes register)
((registered == REGS)) || fail "$registered of $REGS registrations succeeded"

# An AoR the victim owns (to time the recovery) and how many it owns.
owner() { view 1 "key=subscriber:sip:$1@$DOMAIN" | jq -r '.owner // ""'; }
VICTIM_AOR="" owned=0
for i in $(seq 1 "$REGS"); do
  u=$(printf 'd%04d' "$i")
  if [[ "$(owner "$u")" == "$VICTIM" ]]; then
    owned=$((owned + 1))
    [[ -n "$VICTIM_AOR" ]] || VICTIM_AOR=$u
  fi
done
say "$REGS registered through $VIP, $owned of their subscriber actors on $VICTIM"

HOLD_MS=8000
if ((CALLS > 0)); then
  inf_calls "$WORK/calls.inf" 1 "$CALLS"
  sipp_bg calls "$ENTRY" -sf "$SCEN/call_uac.xml" -inf "$WORK/calls.inf" \
    -i $CLIENT -p "$(free_port)" -mp $(free_media_port) \
    -m "$CALLS" -r "$CALLS" -l "$CALLS" -d "$HOLD_MS" \
    -recv_timeout 30000 -timeout 90s
  CALLS_PID=$SIPP_PID
  sleep 2 # every call answered and holding
fi

# ms_since_kill CHECK...: ms from the kill until CHECK succeeds; -1 after
# 10 s.
ms_since_kill() {
  local now
  while :; do
    now=$(date +%s%N)
    if "$@"; then
      echo $(( (now - t0) / 1000000 ))
      return 0
    fi
    (( (now - t0) / 1000000 > 10000 )) && { echo -1; return 0; }
    sleep 0.02
  done
}
victim_dead() { [[ "$(state_of "$OBS" "$VICTIM")" == dead ]]; }
# The survivors take the victim's subscribers over at once, from Redis,
# before any request for them arrives.
survivors_run_all() {
  local k a sum=0
  for k in 1 2 3; do
    [[ $k == "$K" ]] && continue
    a=$(metric_at "$k" sb_registrar_live_actors)
    a=${a%.*}
    sum=$((sum + ${a:-0}))
  done
  ((sum >= REGS))
}

# --- the kill ------------------------------------------------------------
t0=$(date +%s%N)
kill "-$SIGNAL" "${NODE_PIDS[$K]}"
# keepalived on sp1's host sees its check fail and hands the address to
# sp2 (a frozen node fails the check too).
((K != 1)) || move_address $VIP "$TAG-1" "$TAG-2"
detect_ms=$(ms_since_kill victim_dead)
say "sp$OBS saw $VICTIM dead after $detect_ms ms"
reactivate_ms=$(ms_since_kill survivors_run_all)
say "the survivors run all $REGS subscriber actors again after $reactivate_ms ms"
took_over() { grep -q "calls: $CALLS restored from the snapshots of sp1" "$WORK/sp2.log"; }
if ((K == 1 && CALLS > 0)); then
  took_ms=$(ms_since_kill took_over)
  say "sp2 took over the $CALLS calls of sp1 after $took_ms ms"
fi

# Recovery: a REGISTER of an AoR the victim owned succeeds again.
recover_ms=-1
if [[ -n "$VICTIM_AOR" ]]; then
  inf_users "$WORK/probe.inf" "${VICTIM_AOR#d}" "${VICTIM_AOR#d}"
  for attempt in $(seq 1 100); do
    rm -rf "$WORK/sipp-probe"
    sipp_bg probe "$ENTRY" -sf "$SCEN/register.xml" -inf "$WORK/probe.inf" \
      -i $CLIENT -p "$(free_port)" -m 1 -key expires 600 \
      -key contact_hp "$CLIENT:$UAS_PORT" -recv_timeout 1000 -timeout 3s
    wait "$SIPP_PID" || true
    if [[ "$(successes probe)" == 1 ]]; then
      recover_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      break
    fi
  done
fi
say "an AoR of $VICTIM registered again after $recover_ms ms"

if [[ "$SIGNAL" == STOP ]]; then
  kill -CONT "${NODE_PIDS[$K]}"
  for _ in $(seq 1 100); do
    [[ "$(state_of "$OBS" "$VICTIM")" == alive ]] && break
    sleep 0.1
  done
  fenced=$(view "$K" | jq -r '.fenced // 0')
  ((fenced >= 1)) || fail "$VICTIM was not fenced after SIGCONT: $(view "$K")"
  say "$VICTIM woke up, fenced itself and rejoined"
fi

# --- the calls end, every binding is called once -------------------------
calls_ok=0
if ((CALLS > 0)); then
  wait "$CALLS_PID" || true
  calls_ok=$(successes calls)
fi
inf_calls "$WORK/verify.inf" 1 "$REGS"
sipp_bg verify "$ENTRY" -sf "$SCEN/call_uac.xml" -inf "$WORK/verify.inf" \
  -i $CLIENT -p "$(free_port)" -mp $(free_media_port) \
  -m "$REGS" -r 50 -l 50 -d 200 -recv_timeout 10000 -timeout 60s
wait "$SIPP_PID" || true
reached=$(successes verify)

# Each call's CDR is written by the node that ended it and shipped to the
# cluster's CDR log; the db nodes (sp1, sp2) collect every one. Count them
# on a db node still running. A call run on two nodes would show twice.
gone() { [[ $1 == "$K" && "$SIGNAL" == KILL ]]; }
count_cdrs() {
  local k=1 n
  gone 1 && k=2
  n=$(curl -sk -m 10 -u "$AUTH" \
    "https://$(node_ip "$k"):$CLUSTER_MGMT_PORT/api/cdrs/?rows=1000" |
    jq '[._embedded["ngcp:cdrs"][]? | select(.call_status == "ok")] | length')
  echo "${n:-0}"
}
expected_cdrs=$((calls_ok + reached))
cdrs=-1
for _ in $(seq 1 50); do
  cdrs=$(count_cdrs)
  ((cdrs >= expected_cdrs)) && break
  sleep 0.1
done

calls_lost=$((CALLS - calls_ok))
regs_lost=$((REGS - reached))
cdrs_missing=$((expected_cdrs - cdrs))
cdrs_twice=0
if ((cdrs_missing < 0)); then
  cdrs_twice=$((-cdrs_missing)) cdrs_missing=0
  say "$cdrs_twice CDR(s) more than calls: a call ended on two nodes"
fi
kill -TERM "$UAS_PID" 2>/dev/null || true
for k in 1 2 3; do
  gone "$k" && continue
  kill -TERM "${NODE_PIDS[$k]}" 2>/dev/null || true
done
for k in 1 2 3; do
  gone "$k" && continue
  wait_exit "${NODE_PIDS[$k]}" 30
  [[ "$EXIT_RC" == 0 ]] || say "sp$k exited $EXIT_RC after SIGTERM"
done

echo "drill: calls=$CALLS calls_lost=$calls_lost registrations=$REGS" \
  "registrations_lost=$regs_lost cdrs_missing=$cdrs_missing" \
  "detect_ms=$detect_ms recover_ms=$recover_ms"
((calls_lost == 0 && regs_lost == 0 && cdrs_missing == 0 && cdrs_twice == 0 &&
  detect_ms >= 0 && detect_ms <= 2000 && reactivate_ms >= 0)) || exit 1
