// The media timeout decision from the relay's counters.
#include "actors/call/media_watch.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::call;
using namespace std::chrono_literals;

TEST_CASE("media watch: idle time from the newest packet of any leg",
          "[call][media_watch]") {
  steady_clock::time_point t0{};
  sb::actors::media::media_report rep;
  CHECK(media_idle(rep, t0, t0 + 7s) == 7s); // nothing ever: since the answer
  rep.streams.resize(2);
  rep.streams[0][0].last_packet = t0 + 2s;
  rep.streams[1][1].last_packet = t0 + 5s;
  CHECK(media_idle(rep, t0, t0 + 7s) == 2s);
  // Packets from before the answer do not count.
  CHECK(media_idle(rep, t0 + 6s, t0 + 7s) == 1s);

  CHECK_FALSE(media_timed_out(59s, false, 60s, 3600s));
  CHECK(media_timed_out(60s, false, 60s, 3600s));
  CHECK_FALSE(media_timed_out(600s, true, 60s, 3600s)); // held: longer limit
  CHECK(media_timed_out(3600s, true, 60s, 3600s));
}
