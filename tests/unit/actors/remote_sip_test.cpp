// Requests forwarded between nodes: answers travel as JSON and come back
// under the key the origin's edge gave them; remote keys never collide
// with an edge's own.
#include "actors/support/remote_sip.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors;
using sb::sip::edge::sip_reply;
using namespace std::chrono_literals;

TEST_CASE("remote sip: an answer survives its JSON trip",
          "[actors][remote_sip]") {
  sip_reply r = sip_reply::of(200, "OK",
                              {{"Contact", "<sip:a@192.0.2.1>;expires=600"},
                               {"Date", "Fri, 27 Nov 2026 10:00:00 GMT"}});
  r.content_type = "application/sdp";
  r.body = "v=0\r\n";
  r.to_tag = "t1";
  auto back = reply_from_json(reply_to_json(r));
  CHECK(back.code == 200);
  CHECK(back.reason == "OK");
  CHECK(back.headers == r.headers);
  CHECK(back.content_type == r.content_type);
  CHECK(back.body == r.body);
  CHECK(back.to_tag == "t1");
  // Garbage from a peer is a 500, not an exception.
  CHECK(reply_from_json(nlohmann::json::object()).code == 500);
  CHECK(reply_from_json({{"code", "two hundred"}}).code == 500);
  CHECK(reply_from_json({{"code", 200}, {"headers", {{1, 2}}}}).code == 500);
}

TEST_CASE("remote sip: remote keys, provisional and final answers, expiry",
          "[actors][remote_sip]") {
  remote_requests table;
  auto t0 = std::chrono::steady_clock::time_point{} + 100s;
  auto a = table.add(caf::actor{}, 7, t0);
  auto b = table.add(caf::actor{}, 8, t0);
  CHECK(a != b);
  CHECK(remote_requests::is_remote(a));
  CHECK_FALSE(remote_requests::is_remote(7)); // an edge's own key
  CHECK_FALSE(table.reply(12345, sip_reply::of(200)));
  // A provisional answer keeps the entry for the final one.
  CHECK(table.reply(a, sip_reply::of(180)));
  CHECK(table.reply(a, sip_reply::of(200)));
  CHECK_FALSE(table.reply(a, sip_reply::of(200)));
  // Unanswered for longer than max_age: dropped at the next add.
  table.add(caf::actor{}, 9, t0 + table.max_age + 1s);
  CHECK_FALSE(table.reply(b, sip_reply::of(200)));
}
