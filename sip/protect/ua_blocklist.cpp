#include "sip/protect/ua_blocklist.hpp"

#include "common/text.hpp"

#include <algorithm>

namespace sb::sip::protect {

ua_blocklist::ua_blocklist(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns)
    if (!p.empty())
      patterns_.push_back(ascii_lower(p));
}

bool ua_blocklist::blocked(std::string_view user_agent) const {
  if (user_agent.empty() || patterns_.empty())
    return false;
  auto ua = ascii_lower(user_agent);
  return std::any_of(
      patterns_.begin(), patterns_.end(),
      [&](const std::string& p) { return ua.find(p) != std::string::npos; });
}

} // namespace sb::sip::protect
