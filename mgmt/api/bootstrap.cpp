#include "mgmt/api/bootstrap.hpp"

#include "mgmt/api/api_service.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/auth/password_hash.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

// The platform itself acts as a superuser of reseller 1.
auth::principal system_principal() {
  return auth::principal{auth::role::admin, 0, 1, {}, {}, false};
}

// Runs the write hook of resource `name` for a new item.
rest::api_result<uint64_t> create(api_service& api, write_ctx& c,
                                  std::string_view name, json input) {
  const auto* r = api.find(name);
  if (!r)
    return rest::internal_error();
  // The same normalisation as an API body gets (defaults, nulls).
  auto hidden = json::object();
  for (auto it = input.begin(); it != input.end(); ++it)
    if (it.key()[0] == '_')
      hidden[it.key()] = it.value();
  auto doc = rest::normalize(input, r->fields);
  doc.update(hidden);
  return r->write(c, std::nullopt, nullptr, doc);
}

rest::api_status check(const rest::api_result<uint64_t>& r) {
  if (!r)
    return r.err();
  return rest::api_ok();
}

} // namespace

void bootstrap(api_service& api, std::function<void(rest::api_status)> done) {
  auto hash = auth::hash_password(default_admin_password);
  if (!hash)
    return done(rest::internal_error());
  api.write(
      system_principal(),
      [&api, hash = *hash](write_ctx& c) -> rest::api_result<uint64_t> {
        auto admins = c.txn.last_id(kind_admins);
        if (!admins)
          return rest::internal_error();
        if (*admins != 0)
          return uint64_t{0};
        // The billing profile and the reseller refer to each other (the
        // profile belongs to reseller 1, whose contract uses the profile),
        // so the profile is written first, directly.
        auto pid = c.txn.next_id(kind_billingprofiles);
        if (!pid)
          return rest::internal_error();
        auto now = timestamp_text(c.now_ms);
        c.txn.save(kind_billingprofiles, *pid,
                   {{"reseller_id", 1},
                    {"handle", "default"},
                    {"name", "Default Billing Profile"},
                    {"prepaid", false},
                    {"interval_charge", 0},
                    {"interval_free_time", 0},
                    {"interval_free_cash", 0},
                    {"interval_unit", "month"},
                    {"interval_count", 1},
                    {"fraud_use_reseller_rates", false},
                    {"currency", "EUR"},
                    {"advice_of_charge", false},
                    {"prepaid_library", "libswrate"},
                    {"ignore_domain", false},
                    {"status", "active"},
                    {"create_timestamp", now},
                    {"modify_timestamp", now},
                    {"terminate_timestamp", nullptr}});
        if (auto st =
                c.txn.claim_unique(index_billing_handle, "1/default", *pid);
            !st)
          return rest::internal_error();
        auto contact = create(api, c, "systemcontacts",
                              {{"email", "default-system@switchboard.local"}});
        if (!contact)
          return contact;
        auto contract = create(api, c, "contracts",
                               {{"contact_id", *contact},
                                {"status", "active"},
                                {"type", "reseller"},
                                {"billing_profile_id", *pid}});
        if (!contract)
          return contract;
        auto reseller = create(api, c, "resellers",
                               {{"contract_id", *contract},
                                {"name", "default"},
                                {"status", "active"}});
        if (!reseller)
          return reseller;
        return create(api, c, "admins",
                      {{"login", default_admin_login},
                       {"_password", hash},
                       {"email", nullptr},
                       {"reseller_id", *reseller},
                       {"is_superuser", true},
                       {"is_active", true},
                       {"read_only", false}});
      },
      [done = std::move(done)](rest::api_result<uint64_t> r) {
        done(check(r));
      });
}

void provision_demo(api_service& api,
                    std::function<void(rest::api_status)> done) {
  api.write(
      system_principal(),
      [&api](write_ctx& c) -> rest::api_result<uint64_t> {
        auto exists = c.txn.unique_owner(index_domain, "127.0.0.1");
        if (!exists)
          return rest::internal_error();
        if (*exists)
          return uint64_t{0};
        auto contact = create(api, c, "customercontacts",
                              {{"reseller_id", 1},
                               {"email", "demo@switchboard.local"},
                               {"firstname", "Demo"}});
        if (!contact)
          return contact;
        auto customer = create(api, c, "customers",
                               {{"contact_id", *contact},
                                {"status", "active"},
                                {"type", "sipaccount"},
                                {"billing_profile_id", 1},
                                {"vat_rate", 0},
                                {"add_vat", false}});
        if (!customer)
          return customer;
        auto domain = create(api, c, "domains",
                             {{"domain", "127.0.0.1"}, {"reseller_id", 1}});
        if (!domain)
          return domain;
        for (int n = 1001; n <= 1003; ++n) {
          auto sub =
              create(api, c, "subscribers",
                     {{"customer_id", *customer},
                      {"domain_id", *domain},
                      {"username", std::to_string(n)},
                      {"password", "demo" + std::to_string(n)},
                      {"status", "active"},
                      {"display_name", "Demo " + std::to_string(n)},
                      {"primary_number",
                       {{"cc", "43"}, {"ac", "1"}, {"sn", std::to_string(n)}}},
                      {"alias_numbers", json::array()}});
          if (!sub)
            return sub;
        }
        return *domain;
      },
      [done = std::move(done)](rest::api_result<uint64_t> r) {
        done(check(r));
      });
}

bool default_password_in_use(const api_service& api) {
  auto id = api.reader().unique_owner(index_admin_login, default_admin_login);
  if (!id || !*id)
    return false;
  auto doc = api.reader().load(kind_admins, **id);
  return doc && *doc &&
         auth::verify_password(default_admin_password,
                               (**doc).value("_password", std::string{}));
}

} // namespace sb::mgmt::api
