#include "mgmt/auth/basic_auth.hpp"

#include <vector>

#include <openssl/evp.h>

namespace sb::mgmt::auth {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if ((a[i] | 0x20) != (b[i] | 0x20))
      return false;
  return true;
}

} // namespace

std::optional<basic_credentials> parse_basic(std::string_view header) {
  auto sp = header.find(' ');
  if (sp == std::string_view::npos || !iequals(header.substr(0, sp), "basic"))
    return std::nullopt;
  auto b64 = header.substr(sp + 1);
  while (!b64.empty() && b64.front() == ' ')
    b64.remove_prefix(1);
  while (!b64.empty() && b64.back() == ' ')
    b64.remove_suffix(1);
  if (b64.empty() || b64.size() % 4 != 0 || b64.size() > 4096)
    return std::nullopt;
  for (size_t i = 0; i < b64.size(); ++i) {
    char c = b64[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '+' || c == '/';
    // '=' only as padding in the last two places.
    if (!alpha && !(c == '=' && i + 2 >= b64.size()))
      return std::nullopt;
  }
  if (b64[b64.size() - 2] == '=' && b64.back() != '=')
    return std::nullopt;
  std::vector<unsigned char> out(b64.size() / 4 * 3);
  auto len = EVP_DecodeBlock(out.data(),
                             reinterpret_cast<const unsigned char*>(b64.data()),
                             static_cast<int>(b64.size()));
  if (len < 0)
    return std::nullopt;
  size_t pad = (b64.back() == '=') + (b64[b64.size() - 2] == '=');
  std::string text(out.begin(), out.begin() + (len - static_cast<int>(pad)));
  auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0)
    return std::nullopt;
  return basic_credentials{text.substr(0, colon), text.substr(colon + 1)};
}

std::optional<std::pair<std::string, std::string>>
split_subscriber_login(std::string_view login) {
  auto at = login.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == login.size())
    return std::nullopt;
  return std::pair{std::string(login.substr(0, at)),
                   std::string(login.substr(at + 1))};
}

} // namespace sb::mgmt::auth
