// subscribers: SIP accounts of a customer in a domain, with their numbers.
// SIP passwords are kept only as digest HA1 hashes (realm = domain) and web
// passwords as PBKDF2 hashes; status and lock level are coupled as in the
// reference (digest §1.3).
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/number_set.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "mgmt/auth/password_hash.hpp"
#include "persistence/entities/entity_txn.hpp"
#include "sip/auth/digest.hpp"

#include <openssl/rand.h>

namespace sb::mgmt::api {

namespace {

constexpr int lock_global = 4;

bool sip_user_char(char ch) {
  static constexpr std::string_view extra = "-_.!~*'()&=+$,;?";
  return std::isalnum(static_cast<unsigned char>(ch)) ||
         extra.find(ch) != std::string_view::npos;
}

std::optional<std::string> check_user(const json& v) {
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || !std::all_of(s.begin(), s.end(), sip_user_char))
    return "Must be a SIP user name (letters, digits and -_.!~*'()&=+$,;?)";
  return std::nullopt;
}

std::string random_uuid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1)
    return {};
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out += '-';
    out += hex[b[i] >> 4];
    out += hex[b[i] & 0xf];
  }
  return out;
}

std::vector<rest::field_spec> subscriber_fields() {
  auto username = fields::text("username", true, 127);
  username.check = check_user;
  auto webusername = fields::text("webusername", false, 127);
  webusername.check = check_user;
  auto password = fields::text("password", false, 40);
  auto webpassword = fields::text("webpassword", false, 40);
  webpassword.check = [](const json& v) -> std::optional<std::string> {
    if (v.get_ref<const std::string&>().size() < 6)
      return "Must be at least 6 characters long";
    return std::nullopt;
  };
  auto primary = rest::field_spec{.name = "primary_number",
                                  .type = rest::field_type::object,
                                  .nullable = true};
  primary.check = check_number_field;
  auto aliases = rest::field_spec{.name = "alias_numbers",
                                  .type = rest::field_type::array,
                                  .default_value = json::array()};
  aliases.check = check_alias_numbers;
  return {fields::integer("customer_id", true, 1),
          fields::integer("domain_id", false, 1),
          fields::text("domain", false, 127),
          std::move(username),
          std::move(password),
          std::move(webusername),
          std::move(webpassword),
          fields::choice("status", false, {"active", "locked", "terminated"},
                         "active"),
          fields::integer("lock", false, 0, 5),
          fields::boolean("administrative", false),
          fields::text("external_id"),
          fields::text("display_name"),
          fields::text("email"),
          fields::text("timezone"),
          std::move(primary),
          std::move(aliases),
          fields::boolean("is_pbx_pilot", false),
          fields::boolean("is_pbx_group", false),
          fields::text("pbx_extension", false, 31),
          fields::output("uuid"),
          fields::output("reseller_id"),
          fields::output("create_timestamp"),
          fields::output("modify_timestamp")};
}

std::vector<rest::field_error> check_subscriber(const json& body,
                                                write_mode mode) {
  std::vector<rest::field_error> errors;
  auto present = [&](const char* f) {
    auto it = body.find(f);
    return it != body.end() && !it->is_null();
  };
  if (mode == write_mode::create && !present("password"))
    errors.push_back(field_problem("password", json{}, "Required field"));
  if (!present("domain_id") && !present("domain"))
    errors.push_back(field_problem("domain", json{},
                                   "Required field (domain or domain_id)"));
  return errors;
}

// The subscriber's domain: by domain_id, else by name; it must belong to
// the customer's reseller.
rest::api_result<std::pair<uint64_t, std::string>>
resolve_domain(write_ctx& c, const json& input, uint64_t reseller) {
  uint64_t did = 0;
  if (auto d = id_member(input, "domain_id")) {
    did = *d;
  } else {
    auto owner = c.txn.unique_owner(
        index_domain, ascii_lower(input["domain"].get<std::string>()));
    if (!owner)
      return storage_failure(owner.err());
    if (!*owner)
      return invalid_field("domain", input["domain"], "Invalid 'domain'");
    did = **owner;
  }
  auto doc = c.txn.load(kind_domains, did);
  if (!doc)
    return storage_failure(doc.err());
  const char* field =
      input.contains("domain_id") && !input["domain_id"].is_null() ? "domain_id"
                                                                   : "domain";
  if (!*doc || id_member(**doc, "reseller_id") != reseller)
    return invalid_field(field, input.value(field, json{}),
                         "Invalid '" + std::string(field) + "'");
  return std::pair{did, (**doc)["domain"].get<std::string>()};
}

