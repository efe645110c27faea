#include "mgmt/api/resource.hpp"

namespace sb::mgmt::api {

auth::ownership owner_from_members(const json& doc) {
  auth::ownership o;
  auto get = [&](const char* name) -> std::optional<uint64_t> {
    auto it = doc.find(name);
    if (it != doc.end() && it->is_number_unsigned())
      return it->get<uint64_t>();
    if (it != doc.end() && it->is_number_integer() && it->get<int64_t>() > 0)
      return static_cast<uint64_t>(it->get<int64_t>());
    return std::nullopt;
  };
  o.reseller_id = get("reseller_id");
  o.customer_id = get("customer_id");
  o.subscriber_id = get("subscriber_id");
  return o;
}

json public_members(const json& doc) {
  json out = json::object();
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (it.key().empty() || it.key()[0] != '_')
      out[it.key()] = it.value();
  return out;
}

} // namespace sb::mgmt::api
