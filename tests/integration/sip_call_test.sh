# Calls end to end through a real node, driven by SIPp on both sides: the
# caller (127.0.0.2) authenticates its INVITE with digest (407), the
# callees (127.0.0.3, .4) are permanent bindings of the demo subscribers,
# RTP (g711a.pcap, echoed back with -rtp_echo) flows through the relay on
# 127.0.0.1. Every scenario checks the answers SIPp got and the CDR the
# call left; at the end no call, media session, port pair or binding is
# left behind (metrics and API).
source "$(dirname "$0")/lib.sh"

SCEN="$SB_SOURCE_DIR/tests/integration/sip"
command -v sipp >/dev/null || fail "sipp not found (Debian package sip-tester)"
command -v python3 >/dev/null || fail "python3 not found"

CONF="$WORK/conf"
make_conf "$CONF"
RTP_MIN=$(( (50000 + $(od -An -N2 -tu2 /dev/urandom) % 8000) & ~1 ))
cat >>"$CONF/config.local.yml" <<YML
  ring_timeout_s: 2
rtpproxy:
  minport: $RTP_MIN
  maxport: $((RTP_MIN + 199))
  rtp_timeout: 5
security:
  dos_whitelist_ip: [127.0.0.2]
YML
start_node "$CONF" "$WORK/node.log" --demo
wait_ready

CALLER_IP=127.0.0.2
AUTH=administrator:administrator
api() { # api METHOD PATH [curl args...] -> "<status> <body>"
  local method=$1 path=$2
  shift 2
  http "$method" "$path" -u "$AUTH" -H 'Content-Type: application/json' "$@"
}
metric() { # metric LINE-PREFIX -> its value (0 if absent)
  local v
  v=$(http GET /metrics | awk -v k="$1" '$1 == k { print $2; exit }') || true
  echo "${v:-0}"
}
bind() { # bind SUBSCRIBER_ID CONTACT -> the binding's id
  local r
  r=$(curl -sk -m 5 -u "$AUTH" -H 'Content-Type: application/json' \
        -X POST "https://127.0.0.1:$MGMT_PORT/api/subscriberregistrations/" \
        -d "{\"subscriber_id\": $1, \"contact\": \"$2\"}" \
        -o /dev/null -w '%{http_code} %header{location}') || true
  [[ "$r" == 201* ]] || fail "binding $2 for subscriber $1: $r"
  echo "${r##*/}"
}
unbind() { # unbind BINDING_ID
  local r
  r=$(api DELETE "/api/subscriberregistrations/$1")
  [[ "$r" == 204* ]] || fail "DELETE binding $1: $r"
}
prefs() { # prefs SUBSCRIBER_ID JSON: replaces the subscriber's preferences
  local r
  r=$(api PUT "/api/subscriberpreferences/$1" -d "$2")
  [[ "$r" == 200* || "$r" == 204* ]] || fail "PUT preferences of $1: $r"
}
users() { # users CALLER CALLEE -> an injection file for the call_uac scenarios
  local file="$WORK/users-$1-$2.csv"
  printf 'SEQUENTIAL\n%s;127.0.0.1;[authentication username=%s password=demo%s];%s\n' \
    "$1" "$1" "$1" "$2" >"$file"
  echo "$file"
}

