#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::mgmt::auth {

/// Who an authenticated API caller is, in the reference's terms (digest §2.5,
/// S-PANEL Utils/UserRole.pm). Only three of its roles exist here; system,
/// ccare, ccareadmin, lintercept and subscriberadmin are not modelled yet.
enum class role : uint8_t {
  admin,      ///< billing.admins row with is_superuser: sees everything
  reseller,   ///< billing.admins row without is_superuser, bound to a reseller
  subscriber, ///< web login webusername@domain: sees only itself
};

/// "admin", "reseller" or "subscriber" (the reference's role names).
std::string_view to_string(role r);

/// An authenticated caller. Built by the authentication layer with the
/// make_* functions below, which establish the invariants valid() checks:
/// reseller has reseller_id; subscriber has subscriber_id, customer_id and
/// reseller_id. An admin's reseller_id (every billing.admins row has one) is
/// informational and never limits its scope.
struct principal {
  auth::role role = auth::role::subscriber;
  uint64_t admin_id = 0; ///< billing.admins id; 0 for subscribers
  std::optional<uint64_t> reseller_id;
  std::optional<uint64_t> customer_id;   ///< subscribers only
  std::optional<uint64_t> subscriber_id; ///< subscribers only
  bool read_only = false;                ///< only safe methods (GET)

  friend bool operator==(const principal&, const principal&) = default;
};

/// Whether `p` satisfies the invariants of its role (see principal).
/// access decisions treat an invalid principal as forbidden everywhere.
bool valid(const principal& p);

/// The principal of an admin login (billing.admins row). is_superuser gives
/// role::admin; otherwise role::reseller scoped to `reseller_id`, and an
/// error when the row has none (it could not be scoped, so it gets nothing).
result<principal> make_admin_principal(uint64_t admin_id,
                                       std::optional<uint64_t> reseller_id,
                                       bool is_superuser, bool read_only);

/// The principal of a subscriber web login (webusername@domain), with the
/// ids of the subscriber, its customer contract and that customer's reseller.
principal make_subscriber_principal(uint64_t subscriber_id,
                                    uint64_t customer_id, uint64_t reseller_id,
                                    bool read_only = false);

} // namespace sb::mgmt::auth
