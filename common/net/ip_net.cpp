#include "common/net/ip_net.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <arpa/inet.h>

namespace sb::net {

namespace {

constexpr std::array<uint8_t, 12> mapped_prefix = {0, 0, 0, 0, 0,    0,
                                                   0, 0, 0, 0, 0xff, 0xff};

bool is_mapped(const std::array<uint8_t, 16>& b) {
  return std::equal(mapped_prefix.begin(), mapped_prefix.end(), b.begin());
}

// The longest text inet_pton can accept, plus its terminator.
constexpr std::size_t max_text = INET6_ADDRSTRLEN;

// An address as parsed, before IPv4-mapped normalisation: the prefix rules
// depend on how the address was written.
struct parsed {
  std::array<uint8_t, 16> bytes{};
  bool written_v4 = false;
};

std::optional<parsed> parse_raw(std::string_view text) {
  bool bracketed =
      text.size() >= 2 && text.front() == '[' && text.back() == ']';
  if (bracketed)
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() >= max_text ||
      text.find('\0') != std::string_view::npos)
    return std::nullopt;
  char buf[max_text];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  parsed p;
  if (!bracketed) {
    std::array<uint8_t, 4> v4{};
    if (inet_pton(AF_INET, buf, v4.data()) == 1) {
      std::copy(mapped_prefix.begin(), mapped_prefix.end(), p.bytes.begin());
      std::copy(v4.begin(), v4.end(), p.bytes.begin() + 12);
      p.written_v4 = true;
      return p;
    }
  }
  if (inet_pton(AF_INET6, buf, p.bytes.data()) == 1)
    return p;
  return std::nullopt;
}

// `b` with all but its first `bits` bits cleared.
std::array<uint8_t, 16> masked(std::array<uint8_t, 16> b, unsigned bits) {
  for (unsigned i = 0; i < 16; ++i) {
    unsigned first = i * 8;
    if (bits >= first + 8)
      continue;
    unsigned kept = bits > first ? bits - first : 0;
    b[i] &= static_cast<uint8_t>(0xff00u >> kept);
  }
  return b;
}

std::string quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

} // namespace

ip_address::ip_address()
    : family_(ip_family::v4)
    , bytes_{} {
  bytes_[10] = 0xff;
  bytes_[11] = 0xff;
}

ip_address ip_address::v4(const std::array<uint8_t, 4>& b) {
  ip_address a;
  std::copy(b.begin(), b.end(), a.bytes_.begin() + 12);
  return a;
}

ip_address ip_address::v6(const std::array<uint8_t, 16>& b) {
  ip_address a;
  a.bytes_ = b;
  a.family_ = is_mapped(b) ? ip_family::v4 : ip_family::v6;
  return a;
}

std::string ip_address::to_string() const {
  char buf[max_text];
  const char* ok = is_v4()
                       ? inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof buf)
                       : inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  return ok ? std::string(buf) : std::string();
}

std::optional<ip_address> parse_ip_address(std::string_view text) {
  auto p = parse_raw(text);
  if (!p)
    return std::nullopt;
  return ip_address::v6(p->bytes);
}

ip_network::ip_network(const ip_address& a, unsigned prefix)
    : prefix_(std::min(prefix, a.is_v4() ? 32u : 128u)) {
  address_ =
      ip_address::v6(masked(a.bytes(), a.is_v4() ? prefix_ + 96 : prefix_));
}

ip_network ip_network::host(const ip_address& a) {
  return ip_network(a, a.is_v4() ? 32 : 128);
}

unsigned ip_network::width128() const noexcept {
  return address_.is_v4() ? prefix_ + 96 : prefix_;
}

bool ip_network::contains(const ip_address& a) const noexcept {
  // An IPv4 network only holds IPv4 addresses; an IPv6 one compares the
  // 16-byte forms, so its mapped range holds IPv4 addresses.
  if (address_.is_v4() && !a.is_v4())
    return false;
  unsigned bits = width128();
  const auto& x = address_.bytes();
  const auto& y = a.bytes();
  unsigned whole = bits / 8;
  if (!std::equal(x.begin(), x.begin() + whole, y.begin()))
    return false;
  unsigned rest = bits % 8;
  if (rest == 0)
    return true;
  auto mask = static_cast<uint8_t>(0xff00u >> rest);
  return (x[whole] & mask) == (y[whole] & mask);
}

std::string ip_network::to_string() const {
  return address_.to_string() + "/" + std::to_string(prefix_);
}

result<ip_network> parse_ip_network(std::string_view text) {
  auto slash = text.find('/');
  auto addr_text = text.substr(0, slash);
  auto p = parse_raw(addr_text);
  if (!p)
    return error{quoted(addr_text) + " is not an IP address"};
  unsigned max = p->written_v4 ? 32 : 128;
  unsigned prefix = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] =
        std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || digits.size() > 3 || ec != std::errc{} ||
        end != digits.data() + digits.size())
      return error{quoted(text) + ": prefix length " + quoted(digits) +
                   " is not a number"};
    if (prefix > max)
      return error{quoted(text) + ": prefix length " + std::to_string(prefix) +
                   " exceeds " + std::to_string(max)};
  }
  // Mask in the 16-byte form: "::ffff:10.0.0.0/104" is then the IPv4
  // network 10.0.0.0/8, while fewer than 96 bits clear part of the ffff
  // marker and leave an IPv6 block reaching beyond the mapped range.
  unsigned bits = p->written_v4 ? prefix + 96 : prefix;
  auto a = ip_address::v6(masked(p->bytes, bits));
  return ip_network(a, a.is_v4() ? bits - 96 : bits);
}

result<ip_set> ip_set::parse(const std::vector<std::string>& entries) {
  ip_set set;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    auto n = parse_ip_network(entries[i]);
    if (!n)
      return error{"item " + std::to_string(i) + ": " + n.err().message};
    set.add(*n);
  }
  return set;
}

bool ip_set::contains(const ip_address& a) const noexcept {
  return std::any_of(networks_.begin(), networks_.end(),
                     [&](const ip_network& n) { return n.contains(a); });
}

} // namespace sb::net
