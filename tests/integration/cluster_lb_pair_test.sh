#!/usr/bin/env bash
# The carrier layout with an lb HA pair: sp1 and sp2 have the lb role (and
# db), each the other's `peer`, sharing the service address for SIP and
# RTP; sp3 and sp4 are proxies without a SIP interface, where the calls
# run (each on the home of its Call-ID). Each node runs in a network
# namespace this test creates. Calls are set up through sp1; then sp1's
# host dies (SIGKILL, link down), the address moves to sp2 (what
# keepalived does), and the proxies move the calls that went through sp1
# to sp2: it reopens their media on the same ports, the RTP keeps flowing
# through the same address, the callers' BYEs reach the callees, and every
# call ends with a complete CDR on sp2. A call set up afterwards goes
# through sp2.
source "$(dirname "$0")/cluster_lib.sh"

SCEN="$SB_SOURCE_DIR/tests/integration/sip"
for tool in sipp arping jq; do
  command -v "$tool" >/dev/null || fail "$tool not found (scripts/install-deps)"
done

TAG="sblb$$"
NET=10.215.0
VIP=$NET.10
CLIENT=$NET.100
DOMAIN=lbpair.example
trap 'cleanup; netns_down' EXIT
if ! netns_pair_cluster "$TAG" $NET $VIP 4; then
  echo "SKIP: cannot create a network namespace here: $(cat "$WORK/netns.err")"
  exit 77
fi

BASE="$WORK/cluster"
mkdir -p "$BASE"
cat >"$BASE/network.yml" <<YML
hosts:
  sp1:
    role: [lb, db, mgmt]
    peer: sp2
    status: online
    interfaces: [eth0]
    eth0:
      ip: $NET.1
      shared_ip: [$VIP]
      type: [sip_ext, rtp_ext, api_int, ha_int]
  sp2:
    role: [lb, db, mgmt]
    peer: sp1
    status: online
    interfaces: [eth0]
    eth0:
      ip: $NET.2
      shared_ip: [$VIP]
      type: [sip_ext, rtp_ext, api_int, ha_int]
  sp3:
    role: [proxy, mgmt]
    status: online
    interfaces: [eth0]
    eth0: {ip: $NET.3, type: [api_int, ha_int]}
  sp4:
    role: [proxy, mgmt]
    status: online
    interfaces: [eth0]
    eth0: {ip: $NET.4, type: [api_int, ha_int]}
YML
make_cluster_conf "$BASE" 4 "security:
  dos_whitelist_ip: [$NET.0/24]"
start_cluster "$BASE" 1 2 3 4
for k in 1 2 3 4; do
  for p in sp1 sp2 sp3 sp4; do wait_state "$k" "$p" alive 15 >/dev/null; done
done
pass "lbs sp1 (holds $VIP) and sp2, proxies sp3 and sp4, each in its namespace"

C=6
provision_subscribers "$DOMAIN" "$C"
ENTRY="$VIP:$CLUSTER_SIP_PORT"
UAS_PORT=$(free_port)
sipp_bg uas -sn uas -rtp_echo -i $CLIENT -p "$UAS_PORT" -mp "$(free_media_port)"
UAS_PID=$SIPP_PID
inf_users "$WORK/regs.inf" 1 "$C"
sipp_bg register "$ENTRY" -sf "$SCEN/register.xml" -inf "$WORK/regs.inf" \
  -i $CLIENT -p "$(free_port)" -m "$C" -r 50 -l 50 \
  -key expires 600 -key contact_hp "$CLIENT:$UAS_PORT" \
  -recv_timeout 5000 -timeout 30s
sipp_wait "$SIPP_PID" register

# C calls held 9 s through sp1; they run on the proxies.
inf_calls "$WORK/calls.inf" 1 "$C"
sipp_bg calls "$ENTRY" -sf "$SCEN/call_uac.xml" -inf "$WORK/calls.inf" \
  -i $CLIENT -p "$(free_port)" -mp "$(free_media_port)" \
  -m "$C" -r "$C" -l "$C" -d 9000 -recv_timeout 30000 -timeout 60s
CALLS_PID=$SIPP_PID
for _ in $(seq 1 60); do
  a3=$(metric_at 3 sb_calls_active) a4=$(metric_at 4 sb_calls_active)
  ((a3 + a4 == C)) && break
  sleep 0.1
done
((a3 + a4 == C)) || fail "calls up on the proxies: sp3 $a3, sp4 $a4, not $C"
[[ "$(metric_at 1 sb_calls_active)" == 0 ]] || fail "the lb sp1 runs calls"
sleep 1.5 # answered, ACKed, snapshots written, RTP flowing
pass "$C calls up through sp1 on the proxies (sp3 $a3, sp4 $a4)"

# sp1's host dies; the address moves to sp2.
kill -KILL "${NODE_PIDS[1]}"
ip -n "$TAG-1" link set eth0 down
move_address "$VIP" "$TAG-1" "$TAG-2"
t0=$(date +%s%N)
moved=0
for _ in $(seq 1 100); do
  moved=$(($(metric_at 3 sb_calls_edge_moved_total) + $(metric_at 4 sb_calls_edge_moved_total)))
  ((moved == C)) && break
  sleep 0.05
done
((moved == C)) || fail "calls moved to sp2: $moved of $C: $(grep -h 'lb sp1' "$WORK"/sp[34].log)"
took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if grep -h "media not restored\|not connected" "$WORK"/sp[34].log; then
  fail "a call lost its media or its lb"
fi
pass "sp1 killed: the proxies moved the $C calls to sp2 within ${took_ms} ms"

wait "$CALLS_PID" || true
[[ "$(successes calls)" == "$C" ]] ||
  fail "calls across sp1's death: $(successes calls) of $C: $(tail -n 30 "$WORK/sipp-calls/errors.log" 2>/dev/null)"
# Counted as each session ends: the RTP sp2 relayed after the failover
# (the callers send for the whole call).
for _ in $(seq 1 30); do
  pkts2=$(metric_at 2 'sb_media_relayed_packets_total{leg="a"}')
  ((${pkts2%.*} > 0)) && break
  sleep 0.1
done
((${pkts2%.*} > 0)) || fail "no RTP through sp2: $pkts2"
cdrs_ok_at() {
  curl -sk -m 10 -u "$AUTH" \
    "https://$(node_ip "$1"):$CLUSTER_MGMT_PORT/api/cdrs/?rows=1000" |
    jq '[._embedded["ngcp:cdrs"][]? | select(.call_status == "ok" and .duration >= 8.5)] | length'
}
for _ in $(seq 1 50); do
  n=$(cdrs_ok_at 2)
  ((n >= C)) && break
  sleep 0.1
done
((n == C)) || fail "complete CDRs on sp2: $n of $C"
pass "all $C calls ended normally through sp2 ($pkts2 RTP packets relayed there), $C complete CDRs on sp2"

# A new call goes through sp2, which now holds the address.
inf_calls "$WORK/after.inf" 1 1
sipp_bg after "$ENTRY" -sf "$SCEN/call_uac.xml" -inf "$WORK/after.inf" \
  -i $CLIENT -p "$(free_port)" -mp "$(free_media_port)" \
  -m 1 -d 1000 -recv_timeout 10000 -timeout 30s
sipp_wait "$SIPP_PID" after
pass "a new call through $VIP after the failover"

kill -TERM "$UAS_PID" 2>/dev/null || true
stop_nodes 2 3 4
