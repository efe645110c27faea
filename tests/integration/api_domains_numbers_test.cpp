// Contract tests of /api/domains and /api/numbers: unique domain names,
// subscribers blocking deletion, number filters and moving an alias number
// between subscribers of one reseller.
#include "tests/integration/api_contract_helpers.hpp"

#include <chrono>
#include <future>
#include <memory>

using Catch::Matchers::Contains;
using nlohmann::json;
using sb::test::admin_login;
using sb::test::api_fixture;
using sb::test::credentials;
using namespace sb::test::contract;

namespace {

json number(const std::string& cc, const std::string& ac,
            const std::string& sn) {
  return {{"cc", cc}, {"ac", ac}, {"sn", sn}};
}

/// The id of the number with these digits.
uint64_t number_id(api_fixture& f, const std::string& e164) {
  auto r = list(f, "numbers", "number=" + e164);
  REQUIRE(r.json["total_count"] == 1);
  return embedded(r, "numbers")[0]["id"].get<uint64_t>();
}

/// The digits of every alias number of a subscriber, in order.
std::vector<std::string> aliases(api_fixture& f, uint64_t sub) {
  auto r = f.call("GET", item("subscribers", sub));
  REQUIRE(r.status == 200);
  std::vector<std::string> out;
  for (const auto& n : r.json["alias_numbers"])
    out.push_back(n["cc"].get<std::string>() + n["ac"].get<std::string>() +
                  n["sn"].get<std::string>());
  return out;
}

/// alice: 4311000 primary, 4311001 and 4311002 (a device id) aliases;
/// bob: 49302000 primary; both customers of reseller 1 in voip.example.
struct numbered {
  uint64_t cust = 0;
  uint64_t dom = 0;
  uint64_t alice = 0;
  uint64_t bob = 0;
};

numbered with_numbers(api_fixture& f) {
  numbered n;
  n.cust = f.customer();
  n.dom = f.domain("voip.example");
  auto devid = number("43", "1", "1002");
  devid["is_devid"] = true;
  n.alice = f.subscriber(
      n.cust, n.dom, "alice",
      {{"primary_number", number("43", "1", "1000")},
       {"alias_numbers", json::array({number("43", "1", "1001"), devid})}});
  n.bob = f.subscriber(n.cust, n.dom, "bob",
                       {{"primary_number", number("49", "30", "2000")}});
  return n;
}

} // namespace

// --------------------------------------------------------------- domains