# callee NAME IP SCENARIO-ARGS...: a SIPp callee in the background; sets
# CALLEE_PORT and CALLEE_PID. Bounded by `timeout`.
callee() {
  local name=$1 ip=$2
  shift 2
  local dir="$WORK/sipp-$name"
  mkdir -p "$dir"
  CALLEE_PORT=$(free_port)
  local mport=$(free_media_port)
  (cd "$dir" && exec timeout -k 2 60 sipp -i "$ip" -p "$CALLEE_PORT" \
     -mp "$mport" -nostdin -timeout 50s -trace_err -error_file errors.log \
     -trace_msg -message_file messages.log -trace_logs -log_file log.log \
     "$@" >sipp.out 2>&1) &
  CALLEE_PID=$!
  PIDS+=("$CALLEE_PID")
}
# callee_1002 NAME SCENARIO-ARGS...: a SIPp callee on 127.0.0.3 that is
# subscriber 1002's only binding (the previous step's goes), waited for by
# expect_ok.
B1002=""
callee_1002() {
  [[ -z "$B1002" ]] || unbind "$B1002"
  callee "$1" 127.0.0.3 "${@:2}"
  B1002=$(bind 2 "sip:1002@127.0.0.3:$CALLEE_PORT")
  WAIT_CALLEES=("$CALLEE_PID")
}
# caller NAME SCENARIO USERS CALLS [ARGS...]: a SIPp caller to the node,
# waited for; sets CALLER_RC.
caller_bg() {
  local name=$1 scen=$2 inf=$3 calls=$4
  shift 4
  local dir="$WORK/sipp-$name"
  mkdir -p "$dir"
  local port mport
  port=$(free_port)
  mport=$(free_media_port)
  (cd "$dir" && exec timeout -k 2 60 sipp "127.0.0.1:$SIP_PORT" -sf "$scen" \
     -inf "$inf" -i "$CALLER_IP" -p "$port" -mp "$mport" -m "$calls" \
     -nostdin -recv_timeout 30000 -timeout 50s -trace_err \
     -error_file errors.log -trace_msg -message_file messages.log \
     -trace_logs -log_file log.log "$@" >sipp.out 2>&1) &
  CALLER_PID=$!
  PIDS+=("$CALLER_PID")
}
caller() {
  caller_bg "$@"
  CALLER_RC=0
  wait "$CALLER_PID" || CALLER_RC=$?
}
sipp_fail() { # sipp_fail MESSAGE NAME...: fail showing what SIPp saw
  local msg=$1 n f
  shift
  for n in "$@"; do
    for f in "$WORK/sipp-$n"/{errors.log,messages.log,sipp.out}; do
      [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 60 "$f" >&2; }
    done
  done
  fail "$msg"
}
expect_ok() { # expect_ok NAME...: every SIPp run named succeeded
  [[ "$CALLER_RC" == 0 ]] || sipp_fail "caller $1: exit $CALLER_RC" "$@"
  local pid rc
  for pid in "${WAIT_CALLEES[@]}"; do
    rc=0
    wait "$pid" || rc=$?
    [[ "$rc" == 0 ]] || sipp_fail "callee of $1: exit $rc" "$@"
  done
  WAIT_CALLEES=()
}
WAIT_CALLEES=()

CDRS_SEEN=0
# new_cdrs N CHECK: the N CDRs written since the last call (by id) must
# satisfy the python expression CHECK over each `c`; prints them on failure.
new_cdrs() {
  local n=$1 check=$2 r
  for _ in $(seq 1 50); do
    r=$(api GET "/api/cdrs/?rows=1000")
    [[ "$r" == 200* ]] || fail "GET /api/cdrs: $r"
    if [[ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1][4:]).get("total_count",0))' "$r")" -ge $((CDRS_SEEN + n)) ]]; then
      break
    fi
    sleep 0.1
  done
  python3 - "$r" "$CDRS_SEEN" "$n" "$check" <<'PY' || fail "CDR check failed: $check"
import json, sys
body = json.loads(sys.argv[1][4:])
seen, n, check = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
cdrs = sorted(body.get("_embedded", {}).get("ngcp:cdrs", []), key=lambda c: c["id"])
fresh = cdrs[seen:]
if len(fresh) != n:
    print(f"expected {n} new CDRs, found {len(fresh)}", file=sys.stderr)
    sys.exit(1)
for c in fresh:
    if not eval(check, {}, {"c": c}):
        print("CDR does not satisfy the check:", json.dumps(c, indent=1), file=sys.stderr)
        sys.exit(1)
PY
  CDRS_SEEN=$((CDRS_SEEN + n))
}

# --- 1. Basic calls with RTP both ways, 100 of them --------------------------
callee_1002 basic_callee -sn uas -rtp_echo -m 100
pkts_a0=$(metric 'sb_media_relayed_packets_total{leg="a"}')
pkts_b0=$(metric 'sb_media_relayed_packets_total{leg="b"}')
caller basic "$SCEN/call_uac.xml" "$(users 1001 1002)" 100 -r 20 -l 60 -d 2000
expect_ok basic basic_callee
new_cdrs 100 'c["call_status"] == "ok" and c["call_code"] == "200" and 1.9 <= c["duration"] <= 3.5 and c["source_user"] == "1001" and c["destination_user"] == "1002" and c["source_ip"] == "127.0.0.2" and c["source_cli"] == "4311001" and c["destination_cli"] == "4311002"'
pkts_a=$(metric 'sb_media_relayed_packets_total{leg="a"}')
pkts_b=$(metric 'sb_media_relayed_packets_total{leg="b"}')
python3 -c "import sys; a,a0,b,b0=map(float,sys.argv[1:]); sys.exit(0 if a-a0 >= 100*40 and b-b0 >= 100*40 else 1)" \
  "$pkts_a" "$pkts_a0" "$pkts_b" "$pkts_b0" ||
  fail "RTP through the relay: caller side $pkts_a0 -> $pkts_a, callee side $pkts_b0 -> $pkts_b packets"
