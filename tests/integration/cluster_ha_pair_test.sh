# An HA pair with a moving address (issue 6 item 5): sp1 and sp2, each with
# every role and the other as its `peer`, share the service address
# 10.213.0.10 for SIP and RTP. Each node runs in a network namespace this
# test creates (a bridge, veth pairs, a client namespace with Redis and
# SIPp). A call is set up through sp1; then sp1's host dies (SIGKILL and
# its link down), the address moves to sp2 (ip addr add and a gratuitous
# ARP, what keepalived does), sp2 sees its peer dead and takes over its
# calls from their snapshots: the RTP keeps flowing through the same
# address and ports, the caller's BYE reaches the callee, and the CDR has
# the true duration. A second call's BYE reaches sp2 in the gap before the
# restore; it waits for its call there and is answered 200, not 481.
source "$(dirname "$0")/cluster_lib.sh"

SCEN="$SB_SOURCE_DIR/tests/integration/sip"
command -v sipp >/dev/null || fail "sipp not found (Debian package sip-tester)"
command -v arping >/dev/null || fail "arping not found (Debian package iputils-arping)"

TAG="sbha$$"
NSC="$TAG-c" NS1="$TAG-1" NS2="$TAG-2"
NET=10.213.0
VIP=$NET.10
trap 'cleanup; netns_down' EXIT

# Where the machine (a container) grants no namespaces, this test is
# reported as skipped (exit 77), never as passed.
if ! netns_lab "$TAG"; then
  echo "SKIP: cannot create a network namespace here: $(cat "$WORK/netns.err")"
  exit 77
fi
netns_join "$NSC" $NET.100
netns_join "$NS1" $NET.1
netns_join "$NS2" $NET.2
for ns in "$NS1" "$NS2"; do # the standby binds the shared address
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_nonlocal_bind=1
done
ip -n "$NS1" addr add $VIP/24 dev eth0
pass "namespaces: client $NET.100, sp1 $NET.1 (holds $VIP), sp2 $NET.2"

# The client namespace runs Redis, SIPp and every curl of the helpers.
CLIENT_NS=$NSC
REDIS_HOST=$NET.100 REDIS_PORT=6379
start_private_redis

BASE="$WORK/ha"
CLUSTER_MGMT_PORT=8443
mkdir -p "$BASE"
cat >"$BASE/network.yml" <<YML
hosts:
  sp1:
    role: [lb, proxy, db, mgmt]
    peer: sp2
    status: online
    interfaces: [eth0]
    eth0:
      ip: $NET.1
      shared_ip: [$VIP]
      type: [sip_ext, rtp_ext, api_int, ha_int]
  sp2:
    role: [lb, proxy, db, mgmt]
    peer: sp1
    status: online
    interfaces: [eth0]
    eth0:
      ip: $NET.2
      shared_ip: [$VIP]
      type: [sip_ext, rtp_ext, api_int, ha_int]
YML
for k in 1 2; do
  dir="$BASE/sp$k"
  mkdir -p "$dir"
  cp "$SB_SOURCE_DIR"/conf/{config,constants}.yml "$dir"/
  cp "$BASE/network.yml" "$dir/"
  cat >"$dir/config.local.yml" <<YML
general:
  data_dir: data
mgmt:
  port: $CLUSTER_MGMT_PORT
sip:
  port: 5060
cluster:
  enable: true
  port: 4370
provisioning:
  log_backend: redis
redis:
  host: $NET.100
  port: 6379
security:
  dos_whitelist_ip: [$NET.0/24]
rtpproxy:
  minport: 30000
  maxport: 30099
YML
done
declare -A NODE_PIDS=()
start_ha_node() { # start_ha_node K [ARGS...]
  local k=$1
  shift
  local ns="$TAG-$k"
  ip netns exec "$ns" "$SBNODE" --config-dir "$BASE/sp$k" --node "sp$k" "$@" \
    >"$WORK/sp$k.log" 2>&1 &
  NODE_PIDS[$k]=$!
  PIDS+=("$!")
}
start_ha_node 1 --demo
wait_ready_at $NET.1 "${NODE_PIDS[1]}"
start_ha_node 2
wait_ready_at $NET.2 "${NODE_PIDS[2]}"
api() { # api NODE-IP METHOD PATH [curl args...]
  http_at "$1" "$2" "$3" -u "$AUTH" -H 'Content-Type: application/json' "${@:4}"
}
for _ in $(seq 1 100); do
  [[ "$(count_at $NET.2 '/api/subscribers/?rows=1')" -ge 3 ]] && break
  sleep 0.1
done
r=$(api $NET.1 POST /api/subscriberregistrations/ \
  -d "{\"subscriber_id\": 2, \"contact\": \"sip:1002@$NET.100:5999\"}")
[[ "$r" == 201* ]] || fail "binding: $r"
pass "sp1 and sp2 up, the demo subscribers on both, the callee bound"

