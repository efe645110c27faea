# Established calls survive their node: sp1 is SIGKILLed in the middle of a
# call and started again; it restores the call from its snapshot in Redis
# (the dialogs, their CSeqs, the relay on the same ports) and the call goes
# on: RTP flows through the relay again, the BYE from either side is
# relayed and answered, and the CDR has the true start and duration
# (issue 6 item 4; the standby of an HA pair restores the same way).
source "$(dirname "$0")/cluster_lib.sh"

SCEN="$SB_SOURCE_DIR/tests/integration/sip"
command -v sipp >/dev/null || fail "sipp not found (Debian package sip-tester)"

start_private_redis
BASE="$WORK/cluster"
RTP_MIN=$(( (50000 + $(od -An -N2 -tu2 /dev/urandom) % 8000) & ~1 ))
make_cluster_conf "$BASE" 1 "$LOAD_WHITELIST_YML
rtpproxy:
  minport: $RTP_MIN
  maxport: $((RTP_MIN + 99))"
start_cluster_node "$BASE" 1 "$WORK/sp1.log" --demo
wait_ready_at 127.0.0.11 "$NODE_PID"
NODE=127.0.0.11

api() { # api METHOD PATH [curl args...] -> "<status> <body>"
  http_at "$NODE" "$1" "$2" -u "$AUTH" -H 'Content-Type: application/json' "${@:3}"
}
demo_call_users "$WORK/users.csv"
# sipp_call NAME IP ARGS...: a SIPp with its messages traced; sets SIPP_PID.
sipp_call() {
  sipp_bg "$1" -i "$2" -mp "$(free_media_port)" -timeout 50s -trace_msg \
    -message_file messages.log "${@:3}"
}
# basic_call N: caller N calls a plain callee N and hangs up after 6 s;
# sets CALLER and CALLEE.
basic_call() {
  sipp_call "callee$1" 127.0.0.3 -p 5999 -sn uas -rtp_echo -m 1
  CALLEE=$SIPP_PID
  sipp_call "caller$1" 127.0.0.2 "$NODE:$CLUSTER_SIP_PORT" -p "$(free_port)" \
    -sf "$SCEN/call_uac.xml" -inf "$WORK/users.csv" -m 1 -d 6000 \
    -recv_timeout 30000
  CALLER=$SIPP_PID
}
# wait_snapshot PATTERN WHAT: until a call's record in Redis matches
# PATTERN (15 s), else fail naming WHAT.
wait_snapshot() {
  local id
  for _ in $(seq 1 150); do
    for id in $(redis-cli -p "$REDIS_PORT" SMEMBERS sb:call:index); do
      redis-cli -p "$REDIS_PORT" HGET "sb:call:$id" value |
        grep -q "$1" && return 0
    done
    sleep 0.1
  done
  fail "no $2 in Redis after 15 s"
}
# wait_confirmed: until a call's snapshot (not the setup record it has
# while ringing) is in Redis: the call is established.
wait_confirmed() { wait_snapshot '"phase":"confirmed"' "established call's snapshot"; }
# kill_node: SIGKILL sp1. restart_node: start it again, wait until ready.
RESTART=0
kill_node() {
  kill -KILL "$NODE_PID"
  wait "$NODE_PID" 2>/dev/null || true
}
restart_node() {
  RESTART=$((RESTART + 1))
  start_cluster_node "$BASE" 1 "$WORK/sp1-$RESTART.log"
  wait_ready_at "$NODE" "$NODE_PID"
}
# crash_and_restart: SIGKILL sp1 once the call is up, start it again.
crash_and_restart() {
  wait_metric "$NODE" sb_calls_active 1
  wait_confirmed
  sleep 0.5
  kill_node
  restart_node
  grep -q "calls: 1 restored from the snapshots of sp1" "$WORK/sp1-$RESTART.log" ||
    fail "no call restored: $(grep -i 'call\|snapshot' "$WORK/sp1-$RESTART.log")"
  [[ "$(metric_at 1 sb_calls_active)" == 1 ]] || fail "restored call not active"
}
# last_cdr CHECK: a CDR newer than the last one checked arrived, and the
# newest satisfies the python expression CHECK on c. CDRs reach /api/cdrs
# through the cluster's CDR log (shipped and collected every 200 ms), so it
# waits for one up to 5 s.
CDRS_SEEN=0
last_cdr() {
  local r i n
  for i in $(seq 1 50); do
    r=$(api GET "/api/cdrs/?rows=1000")
    [[ "$r" == 200* ]] || fail "GET /api/cdrs: $r"
    n=$(python3 - "$r" "$1" "$CDRS_SEEN" "$((i == 50))" <<'PY'
import json, sys
cdrs = sorted(json.loads(sys.argv[1][4:]).get("_embedded", {}).get("ngcp:cdrs", []),
              key=lambda c: c["id"])
if len(cdrs) <= int(sys.argv[3]):
    sys.exit(1)
c = cdrs[-1]
if not eval(sys.argv[2], {}, {"c": c}):
    if sys.argv[4] == "1":
        print("newest CDR:", json.dumps(c, indent=1), file=sys.stderr)
    sys.exit(1)
print(len(cdrs))
PY
    ) && { CDRS_SEEN=$n; return 0; }
    sleep 0.1
  done
  fail "CDR check failed: $1"
}