pass "100 calls 1001 -> 1002 answered with digest, RTP relayed both ways ($(python3 -c "print(int($pkts_a-$pkts_a0), int($pkts_b-$pkts_b0))") packets), 100 CDRs ok with ~2 s duration"

# --- 2. Busy ------------------------------------------------------------------
refused() { # refused CODE -> a call_uac_refused scenario expecting CODE
  sed "s/@CODE@/$1/" "$SCEN/call_uac_refused.xml" >"$WORK/refused-$1.xml"
  echo "$WORK/refused-$1.xml"
}
callee_1002 busy_callee -sf "$SCEN/callee_busy.xml" -m 1
caller busy "$(refused 486)" "$(users 1001 1002)" 1
expect_ok busy busy_callee
new_cdrs 1 'c["call_status"] == "busy" and c["call_code"] == "486" and c["duration"] == 0'
pass "busy callee: the caller gets 486; CDR busy"

# --- 3. No answer: the ring timeout (2 s) cancels the branch ----------------
callee_1002 noanswer_callee -sf "$SCEN/callee_ring.xml" -m 1
caller noanswer "$(refused 480)" "$(users 1001 1002)" 1
expect_ok noanswer noanswer_callee
new_cdrs 1 'c["call_status"] == "noanswer" and c["call_code"] == "480"'
pass "no answer: CANCEL to the callee after the ring timeout, 480 to the caller; CDR noanswer"

# --- 4. CANCEL from the caller ------------------------------------------------
callee_1002 cancel_callee -sf "$SCEN/callee_ring.xml" -m 1
caller cancel "$SCEN/call_uac_cancel.xml" "$(users 1001 1002)" 1
expect_ok cancel cancel_callee
new_cdrs 1 'c["call_status"] == "cancel" and c["call_code"] == "487" and c["duration"] == 0'
pass "caller CANCEL: 200 and 487 to the caller, CANCEL to the callee; CDR cancel"

# --- 5. Callee offline, 6. unknown callee ------------------------------------
caller offline "$(refused 480)" "$(users 1001 1003)" 1
expect_ok offline
new_cdrs 1 'c["call_code"] == "480" and c["destination_user"] == "1003"'
grep -q "480 Offline" "$WORK/sipp-offline/messages.log" ||
  sipp_fail "the offline answer's reason is not 'Offline'" offline
caller unknown "$(refused 404)" "$(users 1001 9999)" 1
expect_ok unknown
new_cdrs 1 'c["call_status"] == "offline" and c["call_code"] == "404" and c["destination_user_id"] == ""'
pass "callee without binding: 480 Offline; unknown callee: 404; both with CDRs"

# --- 7. BYE from the callee ---------------------------------------------------
callee_1002 byecallee_callee -sf "$SCEN/callee_bye.xml" -m 1 -d 1000 -rtp_echo
caller byecallee "$SCEN/call_uac_wait_bye.xml" "$(users 1001 1002)" 1
expect_ok byecallee byecallee_callee
new_cdrs 1 'c["call_status"] == "ok" and 0.8 <= c["duration"] <= 2.5'
pass "BYE from the callee reaches the caller; CDR ok with ~1 s"

# --- 8. Hold and unhold with re-INVITEs ---------------------------------------
callee_1002 hold_callee -sf "$SCEN/callee_reinvite.xml" -m 1 -rtp_echo
caller hold "$SCEN/call_uac_hold.xml" "$(users 1001 1002)" 1
expect_ok hold hold_callee
new_cdrs 1 'c["call_status"] == "ok"'
pass "re-INVITE hold (sendonly/recvonly) and unhold relayed with the relay's address on both legs"

# --- 8b. Session timers (RFC 4028) negotiated per leg -------------------------
sed 's|^Content-Type: application/sdp$|Supported: timer\nSession-Expires: 120\nContent-Type: application/sdp|' \
  "$SCEN/call_uac.xml" >"$WORK/call_uac_timer.xml"
callee_1002 timer_callee -sn uas -rtp_echo -m 1
caller timer "$WORK/call_uac_timer.xml" "$(users 1001 1002)" 1 -d 1000
expect_ok timer timer_callee
new_cdrs 1 'c["call_status"] == "ok"'
grep -q "^Session-Expires: 120;refresher=uac" "$WORK/sipp-timer/messages.log" &&
  grep -q "^Require: timer" "$WORK/sipp-timer/messages.log" ||
  sipp_fail "the 200 to the caller lacks Session-Expires/Require: timer" timer
