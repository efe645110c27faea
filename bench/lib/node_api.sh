# Helpers of the benchmark scripts for the node they started: its RSS, API
# totals and metrics. Sourced, not run; needs MGMT_PORT, CONF and NODE_PID.

MGMT="https://127.0.0.1:$MGMT_PORT"
AUTH=administrator:administrator
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$NODE_PID/status"; }
api_total() { # api_total PATH -> total_count
  curl -sk -m 10 -u "$AUTH" "$MGMT$1" | grep -o '"total_count":[0-9]*' | cut -d: -f2 || true
}
fetch_metrics() { # Prometheus text of the node (docs/operations.md)
  local tok=() t="$CONF/data/control.token"
  [[ -r "$t" ]] && tok=(-H "Authorization: Bearer $(cat "$t")")
  curl -sk -m 10 "${tok[@]}" "$MGMT/metrics"
}
metric() { # metric NAME -> value of its first sample
  fetch_metrics | awk -v k="$1" '$1 == k || index($1, k "{") == 1 { print $2; exit }'
}
