#include "sip/msg/transport.hpp"

#include "common/text.hpp"

namespace sb::sip {

std::string_view to_string(sip_transport t) {
  switch (t) {
  case sip_transport::udp:
    return "udp";
  case sip_transport::tcp:
    return "tcp";
  case sip_transport::tls:
    return "tls";
  case sip_transport::ws:
    return "ws";
  case sip_transport::wss:
    return "wss";
  }
  return "udp";
}

std::optional<sip_transport> parse_transport(std::string_view name) {
  for (auto t : {sip_transport::udp, sip_transport::tcp, sip_transport::tls,
                 sip_transport::ws, sip_transport::wss}) {
    if (iequals(name, to_string(t)))
      return t;
  }
  return std::nullopt;
}

uint16_t default_port(sip_transport t) {
  switch (t) {
  case sip_transport::tls:
    return 5061;
  case sip_transport::ws:
    return 80;
  case sip_transport::wss:
    return 443;
  case sip_transport::udp:
  case sip_transport::tcp:
    break;
  }
  return 5060;
}

std::string to_string(const source_address& a) {
  return std::string(to_string(a.transport)) + ":" + a.ip + ":" +
         std::to_string(a.port);
}

std::optional<source_address> parse_socket(std::string_view text) {
  auto first = text.find(':');
  auto last = text.rfind(':');
  if (first == std::string_view::npos || last <= first + 1)
    return std::nullopt;
  auto t = parse_transport(text.substr(0, first));
  auto ip = text.substr(first + 1, last - first - 1);
  auto port_text = text.substr(last + 1);
  if (!t || port_text.empty() || port_text.size() > 5)
    return std::nullopt;
  uint32_t port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9')
      return std::nullopt;
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535)
    return std::nullopt;
  if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']')
    ip = ip.substr(1, ip.size() - 2);
  if (ip.empty())
    return std::nullopt;
  return source_address{*t, std::string(ip), static_cast<uint16_t>(port)};
}

} // namespace sb::sip