rest::api_result<uint64_t> write_subscriber(write_ctx& c,
                                            std::optional<uint64_t> id,
                                            const json* old,
                                            const json& input) {
  auto customer = referenced(c, kind_customers, input, "customer_id",
                             [](uint64_t cid, const json& d) {
                               auto o = owner_from_members(d);
                               o.customer_id = cid;
                               return o;
                             });
  if (!customer)
    return customer.err();
  auto cid = input["customer_id"].get<uint64_t>();
  if (customer->value("status", "") == "terminated")
    return invalid_field("customer_id", input["customer_id"],
                         "Invalid 'customer_id'");
  auto reseller = *id_member(*customer, "reseller_id");
  auto domain = resolve_domain(c, input, reseller);
  if (!domain)
    return domain.err();
  auto [did, dname] = *domain;
  if (old && old->value("domain_id", 0u) != did)
    return invalid_field("domain_id", did,
                         "The domain of a subscriber cannot change");
  if (old && id_member(*old, "reseller_id") != reseller)
    return invalid_field("customer_id", input["customer_id"],
                         "Invalid 'customer_id'");
  auto status = input.value("status", "active");
  if (status == "terminated") {
    if (!old)
      return invalid_field("status", status, "Not a valid choice");
    if (auto st = remove_subscriber(c, *id, *old); !st)
      return st.err();
    return *id;
  }
  if (!old || old->value("customer_id", 0u) != cid) {
    if (auto max = id_member(*customer, "max_subscribers")) {
      auto subs = c.txn.referrers(kind_subscribers, "customer_id", cid, *max);
      if (!subs)
        return storage_failure(subs.err());
      if (subs->size() >= *max)
        return invalid_field("customer_id", cid,
                             "Customer has reached its max_subscribers");
    }
  }
  auto nid = item_id(c, kind_subscribers, id);
  if (!nid)
    return nid;

  json doc = input;
  doc.erase("password");
  doc["domain_id"] = did;
  doc["domain"] = dname;
  doc["reseller_id"] = reseller;
  doc["uuid"] = old ? old->value("uuid", random_uuid()) : random_uuid();
  keep_private(doc, old);

  // Status and lock coupling (digest §1.3).
  int lock = input.value("lock", json{}).is_number_integer()
                 ? input["lock"].get<int>()
                 : 0;
  if (status == "locked")
    lock = lock_global;
  else if (old && old->value("status", "") == "locked" &&
           lock == old->value("lock", 0))
    lock = 0;
  doc["lock"] = lock;

  const auto& user = doc["username"].get_ref<const std::string&>();
  auto st = reclaim(c, index_subscriber_user,
                    old ? web_login_key(did, old->value("username", "")) : "",
                    web_login_key(did, user), *nid, "username", input,
                    "Subscriber with this username");
  if (!st)
    return st.err();
  auto web = doc.value("webusername", json{});
  auto old_web = old ? old->value("webusername", json{}) : json{};
  st = reclaim(
      c, index_subscriber_web,
      old_web.is_string() ? web_login_key(did, old_web.get<std::string>()) : "",
      web.is_string() ? web_login_key(did, web.get<std::string>()) : "", *nid,
      "webusername", input, "Subscriber with this webusername");
  if (!st)
    return st.err();

  // SIP credentials: HA1 for the realm = domain; a new username needs the
  // password again because its HA1 changes.
  if (input.contains("password") && input["password"].is_string()) {
    const auto& pw = input["password"].get_ref<const std::string&>();
    using sip::auth::digest_algorithm;
    auto md5 = sip::auth::ha1(user, dname, pw, digest_algorithm::md5);
    auto sha = sip::auth::ha1(user, dname, pw, digest_algorithm::sha256);
    if (!md5 || !sha)
      return storage_failure(!md5 ? md5.err() : sha.err());
    doc["_ha1"] = *md5;
    doc["_ha1_sha256"] = *sha;
  } else if (old && old->value("username", "") != user) {
    return invalid_field("password", json{},
                         "Required when the username changes");
  }

  number_owner owner{*nid, cid, reseller};
  auto numbers = sync_numbers(c, owner, old, doc);
  if (!numbers)
    return numbers.err();

  rereference(c, kind_subscribers, "customer_id",
              old ? old->value("customer_id", 0u) : 0u, cid, *nid);
  rereference(c, kind_subscribers, "domain_id", old ? did : 0u, did, *nid);
  stamp(doc, old, c.now_ms);
  c.txn.save(kind_subscribers, *nid, doc);
  return *nid;
}

