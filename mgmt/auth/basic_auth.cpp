#include "mgmt/auth/basic_auth.hpp"

#include "common/base64.hpp"
#include "common/text.hpp"

#include <algorithm>

namespace sb::mgmt::auth {

namespace {

// RFC 7617 section 2: neither user-id nor password contains control
// characters. Refusing them also keeps NULs away from storage lookups.
bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
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
  if (b64.empty())
    return std::nullopt;
  auto text = decode_base64(b64);
  if (!text || has_control(*text))
    return std::nullopt;
  auto colon = text->find(':');
  if (colon == std::string::npos || colon == 0)
    return std::nullopt;
  return basic_credentials{text->substr(0, colon), text->substr(colon + 1)};
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
