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
  int64_t heartbeat_interval_ms = 500;
  int64_t connection_timeout_ms = 1500;
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

struct provisioning_settings {
  std::string log_backend = "local";
  int64_t apply_batch = 256;
};

/// Every setting of one node, defaults filled in.
struct settings {
  general_settings general;
  logging_settings logging;
  actor_settings actors;
  cluster_settings cluster;
  redis_settings redis;
  mgmt_settings mgmt;
  provisioning_settings provisioning;
};

} // namespace sb::config
