#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// Transports and socket addresses as value types: what the SIP edge reports
// about where a message came from, and what actors keep to reach a contact.
namespace sb::sip {

/// The transport a message travels on.
enum class sip_transport : uint8_t { udp, tcp, tls, ws, wss };

/// Lower-case name: "udp", "tcp", "tls", "ws", "wss".
std::string_view to_string(sip_transport t);

/// Parses a transport name, case-insensitively; nullopt when unknown.
std::optional<sip_transport> parse_transport(std::string_view name);

/// The port a Via sent-by or URI without port means on `t`: 5060 (udp,
/// tcp), 5061 (tls), 80 (ws), 443 (wss).
uint16_t default_port(sip_transport t);

/// A socket address with its transport: the peer a request came from, or
/// where to send to reach a NATed binding.
struct source_address {
  sip_transport transport = sip_transport::udp;
  std::string ip; ///< textual IPv4 or IPv6 (brackets optional)
  uint16_t port = 0;

  friend bool operator==(const source_address&,
                         const source_address&) = default;
};

/// "udp:203.0.113.5:40000": how bindings and routes show an address.
std::string to_string(const source_address& a);

/// The inverse of to_string (IPv6 with or without brackets: "udp:::1:5060",
/// "udp:[::1]:5060"); nullopt for anything else.
std::optional<source_address> parse_socket(std::string_view text);

} // namespace sb::sip
