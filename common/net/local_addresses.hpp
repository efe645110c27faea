#pragma once

#include <string>
#include <vector>

namespace sb::net {

/// Which of `ips` (numeric addresses) are assigned to an interface of this
/// host now (getifaddrs). An HA pair's service address is on exactly one
/// of the two hosts at a time: this is how a node sees it come or go.
std::vector<std::string>
local_addresses_among(const std::vector<std::string>& ips);

} // namespace sb::net
