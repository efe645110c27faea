// Contract tests of /api/subscribers and /api/customers: numbers, unique
// names, status and lock coupling, termination cascades, role scoping.
#include "tests/support/api_fixture.hpp"

#include <catch2/catch.hpp>

using nlohmann::json;
using sb::test::api_fixture;
using sb::test::credentials;

namespace {

json patch_op(const std::string& op, const std::string& path, json value) {
  return json::array({{{"op", op}, {"path", path}, {"value", value}}});
}

std::string sub_path(uint64_t id) {
  return "/api/subscribers/" + std::to_string(id);
}

uint64_t count(api_fixture& f, const std::string& coll,
               const std::string& query = "") {
  auto r = f.call("GET", "/api/" + coll + "/?rows=1000" + query);
  REQUIRE(r.status == 200);
  return r.json["total_count"].get<uint64_t>();
}

} // namespace

TEST_CASE("api subscribers are created with numbers and read back",
          "[api][subscribers]") {
  api_fixture f;
  auto cust = f.customer();
  auto dom = f.domain("voip.example");
  auto id = f.subscriber(
      cust, dom, "alice",
      {{"webusername", "alice"},
       {"webpassword", "webpass1"},
       {"display_name", "Alice"},
       {"primary_number", {{"cc", "43"}, {"ac", "1"}, {"sn", "5550001"}}},
       {"alias_numbers",
        json::array({{{"cc", "43"}, {"ac", "1"}, {"sn", "5550002"}}})}});
  auto r = f.call("GET", sub_path(id));
  REQUIRE(r.status == 200);
  CHECK(r.json["username"] == "alice");
  CHECK(r.json["domain"] == "voip.example");
  CHECK(r.json["domain_id"] == dom);
  CHECK(r.json["customer_id"] == cust);
  CHECK(r.json["status"] == "active");
  CHECK(r.json["lock"] == 0);
  CHECK(r.json["uuid"].get<std::string>().size() == 36);
  CHECK(r.json["primary_number"]["sn"] == "5550001");
  CHECK(r.json["primary_number"]["number_id"].get<uint64_t>() > 0);
  CHECK(r.json["alias_numbers"][0]["sn"] == "5550002");
  // Secrets never come back.
  CHECK_FALSE(r.json.contains("password"));
  CHECK_FALSE(r.json.contains("webpassword"));
  CHECK_FALSE(r.json.contains("_ha1"));
  CHECK(r.json["_links"]["ngcp:customers"]["href"] ==
        "/api/customers/" + std::to_string(cust));

  CHECK(count(f, "numbers", "&subscriber_id=" + std::to_string(id)) == 2);
  CHECK(count(f, "subscribers", "&primary_number=4315550001") == 1);
  CHECK(count(f, "subscribers", "&alias=43155500*") == 1);
  CHECK(count(f, "subscribers", "&username=ali*") == 1);
  CHECK(count(f, "subscribers", "&domain=other.example") == 0);

  // The domain can be given by name.
  auto r2 = f.call("POST", "/api/subscribers/",
                   json{{"customer_id", cust},
                        {"domain", "voip.example"},
                        {"username", "bob"},
                        {"password", "bobsecret"}});
  CHECK(r2.status == 201);
}

TEST_CASE("api subscribers validate every field and change nothing on error",
          "[api][subscribers]") {
  api_fixture f;
  auto cust = f.customer();
  auto dom = f.domain("voip.example");
  auto missing = f.call("POST", "/api/subscribers/",
                        json{{"customer_id", cust}, {"status", "bogus"}});
  REQUIRE(missing.status == 422);
  auto msg = missing.json["message"].get<std::string>();
  CHECK(msg.find("field='username'") != std::string::npos);
  CHECK(msg.find("field='status'") != std::string::npos);
  CHECK(msg.find("field='password'") != std::string::npos);
  CHECK(msg.find("field='domain'") != std::string::npos);

  auto bad_number =
      f.call("POST", "/api/subscribers/",
             json{{"customer_id", cust},
                  {"domain_id", dom},
                  {"username", "x"},
                  {"password", "secret"},
                  {"primary_number", {{"cc", "0"}, {"sn", "12a"}}}});
  CHECK(bad_number.status == 422);
  CHECK(bad_number.json["message"].get<std::string>().find(
            "field='primary_number'") != std::string::npos);

  auto bad_user = f.call("POST", "/api/subscribers/",
                         json{{"customer_id", cust},
                              {"domain_id", dom},
                              {"username", "a b@c"},
                              {"password", "secret"}});
  CHECK(bad_user.status == 422);

  auto no_customer = f.call("POST", "/api/subscribers/",
                            json{{"customer_id", 999},
                                 {"domain_id", dom},
                                 {"username", "x"},
                                 {"password", "secret"}});
  CHECK(no_customer.status == 422);
  CHECK(no_customer.json["message"].get<std::string>().find(
            "Invalid 'customer_id'") != std::string::npos);
  auto no_domain = f.call("POST", "/api/subscribers/",
                          json{{"customer_id", cust},
                               {"domain", "nowhere.example"},
                               {"username", "x"},
                               {"password", "secret"}});
  CHECK(no_domain.status == 422);
  CHECK(count(f, "subscribers") == 0);
  CHECK(count(f, "numbers") == 0);
}

