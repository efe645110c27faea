// RTP port pair allocation (media/port_pool): order, wraparound, release,
// exhaustion, unusable pairs and range validation.
#include "media/port_pool.hpp"

#include <catch2/catch.hpp>

#include <set>

namespace {

sb::media::port_pool make(long lo, long hi) {
  auto p = sb::media::port_pool::create(lo, hi);
  REQUIRE(p);
  return std::move(p).value();
}

} // namespace

TEST_CASE("port_pool: range validation", "[port_pool]") {
  using sb::media::port_pool;
  auto msg = [](long lo, long hi) {
    auto p = port_pool::create(lo, hi);
    REQUIRE_FALSE(p);
    return p.err().message;
  };
  CHECK(msg(30001, 40000).find("even") != std::string::npos);
  CHECK(msg(40000, 30000).find("below") != std::string::npos);
  CHECK(msg(30000, 30000).find("below") != std::string::npos);
  CHECK(msg(1000, 2000).find("1024-65535") != std::string::npos);
  CHECK(msg(30000, 70000).find("1024-65535") != std::string::npos);
  CHECK(msg(-2, 100).find("1024-65535") != std::string::npos);
  CHECK(msg(30001, 40000).find("30001-40000") != std::string::npos);

  auto d = make(30000, 40000); // reference defaults
  CHECK(d.capacity() == 5000); // 40000 itself would need 40001 for RTCP
  CHECK(d.max_port() == 39999);
  CHECK(make(30000, 40001).capacity() == 5001);
  CHECK(make(1024, 1025).capacity() == 1);
  CHECK(make(65534, 65535).capacity() == 1);
  CHECK(make(65534, 65535).max_port() == 65535);
}

TEST_CASE("port_pool: allocation order and wraparound", "[port_pool]") {
  auto p = make(30000, 30009); // pairs 30000 30002 30004 30006 30008
  CHECK(p.capacity() == 5);
  CHECK(p.in_use() == 0);
  CHECK(p.allocate() == 30000);
  CHECK(p.allocate() == 30002);
  CHECK(p.allocate() == 30004);
  CHECK(p.in_use() == 3);
  // A just-released pair is not handed out again at once.
  CHECK(p.release(30002));
  CHECK(p.allocate() == 30006);
  CHECK(p.allocate() == 30008);
  // Wraparound: the first free pair from the start.
  CHECK(p.allocate() == 30002);
  CHECK(p.in_use() == 5);
  CHECK(p.available() == 0);
}

TEST_CASE("port_pool: exhaustion and reuse after wrap", "[port_pool]") {
  auto p = make(20000, 20007); // 4 pairs
  for (int i = 0; i < 4; ++i)
    REQUIRE(p.allocate());
  CHECK_FALSE(p.allocate());
  CHECK_FALSE(p.allocate());
  CHECK(p.release(20004));
  CHECK(p.allocate() == 20004); // the only free one
  CHECK_FALSE(p.allocate());
  CHECK(p.release(20000));
  CHECK(p.release(20006));
  // The cursor is after 20004: 20006 comes before the wrap to 20000.
  CHECK(p.allocate() == 20006);
  CHECK(p.allocate() == 20000);
  CHECK(p.in_use() == 4);
}

TEST_CASE("port_pool: no double allocation across the full range",
          "[port_pool]") {
  auto p = make(30000, 40000);
  std::set<uint16_t> seen;
  for (std::size_t i = 0; i < p.capacity(); ++i) {
    auto port = p.allocate();
    REQUIRE(port);
    CHECK(*port % 2 == 0);
    CHECK(*port >= 30000);
    CHECK(*port + 1 <= 40000);
    REQUIRE(seen.insert(*port).second);
  }
  CHECK(p.in_use() == 5000);
  CHECK_FALSE(p.allocate());

  // Churn: release every third pair, reallocate, never a duplicate.
  std::size_t released = 0;
  for (auto port : seen) {
    if (port % 3 == 0) {
      REQUIRE(p.release(port));
      ++released;
    }
  }
  std::set<uint16_t> again;
  for (std::size_t i = 0; i < released; ++i) {
    auto port = p.allocate();
    REQUIRE(port);
    CHECK(*port % 3 == 0); // only the freed ones can come back
    REQUIRE(again.insert(*port).second);
  }
  CHECK_FALSE(p.allocate());
  CHECK(p.in_use() == p.capacity());
}

