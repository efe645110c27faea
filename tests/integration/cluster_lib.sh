# Helpers of the cluster tests and the failover drill (scripts/drill.sh):
# a cluster's control views, provisioning through sp1's API, SIPp runs.
# Sourced after setting BASE (make_cluster_conf's directory). Uses DOMAIN.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

token() { cat "$BASE/sp$1/data/control.token"; }
view() { # view K [QUERY]: spK's /control/cluster
  local r
  r=$(http_at "$(node_ip "$1")" GET "/control/cluster${2:+?$2}" \
    -H "Authorization: Bearer $(token "$1")")
  [[ "$r" == 200* ]] && echo "${r#200 }" || echo "{}"
}
field() { view "$1" | jq -r --arg f "$2" '.[$f] // -1'; }
# wait_state K NODE STATE SECS: until spK sees NODE in STATE; prints ms.
wait_state() {
  local start now
  start=$(date +%s%N)
  while :; do
    [[ "$(state_of "$1" "$2")" == "$3" ]] && break
    now=$(date +%s%N)
    (( (now - start) / 1000000 > $4 * 1000 )) &&
      fail "sp$1 does not see $2 $3 within $4 s: $(view "$1")"
    sleep 0.05
  done
  echo $(( ($(date +%s%N) - start) / 1000000 ))
}
state_of() { view "$1" | jq -r --arg n "$2" '[.members[]? | select(.name == $n) | .state][0] // "?"'; }

# owned_by NODE: how many of the AoRs d0001..d$N@$DOMAIN sp1's view places
# on NODE.
owned_by() {
  local i n=0
  for i in $(seq 1 "$N"); do
    [[ "$(view 1 "key=subscriber:sip:$(printf 'd%04d' "$i")@$DOMAIN" |
      jq -r '.owner')" == "$1" ]] && n=$((n + 1))
  done
  echo "$n"
}
# actors_of NODE: the live actors NODE last reported (sp1's view).
actors_of() { view 1 | jq -r --arg n "$1" '[.members[]? | select(.name == $n) | .actors][0] // -1'; }
# stop_nodes K...: SIGTERM to each spK; each must exit 0 within 20 s.
stop_nodes() {
  local k
  for k in "$@"; do kill -TERM "${NODE_PIDS[$k]}"; done
  for k in "$@"; do
    wait_exit "${NODE_PIDS[$k]}" 20
    [[ "$EXIT_RC" == 0 ]] || fail "sp$k exit after SIGTERM: $EXIT_RC"
  done
}

metric_of() { # metric_of IP NAME: a metric of the node at IP (0 when absent)
  # awk reads to the end: quitting early would make curl fail with EPIPE,
  # and pipefail with it.
  { curl -sk -m 5 "https://$1:$CLUSTER_MGMT_PORT/metrics" || true; } |
    awk -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}
metric_at() { metric_of "$(node_ip "$1")" "$2"; } # metric_at K NAME: of spK
# wait_metric IP NAME VALUE: until that metric has that value (5 s), else
# fail.
wait_metric() {
  for _ in $(seq 1 100); do
    [[ "$(metric_of "$1" "$2")" == "$3" ]] && return 0
    sleep 0.05
  done
  fail "$2 on $1 is $(metric_of "$1" "$2"), not $3"
}

AUTH=administrator:administrator
create() { # create NODE-IP COLLECTION JSON -> id
  local r
  r=$(curl -sk -m 10 -u "$AUTH" -H 'Content-Type: application/json' \
    -X POST "https://$1:$CLUSTER_MGMT_PORT/api/$2/" -d "$3" \
    -o /dev/null -w '%{http_code} %header{location}') || true
  [[ "$r" == 201* ]] || fail "POST /api/$2/ $3: $r"
  echo "${r##*/}"
}
count_at() { # count_at NODE-IP PATH -> total_count
  curl -sk -m 10 -u "$AUTH" "https://$1:$CLUSTER_MGMT_PORT$2" |
    jq -r '.total_count // -1'
}

# provision_subscribers DOMAIN N: through sp1's API the domain, a customer
# and subscribers d0000..dN (password pwNNNN); waits until every running
# node of NODE_PIDS has applied them (the provisioning stream).
provision_subscribers() {
  local DOMAIN=$1 REGS=$2 k c contact customer created sp1
  sp1=$(node_ip 1)
  create "$sp1" domains "{\"domain\": \"$DOMAIN\", \"reseller_id\": 1}" >/dev/null
  contact=$(create "$sp1" customercontacts \
    '{"reseller_id": 1, "firstname": "Drill", "email": "drill@example.org"}')
  customer=$(create "$sp1" customers "{\"contact_id\": $contact,
    \"status\": \"active\", \"type\": \"sipaccount\", \"billing_profile_id\": 1}")
  # d0000 calls; d0001..dN register.
  awk -v n="$REGS" -v port="$CLUSTER_MGMT_PORT" -v cust="$customer" \
    -v dom="$DOMAIN" -v host="$sp1" 'BEGIN {
    for (i = 0; i <= n; i++) {
      if (i) print "next"
      u = sprintf("%04d", i)
      printf "url = \"https://%s:%s/api/subscribers/\"\n", host, port
      print "insecure\nsilent\nmax-time = 10\nrequest = POST"
      print "user = \"administrator:administrator\""
      print "header = \"Content-Type: application/json\""
      printf "data = \"{\\\"customer_id\\\": %s, \\\"domain\\\": \\\"%s\\\", " \
             "\\\"username\\\": \\\"d%s\\\", \\\"password\\\": \\\"pw%s\\\"}\"\n", cust, dom, u, u
      print "output = \"/dev/null\""
      print "write-out = \"%{http_code}\\n\""
    }
  }' >"$WORK/prov.cfg"
  # shellcheck disable=SC2046
  timeout -k 2 120 $(client_prefix) curl -K "$WORK/prov.cfg" >"$WORK/prov.out" 2>&1 ||
    fail "provisioning curl failed"
  created=$(grep -c '^201$' "$WORK/prov.out" || true)
  ((created == REGS + 1)) || fail "$created of $((REGS + 1)) subscribers created"
  for k in "${!NODE_PIDS[@]}"; do # every node has applied the stream
    for _ in $(seq 1 300); do
      c=$(count_at "$(node_ip "$k")" "/api/subscribers/?domain=$DOMAIN&rows=1")
      [[ "$c" == $((REGS + 1)) ]] && continue 2
      sleep 0.1
    done
    fail "sp$k has $c of $((REGS + 1)) subscribers after 30 s"
  done
}

