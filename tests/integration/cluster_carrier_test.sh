#!/usr/bin/env bash
# The carrier layout: an lb node in front (SIP edge, media relay, no proxy
# role) and proxy nodes behind it with no SIP socket of their own. The lb
# forwards every REGISTER to the proxy node that owns the AoR; the AoRs
# spread over the proxies and none stays on the lb; every node lists every
# binding; the NAT keepalive of a binding kept on a proxy leaves from the
# lb, from the address the REGISTER came in on. Calls run on their home
# proxy (rendezvous over the proxies of the call's key), with their SIP
# transactions and media on the lb, and write their CDRs there; when a
# proxy dies its calls go on at the other.
source "$(dirname "$0")/cluster_lib.sh"

N=20
DOMAIN=carrier.example
SCEN="$SB_SOURCE_DIR/tests/integration/sip"
start_private_redis
BASE="$WORK/cluster"
mkdir -p "$BASE"
cat >"$BASE/network.yml" <<'YML'
hosts:
  sp1:
    role: [lb, db, mgmt]
    interfaces: [lo]
    lo:
      ip: 127.0.0.11
      type: [sip_ext, rtp_ext, api_int, ha_int]
  sp2:
    role: [proxy, mgmt]
    interfaces: [lo]
    lo:
      ip: 127.0.0.12
      type: [api_int, ha_int]
  sp3:
    role: [proxy, mgmt]
    interfaces: [lo]
    lo:
      ip: 127.0.0.13
      type: [api_int, ha_int]
YML
make_cluster_conf "$BASE" 3 "$LOAD_WHITELIST_YML"
for k in 1 2 3; do
  sed -i 's/^sip:/sip:\n  nat_keepalive_interval_s: 1/' "$BASE/sp$k/config.local.yml"
done
start_cluster "$BASE" 1 2 3
declare -A NODE_LOG=([1]="$WORK/sp1.log" [2]="$WORK/sp2.log" [3]="$WORK/sp3.log")
wait_state 1 sp2 alive 15 >/dev/null
wait_state 1 sp3 alive 15 >/dev/null
# d0001..dN register with the UAS below; d(N+1), d(N+2) get callees of
# their own (a second binding would fork their calls to the UAS too).
provision_subscribers "$DOMAIN" $((N + 2))
pass "lb sp1 and proxies sp2, sp3 up; $((N + 2)) subscribers provisioned"

SIP1="127.0.0.11:$CLUSTER_SIP_PORT"
UAS_PORT=$(free_port)
sipp_bg uas -sn uas -rtp_echo -i 127.0.0.2 -p "$UAS_PORT" -mp "$(free_media_port)"
inf_users "$WORK/regs.inf" 1 "$N"
sipp_bg reg "$SIP1" -sf "$SCEN/register.xml" -inf "$WORK/regs.inf" \
  -i 127.0.0.4 -p "$(free_port)" -m "$N" -r 20 -l 100 \
  -key expires 600 -key contact_hp "127.0.0.2:$UAS_PORT" \
  -recv_timeout 5000 -timeout 60s
wait "$SIPP_PID" || true
[[ "$(successes reg)" == "$N" ]] || fail "$(successes reg) of $N registrations succeeded"

on2=$(owned_by sp2) on3=$(owned_by sp3)
((on2 > 0 && on3 > 0 && on2 + on3 == N)) ||
  fail "AoRs not spread over the proxies: sp2 $on2, sp3 $on3 of $N"
[[ "$(owned_by sp1)" == 0 ]] || fail "the lb owns AoRs"
# Heartbeats carry the actor counts (200 ms).
for _ in $(seq 1 50); do
  [[ "$(actors_of sp2)" == "$on2" && "$(actors_of sp3)" == "$on3" ]] && break
  sleep 0.1
done
[[ "$(actors_of sp1)" == 0 ]] || fail "the lb runs $(actors_of sp1) actors"
[[ "$(actors_of sp2)" == "$on2" && "$(actors_of sp3)" == "$on3" ]] ||
  fail "actors: sp2 $(actors_of sp2) (owns $on2), sp3 $(actors_of sp3) (owns $on3)"
pass "$N registrations through the lb: sp2 runs $on2 AoRs, sp3 $on3, the lb none"

for k in 1 2 3; do
  c=$(count_at "$(node_ip "$k")" "/api/subscriberregistrations/?rows=1")
  [[ "$c" == "$N" ]] || fail "sp$k lists $c bindings, not $N"
done
pass "every node lists all $N bindings"

# A NATed binding on a proxy: its keepalive goes out through the lb.
out=$(timeout 20 python3 "$SCEN/nat_register.py" "$CLUSTER_SIP_PORT" \
  d0001 pw0001 5 127.0.0.11 "$DOMAIN")
