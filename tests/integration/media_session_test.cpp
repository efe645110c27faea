// A media session actor end to end without SIP: an offer from A and an
// answer from B set up the relay; RTP flows both ways between two loopback
// "phones" through the ports the rewritten SDP announced; counters are
// reported; and the ports return to the pool when the owning call ends.
#include "actors/media/media_session_actor.hpp"

#include "sip/sdp/sdp.hpp"
#include "tests/support/udp_phone.hpp"

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <future>
#include <thread>

using namespace sb::actors::media;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

using phone = sb::test::udp_phone;

std::vector<uint8_t> rtp(uint16_t seq) {
  std::vector<uint8_t> p(172, 0xd5);
  p[0] = 0x80;
  p[1] = 8;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  return p;
}

std::string offer_from(uint16_t port) {
  return "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 "
         "127.0.0.1\r\nt=0 0\r\nm=audio " +
         std::to_string(port) + " RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
}

uint16_t announced_port(const std::string& body) {
  auto info = sb::sip::parse_sdp(body);
  REQUIRE(info.ok());
  REQUIRE(info->media.size() == 1);
  return info->media[0].port;
}

struct fixture {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{
      io.get_executor()};
  std::thread io_thread{[this] { io.run(); }};
  std::shared_ptr<media_env> env;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> sys;

  explicit fixture(uint16_t min_port = 41000, uint16_t max_port = 41199) {
    auto pool = sb::media::port_pool::create(min_port, max_port);
    REQUIRE(pool.ok());
    env = std::make_shared<media_env>(
        io, *sb::net::parse_ip_address("127.0.0.1"), std::move(*pool));
    cfg.set("scheduler.max-threads", size_t{2});
    sys = std::make_unique<caf::actor_system>(cfg);
  }
  ~fixture() {
    sys.reset();
    work.reset();
    io.stop();
    io_thread.join();
  }

  // Asks as a call on any node does: with the session's messages only.
  sb::result<std::string> sdp(const caf::actor& session, leg_id from,
                              bool offer, std::string body) {
    caf::scoped_actor self{*sys};
    sb::result<std::string> out = sb::error{"no answer"};
    self->request(session, 5s, media_sdp_atom::value,
                  static_cast<uint8_t>(from), offer, std::move(body))
        .receive(
            [&](bool ok, const std::string& text, const std::string& after) {
              auto passed = sdp_answer(ok, text, after);
              if (!passed) {
                out = passed.err();
                return;
              }
              last_state = passed->after;
              out = passed->body;
            },
            [&](caf::error& e) { FAIL(sys->render(e)); });
    return out;
  }

  media_report stats(const caf::actor& session) {
    caf::scoped_actor self{*sys};
    media_report out;
    self->request(session, 5s, media_stats_atom::value)
        .receive(
            [&](const std::string& text) {
              auto rep = report_from_json(nlohmann::json::parse(text),
                                          std::chrono::steady_clock::now());
              REQUIRE(rep.ok());
              out = std::move(*rep);
            },
            [&](caf::error& e) { FAIL(sys->render(e)); });
    return out;
  }

  /// The session's state after the last SDP it passed.
  media_session_state last_state;

  size_t ports_in_use() {
    std::lock_guard lock(env->pool_mu);
    return env->pool.in_use();
  }
};

// Takes an argument because CAF 0.17 spawns argument-less function actors
// through a null shared_ptr<tuple<>> (UBSan: reference binding to null).
caf::behavior idle_call(caf::event_based_actor*, int) {
  return {[](int) {}};
}

} // namespace

