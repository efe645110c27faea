#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sb::config {

/// One committed version of the configuration directory.
struct commit_info {
  uint64_t id = 0;
  int64_t time_s = 0;
  std::string user;
  std::string message;
  std::string fingerprint;
  std::vector<std::string> files;
};

/// A file that differs between the last commit and the working directory.
struct file_change {
  std::string name;
  std::string what; ///< "added", "removed" or "modified"
};

/// The durable, browsable history of a configuration directory (what
/// ngcpcfg keeps in git): each commit is a numbered snapshot of every *.yml
/// file under <dir>/.history/, written to a temporary directory, fsynced and
/// renamed into place, so a crash leaves either the whole commit or none.
class history {
public:
  explicit history(std::filesystem::path config_dir);

  /// Every commit, oldest first.
  result<std::vector<commit_info>> list() const;
  /// The newest commit, if any.
  result<std::optional<commit_info>> latest() const;
  /// Directory holding the files of commit `id` (loadable like a config dir).
  std::filesystem::path snapshot_dir(uint64_t id) const;
  /// Files changed in the working directory since the newest commit.
  result<std::vector<file_change>> changed_files() const;
  /// Snapshots the working directory as a new commit.
  result<commit_info> commit(const std::string& message,
                             const std::string& user, int64_t now_s);

private:
  std::filesystem::path dir_;
  std::filesystem::path root_;
};

} // namespace sb::config
