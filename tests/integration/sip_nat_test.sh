#!/usr/bin/env bash
# A subscriber registering from behind a NAT (Via names a private address,
# rport asked for): the 200 is sent back to the real source, the binding is
# marked NATed with the received address, and the node sends keepalive
# OPTIONS to that address (sip.nat_keepalive_interval_s).
source "$(dirname "$0")/lib.sh"

CONF=$WORK/conf
make_conf "$CONF"
sed -i 's/^sip:/sip:\n  nat_keepalive_interval_s: 1/' "$CONF/config.local.yml"
"$SBNODE" --config-dir "$CONF" --demo >"$WORK/node.log" 2>&1 &
NODE_PID=$!
PIDS+=("$NODE_PID")
wait_ready

out=$(timeout 20 python3 "$(dirname "$0")/sip/nat_register.py" "$SIP_PORT" \
  1003 demo1003 5)
[[ "$(sed -n 1p <<<"$out")" == "SIP/2.0 200 OK" ]] || fail "register: $out"
pass "REGISTER from behind NAT answered 200 at the source address"
[[ "$(sed -n 2p <<<"$out")" == "OPTIONS sip:1003@10.9.9.9:5060 SIP/2.0" ]] ||
  fail "keepalive: $out"
pass "keepalive OPTIONS reached the NAT mapping"

body=$(http GET '/api/subscriberregistrations?subscriber_id=3' \
  -u administrator:administrator)
[[ "$body" == 200* ]] || fail "registrations: $body"
grep -q '"nat":true' <<<"$body" || fail "binding not marked NATed: $body"
grep -q '"received":"udp:127.0.0.1:' <<<"$body" ||
  fail "received address missing: $body"
pass "binding is NATed with its received address"

# Removing the subscriber drops its bindings (checked when the actor is
# next activated or idle): restart the node, which re-activates every AoR
# with stored bindings.
[[ "$(http DELETE /api/subscribers/3 -u administrator:administrator)" == 204* ]] ||
  fail "delete subscriber"
kill -TERM "$NODE_PID"
wait_exit "$NODE_PID" 15
"$SBNODE" --config-dir "$CONF" >"$WORK/node2.log" 2>&1 &
NODE_PID=$!
PIDS+=("$NODE_PID")
wait_ready
for _ in $(seq 1 50); do
  body=$(http GET '/api/subscriberregistrations?subscriber_id=3' \
    -u administrator:administrator)
  grep -q '"total_count":0' <<<"$body" && break
  sleep 0.1
done
grep -q '"total_count":0' <<<"$body" || fail "bindings of a removed subscriber: $body"
pass "bindings of a removed subscriber are purged"