TEST_CASE("api domains are created, read, listed and deleted",
          "[api][domains]") {
  api_fixture f;
  auto created =
      f.call("POST", "/api/domains/",
             json{{"domain", "Voip.Example.COM"}, {"reseller_id", 1}});
  REQUIRE(created.status == 201);
  auto id = created.created_id();
  CHECK(created.header("Location") == item("domains", id));
  auto got = f.call("GET", item("domains", id));
  REQUIRE(got.status == 200);
  // Stored and shown in lower case.
  CHECK(got.json["domain"] == "voip.example.com");
  CHECK(got.json["reseller_id"] == 1);
  CHECK(got.json["id"] == id);
  CHECK(got.json["_links"]["ngcp:resellers"]["href"] == "/api/resellers/1");
  CHECK(got.json["_links"]["ngcp:domainpreferences"]["href"] ==
        item("domainpreferences", id));

  f.domain("a.example");
  f.domain("b.example");
  f.domain("10.0.0.1");
  f.domain("2001:db8::1");
  CHECK(total(f, "domains") == 5);
  CHECK(total(f, "domains", "domain=*.example") == 2);
  CHECK(total(f, "domains", "domain=VOIP*") == 1);
  CHECK(total(f, "domains", "domain=example") == 0);
  CHECK(total(f, "domains", "reseller_id=1") == 5);
  CHECK(total(f, "domains", "reseller_id=2") == 0);

  auto p1 = list(f, "domains", "rows=2&order_by=domain");
  CHECK(p1.json["total_count"] == 5);
  REQUIRE(embedded(p1, "domains").size() == 2);
  CHECK(embedded(p1, "domains")[0]["domain"] == "10.0.0.1");
  CHECK(embedded(p1, "domains")[1]["domain"] == "2001:db8::1");
  CHECK(p1.json["_links"]["next"]["href"] ==
        "/api/domains/?page=2&rows=2&order_by=domain");
  CHECK_FALSE(p1.json["_links"].contains("prev"));
  auto p3 = list(f, "domains", "page=3&rows=2&order_by=domain");
  REQUIRE(embedded(p3, "domains").size() == 1);
  CHECK(embedded(p3, "domains")[0]["domain"] == "voip.example.com");
  CHECK(p3.json["_links"]["prev"]["href"] ==
        "/api/domains/?page=2&rows=2&order_by=domain");
  CHECK_FALSE(p3.json["_links"].contains("next"));
  auto beyond = list(f, "domains", "page=4&rows=2");
  CHECK(beyond.json["total_count"] == 5);
  CHECK(embedded(beyond, "domains").empty());

  // Domains are never changed, only created and deleted.
  CHECK(f.call("PUT", item("domains", id), got.json).status == 405);
  CHECK(f.call("PATCH", item("domains", id),
               patch_op("replace", "/domain", "x.example"))
            .status == 405);
  CHECK(f.call("GET", item("domains", id)).json["domain"] ==
        "voip.example.com");

  CHECK(f.call("DELETE", item("domains", id)).status == 204);
  CHECK(f.call("GET", item("domains", id)).status == 404);
  CHECK(f.call("DELETE", item("domains", id)).status == 404);
  CHECK(total(f, "domains") == 4);
  // The name is free again; ids are not reused.
  auto again = f.domain("voip.example.com");
  CHECK(again > id);
}

