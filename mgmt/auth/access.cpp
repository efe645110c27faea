#include "mgmt/auth/access.hpp"

namespace sb::mgmt::auth {

std::optional<http_method> parse_method(std::string_view name) {
  if (name == "GET")
    return http_method::get;
  if (name == "HEAD")
    return http_method::head;
  if (name == "OPTIONS")
    return http_method::options;
  if (name == "POST")
    return http_method::post;
  if (name == "PUT")
    return http_method::put;
  if (name == "PATCH")
    return http_method::patch;
  if (name == "DELETE")
    return http_method::del;
  return std::nullopt;
}

bool is_safe(http_method m) {
  return m == http_method::get || m == http_method::head ||
         m == http_method::options;
}

role_set roles_for(const method_roles& roles, http_method m) {
  switch (m) {
  case http_method::get:
  case http_method::head:
  case http_method::options:
    return roles.get;
  case http_method::post:
    return roles.post;
  case http_method::put:
    return roles.put;
  case http_method::patch:
    return roles.patch;
  case http_method::del:
    return roles.del;
  }
  return {};
}

std::string_view to_string(decision d) {
  switch (d) {
  case decision::allow:
    return "allow";
  case decision::forbidden:
    return "forbidden";
  case decision::not_found:
    return "not_found";
  }
  return "unknown";
}

namespace {

// An id the owner leaves empty does not contradict; one it sets must match.
bool consistent(const std::optional<uint64_t>& owner,
                const std::optional<uint64_t>& mine) {
  return !owner || owner == mine;
}

} // namespace

bool can_see(const principal& p, const ownership& owner) {
  if (!valid(p))
    return false;
  switch (p.role) {
  case role::admin:
    return true;
  case role::reseller:
    return owner.reseller_id && owner.reseller_id == p.reseller_id;
  case role::subscriber:
    return owner.subscriber_id && owner.subscriber_id == p.subscriber_id &&
           consistent(owner.customer_id, p.customer_id) &&
           consistent(owner.reseller_id, p.reseller_id);
  }
  return false;
}

std::optional<ownership> visibility_filter(const principal& p) {
  if (!valid(p))
    return std::nullopt;
  switch (p.role) {
  case role::admin:
    return ownership{};
  case role::reseller:
    return ownership{p.reseller_id, std::nullopt, std::nullopt};
  case role::subscriber:
    return ownership{std::nullopt, std::nullopt, p.subscriber_id};
  }
  return std::nullopt;
}

decision decide(const principal& p, http_method m, const method_roles& roles,
                const std::optional<ownership>& target) {
  if (!valid(p) || (p.read_only && !is_safe(m)) ||
      !roles_for(roles, m).contains(p.role))
    return decision::forbidden;
  if (target && !can_see(p, *target))
    return decision::not_found;
  return decision::allow;
}

} // namespace sb::mgmt::auth
