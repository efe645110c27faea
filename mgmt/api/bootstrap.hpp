#pragma once

#include "mgmt/rest/errors.hpp"

#include <functional>

namespace sb::mgmt::api {

class api_service;

/// The login and password of a fresh platform (as the reference ships).
inline constexpr const char* default_admin_login = "administrator";
inline constexpr const char* default_admin_password = "administrator";

/// Gives a platform without admins its initial data in one provisioning
/// change: system contact 1, billing profile 1 ("default"), reseller
/// contract 1, reseller 1 ("default") and the superuser administrator /
/// administrator. Does nothing when an admin exists. `done` gets the result
/// on the provisioning actor's thread.
void bootstrap(api_service& api, std::function<void(rest::api_status)> done);

/// The demo data of `make run`: customer contact, customer, domain
/// 127.0.0.1 and subscribers 1001-1003 (passwords demo1001..demo1003,
/// numbers 4311001..4311003). Does nothing when the domain exists.
void provision_demo(api_service& api,
                    std::function<void(rest::api_status)> done);

/// Whether the administrator still has the default password (one PBKDF2).
bool default_password_in_use(const api_service& api);

} // namespace sb::mgmt::api