grep -q "^Session-Expires: 1800" "$WORK/sipp-timer_callee/messages.log" &&
  grep -q "^Supported: timer" "$WORK/sipp-timer_callee/messages.log" ||
  sipp_fail "the INVITE to the callee does not ask for a session timer" timer_callee
caller tooshort "$SCEN/call_uac_interval_too_small.xml" "$(users 1001 1002)" 1
expect_ok tooshort
pass "session timers: the caller's 120 s granted (refresher=uac, Require: timer); 30 s refused 422 with Min-SE 90"

# --- 8c. PRACK (100rel) and INFO end to end --------------------------------
callee_1002 prack_callee -sf "$SCEN/callee_prack.xml" -m 1
caller prack "$SCEN/call_uac_prack.xml" "$(users 1001 1002)" 1
expect_ok prack prack_callee
new_cdrs 1 'c["call_status"] == "ok"'
pass "reliable 183 with RSeq/Require relayed, PRACK relayed with RAck renumbered, INFO relayed"

# --- 8d. Late offer: the callee's 200 offers, the caller's ACK answers -----------
callee_1002 late_callee -sn uas -rtp_echo -m 1
pkts_b0=$(metric 'sb_media_relayed_packets_total{leg="b"}')
caller late "$SCEN/call_uac_late_offer.xml" "$(users 1001 1002)" 1 -d 2000
expect_ok late late_callee
new_cdrs 1 'c["call_status"] == "ok"'
grep -A20 "^ACK sip" "$WORK/sipp-late_callee/messages.log" | grep -q "^c=IN IP4 127.0.0.1" ||
  sipp_fail "the callee's ACK does not carry the relayed answer" late_callee
for _ in $(seq 1 20); do
  [[ "$(metric 'sb_media_relayed_packets_total{leg="b"}')" != "$pkts_b0" ]] && break
  sleep 0.1
done
[[ "$(metric 'sb_media_relayed_packets_total{leg="b"}')" != "$pkts_b0" ]] ||
  fail "no RTP from the callee through the relay on a late-offer call"
pass "late offer: the callee's offer reaches the caller from the relay, the answer in the ACK reaches the callee, RTP flows"

# --- 9. Media timeout: no RTP for 5 s ends the call on both legs --------------
sed '/<nop>/,/<\/nop>/d' "$SCEN/call_uac_wait_bye.xml" >"$WORK/wait_bye_silent.xml"
callee_1002 silent_callee -sn uas -m 1
caller silent "$WORK/wait_bye_silent.xml" "$(users 1001 1002)" 1
expect_ok silent silent_callee
new_cdrs 1 'c["call_status"] == "ok" and 4.5 <= c["duration"] <= 9.5'
pass "media timeout: no RTP for 5 s, BYE to both legs; CDR ok with the true duration"

# --- 10. max_call_duration (preference, 2 s) ----------------------------------
prefs 1 '{"max_call_duration": 2}'
callee_1002 maxdur_callee -sn uas -rtp_echo -m 1
caller maxdur "$SCEN/call_uac_wait_bye.xml" "$(users 1001 1002)" 1
expect_ok maxdur maxdur_callee
new_cdrs 1 'c["call_status"] == "ok" and 1.8 <= c["duration"] <= 3.0'
prefs 1 '{}'
pass "max_call_duration 2 s: BYE to both legs; CDR ok with ~2 s"

# --- 11. concurrent_max_out -----------------------------------------------------
prefs 1 '{"concurrent_max_out": 1}'
callee_1002 limit_callee -sn uas -rtp_echo -m 1
caller_bg limit1 "$SCEN/call_uac.xml" "$(users 1001 1002)" 1 -d 3000
first=$CALLER_PID
sleep 1.5
caller limit2 "$(refused 403)" "$(users 1001 1002)" 1
rc2=$CALLER_RC
CALLER_RC=0
wait "$first" || CALLER_RC=$?
[[ "$rc2" == 0 ]] || sipp_fail "second call was not refused 403" limit2
grep -q "403 Maximum parallel calls exceeded" "$WORK/sipp-limit2/messages.log" ||
  sipp_fail "the 403's reason is not 'Maximum parallel calls exceeded'" limit2
