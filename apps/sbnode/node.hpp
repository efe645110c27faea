#pragma once

#include "common/config/loader.hpp"

#include <optional>
#include <string>

namespace sb::apps {

/// The composition root of one sbnode process: opens storage, starts the
/// actor system and the management listener, and handles signals (SIGTERM
/// and SIGINT drain and exit 0; SIGHUP reloads). Everything it wires lives
/// in the libraries; this class only starts and stops it in order.
class node {
public:
  /// `demo`: also provision the demo domain and subscribers of `make run`.
  node(config::loaded_config cfg, std::optional<std::string> node_arg,
       std::optional<std::string> data_dir_arg, bool demo = false);

  /// Runs until a stop signal; returns the process exit code.
  int run();

private:
  config::loaded_config cfg_;
  std::optional<std::string> node_arg_;
  std::optional<std::string> data_dir_arg_;
  bool demo_ = false;
};

} // namespace sb::apps
