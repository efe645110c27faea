# A node with the provisioning log in Redis: ready while Redis answers, not
# ready (with the reason) while it is gone, ready again when it is back.
source "$(dirname "$0")/lib.sh"

start_private_redis

CONF="$WORK/conf"
make_conf "$CONF"
cat >>"$CONF/config.local.yml" <<YML
provisioning:
  log_backend: redis
redis:
  port: $REDIS_PORT
  connect_timeout_ms: 500
  command_timeout_ms: 300
YML
start_node "$CONF" "$WORK/node.log"
wait_ready
pass "ready with the provisioning log in Redis"

kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null || true
for _ in $(seq 1 50); do
  r=$(http GET /readyz)
  [[ "$r" == 503* ]] && break
  sleep 0.1
done
[[ "$r" == 503*'provisioning log failing'* ]] || fail "readyz without redis: $r"
r=$(http GET /healthz); [[ "$r" == 200* ]] || fail "healthz without redis: $r"
pass "not ready, but alive, while Redis is gone"

start_private_redis
wait_ready
pass "ready again after Redis came back"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "exit after SIGTERM: $EXIT_RC"
pass "SIGTERM exits 0"
