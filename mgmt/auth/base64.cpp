#include "mgmt/auth/base64.hpp"

#include <openssl/evp.h>

namespace sb::mgmt::auth {

namespace {

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

} // namespace

std::string encode_base64(const unsigned char* data, std::size_t n) {
  std::string out(4 * ((n + 2) / 3), '\0');
  auto len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                             static_cast<int>(n));
  out.resize(static_cast<std::size_t>(len));
  return out;
}

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > max_base64_length)
    return std::nullopt;
  if (text.empty())
    return std::string{};
  // EVP_DecodeBlock is lenient (it trims whitespace and reads '=' anywhere as
  // zero bits), so the canonical form is checked here first.
  std::size_t pad = 0;
  if (text.back() == '=')
    pad = text[text.size() - 2] == '=' ? 2 : 1;
  for (std::size_t i = 0; i < text.size() - pad; ++i)
    if (!in_alphabet(text[i]))
      return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  auto len =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(text.data()),
                      static_cast<int>(text.size()));
  if (len < 0 || static_cast<std::size_t>(len) != out.size())
    return std::nullopt;
  out.resize(out.size() - pad);
  return out;
}

} // namespace sb::mgmt::auth
