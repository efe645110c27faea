#pragma once

#include "common/result.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace sb::config {

/// Collects configuration problems, each naming the file, the line and the
/// key path, so one `check` reports all of them at once.
class problems {
public:
  void add(const std::string& file, int line, const std::string& key,
           const std::string& what) {
    std::string s = file;
    if (line > 0)
      s += ":" + std::to_string(line);
    s += ": " + (key.empty() ? std::string() : key + ": ") + what;
    list_.push_back(std::move(s));
  }

  /// Adds a problem located at YAML node `at` (its line, 1-based).
  void add(const std::string& file, const YAML::Node& at,
           const std::string& key, const std::string& what) {
    add(file, at.Mark().line + 1, key, what);
  }

  /// Adds every line of an error produced by another `problems`, skipping
  /// lines already present (shared files fail alike for every node).
  void add_lines(const sb::error& e) {
    std::string_view rest = e.message;
    while (!rest.empty()) {
      auto nl = rest.find('\n');
      std::string line(rest.substr(0, nl));
      if (std::find(list_.begin(), list_.end(), line) == list_.end())
        list_.push_back(std::move(line));
      rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
    }
  }

  bool empty() const { return list_.empty(); }
  const std::vector<std::string>& list() const { return list_; }

  /// All problems, one per line.
  sb::error to_error() const {
    std::string s;
    for (const auto& p : list_)
      s += (s.empty() ? "" : "\n") + p;
    return sb::error{s};
  }

private:
  std::vector<std::string> list_;
};

} // namespace sb::config
