#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sb::mgmt::auth {

/// The credentials of an HTTP Basic Authorization header (RFC 7617).
struct basic_credentials {
  std::string user;
  std::string password;
};

/// Parses an Authorization header value "Basic <base64(user:password)>".
/// nullopt for another scheme, invalid base64, no colon or an empty user.
std::optional<basic_credentials> parse_basic(std::string_view header);

/// A subscriber login "webusername@domain", split at the last '@'; nullopt
/// when either side is empty.
std::optional<std::pair<std::string, std::string>>
split_subscriber_login(std::string_view login);

} // namespace sb::mgmt::auth
