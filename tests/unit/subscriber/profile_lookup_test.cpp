// What the registrar reads about a subscriber from provisioning: the
// subscriber document, its preferences, and the domain's allowed_ips as
// the fallback. Over a temporary RocksDB.
#include "actors/subscriber/profile_lookup.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace sb::actors::subscriber;
namespace keys = sb::persistence::keys;
using nlohmann::json;

TEST_CASE("profile lookup: the document, its preferences and the domain's "
          "allowed_ips",
          "[subscriber][profile_lookup]") {
  sb::test::temp_dir tmp("sb-profile");
  auto db = sb::persistence::rocks_store::open(tmp / "db");
  REQUIRE(db.ok());
  auto& store = **db;
  auto put = [&](const std::string& key, const json& doc) {
    REQUIRE(store.put(sb::persistence::cf::provisioning, key, doc.dump(), false)
                .ok());
  };
  put(sb::persistence::unique_key(keys::index_domain, "example.org"), 5);
  put(sb::persistence::unique_key(keys::index_subscriber_user,
                                  keys::web_login_key(5, "alice")),
      11);
  put(sb::persistence::doc_key(keys::kind_subscribers, 11),
      {{"username", "alice"},
       {"domain", "example.org"},
       {"domain_id", 5},
       {"customer_id", 22},
       {"reseller_id", 1},
       {"_ha1", "h1"},
       {"_ha1_sha256", "h2"},
       {"primary_number", {{"cc", "43"}, {"ac", "1"}, {"sn", "1001"}}},
       {"lock", 0}});
  sb::persistence::store_reader reader(store);

  SECTION("no preferences at all") {
    auto p = lookup_user(reader, 5, "ALICE");
    REQUIRE(p.ok());
    REQUIRE(*p);
    CHECK((*p)->username == "alice");
    CHECK((*p)->ha1_md5 == "h1");
    CHECK((*p)->allowed_ips.empty());
    CHECK_FALSE((*p)->ignore_allowed_ips);
    CHECK((*p)->cli == "4311001");
    CHECK((*p)->concurrent_max == 0);
  }
  SECTION("call preferences: cli, limits, max_call_duration") {
    put(sb::persistence::doc_key(keys::kind_subscriber_prefs, 11),
        {{"cli", "4399999"},
         {"concurrent_max", 3},
         {"concurrent_max_out", 2},
         {"max_call_duration", 60}});
    auto p = load_profile(reader, 11);
    REQUIRE(p.ok());
    REQUIRE(*p);
    CHECK((*p)->cli == "4399999");
    CHECK((*p)->concurrent_max == 3);
    CHECK((*p)->concurrent_max_out == 2);
    CHECK((*p)->max_call_duration == 60);
  }
  SECTION("subscriber preferences (regression: a preferences document "
          "threw a json type_error)") {
    put(sb::persistence::doc_key(keys::kind_subscriber_prefs, 11),
        {{"allowed_ips", json::array({"198.51.100.0/24"})},
         {"man_allowed_ips", json::array({"10.0.0.0/8"})},
         {"ignore_allowed_ips", true}});
    auto p = load_profile(reader, 11);
    REQUIRE(p.ok());
    REQUIRE(*p);
    CHECK((*p)->allowed_ips == std::vector<std::string>{"198.51.100.0/24"});
    CHECK((*p)->man_allowed_ips == std::vector<std::string>{"10.0.0.0/8"});
    CHECK((*p)->ignore_allowed_ips);
  }
  SECTION("the domain's allowed_ips when the subscriber has none") {
    put(sb::persistence::doc_key(keys::kind_subscriber_prefs, 11),
        {{"man_allowed_ips", json::array({"10.0.0.0/8"})}});
    put(sb::persistence::doc_key(keys::kind_domain_prefs, 5),
        {{"allowed_ips", json::array({"192.0.2.0/24"})}});
    auto p = load_profile(reader, 11);
    REQUIRE(p.ok());
    REQUIRE(*p);
    CHECK((*p)->allowed_ips == std::vector<std::string>{"192.0.2.0/24"});
  }
  SECTION("unknown domain, user or id") {
    CHECK_FALSE(*lookup_domain(reader, "other.org"));
    CHECK(*lookup_domain(reader, "Example.ORG") == 5u);
    CHECK_FALSE(*lookup_user(reader, 5, "bob"));
    CHECK_FALSE(*load_profile(reader, 12));
  }
}
