#pragma once

#include "common/result.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace sb::config {

/// One network interface of a host, as in the reference platform's
/// network.yml: its own address, optional shared (floating) and advertised
/// addresses, and the service zones (`type`) it carries.
struct interface_config {
  std::string name;
  std::string ip;
  std::vector<std::string> shared_ip;
  std::vector<std::string> advertised_ip;
  std::vector<std::string> types;

  bool has_type(std::string_view t) const;
};

/// One host (= one sbnode) with its roles and interfaces.
struct host_config {
  std::string name;
  std::vector<std::string> roles;
  std::string peer;
  std::string status = "online";
  std::vector<interface_config> interfaces;
  int line = 0; ///< where the host is defined in network.yml

  bool has_role(std::string_view r) const;
  /// The first interface carrying service zone `type`, or nullptr.
  const interface_config* interface_of_type(std::string_view type) const;
};

/// The whole of network.yml.
struct network_config {
  std::vector<host_config> hosts;

  const host_config* find(std::string_view name) const;
  /// The hosts with `role` that have `ip` as their own or shared address
  /// on an interface carrying service zone `type`: the one that listens
  /// there, or both nodes of an HA pair for their shared address.
  std::vector<const host_config*> with_address(std::string_view ip,
                                               std::string_view role,
                                               std::string_view type) const;
};

/// The roles a host may have.
const std::vector<std::string>& known_roles();
/// The service zones an interface may carry.
const std::vector<std::string>& known_interface_types();

/// Parses and validates network.yml's document. Every problem is reported as
/// "<file>:<line>: <key path>: <what>", one per line of the error.
result<network_config> parse_network(const YAML::Node& doc,
                                     const std::string& file);

/// A canonical one-line rendering of a host, for diffs.
std::string render_host(const host_config& h);

} // namespace sb::config
