#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sb::mgmt::auth {

/// The credentials of an HTTP Basic Authorization header (RFC 7617).
struct basic_credentials {
  std::string user;
  std::string password;
};

/// Parses an Authorization header value "Basic <base64(user:password)>".
/// The scheme is case-insensitive; the token must be canonical padded base64
/// (see decode_base64, at most 4096 characters). nullopt for another scheme,
/// invalid base64, no colon, an empty user or a control character (RFC 7617
/// section 2). The password is everything after the first colon.
std::optional<basic_credentials> parse_basic(std::string_view header);

/// A subscriber login "webusername@domain", split at the last '@' (so a
/// webusername may itself contain '@'); nullopt when either side is empty.
std::optional<std::pair<std::string, std::string>>
split_subscriber_login(std::string_view login);

} // namespace sb::mgmt::auth
