#pragma once

#include "mgmt/auth/principal.hpp"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace sb::mgmt::auth {

/// The HTTP methods the provisioning API routes. HEAD and OPTIONS are
/// governed by the GET roles of a resource.
enum class http_method : uint8_t { get, head, options, post, put, patch, del };

/// The method named exactly (methods are case-sensitive, RFC 9110 §9.1);
/// nullopt for anything else, which the router answers with 405 before any
/// access decision.
std::optional<http_method> parse_method(std::string_view name);

/// GET, HEAD and OPTIONS: the only methods a read-only principal may use.
bool is_safe(http_method m);

/// A small set of roles.
class role_set {
public:
  constexpr role_set() = default;
  constexpr role_set(std::initializer_list<role> roles) {
    for (role r : roles)
      bits_ |= bit(r);
  }
  constexpr bool contains(role r) const { return (bits_ & bit(r)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }

private:
  static constexpr uint8_t bit(role r) {
    return static_cast<uint8_t>(1u << static_cast<unsigned>(r));
  }
  uint8_t bits_ = 0;
};

/// Which roles may use each method of one resource (the "Roles / methods"
/// column of the reference, digest §2.6). An empty set means nobody: the
/// method is not offered to any role, e.g. DELETE on customers.
struct method_roles {
  role_set get; ///< also HEAD and OPTIONS
  role_set post;
  role_set put;
  role_set patch;
  role_set del;
};

/// The roles `roles` grants for `m`.
role_set roles_for(const method_roles& roles, http_method m);

/// Who owns a target object, resolved by the resource before deciding:
/// reseller_id must be filled for anything that belongs to a reseller
/// (directly or through its customer or subscriber), customer_id and
/// subscriber_id for what belongs to those. A missing id never widens access:
/// an object without reseller_id is visible to admins only, one without
/// subscriber_id to no subscriber.
struct ownership {
  std::optional<uint64_t> reseller_id;
  std::optional<uint64_t> customer_id;
  std::optional<uint64_t> subscriber_id;
};

/// Outcome of an access check. The values are the HTTP status codes to
/// answer with, except allow.
enum class decision : uint16_t {
  allow = 0,
  forbidden = 403, ///< {"code":403,"message":"Forbidden!"}
  not_found = 404, ///< answered exactly like a missing item
};

/// "allow", "forbidden" or "not_found".
std::string_view to_string(decision d);

/// Whether `p` may see an object owned as `owner`: admins see everything;
/// resellers what carries their reseller_id; subscribers what carries their
/// subscriber_id (and no other customer_id or reseller_id). Collections are
/// filtered with this; an invalid principal sees nothing.
bool can_see(const principal& p, const ownership& owner);

/// The ids a collection query must match to return only what `p` can see:
/// none for admins, reseller_id for resellers, subscriber_id for subscribers.
/// nullopt for an invalid principal, whose collections are empty. Agrees with
/// can_see for consistent ownerships (a subscriber's objects carry its own
/// customer and reseller).
std::optional<ownership> visibility_filter(const principal& p);

/// The access decision for `p` calling `m` on a resource whose roles are
/// `roles`, on the item owned as `target` (nullopt for collection-level
/// calls: GET on a collection, POST). Checks in this order:
///  1. invalid principal, a read-only principal with an unsafe method, or a
///     role the resource does not grant for `m` -> forbidden. These do not
///     depend on the target, so a 403 never reveals whether an item exists;
///  2. an item `p` cannot see -> not_found, the same 404 the caller gets for
///     an id that does not exist (the reference filters other resellers'
///     objects out of its result sets, so they are "not found" there too);
///  3. otherwise allow.
/// For POST, objects the new item refers to (contact_id, customer_id, ...)
/// are checked by the resource with can_see, answering 422 "Invalid
/// '<field>'" like the reference, not through this function.
decision decide(const principal& p, http_method m, const method_roles& roles,
                const std::optional<ownership>& target);

} // namespace sb::mgmt::auth
