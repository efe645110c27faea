#include "mgmt/auth/principal.hpp"

#include <string>

namespace sb::mgmt::auth {

std::string_view to_string(role r) {
  switch (r) {
  case role::admin:
    return "admin";
  case role::reseller:
    return "reseller";
  case role::subscriber:
    return "subscriber";
  }
  return "unknown";
}

bool valid(const principal& p) {
  switch (p.role) {
  case role::admin:
    return !p.customer_id && !p.subscriber_id;
  case role::reseller:
    return p.reseller_id.has_value() && !p.customer_id && !p.subscriber_id;
  case role::subscriber:
    return p.reseller_id && p.customer_id && p.subscriber_id;
  }
  return false;
}

result<principal> make_admin_principal(uint64_t admin_id,
                                       std::optional<uint64_t> reseller_id,
                                       bool is_superuser, bool read_only) {
  if (!is_superuser && !reseller_id)
    return error{"admin " + std::to_string(admin_id) +
                 " is not a superuser and has no reseller_id"};
  principal p;
  p.role = is_superuser ? role::admin : role::reseller;
  p.admin_id = admin_id;
  p.reseller_id = reseller_id;
  p.read_only = read_only;
  return p;
}

principal make_subscriber_principal(uint64_t subscriber_id,
                                    uint64_t customer_id, uint64_t reseller_id,
                                    bool read_only) {
  principal p;
  p.role = role::subscriber;
  p.reseller_id = reseller_id;
  p.customer_id = customer_id;
  p.subscriber_id = subscriber_id;
  p.read_only = read_only;
  return p;
}

} // namespace sb::mgmt::auth
