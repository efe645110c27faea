#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

// ASCII text handling for protocol tokens (HTTP and SIP header names,
// methods, schemes, URI parts, login names, numbers in Redis replies and
// stored positions). Locale-free on purpose: these are ASCII by their
// grammars.
namespace sb {

/// `c` in lower case if it is an ASCII capital letter, else `c`.
constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `s` with its ASCII capital letters in lower case.
inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = ascii_lower(c);
  return out;
}

/// ASCII case-insensitive equality.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

/// `s` as a decimal number when it is nothing else (no sign, no spaces).
inline std::optional<uint64_t> parse_u64(std::string_view s) noexcept {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

} // namespace sb
