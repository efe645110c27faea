#include "common/base64.hpp"

#include <array>
#include <cstdint>

namespace sb {

namespace {

constexpr std::string_view std_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// Sextet value of each character, -1 outside the alphabet.
constexpr std::array<int8_t, 256> reverse(std::string_view alphabet) {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
  return table;
}

constexpr auto std_reverse = reverse(std_alphabet);
constexpr auto url_reverse = reverse(url_alphabet);

std::string encode(const unsigned char* data, std::size_t n,
                   std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve(4 * ((n + 2) / 3));
  for (std::size_t i = 0; i < n; i += 3) {
    const std::size_t left = n - i;
    uint32_t v = uint32_t{data[i]} << 16;
    if (left > 1)
      v |= uint32_t{data[i + 1]} << 8;
    if (left > 2)
      v |= data[i + 2];
    const std::size_t chars = left >= 3 ? 4 : left + 1;
    for (std::size_t k = 0; k < chars; ++k)
      out += alphabet[(v >> (18 - 6 * k)) & 0x3f];
    if (pad)
      out.append(4 - chars, '=');
  }
  return out;
}

// Decodes unpadded text; refuses a dangling sextet and non-zero unused bits,
// which would give a second spelling of the same bytes.
std::optional<std::string> decode(std::string_view text,
                                  const std::array<int8_t, 256>& table) {
  if (text.size() % 4 == 1)
    return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int8_t v = table[static_cast<unsigned char>(c)];
    if (v < 0)
      return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
      acc &= (1u << bits) - 1;
    }
  }
  if (acc != 0)
    return std::nullopt;
  return out;
}

} // namespace

std::string encode_base64(const unsigned char* data, std::size_t n) {
  return encode(data, n, std_alphabet, true);
}

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > max_base64_length)
    return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=')
    pad = text[text.size() - 2] == '=' ? 2 : 1;
  // Any other '=' is outside the alphabet and refused by decode().
  return decode(text.substr(0, text.size() - pad), std_reverse);
}

std::string encode_base64url(const unsigned char* data, std::size_t n) {
  return encode(data, n, url_alphabet, false);
}

std::optional<std::string> decode_base64url(std::string_view text) {
  if (text.size() > max_base64_length)
    return std::nullopt;
  return decode(text, url_reverse);
}

} // namespace sb
