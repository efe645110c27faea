// SIP value rules the registrar core needs: qvalues, RFC 3261 §19.1.4 URI
// equality, +sip.instance equality, NAT detection. Pure text functions.
#include "actors/subscriber/registrar_state.hpp"

#include "common/text.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <utility>

namespace sb::actors::subscriber {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

// RFC 3261 §19.1.4: "%HH" equals its character unless that is reserved.
// Reserved escapes stay escaped, with upper-case hex.
std::string unescape_unreserved(std::string_view s) {
  constexpr std::string_view reserved = ";/?:@&=+$,";
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1;
    int lo = i + 2 < s.size() ? hex_value(s[i + 2]) : -1;
    if (s[i] != '%' || hi < 0 || lo < 0) {
      out.push_back(s[i]);
      continue;
    }
    char c = static_cast<char>(hi * 16 + lo);
    if (reserved.find(c) == std::string_view::npos) {
      out.push_back(c);
    } else {
      constexpr std::string_view digits = "0123456789ABCDEF";
      out += '%';
      out += digits[static_cast<size_t>(hi)];
      out += digits[static_cast<size_t>(lo)];
    }
    i += 2;
  }
  return out;
}

// A sip/sips URI split into the parts §19.1.4 compares.
struct sip_uri_parts {
  std::string scheme;                         // lower case
  std::string userinfo;                       // unescaped, case kept
  std::string host;                           // lower case, brackets kept
  std::string port;                           // as written; empty when omitted
  std::map<std::string, std::string> params;  // lower-case name → value
  std::map<std::string, std::string> headers; // lower-case name → value
};

// "name[=value]" → lower-case name, unescaped value.
std::pair<std::string, std::string> split_param(std::string_view p) {
  auto eq = p.find('=');
  if (eq == std::string_view::npos)
    return {ascii_lower(p), std::string()};
  return {ascii_lower(p.substr(0, eq)), unescape_unreserved(p.substr(eq + 1))};
}

void parse_list(std::string_view s, char delim,
                std::map<std::string, std::string>& out) {
  while (!s.empty()) {
    auto end = s.find(delim);
    if (auto item = s.substr(0, end); !item.empty()) {
      auto [name, value] = split_param(item);
      out.insert_or_assign(std::move(name), std::move(value));
    }
    if (end == std::string_view::npos)
      break;
    s.remove_prefix(end + 1);
  }
}

void parse_hostport(std::string_view hp, sip_uri_parts& u) {
  size_t colon = std::string_view::npos;
  if (!hp.empty() && hp.front() == '[') {
    auto close = hp.find(']');
    if (close != std::string_view::npos && close + 1 < hp.size() &&
        hp[close + 1] == ':')
      colon = close + 1;
  } else {
    colon = hp.find(':');
  }
  u.host = ascii_lower(hp.substr(0, colon));
  if (colon != std::string_view::npos)
    u.port = std::string(hp.substr(colon + 1));
}

// Splits "sip:" / "sips:" URIs; nullopt for other schemes.
std::optional<sip_uri_parts> parse_sip_uri(std::string_view uri) {
  auto colon = uri.find(':');
  if (colon == std::string_view::npos)
    return std::nullopt;
  sip_uri_parts u;
  u.scheme = ascii_lower(uri.substr(0, colon));
  if (u.scheme != "sip" && u.scheme != "sips")
    return std::nullopt;
  auto rest = uri.substr(colon + 1);
  // '@' cannot appear unescaped in host, params or headers.
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    u.userinfo = unescape_unreserved(rest.substr(0, at));
    rest.remove_prefix(at + 1);
  }
  auto q = rest.find('?');
  if (q != std::string_view::npos) {
    parse_list(rest.substr(q + 1), '&', u.headers);
    rest = rest.substr(0, q);
  }
  auto semi = rest.find(';');
  parse_hostport(rest.substr(0, semi), u);
  if (semi != std::string_view::npos)
    parse_list(rest.substr(semi + 1), ';', u.params);
  return u;
}

// Params that never match when present in one URI only; the first three
// compare their values case-insensitively.
constexpr std::array<std::string_view, 5> strict_params = {
    "transport", "user", "maddr", "ttl", "method"};

