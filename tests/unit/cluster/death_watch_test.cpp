// The HA peer's death is noticed once per death, and only after the peer
// was seen alive.
#include "cluster/death_watch.hpp"

#include <catch2/catch.hpp>

using namespace sb::cluster;

namespace {

std::vector<member_status> with_peer(peer_state s) {
  member_status self;
  self.name = "sp1";
  self.state = peer_state::alive;
  self.self = true;
  member_status peer;
  peer.name = "sp2";
  peer.state = s;
  return {self, peer};
}

} // namespace

TEST_CASE("death watch: once per death, after the peer was seen", "[cluster]") {
  death_watch w("sp2");
  CHECK_FALSE(w.died(with_peer(peer_state::dead))); // never seen: starting
  CHECK_FALSE(w.died({}));                          // not a member (yet)
  CHECK_FALSE(w.died(with_peer(peer_state::alive)));
  CHECK_FALSE(w.died(with_peer(peer_state::suspect)));
  CHECK(w.died(with_peer(peer_state::dead)));
  CHECK_FALSE(w.died(with_peer(peer_state::dead)));  // the same death
  CHECK_FALSE(w.died(with_peer(peer_state::alive))); // restarted
  CHECK(w.died(with_peer(peer_state::dead)));        // and died again
}
