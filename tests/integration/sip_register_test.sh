# The registrar end to end, driven like an operator and a SIP load generator
# would: 1000 subscribers provisioned through the API register with digest
# over UDP (SIPp), their bindings show in the API and the metrics, survive
# a restart, expire on time, and failed authentications ban the source
# address and the user until an administrator lifts the bans.
source "$(dirname "$0")/lib.sh"

SCEN="$SB_SOURCE_DIR/tests/integration/sip"
N=1000
command -v sipp >/dev/null || fail "sipp not found (Debian package sip-tester)"

CONF="$WORK/conf"
make_conf "$CONF"
# Expiry in seconds for step 5; 127.0.0.1 is the load generator and sends
# 2000 requests in 5 s, far above the request-rate (DoS) ban, so it is
# whitelisted. 127.0.0.2, the attacker of step 6, is not.
cat >>"$CONF/config.local.yml" <<'YML'
registrar:
  min_expires: 1
security:
  dos_whitelist_ip: [127.0.0.1]
YML
start_node "$CONF" "$WORK/node.log"
wait_ready

AUTH=administrator:administrator
api() { # api METHOD PATH [curl args...] -> "<status> <body>"
  local method=$1 path=$2
  shift 2
  http "$method" "$path" -u "$AUTH" -H 'Content-Type: application/json' "$@"
}
create() { # create COLLECTION JSON -> the new id
  local r
  r=$(curl -sk -m 5 -u "$AUTH" -H 'Content-Type: application/json' \
        -X POST "https://127.0.0.1:$MGMT_PORT/api/$1/" -d "$2" \
        -o /dev/null -w '%{http_code} %header{location}') || true
  [[ "$r" == 201* ]] || fail "POST /api/$1/ $2: $r"
  echo "${r##*/}"
}
total_count() { # total_count "<status> <body>" -> N
  grep -o '"total_count":[0-9]*' <<<"$1" | cut -d: -f2
}
registrations() { # registrations [QUERY] -> total_count of the bindings
  local r
  r=$(api GET "/api/subscriberregistrations/?rows=1000${1:+&$1}")
  [[ "$r" == 200* ]] || fail "GET subscriberregistrations: $r"
  total_count "$r"
}
metric() { # metric LINE-PREFIX -> its value ("" if absent)
  http GET /metrics | awk -v k="$1" '$1 == k { print $2; exit }' || true
}

# users FILE USER... : a SIPp injection file (username;domain;password;
# [authentication ...]) with the right password pwNNNN of each uNNNN.
users() {
  local file=$1 u
  shift
  echo SEQUENTIAL >"$file"
  for u in "$@"; do
    echo "$u;127.0.0.1;pw${u#u};[authentication username=$u password=pw${u#u}]"
  done >>"$file"
}

# sipp_run NAME SCENARIO INF CALLS RATE LOCAL_IP EXPIRES CONTACT_HP
# Runs SIPp against the node in $WORK/sipp-NAME, bounded by `timeout`,
# waited for by PID; SIPP_RC is its exit status (0: every call succeeded).
sipp_run() {
  local name=$1 scen=$2 inf=$3 calls=$4 rate=$5 ip=$6 expires=$7 hp=$8
  local dir="$WORK/sipp-$name" port pid
  mkdir -p "$dir"
  port=$(free_port)
  local args=(127.0.0.1:"$SIP_PORT" -sf "$SCEN/$scen" -inf "$inf"
    -i "$ip" -p "$port" -m "$calls" -r "$rate" -l 200
    -key expires "$expires" -key contact_hp "$hp"
    -nostdin -recv_timeout 5000 -timeout 30s
    -trace_err -error_file "$dir/errors.log"
    -trace_stat -stf "$dir/stat.csv" -fd 1)
  if ((calls <= 10)); then args+=(-trace_msg -message_file "$dir/messages.log"); fi
  (cd "$dir" && exec timeout -k 2 40 sipp "${args[@]}" >"$dir/sipp.out" 2>&1) &
  pid=$!
  PIDS+=("$pid")
  SIPP_RC=0
  wait "$pid" || SIPP_RC=$?
}
sipp_fail() { # sipp_fail NAME MESSAGE: fail showing what SIPp saw
  local dir="$WORK/sipp-$1" f
  for f in "$dir/errors.log" "$dir/messages.log" "$dir/sipp.out"; do
    [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 40 "$f" >&2; }
  done
  fail "$2 (sipp exit $SIPP_RC)"
}
sipp_ok() { # sipp_ok NAME ARGS...: sipp_run, and every call must succeed
  local name=$1
  sipp_run "$@"
  [[ "$SIPP_RC" == 0 ]] || sipp_fail "$name" "SIPp run '$name' had failed calls"
}

