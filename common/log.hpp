#pragma once

#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace sb::log {

/// Sets up the process logger on standard error: `format` is "text" or
/// "json" (one object per line with time, level, node and message).
/// Call once, before other threads log.
void init(const std::string& node, std::string_view format,
          std::string_view level);

/// Changes the level at run time; returns false for an unknown level name.
bool set_level(std::string_view level);

/// The current level's name.
std::string level();

} // namespace sb::log
