#pragma once

#include "mgmt/api/resource.hpp"

#include <optional>
#include <string>
#include <string_view>

// Small pieces every write hook needs: reading ids out of a body, checking
// references, claiming unique values, timestamps, role sets.
namespace sb::mgmt::api {

inline constexpr auth::role_set admins_only{auth::role::admin};
inline constexpr auth::role_set admins_resellers{auth::role::admin,
                                                 auth::role::reseller};
inline constexpr auth::role_set all_roles{
    auth::role::admin, auth::role::reseller, auth::role::subscriber};

/// The positive integer member `name` of `doc`, if any.
std::optional<uint64_t> id_member(const json& doc, std::string_view name);

/// 422 naming one field: "Validation failed. field='f', input='..',
/// errors='message'".
rest::api_error invalid_field(std::string_view field, const json& input,
                              std::string message);

/// 500, with `what` logged.
rest::api_error storage_failure(const error& e);

/// The document `kind` #input[field] as `c.who` may use it: 422 "Invalid
/// '<field>'" when the id names nothing or something the caller cannot see.
/// `owner` overrides the ownership read from the document's members.
rest::api_result<json> referenced(
    write_ctx& c, std::string_view kind, const json& input,
    std::string_view field,
    const std::function<auth::ownership(uint64_t, const json&)>& owner = {});

/// The reseller a new or changed item belongs to: a reseller caller's own
/// (422 when the body names another), else the body's `reseller_id`, which
/// must name an existing reseller (422 "Invalid 'reseller_id'"), else
/// `fallback` (422 "Required field" when there is none).
rest::api_result<uint64_t> resolve_reseller(write_ctx& c, const json& input,
                                            std::optional<uint64_t> fallback);

/// Claims unique `value` in `index` for `id`; 422 on `field` "<what> already
/// exists" when another item holds it.
rest::api_status claim(write_ctx& c, std::string_view index,
                       const std::string& value, uint64_t id,
                       std::string_view field, const json& input,
                       std::string_view what);

/// Moves a unique claim from `old_value` to `new_value` (either may be
/// empty: nothing claimed).
rest::api_status reclaim(write_ctx& c, std::string_view index,
                         const std::string& old_value,
                         const std::string& new_value, uint64_t id,
                         std::string_view field, const json& input,
                         std::string_view what);

/// Moves a reference index entry of `kind` #id from parent `old_parent` to
/// `new_parent` (0: none).
void rereference(write_ctx& c, std::string_view kind, std::string_view field,
                 uint64_t old_parent, uint64_t new_parent, uint64_t id);

/// The id for a new item (`id` empty) or `*id`.
rest::api_result<uint64_t> item_id(write_ctx& c, std::string_view kind,
                                   std::optional<uint64_t> id);

/// Sets create_timestamp (kept from `old` if any) and modify_timestamp.
void stamp(json& doc, const json* old, int64_t now_ms);

/// Copies the private ('_') members of `old` that `doc` does not set.
void keep_private(json& doc, const json* old);

/// 422 "<what> is already terminated and cannot be changed." when `old` is
/// terminated: a terminated item is frozen, as in the reference.
rest::api_status refuse_if_terminated(const json* old, std::string_view what);

/// Whether `c.who` may refer to a document owned as `owner`.
bool usable(const write_ctx& c, const auth::ownership& owner);

/// A field_error for the input_check of one field.
rest::field_error field_problem(std::string field, const json& input,
                                std::string message);

} // namespace sb::mgmt::api