demo_call_users "$WORK/users.csv"
sipp_call() { # sipp_call NAME ARGS...: SIPp in the client namespace
  sipp_bg "$1" -i $NET.100 -timeout 50s -trace_msg -message_file messages.log \
    "${@:2}"
}
sipp_call callee -p 5999 -mp 6000 -sn uas -rtp_echo -m 2
CALLEE=$SIPP_PID
sipp_call caller "$VIP:5060" -p 5061 -mp 6100 -sf "$SCEN/call_uac.xml" \
  -inf "$WORK/users.csv" -m 1 -d 7000 -recv_timeout 30000
CALLER=$SIPP_PID
wait_metric $NET.1 sb_calls_active 1
sleep 1
# A second call hangs up about 0.6 s after sp1 dies: its BYE reaches sp2
# before sp2 has seen sp1 dead and restored the calls (about 1.2 s), and
# must wait for its call there instead of getting 481 (dialog_wait.hpp).
SHORT_MS=2500
sipp_call short "$VIP:5060" -p 5062 -mp 6200 -sf "$SCEN/call_uac.xml" \
  -inf "$WORK/users.csv" -m 1 -d $SHORT_MS -recv_timeout 30000
SHORT=$SIPP_PID
wait_metric $NET.1 sb_calls_active 2
short_up=$(date +%s%N)
pass "two calls up through $VIP on sp1"