TEST_CASE("api subscriber usernames are unique per domain and numbers per "
          "platform",
          "[api][subscribers]") {
  api_fixture f;
  auto cust = f.customer();
  auto d1 = f.domain("one.example");
  auto d2 = f.domain("two.example");
  f.subscriber(cust, d1, "alice",
               {{"primary_number", {{"cc", "49"}, {"ac", "30"}, {"sn", "1"}}}});
  auto dup = f.call("POST", "/api/subscribers/",
                    json{{"customer_id", cust},
                         {"domain_id", d1},
                         {"username", "ALICE"},
                         {"password", "secret"}});
  CHECK(dup.status == 422);
  CHECK(dup.json["message"].get<std::string>().find("field='username'") !=
        std::string::npos);
  // Same username in another domain is another subscriber.
  f.subscriber(cust, d2, "alice");
  // A number belongs to one subscriber only; the failed create leaves the
  // username free.
  auto taken =
      f.call("POST", "/api/subscribers/",
             json{{"customer_id", cust},
                  {"domain_id", d2},
                  {"username", "carol"},
                  {"password", "secret"},
                  {"alias_numbers",
                   json::array({{{"cc", "49"}, {"ac", "30"}, {"sn", "1"}}})}});
  CHECK(taken.status == 422);
  CHECK(taken.json["message"].get<std::string>().find("49301 already exists") !=
        std::string::npos);
  f.subscriber(cust, d2, "carol");
  CHECK(count(f, "numbers") == 1);
  // Lookups through the indexes agree with the scan.
  CHECK(count(f, "subscribers", "&username=alice") == 2);
  CHECK(count(f, "subscribers", "&username=Alice&domain=two.example") == 1);
  CHECK(count(f, "subscribers", "&username=alice&domain=three.example") == 0);
  CHECK(count(f, "subscribers",
              "&username=alice&domain=two.example&status=locked") == 0);
  CHECK(count(f, "subscribers", "&alias=49301") == 0);
  CHECK(count(f, "subscribers", "&primary_number=49301") == 1);
  CHECK(count(f, "subscribers", "&primary_number=49302") == 0);
}

TEST_CASE("api subscriber status and lock are coupled", "[api][subscribers]") {
  api_fixture f;
  auto id = f.subscriber(f.customer(), f.domain("voip.example"), "alice");
  REQUIRE(
      f.call("PATCH", sub_path(id), patch_op("replace", "/status", "locked"))
          .status == 204);
  auto locked = f.call("GET", sub_path(id));
  CHECK(locked.json["status"] == "locked");
  CHECK(locked.json["lock"] == 4);
  REQUIRE(
      f.call("PATCH", sub_path(id), patch_op("replace", "/status", "active"))
          .status == 204);
  CHECK(f.call("GET", sub_path(id)).json["lock"] == 0);
  // An explicit lock level on an active subscriber is kept.
  auto put = f.call("PATCH", sub_path(id), patch_op("replace", "/lock", 2),
                    sb::test::admin_login, std::nullopt,
                    {{"Prefer", "return=representation"}});
  CHECK(put.status == 200);
  CHECK(put.json["lock"] == 2);
  CHECK(f.call("PATCH", sub_path(id), patch_op("replace", "/lock", 9)).status ==
        422);
  // The lock level shows as the `lock` preference.
  CHECK(f.call("GET", "/api/subscriberpreferences/" + std::to_string(id))
            .json["lock"] == 2);
}