r=$(api POST /api/subscriberregistrations/ -d '{"subscriber_id": 2, "contact": "sip:1002@127.0.0.3:5999"}')
[[ "$r" == 201* ]] || fail "binding: $r"

# --- 1. The caller hangs up after the restart --------------------------------
basic_call 1
crash_and_restart
sipp_wait "$CALLER" caller1
sipp_wait "$CALLEE" callee1
wait_metric "$NODE" sb_calls_active 0
last_cdr 'c["call_status"] == "ok" and c["duration"] >= 5.5'
pkts=$(metric_at 1 'sb_media_relayed_packets_total{leg="a"}')
((${pkts%.*} > 0)) || fail "no RTP through the restored relay: $pkts"
[[ "$(redis-cli -p "$REDIS_PORT" SCARD sb:call:index)" == 0 ]] ||
  fail "snapshot left behind: $(redis-cli -p "$REDIS_PORT" SMEMBERS sb:call:index)"
pass "caller's BYE after a SIGKILL and restart: relayed, CDR complete, $pkts packets relayed since"

# --- 2. The callee hangs up after the restart --------------------------------
sipp_call callee2 127.0.0.3 -p 5999 -sf "$SCEN/callee_bye.xml" -m 1 \
  -d 6000 -rtp_echo
CALLEE=$SIPP_PID
sipp_call caller2 127.0.0.2 "$NODE:$CLUSTER_SIP_PORT" -p "$(free_port)" \
  -sf "$SCEN/call_uac_wait_bye.xml" -inf "$WORK/users.csv" -m 1 \
  -recv_timeout 30000
CALLER=$SIPP_PID
crash_and_restart
sipp_wait "$CALLEE" callee2
sipp_wait "$CALLER" caller2
last_cdr 'c["call_status"] == "ok" and c["duration"] >= 5.5'
# The caller got the BYE with a CSeq above anything sent before the crash.
grep -A12 '^BYE ' "$WORK/sipp-caller2/messages.log" | grep -q 'CSeq: 1[0-9][0-9] BYE' ||
  fail "BYE to the caller: $(grep -A12 '^BYE ' "$WORK/sipp-caller2/messages.log")"
pass "callee's BYE after a SIGKILL and restart: relayed with a fresh CSeq, CDR complete"

# --- 3. Hold and unhold (re-INVITEs) after the restart, then BYE -------------
sipp_call callee3 127.0.0.3 -p 5999 -sf "$SCEN/callee_reinvite.xml" -m 1 \
  -rtp_echo
CALLEE=$SIPP_PID
sipp_call caller3 127.0.0.2 "$NODE:$CLUSTER_SIP_PORT" -p "$(free_port)" \
  -sf "$SCEN/call_uac_hold.xml" -inf "$WORK/users.csv" -m 1 -d 5000 \
  -recv_timeout 30000
