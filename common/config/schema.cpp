#include "common/config/schema.hpp"

#include "common/net/ip_net.hpp"

#include <algorithm>

namespace sb::config {

namespace {

constexpr auto reload = apply_mode::reload;
constexpr auto restart = apply_mode::restart;
constexpr auto in_config = home_file::config;
constexpr auto in_constants = home_file::constants;

std::string describe(const YAML::Node& n) {
  switch (n.Type()) {
  case YAML::NodeType::Map:
    return "a mapping";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Null:
    return "nothing";
  default:
    return n.Tag() == "!" ? "the string \"" + n.Scalar() + "\""
                          : "\"" + n.Scalar() + "\"";
  }
}

// A plain (unquoted) scalar: quoted "5060" is a string, not a number.
bool plain_scalar(const YAML::Node& n) {
  return n.IsScalar() && n.Tag() != "!";
}

template <class Get>
field integer(std::string path, Get get, int64_t lo, int64_t hi,
              apply_mode mode, home_file home, std::string doc) {
  field f{path,
          "integer " + std::to_string(lo) + ".." + std::to_string(hi),
          mode,
          home,
          std::move(doc),
          {},
          {}};
  f.assign = [get, lo, hi](const YAML::Node& n,
                           settings& s) -> std::optional<std::string> {
    int64_t v = 0;
    if (!plain_scalar(n) || !YAML::convert<int64_t>::decode(n, v))
      return "expected an integer, got " + describe(n);
    if (v < lo || v > hi)
      return "value " + std::to_string(v) + " is out of range " +
             std::to_string(lo) + ".." + std::to_string(hi);
    get(s) = v;
    return std::nullopt;
  };
  f.render = [get](const settings& s) { return std::to_string(get(s)); };
  return f;
}

template <class Get>
field boolean(std::string path, Get get, apply_mode mode, home_file home,
              std::string doc) {
  field f{path, "boolean", mode, home, std::move(doc), {}, {}};
  f.assign = [get](const YAML::Node& n,
                   settings& s) -> std::optional<std::string> {
    bool v = false;
    if (!plain_scalar(n) || !YAML::convert<bool>::decode(n, v))
      return "expected true or false, got " + describe(n);
    get(s) = v;
    return std::nullopt;
  };
  f.render = [get](const settings& s) {
    return get(s) ? std::string("true") : std::string("false");
  };
  return f;
}

// A string, optionally restricted to a set of choices.
template <class Get>
field text(std::string path, Get get, std::vector<std::string> choices,
           apply_mode mode, home_file home, std::string doc) {
  std::string type_text = "string";
  if (!choices.empty()) {
    type_text = "one of";
    for (const auto& c : choices)
      type_text += (type_text == "one of" ? " " : ", ") + c;
  }
  field f{path, type_text, mode, home, std::move(doc), {}, {}};
  f.assign = [get, choices](const YAML::Node& n,
                            settings& s) -> std::optional<std::string> {
    if (n.IsNull() && choices.empty()) {
      get(s).clear();
      return std::nullopt;
    }
    if (!n.IsScalar())
      return "expected a string, got " + describe(n);
    const auto& v = n.Scalar();
    if (!choices.empty() &&
        std::find(choices.begin(), choices.end(), v) == choices.end()) {
      std::string list;
      for (const auto& c : choices)
        list += (list.empty() ? "" : ", ") + c;
      return "\"" + v + "\" is not one of: " + list;
    }
    get(s) = v;
    return std::nullopt;
  };
  f.render = [get](const settings& s) {
    YAML::Emitter e;
    e << get(s);
    return std::string(e.c_str());
  };
  return f;
}

// A list of strings, written as a YAML sequence (null: empty); `check`
// judges each item. Problems name the item by its 0-based index.
template <class Get>
field string_list(
    std::string path, Get get, std::string type_text,
    std::function<std::optional<std::string>(const std::string&)> check,
    apply_mode mode, home_file home, std::string doc) {
  field f{path, std::move(type_text), mode, home, std::move(doc), {}, {}};
  f.assign = [get, check](const YAML::Node& n,
                          settings& s) -> std::optional<std::string> {
    std::vector<std::string> items;
    if (!n.IsNull()) {
      if (!n.IsSequence())
        return "expected a list, got " + describe(n);
      for (std::size_t i = 0; i < n.size(); ++i) {
        const auto& item = n[i];
        auto where = "item " + std::to_string(i) + ": ";
        if (!item.IsScalar())
          return where + "expected a string, got " + describe(item);
        if (check)
          if (auto problem = check(item.Scalar()))
            return where + *problem;
        items.push_back(item.Scalar());
      }
    }
    get(s) = std::move(items);
    return std::nullopt;
  };
  f.render = [get](const settings& s) {
    YAML::Emitter e;
    e << YAML::Flow << YAML::BeginSeq;
    for (const auto& item : get(s))
      e << item;
    e << YAML::EndSeq;
    return std::string(e.c_str());
  };
  return f;
}

std::optional<std::string> check_ip_network(const std::string& text) {
  auto n = net::parse_ip_network(text);
  if (!n)
    return n.err().message;
  return std::nullopt;
}

void add_sip(std::vector<field>& v) {
  v.push_back(integer(
      "sip.port", [](auto& s) -> auto& { return s.sip.port; }, 1, 65535,
      restart, in_config,
      "SIP port (UDP and TCP) on every sip_ext interface."));
  v.push_back(integer(
      "sip.tls_port", [](auto& s) -> auto& { return s.sip.tls_port; }, 1, 65535,
      restart, in_config,
      "SIP over TLS port on every sip_ext interface (when sip.tls_cert is "
      "set)."));
  v.push_back(text(
      "sip.tls_cert", [](auto& s) -> auto& { return s.sip.tls_cert; }, {},
      restart, in_config,
      "PEM certificate of the SIP TLS listener. Empty: no TLS listener."));
  v.push_back(text(
      "sip.tls_key", [](auto& s) -> auto& { return s.sip.tls_key; }, {},
      restart, in_config, "PEM private key matching sip.tls_cert."));
  v.push_back(integer(
      "sip.max_message_bytes",
      [](auto& s) -> auto& { return s.sip.max_message_bytes; }, 1024, 1048576,
      restart, in_config,
      "Largest SIP message accepted; a larger one is refused with 413 or, on "
      "TCP, its connection is closed."));
  v.push_back(text(
      "sip.user_agent", [](auto& s) -> auto& { return s.sip.user_agent; }, {},
      reload, in_config,
      "Value of the Server and User-Agent headers the node sends."));
  v.push_back(integer(
      "sip.nonce_max_age_s",
      [](auto& s) -> auto& { return s.sip.nonce_max_age_s; }, 10, 86400, reload,
      in_config,
      "Seconds a digest nonce is accepted; an older one is answered as "
      "stale."));
  v.push_back(integer(
      "sip.nat_keepalive_interval_s",
      [](auto& s) -> auto& { return s.sip.nat_keepalive_interval_s; }, 0, 3600,
      reload, in_config,
      "Seconds between keepalives to NATed UDP contacts; 0 turns them off."));
  v.push_back(integer(
      "sip.subscriber_idle_s",
      [](auto& s) -> auto& { return s.sip.subscriber_idle_s; }, 1, 86400,
      reload, in_config,
      "An idle subscriber actor with no pending work is passivated after "
      "this many seconds."));
  v.push_back(integer(
      "sip.ring_timeout_s",
      [](auto& s) -> auto& { return s.sip.ring_timeout_s; }, 1, 3600, reload,
      in_config,
      "Seconds a call may ring unanswered before its branches are cancelled "
      "and the caller gets 480 No Answer."));
  v.push_back(integer(
      "sip.max_call_duration_s",
      [](auto& s) -> auto& { return s.sip.max_call_duration_s; }, 1, 604800,
      reload, in_config,
      "Seconds an answered call may last before both legs get BYE (a "
      "subscriber's max_call_duration preference is used when set)."));
  v.push_back(integer(
      "sip.session_expires_s",
      [](auto& s) -> auto& { return s.sip.session_expires_s; }, 90, 86400,
      reload, in_config,
      "Session timer (RFC 4028) interval asked for on the callee leg and "
      "granted to a caller that supports timers but names none."));
  v.push_back(integer(
      "sip.min_se_s", [](auto& s) -> auto& { return s.sip.min_se_s; }, 90,
      86400, reload, in_config,
      "Shortest session interval accepted; a caller asking for less gets "
      "422 with Min-SE."));
}

void add_registrar(std::vector<field>& v) {
  v.push_back(integer(
      "registrar.min_expires",
      [](auto& s) -> auto& { return s.registrar.min_expires; }, 1, 86400,
      reload, in_config,
      "Shortest registration accepted; a shorter Expires is answered 423 "
      "with Min-Expires."));
  v.push_back(integer(
      "registrar.max_expires",
      [](auto& s) -> auto& { return s.registrar.max_expires; }, 1, 604800,
      reload, in_config,
      "Longest registration granted; a longer Expires is shortened to "
      "this."));
  v.push_back(integer(
      "registrar.default_expires",
      [](auto& s) -> auto& { return s.registrar.default_expires; }, 1, 604800,
      reload, in_config,
      "Expiry of a REGISTER without Expires; keep min_expires <= "
      "default_expires <= max_expires."));
  v.push_back(integer(
      "registrar.max_contacts",
      [](auto& s) -> auto& { return s.registrar.max_contacts; }, 0, 1000,
      reload, in_config,
      "Most contacts one address of record may register (503 above); 0 means "
      "unlimited."));
}

void add_security(std::vector<field>& v) {
  v.push_back(boolean(
      "security.dos_ban_enable",
      [](auto& s) -> auto& { return s.security.dos_ban_enable; }, reload,
      in_config, "Ban source addresses that send SIP requests too fast."));
  v.push_back(integer(
      "security.dos_sampling_time_unit",
      [](auto& s) -> auto& { return s.security.dos_sampling_time_unit; }, 1,
      3600, reload, in_config,
      "Seconds of one counting window of the request-rate ban."));
  v.push_back(integer(
      "security.dos_reqs_density_per_unit",
      [](auto& s) -> auto& { return s.security.dos_reqs_density_per_unit; }, 1,
      1000000, reload, in_config,
      "Requests one address may send per window; the next one bans it."));
  v.push_back(integer(
      "security.dos_ban_time",
      [](auto& s) -> auto& { return s.security.dos_ban_time; }, 1, 604800,
      reload, in_config,
      "Seconds an address stays banned for sending too fast."));
  v.push_back(string_list(
      "security.dos_whitelist_ip",
      [](auto& s) -> auto& { return s.security.dos_whitelist_ip; },
      "list of IP networks", check_ip_network, reload, in_config,
      "Addresses or networks (`192.0.2.1`, `10.0.0.0/8`, `2001:db8::/32`) "
      "never rate-limited, e.g. peering gateways."));
  v.push_back(boolean(
      "security.failed_auth_ban_enable",
      [](auto& s) -> auto& { return s.security.failed_auth_ban_enable; },
      reload, in_config,
      "Ban addresses and users after repeated failed digest "
      "authentications."));
  v.push_back(integer(
      "security.failed_auth_attempts",
      [](auto& s) -> auto& { return s.security.failed_auth_attempts; }, 1, 1000,
      reload, in_config,
      "Failed authentications of one address or one user that ban it."));
  v.push_back(integer(
      "security.failed_auth_ban_time",
      [](auto& s) -> auto& { return s.security.failed_auth_ban_time; }, 1,
      604800, reload, in_config,
      "Seconds a failed-authentication ban lasts, and a failure is "
      "remembered."));
  v.push_back(string_list(
      "security.block_useragents",
      [](auto& s) -> auto& { return s.security.block_useragents; },
      "list of strings", nullptr, reload, in_config,
      "Requests whose User-Agent contains one of these (case-insensitive) are "
      "refused; known scanners by default."));
}

std::vector<field> make_schema() {
  std::vector<field> v;
  v.push_back(text(
      "general.data_dir", [](auto& s) -> auto& { return s.general.data_dir; },
      {}, restart, in_config,
      "Directory of the node's RocksDB store, TLS material and control token. "
      "Relative paths are relative to the configuration directory."));
  v.push_back(text(
      "logging.level", [](auto& s) -> auto& { return s.logging.level; },
      {"trace", "debug", "info", "warn", "error", "critical", "off"}, reload,
      in_config, "Lowest log level written."));
  v.push_back(text(
      "logging.format", [](auto& s) -> auto& { return s.logging.format; },
      {"text", "json"}, restart, in_config,
      "Log line format on standard error: human text or one JSON object per "
      "line."));
  v.push_back(text(
      "actors.scheduler_policy",
      [](auto& s) -> auto& { return s.actors.scheduler_policy; },
      {"sharing", "stealing"}, restart, in_config,
      "CAF scheduler policy. `sharing` wakes workers fast and idles at 0% CPU; "
      "`stealing` has more raw throughput on many cores."));
  v.push_back(integer(
      "actors.max_threads",
      [](auto& s) -> auto& { return s.actors.max_threads; }, 1, 256, restart,
      in_config, "CAF scheduler worker threads."));
  v.push_back(integer(
      "actors.max_throughput",
      [](auto& s) -> auto& { return s.actors.max_throughput; }, 1, 1000000,
      restart, in_config,
      "Messages an actor handles before it yields its worker thread."));
  v.push_back(boolean(
      "cluster.enable", [](auto& s) -> auto& { return s.cluster.enable; },
      restart, in_config,
      "Run as a member of a cluster: shared state and the provisioning log in "
      "Redis, peers from network.yml."));
  v.push_back(integer(
      "cluster.port", [](auto& s) -> auto& { return s.cluster.port; }, 1, 65535,
      restart, in_config,
      "TCP port of the node-to-node (CAF middleman) listener on the ha_int "
      "interface."));
  v.push_back(integer(
      "cluster.heartbeat_interval_ms",
      [](auto& s) -> auto& { return s.cluster.heartbeat_interval_ms; }, 50,
      60000, restart, in_config,
      "Interval of the heartbeats between nodes (the failure detector's and "
      "CAF middleman's; CAF's default is off) and of the lease renewals."));
  v.push_back(integer(
      "cluster.connection_timeout_ms",
      [](auto& s) -> auto& { return s.cluster.connection_timeout_ms; }, 100,
      600000, restart, in_config,
      "A peer connection silent this long is closed (CAF's default is "
      "never)."));
  v.push_back(integer(
      "cluster.suspect_after_ms",
      [](auto& s) -> auto& { return s.cluster.suspect_after_ms; }, 50, 600000,
      restart, in_config,
      "A peer silent this long is suspect: still the owner of its keys."));
  v.push_back(integer(
      "cluster.dead_after_ms",
      [](auto& s) -> auto& { return s.cluster.dead_after_ms; }, 100, 600000,
      restart, in_config,
      "A peer silent this long, with no valid lease in Redis, is dead: its "
      "keys move to the survivors."));
  v.push_back(integer(
      "cluster.lease_ttl_ms",
      [](auto& s) -> auto& { return s.cluster.lease_ttl_ms; }, 100, 600000,
      restart, in_config,
      "Lifetime of a node's lease in Redis, renewed every heartbeat. A node "
      "that could not renew it for this long (frozen, cut off) is fenced: it "
      "drops every key it owned."));
  v.push_back(integer(
      "cluster.drain_timeout_s",
      [](auto& s) -> auto& { return s.cluster.drain_timeout_s; }, 1, 86400,
      restart, in_config,
      "sbctl node drain: the longest a node waits for its calls to end "
      "before it exits anyway."));
  v.push_back(text(
      "redis.host", [](auto& s) -> auto& { return s.redis.host; }, {}, restart,
      in_config, "Redis server holding the shared cluster state."));
  v.push_back(integer(
      "redis.port", [](auto& s) -> auto& { return s.redis.port; }, 1, 65535,
      restart, in_config, "Redis TCP port."));
  v.push_back(integer(
      "redis.connect_timeout_ms",
      [](auto& s) -> auto& { return s.redis.connect_timeout_ms; }, 10, 60000,
      restart, in_config, "Timeout of one Redis connection attempt."));
  v.push_back(integer(
      "redis.command_timeout_ms",
      [](auto& s) -> auto& { return s.redis.command_timeout_ms; }, 10, 60000,
      restart, in_config, "Timeout of one Redis command."));
  v.push_back(text(
      "redis.key_prefix", [](auto& s) -> auto& { return s.redis.key_prefix; },
      {}, restart, in_constants,
      "Prefix of every Redis key the platform writes."));
  v.push_back(integer(
      "mgmt.port", [](auto& s) -> auto& { return s.mgmt.port; }, 1, 65535,
      restart, in_config,
      "HTTPS port of the management listener (REST API, /healthz, /readyz, "
      "/metrics) on the api_int interface."));
  v.push_back(text(
      "mgmt.tls_cert", [](auto& s) -> auto& { return s.mgmt.tls_cert; }, {},
      restart, in_config,
      "PEM certificate of the management listener. Empty: a self-signed one is "
      "generated in <data_dir>/tls/ on first start."));
  v.push_back(text(
      "mgmt.tls_key", [](auto& s) -> auto& { return s.mgmt.tls_key; }, {},
      restart, in_config, "PEM private key matching mgmt.tls_cert."));
  v.push_back(integer(
      "mgmt.drain_timeout_ms",
      [](auto& s) -> auto& { return s.mgmt.drain_timeout_ms; }, 0, 600000,
      reload, in_config,
      "On SIGTERM, how long the node waits for requests in flight before it "
      "exits."));
  v.push_back(integer(
      "mgmt.max_body_bytes",
      [](auto& s) -> auto& { return s.mgmt.max_body_bytes; }, 1024, 1073741824,
      restart, in_config, "Largest HTTP request body accepted (413 above)."));
  v.push_back(integer(
      "mgmt.self_signed_cert_days",
      [](auto& s) -> auto& { return s.mgmt.self_signed_cert_days; }, 1, 36500,
      restart, in_constants,
      "Validity of a generated self-signed certificate."));
  v.push_back(integer(
      "mgmt.login_max_failures",
      [](auto& s) -> auto& { return s.mgmt.login_max_failures; }, 1, 1000,
      restart, in_constants,
      "Failed API logins from one address within mgmt.login_window_s that "
      "ban it."));
  v.push_back(integer(
      "mgmt.login_window_s",
      [](auto& s) -> auto& { return s.mgmt.login_window_s; }, 1, 86400, restart,
      in_constants, "Seconds a failed API login counts towards a ban."));
  v.push_back(integer(
      "mgmt.login_ban_s", [](auto& s) -> auto& { return s.mgmt.login_ban_s; },
      1, 604800, restart, in_constants,
      "Seconds an address stays banned from the API after too many failed "
      "logins (answered 403)."));
  add_sip(v);
  add_registrar(v);
  add_security(v);
  v.push_back(integer(
      "rtpproxy.minport", [](auto& s) -> auto& { return s.rtpproxy.minport; },
      1024, 65534, restart, in_config,
      "First port of the media relay's range (even: RTP even, RTCP + 1)."));
  v.push_back(integer(
      "rtpproxy.maxport", [](auto& s) -> auto& { return s.rtpproxy.maxport; },
      1025, 65535, restart, in_config,
      "Last port of the media relay's range."));
  v.push_back(integer(
      "rtpproxy.rtp_timeout",
      [](auto& s) -> auto& { return s.rtpproxy.rtp_timeout; }, 5, 86400, reload,
      in_config,
      "Seconds without RTP on an answered call before it is ended on both "
      "legs."));
  v.push_back(integer(
      "rtpproxy.rtp_timeout_onhold",
      [](auto& s) -> auto& { return s.rtpproxy.rtp_timeout_onhold; }, 5, 86400,
      reload, in_config,
      "The same while the call is on hold (hold sends little or no RTP)."));
  v.push_back(text(
      "provisioning.log_backend",
      [](auto& s) -> auto& { return s.provisioning.log_backend; },
      {"local", "redis"}, restart, in_config,
      "Where the provisioning log lives: `local` (RocksDB, single node) or "
      "`redis` (a Redis stream every node applies)."));
  v.push_back(integer(
      "provisioning.apply_batch",
      [](auto& s) -> auto& { return s.provisioning.apply_batch; }, 1, 100000,
      restart, in_constants,
      "Changes read from the provisioning log per apply step."));
  v.push_back(integer(
      "provisioning.log_keep",
      [](auto& s) -> auto& { return s.provisioning.log_keep; }, 1, 1000000000,
      restart, in_config,
      "Newest changes a shared (redis) provisioning log always keeps; older "
      "ones are trimmed once every live node applied them and a checkpoint "
      "covers them (a node that starts later loads the checkpoint)."));
  v.push_back(integer(
      "provisioning.retention_interval_s",
      [](auto& s) -> auto& { return s.provisioning.retention_interval_s; }, 1,
      3600, restart, in_config,
      "Seconds between rounds in which each node reports the position it "
      "applied and the first live node by name checkpoints and trims the "
      "shared provisioning log."));
  return v;
}

} // namespace

const std::vector<field>& schema() {
  static const std::vector<field> fields = make_schema();
  return fields;
}

const field* find_field(std::string_view path) {
  for (const auto& f : schema())
    if (f.path == path)
      return &f;
  return nullptr;
}

bool is_section(std::string_view path) {
  for (const auto& f : schema())
    if (f.path.size() > path.size() &&
        f.path.compare(0, path.size(), path) == 0 && f.path[path.size()] == '.')
      return true;
  return false;
}

std::string schema_markdown() {
  const settings defaults;
  std::string out = "| key | type | default | applies on | file | meaning |\n"
                    "| --- | --- | --- | --- | --- | --- |\n";
  for (const auto& f : schema())
    out += "| `" + f.path + "` | " + f.type_text + " | `" + f.render(defaults) +
           "` | " + std::string(to_string(f.mode)) + " | " +
           std::string(to_string(f.home)) + " | " + f.doc + " |\n";
  return out;
}

std::string_view to_string(apply_mode m) {
  return m == apply_mode::reload ? "reload" : "restart";
}

std::string_view to_string(home_file f) {
  return f == home_file::config ? "config.yml" : "constants.yml";
}

} // namespace sb::config
