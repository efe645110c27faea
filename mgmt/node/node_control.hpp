#pragma once

#include "common/result.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::mgmt {

/// Whether a node should receive traffic, and if not, why.
struct readiness {
  bool ready = false;
  std::vector<std::string> reasons;
};

/// What the management listener needs from the node it runs in. Every call
/// happens on the management I/O thread.
class node_control {
public:
  virtual ~node_control() = default;

  virtual readiness ready() const = 0;
  /// Node name, config fingerprint, pending restarts, log level, uptime.
  virtual nlohmann::json status() const = 0;
  /// Re-reads the configuration and applies what is reloadable: a JSON
  /// report with `applied` and `restart_required`, or the config problems.
  virtual result<nlohmann::json> reload() = 0;
  virtual bool set_log_level(std::string_view level) = 0;
};

} // namespace sb::mgmt
