# The workflow of docs/api.md works exactly as written: every `sh` block of
# the page is run in order against a fresh node (only the port differs), and
# every status code the page promises in a trailing "# NNN" comment is the
# one the node answers.
source "$(dirname "$0")/lib.sh"

DOC="$SB_SOURCE_DIR/docs/api.md"
CONF="$WORK/conf"
make_conf "$CONF"
start_node "$CONF" "$WORK/node.log"
wait_ready

# The sh blocks, in order, pointed at this node.
awk '/^```sh$/ {on=1; next} /^```$/ {on=0} on' "$DOC" |
  sed "s|127.0.0.1:1443|127.0.0.1:$MGMT_PORT|g" > "$WORK/workflow.sh"
[[ -s "$WORK/workflow.sh" ]] || fail "no sh blocks in docs/api.md"

if ! bash -euo pipefail "$WORK/workflow.sh" > "$WORK/workflow.out" 2>&1; then
  cat "$WORK/workflow.out" >&2
  fail "a command of docs/api.md failed"
fi
pass "every sh block of docs/api.md ran"

# Promised codes, in order, against the status codes printed at line ends
# (a JSON body printed before one has no newline of its own).
grep -oE '# [0-9]{3}$' "$WORK/workflow.sh" | cut -c3- > "$WORK/expected"
grep -oE '(^|[]}])[0-9]{3}$' "$WORK/workflow.out" | grep -oE '[0-9]{3}' \
  > "$WORK/actual" || true
if ! diff -u "$WORK/expected" "$WORK/actual"; then
  cat "$WORK/workflow.out" >&2
  fail "status codes differ from docs/api.md"
fi
pass "$(wc -l < "$WORK/expected") promised status codes match"

grep -q '"code":422' "$WORK/workflow.out" ||
  fail "the documented validation error did not appear"
grep -q "field='password'" "$WORK/workflow.out" ||
  fail "the validation error does not name the field"
pass "documented validation error"

kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 10
[[ $EXIT_RC == 0 ]] || fail "node exit code $EXIT_RC"
pass "node stopped"
