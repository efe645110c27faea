// The cluster's CDR path: outbox → shared log → every db node's CDR store,
// none lost, none twice, the same ids on every collector.
#include "persistence/cdrlog/cdr_log.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace sb::persistence;
using sb::test::temp_dir;

namespace {

struct node_db {
  std::unique_ptr<rocks_store> store;
  uint64_t next = 0;

  explicit node_db(const std::filesystem::path& dir) {
    auto opened = rocks_store::open(dir);
    REQUIRE(opened.ok());
    store = std::move(*opened);
  }

  // What cdr_writer does in a cluster: the next outbox id.
  void write_cdr(const std::string& doc) {
    write_batch b;
    b.put(cf::cdrs, doc_key(keys::kind_cdr_outbox, ++next), doc);
    b.put(cf::cdrs, seq_key(keys::kind_cdr_outbox), std::to_string(next));
    REQUIRE(store->commit(b, true).ok());
  }

  std::vector<std::string> cdrs() {
    std::vector<std::string> out;
    auto all = store->scan_prefix(cf::cdrs, doc_prefix(keys::kind_cdrs), 1000);
    REQUIRE(all.ok());
    for (auto& [key, doc] : *all)
      out.push_back(std::to_string(id_of_key(key)) + ":" + doc);
    return out;
  }
};

// The cluster's CDR log, on a store of its own (Redis in production).
struct shared_log {
  node_db db;
  std::unique_ptr<local_provisioning_log> log;

  explicit shared_log(const std::filesystem::path& dir)
      : db(dir) {
    auto opened = local_provisioning_log::open(*db.store);
    REQUIRE(opened.ok());
    log = std::move(*opened);
  }
};

// A log that refuses appends, as Redis does when it is gone.
class broken_log final : public provisioning_log {
public:
  sb::result<uint64_t> append(change) override {
    return sb::error{"redis: not connected"};
  }
  sb::result<std::vector<change>> read_after(uint64_t, size_t) override {
    return sb::error{"redis: not connected"};
  }
  sb::result<uint64_t> last_position() override { return 0; }
  sb::result<uint64_t> first_position() override { return 1; }
  sb::status trim_through(uint64_t) override { return {}; }
};

} // namespace

TEST_CASE("cdr log: shipped outboxes are collected in order, with the same "
          "ids on every db node",
          "[persistence][cdrlog]") {
  temp_dir tmp("sb-cdrlog");
  shared_log log(tmp / "shared");
  node_db sp2(tmp / "sp2"), sp3(tmp / "sp3"), db1(tmp / "db1"),
      db2(tmp / "db2");

  sp2.write_cdr("a");
  sp2.write_cdr("b");
  sp3.write_cdr("c");
  CHECK(*cdr_outbox_size(*sp2.store) == 2);
  CHECK(*ship_cdrs(*sp2.store, *log.log, "sp2", 1, 1000) == 1); // batch of 1
  CHECK(*ship_cdrs(*sp3.store, *log.log, "sp3", 10, 1001) == 1);
  CHECK(*ship_cdrs(*sp2.store, *log.log, "sp2", 10, 1002) == 1);
  CHECK(*ship_cdrs(*sp2.store, *log.log, "sp2", 10, 1003) == 0); // empty
  CHECK(*cdr_outbox_size(*sp2.store) == 0);
  CHECK(sp2.cdrs().empty()); // a proxy lists none of them

  auto r = collect_cdrs(*log.log, *db1.store, 2);
  REQUIRE(r.ok());
  CHECK(r->changes == 2);
  CHECK(r->stored == 2);
  CHECK(r->newest_ms == 1001);
  r = collect_cdrs(*log.log, *db1.store, 2);
  REQUIRE(r.ok());
  CHECK(r->changes == 1);
  CHECK(*cdr_collected_position(*db1.store) == 3);
  CHECK(collect_cdrs(*log.log, *db1.store, 2)->changes == 0);
  CHECK(db1.cdrs() == std::vector<std::string>{"1:a", "2:c", "3:b"});

  REQUIRE(collect_cdrs(*log.log, *db2.store, 100).ok());
  CHECK(db2.cdrs() == db1.cdrs());

  // Later CDRs continue the ids.
  sp3.write_cdr("d");
  REQUIRE(ship_cdrs(*sp3.store, *log.log, "sp3", 10, 1004).ok());
  REQUIRE(collect_cdrs(*log.log, *db1.store, 100).ok());
  CHECK(db1.cdrs().back() == "4:d");
}

