# The shared provisioning log is trimmed, and a node that starts after the
# trim catches up from the checkpoint a peer published plus the log's tail
# (issue 6 item 3). Without a checkpoint that covers the gap, the late node
# says why and does not start.
source "$(dirname "$0")/cluster_lib.sh"

start_private_redis
BASE="$WORK/cluster"
make_cluster_conf "$BASE" 2
for k in 1 2; do # keep 5 changes, one retention round a second
  sed -i 's/^  log_backend: redis$/&\n  log_keep: 5\n  retention_interval_s: 1/' \
    "$BASE/sp$k/config.local.yml"
done
rcli() { redis-cli -p "$REDIS_PORT" "$@"; }
first_id() { rcli XRANGE sb:provlog - + COUNT 1 | head -1; }

start_cluster "$BASE" 1
provision_subscribers ckpt.example.org 30 # 34 changes
last=$(rcli GET sb:provlog:seq)
((last >= 30)) || fail "log at $last after provisioning"
for _ in $(seq 1 100); do
  len=$(rcli XLEN sb:provlog)
  ckpt=$(rcli HGET sb:provlog:checkpoint position)
  ((len <= 5)) && [[ -n "$ckpt" ]] && break
  sleep 0.1
done
((len <= 5)) || fail "log not trimmed: $len entries, first $(first_id)"
((ckpt >= last - 5)) || fail "checkpoint at '$ckpt', log at $last"
[[ "$(rcli HGET sb:provlog:applied sp1)" == "$last" ]] ||
  fail "sp1 did not report its position: $(rcli HGETALL sb:provlog:applied)"
pass "log of $last changes trimmed to $len after a checkpoint at $ckpt"

start_cluster "$BASE" 2
grep -q "loaded the checkpoint at position $ckpt" "$WORK/sp2.log" ||
  fail "sp2 did not load the checkpoint: $(grep provisioning "$WORK/sp2.log")"
c=$(count_at 127.0.0.12 "/api/subscribers/?domain=ckpt.example.org&rows=1")
[[ "$c" == 31 ]] || fail "sp2 has $c of 31 subscribers"
pass "a node started after the trim loaded the checkpoint and the tail"

# Later changes reach it through the log, and it reports its position, so
# the maintainer keeps what it has not applied.
wait_state 1 sp2 alive 15 >/dev/null
create 127.0.0.12 domains '{"domain": "late.example.org", "reseller_id": 1}' >/dev/null
for _ in $(seq 1 100); do
  a1=$(rcli HGET sb:provlog:applied sp1)
  a2=$(rcli HGET sb:provlog:applied sp2)
  [[ -n "$a2" && "$a1" == "$a2" && "$a2" == "$(rcli GET sb:provlog:seq)" ]] && break
  sleep 0.1
done
[[ "$a1" == "$a2" ]] || fail "applied positions: sp1 $a1, sp2 $a2"
c=$(count_at 127.0.0.11 "/api/domains/?domain=late.example.org")
[[ "$c" == 1 ]] || fail "sp1 does not see the domain created on sp2: $c"
pass "a write on the late node reached both; both report position $a2"

# A late node with no checkpoint that covers the gap does not start: it
# cannot serve data it does not have, and its log says why.
kill -TERM "${NODE_PIDS[2]}"
wait_exit "${NODE_PIDS[2]}" 20
rm -rf "$BASE/sp2/data"
rcli DEL sb:provlog:checkpoint >/dev/null
start_cluster_node "$BASE" 2 "$WORK/sp2b.log"
wait_exit "${NODE_PIDS[2]}" 30
[[ "$EXIT_RC" != 0 ]] || fail "sp2 started without the data it lacks"
grep -q "the log starts at [0-9]* and no checkpoint was published" \
  "$WORK/sp2b.log" || fail "no reason in sp2's log: $(cat "$WORK/sp2b.log")"
pass "without a checkpoint the late node exits ($EXIT_RC) and says why"

kill -TERM "${NODE_PIDS[1]}"
wait_exit "${NODE_PIDS[1]}" 20
[[ "$EXIT_RC" == 0 ]] || fail "sp1 exit after SIGTERM: $EXIT_RC"
pass "SIGTERM exits 0"
