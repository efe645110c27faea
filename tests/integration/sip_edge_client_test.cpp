// The SIP edge's client side on loopback: requests the platform sends go
// out as nta transactions and their answers come back by request id; an
// ACK whose INVITE transaction is gone goes out statelessly (in UA mode
// nta aborted on it: "INVITE found for ACK", seen under call load).
#include "common/metrics/registry.hpp"
#include "sip/edge/sip_edge.hpp"
#include "tests/support/udp_phone.hpp"

#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>
#include <string>

using namespace sb::sip::edge;
using namespace std::chrono_literals;

namespace {

std::string text(const std::vector<uint8_t>& d) {
  return std::string(d.begin(), d.end());
}

std::string header(const std::string& msg, const std::string& name) {
  auto p = msg.find("\r\n" + name + ": ");
  if (p == std::string::npos)
    return {};
  p += name.size() + 4;
  return msg.substr(p, msg.find("\r\n", p) - p);
}

outgoing_request to_phone(uint64_t id, std::string method, uint16_t port,
                          uint32_t cseq = 1) {
  outgoing_request r;
  r.id = id;
  r.method = std::move(method);
  r.request_uri = "sip:bob@127.0.0.1:" + std::to_string(port);
  r.next_hop = "udp:127.0.0.1:" + std::to_string(port);
  r.from = "<sip:alice@example.org>;tag=ours";
  r.to = "<sip:bob@example.org>";
  r.call_id = "edge-client-1";
  r.cseq = cseq;
  r.contact = "<sip:127.0.0.1>";
  return r;
}

} // namespace

TEST_CASE("sip edge: client transactions and an ACK without its INVITE",
          "[sip][edge]") {
  sb::metrics::registry metrics;
  edge_options opts;
  opts.port = 0;
  std::mutex mu;
  std::condition_variable cv;
  std::vector<incoming_response> answers;
  sip_edge edge(
      opts, [](incoming_request&&) {},
      [](const sb::sip::sip_message&, const sb::sip::source_address&) {
        return screen_verdict{};
      },
      metrics);
  edge.set_response_handler([&](incoming_response&& r) {
    std::lock_guard lock{mu};
    answers.push_back(std::move(r));
    cv.notify_all();
  });
  REQUIRE(edge.start().ok());
  sb::test::udp_phone bob;
  auto port = bob.address().port();

  // An ACK for an INVITE the edge never sent (or has forgotten).
  auto ack = to_phone(edge.new_request_id(), "ACK", port, 7);
  ack.ack_for = 424242;
  edge.send_request(ack);
  auto got = bob.drain();
  REQUIRE(got.size() == 1);
  auto ack_text = text(got[0].first);
  CHECK(ack_text.rfind("ACK sip:bob@127.0.0.1:", 0) == 0);
  CHECK(header(ack_text, "CSeq") == "7 ACK");

  // A BYE: a client transaction whose 200 comes back by its id.
  auto id = edge.new_request_id();
  edge.send_request(to_phone(id, "BYE", port, 8));
  got = bob.drain();
  REQUIRE_FALSE(got.empty());
  auto bye = text(got[0].first);
  auto reply =
      "SIP/2.0 200 OK\r\nVia: " + header(bye, "Via") +
      "\r\nFrom: " + header(bye, "From") + "\r\nTo: " + header(bye, "To") +
      ";tag=bob\r\nCall-ID: " + header(bye, "Call-ID") +
      "\r\nCSeq: " + header(bye, "CSeq") + "\r\nContent-Length: 0\r\n\r\n";
  bob.sock.send_to(boost::asio::buffer(reply), got[0].second);
  std::unique_lock lock{mu};
  REQUIRE(cv.wait_for(lock, 5s, [&] { return !answers.empty(); }));
  CHECK(answers[0].id == id);
  CHECK(answers[0].message.status == 200);
  lock.unlock();
  edge.stop();
}
