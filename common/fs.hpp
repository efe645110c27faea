#pragma once

#include "common/result.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace sb::fs {

/// Writes `data` to `path` so that after a crash the file holds either its
/// old content or the new one, never a mix: write a temporary file beside
/// it, fsync it, rename it over `path`, fsync the directory.
status write_file_durably(const std::filesystem::path& path,
                          std::string_view data, unsigned mode = 0644);

/// Reads a whole file.
result<std::string> read_file(const std::filesystem::path& path);

/// fsyncs a directory so that renames and creations inside it are durable.
status sync_directory(const std::filesystem::path& dir);

} // namespace sb::fs
