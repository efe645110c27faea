#pragma once

#include "common/text.hpp"

#include <cstdint>
#include <string>
#include <string_view>

// Storage names of the provisioning data model: entity kinds and unique
// indexes (layout in persistence/entities/entity_keys.hpp). The SIP side
// reads the same keys, so they are named once, here (below both).
namespace sb::persistence::keys {

inline constexpr std::string_view kind_admins = "admins";
inline constexpr std::string_view kind_resellers = "resellers";
inline constexpr std::string_view kind_contracts = "contracts";
inline constexpr std::string_view kind_systemcontacts = "systemcontacts";
inline constexpr std::string_view kind_customercontacts = "customercontacts";
inline constexpr std::string_view kind_customers = "customers";
inline constexpr std::string_view kind_billingprofiles = "billingprofiles";
inline constexpr std::string_view kind_domains = "domains";
inline constexpr std::string_view kind_subscribers = "subscribers";
inline constexpr std::string_view kind_numbers = "numbers";
inline constexpr std::string_view kind_subscriber_prefs = "subscriberprefs";
inline constexpr std::string_view kind_domain_prefs = "domainprefs";
inline constexpr std::string_view kind_customer_prefs = "customerprefs";
/// In the `registrations` column family, written by the registrar.
inline constexpr std::string_view kind_registrations = "registrations";
/// In the `cdrs` column family, written by the call actors.
inline constexpr std::string_view kind_cdrs = "cdrs";
/// In the `cdrs` column family of a cluster node: the CDRs of its calls
/// not yet in the cluster's shared CDR log (persistence/cdrlog).
inline constexpr std::string_view kind_cdr_outbox = "cdroutbox";

inline constexpr std::string_view index_admin_login = "admin_login";
inline constexpr std::string_view index_reseller_name = "reseller_name";
inline constexpr std::string_view index_reseller_contract = "reseller_contract";
inline constexpr std::string_view index_domain = "domain";
/// "<domain id>/<lower-case username>"
inline constexpr std::string_view index_subscriber_user = "subscriber_user";
/// "<domain id>/<lower-case webusername>"
inline constexpr std::string_view index_subscriber_web = "subscriber_web";
/// "<reseller id>/<handle>"
inline constexpr std::string_view index_billing_handle = "billing_handle";
/// E.164 digits: the number's id.
inline constexpr std::string_view index_number = "number";

/// Key of a per-domain unique name (usernames, web usernames).
inline std::string web_login_key(uint64_t domain_id, std::string_view user) {
  return std::to_string(domain_id) + "/" + ascii_lower(user);
}

} // namespace sb::persistence::keys