[[ "$(sed -n 1p <<<"$out")" == "SIP/2.0 200 OK" ]] || fail "NAT register: $out"
[[ "$(sed -n 2p <<<"$out")" == "OPTIONS sip:d0001@10.9.9.9:5060 SIP/2.0" ]] ||
  fail "keepalive: $out"
[[ "$(sed -n 3p <<<"$out")" == "from 127.0.0.11:"* ]] ||
  fail "the keepalive did not leave from the lb: $out"
owner=$(view 1 "key=subscriber:sip:d0001@$DOMAIN" | jq -r '.owner')
pass "the keepalive of a binding kept on $owner left from the lb ($(sed -n 3p <<<"$out"))"

# Calls: each runs on its home among the proxies (by its Call-ID), with
# its SIP and media through the lb.
# hold_calls NAME COUNT HOLD_MS: COUNT calls from d0000 to d0002.. held
# HOLD_MS, in the background (CALLS_PID); returns once the proxies run
# them all (or 6 s passed), with a1, a2, a3: each node's calls.
hold_calls() {
  inf_calls "$WORK/$1.inf" 2 $(($2 + 1))
  sipp_bg "$1" "$SIP1" -sf "$SCEN/call_uac.xml" -inf "$WORK/$1.inf" \
    -i 127.0.0.3 -p "$(free_port)" -mp "$(free_media_port)" \
    -m "$2" -r "$2" -l "$2" -d "$3" -recv_timeout 20000 -timeout 60s
  CALLS_PID=$SIPP_PID
  for _ in $(seq 1 60); do
    a1=$(metric_at 1 sb_calls_active) a2=$(metric_at 2 sb_calls_active)
    a3=$(metric_at 3 sb_calls_active)
    ((a2 + a3 == $2)) && break
    sleep 0.1
  done
}
C=12
pkts0=$(metric_at 1 'sb_media_relayed_packets_total{leg="a"}')
hold_calls calls "$C" 3000
((a1 == 0)) || fail "the lb runs $a1 calls"
((a2 + a3 == C && a2 > 0 && a3 > 0)) ||
  fail "calls up: sp2 $a2, sp3 $a3, not $C spread over both"
wait "$CALLS_PID" || true
[[ "$(successes calls)" == "$C" ]] || fail "calls: $(successes calls) of $C"
pkts=$(metric_at 1 'sb_media_relayed_packets_total{leg="a"}')
# What one call's caller sends (its whole pcap), for the freeze below.
per_call=$(((${pkts%.*} - ${pkts0%.*}) / C))
((per_call > 100)) || fail "RTP through the lb's relay: $pkts0 -> $pkts packets"
# Every CDR is listed by the db node (sp1), whichever proxy ran the call:
# each proxy ships its CDRs to the cluster's CDR log, sp1 collects it.
cdrs_at() {
  curl -sk -m 10 -u "$AUTH" \
    "https://$(node_ip "$1"):$CLUSTER_MGMT_PORT/api/cdrs/?rows=1000" |
    jq '[._embedded["ngcp:cdrs"][]? | select(.call_status == "ok")] | length'
}
# wait_cdrs N WHAT: sp1 lists N ok CDRs within 5 s, and not more.
wait_cdrs() {
  local n
  for _ in $(seq 1 50); do
    n=$(cdrs_at 1)
    ((n >= $1)) && break
    sleep 0.1
  done
  ((n == $1)) || fail "$2: sp1 lists $n CDRs, not $1"
}
shipped_at() { metric_at "$1" sb_cdrs_shipped_total; }
wait_cdrs "$C" "CDRs of the first calls"
s2=$(shipped_at 2) s3=$(shipped_at 3)
((s2 == a2 && s3 == a3)) || fail "CDRs shipped: sp2 $s2 (ran $a2), sp3 $s3 (ran $a3)"
[[ "$(cdrs_at 2)" == 0 && "$(metric_at 2 sb_cdr_outbox)" == 0 ]] ||
  fail "sp2 keeps CDRs: lists $(cdrs_at 2), outbox $(metric_at 2 sb_cdr_outbox)"
pass "$C calls through the lb ran on their home proxies (sp2 $a2, sp3 $a3), media relayed by the lb, a CDR each, all listed on the db node"

