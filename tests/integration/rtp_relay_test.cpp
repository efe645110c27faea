// The media relay forwarding real UDP on loopback: latching, both
// directions, RTCP, foreign sources, loss counting, and closing.
#include "media/rtp_relay.hpp"
#include "tests/support/udp_phone.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

using namespace sb::media;
namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

using phone = sb::test::udp_phone;

std::vector<uint8_t> rtp_packet(uint16_t seq, uint32_t ssrc = 0x11223344) {
  std::vector<uint8_t> p(12 + 160, 0xd5); // G.711 A-law silence
  p[0] = 0x80;
  p[1] = 8; // PCMA
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[8] = static_cast<uint8_t>(ssrc >> 24);
  p[9] = static_cast<uint8_t>(ssrc >> 16);
  p[10] = static_cast<uint8_t>(ssrc >> 8);
  p[11] = static_cast<uint8_t>(ssrc);
  return p;
}

struct io_thread {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{
      io.get_executor()};
  std::thread t{[this] { io.run(); }};
  ~io_thread() {
    work.reset();
    io.stop();
    t.join();
  }
};

} // namespace

TEST_CASE("rtp relay: forwards both ways between latched peers",
          "[media][rtp_relay]") {
  io_thread loop;
  auto relay = rtp_relay::open(loop.io, "127.0.0.1", {}, {});
  REQUIRE(relay.ok());
  auto r = *relay;
  r->start();
  auto pa = r->local_ports(leg_id::a);
  auto pb = r->local_ports(leg_id::b);
  REQUIRE(pa.rtp != 0);
  REQUIRE(pb.rtcp != 0);

  phone alice, bob, mallory;
  // Bob's SDP said where he listens; Alice is only known by her packets.
  r->expect(leg_id::b, bob.address(), bob.address());

  // 20 packets from Alice with sequence 11 missing (one lost).
  for (uint16_t seq = 1; seq <= 20; ++seq)
    if (seq != 11)
      alice.send(pa.rtp, rtp_packet(seq));
  auto got = bob.drain();
  REQUIRE(got.size() == 19);
  CHECK(got.front().first == rtp_packet(1));
  CHECK(got.back().first == rtp_packet(20));
  // They come from the relay's B leg, never from Alice's address.
  for (const auto& [data, from] : got)
    CHECK(from.port() == pb.rtp);

  auto sa = r->stats(leg_id::a);
  CHECK(sa.packets == 19);
  CHECK(sa.rtp_packets == 19);
  CHECK(sa.lost == 1);
  CHECK(sa.bytes == 19 * 172);
  REQUIRE(sa.latched);
  CHECK(*sa.latched == "127.0.0.1:" + std::to_string(alice.address().port()));
  CHECK(sa.last_packet.has_value());

  // Bob answers: his packets reach Alice at the address she latched.
  for (uint16_t seq = 100; seq < 105; ++seq)
    bob.send(pb.rtp, rtp_packet(seq, 0x55667788));
  auto back = alice.drain();
  REQUIRE(back.size() == 5);
  CHECK(back[0].second.port() == pa.rtp);
  CHECK(r->stats(leg_id::b).lost == 0);

  // RTCP goes socket to socket the same way.
  std::vector<uint8_t> rr{0x80, 201, 0, 1, 0x11, 0x22, 0x33, 0x44};
  alice.send(pa.rtcp, rr);
  auto rtcp = bob.drain();
  REQUIRE(rtcp.size() == 1);
  CHECK(rtcp[0].first == rr);
  CHECK(rtcp[0].second.port() == pb.rtcp);

  // Someone else sending to Alice's leg is dropped, not forwarded.
  mallory.send(pa.rtp, rtp_packet(21));
  CHECK(bob.drain().empty());
  CHECK(r->stats(leg_id::a).foreign == 1);

  // A new SDP unlatches: the next source is the one accepted.
  r->expect(leg_id::a, mallory.address(), mallory.address());
  mallory.send(pa.rtp, rtp_packet(22, 0x99));
  CHECK(bob.drain().size() == 1);

  r->close();
  alice.send(pa.rtp, rtp_packet(23));
  CHECK(bob.drain().empty());
}

TEST_CASE("rtp relay: packets before the other side is known are counted, "
          "not sent",
          "[media][rtp_relay]") {
  io_thread loop;
  auto relay = rtp_relay::open(loop.io, "127.0.0.1", {}, {});
  REQUIRE(relay.ok());
  auto r = *relay;
  r->start();
  phone alice;
  alice.send(r->local_ports(leg_id::a).rtp, rtp_packet(1));
  alice.send(r->local_ports(leg_id::a).rtp, {1, 2, 3}); // not RTP: forwarded
  for (int i = 0; i < 50 && r->stats(leg_id::a).packets < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto s = r->stats(leg_id::a);
  CHECK(s.packets == 2);
  CHECK(s.rtp_packets == 1);
  CHECK(s.unroutable == 2);
  r->close();
}

TEST_CASE("rtp relay: a port in use is an error naming it",
          "[media][rtp_relay]") {
  io_thread loop;
  phone taken;
  auto port = taken.address().port();
  auto relay = rtp_relay::open(loop.io, "127.0.0.1", {port, 0}, {});
  REQUIRE_FALSE(relay.ok());
  CHECK_THAT(relay.err().message,
             Catch::Contains("127.0.0.1:" + std::to_string(port)));
  CHECK_FALSE(rtp_relay::open(loop.io, "not-an-ip", {}, {}).ok());
}
