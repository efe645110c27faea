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

} // namespace sb::sip
