#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/entity_txn.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"

#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace sb::persistence;

namespace {

struct fixture {
  sb::test::temp_dir dir{"sb-entity"};
  std::unique_ptr<rocks_store> store;
  std::unique_ptr<local_provisioning_log> log;

  fixture() {
    auto s = rocks_store::open(dir / "db");
    REQUIRE(s.ok());
    store = std::move(*s);
    auto l = local_provisioning_log::open(*store);
    REQUIRE(l.ok());
    log = std::move(*l);
  }

  // Appends and applies a transaction, as the provisioning actor does.
  void commit(const entity_txn& txn) {
    REQUIRE(log->append(txn.to_change(1, "test")).ok());
    auto n = apply_pending(*log, *store, 100);
    REQUIRE(n.ok());
    REQUIRE(*n == 1);
  }
};

} // namespace

TEST_CASE("keys sort by id and carry it", "[persistence][entities]") {
  CHECK(doc_key("domains", 7) < doc_key("domains", 10));
  CHECK(id_of_key(doc_key("domains", 42)) == 42);
  CHECK(id_of_key(ref_key("subscribers", "domain_id", 3, 9)) == 9);
  CHECK(ref_key("subscribers", "domain_id", 3, 9)
            .rfind(ref_prefix("subscribers", "domain_id", 3), 0) == 0);
  CHECK(id_of_key("d/x/notanumber") == 0);
  // Every document of a kind lies in [doc_prefix, doc_prefix_end), and no
  // document of a kind that extends its name.
  CHECK(doc_prefix("cdrs") <= doc_key("cdrs", UINT64_MAX));
  CHECK(doc_key("cdrs", UINT64_MAX) < doc_prefix_end("cdrs"));
  CHECK_FALSE(doc_key("cdrsx", 1) < doc_prefix_end("cdrs"));
}

TEST_CASE("a transaction sees its own writes and commits them as one change",
          "[persistence][entities]") {
  fixture fx;
  entity_txn txn(*fx.store);
  auto id = txn.next_id("domains");
  REQUIRE(id.ok());
  CHECK(*id == 1);
  CHECK(*txn.next_id("domains") == 2);
  txn.save("domains", 1, {{"domain", "example.org"}});
  REQUIRE(txn.claim_unique("domain", "example.org", 1).ok());
  auto seen = txn.load("domains", 1);
  REQUIRE(seen.ok());
  REQUIRE(seen->has_value());
  CHECK((**seen)["domain"] == "example.org");
  // Nothing is stored before the change is applied.
  CHECK_FALSE(
      fx.store->get(cf::provisioning, doc_key("domains", 1))->has_value());
  fx.commit(txn);

  entity_txn next(*fx.store);
  CHECK(*next.next_id("domains") == 3);
  CHECK((**next.load("domains", 1))["domain"] == "example.org");
  CHECK(**next.unique_owner("domain", "example.org") == 1);
}

TEST_CASE("unique values belong to one id", "[persistence][entities]") {
  fixture fx;
  entity_txn txn(*fx.store);
  REQUIRE(txn.claim_unique("number", "4312345", 5).ok());
  fx.commit(txn);
  entity_txn other(*fx.store);
  CHECK(other.claim_unique("number", "4312345", 5).ok());
  auto taken = other.claim_unique("number", "4312345", 6);
  REQUIRE_FALSE(taken.ok());
  CHECK(taken.err().message == "already in use by id 5");
  other.release_unique("number", "4312345");
  CHECK(other.claim_unique("number", "4312345", 6).ok());
}

TEST_CASE("referrers merge stored and pending references",
          "[persistence][entities]") {
  fixture fx;
  entity_txn txn(*fx.store);
  txn.add_ref("subscribers", "domain_id", 3, 10);
  txn.add_ref("subscribers", "domain_id", 3, 11);
  txn.add_ref("subscribers", "domain_id", 4, 12);
  fx.commit(txn);

  entity_txn next(*fx.store);
  CHECK(*next.referrers("subscribers", "domain_id", 3, 10) ==
        std::vector<uint64_t>{10, 11});
  next.remove_ref("subscribers", "domain_id", 3, 10);
  next.add_ref("subscribers", "domain_id", 3, 13);
  CHECK(*next.referrers("subscribers", "domain_id", 3, 10) ==
        std::vector<uint64_t>{11, 13});
  CHECK(*next.referrers("subscribers", "domain_id", 3, 1) ==
        std::vector<uint64_t>{11});
  CHECK(next.referrers("subscribers", "domain_id", 5, 10)->empty());
}

TEST_CASE("erase removes the document", "[persistence][entities]") {
  fixture fx;
  entity_txn txn(*fx.store);
  txn.save("customers", 1, {{"status", "active"}});
  fx.commit(txn);
  entity_txn del(*fx.store);
  del.erase("customers", 1);
  CHECK_FALSE(del.load("customers", 1)->has_value());
  fx.commit(del);
  CHECK_FALSE(
      fx.store->get(cf::provisioning, doc_key("customers", 1))->has_value());
}

TEST_CASE("corrupt stored data is an error, not a crash",
          "[persistence][entities]") {
  fixture fx;
  REQUIRE(fx.store->put(cf::provisioning, doc_key("domains", 1), "{nope", true)
              .ok());
  REQUIRE(fx.store->put(cf::provisioning, seq_key("domains"), "x1", true).ok());
  entity_txn txn(*fx.store);
  CHECK_FALSE(txn.load("domains", 1).ok());
  CHECK_FALSE(txn.next_id("domains").ok());
}

TEST_CASE("a rollback forgets the writes after its savepoint",
          "[persistence][entities]") {
  fixture fx;
  entity_txn txn(*fx.store);
  REQUIRE(txn.claim_unique("domain", "a.org", 1).ok());
  auto mark = txn.mark();
  CHECK_FALSE(txn.wrote_since(mark));
  txn.save("domains", 2, {{"domain", "b.org"}});
  REQUIRE(txn.claim_unique("domain", "b.org", 2).ok());
  CHECK(txn.wrote_since(mark));
  txn.rollback(std::move(mark));
  CHECK_FALSE(txn.load("domains", 2)->has_value());
  CHECK_FALSE(txn.unique_owner("domain", "b.org")->has_value());
  CHECK(**txn.unique_owner("domain", "a.org") == 1);
  CHECK(txn.to_change(0, "t").mutations.size() == 1);
}