expect_ok limit1
new_cdrs 2 'c["call_code"] in ("200", "403")'
prefs 1 '{}'
pass "concurrent_max_out 1: a second call while one is up gets 403 Maximum parallel calls exceeded"

# --- 12. Forking to two bindings, traced --------------------------------------------
# Bad control bodies are refused naming the field, and change nothing.
TOKEN=$(cat "$CONF/data/control.token")
ctl() { http "$1" "$2" -H "Authorization: Bearer $TOKEN" "${@:3}"; }
r=$(ctl PUT /control/trace -d '{"rate": 2}')
[[ "$r" == 422* && "$r" == *"field='rate'"* ]] || fail "rate 2: $r"
r=$(ctl PUT /control/trace -d '{"kind": "mailbox"}')
[[ "$r" == 422* && "$r" == *"field='kind'"* ]] || fail "kind mailbox: $r"
r=$(ctl PUT /control/trace -d '{"key": 5}')
[[ "$r" == 422* && "$r" == *"field='key'"* ]] || fail "key 5: $r"
r=$(ctl PUT /control/trace -d 'not json')
[[ "$r" == 400* ]] || fail "non-JSON body: $r"
r=$(http PUT /control/trace -d '{}')
[[ "$r" == 401* ]] || fail "no token: $r"
r=$(ctl GET /control/traces/999)
[[ "$r" == 404* ]] || fail "unknown trace: $r"
r=$(ctl GET /control/traces)
[[ "$r" == 200* && "$r" == *'"recording":null'* ]] || fail "still off after refusals: $r"
pass "trace control: bad bodies 422 naming the field, 400 for non-JSON, 401 without token, 404 unknown trace; nothing started"
out=$("$SBCTL" trace start --config-dir "$CONF") || fail "sbctl trace start: $out"
callee fork_ring 127.0.0.4 -sf "$SCEN/callee_ring.xml" -m 1
B1003a=$(bind 3 "sip:1003@127.0.0.4:$CALLEE_PORT")
ring_pid=$CALLEE_PID
callee fork_answer 127.0.0.3 -sn uas -rtp_echo -m 1
B1003b=$(bind 3 "sip:1003@127.0.0.3:$CALLEE_PORT")
WAIT_CALLEES=("$CALLEE_PID" "$ring_pid")
caller fork "$SCEN/call_uac.xml" "$(users 1001 1003)" 1 -d 1000
expect_ok fork fork_ring fork_answer
new_cdrs 1 'c["call_status"] == "ok" and c["destination_user"] == "1003"'
pass "forked call to two bindings: one answers, the other is cancelled; one CDR ok"
"$SBCTL" trace stop --config-dir "$CONF" >/dev/null || fail "sbctl trace stop"
list=$("$SBCTL" trace list --config-dir "$CONF") || fail "sbctl trace list: $list"
id=$(awk '$2 == "call" { print $1; exit }' <<<"$list")
[[ -n "$id" ]] || fail "no call trace recorded: $list"
"$SBCTL" trace dump --config-dir "$CONF" -o "$WORK/fork.trace.json" "$id" ||
  fail "sbctl trace dump $id"
out=$("$SBCTL" trace replay "$WORK/fork.trace.json") || fail "replay: $out"
[[ "$out" == identical:* ]] || fail "replay: $out"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); sys.exit(0 if len(t["plan"]["targets"]) == 2 and len(t["steps"]) >= 4 else 1)' \
  "$WORK/fork.trace.json" || fail "the trace is not the forked call: $(head -c 400 "$WORK/fork.trace.json")"
pass "the forked call was traced on the node (sbctl trace start/list/dump) and replays identically"

# --- Nothing left behind ------------------------------------------------------------
unbind "$B1002"
unbind "$B1003a"
unbind "$B1003b"
for _ in $(seq 1 50); do
  if [[ "$(metric sb_calls_active)" == 0 && "$(metric sb_media_sessions)" == 0 &&
        "$(metric sb_media_port_pairs_in_use)" == 0 ]]; then
    break
  fi
  sleep 0.1
done
for m in sb_calls_active sb_media_sessions sb_media_port_pairs_in_use sb_registrar_bindings; do
  [[ "$(metric $m)" == 0 ]] || fail "$m is $(metric $m) after the calls"
done
r=$(api GET "/api/subscriberregistrations/")
[[ "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1][4:]).get("total_count",0))' "$r")" == 0 ]] ||
  fail "bindings left: $r"
pass "no call, media session, port pair or binding left behind"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "node exit status $EXIT_RC"
pass "node stopped"