TEST_CASE("api subscriber PUT replaces and keeps credentials",
          "[api][subscribers]") {
  api_fixture f;
  auto cust = f.customer();
  auto dom = f.domain("voip.example");
  auto id = f.subscriber(cust, dom, "alice");
  auto doc = f.call("GET", sub_path(id)).json;
  doc["display_name"] = "Alice A.";
  doc["primary_number"] = {{"cc", "43"}, {"ac", "1"}, {"sn", "777"}};
  REQUIRE(f.call("PUT", sub_path(id), doc).status == 204);
  auto after = f.call("GET", sub_path(id)).json;
  CHECK(after["display_name"] == "Alice A.");
  CHECK(after["uuid"] == doc["uuid"]);
  CHECK(after["primary_number"]["sn"] == "777");
  // A new username needs the password again (its digest HA1 changes).
  doc["username"] = "alice2";
  auto renamed = f.call("PUT", sub_path(id), doc);
  CHECK(renamed.status == 422);
  CHECK(renamed.json["message"].get<std::string>().find("field='password'") !=
        std::string::npos);
  doc["password"] = "newsecret";
  CHECK(f.call("PUT", sub_path(id), doc).status == 204);
  // The domain is the digest realm: it cannot change.
  auto other = f.domain("other.example");
  doc["domain_id"] = other;
  doc.erase("domain");
  CHECK(f.call("PUT", sub_path(id), doc).status == 422);
}

TEST_CASE("api terminating or deleting a subscriber frees its names",
          "[api][subscribers]") {
  api_fixture f;
  auto cust = f.customer();
  auto dom = f.domain("voip.example");
  json number{{"cc", "43"}, {"ac", "1"}, {"sn", "42"}};
  auto a = f.subscriber(cust, dom, "alice", {{"primary_number", number}});
  REQUIRE(
      f.call("PATCH", sub_path(a), patch_op("replace", "/status", "terminated"))
          .status == 204);
  CHECK(f.call("GET", sub_path(a)).status == 404);
  CHECK(count(f, "numbers") == 0);
  auto b = f.subscriber(cust, dom, "alice", {{"primary_number", number}});
  CHECK(f.call("DELETE", sub_path(b)).status == 204);
  CHECK(f.call("GET", sub_path(b)).status == 404);
  CHECK(f.call("DELETE", sub_path(b)).status == 404);
  f.subscriber(cust, dom, "alice", {{"primary_number", number}});
}

TEST_CASE("api customers: limits, frozen when terminated, cascade",
          "[api][customers]") {
  api_fixture f;
  auto dom = f.domain("voip.example");
  auto cust = f.customer(1, {{"max_subscribers", 1}, {"external_id", "ext-1"}});
  auto c = f.call("GET", "/api/customers/" + std::to_string(cust));
  REQUIRE(c.status == 200);
  CHECK(c.json["reseller_id"] == 1);
  CHECK(c.json["status"] == "active");
  CHECK(c.json["activate_timestamp"].is_string());
  CHECK(count(f, "customers", "&external_id=ext-1") == 1);
  CHECK(count(f, "customers", "&not_status=active") == 0);

  f.subscriber(cust, dom, "one");
  auto full = f.call("POST", "/api/subscribers/",
                     json{{"customer_id", cust},
                          {"domain_id", dom},
                          {"username", "two"},
                          {"password", "secret"}});
  CHECK(full.status == 422);

  auto path = "/api/customers/" + std::to_string(cust);
  CHECK(
      f.call("PATCH", path, patch_op("replace", "/type", "nonsense")).status ==
      422);
  REQUIRE(f.call("PATCH", path, patch_op("replace", "/status", "terminated"))
              .status == 204);
  CHECK(count(f, "subscribers") == 0);
  auto frozen = f.call("PATCH", path, patch_op("replace", "/status", "active"));
  CHECK(frozen.status == 422);
  CHECK(frozen.json["message"] ==
        "The entity could not be processed: Customer is already terminated "
        "and cannot be changed.");
  CHECK(f.call("GET", path).json["terminate_timestamp"].is_string());
  // No subscriber can join a terminated customer.
  CHECK(f.call("POST", "/api/subscribers/",
               json{{"customer_id", cust},
                    {"domain_id", dom},
                    {"username", "late"},
                    {"password", "secret"}})
            .status == 422);
}

