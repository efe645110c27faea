#include "persistence/kv/rocks_store.hpp"

#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <rocksdb/db.h>

using namespace sb::persistence;
using sb::test::temp_dir;

namespace {

std::unique_ptr<rocks_store> open_ok(const std::filesystem::path& dir) {
  auto s = rocks_store::open(dir);
  INFO((s ? std::string() : s.err().message));
  REQUIRE(s.ok());
  return std::move(s).value();
}

std::string open_error(const std::filesystem::path& dir) {
  auto s = rocks_store::open(dir);
  REQUIRE_FALSE(s.ok());
  return s.err().message;
}

std::optional<std::string> get(rocks_store& s, cf f, std::string_view k) {
  auto v = s.get(f, k);
  REQUIRE(v.ok());
  return *v;
}

} // namespace

TEST_CASE("persistence: cf names and the enum agree", "[persistence][rocks]") {
  for (size_t i = 0; i < cf_count; ++i) {
    auto f = static_cast<cf>(i);
    CHECK(cf_from_string(to_string(f)) == f);
  }
  CHECK_FALSE(cf_from_string("default").has_value());
  CHECK(to_string(cf::provlog) == "provlog");
}

TEST_CASE("persistence: a fresh store has every family and the schema version",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto s = open_ok(tmp / "db");
  CHECK(get(*s, cf::meta, rocks_store::schema_version_key) == "1");
  for (size_t i = 0; i < cf_count; ++i) {
    auto f = static_cast<cf>(i);
    REQUIRE(s->put(f, "k", std::string(to_string(f)), false).ok());
  }
  for (size_t i = 0; i < cf_count; ++i) {
    auto f = static_cast<cf>(i);
    CHECK(get(*s, f, "k") == std::string(to_string(f)));
  }
  CHECK(get(*s, cf::provisioning, "absent") == std::nullopt);
  CHECK(s->unknown_families().empty());
}

TEST_CASE("persistence: a write batch commits puts and deletes across families "
          "together",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto s = open_ok(tmp / "db");
  REQUIRE(s->put(cf::registrations, "gone", "x", false).ok());

  write_batch b;
  b.put(cf::provisioning, std::string("bin\0key", 7), std::string("v\0\1", 3));
  b.put(cf::cdrs, "c1", "call");
  b.del(cf::registrations, "gone");
  b.put(cf::provisioning, "twice", "first");
  b.put(cf::provisioning, "twice", "second");
  CHECK(b.size() == 5);
  // Nothing is visible before commit.
  CHECK(get(*s, cf::cdrs, "c1") == std::nullopt);
  REQUIRE(s->commit(b, true).ok());
  CHECK(get(*s, cf::provisioning, std::string("bin\0key", 7)) ==
        std::string("v\0\1", 3));
  CHECK(get(*s, cf::cdrs, "c1") == "call");
  CHECK(get(*s, cf::registrations, "gone") == std::nullopt);
  CHECK(get(*s, cf::provisioning, "twice") == "second");
  CHECK(s->commit(write_batch{}, true).ok());
}

TEST_CASE("persistence: a commit moves the generation of the families it "
          "touches",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto s = open_ok(tmp / "db");
  auto prov = s->generation(cf::provisioning);
  auto regs = s->generation(cf::registrations);
  REQUIRE(s->put(cf::registrations, "a", "1", false).ok());
  CHECK(s->generation(cf::provisioning) == prov);
  CHECK(s->generation(cf::registrations) == regs + 1);
  write_batch b;
  b.put(cf::provisioning, "x", "1");
  b.del(cf::provisioning, "y");
  b.put(cf::cdrs, "c", "1");
  REQUIRE(s->commit(b, false).ok());
  CHECK(s->generation(cf::provisioning) == prov + 1); // once per commit
  CHECK(s->generation(cf::registrations) == regs + 1);
  CHECK(s->generation(cf::cdrs) >= 1);
  // An empty batch touches nothing.
  REQUIRE(s->commit(write_batch{}, false).ok());
  CHECK(s->generation(cf::provisioning) == prov + 1);
}

TEST_CASE("persistence: data survives a reopen", "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  {
    auto s = open_ok(tmp / "db");
    REQUIRE(s->put(cf::provisioning, "alice", "1", true).ok());
    SECTION("a second open of the same directory is refused while open") {
      auto msg = open_error(tmp / "db");
      CHECK_THAT(msg, Catch::Contains((tmp / "db").string()));
    }
  }
  auto s = open_ok(tmp / "db");
  CHECK(get(*s, cf::provisioning, "alice") == "1");
  CHECK(get(*s, cf::meta, rocks_store::schema_version_key) == "1");
}