# --- 1. Domain, customer and 1000 subscribers through the API ------------
t0=$SECONDS
create domains '{"domain": "127.0.0.1", "reseller_id": 1}' >/dev/null
CONTACT=$(create customercontacts \
  '{"reseller_id": 1, "firstname": "Load", "email": "load@example.org"}')
CUSTOMER=$(create customers "{\"contact_id\": $CONTACT, \"status\": \"active\",
  \"type\": \"sipaccount\", \"billing_profile_id\": 1}")
# Four curl processes, 250 POSTs each over one keep-alive connection (a
# curl config file with one `next` section per request).
prov_pids=()
for w in 0 1 2 3; do
  awk -v w="$w" -v n="$N" -v port="$MGMT_PORT" -v cust="$CUSTOMER" 'BEGIN {
    for (i = w + 1; i <= n; i += 4) {
      if (i > w + 1) print "next"
      u = sprintf("%04d", i)
      printf "url = \"https://127.0.0.1:%s/api/subscribers/\"\n", port
      print "insecure\nsilent\nmax-time = 10\nrequest = POST"
      print "user = \"administrator:administrator\""
      print "header = \"Content-Type: application/json\""
      printf "data = \"{\\\"customer_id\\\": %s, \\\"domain\\\": \\\"127.0.0.1\\\", " \
             "\\\"username\\\": \\\"u%s\\\", \\\"password\\\": \\\"pw%s\\\"}\"\n", cust, u, u
      print "output = \"/dev/null\""
      print "write-out = \"%{http_code}\\n\""
    }
  }' >"$WORK/prov$w.cfg"
  timeout -k 2 60 curl -K "$WORK/prov$w.cfg" >"$WORK/prov$w.out" 2>&1 &
  prov_pids+=($!)
  PIDS+=($!)
done
for pid in "${prov_pids[@]}"; do wait "$pid" || fail "a provisioning curl failed"; done
created=$(cat "$WORK"/prov?.out | grep -c '^201$' || true)
[[ "$created" == "$N" ]] ||
  fail "$created of $N subscribers created: $(sort "$WORK"/prov?.out | uniq -c)"
r=$(api GET '/api/subscribers/?domain=127.0.0.1&rows=1')
[[ "$(total_count "$r")" == "$N" ]] || fail "subscribers listed: $r"
pass "domain and $N subscribers provisioned in $((SECONDS - t0)) s"

# --- 2. SIPp registers all of them with digest over UDP at 200/s ---------
mapfile -t ALL < <(seq -f 'u%04g' 1 "$N")
users "$WORK/all.inf" "${ALL[@]}"
t0=$SECONDS
sipp_ok all register.xml "$WORK/all.inf" "$N" 200 127.0.0.1 600 127.0.0.1:5070
ok=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") c = i }
                { v = $c } END { print v + 0 }' "$WORK/sipp-all/stat.csv")
[[ "$ok" == "$N" ]] || sipp_fail all "SIPp counted $ok successful registrations"
pass "SIPp registered $N subscribers with digest, 0 failed ($((SECONDS - t0)) s)"

# --- 3. The API and the metrics show every binding -----------------------
[[ "$(registrations)" == "$N" ]] || fail "registrations listed: $(registrations)"
r=$(api GET '/api/subscriberregistrations/?rows=1&contact=sip:u0042@127.0.0.1:5070')
[[ "$(total_count "$r")" == 1 ]] || fail "binding of u0042 not found: $r"
exp=$(grep -o '"expires":"[^"]*"' <<<"$r" | cut -d'"' -f4)
[[ "$exp" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}$ ]] ||
  fail "expires not 'YYYY-MM-DD HH:MM:SS' (UTC): $r"
left=$(( $(date -u -d "$exp" +%s) - $(date +%s) ))
((left > 540 && left <= 601)) || fail "binding expires in $left s, not ~600: $r"
[[ "$(metric sb_registrar_bindings)" == "$N" ]] ||
  fail "sb_registrar_bindings $(metric sb_registrar_bindings)"
ok200=$(metric 'sb_sip_responses_total{method="REGISTER",code="200"}')
[[ "$ok200" == "$N" ]] || fail "REGISTER 200 responses counted: '$ok200'"
pass "API lists $N registrations; sb_registrar_bindings $N"

