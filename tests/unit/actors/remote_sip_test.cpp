// Requests forwarded between nodes: answers travel as JSON and come back
// under the key the origin's edge gave them; remote keys never collide
// with an edge's own.
#include "actors/support/edge_wire.hpp"
#include "actors/support/remote_sip.hpp"

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

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

TEST_CASE("remote sip: every answer of a request goes to its origin, and a "
          "CANCEL finds its INVITE",
          "[actors][remote_sip]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor origin{sys};
  caf::scoped_actor other{sys};
  auto origin_handle = caf::actor_cast<caf::actor>(origin);
  remote_requests table;
  auto now = std::chrono::steady_clock::now();
  auto invite = table.add(origin_handle, 41, now);
  table.add(caf::actor_cast<caf::actor>(other), 41, now);
  CHECK(table.find(origin_handle, 41) == invite);
  CHECK(table.find(origin_handle, 42) == 0);
  // The 180 and the 200 both reach the origin, under the origin's key.
  REQUIRE(table.reply(invite, sip_reply::of(180)));
  CHECK(table.origin_of(invite) == origin_handle);
  REQUIRE(table.reply(invite, sip_reply::of(200)));
  CHECK_FALSE(table.origin_of(invite));
  std::vector<int> codes;
  for (int i = 0; i < 2; ++i)
    origin->receive(
        [&](caf::atom_value, uint64_t key, const std::string& text) {
          CHECK(key == 41);
          codes.push_back(reply_from_json(nlohmann::json::parse(text)).code);
        },
        caf::after(std::chrono::seconds(5)) >> [&] { FAIL("no answer"); });
  CHECK(codes == std::vector<int>{180, 200});
}

TEST_CASE("remote sip: a request a call sends through another node's edge "
          "survives its JSON trip",
          "[actors][remote_sip]") {
  sb::sip::edge::outgoing_request r;
  r.id = (uint64_t{2} << 48) | 7;
  r.method = "INVITE";
  r.request_uri = "sip:bob@192.0.2.9:5070";
  r.next_hop = "udp:192.0.2.9:40000";
  r.route = {"<sip:p1;lr>", "<sip:p2;lr>"};
  r.from = "<sip:alice@example.org>;tag=a1";
  r.to = "<sip:bob@example.org>";
  r.call_id = "k-0123456789abcdef-b2b";
  r.cseq = 42;
  r.contact = "<sip:b2b@192.0.2.1>";
  r.headers = {{"Session-Expires", "1800;refresher=uac"}};
  r.content_type = "application/sdp";
  r.body = "v=0\r\n";
  r.ack_for = 5;
  r.branch = "z9hG4bKabc";
  r.stateless = true;
  auto back = request_from_json(request_to_json(r));
  REQUIRE(back.ok());
  CHECK(back->id == r.id);
  CHECK(back->method == r.method);
  CHECK(back->request_uri == r.request_uri);
  CHECK(back->next_hop == r.next_hop);
  CHECK(back->route == r.route);
  CHECK(back->from == r.from);
  CHECK(back->to == r.to);
  CHECK(back->call_id == r.call_id);
  CHECK(back->cseq == 42);
  CHECK(back->contact == r.contact);
  CHECK(back->headers == r.headers);
  CHECK(back->content_type == r.content_type);
  CHECK(back->body == r.body);
  CHECK(back->ack_for == 5);
  CHECK(back->branch == r.branch);
  CHECK(back->stateless);

  auto j = request_to_json(r);
  j.erase("cseq");
  CHECK_FALSE(request_from_json(j).ok());
  j = request_to_json(r);
  j["method"] = "";
  CHECK_FALSE(request_from_json(j).ok());
  CHECK_FALSE(request_from_json(nlohmann::json::array()).ok());
}

TEST_CASE("remote sip: an orphan answer survives its JSON trip",
          "[actors][remote_sip]") {
  sb::sip::edge::orphan_reply o;
  o.request = "INVITE sip:b@x SIP/2.0\r\n\r\n";
  o.source = {sb::sip::sip_transport::tcp, "192.0.2.4", 5080};
  o.reply = sip_reply::of(503, "Node Leaving");
  o.reply.to_tag = "t9";
  auto back = orphan_from_json(orphan_to_json(o));
  REQUIRE(back.ok());
  CHECK(back->request == o.request);
  CHECK(back->source == o.source);
  CHECK(back->reply.code == 503);
  CHECK(back->reply.to_tag == "t9");
  auto j = orphan_to_json(o);
  j["transport"] = 9;
  CHECK_FALSE(orphan_from_json(j).ok());
}
