// systemcontacts (admin) and customercontacts (per reseller): the people and
// addresses contracts and customers refer to.
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

std::vector<rest::field_spec> contact_fields(bool with_reseller) {
  std::vector<rest::field_spec> f;
  if (with_reseller)
    f.push_back(fields::integer("reseller_id", false, 1));
  auto email = fields::text("email", true);
  email.check = [](const json& v) -> std::optional<std::string> {
    const auto& s = v.get_ref<const std::string&>();
    auto at = s.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == s.size() ||
        s.find_first_of(" \t\r\n") != std::string::npos)
      return "Not a valid email address";
    return std::nullopt;
  };
  f.push_back(std::move(email));
  for (const char* name :
       {"firstname", "lastname", "company", "street", "postcode", "city",
        "phonenumber", "mobilenumber", "faxnumber", "iban", "bic", "vatnum",
        "comregnum", "external_id", "timezone"})
    f.push_back(fields::text(name));
  auto country = fields::text("country", false, 2);
  country.check = [](const json& v) -> std::optional<std::string> {
    const auto& s = v.get_ref<const std::string&>();
    if (s.size() != 2 || !std::isupper(static_cast<unsigned char>(s[0])) ||
        !std::isupper(static_cast<unsigned char>(s[1])))
      return "Not a valid ISO 3166-1 alpha-2 country code";
    return std::nullopt;
  };
  f.push_back(std::move(country));
  f.push_back(fields::choice("gender", false, {"male", "female"}));
  f.push_back(fields::output("create_timestamp"));
  f.push_back(fields::output("modify_timestamp"));
  return f;
}

// Contacts are referred to by contracts (system) or customers (customer).
write_hook contact_write(std::string_view kind, bool with_reseller) {
  return [kind, with_reseller](
             write_ctx& c, std::optional<uint64_t> id, const json* old,
             const json& input) -> rest::api_result<uint64_t> {
    json doc = input;
    if (with_reseller) {
      auto reseller = resolve_reseller(c, input, std::nullopt);
      if (!reseller)
        return reseller.err();
      if (old && id_member(*old, "reseller_id") != *reseller) {
        auto users = c.txn.referrers(kind_customers, "contact_id", *id, 1);
        if (!users)
          return storage_failure(users.err());
        if (!users->empty())
          return invalid_field(
              "reseller_id", input.value("reseller_id", json{}),
              "Contact is in use by a customer of its reseller");
      }
      doc["reseller_id"] = *reseller;
    }
    auto nid = item_id(c, kind, id);
    if (!nid)
      return nid;
    stamp(doc, old, c.now_ms);
    c.txn.save(kind, *nid, doc);
    return *nid;
  };
}

delete_hook contact_erase(std::string_view kind, std::string_view user_kind) {
  return [kind, user_kind](write_ctx& c, uint64_t id,
                           const json&) -> rest::api_status {
    auto users = c.txn.referrers(user_kind, "contact_id", id, 1);
    if (!users)
      return storage_failure(users.err());
    if (!users->empty())
      return rest::unprocessable("Contact is still in use by " +
                                 std::string(user_kind) + " #" +
                                 std::to_string(users->front()));
    c.txn.erase(kind, id);
    return rest::api_ok();
  };
}

} // namespace

resource_def systemcontacts_resource() {
  resource_def r;
  r.name = "systemcontacts";
  r.item = "systemcontact";
  r.kind = std::string(kind_systemcontacts);
  r.description = "Contacts of the platform's own contracts (reseller and "
                  "peering contracts).";
  r.roles = {admins_only, admins_only, admins_only, admins_only, admins_only};
  r.fields = contact_fields(false);
  r.list = {{"email", "firstname", "lastname", "company"},
            {"email", "firstname", "lastname", "company", "external_id"}};
  r.write = contact_write(kind_systemcontacts, false);
  r.erase = contact_erase(kind_systemcontacts, kind_contracts);
  // System contacts belong to the platform: only admins see them.
  r.owner = [](uint64_t, const json&) { return auth::ownership{}; };
  return r;
}

resource_def customercontacts_resource() {
  resource_def r;
  r.name = "customercontacts";
  r.item = "customercontact";
  r.kind = std::string(kind_customercontacts);
  r.description = "Contacts of customers, owned by a reseller.";
  r.roles = {admins_resellers, admins_resellers, admins_resellers,
             admins_resellers, admins_resellers};
  r.fields = contact_fields(true);
  r.list = {{"email", "firstname", "lastname", "company", "reseller_id"},
            {"email", "firstname", "lastname", "company", "external_id",
             "reseller_id"}};
  r.write = contact_write(kind_customercontacts, true);
  r.erase = contact_erase(kind_customercontacts, kind_customers);
  r.links = [](uint64_t, const json& doc) {
    return std::vector<rest::hal_link>{
        {"resellers",
         rest::item_href("resellers", doc.value("reseller_id", 0))}};
  };
  return r;
}

} // namespace sb::mgmt::api
