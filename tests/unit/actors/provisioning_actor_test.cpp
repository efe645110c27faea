#include "actors/provisioning/provisioning_actor.hpp"
#include "persistence/entities/entity_txn.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"

#include "tests/support/temp_dir.hpp"

#include <future>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

using namespace sb;
using namespace std::chrono_literals;

namespace {

struct fixture {
  test::temp_dir dir{"sb-prov"};
  std::unique_ptr<persistence::rocks_store> store;
  std::unique_ptr<persistence::local_provisioning_log> log;
  actors::provisioning_progress progress;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;
  caf::actor actor;

  fixture() {
    auto s = persistence::rocks_store::open(dir / "db");
    REQUIRE(s.ok());
    store = std::move(s).value();
    auto l = persistence::local_provisioning_log::open(*store);
    REQUIRE(l.ok());
    log = std::move(l).value();
    cfg.set("scheduler.max-threads", size_t{1});
    sys = std::make_unique<caf::actor_system>(cfg);
    actor = actors::spawn_provisioning_actor(*sys, "test", *log, *store,
                                             progress, 16, 50ms);
  }

  ~fixture() {
    caf::anon_send_exit(actor, caf::exit_reason::user_shutdown);
    actor = nullptr;
    sys.reset();
  }

  // Runs a transaction in the actor and waits for its outcome.
  result<uint64_t> run(std::function<status(persistence::entity_txn&)> build) {
    auto done = std::make_shared<std::promise<result<uint64_t>>>();
    auto fut = done->get_future();
    auto t = std::make_shared<actors::provisioning_txn>();
    t->build = std::move(build);
    t->done = [done](result<uint64_t> r) { done->set_value(std::move(r)); };
    caf::anon_send(actor, actors::prov_txn_atom::value, t);
    REQUIRE(fut.wait_for(10s) == std::future_status::ready);
    return fut.get();
  }
};

} // namespace

TEST_CASE("a provisioning transaction is appended, applied, then confirmed",
          "[actors][provisioning]") {
  fixture fx;
  auto pos = fx.run([](persistence::entity_txn& txn) -> status {
    auto id = txn.next_id("domains");
    if (!id)
      return id.err();
    txn.save("domains", *id, {{"domain", "example.org"}});
    return txn.claim_unique("domain", "example.org", *id);
  });
  REQUIRE(pos.ok());
  CHECK(*pos == 1);
  // Applied before `done`: a read right after the confirmation sees it.
  persistence::entity_txn read(*fx.store);
  CHECK((**read.load("domains", 1))["domain"] == "example.org");
  CHECK(fx.progress.applied == 1);
}

TEST_CASE("a refused transaction appends nothing", "[actors][provisioning]") {
  fixture fx;
  REQUIRE(fx.run([](persistence::entity_txn& txn) -> status {
              txn.save("domains", 1, {{"domain", "a.org"}});
              return txn.claim_unique("domain", "a.org", 1);
            }).ok());
  auto refused = fx.run([](persistence::entity_txn& txn) -> status {
    txn.save("domains", 2, {{"domain", "a.org"}});
    return txn.claim_unique("domain", "a.org", 2);
  });
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.err().message == "already in use by id 1");
  CHECK(*fx.log->last_position() == 1);
  persistence::entity_txn read(*fx.store);
  CHECK_FALSE(read.load("domains", 2)->has_value());
}

TEST_CASE("a transaction that writes nothing is confirmed at position 0",
          "[actors][provisioning]") {
  fixture fx;
  auto pos = fx.run([](persistence::entity_txn&) -> status { return {}; });
  REQUIRE(pos.ok());
  CHECK(*pos == 0);
  CHECK(*fx.log->last_position() == 0);
}

TEST_CASE("queued transactions share one change, each sees the ones before",
          "[actors][provisioning]") {
  fixture fx;
  // Three transactions queued together: the second conflicts with the first
  // and is rolled back alone; the others are written as one change.
  auto claim = [](uint64_t id, std::string name) {
    return [id, name](persistence::entity_txn& txn) -> status {
      txn.save("domains", id, {{"domain", name}});
      return txn.claim_unique("domain", name, id);
    };
  };
  std::vector<std::future<result<uint64_t>>> outcomes;
  std::vector<std::shared_ptr<std::promise<result<uint64_t>>>> promises;
  std::vector<std::function<status(persistence::entity_txn&)>> builds{
      claim(1, "a.org"), claim(2, "a.org"), claim(3, "b.org")};
  for (auto& b : builds) {
    auto p = std::make_shared<std::promise<result<uint64_t>>>();
    outcomes.push_back(p->get_future());
    auto t = std::make_shared<actors::provisioning_txn>();
    t->build = b;
    t->done = [p](result<uint64_t> r) { p->set_value(std::move(r)); };
    caf::anon_send(fx.actor, actors::prov_txn_atom::value, t);
  }
  std::vector<result<uint64_t>> r;
  for (auto& f : outcomes) {
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    r.push_back(f.get());
  }
  REQUIRE(r[0].ok());
  REQUIRE_FALSE(r[1].ok());
  CHECK(r[1].err().message == "already in use by id 1");
  REQUIRE(r[2].ok());
  persistence::entity_txn read(*fx.store);
  CHECK((**read.load("domains", 1))["domain"] == "a.org");
  CHECK_FALSE(read.load("domains", 2)->has_value());
  CHECK((**read.load("domains", 3))["domain"] == "b.org");
  // Grouped or not, positions are dense and every write is applied.
  CHECK(*r[2] >= *r[0]);
  CHECK(fx.progress.applied == *fx.log->last_position());
}
