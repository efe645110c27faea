#include "persistence/provlog/applier.hpp"

#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace sb::persistence;
using sb::test::temp_dir;

namespace {

// A log that returns whatever the test put in it, gaps included.
class scripted_log final : public provisioning_log {
public:
  std::vector<change> changes;

  sb::result<uint64_t> append(change c) override {
    changes.push_back(std::move(c));
    return changes.back().position;
  }
  sb::result<std::vector<change>> read_after(uint64_t position,
                                             size_t max) override {
    std::vector<change> out;
    for (const auto& c : changes)
      if (c.position > position && out.size() < max)
        out.push_back(c);
    return out;
  }
  sb::result<uint64_t> last_position() override {
    return changes.empty() ? 0 : changes.back().position;
  }
  sb::result<uint64_t> first_position() override {
    return changes.empty() ? 1 : changes.front().position;
  }
  sb::status trim_through(uint64_t position) override {
    std::erase_if(changes,
                  [&](const change& c) { return c.position <= position; });
    return {};
  }
};

change put_change(uint64_t position, const std::string& key,
                  const std::string& value) {
  change c;
  c.position = position;
  c.origin = "test";
  c.mutations.push_back({"provisioning", key, value});
  return c;
}

std::unique_ptr<rocks_store> open_store(const std::filesystem::path& dir) {
  auto s = rocks_store::open(dir);
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::optional<std::string> get(rocks_store& s, cf f, const std::string& k) {
  auto v = s.get(f, k);
  REQUIRE(v.ok());
  return *v;
}

} // namespace

TEST_CASE("persistence: the applier applies changes in order, in batches",
          "[persistence][applier]") {
  temp_dir tmp("sb-applier");
  auto store = open_store(tmp / "db");
  auto log = std::move(local_provisioning_log::open(*store)).value();
  CHECK(*applied_position(*store) == 0);

  // Later changes overwrite and delete earlier ones: order matters.
  REQUIRE(log->append(put_change(0, "alice", "v1")).ok());
  REQUIRE(log->append(put_change(0, "bob", "b1")).ok());
  REQUIRE(log->append(put_change(0, "alice", "v2")).ok());
  change del;
  del.mutations.push_back({"provisioning", "bob", std::nullopt});
  del.mutations.push_back({"registrations", "bob@x", std::string("c")});
  REQUIRE(log->append(del).ok());

  auto n = apply_pending(*log, *store, 3);
  REQUIRE(n.ok());
  CHECK(*n == 3);
  CHECK(*applied_position(*store) == 3);
  CHECK(get(*store, cf::provisioning, "alice") == "v2");
  CHECK(get(*store, cf::provisioning, "bob") == "b1");

  n = apply_pending(*log, *store, 3);
  REQUIRE(n.ok());
  CHECK(*n == 1);
  CHECK(*applied_position(*store) == 4);
  CHECK(get(*store, cf::provisioning, "bob") == std::nullopt);
  CHECK(get(*store, cf::registrations, "bob@x") == "c");

  n = apply_pending(*log, *store, 3);
  REQUIRE(n.ok());
  CHECK(*n == 0);
}

TEST_CASE("persistence: the applier refuses a gap", "[persistence][applier]") {
  temp_dir tmp("sb-applier");
  auto store = open_store(tmp / "db");
  scripted_log log;

  SECTION("after applying what precedes it") {
    log.changes = {put_change(1, "a", "1"), put_change(3, "c", "3")};
    auto n = apply_pending(log, *store, 10);
    REQUIRE_FALSE(n.ok());
    CHECK_THAT(n.err().message, Catch::Contains("gap") &&
                                    Catch::Contains("position 3") &&
                                    Catch::Contains("1 was applied last"));
    CHECK(*applied_position(*store) == 1);
    CHECK(get(*store, cf::provisioning, "a") == "1");
    CHECK(get(*store, cf::provisioning, "c") == std::nullopt);
  }
  SECTION("at the start") {
    log.changes = {put_change(2, "b", "2")};
    REQUIRE_FALSE(apply_pending(log, *store, 10).ok());
    CHECK(*applied_position(*store) == 0);
  }
}

TEST_CASE("persistence: the applier refuses unknown or reserved families",
          "[persistence][applier]") {
  temp_dir tmp("sb-applier");
  auto store = open_store(tmp / "db");
  scripted_log log;
  auto name = GENERATE(as<std::string>{}, "meta", "provlog", "nosuch");
  change c = put_change(1, "ok", "1");
  c.mutations.push_back({name, "applied_position", std::string("99")});
  log.changes = {c};
  auto n = apply_pending(log, *store, 10);
  REQUIRE_FALSE(n.ok());
  CHECK_THAT(n.err().message, Catch::Contains("'" + name + "'"));
  // All or nothing: the valid mutation of the same change is not applied.
  CHECK(get(*store, cf::provisioning, "ok") == std::nullopt);
  CHECK(*applied_position(*store) == 0);
}

TEST_CASE("persistence: the applied position persists across a reopen",
          "[persistence][applier]") {
  temp_dir tmp("sb-applier");
  {
    auto store = open_store(tmp / "db");
    auto log = std::move(local_provisioning_log::open(*store)).value();
    for (int i = 0; i < 5; ++i)
      REQUIRE(log->append(put_change(0, "k" + std::to_string(i), "v")).ok());
    REQUIRE(*apply_pending(*log, *store, 2) == 2);
  }
  auto store = open_store(tmp / "db");
  CHECK(*applied_position(*store) == 2);
  auto log = std::move(local_provisioning_log::open(*store)).value();
  REQUIRE(*apply_pending(*log, *store, 100) == 3);
  CHECK(*applied_position(*store) == 5);
  CHECK(get(*store, cf::provisioning, "k4") == "v");
}

TEST_CASE("persistence: a corrupt applied position is an error",
          "[persistence][applier]") {
  temp_dir tmp("sb-applier");
  auto store = open_store(tmp / "db");
  REQUIRE(store->put(cf::meta, applied_position_key, "x", true).ok());
  auto p = applied_position(*store);
  REQUIRE_FALSE(p.ok());
  CHECK_THAT(p.err().message, Catch::Contains("applied_position 'x'"));
}