inf_users() { # inf_users FILE FIRST LAST: username;domain;password;[auth]
  local file=$1 i u
  echo SEQUENTIAL >"$file"
  for i in $(seq "$2" "$3"); do
    u=$(printf 'd%04d' "$i")
    echo "$u;$DOMAIN;pw${u#d};[authentication username=$u password=pw${u#d}]"
  done >>"$file"
}
inf_calls() { # inf_calls FILE FIRST LAST: caller;domain;[auth];callee
  local file=$1 i
  echo SEQUENTIAL >"$file"
  for i in $(seq "$2" "$3"); do
    printf 'd0000;%s;[authentication username=d0000 password=pw0000];d%04d\n' \
      "$DOMAIN" "$i"
  done >>"$file"
}
# sipp_bg NAME ARGS...: a bounded SIPp in $WORK/sipp-NAME (where the
# clients run); sets SIPP_PID.
sipp_bg() {
  local name=$1
  shift
  mkdir -p "$WORK/sipp-$name"
  # shellcheck disable=SC2046
  (cd "$WORK/sipp-$name" && exec timeout -k 2 120 $(client_prefix) sipp -nostdin \
    -trace_err -error_file errors.log -trace_stat -stf stat.csv "$@" \
    >sipp.out 2>&1) &
  SIPP_PID=$!
  PIDS+=("$SIPP_PID")
}
# sipp_wait PID NAME: that SIPp run must exit 0; else fail showing what it
# saw.
sipp_wait() {
  local rc=0 f
  wait "$1" || rc=$?
  if [[ $rc != 0 ]]; then
    for f in "$WORK/sipp-$2"/{errors.log,messages.log,sipp.out}; do
      [[ -f "$f" ]] && { echo "--- $f" >&2; tail -n 80 "$f" >&2; }
    done
    fail "SIPp $2 exit $rc"
  fi
}
# demo_call_users FILE: the injection file of call_uac*.xml for the demo
# subscriber 1001 calling 1002 (make run's demo data).
demo_call_users() {
  printf 'SEQUENTIAL\n1001;127.0.0.1;[authentication username=1001 password=demo1001];1002\n' >"$1"
}
# successes NAME: SuccessfulCall(C) of that SIPp run's last stat line.
successes() {
  awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "SuccessfulCall(C)") c = i }
             END { print (c ? $c : 0) + 0 }' "$WORK/sipp-$1/stat.csv" 2>/dev/null || echo 0
}

