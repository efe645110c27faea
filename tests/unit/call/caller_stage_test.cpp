// The caller-checks stage: lock levels, allowed_ips, the CDR source, and
// the lookup over a real provisioning store.
#include "actors/call/caller_stage.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/entities/store_reader.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace sb::actors::call;
namespace keys = sb::persistence::keys;

namespace {

party_facts alice(int lock = 0) {
  party_facts f;
  f.subscriber_id = 11;
  f.customer_id = 22;
  f.reseller_id = 1;
  f.username = "alice";
  f.domain = "example.org";
  f.lock = lock;
  f.uuid = "uuid-alice";
  return f;
}

routing_context from_alice(std::string ip = "203.0.113.5") {
  routing_context c;
  c.call_id = "c1";
  c.caller_subscriber_id = 11;
  c.source_ip = std::move(ip);
  return c;
}

caller_lookup returning(std::optional<party_facts> f) {
  return [f](uint64_t) -> sb::result<std::optional<party_facts>> { return f; };
}

} // namespace

TEST_CASE("caller stage: an unlocked caller passes and fills the CDR source",
          "[call][caller]") {
  auto ctx = from_alice();
  CHECK(caller_stage(returning(alice())).run(ctx) == stage_result::next);
  const auto& s = ctx.plan.cdr.source;
  CHECK(s.user_id == "uuid-alice");
  CHECK(s.account_id == 22);
  CHECK(s.user == "alice");
  CHECK(s.ip == "203.0.113.5");
  CHECK_FALSE(ctx.plan.reject);
}

TEST_CASE("caller stage: lock levels", "[call][caller]") {
  for (int lock : {2, 3, 4, 5}) {
    INFO(lock);
    auto ctx = from_alice();
    CHECK(caller_stage(returning(alice(lock))).run(ctx) == stage_result::stop);
    REQUIRE(ctx.plan.reject);
    CHECK(ctx.plan.reject->code == 403);
    CHECK(ctx.plan.reject->reason == "Caller locked");
    CHECK(ctx.plan.cdr.source.user == "alice"); // the CDR still says who
  }
  for (int lock : {0, 1}) {
    auto ctx = from_alice();
    CHECK(caller_stage(returning(alice(lock))).run(ctx) == stage_result::next);
  }
}

TEST_CASE("caller stage: allowed_ips and man_allowed_ips", "[call][caller]") {
  auto f = alice();
  f.allowed_ips = {"198.51.100.0/24"};
  auto out = from_alice("203.0.113.5");
  CHECK(caller_stage(returning(f)).run(out) == stage_result::stop);
  CHECK(out.plan.reject->reason == "Unauthorized IP detected");
  auto in = from_alice("198.51.100.7");
  CHECK(caller_stage(returning(f)).run(in) == stage_result::next);
  f.ignore_allowed_ips = true;
  auto ignored = from_alice("203.0.113.5");
  CHECK(caller_stage(returning(f)).run(ignored) == stage_result::next);
  f.man_allowed_ips = {"10.0.0.0/8"}; // never ignored
  auto man = from_alice("203.0.113.5");
  CHECK(caller_stage(returning(f)).run(man) == stage_result::stop);
}

TEST_CASE("caller stage: no caller, a removed one, a storage error",
          "[call][caller]") {
  routing_context nobody;
  CHECK(caller_stage(returning(alice())).run(nobody) == stage_result::stop);
  CHECK(nobody.plan.reject->code == 500);
  auto gone = from_alice();
  CHECK(caller_stage(returning(std::nullopt)).run(gone) == stage_result::stop);
  CHECK(gone.plan.reject->code == 403);
  auto broken = from_alice();
  CHECK(caller_stage([](uint64_t) -> sb::result<std::optional<party_facts>> {
          return sb::error{"io error"};
        }).run(broken) == stage_result::stop);
  CHECK(broken.plan.reject->code == 500);
}

TEST_CASE("caller stage: the lookup over the provisioning store",
          "[call][caller]") {
  sb::test::temp_dir tmp("sb-caller");
  auto db = sb::persistence::rocks_store::open(tmp / "db");
  REQUIRE(db.ok());
  auto& store = **db;
  REQUIRE(store
              .put(sb::persistence::cf::provisioning,
                   sb::persistence::doc_key(keys::kind_subscribers, 11),
                   nlohmann::json{{"username", "alice"},
                                  {"domain", "example.org"},
                                  {"uuid", "uuid-alice"},
                                  {"customer_id", 22},
                                  {"reseller_id", 1},
                                  {"lock", 2}}
                       .dump(),
                   false)
              .ok());
  sb::persistence::store_reader reader(store);
  auto lookup = store_caller_lookup(reader);
  auto found = lookup(11);
  REQUIRE(found.ok());
  REQUIRE(*found);
  CHECK((*found)->uuid == "uuid-alice");
  CHECK((*found)->lock == 2);
  CHECK((*found)->customer_id == 22);
  auto none = lookup(12);
  REQUIRE(none.ok());
  CHECK_FALSE(*none);
}