# --- 4. Bindings survive a restart; re-registration works ----------------
kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "exit status after SIGTERM: $EXIT_RC"
start_node "$CONF" "$WORK/node2.log"
wait_ready
[[ "$(registrations)" == "$N" ]] ||
  fail "registrations after restart: $(registrations)"
for _ in $(seq 1 25); do
  [[ "$(metric sb_registrar_bindings)" == "$N" ]] && break
  sleep 0.2
done
[[ "$(metric sb_registrar_bindings)" == "$N" ]] ||
  fail "sb_registrar_bindings after restart: $(metric sb_registrar_bindings)"
users "$WORK/ten.inf" "${ALL[@]:0:10}"
sipp_ok again register.xml "$WORK/ten.inf" 10 20 127.0.0.1 600 127.0.0.1:5070
[[ "$(registrations)" == "$N" ]] ||
  fail "re-registration changed the binding count: $(registrations)"
pass "restart keeps $N registrations; 10 re-registrations answered 200"

# --- 5. A binding expires on time ----------------------------------------
# A second contact of u1000 for 2 s (registrar.min_expires is 1).
EXP_Q='contact=sip:u1000@127.0.0.1:5999'
users "$WORK/one.inf" u1000
# Its subscriber actor (running since the restart) records from now on.
out=$("$SBCTL" trace start --config-dir "$CONF" --kind subscriber \
  --key sip:u1000@127.0.0.1) || fail "sbctl trace start --kind subscriber: $out"
sipp_ok expiry register.xml "$WORK/one.inf" 1 1 127.0.0.1 2 127.0.0.1:5999
t_reg=$(date +%s%N)
[[ "$(registrations "$EXP_Q")" == 1 ]] || fail "2 s binding not listed"
gone=""
for _ in $(seq 1 30); do
  if [[ "$(registrations "$EXP_Q")" == 0 ]]; then gone=1; break; fi
  sleep 0.2
done
[[ -n "$gone" ]] || fail "2 s binding still listed 6 s after registering"
after_ms=$(( ($(date +%s%N) - t_reg) / 1000000 ))
((after_ms >= 1500)) || fail "2 s binding gone after only $after_ms ms"
[[ "$(registrations)" == "$N" ]] || fail "expiry removed other bindings"
pass "a 2 s binding is listed, then gone ${after_ms} ms later"
"$SBCTL" trace stop --config-dir "$CONF" >/dev/null || fail "sbctl trace stop"
list=$("$SBCTL" trace list --config-dir "$CONF") || fail "sbctl trace list: $list"
id=$(awk '$2 == "subscriber" && $3 == "sip:u1000@127.0.0.1" { print $1; exit }' <<<"$list")
[[ -n "$id" ]] || fail "no subscriber trace of u1000: $list"
"$SBCTL" trace dump --config-dir "$CONF" -o "$WORK/u1000.trace.json" "$id" >/dev/null ||
  fail "sbctl trace dump $id"
python3 - "$WORK/u1000.trace.json" <<'PY' || fail "the trace is not the register and the expiry: $(head -c 600 "$WORK/u1000.trace.json")"
import json, sys
t = json.load(open(sys.argv[1]))
types = [s["event"]["type"] for s in t["steps"]]
assert t["kind"] == "subscriber" and "register" in types, types
expired = [s for s in t["steps"] if s["event"]["type"] == "expiry" and s["effects"]["expired"]]
assert expired and expired[0]["effects"]["expired"][0]["uri"] == "sip:u1000@127.0.0.1:5999", t["steps"]
PY
out=$("$SBCTL" trace replay "$WORK/u1000.trace.json") || fail "replay: $out"
[[ "$out" == "identical: subscriber sip:u1000@127.0.0.1, "* ]] || fail "replay: $out"
pass "u1000's subscriber actor was traced (the REGISTER, then the expiry) and replays: $out"

