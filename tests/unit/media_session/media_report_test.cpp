// The media counters' JSON, as they travel from a media session to a call
// actor on another node: the last packet becomes an age and back.
#include "actors/media/media_report.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::media;
using namespace std::chrono_literals;
using std::chrono::steady_clock;

TEST_CASE("media report: counters and the last packet's age survive the "
          "wire",
          "[media_session][media_report]") {
  steady_clock::time_point sender_now{1000s};
  media_report r;
  sb::media::leg_stats a;
  a.packets = 12;
  a.bytes = 2064;
  a.rtp_packets = 10;
  a.lost = 1;
  a.foreign = 2;
  a.unroutable = 3;
  a.latched = "192.0.2.7:4000";
  a.last_packet = sender_now - 1500ms;
  r.streams.push_back({a, sb::media::leg_stats{}});

  // The receiver's clock reads something else entirely.
  steady_clock::time_point receiver_now{50s};
  auto back = report_from_json(report_to_json(r, sender_now), receiver_now);
  REQUIRE(back.ok());
  REQUIRE(back->streams.size() == 1);
  const auto& got = back->streams[0][0];
  CHECK(got.packets == 12);
  CHECK(got.bytes == 2064);
  CHECK(got.rtp_packets == 10);
  CHECK(got.lost == 1);
  CHECK(got.foreign == 2);
  CHECK(got.unroutable == 3);
  CHECK(got.latched == "192.0.2.7:4000");
  REQUIRE(got.last_packet);
  CHECK(*got.last_packet == receiver_now - 1500ms);
  CHECK_FALSE(back->streams[0][1].last_packet);
  CHECK_FALSE(back->streams[0][1].latched);
}

TEST_CASE("media report: a report that is not one is an error",
          "[media_session][media_report]") {
  auto now = steady_clock::now();
  CHECK_FALSE(report_from_json(nlohmann::json::object(), now).ok());
  CHECK_FALSE(report_from_json({{"streams", {1}}}, now).ok());
  auto r = report_from_json({{"streams",
                              {{{{"packets", 1},
                                 {"bytes", 1},
                                 {"rtp_packets", 1},
                                 {"lost", 0},
                                 {"foreign", 0},
                                 {"unroutable", 0},
                                 {"latched", nullptr},
                                 {"idle_ms", -5}},
                                {{"packets", "x"}}}}}},
                            now);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("media report") == 0);
}