bool param_values_equal(const std::string& name, const std::string& a,
                        const std::string& b) {
  if (name == "transport" || name == "user" || name == "maddr")
    return iequals(a, b);
  return a == b;
}

bool params_equal(const std::map<std::string, std::string>& a,
                  const std::map<std::string, std::string>& b) {
  for (auto name : strict_params) {
    if (a.count(std::string(name)) != b.count(std::string(name)))
      return false;
  }
  for (const auto& [name, value] : a) {
    auto it = b.find(name);
    if (it != b.end() && !param_values_equal(name, value, it->second))
      return false;
  }
  return true;
}

bool ports_equal(const std::string& a, const std::string& b) {
  if (a.empty() || b.empty())
    return a.empty() && b.empty();
  auto digits = [](const std::string& s) {
    return s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (digits(a) && digits(b) && a.size() < 10 && b.size() < 10)
    return std::stoul(a) == std::stoul(b); // "05060" is 5060
  return a == b;
}

std::string_view strip(std::string_view s, char open, char close) {
  if (s.size() >= 2 && s.front() == open && s.back() == close)
    return s.substr(1, s.size() - 2);
  return s;
}

// The bytes of an IPv4/IPv6 address (brackets allowed); empty if not one.
std::string ip_bytes(std::string_view text) {
  std::string s(strip(text, '[', ']'));
  std::array<unsigned char, 16> buf{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1)
    return std::string(reinterpret_cast<const char*>(buf.data()), 4);
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1)
    return std::string(reinterpret_cast<const char*>(buf.data()), 16);
  return {};
}

bool same_host(std::string_view via_host, std::string_view source_ip) {
  auto a = ip_bytes(via_host);
  auto b = ip_bytes(source_ip);
  if (!a.empty() && !b.empty())
    return a == b;
  // A name is never the source address: no DNS here, and sending to the
  // address the request came from always works.
  return a.empty() && b.empty() &&
         iequals(strip(via_host, '[', ']'), strip(source_ip, '[', ']'));
}

} // namespace

std::optional<uint16_t> parse_q(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1'))
    return std::nullopt;
  uint16_t q = static_cast<uint16_t>((text[0] - '0') * 1000);
  if (text.size() == 1)
    return q;
  if (text[1] != '.' || text.size() > 5)
    return std::nullopt;
  uint16_t scale = 100;
  for (char c : text.substr(2)) {
    if (c < '0' || c > '9')
      return std::nullopt;
    q = static_cast<uint16_t>(q + (c - '0') * scale);
    scale /= 10;
  }
  if (q > 1000)
    return std::nullopt; // "1.5": only zeros may follow a 1
  return q;
}

std::string format_q(uint16_t q) {
  std::string out = q >= 1000 ? "1." : "0.";
  uint16_t frac = q % 1000;
  std::string digits = {static_cast<char>('0' + frac / 100),
                        static_cast<char>('0' + frac / 10 % 10),
                        static_cast<char>('0' + frac % 10)};
  while (digits.size() > 1 && digits.back() == '0')
    digits.pop_back();
  return out + digits;
}

bool sip_uri_equal(std::string_view a, std::string_view b) {
  auto pa = parse_sip_uri(a);
  auto pb = parse_sip_uri(b);
  if (!pa || !pb) {
    if (pa || pb)
      return false;
    auto ca = a.find(':');
    auto cb = b.find(':');
    if (ca == std::string_view::npos || cb == std::string_view::npos)
      return a == b;
    return iequals(a.substr(0, ca), b.substr(0, cb)) &&
           a.substr(ca) == b.substr(cb);
  }
  return pa->scheme == pb->scheme && pa->userinfo == pb->userinfo &&
         pa->host == pb->host && ports_equal(pa->port, pb->port) &&
         params_equal(pa->params, pb->params) && pa->headers == pb->headers;
}

bool instance_equal(std::string_view a, std::string_view b) {
  return iequals(strip(strip(a, '"', '"'), '<', '>'),
                 strip(strip(b, '"', '"'), '<', '>'));
}

bool is_natted(const source_address& source, const via_info& via) {
  if (!same_host(via.host, source.ip))
    return true;
  return via.rport &&
         via.port.value_or(default_port(source.transport)) != source.port;
}

} // namespace sb::actors::subscriber
