#pragma once

#include "common/config/loader.hpp"
#include "mgmt/client/https_client.hpp"

#include <optional>
#include <string>
#include <vector>

namespace sb::sbctl {

/// How sbctl reaches one node's management listener: the api_int address
/// of its host, its effective mgmt.port, and the control token its node
/// wrote into its data directory.
struct node_target {
  std::string node;
  std::string address;
  uint16_t port = 0;
  std::string data_dir;
};

/// The configuration in `config_dir` for every host (or just `node`); on
/// a problem prints it and exits 2.
std::vector<config::loaded_config>
load_configs_or_exit(const std::string& config_dir,
                     const std::optional<std::string>& node);

/// Targets for every host of the configuration (or just `only`).
std::vector<node_target> targets(const std::vector<config::loaded_config>& all,
                                 const std::optional<std::string>& only,
                                 const std::optional<std::string>& data_dir);

/// Sends a control request to a node, authenticated with its token.
result<mgmt::http_reply> control(const node_target& t,
                                 const std::string& method,
                                 const std::string& target,
                                 const std::string& body = {});

} // namespace sb::sbctl
