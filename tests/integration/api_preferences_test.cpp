// Contract tests of /api/subscriberpreferences, /api/domainpreferences,
// /api/customerpreferences and the /api/*preferencedefs catalogues: typed
// values, full replace with PUT, JSON Patch with add/remove/replace, levels,
// the lock level living in the subscriber, and role scoping.
#include "tests/integration/api_contract_helpers.hpp"

#include <set>

using Catch::Matchers::Contains;
using nlohmann::json;
using sb::test::admin_login;
using sb::test::api_fixture;
using sb::test::credentials;
using namespace sb::test::contract;

namespace {

/// The members of a preference item besides `id` and `_links`.
json prefs_of(const sb::test::api_reply& r) {
  REQUIRE(r.status == 200);
  json out = r.json;
  out.erase("id");
  out.erase("_links");
  return out;
}

json get_prefs(api_fixture& f, const std::string& path,
               const std::optional<credentials>& who = admin_login) {
  return prefs_of(f.call("GET", path, std::nullopt, who));
}

/// How a 422 echoes an input value.
std::string echoed(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

} // namespace

TEST_CASE("api subscriberpreferences: GET, PUT full replace and PATCH",
          "[api][preferences]") {
  api_fixture f;
  auto sub = f.subscriber(f.customer(), f.domain("voip.example"), "alice");
  auto path = item("subscriberpreferences", sub);

  auto empty = f.call("GET", path);
  REQUIRE(empty.status == 200);
  CHECK(empty.json["id"] == sub);
  CHECK(empty.json["_links"]["self"]["href"] == path);
  CHECK(empty.json["_links"]["ngcp:subscribers"]["href"] ==
        item("subscribers", sub));
  CHECK(prefs_of(empty) == json::object());

  // Accepted spellings are stored in their canonical type.
  REQUIRE(f.call("PUT", path,
                 json{{"concurrent_max", "7"},
                      {"clir", 1},
                      {"allowed_ips", "10.0.0.0/8"},
                      {"nat_sipping", "yes"},
                      {"block_in_list", json::array({"43*", "49*"})},
                      {"codecs_list", "PCMA,G722"}})
              .status == 204);
  CHECK(get_prefs(f, path) ==
        json{{"concurrent_max", 7},
             {"clir", true},
             {"allowed_ips", json::array({"10.0.0.0/8"})},
             {"nat_sipping", "yes"},
             {"block_in_list", json::array({"43*", "49*"})},
             {"codecs_list", "PCMA,G722"}});

  // PUT replaces everything.
  auto put = f.call("PUT", path, json{{"ringtimeout", 30}}, admin_login,
                    std::nullopt, prefer_representation());
  REQUIRE(put.status == 200);
  CHECK(put.header("Preference-Applied") == "return=representation");
  CHECK(put.json["id"] == sub);
  CHECK(prefs_of(put) == json{{"ringtimeout", 30}});
  CHECK(get_prefs(f, path) == json{{"ringtimeout", 30}});
  // What GET shows can be PUT back unchanged.
  auto shown = f.call("GET", path).json;
  REQUIRE(f.call("PUT", path, shown).status == 204);
  CHECK(f.call("GET", path).json == shown);

  // PATCH: add, append to a list, replace.
  REQUIRE(
      f.call(
           "PATCH", path,
           json::array(
               {{{"op", "add"}, {"path", "/clir"}, {"value", true}},
                {{"op", "add"},
                 {"path", "/allowed_ips"},
                 {"value", json::array({"1.2.3.4"})}},
                {{"op", "add"},
                 {"path", "/allowed_ips"},
                 {"value", "5.6.7.0/24"},
                 {"mode", "append"}},
                {{"op", "replace"}, {"path", "/ringtimeout"}, {"value", 60}}}))
          .status == 204);
  CHECK(get_prefs(f, path) ==
        json{{"clir", true},
             {"allowed_ips", json::array({"1.2.3.4", "5.6.7.0/24"})},
             {"ringtimeout", 60}});
  // remove: a member, or one value of a list.
  REQUIRE(f.call("PATCH", path,
                 json::array({{{"op", "remove"}, {"path", "/clir"}},
                              {{"op", "remove"},
                               {"path", "/allowed_ips"},
                               {"value", "1.2.3.4"}}}))
              .status == 204);
  CHECK(get_prefs(f, path) == json{{"allowed_ips", json::array({"5.6.7.0/24"})},
                                   {"ringtimeout", 60}});
  // Removing the last value, or setting null, unsets a preference.
  REQUIRE(f.call("PATCH", path,
                 json::array({{{"op", "remove"},
                               {"path", "/allowed_ips"},
                               {"value", "5.6.7.0/24"}},
                              {{"op", "replace"},
                               {"path", "/ringtimeout"},
                               {"value", nullptr}}}))
              .status == 204);
  CHECK(get_prefs(f, path) == json::object());
  CHECK_FALSE(stored(f, "subscriberprefs", sub).has_value());

  // Failed patches change nothing.
  REQUIRE(f.call("PUT", path, json{{"dnd", true}}).status == 204);
  auto missing = f.call("PATCH", path, patch_op("replace", "/clir", true));
  CHECK(missing.status == 422);
  CHECK_THAT(message(missing), Contains("The entity could not be processed:"));
  auto failed_test = f.call(
      "PATCH", path,
      json::array({{{"op", "add"}, {"path", "/clir"}, {"value", true}},
                   {{"op", "test"}, {"path", "/dnd"}, {"value", false}}}));
  CHECK(failed_test.status == 422);
  auto mistyped = f.call("PATCH", path, patch_op("add", "/clir", "sure"));
  CHECK(mistyped.status == 422);
  CHECK(message(mistyped) == "Validation failed. field='clir', input='sure', "
                             "errors='Not a valid boolean'");
  auto bad_op = f.call("PATCH", path,
                       json::array({{{"op", "explode"}, {"path", "/dnd"}}}));
  CHECK(bad_op.status == 400);
  CHECK(f.call("PATCH", path, patch_op("add", "/clir", true), admin_login,
               "application/json")
            .status == 415);
  CHECK(f.call_raw("PUT", path, R"({"clir":true})", "text/plain").status ==
        415);
  CHECK(get_prefs(f, path) == json{{"dnd", true}});

  // One item per subscriber, never created or deleted on its own.
  CHECK(f.call("POST", "/api/subscriberpreferences/", json{{"dnd", true}})
            .status == 405);
  CHECK(f.call("DELETE", path).status == 405);
  auto none = f.call("GET", "/api/subscriberpreferences/999");
  CHECK(none.status == 404);
  CHECK(message(none) == "Entity 'subscriberpreference' not found.");
  CHECK(f.call("PUT", "/api/subscriberpreferences/999", json{{"dnd", true}})
            .status == 404);
  auto all = list(f, "subscriberpreferences");
  CHECK(all.json["total_count"] == 1);
  CHECK(embedded(all, "subscriberpreferences")[0]["dnd"] == true);
  // They go with their subscriber.
  REQUIRE(f.call("DELETE", item("subscribers", sub)).status == 204);
  CHECK(f.call("GET", path).status == 404);
  CHECK_FALSE(stored(f, "subscriberprefs", sub).has_value());
}

TEST_CASE("api preferences reject unknown, mistyped and misplaced values",
          "[api][preferences]") {
  api_fixture f;
  auto dom = f.domain("voip.example");
  auto cust = f.customer();
  auto sub = f.subscriber(cust, dom, "alice");
  auto sp = item("subscriberpreferences", sub);
  auto dp = item("domainpreferences", dom);
  auto cp = item("customerpreferences", cust);
  REQUIRE(f.call("PUT", sp, json{{"concurrent_max", 3}}).status == 204);

  struct bad_value {
    std::string path;
    std::string name;
    json value;
    std::string error;
  };
  const std::string level = "Preference not allowed at this level";
  const std::vector<bad_value> cases{
      {sp, "nosuchpref", 1, "Unknown preference"},
      {sp, "Concurrent_Max", 1, "Unknown preference"},
      {sp, "concurrent_max", "lots", "Not a valid integer"},
      {sp, "concurrent_max", 1.5, "Not a valid integer"},
      {sp, "concurrent_max", -1, "Value must be between 0 and 2147483647"},
      {sp, "concurrent_max", json::array({1, 2}),
       "Preference takes a single value, not a list"},
      {sp, "clir", "yes", "Not a valid boolean"},
      {sp, "clir", 2, "Not a valid boolean"},
      {sp, "nat_sipping", "maybe", "Not a valid choice"},
      {sp, "sst_refresh_method", "update", "Not a valid choice"},
      {sp, "ringtimeout", 0, "Value must be between 1 and 3600"},
      {sp, "lock", 6, "Value must be between 0 and 5"},
      {sp, "cli", "+4311", "Must be digits only (E.164 without '+')"},
      {sp, "allowed_ips", json::array({"10.0.0.0/33"}),
       "Not a valid IP address or network"},
      {sp, "allowed_ips", "example.com", "Not a valid IP address or network"},
      {sp, "codecs_list", "PCMA,,G722", "Not a valid codec list"},
      {sp, "display_name", 5, "Not a valid string"},
      {sp, "block_in_list", json::array({"43*", 7}), "Not a valid string"},
      {sp, "unauth_inbound_calls", true, level},
      {dp, "lock", 1, level},
      {dp, "cli", "4311", level},
      {dp, "dnd", true, level},
      {dp, "concurrent_max_per_account", 1, level},
      {dp, "nosuchpref", 1, "Unknown preference"},
      {dp, "ringtimeout", 4000, "Value must be between 1 and 3600"},
      {cp, "allowed_ips", json::array({"1.2.3.4"}), level},
      {cp, "clir", true, level},
      {cp, "lock", 1, level},
      {cp, "unauth_inbound_calls", false, level},
      {cp, "concurrent_max_per_account", "x", "Not a valid integer"},
  };
  for (const auto& c : cases) {
    INFO(c.path << " " << c.name << "=" << c.value.dump());
    auto expected = "Validation failed. field='" + c.name + "', input='" +
                    echoed(c.value) + "', errors='" + c.error + "'";
    auto put = f.call("PUT", c.path, json{{c.name, c.value}});
    CHECK(put.status == 422);
    CHECK(message(put) == expected);
    auto patch =
        f.call("PATCH", c.path, patch_op("add", "/" + c.name, c.value));
    CHECK(patch.status == 422);
    CHECK(message(patch) == expected);
  }
  // Every problem of a body is reported at once.
  auto several = f.call(
      "PUT", sp,
      json{
          {"nosuchpref", 1}, {"clir", "x"}, {"ringtimeout", 0}, {"dnd", true}});
  CHECK(several.status == 422);
  CHECK_THAT(message(several), names_field("nosuchpref") &&
                                   names_field("clir") &&
                                   names_field("ringtimeout"));
  CHECK_THAT(message(several), !names_field("dnd"));

  // Nothing was written anywhere.
  CHECK(get_prefs(f, sp) == json{{"concurrent_max", 3}});
  CHECK(get_prefs(f, dp) == json::object());
  CHECK(get_prefs(f, cp) == json::object());
  CHECK(f.call("GET", item("subscribers", sub)).json["lock"] == 0);
}

TEST_CASE("api subscriberpreferences: lock mirrors the subscriber's lock",
          "[api][preferences]") {
  api_fixture f;
  auto sub = f.subscriber(f.customer(), f.domain("voip.example"), "alice");
  auto sp = item("subscriberpreferences", sub);
  auto sp_lock = [&] { return f.call("GET", sp).json.value("lock", 0); };
  auto sub_lock = [&] {
    return f.call("GET", item("subscribers", sub)).json["lock"].get<int>();
  };

  REQUIRE(f.call("PUT", sp, json{{"lock", 2}, {"dnd", true}}).status == 204);
  CHECK(sub_lock() == 2);
  CHECK(get_prefs(f, sp) == json{{"lock", 2}, {"dnd", true}});
  // The level lives in the subscriber only.
  auto doc = stored(f, "subscriberprefs", sub);
  REQUIRE(doc.has_value());
  CHECK(*doc == json{{"dnd", true}});
  CHECK(f.call("GET", item("subscribers", sub)).json["status"] == "active");

  // Subscriber changes show in the preference...
  REQUIRE(f.call("PATCH", item("subscribers", sub),
                 patch_op("replace", "/status", "locked"))
              .status == 204);
  CHECK(sp_lock() == 4);
  REQUIRE(f.call("PATCH", item("subscribers", sub),
                 patch_op("replace", "/status", "active"))
              .status == 204);
  CHECK(sp_lock() == 0);
  CHECK_FALSE(f.call("GET", sp).json.contains("lock"));
  REQUIRE(
      f.call("PATCH", item("subscribers", sub), patch_op("replace", "/lock", 3))
          .status == 204);
  CHECK(sp_lock() == 3);

  // ...and preference changes in the subscriber.
  REQUIRE(f.call("PATCH", sp, patch_op("replace", "/lock", 1)).status == 204);
  CHECK(sub_lock() == 1);
  REQUIRE(f.call("PATCH", sp, remove_op("/lock")).status == 204);
  CHECK(sub_lock() == 0);
  CHECK(get_prefs(f, sp) == json{{"dnd", true}});
  REQUIRE(f.call("PATCH", sp, patch_op("add", "/lock", "5")).status == 204);
  CHECK(sub_lock() == 5);
  CHECK(sp_lock() == 5);
  CHECK(f.call("PUT", sp, json{{"lock", 6}}).status == 422);
  CHECK(sub_lock() == 5);
  // A full replace without it unlocks.
  REQUIRE(f.call("PUT", sp, json::object()).status == 204);
  CHECK(sub_lock() == 0);
  CHECK(get_prefs(f, sp) == json::object());
}

TEST_CASE("api domainpreferences and customerpreferences",
          "[api][preferences]") {
  api_fixture f;
  auto dom = f.domain("voip.example");
  auto other = f.domain("other.example");
  auto cust = f.customer();
  auto dp = item("domainpreferences", dom);
  auto cp = item("customerpreferences", cust);

  auto empty = f.call("GET", dp);
  REQUIRE(empty.status == 200);
  CHECK(empty.json["_links"]["ngcp:domains"]["href"] == item("domains", dom));
  CHECK(prefs_of(empty) == json::object());
  REQUIRE(f.call("PUT", dp,
                 json{{"unauth_inbound_calls", true},
                      {"concurrent_max", 10},
                      {"codecs_list", "PCMA,G722"}})
              .status == 204);
  REQUIRE(f.call("PATCH", dp,
                 json::array({{{"op", "add"},
                               {"path", "/ua_filter_list"},
                               {"value", json::array({"Bad*"})}},
                              {{"op", "remove"}, {"path", "/concurrent_max"}},
                              {{"op", "replace"},
                               {"path", "/codecs_list"},
                               {"value", "PCMU"}}}))
              .status == 204);
  CHECK(get_prefs(f, dp) == json{{"unauth_inbound_calls", true},
                                 {"ua_filter_list", json::array({"Bad*"})},
                                 {"codecs_list", "PCMU"}});
  auto put = f.call("PUT", dp, json{{"sst_enable", "no"}}, admin_login,
                    std::nullopt, prefer_representation());
  REQUIRE(put.status == 200);
  CHECK(prefs_of(put) == json{{"sst_enable", "no"}});
  // One item per domain; the other domain's are its own.
  CHECK(ids(f, "domainpreferences") == std::vector<uint64_t>{dom, other});
  CHECK(get_prefs(f, item("domainpreferences", other)) == json::object());

  auto cust_empty = f.call("GET", cp);
  REQUIRE(cust_empty.status == 200);
  CHECK(cust_empty.json["_links"]["ngcp:customers"]["href"] ==
        item("customers", cust));
  REQUIRE(f.call("PUT", cp,
                 json{{"concurrent_max_per_account", 3},
                      {"adm_block_in_list", "43*"},
                      {"max_call_duration", "3600"}})
              .status == 204);
  CHECK(get_prefs(f, cp) == json{{"concurrent_max_per_account", 3},
                                 {"adm_block_in_list", json::array({"43*"})},
                                 {"max_call_duration", 3600}});
  REQUIRE(f.call("PATCH", cp,
                 json::array({{{"op", "add"},
                               {"path", "/adm_block_in_list"},
                               {"value", json::array({"49*", "1*"})},
                               {"mode", "append"}}}))
              .status == 204);
  REQUIRE(f.call("PATCH", cp,
                 json::array({{{"op", "remove"},
                               {"path", "/adm_block_in_list"},
                               {"value", "49*"}},
                              {{"op", "copy"},
                               {"from", "/concurrent_max_per_account"},
                               {"path", "/concurrent_max_in_per_account"}}}))
              .status == 204);
  CHECK(get_prefs(f, cp) ==
        json{{"concurrent_max_per_account", 3},
             {"concurrent_max_in_per_account", 3},
             {"adm_block_in_list", json::array({"43*", "1*"})},
             {"max_call_duration", 3600}});

  // Levels are independent: the subscriber and domain see none of it.
  auto sub = f.subscriber(cust, dom, "alice");
  CHECK(get_prefs(f, item("subscriberpreferences", sub)) == json::object());
  CHECK(get_prefs(f, dp) == json{{"sst_enable", "no"}});

  for (const std::string coll : {"domainpreferences", "customerpreferences"}) {
    INFO(coll);
    CHECK(f.call("GET", "/api/" + coll + "/999").status == 404);
    CHECK(f.call("PUT", "/api/" + coll + "/999", json::object()).status == 404);
    CHECK(f.call("POST", "/api/" + coll + "/", json::object()).status == 405);
    CHECK(f.call("DELETE", "/api/" + coll + "/1").status == 405);
    CHECK(f.call("GET", "/api/" + coll + "/1", std::nullopt, std::nullopt)
              .status == 401);
  }
}

TEST_CASE("api preferences are scoped by role", "[api][preferences][roles]") {
  api_fixture f;
  auto cust = f.customer();
  auto dom = f.domain("voip.example");
  auto alice =
      f.subscriber(cust, dom, "alice",
                   {{"webusername", "alice"}, {"webpassword", "alicepw1"}});
  auto bob = f.subscriber(cust, dom, "bob");
  auto sp = item("subscriberpreferences", alice);
  REQUIRE(f.call("PUT", sp, json{{"dnd", true}}).status == 204);
  REQUIRE(
      f.call("PUT", item("domainpreferences", dom), json{{"concurrent_max", 9}})
          .status == 204);

  // A subscriber reads its own preferences and nothing else.
  credentials me{"alice@voip.example", "alicepw1"};
  CHECK(get_prefs(f, sp, me) == json{{"dnd", true}});
  CHECK(ids(f, "subscriberpreferences", "", me) ==
        std::vector<uint64_t>{alice});
  CHECK(f.call("GET", item("subscriberpreferences", bob), std::nullopt, me)
            .status == 404);
  CHECK(f.call("PUT", sp, json{{"dnd", false}}, me).status == 403);
  CHECK(f.call("PATCH", sp, patch_op("replace", "/dnd", false), me).status ==
        403);
  CHECK(
      f.call("GET", item("domainpreferences", dom), std::nullopt, me).status ==
      403);
  CHECK(f.call("GET", item("customerpreferences", cust), std::nullopt, me)
            .status == 403);
  CHECK(f.call("GET", "/api/customerpreferences/", std::nullopt, me).status ==
        403);
  CHECK(f.call("GET", "/api/subscriberpreferencedefs/", std::nullopt, me)
            .status == 200);
  CHECK(f.call("GET", "/api/domainpreferencedefs/", std::nullopt, me).status ==
        403);
  CHECK(
      f.call("GET", "/api/customerpreferencedefs/", std::nullopt, me).status ==
      403);

  // Another reseller sees none of reseller 1's.
  auto r2 = f.reseller("r2", "r2admin", "r2secret");
  credentials who{"r2admin", "r2secret"};
  for (const auto& path : {sp, item("domainpreferences", dom),
                           item("customerpreferences", cust)}) {
    INFO(path);
    CHECK(f.call("GET", path, std::nullopt, who).status == 404);
    CHECK(f.call("PUT", path, json::object(), who).status == 404);
    CHECK(f.call("PATCH", path, patch_op("add", "/concurrent_max", 1), who)
              .status == 404);
  }
  for (const std::string coll :
       {"subscriberpreferences", "domainpreferences", "customerpreferences"})
    CHECK(total(f, coll, "", who) == 0);
  CHECK(get_prefs(f, sp) == json{{"dnd", true}});
  CHECK(get_prefs(f, item("domainpreferences", dom)) ==
        json{{"concurrent_max", 9}});
  // Its own work.
  auto own = f.create("domains", {{"domain", "r2.example"}}, who);
  auto own_path = item("domainpreferences", own);
  CHECK(f.call("PUT", own_path, json{{"concurrent_max", 1}}, who).status ==
        204);
  CHECK(get_prefs(f, own_path, who) == json{{"concurrent_max", 1}});
  CHECK(f.call("GET", item("domains", own)).json["reseller_id"] == r2);
  CHECK(f.call("GET", "/api/domainpreferencedefs/", std::nullopt, who).status ==
        200);
}

TEST_CASE("api preferencedefs describe the catalogue of each level",
          "[api][preferences]") {
  api_fixture f;
  auto get = [&](const std::string& level) {
    auto r = f.call("GET", "/api/" + level + "preferencedefs/");
    REQUIRE(r.status == 200);
    REQUIRE(r.json.is_object());
    return r.json;
  };
  auto usr = get("subscriber");
  auto dom = get("domain");
  auto cust = get("customer");

  auto lock = usr["lock"];
  CHECK(lock["attribute"] == "lock");
  CHECK(lock["data_type"] == "int");
  CHECK(lock["min"] == 0);
  CHECK(lock["max"] == 5);
  CHECK(lock["max_occur"] == 1);
  CHECK(lock["usr_pref"] == true);
  CHECK(lock["dom_pref"] == false);
  CHECK(lock["contract_pref"] == false);
  CHECK_FALSE(lock["label"].get<std::string>().empty());
  CHECK(usr["allowed_ips"]["data_type"] == "string");
  CHECK(usr["allowed_ips"]["max_occur"] == 0);
  CHECK(usr["clir"]["data_type"] == "boolean");
  CHECK(usr["nat_sipping"]["data_type"] == "enum");
  CHECK(usr["nat_sipping"]["enum_values"] ==
        json::array({{{"label", "yes"}, {"value", "yes"}},
                     {{"label", "no"}, {"value", "no"}}}));
  CHECK_FALSE(usr.contains("unauth_inbound_calls"));
  CHECK(dom.contains("unauth_inbound_calls"));
  CHECK_FALSE(dom.contains("lock"));
  CHECK_FALSE(dom.contains("cli"));
  CHECK(cust.contains("concurrent_max_per_account"));
  CHECK_FALSE(cust.contains("allowed_ips"));
  CHECK_FALSE(cust.contains("clir"));

  const std::vector<std::pair<json*, const char*>> levels{
      {&usr, "usr_pref"}, {&dom, "dom_pref"}, {&cust, "contract_pref"}};
  for (const auto& [defs, flag] : levels)
    for (const auto& [name, def] : defs->items()) {
      INFO(flag << " " << name);
      CHECK(def["attribute"] == name);
      CHECK(def[flag] == true);
    }

  // The catalogues agree with what the items accept: every listed name may
  // be unset (null) at its level...
  json all_null = json::object();
  for (const auto& [name, def] : dom.items())
    all_null[name] = nullptr;
  auto d = f.domain("voip.example");
  CHECK(f.call("PUT", item("domainpreferences", d), all_null).status == 204);
  // ...and every subscriber preference missing from the domain catalogue is
  // refused there.
  json misplaced = json::object();
  for (const auto& [name, def] : usr.items())
    if (!dom.contains(name))
      misplaced[name] = nullptr;
  REQUIRE_FALSE(misplaced.empty());
  auto refused = f.call("PUT", item("domainpreferences", d), misplaced);
  CHECK(refused.status == 422);
  for (const auto& [name, def] : misplaced.items())
    CHECK_THAT(message(refused),
               Contains("field='" + name +
                        "', input='', errors='Preference not allowed at this "
                        "level'"));

  CHECK(f.call("GET", "/api/subscriberpreferencedefs/", std::nullopt,
               std::nullopt)
            .status == 401);
  CHECK(
      f.call("POST", "/api/subscriberpreferencedefs/", json::object()).status ==
      405);
}
