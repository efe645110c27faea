# A node starts from a configuration directory, serves /healthz, /readyz and
# /metrics over HTTPS, reloads on SIGHUP, drains and exits 0 on SIGTERM, and
# starts again on the same data.
source "$(dirname "$0")/lib.sh"

CONF="$WORK/conf"
make_conf "$CONF"
start_node "$CONF" "$WORK/node.log"
wait_ready

r=$(http GET /healthz); [[ "$r" == 200* ]] || fail "healthz: $r"
pass "healthz 200"
r=$(http GET /readyz); [[ "$r" == *'"ready"'* ]] || fail "readyz: $r"
pass "readyz 200"

m=$(http GET /metrics)
[[ "$m" == 200* ]] || fail "metrics: $m"
grep -q '^sb_node_ready 1' <<<"${m#* }" || fail "sb_node_ready missing: $m"
grep -q '^# TYPE sb_config_reloads_total counter' <<<"${m#* }" ||
  fail "reload counter missing"
grep -q '^sb_actors_running [1-9]' <<<"${m#* }" || fail "no live actors: $m"
pass "metrics in Prometheus text format"

[[ -f "$CONF/data/tls/mgmt.crt" && -f "$CONF/data/tls/mgmt.key" ]] ||
  fail "self-signed certificate not generated"
[[ "$(stat -c %a "$CONF/data/tls/mgmt.key")" == 600 ]] || fail "key not 0600"
cert_before=$(sha256sum "$CONF/data/tls/mgmt.crt")
openssl x509 -in "$CONF/data/tls/mgmt.crt" -noout -ext subjectAltName |
  grep -q '127.0.0.1' || fail "certificate lacks the listener address"
pass "self-signed certificate with SAN"

r=$(http GET /control/status); [[ "$r" == 401* ]] || fail "status w/o token: $r"
r=$(http POST /control/reload -H "Authorization: Bearer wrong")
[[ "$r" == 401* ]] || fail "reload with a wrong token: $r"
pass "control endpoints need the token"

TOKEN=$(cat "$CONF/data/control.token")
printf 'logging:\n  level: debug\n' >>"$CONF/config.local.yml"
kill -HUP "$NODE_PID"
for _ in $(seq 1 50); do
  r=$(http GET /control/status -H "Authorization: Bearer $TOKEN")
  [[ "$r" == *'"log_level":"debug"'* ]] && break
  sleep 0.1
done
[[ "$r" == *'"log_level":"debug"'* ]] || fail "SIGHUP did not apply logging.level: $r"
# A single node has no cluster view and cannot be drained.
r=$(http GET /control/cluster -H "Authorization: Bearer $TOKEN")
[[ "$r" == 404* ]] || fail "cluster view on a single node: $r"
r=$(http POST /control/drain -H "Authorization: Bearer $TOKEN")
[[ "$r" == 404* ]] || fail "drain on a single node: $r"
grep -q 'reload: logging.level info -> debug' "$WORK/node.log" ||
  fail "reload not logged"
m=$(http GET /metrics)
grep -q '^sb_config_reloads_total{result="ok"} 1' <<<"${m#* }" ||
  fail "reload not counted"
pass "SIGHUP reloads the log level"

# An invalid file on SIGHUP leaves the running configuration alone.
printf 'bogus: 1\n' >>"$CONF/config.local.yml"
kill -HUP "$NODE_PID"
sleep 0.5
grep -q 'configuration not reloaded' "$WORK/node.log" || fail "bad reload not reported"
r=$(http GET /readyz); [[ "$r" == 200* ]] || fail "node unhealthy after bad reload"
sed -i '/^bogus/d' "$CONF/config.local.yml"
pass "an invalid reload is refused and the node keeps running"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "exit status after SIGTERM: $EXIT_RC"
grep -q 'SIGTERM: draining' "$WORK/node.log" || fail "no drain logged"
pass "SIGTERM drains and exits 0"

start_node "$CONF" "$WORK/node2.log"
wait_ready
[[ "$(sha256sum "$CONF/data/tls/mgmt.crt")" == "$cert_before" ]] ||
  fail "certificate regenerated on restart"
kill -INT "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "exit status after SIGINT: $EXIT_RC"
pass "restart on the same data; SIGINT exits 0"
