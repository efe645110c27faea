// The callee stage: username or number, lock, offline, forking targets,
// and the CDR destination; first with fake lookups, then over real
// provisioning and location stores in a temporary RocksDB.
#include "actors/call/callee_stage.hpp"

#include "actors/subscriber/location_store.hpp"
#include "actors/subscriber/register_message.hpp"
#include "actors/subscriber/registrar_state.hpp"
#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/entities/store_reader.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace sb::actors::call;
using namespace std::chrono_literals;
namespace keys = sb::persistence::keys;
namespace sub = sb::actors::subscriber;
using sb::persistence::cf;

namespace {

const time_point t0 = time_point{} + 1'700'000'000s;

party_facts bob(int lock = 0) {
  party_facts p;
  p.subscriber_id = 12;
  p.customer_id = 22;
  p.reseller_id = 1;
  p.uuid = "uuid-bob";
  p.username = "bob";
  p.domain = "example.org";
  p.lock = lock;
  return p;
}

struct fakes {
  std::vector<std::string> asked;
  std::optional<party_facts> user, number;
  std::vector<branch_target> contacts;

  callee_lookups lookups() {
    callee_lookups l;
    l.by_username =
        [this](std::string_view u,
               std::string_view d) -> sb::result<std::optional<party_facts>> {
      asked.push_back("user:" + std::string(u) + "@" + std::string(d));
      return user;
    };
    l.by_number =
        [this](std::string_view n) -> sb::result<std::optional<party_facts>> {
      asked.push_back("number:" + std::string(n));
      return number;
    };
    l.contacts = [this](const party_facts&,
                        time_point) -> sb::result<std::vector<branch_target>> {
      return contacts;
    };
    return l;
  }
};

routing_context call_to(std::string user) {
  routing_context c;
  c.call_id = "c1";
  c.request_user = std::move(user);
  c.request_domain = "example.org";
  c.now = t0;
  return c;
}

} // namespace

TEST_CASE("callee stage: a registered subscriber by username",
          "[call][callee]") {
  fakes f;
  f.user = bob();
  f.contacts = {{"sip:bob@192.0.2.10", {}, ""},
                {"sip:bob@192.0.2.11", {}, "udp:203.0.113.7:4000"}};
  auto ctx = call_to("bob");
  CHECK(callee_stage(f.lookups()).run(ctx) == stage_result::next);
  CHECK(f.asked == std::vector<std::string>{"user:bob@example.org"});
  CHECK(ctx.callee_subscriber_id == 12);
  REQUIRE(ctx.plan.targets.size() == 2);
  CHECK(ctx.plan.targets[1].next_hop == "udp:203.0.113.7:4000");
  CHECK_FALSE(ctx.plan.reject);
  const auto& d = ctx.plan.cdr.destination;
  CHECK(d.user_id == "uuid-bob");
  CHECK(d.account_id == 22);
  CHECK(d.user == "bob");
  CHECK(ctx.plan.cdr.destination_user_dialed == "bob");
}

TEST_CASE("callee stage: numbers, unknown, locked and offline callees",
          "[call][callee]") {
  fakes f;
  f.contacts = {{"sip:bob@192.0.2.10", {}, ""}};
  SECTION("an E.164 number, with or without '+'") {
    f.number = bob();
    for (std::string dialled : {"4312000", "+4312000"}) {
      auto ctx = call_to(dialled);
      CHECK(callee_stage(f.lookups()).run(ctx) == stage_result::next);
      CHECK(f.asked.back() == "number:4312000");
      CHECK(ctx.plan.cdr.destination_user_dialed == dialled);
    }
  }
  SECTION("nobody: 404, and a non-number is not looked up as one") {
    auto ctx = call_to("nobody");
    CHECK(callee_stage(f.lookups()).run(ctx) == stage_result::stop);
    REQUIRE(ctx.plan.reject);
    CHECK(ctx.plan.reject->code == 404);
    CHECK(f.asked == std::vector<std::string>{"user:nobody@example.org"});
    auto num = call_to("999");
    CHECK(callee_stage(f.lookups()).run(num) == stage_result::stop);
    CHECK(num.plan.reject->code == 404);
  }
  SECTION("lock 3 and 4 refuse incoming calls; 1, 2 and 5 do not") {
    for (int lock : {3, 4}) {
      f.user = bob(lock);
      auto ctx = call_to("bob");
      CHECK(callee_stage(f.lookups()).run(ctx) == stage_result::stop);
      CHECK(ctx.plan.reject->code == 403);
      CHECK(ctx.plan.reject->reason == "Callee locked");
    }
    for (int lock : {1, 2, 5}) {
      f.user = bob(lock);
      auto ctx = call_to("bob");
      CHECK(callee_stage(f.lookups()).run(ctx) == stage_result::next);
    }
  }
  SECTION("not registered: 480 Offline, with the destination in the CDR") {
    f.user = bob();
    f.contacts.clear();
    auto ctx = call_to("bob");
    CHECK(callee_stage(f.lookups()).run(ctx) == stage_result::stop);
    CHECK(ctx.plan.reject->code == 480);
    CHECK(ctx.plan.reject->reason == "Offline");
    CHECK(ctx.plan.cdr.destination.subscriber_id == 12);
  }
  SECTION("a storage error is a 500, never a 404") {
    auto l = f.lookups();
    l.by_username =
        [](std::string_view,
           std::string_view) -> sb::result<std::optional<party_facts>> {
      return sb::error{"disk on fire"};
    };
    auto ctx = call_to("bob");
    CHECK(callee_stage(l).run(ctx) == stage_result::stop);
    CHECK(ctx.plan.reject->code == 500);
  }
}

