// billingprofiles: identity and limits of a tariff (fees and rating arrive
// with the billing work). DELETE terminates a profile nobody uses.
#include "mgmt/api/api_service.hpp"
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

// Handles are unique per reseller regardless of case.
std::string handle_key(uint64_t reseller, const std::string& handle) {
  return std::to_string(reseller) + "/" + ascii_lower(handle);
}

std::vector<rest::field_spec> profile_fields() {
  auto handle = fields::text("handle", true, 63);
  handle.check = [](const json& v) -> std::optional<std::string> {
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char ch) {
          return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
        }))
      return "Must contain only letters, digits and '_'";
    return std::nullopt;
  };
  return {fields::integer("reseller_id", false, 1),
          std::move(handle),
          fields::text("name", true, 31),
          fields::boolean("prepaid", false),
          fields::number("interval_charge", 0),
          fields::integer("interval_free_time", false, 0),
          fields::number("interval_free_cash", 0),
          fields::choice("interval_unit", false, {"week", "month"}, "month"),
          fields::integer("interval_count", false, 1, 12),
          fields::integer("fraud_interval_limit", false, 0),
          fields::integer("fraud_interval_lock", false, 0, 5),
          fields::text("fraud_interval_notify"),
          fields::integer("fraud_daily_limit", false, 0),
          fields::integer("fraud_daily_lock", false, 0, 5),
          fields::text("fraud_daily_notify"),
          fields::boolean("fraud_use_reseller_rates", false),
          fields::text("currency", false, 31),
          fields::boolean("advice_of_charge", false),
          fields::choice("prepaid_library", false, {"libswrate", "libinewrate"},
                         "libswrate"),
          fields::boolean("ignore_domain", false),
          fields::output("status"),
          fields::output("create_timestamp"),
          fields::output("modify_timestamp"),
          fields::output("terminate_timestamp")};
}

} // namespace

resource_def billingprofiles_resource() {
  resource_def r;
  r.name = "billingprofiles";
  r.item = "billingprofile";
  r.kind = std::string(kind_billingprofiles);
  r.description = "Billing profiles (tariffs) of a reseller.";
  r.roles = {admins_resellers, admins_resellers, admins_resellers,
             admins_resellers, admins_resellers};
  r.fields = profile_fields();
  r.list = {{"name", "handle", "status"},
            {"reseller_id", "handle", "name", "status"}};
  r.links = [](uint64_t, const json& doc) {
    return std::vector<rest::hal_link>{
        {"resellers",
         rest::item_href("resellers", doc.value("reseller_id", 0))}};
  };
  r.write = [](write_ctx& c, std::optional<uint64_t> id, const json* old,
               const json& input) -> rest::api_result<uint64_t> {
    if (auto st = refuse_if_terminated(old, "Billing profile"); !st)
      return st.err();
    auto reseller = resolve_reseller(c, input, std::nullopt);
    if (!reseller)
      return reseller.err();
    if (old && id_member(*old, "reseller_id") != *reseller)
      return invalid_field("reseller_id", input.value("reseller_id", json{}),
                           "The reseller of a billing profile cannot change");
    auto nid = item_id(c, kind_billingprofiles, id);
    if (!nid)
      return nid;
    json doc = input;
    doc["reseller_id"] = *reseller;
    doc["status"] = "active";
    auto st =
        reclaim(c, index_billing_handle,
                old ? handle_key(*reseller, old->value("handle", "")) : "",
                handle_key(*reseller, doc["handle"].get<std::string>()), *nid,
                "handle", input, "Billing profile handle");
    if (!st)
      return st.err();
    stamp(doc, old, c.now_ms);
    doc["terminate_timestamp"] = nullptr;
    c.txn.save(kind_billingprofiles, *nid, doc);
    return *nid;
  };
  r.erase = [](write_ctx& c, uint64_t id, const json& old) -> rest::api_status {
    for (auto kind : {kind_customers, kind_contracts}) {
      auto users = c.txn.referrers(kind, "billing_profile_id", id, 1);
      if (!users)
        return storage_failure(users.err());
      if (!users->empty())
        return rest::unprocessable("Billing profile is still used by " +
                                   std::string(kind) + " #" +
                                   std::to_string(users->front()));
    }
    if (old.value("status", "") == "terminated")
      return rest::api_ok();
    json doc = old;
    doc["status"] = "terminated";
    doc["terminate_timestamp"] = timestamp_text(c.now_ms);
    c.txn.release_unique(
        index_billing_handle,
        handle_key(old.value("reseller_id", 0u), old.value("handle", "")));
    c.txn.save(kind_billingprofiles, id, doc);
    return rest::api_ok();
  };
  return r;
}

} // namespace sb::mgmt::api
