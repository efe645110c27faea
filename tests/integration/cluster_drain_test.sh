# A node added to a running cluster takes its share of the subscriber
# actors; `sbctl node drain` moves every actor off a node while calls are
# up and REGISTERs keep arriving, and the node exits 0 with nothing lost.
source "$(dirname "$0")/cluster_lib.sh"

N=30
DOMAIN=drain.example
SCEN="$SB_SOURCE_DIR/tests/integration/sip"
start_private_redis
BASE="$WORK/cluster"
make_cluster_conf "$BASE" 3 "$LOAD_WHITELIST_YML"
# sp3 is configured but starts later.
start_cluster "$BASE" 1 2
wait_state 1 sp2 alive 15 >/dev/null
provision_subscribers "$DOMAIN" "$N"
pass "two of three nodes up, $N subscribers provisioned"

SIP1="127.0.0.11:$CLUSTER_SIP_PORT"
UAS_PORT=$(free_port)
sipp_bg uas -sn uas -i 127.0.0.2 -p "$UAS_PORT" -mp $(free_media_port)
inf_users "$WORK/regs.inf" 1 "$N"
register_all() { # register_all NAME: every subscriber registers through sp1
  sipp_bg "$1" "$SIP1" -sf "$SCEN/register.xml" -inf "$WORK/regs.inf" \
    -i 127.0.0.4 -p "$(free_port)" -m "$N" -r 20 -l 100 \
    -key expires 600 -key contact_hp "127.0.0.2:$UAS_PORT" \
    -recv_timeout 5000 -timeout 60s
  wait "$SIPP_PID" || true
  local ok
  ok=$(successes "$1")
  ((ok == N)) || fail "$1: $ok of $N registrations succeeded"
}

bindings_at() { count_at "$(node_ip "$1")" "/api/subscriberregistrations/?rows=1${2:+&$2}"; }
expect_bindings() { # expect_bindings COUNT NODE...: each node's API lists COUNT
  local want=$1 k
  shift
  for k in "$@"; do
    [[ "$(bindings_at "$k")" == "$want" ]] ||
      fail "sp$k lists $(bindings_at "$k") bindings, not $want"
  done
}

register_all reg1
pass "$N registrations through sp1 (owners: sp1 $(owned_by sp1), sp2 $(owned_by sp2))"
# Each node lists the cluster's bindings, not only its own actors' ones.
expect_bindings "$N" 1 2
pass "sp1 and sp2 both list all $N bindings"

# --- an API change on a node that does not own the AoR ---------------------
# It must be made by the owner's actor: one on sp2 would write the shared
# record behind the owner's back, and the owner's next REGISTER would drop
# the change again.
for i in $(seq 1 "$N"); do
  user=$(printf 'd%04d' "$i")
  [[ "$(view 1 "key=subscriber:sip:$user@$DOMAIN" | jq -r '.owner')" == sp1 ]] && break
done
sub_id=$(curl -sk -m 10 -u "$AUTH" \
  "https://$(node_ip 2):$CLUSTER_MGMT_PORT/api/subscribers/?username=$user&domain=$DOMAIN" |
  jq -r '._embedded["ngcp:subscribers"][0].id')
perm="sip:$user-perm@127.0.0.2:5999"
create "$(node_ip 2)" subscriberregistrations \
  "{\"subscriber_id\": $sub_id, \"contact\": \"$perm\"}" >/dev/null
register_all reg1b # the owner (sp1) refreshes every AoR
expect_bindings $((N + 1)) 1 2
perm_id=$(curl -sk -m 10 -u "$AUTH" \
  "https://$(node_ip 2):$CLUSTER_MGMT_PORT/api/subscriberregistrations/?contact=$perm" |
  jq -r '._embedded["ngcp:subscriberregistrations"][0].id // empty')
[[ -n "$perm_id" ]] || fail "the permanent binding of $user is gone after its REGISTER"
r=$(curl -sk -m 10 -u "$AUTH" -X DELETE -o /dev/null -w '%{http_code}' \
  "https://$(node_ip 2):$CLUSTER_MGMT_PORT/api/subscriberregistrations/$perm_id")
