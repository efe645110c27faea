# A node killed with SIGKILL during a burst of subscriber creates comes back
# consistent: every create it answered 201 is there with its username, the
# collection lists and counts what was written, and new writes work (no
# unique index or id counter left half-written).
source "$(dirname "$0")/lib.sh"

AUTH=(-u administrator:administrator)
JSON=(-H 'Content-Type: application/json')
LOOPS=4
PER_LOOP=150

CONF="$WORK/conf"
make_conf "$CONF"
BASE="https://127.0.0.1:$MGMT_PORT"
start_node "$CONF" "$WORK/node.log"
wait_ready

# create COLLECTION JSON: POSTs, requires 201, sets ID from the Location.
create() {
  local coll=$1 out
  out=$(curl -sk -m 5 "${AUTH[@]}" "${JSON[@]}" -o "$WORK/body" \
    -w '%{http_code} %header{location}' --data-binary "$2" \
    "$BASE/api/$coll/") || true
  out=${out%$'\r'}
  [[ "$out" =~ ^201\ .*/api/$coll/([0-9]+)$ ]] ||
    fail "POST /api/$coll/: $out $(cat "$WORK/body" 2>/dev/null)"
  ID=${BASH_REMATCH[1]}
}

# subscriber_json USERNAME SN
subscriber_json() {
  printf '{"customer_id":%s,"domain_id":%s,"username":"%s","password":"secret123","primary_number":{"cc":"43","ac":"1","sn":"%s"}}' \
    "$CUSTOMER" "$DOMAIN" "$1" "$2"
}

# total_count of a collection body on stdin (empty if absent).
total_count() {
  tr -d '\n' | sed -nE 's/.*"total_count"[[:space:]]*:[[:space:]]*([0-9]+).*/\1/p'
}

# Whether the JSON on stdin parses: with whatever parser is installed, else
# a shape check (an object that ends where it should).
json_ok() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json, sys; json.load(sys.stdin)' 2>/dev/null
  elif command -v jq >/dev/null 2>&1; then
    jq -e . >/dev/null 2>&1
  else
    tr -d '\n' | grep -Eq '^[[:space:]]*\{.*\}[[:space:]]*$'
  fi
}

create customercontacts '{"reseller_id":1,"email":"crash@example.com"}'
CONTACT=$ID
create customers "{\"contact_id\":$CONTACT,\"status\":\"active\",\"type\":\"sipaccount\",\"billing_profile_id\":1}"
CUSTOMER=$ID
create domains '{"domain":"crash.example","reseller_id":1}'
DOMAIN=$ID
r=$(http GET '/api/subscribers/?rows=1' "${AUTH[@]}")
[[ "$r" == 200* ]] || fail "subscriber list before the burst: $r"
BEFORE=$(total_count <<<"${r#* }")
[[ -n "$BEFORE" ]] || fail "no total_count before the burst: $r"
pass "contact $CONTACT, customer $CUSTOMER, domain $DOMAIN; $BEFORE subscribers"

# burst LOOP: up to PER_LOOP creates, one "<username> <code> <location>" line
# each in burst<LOOP>.out. Stops at the first 000 (no answer: the node is
# gone), so the rest of the loop does not just spawn refused curls.
burst() {
  local loop=$1 i user out
  for i in $(seq 1 "$PER_LOOP"); do
    user="k${loop}n$i"
    out=$(curl -sk -m 5 -o /dev/null -w '%{http_code} %header{location}' \
      "${AUTH[@]}" "${JSON[@]}" \
      --data-binary "$(subscriber_json "$user" $(( 300000000 + loop * 1000 + i )))" \
      "$BASE/api/subscribers/") || true
    out=${out%$'\r'}
    echo "$user ${out:-000}" >>"$WORK/burst$loop.out"
    [[ "${out:-000}" != 000* ]] || break
  done
}

# count_code CODE: burst lines with that status so far.
count_code() {
  cat "$WORK"/burst*.out | awk -v c="$1" '$2 == c' | wc -l
}

LOOP_PIDS=()
for loop in $(seq 1 "$LOOPS"); do
  : >"$WORK/burst$loop.out"
  burst "$loop" &
  LOOP_PIDS+=("$!")
  PIDS+=("$!")
done

# Kill once some creates are answered, while the loops are still sending.
for _ in $(seq 1 600); do
  (( $(count_code 201) >= 50 )) && break
  kill -0 "$NODE_PID" 2>/dev/null || fail "node died during the burst"
  sleep 0.05
