#pragma once

#include "common/result.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// IP addresses and networks as comparable values, for access lists (DoS
// whitelist, trusted peers) and per-source accounting. Parsing goes through
// inet_pton; no sockets, no name resolution.
namespace sb::net {

enum class ip_family : uint8_t { v4, v6 };

/// An IPv4 or IPv6 address. IPv4 is kept in its IPv4-mapped IPv6 form
/// (::ffff:a.b.c.d) with family v4, so an address received on a dual-stack
/// socket as ::ffff:192.0.2.1 is the same value as 192.0.2.1. Invariant:
/// family() is v4 exactly when the 16 bytes are IPv4-mapped. Ordered by
/// family (IPv4 first), then numerically.
class ip_address {
public:
  /// 0.0.0.0.
  ip_address();

  /// The IPv4 address of `b`, most significant byte first.
  static ip_address v4(const std::array<uint8_t, 4>& b);

  /// The IPv6 address of `b`; an IPv4-mapped one becomes the IPv4 address.
  static ip_address v6(const std::array<uint8_t, 16>& b);

  ip_family family() const noexcept { return family_; }
  bool is_v4() const noexcept { return family_ == ip_family::v4; }

  /// The 16-byte form (IPv4-mapped for IPv4), network byte order.
  const std::array<uint8_t, 16>& bytes() const noexcept { return bytes_; }

  /// Dotted quad for IPv4, RFC 5952 text (inet_ntop) for IPv6; no brackets.
  std::string to_string() const;

  friend auto operator<=>(const ip_address&, const ip_address&) = default;

private:
  ip_family family_;
  std::array<uint8_t, 16> bytes_;
};

/// Parses "192.0.2.1", "2001:db8::1", "::1", "[::1]" or
/// "::ffff:192.0.2.1" (which yields the IPv4 address). Anything else
/// (whitespace, ports, zone ids, host names, leading zeros) is nullopt.
std::optional<ip_address> parse_ip_address(std::string_view text);

/// An address block: every address whose first prefix_length() bits (of its
/// family's width) equal those of address(). The address is stored with its
/// host bits cleared. IPv4 networks are blocks of the IPv4-mapped range, so
/// "::/0" and "::ffff:0:0/96" contain IPv4 addresses too, while an IPv4
/// network never contains a (non-mapped) IPv6 address.
class ip_network {
public:
  /// 0.0.0.0/0.
  ip_network() = default;

  /// `a` with `prefix` leading bits kept; prefix is clamped to the family's
  /// width (32 or 128).
  ip_network(const ip_address& a, unsigned prefix);

  /// The network holding only `a` (/32 or /128).
  static ip_network host(const ip_address& a);

  const ip_address& address() const noexcept { return address_; }
  unsigned prefix_length() const noexcept { return prefix_; }

  bool contains(const ip_address& a) const noexcept;

  /// "address/prefix", e.g. "10.0.0.0/8" or "2001:db8::/32".
  std::string to_string() const;

  friend bool operator==(const ip_network&, const ip_network&) = default;

private:
  /// Leading bits compared in the 16-byte form (prefix + 96 for IPv4).
  unsigned width128() const noexcept;

  ip_address address_;
  unsigned prefix_ = 0;
};

/// Parses "a.b.c.d", "a.b.c.d/nn", "2001:db8::/32", "[2001:db8::]/32" or
/// "::ffff:10.0.0.0/104" (an IPv4 network written in mapped form, here
/// 10.0.0.0/8). No prefix means a single host. Host bits are accepted and
/// cleared ("10.0.0.1/8" is 10.0.0.0/8). Errors name the problem, e.g.
/// "prefix length 33 exceeds 32".
result<ip_network> parse_ip_network(std::string_view text);

/// A set of networks, e.g. a whitelist. Lookup is a linear scan: meant for
/// operator-written lists of tens of entries, not routing tables.
class ip_set {
public:
  ip_set() = default;
  explicit ip_set(std::vector<ip_network> networks)
      : networks_(std::move(networks)) {}

  /// Parses every entry with parse_ip_network. The error names the first
  /// bad entry by its 0-based index: "item 2: \"10.0.0.300\" is not an IP
  /// address".
  static result<ip_set> parse(const std::vector<std::string>& entries);

  void add(const ip_network& n) { networks_.push_back(n); }

  /// True if some network of the set contains `a`.
  bool contains(const ip_address& a) const noexcept;

  bool empty() const noexcept { return networks_.empty(); }
  std::size_t size() const noexcept { return networks_.size(); }
  const std::vector<ip_network>& networks() const noexcept { return networks_; }

  friend bool operator==(const ip_set&, const ip_set&) = default;

private:
  std::vector<ip_network> networks_;
};

} // namespace sb::net