# call_ended_on K MIN_S NAME N TOTAL: the N calls spK took over have ended
# there: spK, a db node, lists TOTAL CDRs (every call of the pair so far)
# and the newest N are complete (the longest at least MIN_S s); RTP went
# through its relay on the shared address, and the first call's trace,
# recorded from the restored state, replays identically (kept as
# NAME.trace.json).
call_ended_on() {
  local k=$1 r pkts list id out
  wait_metric $NET.$k sb_calls_active 0
  for _ in $(seq 1 50); do # CDRs arrive through the CDR log
    r=$(api $NET.$k GET "/api/cdrs/?rows=100")
    [[ "$(jq '._embedded["ngcp:cdrs"] | length' <<<"${r#200 }")" -ge $5 ]] && break
    sleep 0.1
  done
  python3 - "$r" "$2" "$4" "$5" <<'PY' || fail "CDRs on sp$k: $r"
import json, sys
cdrs = json.loads(sys.argv[1][4:]).get("_embedded", {}).get("ngcp:cdrs", [])
assert len(cdrs) == int(sys.argv[4]), cdrs
cdrs = sorted(cdrs, key=lambda c: c["id"])[-int(sys.argv[3]):]
assert all(c["call_status"] == "ok" for c in cdrs), cdrs
assert max(c["duration"] for c in cdrs) >= float(sys.argv[2]), cdrs
PY
  pkts=$(metric_of $NET.$k 'sb_media_relayed_packets_total{leg="a"}')
  ((${pkts%.*} > 0)) || fail "no RTP through sp$k's relay on $VIP: $pkts"
  list=$(sbctl_on "$k" list) || fail "sbctl trace list on sp$k: $list"
  id=$(awk '$2 == "call" { print $1; exit }' <<<"$list")
  [[ -n "$id" ]] || fail "no trace of the $3 call on sp$k: $list"
  sbctl_on "$k" dump -o "$WORK/$3.trace.json" "$id" >/dev/null || fail "sbctl trace dump $id"
  out=$("$SBCTL" trace replay "$WORK/$3.trace.json") || fail "replay: $out"
  [[ "$out" == "identical: call "*", restored and "* ]] || fail "replay: $out"
  pass "BYE through $VIP on sp$k, CDR complete, $pkts RTP packets relayed by sp$k; the $3 trace replays: $out"
}

# sp2 records the calls it will run: the one it takes over too.
# sbctl_on K ARGS...: sbctl trace for spK, from the client namespace
sbctl_on() { ip netns exec "$NSC" "$SBCTL" trace "$2" --config-dir "$BASE/sp$1" --node "sp$1" "${@:3}"; }
out=$(sbctl_on 2 start) || fail "sbctl trace start on sp2: $out"

# sp1's host dies; the address moves to sp2, announced by gratuitous ARP.
sleep_ms=$(( (short_up - $(date +%s%N)) / 1000000 + SHORT_MS - 600 ))
((sleep_ms <= 0)) || sleep "$(printf '%d.%03d' $((sleep_ms / 1000)) $((sleep_ms % 1000)))"
kill -KILL "${NODE_PIDS[1]}"
ip -n "$NS1" link set eth0 down
t0=$(date +%s%N)
ip -n "$NS2" addr add $VIP/24 dev eth0
ip netns exec "$NS2" arping -q -U -c 2 -I eth0 $VIP || true
for _ in $(seq 1 100); do
  grep -q "calls: 2 restored from the snapshots of sp1" "$WORK/sp2.log" && break
  sleep 0.05
done
grep -q "calls: 2 restored from the snapshots of sp1" "$WORK/sp2.log" ||
  fail "sp2 did not take over sp1's calls: $(grep -i 'call\|cluster' "$WORK/sp2.log")"
took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
pass "sp2 took over the calls ${took_ms} ms after sp1 died"

sipp_wait "$SHORT" short
grep -q "BYE waited for the call to be restored here" "$WORK/sp2.log" ||
  fail "the short call's BYE did not reach sp2 before the restore: $(grep -i 'call' "$WORK/sp2.log")"
pass "a BYE that reached sp2 before the restore waited for its call and was answered 200"
sipp_wait "$CALLER" caller
sipp_wait "$CALLEE" callee
# The taken-over calls' trace starts from the state it was restored with
# and replays identically through the pure call core.
call_ended_on 2 6.5 failover 2 2

# --- planned switchover: sbctl node drain moves the calls ------------------
# sp1's host comes back as the standby (without the address), and a call is
# set up through sp2. Draining sp2 makes it not ready; keepalived, played
# here, moves the address to sp1; sp2 sees it gone, freezes its call with
# its last snapshot and asks sp1 to take it over, then exits 0. The call
# goes on through the same address.
ip -n "$NS1" addr del $VIP/24 dev eth0
ip -n "$NS1" link set eth0 up
start_ha_node 1
wait_ready_at $NET.1 "${NODE_PIDS[1]}"
view() { # view K [QUERY]: spK's /control/cluster (the cluster_lib one, here)
  local r
  r=$(http_at "$NET.$1" GET "/control/cluster${2:+?$2}" \
    -H "Authorization: Bearer $(token "$1")")
  [[ "$r" == 200* ]] && echo "${r#200 }" || echo "{}"
}
wait_state 2 sp1 alive 15 >/dev/null
wait_state 1 sp2 alive 15 >/dev/null
sipp_call callee2 -p 5999 -mp 6000 -sn uas -rtp_echo -m 1
CALLEE=$SIPP_PID
sipp_call caller2 "$VIP:5060" -p 5061 -mp 6100 -sf "$SCEN/call_uac.xml" \
  -inf "$WORK/users.csv" -m 1 -d 8000 -recv_timeout 30000
CALLER=$SIPP_PID
wait_metric $NET.2 sb_calls_active 1
sleep 1
out=$(sbctl_on 1 start) || fail "sbctl trace start on sp1: $out"
pass "sp1 back as the standby, a call up through $VIP on sp2"

ip netns exec "$NSC" timeout -k 2 60 "$SBCTL" node --config-dir "$BASE/sp2" \
  --node sp2 drain --wait-s 30 >"$WORK/drain.out" 2>&1 &
DRAIN=$!
for _ in $(seq 1 100); do
  grep -q "drain: the calls move to sp1" "$WORK/sp2.log" && break
  sleep 0.05
done
grep -q "drain: the calls move to sp1" "$WORK/sp2.log" ||
  fail "sp2 does not move its calls: $(grep -i drain "$WORK/sp2.log")"
[[ "$(http_at $NET.2 GET /readyz)" != 200* ]] || fail "a draining sp2 is ready"
t0=$(date +%s%N)
ip -n "$NS2" addr del $VIP/24 dev eth0
ip -n "$NS1" addr add $VIP/24 dev eth0
ip netns exec "$NS1" arping -q -U -c 2 -I eth0 $VIP &
ARPING=$!
for _ in $(seq 1 100); do
  grep -q "calls: 1 restored from the snapshots of sp2" "$WORK/sp1.log" && break
  sleep 0.05
done
grep -q "calls: 1 restored from the snapshots of sp2" "$WORK/sp1.log" ||
  fail "sp1 did not take the call over: $(grep -i 'call\|drain' "$WORK/sp1.log" "$WORK/sp2.log")"
took_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$ARPING" || true
wait "$DRAIN" || fail "sbctl node drain sp2: $(cat "$WORK/drain.out")"
grep -q 'drained and stopped' "$WORK/drain.out" || fail "drain: $(cat "$WORK/drain.out")"
wait_exit "${NODE_PIDS[2]}" 10
[[ "$EXIT_RC" == 0 ]] || fail "drained sp2 exited $EXIT_RC"
grep -q "call .*: migrated (this node is draining)" "$WORK/sp2.log" ||
  fail "sp2 did not migrate the call"
pass "sp2 drained: the call moved to sp1 ${took_ms} ms after the address, sp2 exited 0"

sipp_wait "$CALLER" caller2
sipp_wait "$CALLEE" callee2
call_ended_on 1 7.5 migration 1 3

kill -TERM "${NODE_PIDS[1]}"
wait_exit "${NODE_PIDS[1]}" 20
[[ "$EXIT_RC" == 0 ]] || fail "sp1 exit after SIGTERM: $EXIT_RC"
