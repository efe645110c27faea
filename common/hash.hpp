#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace sb {

/// 64-bit FNV-1a: a fast, stable, non-cryptographic fingerprint (config
/// identity, placement keys). Never use it where an attacker chooses input
/// to collide.
constexpr uint64_t fnv1a(std::string_view data,
                         uint64_t h = 14695981039346656037ull) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

/// `v` as 16 lowercase hex digits.
inline std::string to_hex(uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4)
    s[static_cast<size_t>(i)] = digits[v & 0xf];
  return s;
}

/// `bytes` as lowercase hex, two digits per byte (digest output, HA1).
inline std::string to_hex(std::span<const unsigned char> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(2 * bytes.size());
  for (unsigned char b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 0xf];
  }
  return s;
}

} // namespace sb