# --- 6. Failed authentications ban the address and the user -------------
echo 'SEQUENTIAL' >"$WORK/wrong.inf"
echo 'u0001;127.0.0.1;wrong;[authentication username=u0001 password=wrong]' >>"$WORK/wrong.inf"
# Three REGISTERs (fresh Call-IDs, one after the other) with a wrong
# password from 127.0.0.2: each is challenged again with 401.
sipp_run wrong register_wrong_password.xml "$WORK/wrong.inf" 3 10 127.0.0.2 600 127.0.0.2:5998
[[ "$SIPP_RC" == 0 ]] || sipp_fail wrong "a wrong password was not answered 401"
pass "3 wrong passwords from 127.0.0.2 answered 401"
# The next REGISTER from 127.0.0.2, even for another user: 403.
users "$WORK/u0003.inf" u0003
sipp_ok banned-ip register_refused.xml "$WORK/u0003.inf" 1 1 127.0.0.2 600 127.0.0.2:5998
[[ "$(metric 'sb_sip_bans_total{kind="failed_auth_ip"}')" == 1 ]] ||
  fail "IP ban not counted: $(http GET /metrics | grep sb_sip_bans_total)"
pass "the next REGISTER from 127.0.0.2 gets 403 Try again later"
# Other addresses are not affected; the user u0001 is banned everywhere.
users "$WORK/u0002.inf" u0002
sipp_ok other-user register.xml "$WORK/u0002.inf" 1 1 127.0.0.1 600 127.0.0.1:5070
users "$WORK/u0001.inf" u0001
sipp_ok banned-user register_refused.xml "$WORK/u0001.inf" 1 1 127.0.0.1 600 127.0.0.1:5070
[[ "$(metric 'sb_sip_bans_total{kind="failed_auth_user"}')" == 1 ]] ||
  fail "user ban not counted: $(http GET /metrics | grep sb_sip_bans_total)"
pass "127.0.0.1 still registers u0002 (200); u0001 is refused from anywhere (403)"

r=$(api GET /api/bannedips/)
[[ "$r" == 200* ]] || fail "GET /api/bannedips/: $r"
[[ "$r" == *'"ip":"127.0.0.2"'* && "$r" == *'"ngcp:bannedips"'* ]] ||
  fail "127.0.0.2 not listed as banned: $r"
[[ "$r" == *'"failures":3'* && "$r" == *'"reason":"failed_auth"'* ]] ||
  fail "not a failed_auth ban after 3 failures: $r"
pass "GET /api/bannedips lists 127.0.0.2"
r=$(api DELETE /api/bannedips/127.0.0.2)
[[ "$r" == 204* ]] || fail "DELETE /api/bannedips/127.0.0.2: $r"
r=$(api GET /api/bannedips/)
[[ "$r" == 200* && "$r" != *'"127.0.0.2"'* ]] || fail "IP ban still listed: $r"
pass "DELETE /api/bannedips/127.0.0.2 lifts the address ban (204)"

r=$(api GET /api/bannedusers/)
[[ "$r" == 200* ]] || fail "GET /api/bannedusers/: $r"
[[ "$r" == *'"username":"u0001"'* && "$r" == *'"domain":"127.0.0.1"'* ]] ||
  fail "u0001 not listed as banned: $r"
r=$(api DELETE /api/bannedusers/u0001@127.0.0.1)
[[ "$r" == 204* ]] || fail "DELETE /api/bannedusers/u0001@127.0.0.1: $r"
r=$(api GET /api/bannedusers/)
[[ "$r" == 200* && "$r" != *'"u0001"'* ]] || fail "user ban still listed: $r"
pass "GET /api/bannedusers lists u0001@127.0.0.1; DELETE lifts it (204)"

# --- 7. A wrong password never registered anything ----------------------
[[ "$(registrations 'contact=sip:u0001@127.0.0.2:5998')" == 0 ]] ||
  fail "a REGISTER with a wrong password created a binding"
# Lifting a ban forgets the failures: one more wrong password is just a
# 401, and the right password from 127.0.0.2 then registers.
sipp_run wrong-again register_wrong_password.xml "$WORK/wrong.inf" 1 1 127.0.0.2 600 127.0.0.2:5998
[[ "$SIPP_RC" == 0 ]] || sipp_fail wrong-again "a wrong password after the unban was not answered 401"
sipp_ok unbanned register.xml "$WORK/u0001.inf" 1 1 127.0.0.2 600 127.0.0.2:5998
[[ "$(registrations 'contact=sip:u0001@127.0.0.2:5998')" == 1 ]] ||
  fail "binding from 127.0.0.2 not listed"
pass "no binding from a wrong password; the right one from 127.0.0.2 gets 200"

# --- 8. A provisioning change reaches a live subscriber at once ---------
# u0001 is registered, so its actor is live and the directory keeps its
# profile; a new password must still apply to the very next REGISTER.
r=$(api GET '/api/subscribers/?username=u0001&domain=127.0.0.1')
SID=$(grep -o '"id":[0-9]*' <<<"$r" | head -1 | cut -d: -f2)
[[ -n "$SID" ]] || fail "u0001 not found: $r"
r=$(http PATCH "/api/subscribers/$SID" -u "$AUTH" \
      -H 'Content-Type: application/json-patch+json' \
      -d '[{"op": "add", "path": "/password", "value": "changed1"}]')
