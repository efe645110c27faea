#pragma once

#include "mgmt/api/resource.hpp"

#include <optional>
#include <string>

// The E.164 numbers of a subscriber: the primary and alias numbers inline in
// the subscriber, each also a `numbers` entity with a platform-wide unique
// index on its digits (what the proxy maps an R-URI with).
namespace sb::mgmt::api {

/// Who a subscriber's numbers belong to.
struct number_owner {
  uint64_t subscriber_id = 0;
  uint64_t customer_id = 0;
  uint64_t reseller_id = 0;
};

/// field_check of `primary_number`: {cc, ac, sn} with cc 1-3 digits not
/// starting with 0, ac 0-7 digits, sn 1-31 digits, at most 15 digits in all.
std::optional<std::string> check_number_field(const json& v);

/// field_check of `alias_numbers`: an array of such objects (each may carry
/// is_devid).
std::optional<std::string> check_alias_numbers(const json& v);

/// cc+ac+sn of a number object.
std::string e164_of(const json& number);

/// Whether a number object's digits match `pattern` ('*' wildcards).
bool number_matches(const json& number, const std::string& pattern);

/// Makes the `numbers` entities and indexes match doc.primary_number and
/// doc.alias_numbers, writing each number's `number_id` into `doc`.
/// Numbers kept from `old` keep their ids. 422 when a number is taken.
rest::api_status sync_numbers(write_ctx& c, const number_owner& owner,
                              const json* old, json& doc);

/// Drops every number of a subscriber document.
void release_numbers(write_ctx& c, const json& doc);

} // namespace sb::mgmt::api
