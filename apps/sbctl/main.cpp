// sbctl: the operator's command line for a Switchboard platform.

#include "apps/sbctl/config_cmd.hpp"
#include "apps/sbctl/trace_cmd.hpp"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"sbctl: operate a Switchboard platform"};
  app.require_subcommand(1);
  sb::sbctl::add_config_commands(app);
  sb::sbctl::add_node_commands(app);
  sb::sbctl::add_trace_commands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return 0;
}
