#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sb::sip::protect {

/// Refuses requests from known scanner and attack tools by their
/// User-Agent (the reference's security.block_useragents; the default list
/// is in config.yml). Immutable after construction: a reload builds a new
/// one. Thread-safe for concurrent reads.
class ua_blocklist {
public:
  ua_blocklist() = default;

  /// A list matching any of `patterns`; empty patterns are ignored.
  explicit ua_blocklist(const std::vector<std::string>& patterns);

  /// True if some pattern is an ASCII case-insensitive substring of
  /// `user_agent`. An empty User-Agent is never blocked.
  bool blocked(std::string_view user_agent) const;

  /// The patterns in use, in lower case.
  const std::vector<std::string>& patterns() const noexcept {
    return patterns_;
  }

  bool empty() const noexcept { return patterns_.empty(); }

private:
  std::vector<std::string> patterns_;
};

} // namespace sb::sip::protect
