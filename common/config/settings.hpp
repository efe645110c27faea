#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sb::config {

// The typed form of config.yml + constants.yml after merging and
// validation. Defaults here are the documented defaults (docs/config.md);
// schema.cpp binds every field to its YAML key and says whether a running
// node re-applies it on reload or needs a restart.

struct general_settings {
  std::string data_dir = "/var/lib/switchboard";
};

struct logging_settings {
  std::string level = "info";
  std::string format = "text";
};

struct actor_settings {
  std::string scheduler_policy = "sharing";
  int64_t max_threads = 2;
  int64_t max_throughput = 300;
};

struct cluster_settings {
  bool enable = false;
  int64_t port = 4370;
  int64_t heartbeat_interval_ms = 200;
  int64_t connection_timeout_ms = 1500;
  int64_t suspect_after_ms = 500;
  int64_t dead_after_ms = 1200;
  int64_t lease_ttl_ms = 1200;
  int64_t drain_timeout_s = 3600;
};

struct redis_settings {
  std::string host = "127.0.0.1";
  int64_t port = 6379;
  int64_t connect_timeout_ms = 1000;
  int64_t command_timeout_ms = 1000;
  std::string key_prefix = "sb:";
};

struct mgmt_settings {
  int64_t port = 1443;
  std::string tls_cert;
  std::string tls_key;
  int64_t drain_timeout_ms = 5000;
  int64_t max_body_bytes = 1048576;
  int64_t self_signed_cert_days = 3650;
  int64_t login_max_failures = 5;
  int64_t login_window_s = 300;
  int64_t login_ban_s = 600;
};

struct sip_settings {
  int64_t port = 5060;
  int64_t tls_port = 5061;
  std::string tls_cert;
  std::string tls_key;
  int64_t max_message_bytes = 65535;
  std::string user_agent = "Switchboard";
  int64_t nonce_max_age_s = 300;
  int64_t nat_keepalive_interval_s = 30;
  int64_t subscriber_idle_s = 300;
  int64_t ring_timeout_s = 180;
  int64_t max_call_duration_s = 21600;
  int64_t session_expires_s = 1800;
  int64_t min_se_s = 90;
};

/// Expiry bounds of registrations. Rule (documented, not yet enforced by the
/// loader): min_expires <= default_expires <= max_expires.
struct registrar_settings {
  int64_t min_expires = 60;
  int64_t max_expires = 3600;
  int64_t default_expires = 3600;
  int64_t max_contacts = 5;
};

/// The reference's security.* section: DoS (request rate) ban, failed
/// authentication ban, User-Agent blocklist.
struct security_settings {
  bool dos_ban_enable = true;
  int64_t dos_sampling_time_unit = 5;
  int64_t dos_reqs_density_per_unit = 50;
  int64_t dos_ban_time = 300;
  std::vector<std::string> dos_whitelist_ip;
  bool failed_auth_ban_enable = true;
  int64_t failed_auth_attempts = 3;
  int64_t failed_auth_ban_time = 3600;
  // Known scanners. sipsak is deliberately absent: a legitimate test tool.
  std::vector<std::string> block_useragents = {"friendly-scanner",
                                               "sipvicious",
                                               "sipcli",
                                               "VaxSIPUserAgent",
                                               "pplsip",
                                               "sundayddr",
                                               "iWar",
                                               "SIVuS",
                                               "Gulp",
                                               "sipv",
                                               "smap"};
};

/// The media relay (the reference's rtpproxy section, served by rtpengine
/// there).
struct rtpproxy_settings {
  int64_t minport = 30000;
  int64_t maxport = 40000;
  int64_t rtp_timeout = 60;
  int64_t rtp_timeout_onhold = 3600;
};

struct provisioning_settings {
  std::string log_backend = "local";
  int64_t apply_batch = 256;
  /// A shared (redis) log keeps at least this many newest changes.
  int64_t log_keep = 100000;
  /// Seconds between retention rounds (report, checkpoint, trim).
  int64_t retention_interval_s = 10;
};

/// Every setting of one node, defaults filled in.
struct settings {
  general_settings general;
  logging_settings logging;
  actor_settings actors;
  cluster_settings cluster;
  redis_settings redis;
  mgmt_settings mgmt;
  sip_settings sip;
  registrar_settings registrar;
  security_settings security;
  rtpproxy_settings rtpproxy;
  provisioning_settings provisioning;
};

} // namespace sb::config
