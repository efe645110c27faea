# The failover drill (scripts/drill.sh, `make drill`) with small numbers:
# SIGKILL and SIGSTOP/SIGCONT of sp1, the node that holds the service
# address and runs the calls, each with calls up and registrations spread
# over the three nodes: sp2, its HA peer, gets the address and takes the
# calls over, sp2 and sp3 take sp1's subscribers over. Nothing may be lost
# and detection must take at most 2 s (the drill's own exit status). Where
# network namespaces cannot be made the drill exits 77 and this test is
# reported as skipped.
source "$(dirname "$0")/lib.sh"

for args in "--node sp1 --signal KILL" "--node sp1 --signal STOP"; do
  rc=0
  # shellcheck disable=SC2086
  out=$(timeout -k 5 240 "$SB_SOURCE_DIR/scripts/drill.sh" kill $args \
    --calls 4 --registrations 20 2>"$WORK/drill.err") || rc=$?
  if [[ $rc == 77 ]]; then
    echo "SKIP: $(cat "$WORK/drill.err")"
    exit 77
  fi
  [[ $rc == 0 ]] ||
    { cat "$WORK/drill.err" >&2; echo "$out" >&2; fail "drill $args (exit $rc): $out"; }
  line=$(grep '^drill: calls=' <<<"$out") || fail "no result line: $out"
  echo "$line"
  grep -E 'dead after|run all|registered again|calls|CDR' "$WORK/drill.err" || true
  [[ "$line" == *" calls_lost=0 "*"registrations_lost=0 cdrs_missing=0 "* ]] ||
    fail "drill $args lost something: $line"
  pass "drill $args"
done