# In-dialog requests of either leg find the call's home by their Call-ID:
# the callee's BYE (the B leg's Call-ID carries the key), the caller's
# re-INVITEs (hold and resume: the lb's relay rewrites their SDP).
special_callee() { # special_callee NAME USER SCENARIO: a UAS for dUSER
  local port
  port=$(free_port)
  inf_users "$WORK/$1.inf" "$2" "$2"
  sipp_bg "reg-$1" "$SIP1" -sf "$SCEN/register.xml" -inf "$WORK/$1.inf" \
    -i 127.0.0.4 -p "$(free_port)" -m 1 -key expires 600 \
    -key contact_hp "127.0.0.5:$port" -recv_timeout 5000 -timeout 30s
  sipp_wait "$SIPP_PID" "reg-$1"
  sipp_bg "$1" -sf "$SCEN/$3" -i 127.0.0.5 -p "$port" \
    -mp "$(free_media_port)" -m 1 -d 1000 -rtp_echo -timeout 60s
}
special_callee byecallee $((N + 1)) callee_bye.xml
BYE_CALLEE=$SIPP_PID
inf_calls "$WORK/bye_calls.inf" $((N + 1)) $((N + 1))
sipp_bg byecaller "$SIP1" -sf "$SCEN/call_uac_wait_bye.xml" \
  -inf "$WORK/bye_calls.inf" -i 127.0.0.3 -p "$(free_port)" \
  -mp "$(free_media_port)" -m 1 -recv_timeout 10000 -timeout 60s
sipp_wait "$SIPP_PID" byecaller
sipp_wait "$BYE_CALLEE" byecallee
special_callee holdcallee $((N + 2)) callee_reinvite.xml
HOLD_CALLEE=$SIPP_PID
inf_calls "$WORK/hold_calls.inf" $((N + 2)) $((N + 2))
sipp_bg holdcaller "$SIP1" -sf "$SCEN/call_uac_hold.xml" \
  -inf "$WORK/hold_calls.inf" -i 127.0.0.3 -p "$(free_port)" \
  -mp "$(free_media_port)" -m 1 -recv_timeout 10000 -timeout 60s
sipp_wait "$SIPP_PID" holdcaller
sipp_wait "$HOLD_CALLEE" holdcallee
pass "through the lb: the callee's BYE and the caller's hold and resume reach the call on its proxy"
# Wrong passwords through the lb: the proxy that checks the digest tells
# the lb's shield, which bans the source (3 failures, the default).
owner20=$(view 1 "key=subscriber:sip:d00$N@$DOMAIN" | jq -r '.owner')
printf 'SEQUENTIAL\nd00%s;%s;wrong;[authentication username=d00%s password=wrong]\n' \
  "$N" "$DOMAIN" "$N" >"$WORK/wrong.inf"
sipp_bg wrong "$SIP1" -sf "$SCEN/register_wrong_password.xml" \
  -inf "$WORK/wrong.inf" -i 127.0.0.6 -p "$(free_port)" -m 3 -r 10 -l 1 \
  -key expires 600 -key contact_hp 127.0.0.6:5998 -recv_timeout 5000 \
  -timeout 30s
sipp_wait "$SIPP_PID" wrong
for _ in $(seq 1 30); do
  [[ "$(metric_at 1 'sb_sip_bans_total{kind="failed_auth_ip"}')" == 1 ]] && break
  sleep 0.1
done
[[ "$(metric_at 1 'sb_sip_bans_total{kind="failed_auth_ip"}')" == 1 ]] ||
  fail "the lb did not ban 127.0.0.6 after 3 wrong passwords checked on $owner20"
inf_users "$WORK/other.inf" 3 3
sipp_bg banned "$SIP1" -sf "$SCEN/register_refused.xml" -inf "$WORK/other.inf" \
  -i 127.0.0.6 -p "$(free_port)" -m 1 -key expires 600 \
  -key contact_hp 127.0.0.6:5998 -recv_timeout 5000 -timeout 30s
sipp_wait "$SIPP_PID" banned
pass "3 wrong passwords checked on $owner20: the lb banned 127.0.0.6 (403 to its next REGISTER)"

# A proxy dies (SIGKILL) with calls up: the other proxy takes its calls
# over from their snapshots (their edge and media stay on the lb, which
# reopens the relay on the same ports), and every call ends normally with
# its CDR. The victim is the proxy with more of the calls.
C2=8
cdrs_before=$(cdrs_at 1)
hold_calls calls2 "$C2" 8000
((a2 + a3 == C2)) || fail "calls up before the kill: sp2 $a2, sp3 $a3"
if ((a2 >= a3)); then V=2 S=3 lost=$a2; else V=3 S=2 lost=$a3; fi
sleep 1 # answered and ACKed: their snapshots are in Redis
kill -KILL "${NODE_PIDS[$V]}"
wait_state 1 "sp$V" dead 5 >/dev/null
wait "$CALLS_PID" || true
[[ "$(successes calls2)" == "$C2" ]] ||
  fail "calls across sp$V's death: $(successes calls2) of $C2"
grep -q "calls: $lost restored from the snapshots of sp$V" "${NODE_LOG[$S]}" ||
  fail "sp$S did not take over sp$V's $lost calls: $(grep 'restored from' "${NODE_LOG[$S]}")"