TEST_CASE("cdr log: CDRs shipped twice are stored once; a wiped node is "
          "new",
          "[persistence][cdrlog]") {
  temp_dir tmp("sb-cdrlog");
  shared_log log(tmp / "shared");
  node_db db(tmp / "db");
  {
    node_db sp2(tmp / "sp2");
    sp2.write_cdr("a");
    sp2.write_cdr("b");
    // Killed between the append and the outbox delete: the same CDRs again,
    // now with one written since.
    auto pending =
        sp2.store->scan_prefix(cf::cdrs, doc_prefix(keys::kind_cdr_outbox), 10);
    REQUIRE(ship_cdrs(*sp2.store, *log.log, "sp2", 10, 1).ok());
    write_batch again;
    for (auto& [k, v] : *pending)
      again.put(cf::cdrs, k, v);
    REQUIRE(sp2.store->commit(again, true).ok());
    sp2.write_cdr("c");
    CHECK(*ship_cdrs(*sp2.store, *log.log, "sp2", 10, 2) == 3);
  }
  auto r = collect_cdrs(*log.log, *db.store, 100);
  REQUIRE(r.ok());
  CHECK(r->stored == 3);
  CHECK(r->duplicates == 2);
  CHECK(db.cdrs() == std::vector<std::string>{"1:a", "2:b", "3:c"});

  // The node's store is wiped: its outbox ids start at 1 again, and they
  // are new CDRs, not repeats.
  std::filesystem::remove_all(tmp / "sp2");
  node_db fresh(tmp / "sp2");
  fresh.write_cdr("x");
  REQUIRE(ship_cdrs(*fresh.store, *log.log, "sp2", 10, 3).ok());
  r = collect_cdrs(*log.log, *db.store, 100);
  REQUIRE(r.ok());
  CHECK(r->stored == 1);
  CHECK(db.cdrs().back() == "4:x");
}

TEST_CASE("cdr log: an append that fails keeps the outbox",
          "[persistence][cdrlog]") {
  temp_dir tmp("sb-cdrlog");
  node_db sp2(tmp / "sp2");
  sp2.write_cdr("a");
  broken_log log;
  auto n = ship_cdrs(*sp2.store, log, "sp2", 10, 1);
  REQUIRE_FALSE(n.ok());
  CHECK_THAT(n.err().message, Catch::Contains("not connected"));
  CHECK(*cdr_outbox_size(*sp2.store) == 1);
  CHECK_FALSE(collect_cdrs(log, *sp2.store, 10).ok());
}

TEST_CASE("cdr log: a collector behind a trimmed log goes on and reports the "
          "gap; entries that are no CDR are skipped",
          "[persistence][cdrlog]") {
  temp_dir tmp("sb-cdrlog");
  shared_log log(tmp / "shared");
  node_db sp2(tmp / "sp2"), late(tmp / "late");
  for (const char* doc : {"a", "b", "c"}) {
    sp2.write_cdr(doc);
    REQUIRE(ship_cdrs(*sp2.store, *log.log, "sp2", 10, 1).ok());
  }
  change bad;
  bad.origin = "sp9/0000000000000001";
  bad.mutations.push_back({"provisioning", "1", std::string("x")});
  bad.mutations.push_back({"cdrs", "not-a-number", std::string("y")});
  bad.mutations.push_back({"cdrs", "2", std::nullopt});
  bad.mutations.push_back({"cdrs", "3", std::string("z")});
  REQUIRE(log.log->append(bad).ok());
  REQUIRE(log.log->trim_through(2).ok());

  auto r = collect_cdrs(*log.log, *late.store, 100);
  REQUIRE(r.ok());
  CHECK(r->skipped_from == 1);
  CHECK(r->skipped_to == 2);
  CHECK(r->rejected == 3);
  CHECK(late.cdrs() == std::vector<std::string>{"1:c", "2:z"});
  CHECK(*cdr_collected_position(*late.store) == 4);
}

TEST_CASE("cdr log: the first live db node trims through what every db node "
          "of network.yml collected",
          "[persistence][cdrlog]") {
  std::vector<std::string> dbs{"sp1", "sp2"};
  std::map<std::string, uint64_t> reported{{"sp1", 40}, {"sp2", 25}};
  CHECK(cdr_trim_through("sp1", dbs, {"sp1", "sp2", "sp3"}, reported) == 25);
  // Another node trims, or none but the first live collector.
  CHECK(cdr_trim_through("sp2", dbs, {"sp1", "sp2", "sp3"}, reported) == 0);
  CHECK(cdr_trim_through("sp3", dbs, {"sp1", "sp2", "sp3"}, reported) == 0);
  // sp1 dead: sp2 trims, still only through what sp1 had collected.
  CHECK(cdr_trim_through("sp2", dbs, {"sp2", "sp3"}, reported) == 25);
  // A db node that never reported holds the whole log.
  CHECK(cdr_trim_through("sp1", {"sp1", "sp2", "sp4"}, {"sp1"}, reported) == 0);
  // Without db nodes nobody trims.
  CHECK(cdr_trim_through("sp1", {}, {"sp1"}, reported) == 0);
}