TEST_CASE("api domains validate names, are unique and keep their subscribers",
          "[api][domains]") {
  api_fixture f;
  for (const auto& bad : std::vector<std::string>{
           "bad_domain.example", "-x.example", "a..example", "x.example.", "",
           "x y.example", std::string(64, 'a') + ".example"}) {
    INFO(bad);
    auto r = f.call("POST", "/api/domains/",
                    json{{"domain", bad}, {"reseller_id", 1}});
    CHECK(r.status == 422);
    CHECK(message(r) == "Validation failed. field='domain', input='" + bad +
                            "', errors='Not a valid domain name'");
  }
  auto missing = f.call("POST", "/api/domains/", json{{"reseller_id", 1}});
  CHECK(message(missing) ==
        "Validation failed. field='domain', input='', errors='Required field'");
  auto typed = f.call("POST", "/api/domains/",
                      json{{"domain", 5}, {"reseller_id", "x"}, {"a", 1}});
  CHECK(typed.status == 422);
  CHECK_THAT(message(typed),
             Contains("field='domain', input='5', errors='Not a valid "
                      "string'") &&
                 Contains("field='reseller_id', input='x', errors='Not a "
                          "valid integer'") &&
                 Contains("field='a', input='1', errors='Unknown field'"));
  auto no_reseller =
      f.call("POST", "/api/domains/", json{{"domain", "x.example"}});
  CHECK(no_reseller.status == 422);
  CHECK(message(no_reseller) == "Validation failed. field='reseller_id', "
                                "input='', errors='Required field'");
  auto ghost = f.call("POST", "/api/domains/",
                      json{{"domain", "x.example"}, {"reseller_id", 999}});
  CHECK(ghost.status == 422);
  CHECK(message(ghost) == "Validation failed. field='reseller_id', "
                          "input='999', errors='Invalid 'reseller_id''");

  auto dom = f.domain("voip.example");
  auto dup = f.call("POST", "/api/domains/",
                    json{{"domain", "VOIP.example"}, {"reseller_id", 1}});
  CHECK(dup.status == 422);
  CHECK(message(dup) == "Validation failed. field='domain', "
                        "input='VOIP.example', errors='Domain already "
                        "exists'");
  CHECK(f.call_raw("POST", "/api/domains/",
                   R"({"domain":"t.example","reseller_id":1})", "text/plain")
            .status == 415);
  CHECK(f.call("POST", "/api/domains/",
               json{{"domain", "anon.example"}, {"reseller_id", 1}},
               std::nullopt)
            .status == 401);
  CHECK(f.call("GET", "/api/domains/", std::nullopt,
               credentials{"administrator", "guess"})
            .status == 401);
  CHECK(ids(f, "domains") == std::vector<uint64_t>{dom});

  // A domain with subscribers stays.
  auto cust = f.customer();
  auto sub = f.subscriber(cust, dom, "alice");
  auto bob = f.subscriber(cust, dom, "bob");
  auto busy = f.call("DELETE", item("domains", dom));
  CHECK(busy.status == 422);
  CHECK(message(busy) == "The entity could not be processed: Domain "
                         "'voip.example' still has subscribers");
  CHECK(f.call("GET", item("domains", dom)).status == 200);
  CHECK(f.call("GET", item("subscribers", sub)).json["domain"] ==
        "voip.example");

  // Without them it goes, and its preferences with it.
  REQUIRE(
      f.call("PUT", item("domainpreferences", dom), json{{"concurrent_max", 5}})
          .status == 204);
  REQUIRE(stored(f, "domainprefs", dom).has_value());
  REQUIRE(f.call("DELETE", item("subscribers", sub)).status == 204);
  CHECK(f.call("DELETE", item("domains", dom)).status == 422);
  // Terminating counts as gone, too.
  REQUIRE(f.call("PATCH", item("subscribers", bob),
                 patch_op("replace", "/status", "terminated"))
              .status == 204);
  CHECK(f.call("DELETE", item("domains", dom)).status == 204);
  CHECK_FALSE(stored(f, "domainprefs", dom).has_value());
  CHECK_FALSE(stored(f, "domains", dom).has_value());
  CHECK(total(f, "domains") == 0);
}