TEST_CASE("callee stage: lookups over the node's stores", "[call][callee]") {
  sb::test::temp_dir tmp("sb-callee");
  auto db = sb::persistence::rocks_store::open(tmp / "db");
  REQUIRE(db.ok());
  auto& store = **db;
  auto put = [&](const std::string& key, const std::string& value) {
    REQUIRE(store.put(cf::provisioning, key, value, false).ok());
  };
  put(sb::persistence::unique_key(keys::index_domain, "example.org"), "5");
  put(sb::persistence::unique_key(keys::index_subscriber_user,
                                  keys::web_login_key(5, "bob")),
      "12");
  put(sb::persistence::unique_key(keys::index_number, "4312000"), "77");
  put(sb::persistence::doc_key(keys::kind_numbers, 77),
      nlohmann::json{{"subscriber_id", 12}}.dump());
  put(sb::persistence::doc_key(keys::kind_subscribers, 12),
      nlohmann::json{{"username", "Bob"},
                     {"domain", "example.org"},
                     {"uuid", "uuid-bob"},
                     {"customer_id", 22},
                     {"reseller_id", 1},
                     {"lock", 0}}
          .dump());
  sb::persistence::store_reader reader(store);
  auto locations = sub::make_local_location_store(store);
  auto l = store_lookups(reader, *locations);

  auto by_name = l.by_username("BOB", "Example.ORG");
  REQUIRE(by_name.ok());
  REQUIRE(*by_name);
  CHECK((*by_name)->subscriber_id == 12);
  CHECK((*by_name)->username == "Bob");
  auto by_number = l.by_number("4312000");
  REQUIRE(by_number.ok());
  REQUIRE(*by_number);
  CHECK((*by_number)->uuid == "uuid-bob");
  CHECK_FALSE(*l.by_number("4399999"));
  CHECK_FALSE(*l.by_username("bob", "other.org"));

  // Not registered yet, then two bindings (one NATed), one expired later.
  CHECK(l.contacts(**by_name, t0)->empty());
  sub::location_record rec;
  rec.subscriber_id = 12;
  rec.state.aor = sub::canonical_aor("Bob", "example.org");
  sub::binding near, far;
  near.uri = "sip:bob@192.168.1.20:5060";
  near.expires_at = t0 + 60s;
  near.natted = true;
  near.received = sb::sip::source_address{sb::sip::sip_transport::udp,
                                          "203.0.113.5", 40000};
  far.uri = "sip:bob@192.0.2.30";
  far.expires_at = t0 + 3600s;
  rec.state.bindings = {near, far};
  sub::stored_binding_ids ids;
  REQUIRE(locations->save(rec, ids).ok());
  auto targets = l.contacts(**by_name, t0);
  REQUIRE(targets.ok());
  REQUIRE(targets->size() == 2);
  bool natted_seen = false;
  for (const auto& t : *targets)
    if (t.uri == near.uri) {
      CHECK(t.next_hop == "udp:203.0.113.5:40000");
      natted_seen = true;
    } else {
      CHECK(t.next_hop.empty());
    }
  CHECK(natted_seen);
  CHECK(l.contacts(**by_name, t0 + 120s)->size() == 1);
}