TEST_CASE("port_pool: release of what is not allocated", "[port_pool]") {
  auto p = make(30000, 30009);
  auto a = p.allocate();
  REQUIRE(a == 30000);
  CHECK_FALSE(p.release(30002)); // free
  CHECK_FALSE(p.release(30001)); // RTCP port, not a pair's RTP port
  CHECK_FALSE(p.release(29998)); // below
  CHECK_FALSE(p.release(30010)); // above
  CHECK_FALSE(p.release(65535));
  CHECK(p.in_use() == 1);
  CHECK(p.release(30000));
  CHECK_FALSE(p.release(30000)); // twice
  CHECK(p.in_use() == 0);
  CHECK(p.available() == 5);
  CHECK_FALSE(p.is_allocated(30000));
}

TEST_CASE("port_pool: marking pairs unusable", "[port_pool]") {
  auto p = make(30000, 30009);
  SECTION("an allocated pair whose bind failed") {
    auto a = p.allocate();
    REQUIRE(a == 30000);
    CHECK(p.mark_unusable(*a));
    CHECK(p.in_use() == 0);
    CHECK(p.unusable() == 1);
    CHECK_FALSE(p.is_allocated(30000));
    CHECK_FALSE(p.release(30000)); // no longer allocated
    CHECK(p.allocate() == 30002);  // the shell's retry gets the next pair
  }
  SECTION("a free pair is skipped") {
    CHECK(p.mark_unusable(30002));
    CHECK(p.allocate() == 30000);
    CHECK(p.allocate() == 30004);
    CHECK(p.available() == 2);
  }
  SECTION("invalid or repeated marks change nothing") {
    CHECK(p.mark_unusable(30004));
    CHECK_FALSE(p.mark_unusable(30004));
    CHECK_FALSE(p.mark_unusable(30005));
    CHECK_FALSE(p.mark_unusable(30010));
    CHECK(p.unusable() == 1);
  }
  SECTION("all unusable means exhausted; restore brings them back") {
    for (uint16_t port = 30000; port < 30010; port += 2)
      CHECK(p.mark_unusable(port));
    CHECK(p.available() == 0);
    CHECK_FALSE(p.allocate());
    CHECK(p.restore_unusable() == 5);
    CHECK(p.unusable() == 0);
    CHECK(p.available() == 5);
    CHECK(p.allocate());
  }
  SECTION("restore keeps allocated pairs allocated") {
    auto a = p.allocate();
    REQUIRE(a);
    CHECK(p.mark_unusable(30002));
    CHECK(p.restore_unusable() == 1);
    CHECK(p.is_allocated(*a));
    CHECK(p.in_use() == 1);
    CHECK(p.available() == 4);
  }
}

TEST_CASE("port_pool: reserving a given pair (a restored call)",
          "[port_pool]") {
  auto pool = make(30000, 30009); // 5 pairs
  CHECK(pool.reserve(30004));
  CHECK(pool.is_allocated(30004));
  CHECK(pool.in_use() == 1);
  CHECK_FALSE(pool.reserve(30004)); // taken
  CHECK_FALSE(pool.reserve(30005)); // an RTCP port
  CHECK_FALSE(pool.reserve(30010)); // out of range
  CHECK(pool.mark_unusable(30006));
  CHECK_FALSE(pool.reserve(30006)); // unusable
  CHECK(pool.in_use() == 1);
  // allocate() passes over the reserved pair.
  for (int i = 0; i < 3; ++i)
    CHECK(pool.allocate() != std::optional<uint16_t>{30004});
  CHECK_FALSE(pool.allocate());
  CHECK(pool.release(30004));
  CHECK(pool.allocate() == std::optional<uint16_t>{30004});
}
