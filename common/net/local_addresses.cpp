#include "common/net/local_addresses.hpp"

#include "common/net/ip_net.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace sb::net {

std::vector<std::string>
local_addresses_among(const std::vector<std::string>& ips) {
  std::vector<ip_address> wanted;
  for (const auto& ip : ips)
    if (auto a = parse_ip_address(ip))
      wanted.push_back(*a);
  std::vector<std::string> found;
  ifaddrs* list = nullptr;
  if (wanted.empty() || getifaddrs(&list) != 0)
    return found;
  for (auto* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr)
      continue;
    std::optional<ip_address> a;
    if (i->ifa_addr->sa_family == AF_INET) {
      std::array<uint8_t, 4> b{};
      std::memcpy(b.data(),
                  &reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr,
                  4);
      a = ip_address::v4(b);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      std::array<uint8_t, 16> b{};
      std::memcpy(
          b.data(),
          &reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr, 16);
      a = ip_address::v6(b);
    }
    if (a && std::find(wanted.begin(), wanted.end(), *a) != wanted.end() &&
        std::find(found.begin(), found.end(), a->to_string()) == found.end())
      found.push_back(a->to_string());
  }
  freeifaddrs(list);
  return found;
}

} // namespace sb::net
