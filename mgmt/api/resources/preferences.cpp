// subscriberpreferences, domainpreferences, customerpreferences: one
// preference object per subscriber/domain/customer, typed by the catalogue
// (common/prefs), plus the `*preferencedefs` catalogues.
#include "common/prefs/preference_catalogue.hpp"
#include "mgmt/api/api_service.hpp"
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

namespace sb::mgmt::api {

namespace {

struct level_info {
  std::string name;   ///< e.g. "subscriberpreferences"
  std::string item;   ///< e.g. "subscriberpreference"
  std::string parent; ///< parent collection and kind, e.g. "subscribers"
  std::string_view prefs_kind;
  uint8_t level;
  auth::method_roles roles;
};

std::vector<rest::field_error> check_prefs(const json& body, uint8_t level) {
  std::vector<rest::field_error> errors;
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (rest::is_hal_member(it.key()))
      continue;
    const auto* def = prefs::find(it.key());
    if (!def)
      errors.push_back(
          field_problem(it.key(), it.value(), "Unknown preference"));
    else if ((def->levels & level) == 0)
      errors.push_back(field_problem(it.key(), it.value(),
                                     "Preference not allowed at this level"));
    else if (def->read_only)
      errors.push_back(
          field_problem(it.key(), it.value(), "Preference is read-only"));
    else if (it->is_null())
      continue;
    else if (auto e = prefs::check_value(*def, it.value()))
      errors.push_back(field_problem(it.key(), it.value(), *e));
  }
  return errors;
}

resource_def preferences_resource(const level_info& info) {
  resource_def r;
  r.name = info.name;
  r.item = info.item;
  r.kind = info.parent;
  r.description = "Preferences of one of the " + info.parent +
                  " (names and types: " + info.item + "defs).";
  r.roles = info.roles;
  r.unknown = rest::unknown_fields::ignore;
  r.patch_ops = {rest::patch_op::add,     rest::patch_op::remove,
                 rest::patch_op::replace, rest::patch_op::copy,
                 rest::patch_op::move,    rest::patch_op::test};
  r.list = {{}, {}};
  uint8_t level = info.level;
  r.check = [level](const json& body, write_mode) {
    return check_prefs(body, level);
  };
  if (info.parent == "subscribers")
    r.owner = [](uint64_t id, const json& doc) {
      auto o = owner_from_members(doc);
      o.subscriber_id = id;
      return o;
    };
  else if (info.parent == "customers")
    r.owner = [](uint64_t id, const json& doc) {
      auto o = owner_from_members(doc);
      o.customer_id = id;
      return o;
    };
  bool subscriber = info.parent == "subscribers";
  auto prefs_kind = info.prefs_kind;
  r.render = [prefs_kind, subscriber](const view_ctx& v, uint64_t id,
                                      const json& parent) {
    auto doc = v.reader.load(prefs_kind, id);
    json out = doc && *doc ? std::move(**doc) : json::object();
    // The lock level lives in the subscriber (it is coupled to status).
    if (subscriber && parent.value("lock", 0) != 0)
      out["lock"] = parent.value("lock", 0);
    return out;
  };
  auto parent_coll = info.parent;
  r.links = [parent_coll](uint64_t id, const json&) {
    return std::vector<rest::hal_link>{
        {parent_coll, rest::item_href(parent_coll, id)}};
  };
  r.write = [prefs_kind, subscriber, parent_kind = info.parent](
                write_ctx& c, std::optional<uint64_t> id, const json* old,
                const json& input) -> rest::api_result<uint64_t> {
    json doc = json::object();
    for (auto it = input.begin(); it != input.end(); ++it) {
      if (it->is_null() || (it->is_array() && it->empty()))
        continue; // unset
      doc[it.key()] = prefs::normalize_value(*prefs::find(it.key()), *it);
    }
    if (subscriber && old) {
      json sub = *old;
      // A locked subscriber keeps lock 4 (digest §1.3); unlock via status.
      sub["lock"] =
          sub.value("status", "") == "locked" ? 4 : doc.value("lock", 0);
      doc.erase("lock");
      stamp(sub, old, c.now_ms);
      c.txn.save(parent_kind, *id, sub);
    }
    if (doc.empty())
      c.txn.erase(prefs_kind, *id);
    else
      c.txn.save(prefs_kind, *id, doc);
    return *id;
  };
  return r;
}

const std::vector<level_info>& levels() {
  static const std::vector<level_info> all{
      {"subscriberpreferences", "subscriberpreference", "subscribers",
       kind_subscriber_prefs, prefs::level_subscriber,
       auth::method_roles{
           all_roles, {}, admins_resellers, admins_resellers, {}}},
      {"domainpreferences", "domainpreference", "domains", kind_domain_prefs,
       prefs::level_domain,
       auth::method_roles{
           admins_resellers, {}, admins_resellers, admins_resellers, {}}},
      {"customerpreferences", "customerpreference", "customers",
       kind_customer_prefs, prefs::level_customer,
       auth::method_roles{
           admins_resellers, {}, admins_resellers, admins_resellers, {}}},
  };
  return all;
}

} // namespace

resource_def subscriberpreferences_resource() {
  return preferences_resource(levels()[0]);
}
resource_def domainpreferences_resource() {
  return preferences_resource(levels()[1]);
}
resource_def customerpreferences_resource() {
  return preferences_resource(levels()[2]);
}

status add_preferencedefs_routes(http::router& router, api_service& api) {
  for (const auto& info : levels()) {
    auto path = "/api/" + info.item + "defs/";
    uint8_t level = info.level;
    auto roles = info.roles;
    auto st = router.add(
        "GET", path,
        [&api, level, roles](http::request rq, http::respond_fn respond) {
          auto who = api.authenticator().authenticate(rq);
          if (!who)
            return respond(error_response(who.err()));
          if (auth::decide(*who, auth::http_method::get, roles, std::nullopt) !=
              auth::decision::allow)
            return respond(error_response(rest::forbidden()));
          // Like the reference: one object keyed by preference name.
          json out = json::object();
          for (const auto& def : prefs::catalogue())
            if (def.levels & level)
              out[std::string(def.name)] = prefs::describe(def);
          respond(http::response::json(200, out));
        });
    if (!st)
      return st;
  }
  return {};
}

} // namespace sb::mgmt::api
