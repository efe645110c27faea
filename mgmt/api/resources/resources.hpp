#pragma once

#include "mgmt/api/resource.hpp"
#include "mgmt/http/router.hpp"

namespace sb::mgmt::api {

class api_service;

resource_def admins_resource();
resource_def resellers_resource();
resource_def contracts_resource();
resource_def systemcontacts_resource();
resource_def customercontacts_resource();
resource_def customers_resource();
resource_def billingprofiles_resource();
resource_def domains_resource();
resource_def subscribers_resource();
resource_def numbers_resource();
resource_def subscriberpreferences_resource();
resource_def domainpreferences_resource();
resource_def customerpreferences_resource();
resource_def subscriberregistrations_resource();
resource_def cdrs_resource();
resource_def calllists_resource();

/// Registers every resource above with `api`.
void add_all_resources(api_service& api);

/// `GET /api/{subscriber,domain,customer}preferencedefs/`.
status add_preferencedefs_routes(http::router& router, api_service& api);

/// 422 unless input.billing_profile_id names an active profile the caller
/// may use (of `reseller`, when given).
rest::api_status check_billing_profile(write_ctx& c, const json& input,
                                       std::optional<uint64_t> reseller);

/// Removes a subscriber with its numbers, preferences and indexes (status
/// terminated, DELETE, and the cascade of a terminated customer).
rest::api_status remove_subscriber(write_ctx& c, uint64_t id, const json& doc);

} // namespace sb::mgmt::api
