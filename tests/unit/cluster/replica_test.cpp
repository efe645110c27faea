// Sequenced deltas with fencing epochs (STYLE S15).
#include "cluster/replica.hpp"

#include <catch2/catch.hpp>

using namespace sb::cluster;

TEST_CASE("replica: in order, duplicates, gaps, fencing, a new owner",
          "[cluster][replica]") {
  replica_position pos;
  auto d = [](uint64_t epoch, uint64_t seq) {
    return replicated_delta{"call:1", epoch, seq, "x"};
  };
  CHECK(accept(pos, d(3, 1)) == delta_verdict::applied);
  CHECK(accept(pos, d(3, 2)) == delta_verdict::applied);
  CHECK(accept(pos, d(3, 2)) == delta_verdict::duplicate);
  CHECK(accept(pos, d(3, 4)) == delta_verdict::gap);
  CHECK(pos.last_seq == 2);
  // The key moved (failover): the new owner's epoch starts at 1 ...
  CHECK(accept(pos, d(4, 1)) == delta_verdict::applied);
  CHECK(pos.epoch == 4);
  // ... and the old owner, woken up from SIGSTOP, is fenced off.
  CHECK(accept(pos, d(3, 3)) == delta_verdict::stale_epoch);
  CHECK(to_string(delta_verdict::stale_epoch) == "stale_epoch");
  // A newer epoch that does not start at 1 needs a snapshot.
  CHECK(accept(pos, d(5, 7)) == delta_verdict::gap);
  CHECK(accept_snapshot(pos, 5, 7));
  CHECK(accept(pos, d(5, 8)) == delta_verdict::applied);
  CHECK_FALSE(accept_snapshot(pos, 4, 100));
  CHECK_FALSE(accept_snapshot(pos, 5, 3));
}