wait_cdrs $((cdrs_before + C2)) "CDRs of the calls across the kill"
pass "sp$V killed with $lost of $C2 calls: sp$S took them over, all $C2 ended normally with a CDR each"

# The killed proxy comes back; then the busier proxy freezes (SIGSTOP)
# with calls up: the other takes its calls over and the lb hands it their
# media sessions, which the frozen node still holds, so the media goes on;
# woken (SIGCONT), the frozen node is fenced and gives up its calls
# without a word and without a CDR.
start_cluster_node "$BASE" "$V" "$WORK/sp$V-2.log"
NODE_LOG[$V]="$WORK/sp$V-2.log"
wait_ready_at "$(node_ip "$V")" "${NODE_PIDS[$V]}"
wait_state 1 "sp$V" alive 15 >/dev/null
cdrs_before=$(cdrs_at 1)
pkts0=$(metric_at 1 'sb_media_relayed_packets_total{leg="a"}')
hold_calls calls3 "$C2" 8000
((a2 + a3 == C2)) || fail "calls up before the freeze: sp2 $a2, sp3 $a3"
if ((a2 >= a3)); then V=2 S=3 lost=$a2; else V=3 S=2 lost=$a3; fi
shipped_before=$(shipped_at "$V")
sleep 1
kill -STOP "${NODE_PIDS[$V]}"
wait_state 1 "sp$V" dead 5 >/dev/null
wait "$CALLS_PID" || true
[[ "$(successes calls3)" == "$C2" ]] ||
  fail "calls across sp$V's freeze: $(successes calls3) of $C2"
wait_cdrs $((cdrs_before + C2)) "CDRs of the calls across the freeze"
# Counted as each session ends, just after its call; no more than a tenth
# lost across the freeze.
want=$((per_call * C2 * 9 / 10))
for _ in $(seq 1 30); do
  pkts=$(metric_at 1 'sb_media_relayed_packets_total{leg="a"}')
  (((${pkts%.*} - ${pkts0%.*}) >= want)) && break
  sleep 0.1
done
(((${pkts%.*} - ${pkts0%.*}) >= want)) ||
  fail "media of the calls across the freeze: $pkts0 -> $pkts packets, want $want more"
kill -CONT "${NODE_PIDS[$V]}"
wait_state 1 "sp$V" alive 15 >/dev/null
for _ in $(seq 1 50); do
  grep -q "fenced" "${NODE_LOG[$V]}" && break
  sleep 0.1
done
grep -q "fenced" "${NODE_LOG[$V]}" || fail "sp$V was not fenced after its freeze"
sleep 0.5 # a CDR it wrote would be shipped and collected by now
[[ "$(shipped_at "$V")" == "$shipped_before" ]] ||
  fail "the woken sp$V wrote CDRs: shipped $shipped_before -> $(shipped_at "$V")"
wait_cdrs $((cdrs_before + C2)) "CDRs after sp$V woke"
pass "sp$V frozen with $lost of $C2 calls: sp$S took them over with their media, all ended normally; woken, sp$V was fenced and wrote no CDR"

# Maintenance: the busier proxy is drained with calls up. Its calls freeze
# between transactions, the other proxy takes them over (through the same
# lb, on the same media ports), and the drained node exits 0.
cdrs_before=$(cdrs_at 1)
hold_calls calls4 "$C2" 8000
((a2 + a3 == C2)) || fail "calls up before the drain: sp2 $a2, sp3 $a3"
if ((a2 >= a3)); then V=2 S=3 moved=$a2; else V=3 S=2 moved=$a3; fi
sleep 1
out=$(timeout -k 2 60 "$SBCTL" node --config-dir "$BASE/sp$V" --node "sp$V" drain --wait-s 30) ||
  fail "sbctl node drain: $out"
grep -q 'drained and stopped' <<<"$out" || fail "drain output: $out"
wait_exit "${NODE_PIDS[$V]}" 10
[[ "$EXIT_RC" == 0 ]] || fail "drained sp$V exited $EXIT_RC"
wait "$CALLS_PID" || true
[[ "$(successes calls4)" == "$C2" ]] ||
  fail "calls across sp$V's drain: $(successes calls4) of $C2"
wait_cdrs $((cdrs_before + C2)) "CDRs of the calls across the drain"
pass "sp$V drained with $moved of $C2 calls and exited 0: sp$S took them over, all ended normally with a CDR each"

# Nothing was lost between the nodes on the way (an ACK without its text
# once was).
if grep -h "does not parse\|not JSON\|does not decode" "$WORK"/sp*.log; then
  fail "a message between the nodes was lost"
fi

stop_nodes 1 "$S"
pass "all nodes stopped cleanly"