CALLER=$SIPP_PID
# Records in Redis that do not parse are logged and left alone; the good
# one is restored all the same.
rcli() { redis-cli -p "$REDIS_PORT" "$@" >/dev/null; }
rcli HSET sb:call:bogus-1 epoch 1 value 'not JSON {' gone 0
rcli HSET sb:call:bogus-2 epoch 1 value '{"node": "sp1", "setup": {}}' gone 0
rcli SADD sb:call:index bogus-1 bogus-2
crash_and_restart
grep -q 'call bogus-1: snapshot not restored: not JSON' "$WORK/sp1-$RESTART.log" &&
  grep -q 'call bogus-2: call setup record: ' "$WORK/sp1-$RESTART.log" ||
  fail "bad records not reported: $(grep -i bogus "$WORK/sp1-$RESTART.log")"
rcli DEL sb:call:bogus-1 sb:call:bogus-2
rcli SREM sb:call:index bogus-1 bogus-2
sipp_wait "$CALLER" caller3
sipp_wait "$CALLEE" callee3
last_cdr 'c["call_status"] == "ok" and c["duration"] >= 4.5'
# The re-INVITEs reached the callee with CSeqs above the ones before.
n=$(grep -A12 '^INVITE ' "$WORK/sipp-callee3/messages.log" |
  grep -c 'CSeq: 1[0-9][0-9] INVITE' || true)
((n == 2)) || fail "re-INVITEs to the callee: $(grep -A12 '^INVITE ' "$WORK/sipp-callee3/messages.log")"
pass "hold and unhold after a SIGKILL and restart: relayed on both legs, CDR complete; unparsable records reported and skipped"

# --- 4. A call still ringing when the node dies ends cleanly ----------------
# It cannot go on (its INVITE transactions died with the node), but the
# restarted node finds its setup record: the caller gets 503, the callee a
# CANCEL for its INVITE (same branch), and the call its CDR.
sipp_call callee_ring 127.0.0.3 -p 5999 -sf "$SCEN/callee_ring.xml" -m 1
CALLEE=$SIPP_PID
sed "s/@CODE@/503/" "$SCEN/call_uac_refused.xml" >"$WORK/refused-503.xml"
sipp_call caller_ring 127.0.0.2 "$NODE:$CLUSTER_SIP_PORT" -p "$(free_port)" \
  -sf "$WORK/refused-503.xml" -inf "$WORK/users.csv" -m 1 -recv_timeout 30000
CALLER=$SIPP_PID
for _ in $(seq 1 100); do
  grep -q '^SIP/2.0 180' "$WORK/sipp-callee_ring/messages.log" 2>/dev/null && break
  sleep 0.05
done
sleep 0.3 # the 180 reaches the caller through the node
kill_node
# A second, damaged copy of its setup record: the INVITE inside does not
# parse (and it has no branch to cancel). It cannot be answered, but it is
# ended all the same: counted, logged, CDR written, record erased.
id=$(redis-cli -p "$REDIS_PORT" SMEMBERS sb:call:index | head -n 1)
epoch=$(redis-cli -p "$REDIS_PORT" HGET "sb:call:$id" epoch)
bad=$(redis-cli -p "$REDIS_PORT" HGET "sb:call:$id" value |
  jq -c '.setup.invite = "NOT SIP AT ALL" | .setup.cancels = []')
[[ "$bad" == *'"setup"'* ]] || fail "no setup record in Redis: $id"
rcli HSET sb:call:bogus-3 epoch "$epoch" value "$bad" gone 0
rcli SADD sb:call:index bogus-3
restart_node
grep -q "was being set up on sp1; ended with 503 to the caller, 1 branch(es) cancelled, CDR written" \
  "$WORK/sp1-$RESTART.log" ||
  fail "the ringing call was not ended: $(grep -i 'call' "$WORK/sp1-$RESTART.log")"
grep -q "call bogus-3: was being set up on sp1; ended with 503 to the caller, 0 branch(es) cancelled, CDR written" \
  "$WORK/sp1-$RESTART.log" &&
  grep -q "503 to 127.0.0.2:[0-9]* not sent: the stored INVITE does not parse" \
    "$WORK/sp1-$RESTART.log" ||
  fail "the damaged setup record: $(grep -i 'bogus\|stored INVITE' "$WORK/sp1-$RESTART.log")"