TEST_CASE("api domains and numbers are scoped to the reseller and hidden "
          "from subscribers",
          "[api][domains][numbers][roles]") {
  api_fixture f;
  auto cust = f.customer();
  auto dom = f.domain("one.example");
  auto alice = f.subscriber(
      cust, dom, "alice",
      {{"webusername", "alice"},
       {"webpassword", "alicepw1"},
       {"primary_number", number("43", "1", "100")},
       {"alias_numbers", json::array({number("43", "1", "101")})}});
  auto r2 = f.reseller("r2", "r2admin", "r2secret");
  credentials who{"r2admin", "r2secret"};

  // Domains: created for its own reseller only; names are platform-wide.
  auto own = f.create("domains", {{"domain", "two.example"}}, who);
  CHECK(f.call("GET", item("domains", own), std::nullopt, who)
            .json["reseller_id"] == r2);
  auto foreign =
      f.call("POST", "/api/domains/",
             json{{"domain", "three.example"}, {"reseller_id", 1}}, who);
  CHECK(foreign.status == 422);
  CHECK(message(foreign) == "Validation failed. field='reseller_id', "
                            "input='1', errors='Invalid 'reseller_id''");
  auto clash =
      f.call("POST", "/api/domains/", json{{"domain", "ONE.example"}}, who);
  CHECK(clash.status == 422);
  CHECK_THAT(message(clash), Contains("Domain already exists"));
  CHECK(ids(f, "domains", "", who) == std::vector<uint64_t>{own});
  CHECK(total(f, "domains") == 2);
  CHECK(f.call("GET", item("domains", dom), std::nullopt, who).status == 404);
  CHECK(f.call("DELETE", item("domains", dom), std::nullopt, who).status ==
        404);
  CHECK(f.call("GET", item("domains", dom)).status == 200);

  // Numbers: only its own.
  auto alias = number_id(f, "431101");
  CHECK(total(f, "numbers", "", who) == 0);
  CHECK(f.call("GET", item("numbers", alias), std::nullopt, who).status == 404);
  auto cust2 = f.customer(r2);
  auto zed = f.subscriber(
      cust2, own, "zed",
      {{"primary_number", number("43", "2", "200")},
       {"alias_numbers", json::array({number("43", "2", "201")})}});
  CHECK(f.call("PUT", item("numbers", alias), json{{"subscriber_id", zed}}, who)
            .status == 404);
  CHECK(f.call("PATCH", item("numbers", alias),
               patch_op("replace", "/subscriber_id", zed), who)
            .status == 404);
  CHECK(total(f, "numbers", "", who) == 2);
  // Its own alias cannot go to another reseller's subscriber, even when an
  // admin asks.
  auto zed_alias = number_id(f, "432201");
  for (const auto& caller : {who, admin_login}) {
    auto away = f.call("PUT", item("numbers", zed_alias),
                       json{{"subscriber_id", alice}}, caller);
    CHECK(away.status == 422);
    CHECK(message(away) == "Validation failed. field='subscriber_id', "
                           "input='" +
                               std::to_string(alice) +
                               "', errors='Invalid 'subscriber_id''");
  }
  CHECK(f.call("GET", item("numbers", zed_alias)).json["subscriber_id"] == zed);
  CHECK(aliases(f, zed) == std::vector<std::string>{"432201"});
  CHECK(aliases(f, alice) == std::vector<std::string>{"431101"});
  // Between its own subscribers it may move them.
  auto yan = f.subscriber(cust2, own, "yan");
  CHECK(f.call("PATCH", item("numbers", zed_alias),
               patch_op("replace", "/subscriber_id", yan), who)
            .status == 204);
  CHECK(aliases(f, yan) == std::vector<std::string>{"432201"});
  CHECK(aliases(f, zed).empty());

  // Subscribers see neither collection.
  credentials sub{"alice@one.example", "alicepw1"};
  CHECK(f.call("GET", "/api/domains/", std::nullopt, sub).status == 403);
  CHECK(f.call("GET", item("domains", dom), std::nullopt, sub).status == 403);
  CHECK(f.call("GET", "/api/numbers/", std::nullopt, sub).status == 403);
  CHECK(f.call("GET", item("numbers", alias), std::nullopt, sub).status == 403);
  CHECK(
      f.call("PUT", item("numbers", alias), json{{"subscriber_id", alice}}, sub)
          .status == 403);
}

