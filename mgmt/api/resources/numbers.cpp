// numbers: every E.164 number of the platform. Numbers are created with
// their subscriber; here an alias number can be moved to another subscriber
// of the same reseller.
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/number_set.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

rest::api_result<json> load_subscriber(write_ctx& c, uint64_t id) {
  auto doc = c.txn.load(kind_subscribers, id);
  if (!doc)
    return storage_failure(doc.err());
  if (!*doc)
    return rest::unprocessable("Subscriber #" + std::to_string(id) +
                               " of the number is gone");
  return std::move(**doc);
}

rest::api_result<uint64_t> move_number(write_ctx& c, std::optional<uint64_t> id,
                                       const json* old, const json& input) {
  if (!old || !id)
    return rest::unprocessable("Numbers are created with their subscriber");
  auto from = old->value("subscriber_id", 0u);
  auto to = input["subscriber_id"].get<uint64_t>();
  if (from == to)
    return *id;
  if (old->value("is_primary", false))
    return invalid_field("subscriber_id", input["subscriber_id"],
                         "A primary number cannot be reassigned");
  auto target = referenced(c, kind_subscribers, input, "subscriber_id",
                           [](uint64_t sid, const json& d) {
                             auto o = owner_from_members(d);
                             o.subscriber_id = sid;
                             return o;
                           });
  if (!target)
    return target.err();
  if (id_member(*target, "reseller_id") != id_member(*old, "reseller_id"))
    return invalid_field("subscriber_id", input["subscriber_id"],
                         "Invalid 'subscriber_id'");
  auto source = load_subscriber(c, from);
  if (!source)
    return source.err();

  json moved{{"cc", old->value("cc", "")},
             {"ac", old->value("ac", "")},
             {"sn", old->value("sn", "")},
             {"is_devid", old->value("is_devid", false)},
             {"number_id", *id}};
  json kept = json::array();
  for (const auto& n : source->value("alias_numbers", json::array()))
    if (n.value("number_id", 0u) != *id)
      kept.push_back(n);
  (*source)["alias_numbers"] = kept;
  (*target)["alias_numbers"].push_back(moved);

  json entity = *old;
  entity["subscriber_id"] = to;
  entity["customer_id"] = target->value("customer_id", 0u);
  c.txn.save(kind_subscribers, from, *source);
  c.txn.save(kind_subscribers, to, *target);
  c.txn.save(kind_numbers, *id, entity);
  return *id;
}

} // namespace

resource_def numbers_resource() {
  resource_def r;
  r.name = "numbers";
  r.item = "number";
  r.kind = std::string(kind_numbers);
  r.description = "E.164 numbers of subscribers (primary and aliases).";
  r.roles = {admins_resellers, {}, admins_resellers, admins_resellers, {}};
  r.fields = {fields::integer("subscriber_id", true, 1),
              fields::output("cc"),
              fields::output("ac"),
              fields::output("sn"),
              fields::output("is_primary"),
              fields::output("is_devid"),
              fields::output("customer_id"),
              fields::output("reseller_id")};
  r.list = {{"cc", "ac", "sn", "subscriber_id"},
            {"subscriber_id", "reseller_id", "customer_id", "cc", "ac", "sn",
             "is_primary", "number"}};
  r.custom_filters["number"] = [](const std::string& v, uint64_t,
                                  const json& doc) {
    return number_matches(doc, v);
  };
  r.links = [](uint64_t, const json& doc) {
    return std::vector<rest::hal_link>{
        {"subscribers",
         rest::item_href("subscribers", doc.value("subscriber_id", 0))}};
  };
  r.write = move_number;
  return r;
}

} // namespace sb::mgmt::api