[[ "$r" == 200* || "$r" == 204* ]] || fail "PATCH u0001's password: $r"
sipp_run old-password register_wrong_password.xml "$WORK/u0001.inf" 1 1 127.0.0.2 600 127.0.0.2:5998
[[ "$SIPP_RC" == 0 ]] || sipp_fail old-password "the old password was not answered 401 after the change"
echo 'SEQUENTIAL' >"$WORK/changed.inf"
echo 'u0001;127.0.0.1;changed1;[authentication username=u0001 password=changed1]' >>"$WORK/changed.inf"
sipp_ok new-password register.xml "$WORK/changed.inf" 1 1 127.0.0.2 600 127.0.0.2:5998
pass "a password change applies to the next REGISTER of a registered subscriber"

# --- 9. Permanent bindings through the API: bad bodies are 422 ----------
before=$(registrations)
bad_binding() { # bad_binding BODY FIELD: POST must be 422 naming FIELD
  local r
  r=$(api POST /api/subscriberregistrations/ -d "$1")
  [[ "$r" == 422* && "$r" == *"field='$2'"* ]] ||
    fail "POST subscriberregistrations $1: expected 422 for $2, got $r"
}
bad_binding "{\"subscriber_id\": $SID, \"contact\": \"sip:pbx@192.0.2.9\", \"color\": 1}" color
bad_binding "{\"subscriber_id\": $SID, \"contact\": \"http://192.0.2.9/\"}" contact
bad_binding "{\"subscriber_id\": $SID, \"contact\": \"sip:pbx@192.0.2.9\", \"q\": 1.5}" q
bad_binding "{\"subscriber_id\": $SID, \"contact\": \"sip:pbx@192.0.2.9\", \"q\": \"high\"}" q
bad_binding '{"subscriber_id": 999999, "contact": "sip:pbx@192.0.2.9"}' subscriber_id
bad_binding '{"contact": "sip:pbx@192.0.2.9"}' subscriber_id
r=$(api POST /api/subscriberregistrations/ -d '[1, 2]')
[[ "$r" == 400* ]] || fail "POST subscriberregistrations with an array body: $r"
[[ "$(registrations)" == "$before" ]] || fail "a refused POST changed the bindings"
r=$(api POST /api/subscriberregistrations/ \
      -d "{\"subscriber_id\": $SID, \"contact\": \"sip:pbx@192.0.2.9\", \"q\": 0.5}")
[[ "$r" == 201* ]] || fail "POST a permanent binding: $r"
[[ "$(registrations 'contact=sip:pbx@192.0.2.9')" == 1 ]] ||
  fail "the permanent binding is not listed"
pass "POST subscriberregistrations: 422 naming the field for 6 bad bodies, 400 for a non-object, nothing stored; a good one is 201"

# --- 10. allowed_ips from the subscriber's preferences -------------------
# (Regression: a subscriber with a preferences document made the profile
# lookup throw, which took the subscriber directory down.)
r=$(api GET '/api/subscribers/?username=u0003&domain=127.0.0.1')
SID3=$(grep -o '"id":[0-9]*' <<<"$r" | head -1 | cut -d: -f2)
[[ -n "$SID3" ]] || fail "u0003 not found: $r"
r=$(api PUT "/api/subscriberpreferences/$SID3" -d '{"allowed_ips": ["127.0.0.1"]}')
[[ "$r" == 204* || "$r" == 200* ]] || fail "PUT u0003's allowed_ips: $r"
users "$WORK/u0003.inf" u0003
sipp_ok ip-refused register_ip_refused.xml "$WORK/u0003.inf" 1 1 127.0.0.2 600 127.0.0.2:5998
sipp_ok ip-allowed register.xml "$WORK/u0003.inf" 1 1 127.0.0.1 600 127.0.0.1:5070
users "$WORK/u0004.inf" u0004
sipp_ok after-prefs register.xml "$WORK/u0004.inf" 1 1 127.0.0.1 600 127.0.0.1:5070
pass "allowed_ips: u0003 refused 403 from 127.0.0.2, registered from 127.0.0.1; others unaffected"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "exit status after SIGTERM: $EXIT_RC"
pass "node stopped"
