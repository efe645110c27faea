// contracts: reseller and peering contracts of the platform (customers'
// contracts are the customers resource).
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

// A billing profile a contract or customer may be put on.
rest::api_status check_profile(write_ctx& c, const json& input,
                               std::optional<uint64_t> reseller) {
  auto profile =
      referenced(c, kind_billingprofiles, input, "billing_profile_id");
  if (!profile)
    return profile.err();
  if (profile->value("status", "active") != "active" ||
      (reseller && id_member(*profile, "reseller_id") != reseller))
    return invalid_field("billing_profile_id", input["billing_profile_id"],
                         "Invalid 'billing_profile_id'");
  return rest::api_ok();
}

} // namespace

rest::api_status check_billing_profile(write_ctx& c, const json& input,
                                       std::optional<uint64_t> reseller) {
  return check_profile(c, input, reseller);
}

resource_def contracts_resource() {
  resource_def r;
  r.name = "contracts";
  r.item = "contract";
  r.kind = std::string(kind_contracts);
  r.description = "Reseller and peering contracts.";
  r.roles = {admins_only, admins_only, admins_only, admins_only, {}};
  r.fields = {fields::integer("contact_id", true, 1),
              fields::choice("status", true,
                             {"pending", "active", "locked", "terminated"}),
              fields::choice("type", true, {"reseller", "sippeering"}),
              fields::integer("billing_profile_id", true, 1),
              fields::text("external_id"),
              fields::integer("max_subscribers", false, 0),
              fields::output("create_timestamp"),
              fields::output("modify_timestamp")};
  r.list = {{"status", "type", "external_id"},
            {"status", "type", "external_id", "contact_id"}};
  r.owner = [](uint64_t, const json&) { return auth::ownership{}; };
  r.links = [](uint64_t, const json& doc) {
    return std::vector<rest::hal_link>{
        {"systemcontacts",
         rest::item_href("systemcontacts", doc.value("contact_id", 0))},
        {"billingprofiles",
         rest::item_href("billingprofiles",
                         doc.value("billing_profile_id", 0))}};
  };
  r.write = [](write_ctx& c, std::optional<uint64_t> id, const json* old,
               const json& input) -> rest::api_result<uint64_t> {
    if (auto st = refuse_if_terminated(old, "Contract"); !st)
      return st.err();
    auto contact =
        referenced(c, kind_systemcontacts, input, "contact_id",
                   [](uint64_t, const json&) { return auth::ownership{}; });
    if (!contact)
      return contact.err();
    if (!old || old->value("billing_profile_id", 0u) !=
                    input["billing_profile_id"].get<uint64_t>()) {
      auto st = check_profile(c, input, std::nullopt);
      if (!st)
        return st.err();
    }
    if (old && old->value("type", "") != input["type"].get<std::string>())
      return invalid_field("type", input["type"],
                           "The type of a contract cannot change");
    auto nid = item_id(c, kind_contracts, id);
    if (!nid)
      return nid;
    json doc = input;
    stamp(doc, old, c.now_ms);
    rereference(c, kind_contracts, "contact_id",
                old ? old->value("contact_id", 0u) : 0u,
                doc["contact_id"].get<uint64_t>(), *nid);
    rereference(c, kind_contracts, "billing_profile_id",
                old ? old->value("billing_profile_id", 0u) : 0u,
                doc["billing_profile_id"].get<uint64_t>(), *nid);
    c.txn.save(kind_contracts, *nid, doc);
    return *nid;
  };
  return r;
}

} // namespace sb::mgmt::api