[[ "$r" == 204 ]] || fail "DELETE of the permanent binding through sp2: $r"
expect_bindings "$N" 1 2
pass "a binding added and removed through sp2 for $user (owned by sp1) survives sp1's REGISTERs"

# --- a node joins ---------------------------------------------------------
start_cluster_node "$BASE" 3 "$WORK/sp3.log"
wait_ready_at 127.0.0.13 "${NODE_PIDS[3]}"
wait_state 1 sp3 alive 15 >/dev/null
wait_state 2 sp3 alive 15 >/dev/null
share=$(owned_by sp3)
((share > 0 && share < N)) || fail "sp3 owns $share of $N AoRs"
register_all reg2
for _ in $(seq 1 20); do # heartbeats carry the counts
  [[ "$(actors_of sp3)" == "$share" ]] && break
  sleep 0.1
done
[[ "$(actors_of sp3)" == "$share" ]] ||
  fail "sp3 runs $(actors_of sp3) actors, owns $share AoRs (sp1 $(owned_by sp1) / $(actors_of sp1), sp2 $(owned_by sp2) / $(actors_of sp2)): $(view 1)"
grep -q 'handed over' "$WORK/sp1.log" "$WORK/sp2.log" ||
  fail "no actor handed over to the new node"
expect_bindings "$N" 3
pass "a joining node takes its share: sp3 owns and runs $share of $N, and lists all bindings"

# --- drain sp2 with calls up and REGISTERs arriving -----------------------
inf_calls "$WORK/calls.inf" 1 2
sipp_bg calls "$SIP1" -sf "$SCEN/call_uac.xml" -inf "$WORK/calls.inf" \
  -i 127.0.0.3 -p "$(free_port)" -mp $(free_media_port) \
  -m 2 -r 2 -d 5000 -recv_timeout 20000 -timeout 60s
CALLS_PID=$SIPP_PID
sleep 1.5
sp2_share=$(owned_by sp2)
sipp_bg reg3 "$SIP1" -sf "$SCEN/register.xml" -inf "$WORK/regs.inf" \
  -i 127.0.0.4 -p "$(free_port)" -m "$N" -r 10 -l 100 \
  -key expires 600 -key contact_hp "127.0.0.2:$UAS_PORT" \
  -recv_timeout 5000 -timeout 60s
REG_PID=$SIPP_PID
out=$(timeout -k 2 60 "$SBCTL" node --config-dir "$BASE/sp2" --node sp2 drain --wait-s 30) ||
  fail "sbctl node drain: $out"
echo "$out"
grep -q 'drained and stopped' <<<"$out" || fail "drain output: $out"
wait_exit "${NODE_PIDS[2]}" 10
[[ "$EXIT_RC" == 0 ]] || fail "drained sp2 exited $EXIT_RC"
grep -q 'drain: no actor left' "$WORK/sp2.log" || fail "sp2 did not hand over all"
wait "$REG_PID" || true
[[ "$(successes reg3)" == "$N" ]] ||
  fail "REGISTERs during the drain: $(successes reg3) of $N"
wait "$CALLS_PID" || true
[[ "$(successes calls)" == 2 ]] || fail "calls during the drain: $(successes calls) of 2"
[[ "$(owned_by sp2)" == 0 ]] || fail "sp2 still owns AoRs after its exit"
expect_bindings "$N" 1 3
pass "sp2 drained ($sp2_share AoRs moved) and exited 0; REGISTERs and calls meanwhile all succeeded"

# Every binding is still there: a call to each one reaches the callee.
inf_calls "$WORK/verify.inf" 1 "$N"
sipp_bg verify "$SIP1" -sf "$SCEN/call_uac.xml" -inf "$WORK/verify.inf" \
  -i 127.0.0.3 -p "$(free_port)" -mp $(free_media_port) \
  -m "$N" -r 20 -l 30 -d 200 -recv_timeout 10000 -timeout 60s
wait "$SIPP_PID" || true
[[ "$(successes verify)" == "$N" ]] ||
  fail "after the drain $(successes verify) of $N subscribers reachable"
pass "all $N subscribers reachable after the drain"

stop_nodes 1 3
