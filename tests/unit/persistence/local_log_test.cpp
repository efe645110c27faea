#include "persistence/provlog/local_provisioning_log.hpp"

#include "persistence/kv/rocks_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <thread>

using namespace sb::persistence;
using sb::test::temp_dir;

namespace {

change make_change(const std::string& origin, int i) {
  change c;
  c.time_ms = 1000 + i;
  c.origin = origin;
  c.mutations.push_back(
      {"provisioning", origin + ":" + std::to_string(i), std::to_string(i)});
  return c;
}

std::unique_ptr<rocks_store> open_store(const std::filesystem::path& dir) {
  auto s = rocks_store::open(dir);
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::unique_ptr<local_provisioning_log> open_log(rocks_store& s) {
  auto l = local_provisioning_log::open(s);
  REQUIRE(l.ok());
  return std::move(l).value();
}

} // namespace

TEST_CASE("persistence: provlog keys sort by position",
          "[persistence][provlog]") {
  CHECK(provlog_key(1).size() == 8);
  CHECK(provlog_key(255) < provlog_key(256));
  CHECK(provlog_key(65535) < provlog_key(65536));
  CHECK(provlog_key(0x0102030405060708) == "\x01\x02\x03\x04\x05\x06\x07\x08");
}

TEST_CASE("persistence: the local log appends densely and reads in order",
          "[persistence][provlog]") {
  temp_dir tmp("sb-provlog");
  auto store = open_store(tmp / "db");
  auto log = open_log(*store);

  CHECK(*log->last_position() == 0);
  CHECK(log->read_after(0, 10)->empty());

  for (int i = 1; i <= 300; ++i) {
    auto p = log->append(make_change("sp1", i));
    REQUIRE(p.ok());
    CHECK(*p == static_cast<uint64_t>(i));
  }
  CHECK(*log->last_position() == 300);

  auto all = log->read_after(0, 1000);
  REQUIRE(all.ok());
  REQUIRE(all->size() == 300);
  for (size_t i = 0; i < all->size(); ++i) {
    CHECK((*all)[i].position == i + 1);
    CHECK((*all)[i].mutations[0].value == std::to_string(i + 1));
  }
  auto some = log->read_after(255, 2); // crosses a key byte boundary
  REQUIRE(some.ok());
  REQUIRE(some->size() == 2);
  CHECK((*some)[0].position == 256);
  CHECK((*some)[1].position == 257);
  CHECK(log->read_after(300, 10)->empty());
  CHECK(log->read_after(UINT64_MAX, 10)->empty());
}

TEST_CASE("persistence: the local log continues after a reopen",
          "[persistence][provlog]") {
  temp_dir tmp("sb-provlog");
  {
    auto store = open_store(tmp / "db");
    auto log = open_log(*store);
    for (int i = 1; i <= 3; ++i)
      REQUIRE(log->append(make_change("sp1", i)).ok());
  }
  auto store = open_store(tmp / "db");
  auto log = open_log(*store);
  CHECK(*log->last_position() == 3);
  CHECK(*log->append(make_change("sp1", 4)) == 4);
  auto all = log->read_after(0, 10);
  REQUIRE(all->size() == 4);
  CHECK(all->back().origin == "sp1");
}

TEST_CASE("persistence: concurrent appends get distinct dense positions",
          "[persistence][provlog]") {
  temp_dir tmp("sb-provlog");
  auto store = open_store(tmp / "db");
  auto log = open_log(*store);
  constexpr int threads = 4, per_thread = 25;
  std::vector<std::vector<uint64_t>> got(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto p = log->append(make_change("t" + std::to_string(t), i));
        if (p.ok())
          got[t].push_back(*p);
      }
    });
  for (auto& w : workers)
    w.join();

  std::set<uint64_t> all;
  for (auto& g : got) {
    CHECK(g.size() == per_thread);
    CHECK(std::is_sorted(g.begin(), g.end()));
    all.insert(g.begin(), g.end());
  }
  CHECK(all.size() == threads * per_thread);
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == threads * per_thread);
}

TEST_CASE("persistence: the local log trims its oldest changes",
          "[persistence][provlog]") {
  temp_dir tmp("sb-provlog");
  auto store = open_store(tmp.path());
  auto log = open_log(*store);
  CHECK(log->first_position().value() == 1); // never held anything
  for (int i = 1; i <= 5; ++i)
    REQUIRE(log->append(make_change("a", i)).ok());
  CHECK(log->first_position().value() == 1);

  REQUIRE(log->trim_through(3).ok());
  CHECK(log->first_position().value() == 4);
  auto rest = log->read_after(0, 10);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 2);
  CHECK(rest->front().position == 4);
  REQUIRE(log->trim_through(2).ok()); // gone already: a no-op
  CHECK(log->first_position().value() == 4);

  // Trimming past the end keeps counting from where it was.
  REQUIRE(log->trim_through(99).ok());
  CHECK(log->first_position().value() == 6);
  CHECK(log->append(make_change("a", 6)).value() == 6);
  CHECK(log->first_position().value() == 6);
}