TEST_CASE("api roles: resellers see their own, subscribers themselves",
          "[api][roles]") {
  api_fixture f;
  auto cust = f.customer();
  auto dom = f.domain("voip.example");
  auto alice =
      f.subscriber(cust, dom, "alice",
                   {{"webusername", "alice"}, {"webpassword", "alicepw1"}});
  auto bob = f.subscriber(cust, dom, "bob");

  auto r2 = f.reseller("r2", "r2admin", "r2secret");
  credentials reseller{"r2admin", "r2secret"};
  CHECK(f.call("GET", sub_path(alice), std::nullopt, reseller).status == 404);
  auto list = f.call("GET", "/api/subscribers/", std::nullopt, reseller);
  CHECK(list.json["total_count"] == 0);
  CHECK(f.call("DELETE", sub_path(alice), std::nullopt, reseller).status ==
        404);
  // Its own objects work; another reseller's customer is invalid.
  auto own_cust = f.customer(r2);
  auto own_dom = f.create("domains", {{"domain", "r2.example"}}, reseller);
  CHECK(f.call("POST", "/api/subscribers/",
               json{{"customer_id", own_cust},
                    {"domain_id", own_dom},
                    {"username", "zed"},
                    {"password", "secret"}},
               reseller)
            .status == 201);
  auto foreign = f.call("POST", "/api/subscribers/",
                        json{{"customer_id", cust},
                             {"domain_id", own_dom},
                             {"username", "zed2"},
                             {"password", "secret"}},
                        reseller);
  CHECK(foreign.status == 422);
  CHECK(f.call("GET", "/api/resellers/", std::nullopt, reseller).status == 403);

  credentials sub{"alice@voip.example", "alicepw1"};
  auto self = f.call("GET", sub_path(alice), std::nullopt, sub);
  CHECK(self.status == 200);
  CHECK(f.call("GET", sub_path(bob), std::nullopt, sub).status == 404);
  CHECK(f.call("GET", "/api/subscribers/", std::nullopt, sub)
            .json["total_count"] == 1);
  CHECK(f.call("PATCH", sub_path(alice),
               patch_op("replace", "/display_name", "x"), sub)
            .status == 403);
  CHECK(f.call("GET", "/api/customers/", std::nullopt, sub).status == 403);
  CHECK(f.call("GET", sub_path(alice), std::nullopt,
               credentials{"alice@voip.example", "wrong"})
            .status == 401);
  // A locked subscriber cannot log in to self-care.
  REQUIRE(
      f.call("PATCH", sub_path(alice), patch_op("replace", "/status", "locked"))
          .status == 204);
  CHECK(f.call("GET", sub_path(alice), std::nullopt, sub).status == 401);
}

TEST_CASE("api logins and billing handles are unique regardless of case",
          "[api][admins]") {
  api_fixture f;
  auto dup = f.call("POST", "/api/admins/",
                    json{{"login", "Administrator"}, {"password", "secret1"}});
  CHECK(dup.status == 422);
  CHECK(f.call("GET", "/api/domains/", std::nullopt,
               credentials{"ADMINISTRATOR", "administrator"})
            .status == 200);
  auto handle = f.call(
      "POST", "/api/billingprofiles/",
      json{{"reseller_id", 1}, {"handle", "DEFAULT"}, {"name", "Other"}});
  CHECK(handle.status == 422);
}

TEST_CASE("api a locked subscriber keeps lock 4 through preference writes",
          "[api][subscribers]") {
  api_fixture f;
  auto id = f.subscriber(f.customer(), f.domain("voip.example"), "alice");
  REQUIRE(
      f.call("PATCH", sub_path(id), patch_op("replace", "/status", "locked"))
          .status == 204);
  auto prefs = "/api/subscriberpreferences/" + std::to_string(id);
  REQUIRE(f.call("PUT", prefs, json{{"clir", true}}).status == 204);
  CHECK(f.call("GET", sub_path(id)).json["lock"] == 4);
  CHECK(f.call("GET", prefs).json["lock"] == 4);
}
