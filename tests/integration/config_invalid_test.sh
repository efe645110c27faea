# Nothing starts on an invalid configuration: sbnode exits 2 and names the
# file, the line and the key; sbctl config check agrees.
source "$(dirname "$0")/lib.sh"

CONF="$WORK/conf"
make_conf "$CONF"

expect_invalid() {
  local what=$1 expected=$2
  local rc=0
  timeout 20 "$SBNODE" --config-dir "$CONF" >"$WORK/out.log" 2>&1 || rc=$?
  [[ "$rc" == 2 ]] || fail "$what: sbnode exit $rc, expected 2"
  grep -qF -- "$expected" "$WORK/out.log" ||
    fail "$what: message lacks '$expected': $(cat "$WORK/out.log")"
  rc=0
  "$SBCTL" config --config-dir "$CONF" check >"$WORK/check.log" 2>&1 || rc=$?
  [[ "$rc" == 2 ]] || fail "$what: sbctl config check exit $rc"
  grep -qF -- "$expected" "$WORK/check.log" || fail "$what: check output"
  pass "$what"
}

cp "$CONF/config.yml" "$WORK/config.yml.orig"
printf 'mgmt:\n  port: 1443\n  colour: red\n' >"$CONF/config.yml"
expect_invalid "unknown key" "config.yml:3: mgmt.colour: unknown key"

printf 'mgmt:\n  port: high\n' >"$CONF/config.yml"
expect_invalid "wrong type" "config.yml:2: mgmt.port: expected an integer"

printf 'actors:\n  max_threads: 0\n' >"$CONF/config.yml"
expect_invalid "out of range" "config.yml:2: actors.max_threads: value 0 is out of range 1..256"

cp "$WORK/config.yml.orig" "$CONF/config.yml"
printf 'hosts:\n  sp1:\n    role: [mgmt, spy]\n    interfaces: [lo]\n    lo: {ip: 127.0.0.1, type: [api_int]}\n' >"$CONF/network.yml"
expect_invalid "bad network.yml role" "network.yml:3: hosts.sp1.role: unknown role"

rc=0
"$SBNODE" --config-dir "$WORK/nowhere" >"$WORK/out.log" 2>&1 || rc=$?
[[ "$rc" == 2 ]] || fail "missing config dir: exit $rc"
grep -q 'network.yml: missing' "$WORK/out.log" || fail "missing dir message"
pass "missing configuration directory"
[[ ! -e "$CONF/data" ]] || fail "an invalid configuration created data"
pass "nothing was created"
