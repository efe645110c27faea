// sbnode: one Switchboard cluster node.

#include "apps/sbnode/node.hpp"
#include "common/config/loader.hpp"

#include <iostream>

#include <malloc.h>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  // Each SIP request allocates and frees many small blocks on the edge and
  // scheduler threads. With glibc's defaults their heaps shrink after every
  // burst and regrow on the next (mprotect, page faults: several % of CPU
  // under load); keep up to 8 MB of free top per heap and grow 1 MB at a
  // time instead.
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  mallopt(M_TOP_PAD, 1 << 20);
  CLI::App app{"sbnode: one node of a Switchboard platform"};
  std::string config_dir = "conf";
  std::optional<std::string> node;
  std::optional<std::string> data_dir;
  app.add_option("--config-dir", config_dir,
                 "Directory with config.yml, constants.yml, network.yml")
      ->capture_default_str();
  app.add_option("--node", node,
                 "This node's host name in network.yml (default: the only "
                 "host)");
  app.add_option("--data-dir", data_dir,
                 "Data directory (default: general.data_dir)");
  bool demo = false;
  app.add_flag("--demo", demo,
               "Provision a demo domain (127.0.0.1) with subscribers "
               "1001-1003 if it does not exist yet");
  app.set_version_flag("--version", SB_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  auto cfg = sb::config::load(config_dir, node);
  if (!cfg) {
    // Exit code 2: nothing starts on an invalid configuration.
    std::cerr << "sbnode: invalid configuration in " << config_dir << ":\n"
              << cfg.err().message << "\n";
    return 2;
  }
  return sb::apps::node{std::move(*cfg), node, data_dir, demo}.run();
}
