# `sbctl trace replay`: the golden call traces of tests/traces/ replay
# identically with this build; a trace whose recorded effects differ is
# reported at its first divergent step (exit 1); a file that is not a trace
# is refused (exit 2).
source "$(dirname "$0")/lib.sh"

for t in "$SB_SOURCE_DIR"/tests/traces/*.json; do
  out=$("$SBCTL" trace replay "$t") || fail "$t: $out"
  [[ "$out" == identical:* ]] || fail "$t: $out"
done
pass "golden traces replay identically"

# The recorded hangup step says "no BYE to the callee": this build differs.
python3 - "$SB_SOURCE_DIR/tests/traces/basic_call.json" "$WORK/changed.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
t["steps"][6]["effects"]["bye"] = []
json.dump(t, open(sys.argv[2], "w"))
PY
rc=0
out=$("$SBCTL" trace replay "$WORK/changed.json") || rc=$?
[[ "$rc" == 1 && "$out" == "diverges at step 6: "* ]] || fail "changed trace: rc=$rc $out"
pass "a divergent trace is reported at step 6 (exit 1)"

python3 -c "import json,sys; t=json.load(open(sys.argv[1])); t[\"steps\"][0][\"event\"][\"type\"]=\"warp\"; json.dump(t,open(sys.argv[2],\"w\"))" "$SB_SOURCE_DIR/tests/traces/basic_call.json" "$WORK/bad.json"
rc=0
"$SBCTL" trace replay "$WORK/bad.json" 2>"$WORK/err.log" || rc=$?
[[ "$rc" == 2 ]] && grep -q "unknown type 'warp'" "$WORK/err.log" ||
  fail "bad trace: rc=$rc $(cat "$WORK/err.log")"
pass "a malformed trace is refused naming the problem (exit 2)"
