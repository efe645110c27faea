#pragma once

#include <CLI/CLI.hpp>

namespace sb::sbctl {

/// Adds `sbctl trace start|stop|list|dump` (the nodes' trace stores, over
/// their control API) and `sbctl trace replay FILE`: re-runs a recorded
/// call trace through this build's call core and prints `identical` or the
/// first divergence (exit 0 / 1; 2 for a file that is not a trace).
void add_trace_commands(CLI::App& app);

} // namespace sb::sbctl