TEST_CASE("api concurrent writes: the refused ones change nothing",
          "[api][domains]") {
  api_fixture f;
  // Warms the credential cache, so the posts below reach the provisioning
  // actor back to back and are likely written as one group.
  REQUIRE(f.call("GET", "/api/domains/").status == 200);
  const std::vector<std::string> names{"a.example", "b.example", "A.example",
                                       "c.example", "b.example", "bad_name",
                                       "d.example"};
  std::vector<std::future<sb::mgmt::http::response>> replies;
  for (const auto& name : names) {
    sb::mgmt::http::request rq;
    rq.method = "POST";
    rq.target = rq.path = "/api/domains/";
    rq.remote_address = "127.0.0.1";
    // administrator:administrator
    rq.headers = {
        {"Authorization", "Basic YWRtaW5pc3RyYXRvcjphZG1pbmlzdHJhdG9y"},
        {"Content-Type", "application/json"}};
    rq.body = json{{"domain", name}, {"reseller_id", 1}}.dump();
    auto done = std::make_shared<std::promise<sb::mgmt::http::response>>();
    replies.push_back(done->get_future());
    f.router()(std::move(rq), [done](sb::mgmt::http::response r) {
      done->set_value(std::move(r));
    });
  }
  std::vector<unsigned> statuses;
  std::vector<uint64_t> created;
  for (auto& r : replies) {
    REQUIRE(r.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    auto res = r.get();
    statuses.push_back(res.status);
    for (const auto& [k, v] : res.headers)
      if (k == "Location")
        created.push_back(std::stoull(v.substr(v.rfind('/') + 1)));
  }
  CHECK(statuses == std::vector<unsigned>{201, 201, 422, 201, 422, 422, 201});
  // The refused ones took no id and claimed no name.
  CHECK(created == std::vector<uint64_t>{1, 2, 3, 4});
  CHECK(ids(f, "domains") == std::vector<uint64_t>{1, 2, 3, 4});
  auto listed = list(f, "domains", "order_by=domain");
  std::vector<std::string> domains;
  for (const auto& d : embedded(listed, "domains"))
    domains.push_back(d["domain"].get<std::string>());
  CHECK(domains == std::vector<std::string>{"a.example", "b.example",
                                            "c.example", "d.example"});
  CHECK(f.domain("e.example") == 5);
}

// --------------------------------------------------------------- numbers

TEST_CASE("api numbers are listed and filtered, never created or deleted",
          "[api][numbers]") {
  api_fixture f;
  auto n = with_numbers(f);
  CHECK(total(f, "numbers") == 4);
  CHECK(total(f, "numbers", "subscriber_id=" + std::to_string(n.alice)) == 3);
  CHECK(total(f, "numbers", "subscriber_id=" + std::to_string(n.bob)) == 1);
  CHECK(total(f, "numbers", "is_primary=true") == 2);
  CHECK(total(f, "numbers", "is_primary=false") == 2);
  CHECK(total(f, "numbers", "cc=49") == 1);
  CHECK(total(f, "numbers", "sn=100*") == 3);
  CHECK(total(f, "numbers", "number=4311001") == 1);
  CHECK(total(f, "numbers", "number=431100") == 0);
  CHECK(total(f, "numbers", "number=431*") == 3);
  CHECK(total(f, "numbers", "number=*2000") == 1);
  CHECK(total(f, "numbers", "customer_id=" + std::to_string(n.cust)) == 4);
  CHECK(total(f, "numbers", "reseller_id=1") == 4);
  CHECK(total(f, "numbers", "reseller_id=2") == 0);

  auto sorted = list(f, "numbers", "order_by=sn&order_by_direction=desc");
  CHECK(embedded(sorted, "numbers")[0]["sn"] == "2000");
  auto paged = list(f, "numbers", "rows=3&is_primary=false");
  CHECK(paged.json["total_count"] == 2);
  CHECK_FALSE(paged.json["_links"].contains("next"));

  auto devid = number_id(f, "4311002");
  auto got = f.call("GET", item("numbers", devid));
  REQUIRE(got.status == 200);
  CHECK(got.json["cc"] == "43");
  CHECK(got.json["ac"] == "1");
  CHECK(got.json["sn"] == "1002");
  CHECK(got.json["is_primary"] == false);
  CHECK(got.json["is_devid"] == true);
  CHECK(got.json["subscriber_id"] == n.alice);
  CHECK(got.json["customer_id"] == n.cust);
  CHECK(got.json["reseller_id"] == 1);
  CHECK(got.json["_links"]["ngcp:subscribers"]["href"] ==
        item("subscribers", n.alice));
  // The subscriber refers to the same number entity.
  auto alice = f.call("GET", item("subscribers", n.alice)).json;
  CHECK(alice["alias_numbers"][1]["number_id"] == devid);
  CHECK(alice["primary_number"]["number_id"] == number_id(f, "4311000"));
  auto primary = f.call("GET", item("numbers", number_id(f, "4311000")));
  CHECK(primary.json["is_primary"] == true);

  CHECK(f.call("POST", "/api/numbers/",
               json{{"subscriber_id", n.alice}, {"cc", "43"}, {"sn", "9"}})
            .status == 405);
  CHECK(f.call("DELETE", item("numbers", devid)).status == 405);
  auto none = f.call("GET", "/api/numbers/999");
  CHECK(none.status == 404);
  CHECK(message(none) == "Entity 'number' not found.");
  CHECK(f.call("GET", "/api/numbers/", std::nullopt, std::nullopt).status ==
        401);
  CHECK(total(f, "numbers") == 4);
}

TEST_CASE("api numbers: an alias moves between subscribers of one reseller",
          "[api][numbers]") {
  api_fixture f;
  auto n = with_numbers(f);
  auto cust2 = f.customer();
  auto carol = f.subscriber(cust2, n.dom, "carol");
  auto moving = number_id(f, "4311001");

  REQUIRE(f.call("PUT", item("numbers", moving), json{{"subscriber_id", n.bob}})
              .status == 204);
  auto moved = f.call("GET", item("numbers", moving)).json;
  CHECK(moved["subscriber_id"] == n.bob);
  CHECK(moved["customer_id"] == n.cust);
  CHECK(moved["is_primary"] == false);
  CHECK(moved["sn"] == "1001");
  CHECK(aliases(f, n.bob) == std::vector<std::string>{"4311001"});
  CHECK(aliases(f, n.alice) == std::vector<std::string>{"4311002"});
  CHECK(f.call("GET", item("subscribers", n.bob))
            .json["alias_numbers"][0]["number_id"] == moving);
  CHECK(ids(f, "subscribers", "alias=4311001") == std::vector<uint64_t>{n.bob});
  CHECK(total(f, "numbers") == 4);

  // PATCH, to a subscriber of another customer of the same reseller.
  auto patched = f.call("PATCH", item("numbers", moving),
                        patch_op("replace", "/subscriber_id", carol),
                        admin_login, std::nullopt, prefer_representation());
  REQUIRE(patched.status == 200);
  CHECK(patched.json["subscriber_id"] == carol);
  CHECK(patched.json["customer_id"] == cust2);
  CHECK(aliases(f, carol) == std::vector<std::string>{"4311001"});
  CHECK(aliases(f, n.bob).empty());
  CHECK(total(f, "numbers", "customer_id=" + std::to_string(cust2)) == 1);

  // The GET representation can be PUT back (output members are ignored).
  auto doc = f.call("GET", item("numbers", moving)).json;
  doc["subscriber_id"] = n.alice;
  REQUIRE(f.call("PUT", item("numbers", moving), doc).status == 204);
  CHECK(aliases(f, n.alice) == std::vector<std::string>{"4311002", "4311001"});
  // Moving to its current subscriber changes nothing.
  CHECK(f.call("PUT", item("numbers", moving), doc).status == 204);
  CHECK(aliases(f, n.alice).size() == 2);

  // A device id stays one when it moves.
  auto devid = number_id(f, "4311002");
  REQUIRE(f.call("PUT", item("numbers", devid), json{{"subscriber_id", n.bob}})
              .status == 204);
  CHECK(f.call("GET", item("subscribers", n.bob))
            .json["alias_numbers"][0]["is_devid"] == true);
  CHECK(f.call("GET", item("numbers", devid)).json["is_devid"] == true);

  // Both sides can still be replaced with what they show.
  for (auto sub : {n.alice, n.bob}) {
    auto rep = f.call("GET", item("subscribers", sub)).json;
    CHECK(f.call("PUT", item("subscribers", sub), rep).status == 204);
  }
  CHECK(total(f, "numbers") == 4);
  CHECK(number_id(f, "4311001") == moving);
  CHECK(number_id(f, "4311002") == devid);
  CHECK(f.call("GET", item("numbers", devid)).json["subscriber_id"] == n.bob);

  // A moved number belongs to its new subscriber: released with it.
  REQUIRE(f.call("DELETE", item("subscribers", n.bob)).status == 204);
  CHECK(total(f, "numbers") == 2);
  CHECK(total(f, "numbers", "number=4311002") == 0);
  CHECK(f.call("GET", item("numbers", devid)).status == 404);
  CHECK(aliases(f, n.alice) == std::vector<std::string>{"4311001"});
  f.subscriber(cust2, n.dom, "dave",
               {{"alias_numbers", json::array({number("43", "1", "1002")})}});
}

TEST_CASE("api numbers: primary numbers and bad targets are refused",
          "[api][numbers]") {
  api_fixture f;
  auto n = with_numbers(f);
  auto primary = number_id(f, "4311000");
  auto alias = number_id(f, "4311001");

  auto r =
      f.call("PUT", item("numbers", primary), json{{"subscriber_id", n.bob}});
  CHECK(r.status == 422);
  CHECK(message(r) == "Validation failed. field='subscriber_id', input='" +
                          std::to_string(n.bob) +
                          "', errors='A primary number cannot be reassigned'");
  CHECK(f.call("PATCH", item("numbers", primary),
               patch_op("replace", "/subscriber_id", n.bob))
            .status == 422);
  CHECK(f.call("GET", item("numbers", primary)).json["subscriber_id"] ==
        n.alice);
  CHECK(f.call("GET", item("subscribers", n.alice))
            .json["primary_number"]["sn"] == "1000");

  auto ghost =
      f.call("PUT", item("numbers", alias), json{{"subscriber_id", 999}});
  CHECK(ghost.status == 422);
  CHECK(message(ghost) == "Validation failed. field='subscriber_id', "
                          "input='999', errors='Invalid 'subscriber_id''");
  auto missing = f.call("PUT", item("numbers", alias), json::object());
  CHECK(message(missing) == "Validation failed. field='subscriber_id', "
                            "input='', errors='Required field'");
  auto typed = f.call("PUT", item("numbers", alias),
                      json{{"subscriber_id", "bob"}, {"note", "x"}});
  CHECK(typed.status == 422);
  CHECK_THAT(message(typed),
             Contains("field='subscriber_id', input='bob', errors='Not a "
                      "valid integer'") &&
                 Contains("field='note', input='x', errors='Unknown "
                          "field'"));

  // Another reseller's subscriber is no target, even for an admin.
  auto r2 = bare_reseller(f, "r2");
  auto zed = f.subscriber(f.customer(r2), f.domain("r2.example", r2), "zed");
  auto foreign =
      f.call("PUT", item("numbers", alias), json{{"subscriber_id", zed}});
  CHECK(foreign.status == 422);
  CHECK_THAT(message(foreign), Contains("Invalid 'subscriber_id'"));

  // Only replace/copy patches; media types as everywhere.
  auto remove =
      f.call("PATCH", item("numbers", alias), remove_op("/subscriber_id"));
  CHECK(remove.status == 400);
  CHECK(message(remove) ==
        "Invalid PATCH op 'remove', must be one of 'replace', 'copy'");
  CHECK(f.call("PATCH", item("numbers", alias),
               patch_op("replace", "/subscriber_id", n.bob), admin_login,
               "application/json")
            .status == 415);
  CHECK(f.call_raw("PUT", item("numbers", alias),
                   json{{"subscriber_id", n.bob}}.dump(), "text/plain")
            .status == 415);
  CHECK(f.call("PUT", "/api/numbers/999", json{{"subscriber_id", n.bob}})
            .status == 404);

  // Nothing moved.
  CHECK(f.call("GET", item("numbers", alias)).json["subscriber_id"] == n.alice);
  CHECK(aliases(f, n.alice) == std::vector<std::string>{"4311001", "4311002"});
  CHECK(aliases(f, n.bob).empty());
  CHECK(aliases(f, zed).empty());
  CHECK(total(f, "numbers") == 4);
}
