// customers: the contracts subscribers belong to. Terminating a customer
// terminates its subscribers in the same change; a terminated customer is
// frozen.
#include "mgmt/api/api_service.hpp"
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

// The reference limits one request's cascade implicitly by its DB
// transaction; here one change carries it, so it is bounded.
constexpr size_t max_cascade = 100000;

rest::api_status terminate_subscribers(write_ctx& c, uint64_t customer) {
  auto ids =
      c.txn.referrers(kind_subscribers, "customer_id", customer, max_cascade);
  if (!ids)
    return storage_failure(ids.err());
  for (auto sid : *ids) {
    auto doc = c.txn.load(kind_subscribers, sid);
    if (!doc)
      return storage_failure(doc.err());
    if (!*doc)
      continue;
    if (auto st = remove_subscriber(c, sid, **doc); !st)
      return st;
  }
  return rest::api_ok();
}

} // namespace

resource_def customers_resource() {
  resource_def r;
  r.name = "customers";
  r.item = "customer";
  r.kind = std::string(kind_customers);
  r.description = "Customer contracts; subscribers belong to one.";
  r.roles = {admins_resellers,
             admins_resellers,
             admins_resellers,
             admins_resellers,
             {}};
  r.fields = {fields::integer("contact_id", true, 1),
              fields::choice("status", true,
                             {"pending", "active", "locked", "terminated"}),
              fields::choice("type", true, {"sipaccount", "pbxaccount"}),
              fields::integer("billing_profile_id", true, 1),
              fields::text("external_id"),
              fields::integer("max_subscribers", false, 0),
              fields::number("vat_rate", 0, 100),
              fields::boolean("add_vat", false),
              fields::output("reseller_id"),
              fields::output("create_timestamp"),
              fields::output("modify_timestamp"),
              fields::output("activate_timestamp"),
              fields::output("terminate_timestamp")};
  r.list = {{"status", "type", "external_id", "contact_id"},
            {"type", "status", "not_status", "reseller_id", "external_id",
             "contact_id"}};
  r.custom_filters["not_status"] = [](const std::string& v, uint64_t,
                                      const json& doc) {
    return doc.value("status", "") != v;
  };
  r.owner = [](uint64_t id, const json& doc) {
    auto o = owner_from_members(doc);
    o.customer_id = id;
    return o;
  };
  r.links = [](uint64_t, const json& doc) {
    return std::vector<rest::hal_link>{
        {"customercontacts",
         rest::item_href("customercontacts", doc.value("contact_id", 0))},
        {"billingprofiles",
         rest::item_href("billingprofiles",
                         doc.value("billing_profile_id", 0))},
        {"resellers",
         rest::item_href("resellers", doc.value("reseller_id", 0))}};
  };
  r.write = [](write_ctx& c, std::optional<uint64_t> id, const json* old,
               const json& input) -> rest::api_result<uint64_t> {
    if (auto st = refuse_if_terminated(old, "Customer"); !st)
      return st.err();
    auto contact = referenced(c, kind_customercontacts, input, "contact_id");
    if (!contact)
      return contact.err();
    auto reseller = id_member(*contact, "reseller_id");
    if (!reseller || (old && id_member(*old, "reseller_id") != reseller))
      return invalid_field("contact_id", input["contact_id"],
                           "Invalid 'contact_id'");
    if (!old || old->value("billing_profile_id", 0u) !=
                    input["billing_profile_id"].get<uint64_t>()) {
      auto st = check_billing_profile(c, input, reseller);
      if (!st)
        return st.err();
    }
    auto nid = item_id(c, kind_customers, id);
    if (!nid)
      return nid;
    json doc = input;
    doc["reseller_id"] = *reseller;
    stamp(doc, old, c.now_ms);
    auto now = timestamp_text(c.now_ms);
    doc["activate_timestamp"] =
        old ? old->value("activate_timestamp", json{}) : json{};
    if (doc["status"] == "active" && doc["activate_timestamp"].is_null())
      doc["activate_timestamp"] = now;
    doc["terminate_timestamp"] = nullptr;
    if (doc["status"] == "terminated") {
      doc["terminate_timestamp"] = now;
      if (old)
        if (auto st = terminate_subscribers(c, *nid); !st)
          return st.err();
    }
    if (old && doc["max_subscribers"].is_number_integer()) {
      auto subs =
          c.txn.referrers(kind_subscribers, "customer_id", *nid, max_cascade);
      if (!subs)
        return storage_failure(subs.err());
      if (subs->size() > doc["max_subscribers"].get<uint64_t>())
        return invalid_field("max_subscribers", doc["max_subscribers"],
                             "Customer already has " +
                                 std::to_string(subs->size()) + " subscribers");
    }
    rereference(c, kind_customers, "contact_id",
                old ? old->value("contact_id", 0u) : 0u,
                doc["contact_id"].get<uint64_t>(), *nid);
    rereference(c, kind_customers, "billing_profile_id",
                old ? old->value("billing_profile_id", 0u) : 0u,
                doc["billing_profile_id"].get<uint64_t>(), *nid);
    c.txn.save(kind_customers, *nid, doc);
    return *nid;
  };
  return r;
}

} // namespace sb::mgmt::api