# A private network for tests that move addresses between hosts (the HA
# pair, the drill): netns_lab TAG makes a namespace TAG-br with a bridge,
# netns_join NS IP adds a namespace with a veth on it at IP/24. netns_lab
# fails (why in $WORK/netns.err) where namespaces cannot be made (no root
# with CAP_NET_ADMIN and CAP_SYS_ADMIN, as in some containers).
# netns_down deletes them all; run it after cleanup.
NETNS_MADE=()
netns_lab() {
  NETNS_BRIDGE="$1-br"
  ip netns add "$NETNS_BRIDGE" 2>"$WORK/netns.err" || return 1
  NETNS_MADE+=("$NETNS_BRIDGE")
  ip -n "$NETNS_BRIDGE" link add br0 type bridge
  ip -n "$NETNS_BRIDGE" link set br0 up
}
netns_join() {
  ip netns add "$1"
  NETNS_MADE+=("$1")
  ip -n "$1" link set lo up
  ip link add "$1-x" type veth peer name eth0 netns "$1"
  ip link set "$1-x" netns "$NETNS_BRIDGE"
  ip -n "$NETNS_BRIDGE" link set "$1-x" master br0 up
  ip -n "$1" addr add "$2/24" dev eth0
  ip -n "$1" link set eth0 up
}
netns_down() {
  local i
  for ((i = ${#NETNS_MADE[@]} - 1; i >= 0; i--)); do
    ip netns del "${NETNS_MADE[$i]}" 2>/dev/null || true
  done
}
# netns_pair_cluster TAG NET VIP N: the lab for an HA pair and more nodes:
# namespace TAG-c at NET.100 (the clients and Redis, started here) and
# TAG-1..TAG-N at NET.K, where TAG-1 and TAG-2 may bind the shared address
# VIP before they have it and TAG-1 has it. Sets what the helpers read to
# reach the nodes there (CLIENT_NS, NODE_NS_PREFIX, NODE_NET, REDIS_*).
# Fails like netns_lab where namespaces cannot be made.
netns_pair_cluster() {
  local tag=$1 net=$2 vip=$3 n=$4 k
  netns_lab "$tag" || return 1
  netns_join "$tag-c" "$net.100"
  for k in $(seq 1 "$n"); do netns_join "$tag-$k" "$net.$k"; done
  for k in 1 2; do # the standby binds the shared address before it has it
    ip netns exec "$tag-$k" sysctl -qw net.ipv4.ip_nonlocal_bind=1
  done
  ip -n "$tag-1" addr add "$vip/24" dev eth0
  # shellcheck disable=SC2034 # read by lib.sh's helpers
  CLIENT_NS="$tag-c" NODE_NS_PREFIX="$tag-" NODE_NET=$net
  REDIS_HOST=$net.100 REDIS_PORT=6379
  start_private_redis
}
# move_address IP FROM-NS TO-NS: what keepalived does when the active host
# fails its check: the address leaves FROM-NS (if it is still up) and
# comes up in TO-NS, announced by gratuitous ARP (in the background: two
# announcements take a second, which must not delay what the caller times).
move_address() {
  ip -n "$2" addr del "$1/24" dev eth0 2>/dev/null || true
  ip -n "$3" addr add "$1/24" dev eth0
  ip netns exec "$3" arping -q -U -c 2 -I eth0 "$1" >/dev/null 2>&1 &
  PIDS+=("$!")
}
