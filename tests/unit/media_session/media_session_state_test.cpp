// The media session's control core: ports per stream and leg, the SDP each
// leg is given, where each peer receives, rtcp-mux agreement, re-offers
// from either side, and ports returned to the pool.
#include "actors/media/media_session_state.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::media;
using sb::media::leg_id;
using sb::media::port_pool;

namespace {

const auto relay = *sb::net::parse_ip_address("203.0.113.1");

std::string sdp(const std::string& ip, int port, const std::string& extra = "",
                const std::string& more_media = "") {
  return "v=0\r\no=phone 123 456 IN IP4 " + ip + "\r\ns=call\r\nc=IN IP4 " +
         ip + "\r\nt=0 0\r\nm=audio " + std::to_string(port) +
         " RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\n" + extra + more_media;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

port_pool pool_of(long min, long max) {
  auto p = port_pool::create(min, max);
  REQUIRE(p.ok());
  return std::move(*p);
}

} // namespace

TEST_CASE("media session: offer and answer put the relay in between",
          "[media_session]") {
  auto pool = pool_of(30000, 30099);
  auto st = make_media_session(1000);
  auto offer = on_offer(st, pool, leg_id::a,
                        sdp("192.168.1.20", 4000, "a=rtcp-mux\r\n"), relay);
  REQUIRE(offer.ok());
  REQUIRE(offer->allocated.size() == 2); // one pair per leg
  CHECK(pool.in_use() == 2);
  auto a_port = *st.streams[0].port[0];
  auto b_port = *st.streams[0].port[1];
  CHECK(a_port != b_port);
  // B is offered the relay's B-leg port; A's address never reaches B.
  CHECK(contains(offer->body, "m=audio " + std::to_string(b_port) + " "));
  CHECK(contains(offer->body, "c=IN IP4 203.0.113.1"));
  CHECK_FALSE(contains(offer->body, "192.168.1.20"));
  CHECK(contains(offer->body, "a=rtcp-mux"));
  CHECK(contains(offer->body, "o=- 1001 1 IN IP4 203.0.113.1"));
  REQUIRE(offer->expect.size() == 1);
  REQUIRE(offer->expect[0]);
  CHECK(offer->expect[0]->ip.to_string() == "192.168.1.20");
  CHECK(offer->expect[0]->rtp == 4000);
  CHECK(offer->expect[0]->rtcp == 4000); // muxed

  SECTION("the answerer accepts rtcp-mux: both legs mux") {
    auto ans = on_answer(st, leg_id::b, sdp("10.0.0.7", 5000, "a=rtcp-mux\r\n"),
                         relay);
    REQUIRE(ans.ok());
    CHECK(contains(ans->body, "m=audio " + std::to_string(a_port) + " "));
    CHECK(contains(ans->body, "a=rtcp-mux"));
    CHECK_FALSE(contains(ans->body, "10.0.0.7"));
    CHECK(contains(ans->body, "o=- 1000 1 IN IP4 203.0.113.1"));
    REQUIRE(ans->expect[0]);
    CHECK(ans->expect[0]->rtp == 5000);
    CHECK(ans->allocated.empty());
  }
  SECTION("the answerer does not mux: A is told not to either") {
    auto ans = on_answer(st, leg_id::b, sdp("10.0.0.7", 5000), relay);
    REQUIRE(ans.ok());
    CHECK_FALSE(contains(ans->body, "a=rtcp-mux"));
    CHECK(contains(ans->body, "a=rtcp:" + std::to_string(a_port + 1)));
    CHECK(ans->expect[0]->rtcp == 5001);
  }
  SECTION("an answer from the offerer itself is refused; the answerer may "
          "repeat it (183, then 200) with the same result") {
    CHECK_FALSE(on_answer(st, leg_id::a, sdp("10.0.0.7", 5000), relay).ok());
    auto first = on_answer(st, leg_id::b, sdp("10.0.0.7", 5000), relay);
    REQUIRE(first.ok());
    auto again = on_answer(st, leg_id::b, sdp("10.0.0.7", 5000), relay);
    REQUIRE(again.ok());
    CHECK(again->body == first->body);
  }
}

TEST_CASE("media session: re-offers keep the ports, hold passes through, "
          "versions move only on change",
          "[media_session]") {
  auto pool = pool_of(30000, 30099);
  auto st = make_media_session(1);
  REQUIRE(on_offer(st, pool, leg_id::a, sdp("192.168.1.20", 4000), relay).ok());
  REQUIRE(on_answer(st, leg_id::b, sdp("10.0.0.7", 5000), relay).ok());
  auto ports = st.streams[0].port;

  // B puts the call on hold with a re-INVITE: A gets it, same ports.
  auto hold = on_offer(st, pool, leg_id::b,
                       sdp("10.0.0.7", 5000, "a=sendonly\r\n"), relay);
  REQUIRE(hold.ok());
  CHECK(hold->allocated.empty());
  CHECK(st.streams[0].port == ports);
  CHECK(contains(hold->body, "a=sendonly"));
  CHECK(contains(hold->body, "m=audio " + std::to_string(*ports[0]) + " "));
  CHECK(contains(hold->body, "o=- 1 2 IN IP4")); // changed: version 2
  auto ans = on_answer(st, leg_id::a,
                       sdp("192.168.1.20", 4000, "a=recvonly\r\n"), relay);
  REQUIRE(ans.ok());
  CHECK(contains(ans->body, "a=recvonly"));
  CHECK(contains(ans->body, "o=- 2 2 IN IP4"));

  // The same SDP again (a session refresh) keeps the version.
  auto again = on_offer(st, pool, leg_id::b,
                        sdp("10.0.0.7", 5000, "a=sendonly\r\n"), relay);
  REQUIRE(again.ok());
  CHECK(contains(again->body, "o=- 1 2 IN IP4"));
  CHECK(pool.in_use() == 2);

  // Fewer m= lines than before is not a valid re-offer.
  REQUIRE(on_answer(st, leg_id::a, sdp("192.168.1.20", 4000), relay).ok());
  auto video = sdp("10.0.0.7", 5000, "",
                   "m=video 5002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n");
  auto add = on_offer(st, pool, leg_id::b, video, relay);
  REQUIRE(add.ok());
  CHECK(add->allocated.size() == 2); // the new stream only
  CHECK(pool.in_use() == 4);
  REQUIRE(on_answer(st, leg_id::a,
                    sdp("192.168.1.20", 4000, "", "m=video 0 RTP/AVP 96\r\n"),
                    relay)
              .ok());
  CHECK_FALSE(
      on_offer(st, pool, leg_id::a, sdp("192.168.1.20", 4000), relay).ok());

  release_ports(st, pool);
  CHECK(pool.in_use() == 0);
}

TEST_CASE("media session: a full pool or a bad body allocates nothing",
          "[media_session]") {
  auto pool = pool_of(30000, 30003); // two pairs: one stream's worth
  auto st = make_media_session(1);
  auto two = sdp("192.168.1.20", 4000, "",
                 "m=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n");
  auto r = on_offer(st, pool, leg_id::a, two, relay);
  REQUIRE_FALSE(r.ok());
  CHECK(contains(r.err().message, "no media ports"));
  CHECK(pool.in_use() == 0);
  CHECK(st.streams.empty());
  CHECK_FALSE(on_offer(st, pool, leg_id::a, "garbage", relay).ok());
  CHECK(pool.in_use() == 0);
  // A disabled stream takes no ports.
  auto off = sdp("192.168.1.20", 4000, "", "m=video 0 RTP/AVP 96\r\n");
  auto ok = on_offer(st, pool, leg_id::a, off, relay);
  REQUIRE(ok.ok());
  CHECK(pool.in_use() == 2);
  CHECK_FALSE(ok->expect[1]);
  CHECK(contains(ok->body, "m=video 0 "));
}