done
(( $(count_code 201) >= 50 )) ||
  fail "fewer than 50 creates answered within 30 s: $(cat "$WORK"/burst*.out | awk '{print $2}' | sort | uniq -c | tr '\n' ' ')"
kill -KILL "$NODE_PID"
wait "$NODE_PID" 2>/dev/null || true
for pid in "${LOOP_PIDS[@]}"; do wait_exit "$pid" 60; done

ATTEMPTS=$(cat "$WORK"/burst*.out | wc -l)
CREATED=$(count_code 201)
LOST=$(count_code 000)
(( LOST > 0 )) || fail "the burst ended before the kill; nothing was cut off"
others=$(cat "$WORK"/burst*.out | awk '$2 != "201" && $2 != "000"' | head -n 5)
[[ -z "$others" ]] || fail "unexpected answers during the burst: $others"
pass "SIGKILL after $CREATED creates answered 201 ($ATTEMPTS attempts, $LOST loops cut off)"

start_node "$CONF" "$WORK/node2.log"
wait_ready
pass "node restarted on the same data"

# Every 201 survived, under the id it was given, with its username.
dups=$(cat "$WORK"/burst*.out | awk '$2 == "201" {print $3}' | sort | uniq -d)
[[ -z "$dups" ]] || fail "one Location given to two creates: $dups"
checked=0
while read -r user code location; do
  [[ "$code" == 201 ]] || continue
  path="/api/${location#*/api/}"
  r=$(http GET "$path" "${AUTH[@]}")
  [[ "$r" == 200* ]] || fail "$user created as $location, now: $r"
  grep -Eq "\"username\"[[:space:]]*:[[:space:]]*\"$user\"" <<<"${r#* }" ||
    fail "$location is not $user: $r"
  checked=$(( checked + 1 ))
done < <(cat "$WORK"/burst*.out)
(( checked == CREATED )) || fail "checked $checked of $CREATED creates"
pass "all $CREATED acknowledged creates are there with their usernames"

# The collection lists every document it counts, and counts no more than
# was attempted.
r=$(http GET '/api/subscribers/?rows=1000' "${AUTH[@]}")
[[ "$r" == 200* ]] || fail "subscriber list after restart: ${r:0:300}"
body=${r#* }
json_ok <<<"$body" || fail "subscriber list is not JSON: ${body:0:300}"
total=$(total_count <<<"$body")
[[ -n "$total" ]] || fail "no total_count: ${body:0:300}"
(( total >= BEFORE + CREATED && total <= BEFORE + ATTEMPTS )) ||
  fail "total_count $total not within $(( BEFORE + CREATED ))..$(( BEFORE + ATTEMPTS ))"
items=$(grep -Eo '"username"[[:space:]]*:' <<<"$body" | wc -l)
(( items == (total < 1000 ? total : 1000) )) ||
  fail "list shows $items subscribers but counts $total"
pass "list: total_count $total, $items items"

# New writes work: a fresh subscriber gets a new id, a taken username is
# refused (the number is fresh, so only the username index can refuse it).
out=$(curl -sk -m 5 "${AUTH[@]}" "${JSON[@]}" -o "$WORK/body" \
  -w '%{http_code} %header{location}' \
  --data-binary "$(subscriber_json fresh1 399999001)" "$BASE/api/subscribers/") || true
out=${out%$'\r'}
[[ "$out" =~ ^201\ .*/api/subscribers/([0-9]+)$ ]] ||
  fail "fresh create after restart: $out $(cat "$WORK/body" 2>/dev/null)"
fresh_id=${BASH_REMATCH[1]}
if cat "$WORK"/burst*.out | awk '$2 == "201" {print $3}' |
  grep -Eq "/api/subscribers/$fresh_id\$"; then
  fail "fresh create reused id $fresh_id of an acknowledged subscriber"
fi
r=$(http GET "/api/subscribers/$fresh_id" "${AUTH[@]}")
[[ "$r" == 200*'"fresh1"'* ]] || fail "fresh subscriber $fresh_id: $r"
pass "a new subscriber after restart: 201, id $fresh_id"

taken=$(cat "$WORK"/burst*.out | awk '$2 == "201" {print $1; exit}')
r=$(http POST /api/subscribers/ "${AUTH[@]}" "${JSON[@]}" \
  --data-binary "$(subscriber_json "$taken" 399999002)")
[[ "$r" == 422*'"code"'*422* ]] || fail "reusing username $taken: $r"
pass "reusing the acknowledged username $taken: 422"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "exit after SIGTERM: $EXIT_RC"
pass "SIGTERM exits 0"
