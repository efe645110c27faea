#pragma once

#include "mgmt/api/resource.hpp"
#include "mgmt/auth/login_guard.hpp"
#include "mgmt/http/message.hpp"

#include <mutex>
#include <string>
#include <unordered_map>

namespace sb::mgmt::api {

/// HTTP Basic authentication of API callers against the stored admins
/// (`login`) and subscribers (`webusername@domain`), with the failed-login
/// ban of `login_guard`. Thread-safe.
///
/// PBKDF2 is deliberately slow, so a verified password is remembered as a
/// SHA-256 of it next to the stored hash it matched: the next request with
/// the same password skips PBKDF2, and changing the password (a new stored
/// hash) invalidates the entry.
class authenticator {
public:
  authenticator(const store_reader& reader, auth::login_guard guard);

  /// The caller of `rq`: 401 without valid credentials, 403 while its
  /// address is banned.
  rest::api_result<auth::principal> authenticate(const http::request& rq);

  /// The active bans (for operators).
  std::vector<auth::login_ban> bans() const;

private:
  std::optional<auth::principal> admin_login(const std::string& login,
                                             const std::string& password);
  std::optional<auth::principal> subscriber_login(const std::string& login,
                                                  const std::string& password);
  bool verify(const std::string& password, const std::string& stored);

  const store_reader& reader_;
  mutable std::mutex mu_;
  auth::login_guard guard_;
  std::unordered_map<std::string, std::string> verified_; ///< hash -> sha256
};

/// The API's error response: `{"code","message"}`, with the Basic challenge
/// on 401.
http::response error_response(const rest::api_error& e);

} // namespace sb::mgmt::api
