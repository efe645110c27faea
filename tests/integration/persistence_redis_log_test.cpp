#include "persistence/provlog/redis_checkpoint_store.hpp"
#include "persistence/provlog/redis_provisioning_log.hpp"

#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/redis/redis_client.hpp"
#include "tests/support/io_runner.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <thread>

using namespace sb::persistence;
using namespace std::chrono_literals;
using sb::test::io_runner;

namespace {

// One "node": its own io thread and connection.
struct node {
  io_runner runner;
  redis_client client;
  redis_provisioning_log log;

  node(uint16_t port, const std::string& prefix)
      : client(runner.io)
      , log(client, prefix) {
    client.connect("127.0.0.1", port);
  }
};

std::unique_ptr<sb::test::redis_server> start_server() {
  auto s = sb::test::redis_server::start();
  INFO((s ? std::string() : s.err().message));
  REQUIRE(s.ok());
  return std::move(s).value();
}

change make_change(const std::string& origin, int i) {
  change c;
  c.time_ms = i;
  c.origin = origin;
  c.mutations.push_back({"provisioning", origin + ":" + std::to_string(i),
                         std::string("v\0", 2) + std::to_string(i)});
  return c;
}

} // namespace

TEST_CASE("persistence: the redis provisioning log appends and reads in order",
          "[redis][provlog]") {
  auto server = start_server();
  node n(server->port(), "sb:test:provlog");
  REQUIRE(n.client.wait_connected(5s));
  CHECK(n.log.stream_key() == "sb:test:provlog");
  CHECK(n.log.sequence_key() == "sb:test:provlog:seq");

  auto empty = n.log.last_position();
  REQUIRE(empty.ok());
  CHECK(*empty == 0);
  CHECK(n.log.read_after(0, 10)->empty());

  for (int i = 1; i <= 5; ++i) {
    auto p = n.log.append(make_change("sp1", i));
    INFO((p ? std::string() : p.err().message));
    REQUIRE(p.ok());
    CHECK(*p == static_cast<uint64_t>(i));
  }
  CHECK(*n.log.last_position() == 5);

  auto all = n.log.read_after(0, 100);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 5);
  for (int i = 1; i <= 5; ++i) {
    auto want = make_change("sp1", i);
    want.position = static_cast<uint64_t>(i);
    CHECK((*all)[static_cast<size_t>(i - 1)] == want);
  }
  auto tail = n.log.read_after(3, 1);
  REQUIRE(tail.ok());
  REQUIRE(tail->size() == 1);
  CHECK(tail->front().position == 4);
  CHECK(n.log.read_after(5, 10)->empty());
}

TEST_CASE("persistence: two concurrent appenders get dense, ordered positions",
          "[redis][provlog]") {
  auto server = start_server();
  constexpr int per_node = 150;
  node a(server->port(), "sb:provlog");
  node b(server->port(), "sb:provlog");
  REQUIRE(a.client.wait_connected(5s));
  REQUIRE(b.client.wait_connected(5s));

  std::map<uint64_t, std::string> who; // position -> "origin:i"
  std::mutex mutex;
  std::atomic<int> failures{0};
  auto run = [&](node& n, const std::string& origin) {
    uint64_t previous = 0;
    for (int i = 0; i < per_node; ++i) {
      auto p = n.log.append(make_change(origin, i));
      if (!p || *p <= previous) {
        ++failures;
        continue;
      }
      previous = *p;
      std::lock_guard lock(mutex);
      who[*p] = origin + ":" + std::to_string(i);
    }
  };
  std::thread ta([&] { run(a, "a"); });
  std::thread tb([&] { run(b, "b"); });
  ta.join();
  tb.join();
  REQUIRE(failures == 0);
  REQUIRE(who.size() == 2 * per_node);
  CHECK(who.begin()->first == 1);
  CHECK(who.rbegin()->first == 2 * per_node);
  CHECK(*a.log.last_position() == 2 * per_node);

  // Every reader sees the same order, and each entry is the change its
  // appender was told it got.
  auto all = b.log.read_after(0, 10 * per_node);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2 * per_node);
  for (size_t i = 0; i < all->size(); ++i) {
    const auto& c = (*all)[i];
    CHECK(c.position == i + 1);
    CHECK(who[c.position] == c.mutations.at(0).key);
  }

  SECTION("the applier applies the shared log to a local store") {
    sb::test::temp_dir tmp("sb-redislog");
    auto store = rocks_store::open(tmp / "db");
    REQUIRE(store.ok());
    size_t total = 0;
    for (int round = 0; round < 100 && total < 2 * per_node; ++round) {
      auto n = apply_pending(a.log, **store, 64);
      REQUIRE(n.ok());
      total += *n;
    }
    CHECK(total == 2 * per_node);
    CHECK(*applied_position(**store) == 2 * per_node);
    auto v = (*store)->get(cf::provisioning, "b:149");
    REQUIRE(v.ok());
    CHECK(*v == std::string("v\0", 2) + "149");
  }
}

TEST_CASE("persistence: the redis log reports errors instead of hanging when "
          "redis is gone",
          "[redis][provlog]") {
  auto server = start_server();
  node n(server->port(), "sb:provlog");
  REQUIRE(n.client.wait_connected(5s));
  REQUIRE(n.log.append(make_change("sp1", 1)).ok());
  server->kill();
  bool failed = false;
  for (int i = 0; i < 50 && !failed; ++i) {
    failed = !n.log.append(make_change("sp1", 2)).ok();
    if (!failed)
      std::this_thread::sleep_for(20ms);
  }
  CHECK(failed);
  auto r = n.log.read_after(0, 10);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("provisioning log read"));
}

TEST_CASE("persistence: the redis log trims, and its checkpoint store keeps "
          "the newest checkpoint",
          "[redis][provlog][checkpoint]") {
  auto server = start_server();
  node n(server->port(), "sb:test:provlog");
  REQUIRE(n.client.wait_connected(5s));
  CHECK(n.log.first_position().value() == 1);
  for (int i = 1; i <= 6; ++i)
    REQUIRE(n.log.append(make_change("a", i)).ok());
  CHECK(n.log.first_position().value() == 1);
  REQUIRE(n.log.trim_through(4).ok());
  CHECK(n.log.first_position().value() == 5);
  auto rest = n.log.read_after(0, 10);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 2);
  CHECK(rest->front().position == 5);
  REQUIRE(n.log.trim_through(6).ok());
  CHECK(n.log.first_position().value() == 7); // empty: after the last
  CHECK(n.log.append(make_change("a", 7)).value() == 7);

  redis_checkpoint_store store(n.client, "sb:test:provlog");
  CHECK(store.latest_position().value() == 0);
  CHECK_FALSE(store.latest().value().has_value());
  REQUIRE(store.publish(5, std::string("five\0", 5)).ok());
  REQUIRE(store.publish(3, "three").ok()); // older: not kept
  CHECK(store.latest_position().value() == 5);
  CHECK(store.latest().value() == std::string("five\0", 5));
  REQUIRE(store.publish(6, "six").ok());
  CHECK(store.latest().value() == "six");

  REQUIRE(store.report_applied("sp1", 6).ok());
  REQUIRE(store.report_applied("sp2", 4).ok());
  REQUIRE(store.report_applied("sp2", 5).ok());
  CHECK(store.applied_positions().value() ==
        std::map<std::string, uint64_t>{{"sp1", 6}, {"sp2", 5}});
}
