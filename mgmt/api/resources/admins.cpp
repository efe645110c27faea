// admins: API and panel logins. Superusers are the admin role, the others
// resellers scoped to their reseller_id; passwords are PBKDF2 hashes.
#include "mgmt/api/field_builders.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "mgmt/auth/password_hash.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

std::optional<std::string> check_login(const json& v) {
  const auto& s = v.get_ref<const std::string&>();
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) ||
               std::string_view{"-_.@+"}.find(ch) != std::string_view::npos;
      }))
    return "Must contain only letters, digits and -_.@+";
  return std::nullopt;
}

// Whether another active superuser than `except` exists.
rest::api_result<bool> other_superuser(write_ctx& c, uint64_t except) {
  // Admins are few; ids are never reused, so every one is at or below last.
  auto last = c.txn.last_id(kind_admins);
  if (!last)
    return storage_failure(last.err());
  for (uint64_t id = 1; id <= *last; ++id) {
    if (id == except)
      continue;
    auto doc = c.txn.load(kind_admins, id);
    if (!doc)
      return storage_failure(doc.err());
    if (*doc && (**doc).value("is_superuser", false) &&
        (**doc).value("is_active", true))
      return true;
  }
  return false;
}

rest::api_result<uint64_t> write_admin(write_ctx& c, std::optional<uint64_t> id,
                                       const json* old, const json& input) {
  if (c.who.role != auth::role::admin && input.value("is_superuser", false))
    return invalid_field("is_superuser", true,
                         "Only a superuser may grant superuser rights");
  // Without reseller_id, a new admin gets the caller's reseller and a
  // replaced one keeps its own (a PUT must not silently rescope a login).
  auto reseller = resolve_reseller(
      c, input, old ? id_member(*old, "reseller_id") : c.who.reseller_id);
  if (!reseller)
    return reseller.err();
  if (old && old->value("is_superuser", false) &&
      (!input.value("is_superuser", false) ||
       !input.value("is_active", true))) {
    auto others = other_superuser(c, *id);
    if (!others)
      return others.err();
    if (!*others)
      return rest::unprocessable(
          "The last active superuser cannot be demoted or deactivated.");
  }
  auto nid = item_id(c, kind_admins, id);
  if (!nid)
    return nid;
  json doc = input;
  doc["reseller_id"] = *reseller;
  keep_private(doc, old);
  auto st = reclaim(c, index_admin_login,
                    old ? ascii_lower(old->value("login", "")) : "",
                    ascii_lower(doc["login"].get<std::string>()), *nid, "login",
                    input, "Admin login");
  if (!st)
    return st.err();
  stamp(doc, old, c.now_ms);
  c.txn.save(kind_admins, *nid, doc);
  return *nid;
}

} // namespace

resource_def admins_resource() {
  resource_def r;
  r.name = "admins";
  r.item = "admin";
  r.kind = std::string(kind_admins);
  r.description = "Administrators and reseller logins of the API.";
  r.roles = {admins_resellers, admins_resellers, admins_resellers,
             admins_resellers, admins_resellers};
  auto login = fields::text("login", true, 31);
  login.check = check_login;
  auto password = fields::text("password", false, 40);
  password.check = [](const json& v) -> std::optional<std::string> {
    if (v.get_ref<const std::string&>().size() < 6)
      return "Must be at least 6 characters long";
    return std::nullopt;
  };
  r.fields = {std::move(login),
              std::move(password),
              fields::text("email"),
              fields::integer("reseller_id", false, 1),
              fields::boolean("is_superuser", false),
              fields::boolean("is_active", true),
              fields::boolean("read_only", false),
              fields::output("create_timestamp"),
              fields::output("modify_timestamp")};
  r.check = [](const json& body, write_mode mode) {
    std::vector<rest::field_error> errors;
    if (mode == write_mode::create &&
        (!body.contains("password") || body["password"].is_null()))
      errors.push_back(field_problem("password", json{}, "Required field"));
    return errors;
  };
  r.list = {{"login", "reseller_id"},
            {"login", "reseller_id", "is_superuser", "is_active"}};
  // Resellers manage their own logins, never a superuser's.
  r.visible = [](const view_ctx& v, uint64_t, const json& doc) {
    if (v.who.role == auth::role::admin)
      return true;
    return v.who.role == auth::role::reseller &&
           !doc.value("is_superuser", false) &&
           id_member(doc, "reseller_id") == v.who.reseller_id;
  };
  r.prepare = [](json input) -> rest::api_result<json> {
    if (input.contains("password") && input["password"].is_string()) {
      auto hash = auth::hash_password(input["password"].get<std::string>());
      if (!hash)
        return storage_failure(hash.err());
      input["_password"] = *hash;
    }
    input.erase("password");
    return input;
  };
  // `add` lets a client set the password, which an item never shows.
  r.patch_ops = {rest::patch_op::replace, rest::patch_op::copy,
                 rest::patch_op::add, rest::patch_op::remove,
                 rest::patch_op::test};
  r.write = write_admin;
  r.erase = [](write_ctx& c, uint64_t id, const json& old) -> rest::api_status {
    if (id == c.who.admin_id)
      return rest::forbidden("Cannot delete own user");
    if (old.value("is_superuser", false)) {
      auto others = other_superuser(c, id);
      if (!others)
        return others.err();
      if (!*others)
        return rest::unprocessable(
            "The last active superuser cannot be deleted.");
    }
    c.txn.release_unique(index_admin_login,
                         ascii_lower(old.value("login", "")));
    c.txn.erase(kind_admins, id);
    return rest::api_ok();
  };
  return r;
}

} // namespace sb::mgmt::api
