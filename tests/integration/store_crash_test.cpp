#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/local_provisioning_log.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace sb::persistence;
using namespace std::chrono_literals;

namespace {

const std::string writer = std::string(SB_BIN_DIR) + "/sb_store_writer";

// Runs the writer on `dir` until `acks` acknowledgements (or 60 s), SIGKILLs
// it and returns every position it acknowledged, in order.
std::vector<uint64_t> write_and_kill(const std::filesystem::path& dir,
                                     const std::string& run, size_t acks) {
  sb::test::process_options o;
  o.argv = {writer, "--dir", dir.string(), "--run", run, "--seconds", "90"};
  o.stderr_file = dir.parent_path() / ("writer-" + run + ".err");
  auto child = sb::test::process::spawn(o);
  INFO((child ? std::string() : child.err().message));
  REQUIRE(child.ok());

  std::vector<uint64_t> acked;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (acked.size() < acks && std::chrono::steady_clock::now() < deadline) {
    auto line = child->read_line(1s);
    if (!line) {
      if (child->wait(0ms))
        break; // ended early: reported below
      continue;
    }
    REQUIRE(line->rfind("ack ", 0) == 0);
    acked.push_back(std::stoull(line->substr(4)));
  }
  REQUIRE(child->kill(SIGKILL));
  auto ended = child->wait(10s);
  REQUIRE(ended.has_value());
  CHECK(ended->signaled);
  CHECK(ended->signal == SIGKILL);
  // Acks written before the kill are acknowledged too.
  while (auto line = child->read_line(100ms))
    if (line->rfind("ack ", 0) == 0)
      acked.push_back(std::stoull(line->substr(4)));
  INFO("writer stderr: " << o.stderr_file);
  REQUIRE(acked.size() >= acks);
  return acked;
}

// Checks the store after a crash and returns the log's last position.
uint64_t check_consistent(const std::filesystem::path& dir,
                          const std::vector<uint64_t>& acked) {
  auto store = rocks_store::open(dir);
  INFO((store ? std::string() : store.err().message));
  REQUIRE(store.ok());
  auto log = local_provisioning_log::open(**store);
  REQUIRE(log.ok());
  auto applied = applied_position(**store);
  REQUIRE(applied.ok());
  auto last = (*log)->last_position();
  REQUIRE(last.ok());

  // Acks are dense and increasing; the child can be at most one change
  // past its last ack when it dies.
  for (size_t i = 1; i < acked.size(); ++i)
    REQUIRE(acked[i] == acked[i - 1] + 1);
  auto max_ack = acked.back();
  CHECK(max_ack <= *applied);
  CHECK(*applied <= *last);
  CHECK(*last <= max_ack + 1);

  auto entries = (*log)->read_after(0, 1'000'000);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == *last);
  size_t present = 0, absent = 0;
  for (size_t i = 0; i < entries->size(); ++i) {
    const auto& c = (*entries)[i];
    REQUIRE(c.position == i + 1);
    REQUIRE(c.mutations.size() == 2);
    // Applied changes are fully there, later ones not at all.
    for (const auto& m : c.mutations) {
      auto v = (*store)->get(*cf_from_string(m.cf), m.key);
      REQUIRE(v.ok());
      if (c.position <= *applied) {
        CHECK(*v == m.value);
        ++present;
      } else {
        CHECK(*v == std::nullopt);
        ++absent;
      }
    }
  }
  CHECK(present == 2 * *applied);
  CHECK(absent == 2 * (*last - *applied));

  // Recovery: the applier catches up with whatever the log holds.
  auto caught_up = apply_pending(**log, **store, 16);
  REQUIRE(caught_up.ok());
  CHECK(*applied_position(**store) == *last);
  return *last;
}

} // namespace

TEST_CASE("store crash: acknowledged provisioning writes survive SIGKILL of "
          "the writer",
          "[store][crash]") {
  sb::test::temp_dir tmp("sb-crash");
  auto dir = tmp / "db";

  auto first = write_and_kill(dir, "one", 200);
  CHECK(first.front() == 1);
  auto last = check_consistent(dir, first);

  // A second writer continues the same log after the crash.
  auto second = write_and_kill(dir, "two", 50);
  CHECK(second.front() == last + 1);
  check_consistent(dir, second);
}
