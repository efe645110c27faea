#include "apps/sbctl/targets.hpp"

#include <cstdlib>
#include <iostream>

#include "common/fs.hpp"
#include "mgmt/node/control_token.hpp"

#include <charconv>
#include <string_view>

namespace sb::sbctl {

std::vector<node_target> targets(const std::vector<config::loaded_config>& all,
                                 const std::optional<std::string>& only,
                                 const std::optional<std::string>& data_dir) {
  std::vector<node_target> out;
  for (const auto& cfg : all) {
    if (only && cfg.node != *only)
      continue;
    const auto* api = cfg.host().interface_of_type("api_int");
    if (!api)
      continue; // a host without the mgmt listener cannot be controlled
    out.push_back(
        {cfg.node, api->ip, static_cast<uint16_t>(cfg.values.mgmt.port),
         data_dir
             ? *data_dir
             : config::resolve(cfg, cfg.values.general.data_dir).string()});
  }
  return out;
}

result<mgmt::http_reply> control(const node_target& t,
                                 const std::string& method,
                                 const std::string& target,
                                 const std::string& body) {
  auto token = fs::read_file(mgmt::control_token_path(t.data_dir));
  if (!token)
    return error{"no control token for node " + t.node + " (" +
                 token.err().message + "); is the node started?"};
  mgmt::http_call call;
  call.host = t.address;
  call.port = t.port;
  // The node's own record of where it listens beats the files, which may
  // hold a mgmt.port it has not restarted on yet.
  if (auto ep = fs::read_file(mgmt::endpoint_path(t.data_dir))) {
    auto colon = ep->rfind(':');
    uint16_t port = 0;
    if (colon != std::string::npos) {
      auto digits = std::string_view(*ep).substr(colon + 1);
      auto [p, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), port);
      if (ec == std::errc{} && port != 0) {
        call.host = ep->substr(0, colon);
        call.port = port;
      }
    }
  }
  call.method = method;
  call.target = target;
  call.body = body;
  call.headers.emplace_back("Authorization", "Bearer " + *token);
  return mgmt::https_request(call);
}

std::vector<config::loaded_config>
load_configs_or_exit(const std::string& config_dir,
                     const std::optional<std::string>& node) {
  auto all = config::load_all(config_dir);
  if (!all) {
    std::cerr << "invalid configuration in " << config_dir << ":\n"
              << all.err().message << "\n";
    std::cout.flush();
    std::exit(2);
  }
  if (node) {
    std::erase_if(*all, [&](const auto& c) { return c.node != *node; });
    if (all->empty()) {
      std::cerr << "network.yml has no host \"" << *node << "\"\n";
      std::cout.flush();
      std::exit(2);
    }
  }
  return std::move(*all);
}

} // namespace sb::sbctl