TEST_CASE("persistence: schema versions other than ours are refused",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto dir = tmp / "db";
  auto set_version = [&](const std::string& v) {
    auto s = open_ok(dir);
    REQUIRE(s->put(cf::meta, rocks_store::schema_version_key, v, true).ok());
  };
  (void)open_ok(dir);

  SECTION("newer") {
    set_version("7");
    CHECK(open_error(dir) ==
          "database at " + dir.string() +
              " has schema version 7, this sbnode supports up to 1; upgrade "
              "sbnode or restore a backup");
  }
  SECTION("older, with no migration") {
    set_version("0");
    CHECK_THAT(open_error(dir), Catch::Contains("schema version 0") &&
                                    Catch::Contains("cannot migrate"));
  }
  SECTION("not a number") {
    set_version("1x");
    CHECK_THAT(open_error(dir), Catch::Contains("'1x' is not a number"));
  }
  SECTION("missing while data exists") {
    auto s = open_ok(dir);
    write_batch b;
    b.del(cf::meta, rocks_store::schema_version_key);
    b.put(cf::cdrs, "c", "x");
    REQUIRE(s->commit(b, true).ok());
    s.reset();
    CHECK_THAT(open_error(dir), Catch::Contains("no schema version"));
  }
}

TEST_CASE(
    "persistence: families unknown to this binary are opened and left alone",
    "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto dir = tmp / "db";
  (void)open_ok(dir);
  {
    // What a newer sbnode would leave behind.
    rocksdb::Options o;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(o, dir.string(), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> descs;
    for (auto& n : names)
      descs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(o, dir.string(), descs, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    REQUIRE(db->CreateColumnFamily({}, "future", &extra).ok());
    REQUIRE(db->Put({}, extra, "k", "v").ok());
    handles.push_back(extra);
    for (auto* h : handles)
      REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  auto s = open_ok(dir);
  CHECK(s->unknown_families() == std::vector<std::string>{"future"});
}

TEST_CASE("persistence: opening a missing database without create fails",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  rocks_options o;
  o.create_if_missing = false;
  auto s = rocks_store::open(tmp / "none", o);
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.err().message, Catch::Contains("no database at"));
}

TEST_CASE("persistence: scans visit ranges and prefixes in key order",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto s = open_ok(tmp / "db");
  write_batch b;
  for (auto k : {"a:2", "a:1", "b:1", "a:3", "c"})
    b.put(cf::registrations, k, std::string("v") + k);
  REQUIRE(s->commit(b, false).ok());

  std::vector<std::string> seen;
  auto collect = [&](std::string_view k, std::string_view) {
    seen.emplace_back(k);
    return true;
  };
  SECTION("range [a:2, b:1)") {
    REQUIRE(s->scan(cf::registrations, "a:2", "b:1", 100, collect).ok());
    CHECK(seen == std::vector<std::string>{"a:2", "a:3"});
  }
  SECTION("open end with a limit") {
    REQUIRE(s->scan(cf::registrations, "", "", 2, collect).ok());
    CHECK(seen == std::vector<std::string>{"a:1", "a:2"});
  }
  SECTION("the visitor stops the scan") {
    REQUIRE(s->scan(cf::registrations, "", "", 100,
                    [&](std::string_view k, std::string_view) {
                      seen.emplace_back(k);
                      return seen.size() < 3;
                    })
                .ok());
    CHECK(seen.size() == 3);
  }
  SECTION("prefix") {
    auto r = s->scan_prefix(cf::registrations, "a:", 100);
    REQUIRE(r.ok());
    REQUIRE(r->size() == 3);
    CHECK((*r)[0] == std::pair<std::string, std::string>{"a:1", "va:1"});
    CHECK((*r)[2].first == "a:3");
    auto none = s->scan_prefix(cf::cdrs, "a:", 100);
    REQUIRE(none.ok());
    CHECK(none->empty());
  }
  SECTION("last key") {
    auto last = s->last_key(cf::registrations);
    REQUIRE(last.ok());
    CHECK(*last == "c");
    auto empty = s->last_key(cf::traces);
    REQUIRE(empty.ok());
    CHECK(*empty == std::nullopt);
  }
}

TEST_CASE("persistence: a checkpoint opens as a store with the data",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto s = open_ok(tmp / "db");
  REQUIRE(s->put(cf::provisioning, "bob", "2", false).ok());
  REQUIRE(s->checkpoint(tmp / "cp").ok());
  REQUIRE(s->put(cf::provisioning, "bob", "3", false).ok());

  auto again = s->checkpoint(tmp / "cp");
  REQUIRE_FALSE(again.ok());
  CHECK_THAT(again.err().message, Catch::Contains("checkpoint"));

  auto cp = open_ok(tmp / "cp");
  CHECK(get(*cp, cf::provisioning, "bob") == "2");
  CHECK(get(*cp, cf::meta, rocks_store::schema_version_key) == "1");
}

TEST_CASE("persistence: counters stored as decimal text read back as numbers",
          "[persistence][rocks]") {
  temp_dir tmp("sb-rocks");
  auto s = open_ok(tmp / "db");
  auto absent = s->get_u64(cf::meta, "counter");
  REQUIRE(absent.ok());
  CHECK(*absent == 0);
  REQUIRE(s->put(cf::meta, "counter", "18446744073709551615", false).ok());
  CHECK(*s->get_u64(cf::meta, "counter") == UINT64_MAX);
  for (const char* bad : {"", "12x", "-1", "18446744073709551616"}) {
    REQUIRE(s->put(cf::meta, "counter", bad, false).ok());
    auto v = s->get_u64(cf::meta, "counter");
    REQUIRE_FALSE(v.ok());
    CHECK_THAT(v.err().message, Catch::Contains("counter '") &&
                                    Catch::Contains("is not a number"));
  }
}