TEST_CASE("media session: SDP sets up the relay, RTP flows, the call's end "
          "frees the ports",
          "[media][media_session]") {
  fixture f;
  auto call = f.sys->spawn(idle_call, 0);
  auto session = spawn_media_session(*f.sys, f.env, call, 500);
  phone alice, bob;

  auto to_bob =
      f.sdp(session, leg_id::a, true, offer_from(alice.address().port()));
  REQUIRE(to_bob.ok());
  CHECK(f.ports_in_use() == 2);
  auto to_alice =
      f.sdp(session, leg_id::b, false, offer_from(bob.address().port()));
  REQUIRE(to_alice.ok());
  auto relay_for_alice = announced_port(*to_alice); // where Alice sends
  auto relay_for_bob = announced_port(*to_bob);     // where Bob sends
  CHECK(relay_for_alice != relay_for_bob);

  for (uint16_t s = 1; s <= 10; ++s)
    alice.send(relay_for_alice, rtp(s));
  CHECK(bob.drain().size() == 10);
  for (uint16_t s = 1; s <= 4; ++s)
    bob.send(relay_for_bob, rtp(s));
  CHECK(alice.drain().size() == 4);

  auto rep = f.stats(session);
  REQUIRE(rep.streams.size() == 1);
  CHECK(rep.streams[0][0].rtp_packets == 10);
  CHECK(rep.streams[0][1].rtp_packets == 4);
  // Through the message's JSON: where each leg sends from, and how long
  // ago it last did.
  CHECK(rep.streams[0][0].latched ==
        "127.0.0.1:" + std::to_string(alice.address().port()));
  REQUIRE(rep.streams[0][1].last_packet);
  CHECK(std::chrono::steady_clock::now() - *rep.streams[0][1].last_packet < 5s);
  // The state for the call's snapshot came with the answer.
  REQUIRE(f.last_state.streams.size() == 1);
  CHECK(f.last_state.streams[0].port[0]);
  CHECK(f.last_state.streams[0].port[1]);

  // A bad SDP is refused and changes nothing; so is a leg that is none.
  CHECK_FALSE(f.sdp(session, leg_id::a, true, "v=0\r\nbroken").ok());
  CHECK(f.ports_in_use() == 2);
  auto no_leg = f.sdp(session, static_cast<leg_id>(7), true,
                      offer_from(alice.address().port()));
  REQUIRE_FALSE(no_leg.ok());
  CHECK(no_leg.err().message == "no leg 7");
  CHECK(f.ports_in_use() == 2);

  // The call actor dies: the session follows and its ports come back.
  caf::anon_send_exit(call, caf::exit_reason::kill);
  for (int i = 0; i < 200 && f.ports_in_use() != 0; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(f.ports_in_use() == 0);
  alice.send(relay_for_alice, rtp(11));
  CHECK(bob.drain().size() == 0);
}

TEST_CASE("media session: ports another program holds are set aside and "
          "the offer takes free ones",
          "[media][media_session]") {
  fixture f(41300, 41307); // four pairs
  asio::ip::udp::socket squat1(f.io), squat2(f.io);
  for (auto [sock, port] : {std::pair{&squat1, 41300}, {&squat2, 41302}}) {
    sock->open(asio::ip::udp::v4());
    sock->bind(
        {asio::ip::make_address("127.0.0.1"), static_cast<uint16_t>(port)});
  }
  auto call = f.sys->spawn(idle_call, 0);
  auto session = spawn_media_session(*f.sys, f.env, call, 501);
  phone alice;
  auto to_bob =
      f.sdp(session, leg_id::a, true, offer_from(alice.address().port()));
  REQUIRE(to_bob.ok());
  auto port = announced_port(*to_bob);
  CHECK((port == 41304 || port == 41306));
  CHECK(f.ports_in_use() == 2);
  {
    std::lock_guard lock(f.env->pool_mu);
    CHECK(f.env->pool.unusable() >= 1); // the held pairs it met
  }
  caf::anon_send_exit(call, caf::exit_reason::kill);
  for (int i = 0; i < 200 && f.ports_in_use() != 0; ++i)
    std::this_thread::sleep_for(10ms);
  CHECK(f.ports_in_use() == 0);
}
