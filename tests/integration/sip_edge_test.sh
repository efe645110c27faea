# The SIP edge on the wire: every RFC 4475 / RFC 5118 torture message gets
# the answer its RFC section asks for (tests/integration/sip/sip_probe.py
# holds the table), the node survives the corpus, an oversized TCP message
# and a burst of garbage datagrams, and answers OPTIONS, unknown methods,
# CANCEL and ACK as the edge promises. Loopback only; the probe sends from
# addresses in 127.0.0.0/8, which the DoS ban is told to leave alone.
source "$(dirname "$0")/lib.sh"

PROBE=(timeout 60 python3 "$(dirname "$0")/sip/sip_probe.py")
command -v python3 >/dev/null || fail "python3 not found"

# The corpus lives beside the checkout (or beside the repository it was
# cloned from), never in it; tests/CMakeLists.txt passes what it found.
if [[ -z "${SB_SIP_TORTURE_DIR:-}" ]]; then
  SB_SIP_TORTURE_DIR="$SB_SOURCE_DIR/../shared/reference/sip-torture"
  if [[ ! -d "$SB_SIP_TORTURE_DIR" ]]; then
    origin=$(git -C "$SB_SOURCE_DIR" remote get-url origin 2>/dev/null || true)
    [[ -n "$origin" ]] && SB_SIP_TORTURE_DIR="$origin/../shared/reference/sip-torture"
  fi
fi
[[ -d "$SB_SIP_TORTURE_DIR/rfc4475" && -d "$SB_SIP_TORTURE_DIR/rfc5118" ]] ||
  fail "SIP torture corpus not found (SB_SIP_TORTURE_DIR=$SB_SIP_TORTURE_DIR)"

CONF="$WORK/conf"
make_conf "$CONF"
cat >>"$CONF/config.local.yml" <<'YML'
security:
  dos_whitelist_ip: [127.0.0.0/8]
YML
# badvers.dat (Via: SIP/7.0/UDP c.example.com) makes sofia resolve that name
# on the edge thread to send its 505; keep the resolver's wait short.
export RES_OPTIONS="timeout:1 attempts:1"
start_node "$CONF" "$WORK/node.log"
wait_ready

alive() { kill -0 "$NODE_PID" 2>/dev/null || fail "node died: $1"; }
probe() { "${PROBE[@]}" "$1" --port "$SIP_PORT" "${@:2}"; }

# -- the torture corpus --------------------------------------------------------
torture_rc=0
probe torture --dir "$SB_SIP_TORTURE_DIR" --tcp-valid >"$WORK/torture.out" ||
  torture_rc=$?
cat "$WORK/torture.out"
summary=$(grep '^torture:' "$WORK/torture.out" || true)
[[ -n "$summary" ]] || fail "torture run did not finish (rc $torture_rc)"
alive "after the torture corpus"
if [[ $torture_rc == 0 ]]; then
  pass "$summary"
else
  echo "not ok: $summary" >&2
fi

# -- still serving ------------------------------------------------------------
r=$(probe send); [[ "$r" == "SIP/2.0 200 OK" ]] || fail "OPTIONS over UDP: $r"
r=$(probe send --tcp); [[ "$r" == "SIP/2.0 200 OK" ]] || fail "OPTIONS over TCP: $r"
r=$(http GET /readyz); [[ "$r" == 200* ]] || fail "readyz after the corpus: $r"
pass "OPTIONS 200 over UDP and TCP, /readyz 200 after the corpus"

# -- an oversized message on a stream ----------------------------------------
big=$(probe oversize --size 70000)
[[ "$big" == CLOSED* ]] || fail "70000-byte message over TCP: connection $big"
alive "after the oversized message"
r=$(probe send --tcp); [[ "$r" == "SIP/2.0 200 OK" ]] ||
  fail "OPTIONS on a fresh TCP connection after the oversized one: $r"
pass "70000 bytes over TCP: connection ${big#CLOSED }, then closed; a new one is served"

# -- garbage ------------------------------------------------------------------
r=$(probe garbage --count 200); [[ "$r" == "sent 200" ]] || fail "garbage: $r"
alive "after 200 garbage datagrams"
r=$(probe send); [[ "$r" == "SIP/2.0 200 OK" ]] ||
  fail "OPTIONS after 200 garbage datagrams: $r"
pass "200 garbage datagrams, OPTIONS still 200"

# -- methods ------------------------------------------------------------------
for t in "" --tcp; do
  r=$(probe send $t --method FOO --show Allow)
  [[ "$(sed -n 1p <<<"$r")" == "SIP/2.0 405 Method Not Allowed" ]] ||
    fail "FOO $t: $r"
  allow=$(sed -n 2p <<<"$r")
  [[ "$allow" == Allow:*OPTIONS* && "$allow" == Allow:*REGISTER* ]] ||
    fail "FOO $t: 405 without a proper Allow: $r"
done
pass "unknown method FOO: 405 with $allow (UDP and TCP)"
r=$(probe send --method CANCEL); [[ "$r" == "SIP/2.0 481"* ]] || fail "CANCEL: $r"
r=$(probe send --method ACK --timeout 1); [[ "$r" == NO-REPLY ]] || fail "ACK: $r"
r=$(probe send --method REGISTER --ruri sip:example.invalid)
[[ "$r" == "SIP/2.0 403 Relaying Denied" ]] || fail "REGISTER, unknown domain: $r"
pass "CANCEL 481, ACK unanswered, REGISTER to an unknown domain 403"
for m in BYE INFO UPDATE PRACK; do
  r=$(probe send --method "$m")
  [[ "$r" == "SIP/2.0 481"* ]] || fail "$m outside any call: $r"
done
pass "BYE/INFO/UPDATE/PRACK outside any call: 481"

alive "at the end"
r=$(http GET /readyz); [[ "$r" == 200* ]] || fail "readyz at the end: $r"
[[ $torture_rc == 0 ]] ||
  fail "torture corpus: $(grep -c '^MISMATCH' "$WORK/torture.out") unexpected answers:
$(grep '^MISMATCH' "$WORK/torture.out")"