// The usual lookups (username in a domain, a number) through the unique
// indexes instead of a scan.
std::optional<std::vector<uint64_t>> subscriber_candidates(const view_ctx& v) {
  auto exact = [&](const char* name) -> std::optional<std::string> {
    auto it = v.filters.find(name);
    if (it == v.filters.end() || it->second.find('*') != std::string::npos)
      return std::nullopt;
    return it->second;
  };
  auto found = [](result<std::optional<uint64_t>> id) {
    std::vector<uint64_t> ids;
    if (id && *id)
      ids.push_back(**id);
    return ids;
  };
  auto user = exact("username");
  auto domain = exact("domain");
  if (user && domain) {
    auto did = v.reader.unique_owner(index_domain, ascii_lower(*domain));
    if (!did || !*did)
      return std::vector<uint64_t>{};
    return found(v.reader.unique_owner(index_subscriber_user,
                                       web_login_key(**did, *user)));
  }
  for (const char* f : {"primary_number", "alias"}) {
    auto number = exact(f);
    if (!number)
      continue;
    auto nid = v.reader.unique_owner(index_number, *number);
    if (!nid || !*nid)
      return std::vector<uint64_t>{};
    auto doc = v.reader.load(kind_numbers, **nid);
    if (!doc || !*doc)
      return std::vector<uint64_t>{};
    return std::vector<uint64_t>{(**doc).value("subscriber_id", 0u)};
  }
  return std::nullopt;
}

} // namespace

rest::api_status remove_subscriber(write_ctx& c, uint64_t id, const json& doc) {
  auto did = doc.value("domain_id", 0u);
  c.txn.release_unique(index_subscriber_user,
                       web_login_key(did, doc.value("username", "")));
  if (doc.contains("webusername") && doc["webusername"].is_string())
    c.txn.release_unique(
        index_subscriber_web,
        web_login_key(did, doc["webusername"].get<std::string>()));
  release_numbers(c, doc);
  c.txn.remove_ref(kind_subscribers, "customer_id",
                   doc.value("customer_id", 0u), id);
  c.txn.remove_ref(kind_subscribers, "domain_id", did, id);
  c.txn.erase(kind_subscriber_prefs, id);
  c.txn.erase(kind_subscribers, id);
  return rest::api_ok();
}

resource_def subscribers_resource() {
  resource_def r;
  r.name = "subscribers";
  r.item = "subscriber";
  r.kind = std::string(kind_subscribers);
  r.description = "SIP subscribers with their numbers and credentials.";
  r.roles = {all_roles, admins_resellers, admins_resellers, admins_resellers,
             admins_resellers};
  r.fields = subscriber_fields();
  r.check = check_subscriber;
  r.patch_ops = {rest::patch_op::replace, rest::patch_op::copy,
                 rest::patch_op::add, rest::patch_op::remove,
                 rest::patch_op::test};
  r.list = {{"username", "domain", "status", "customer_id", "external_id"},
            {"username", "webusername", "domain", "customer_id", "reseller_id",
             "status", "external_id", "display_name", "is_pbx_pilot",
             "is_pbx_group", "pbx_extension", "primary_number", "alias"}};
  r.custom_filters["primary_number"] = [](const std::string& v, uint64_t,
                                          const json& doc) {
    return number_matches(doc.value("primary_number", json{}), v);
  };
  r.custom_filters["alias"] = [](const std::string& v, uint64_t,
                                 const json& doc) {
    for (const auto& n : doc.value("alias_numbers", json::array()))
      if (number_matches(n, v))
        return true;
    return false;
  };
  r.owner = [](uint64_t id, const json& doc) {
    auto o = owner_from_members(doc);
    o.subscriber_id = id;
    return o;
  };
  r.candidates = subscriber_candidates;
  r.links = [](uint64_t id, const json& doc) {
    return std::vector<rest::hal_link>{
        {"customers",
         rest::item_href("customers", doc.value("customer_id", 0))},
        {"domains", rest::item_href("domains", doc.value("domain_id", 0))},
        {"subscriberpreferences",
         rest::item_href("subscriberpreferences", id)}};
  };
  r.prepare = [](json input) -> rest::api_result<json> {
    if (input.contains("webpassword") && input["webpassword"].is_string()) {
      auto hash = auth::hash_password(input["webpassword"].get<std::string>());
      if (!hash)
        return storage_failure(hash.err());
      input["_webpassword"] = *hash;
    }
    input.erase("webpassword");
    return input;
  };
  r.write = write_subscriber;
  r.erase = [](write_ctx& c, uint64_t id, const json& old) {
    return remove_subscriber(c, id, old);
  };
  return r;
}

} // namespace sb::mgmt::api