drops=$(metric_at 1 'sb_sip_dropped_total{reason="orphan"}')
[[ "${drops%.*}" == 1 ]] || fail "orphan drops: $drops"
[[ "$(redis-cli -p "$REDIS_PORT" SISMEMBER sb:call:index bogus-3)" == 0 ]] ||
  fail "the damaged setup record is still listed"
sipp_wait "$CALLER" caller_ring
for _ in $(seq 1 100); do
  grep -q '^CANCEL ' "$WORK/sipp-callee_ring/messages.log" && break
  sleep 0.05
done
grep -q '^CANCEL ' "$WORK/sipp-callee_ring/messages.log" ||
  fail "the callee got no CANCEL: $(tail -n 40 "$WORK/sipp-callee_ring/messages.log")"
# Its 487 finds no transaction on the restarted node, which ACKs it all
# the same: the callee's scenario ends with that ACK.
sipp_wait "$CALLEE" callee_ring
last_cdr 'c["call_code"] == "503" and c["duration"] == 0'
[[ "$(metric_at 1 sb_calls_active)" == 0 ]] || fail "the ringing call counts as active"
pass "a call ringing at the SIGKILL: 503 to the caller, CANCEL to the callee (its 487 ACKed), CDR written; a damaged copy of its record ended without an answer"

# --- 5. A call answered but not yet ACKed when the node dies ends cleanly --
# Its snapshot (phase answered) replaced the setup record, so the caller,
# who has its 200, gets a BYE rather than a 503; the callee gets the ACK
# it waits for and a BYE; the CDR is written.
sipp_call callee_noack 127.0.0.3 -p 5999 -sn uas -m 1
CALLEE=$SIPP_PID
sipp_call caller_noack 127.0.0.2 "$NODE:$CLUSTER_SIP_PORT" -p "$(free_port)" \
  -sf "$SCEN/call_uac_no_ack.xml" -inf "$WORK/users.csv" -m 1 \
  -recv_timeout 30000
CALLER=$SIPP_PID
wait_snapshot '"phase":"answered"' "answered call's snapshot"
kill_node
restart_node
grep -q "was answered but not yet acknowledged; hanging up both sides" \
  "$WORK/sp1-$RESTART.log" ||
  fail "the unacknowledged call: $(grep -i 'call' "$WORK/sp1-$RESTART.log")"
sipp_wait "$CALLER" caller_noack
sipp_wait "$CALLEE" callee_noack
wait_metric "$NODE" sb_calls_active 0
last_cdr 'c["call_status"] == "ok"'
pass "a call answered but not ACKed at the SIGKILL: ACK and BYE to the callee, BYE to the caller, CDR written"

# --- 6. Frozen past its lease: fenced, the call is handed over, then back ---
# A node that wakes after its lease lapsed must not act on what it may have
# lost: its calls leave it silently, snapshots kept. Nobody took this one
# (no peer), so once the lease is renewed it comes back from its snapshot.
basic_call 4
wait_metric "$NODE" sb_calls_active 1
wait_confirmed
sleep 0.5
kill -STOP "$NODE_PID"
sleep 2
kill -CONT "$NODE_PID"
log="$WORK/sp1-$RESTART.log"
for _ in $(seq 1 100); do
  grep -q "calls: 1 restored from the snapshots of sp1" "$log" && break
  sleep 0.05
done
grep -q "handed over (this node was fenced)" "$log" ||
  fail "the call was not handed over at the fence: $(grep -i 'fenc\|call' "$log")"
grep -q "calls: 1 restored from the snapshots of sp1" "$log" ||
  fail "the call did not come back: $(grep -i 'fenc\|call' "$log")"
sipp_wait "$CALLER" caller4
sipp_wait "$CALLEE" callee4
wait_metric "$NODE" sb_calls_active 0
last_cdr 'c["call_status"] == "ok" and c["duration"] >= 5.5'
pass "frozen past its lease: the call left the fenced node and came back after it rejoined; BYE relayed, CDR complete"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 20
[[ "$EXIT_RC" == 0 ]] || fail "sp1 exit after SIGTERM: $EXIT_RC"
