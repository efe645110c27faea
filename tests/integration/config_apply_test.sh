# sbctl config diff / commit / apply / status / history against a running
# node: reloadable settings take effect, restart-only ones are reported.
source "$(dirname "$0")/lib.sh"

CONF="$WORK/conf"
make_conf "$CONF"
SB() { "$SBCTL" config --config-dir "$CONF" "$@"; }

out=$(SB diff); grep -q '^added config.yml' <<<"$out" || fail "diff before commit: $out"
rc=0; SB commit >"$WORK/c.log" 2>&1 || rc=$?
[[ "$rc" == 2 ]] || fail "commit without a message must fail: $rc"
out=$(SB commit -m "initial configuration")
[[ "$out" == "committed 1: initial configuration" ]] || fail "commit: $out"
out=$(SB diff); [[ "$out" == "no changes since commit 1" ]] || fail "diff after commit: $out"
pass "commit and diff on a fresh directory"

start_node "$CONF" "$WORK/node.log"
wait_ready
out=$(SB status)
grep -q '^sp1: running commit 1 ' <<<"$out" || fail "status: $out"
pass "status shows the running commit"

NEW_PORT=$(free_port)
sed -i "s/drain_timeout_ms: 3000/drain_timeout_ms: 2500/; s/port: $MGMT_PORT/port: $NEW_PORT/" "$CONF/config.local.yml"
printf 'logging:\n  level: warn\n' >>"$CONF/config.local.yml"
out=$(SB diff)
grep -q '^modified config.local.yml' <<<"$out" || fail "diff files: $out"
grep -q 'sp1 logging.level: info -> warn  \[reload\]' <<<"$out" || fail "diff level: $out"
grep -q "sp1 mgmt.port: $MGMT_PORT -> $NEW_PORT  \[restart\]" <<<"$out" || fail "diff port: $out"
pass "diff shows each changed key and how it applies"

out=$(SB apply -m "quieter logs, new port")
grep -q '^committed 2: quieter logs, new port' <<<"$out" || fail "apply commit: $out"
grep -q 'applied logging.level: info -> warn' <<<"$out" || fail "apply level: $out"
grep -q 'applied mgmt.drain_timeout_ms: 3000 -> 2500' <<<"$out" || fail "apply drain: $out"
grep -q "needs restart mgmt.port: $MGMT_PORT -> $NEW_PORT" <<<"$out" || fail "apply restart: $out"
pass "apply commits, reloads and reports what needs a restart"

out=$(SB status)
grep -q 'sp1: running commit 2 .*restart needed for: mgmt.port' <<<"$out" || fail "status after apply: $out"
out=$("$SBCTL" node --config-dir "$CONF" status)
grep -q '"log_level":"warn"' <<<"$out" || fail "node status: $out"
pass "the node runs commit 2 with a restart pending"

out=$("$SBCTL" node --config-dir "$CONF" log-level debug)
[[ "$out" == "sp1: log level debug" ]] || fail "log-level: $out"
out=$("$SBCTL" node --config-dir "$CONF" status)
grep -q '"log_level":"debug"' <<<"$out" || fail "log level not changed: $out"
pass "log level changed at run time"

out=$(SB history)
[[ $(wc -l <<<"$out") == 2 ]] || fail "history: $out"
grep -q '^2 .* quieter logs, new port$' <<<"$out" || fail "history line: $out"
out=$(SB history 2)
grep -q 'sp1 logging.level: info -> warn' <<<"$out" || fail "history 2: $out"
pass "history lists and shows commits"

out=$(SB show mgmt.port)
grep -q "^mgmt.port: $NEW_PORT  # restart, config.local.yml:" <<<"$out" || fail "show: $out"
out=$(SB build)
grep -q "^  port: $NEW_PORT  # restart, config.local.yml" <<<"$out" || fail "build: $out"
pass "show and build"

# An invalid change is neither committed nor applied.
printf 'mgmt:\n  nonsense: 1\n' >>"$CONF/config.yml"
rc=0; SB apply -m "broken" >"$WORK/apply.log" 2>&1 || rc=$?
[[ "$rc" == 2 ]] || fail "apply of an invalid config: exit $rc"
[[ $(SB history | wc -l) == 2 ]] || fail "invalid config was committed"
pass "apply refuses an invalid configuration"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
[[ "$EXIT_RC" == 0 ]] || fail "exit after SIGTERM: $EXIT_RC"
