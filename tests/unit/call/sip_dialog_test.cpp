// The SIP dialogs of a call's legs: what is kept from the caller's INVITE
// and the callee's answers, the requests built on them, and the checks
// and copies between legs. Pure.
#include "actors/call/sip_dialog.hpp"

#include "sip/msg/parse.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::call;
using sb::sip::sip_message;

namespace {

sip_message parse(std::string text) {
  auto r = sb::sip::parse_message(text);
  INFO(text);
  REQUIRE(std::holds_alternative<sip_message>(r));
  return std::get<sip_message>(r);
}

sip_message invite(std::string extra = {}, std::string body = {}) {
  return parse("INVITE sip:bob@example.org SIP/2.0\r\n"
               "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa1\r\n"
               "Max-Forwards: 70\r\n"
               "From: \"Alice\" <sip:alice@example.org>;tag=a1\r\n"
               "To: <sip:bob@example.org>\r\n"
               "Call-ID: call-1@192.0.2.1\r\n"
               "CSeq: 7 INVITE\r\n"
               "Contact: <sip:alice@192.0.2.1:5060>\r\n"
               "Record-Route: <sip:p1.example.org;lr>\r\n" +
               extra + "Content-Length: " + std::to_string(body.size()) +
               "\r\n\r\n" + body);
}

} // namespace

TEST_CASE("sip dialog: the A leg from the caller's INVITE",
          "[call][sip_dialog]") {
  auto leg =
      caller_leg(invite(), {sb::sip::sip_transport::udp, "198.51.100.9", 40000},
                 "ours", "<sip:10.0.0.1:5060;transport=udp>");
  CHECK(leg.call_id == "call-1@192.0.2.1");
  CHECK(leg.remote.tag == "a1");
  CHECK(leg.local.uri == "sip:bob@example.org");
  CHECK(leg.local.tag == "ours");
  CHECK(leg.remote_target == "sip:alice@192.0.2.1:5060");
  CHECK(leg.route_set == std::vector<std::string>{"<sip:p1.example.org;lr>"});
  CHECK(leg.next_hop == "udp:198.51.100.9:40000");
  CHECK(leg.remote_cseq == 7);

  SECTION("a BYE to the caller goes to its Contact, with our tag in From") {
    auto bye = make_request(leg, "BYE", 5);
    CHECK(bye.method == "BYE");
    CHECK(bye.request_uri == "sip:alice@192.0.2.1:5060");
    CHECK(bye.from == "<sip:bob@example.org>;tag=ours");
    CHECK(bye.to == "\"Alice\" <sip:alice@example.org>;tag=a1");
    CHECK(bye.cseq == 1);
    CHECK(bye.contact.empty());
    CHECK(bye.route == leg.route_set);
    CHECK(make_request(leg, "INFO", 6).cseq == 2);
  }
}

TEST_CASE("sip dialog: a B leg, the callee's answer and the ACK",
          "[call][sip_dialog]") {
  auto leg =
      callee_leg("b-call", {"Alice", "sip:alice@example.org", "a1"}, "bt",
                 {"", "sip:bob@example.org", ""}, "sip:bob@203.0.113.7:5062",
                 {"<sip:edge.example.org;lr>"}, "udp:203.0.113.7:5062",
                 "<sip:10.0.0.1:5060;transport=udp>");
  auto inv = make_request(leg, "INVITE", 1);
  CHECK(inv.request_uri == "sip:bob@203.0.113.7:5062");
  CHECK(inv.from == "\"Alice\" <sip:alice@example.org>;tag=bt");
  CHECK(inv.to == "<sip:bob@example.org>");
  CHECK(inv.call_id == "b-call");
  CHECK(inv.route == std::vector<std::string>{"<sip:edge.example.org;lr>"});
  CHECK(inv.contact == "<sip:10.0.0.1:5060;transport=udp>");
  CHECK(inv.next_hop == "udp:203.0.113.7:5062");

  auto ok = parse("SIP/2.0 200 OK\r\n"
                  "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKb1\r\n"
                  "From: <sip:alice@example.org>;tag=bt\r\n"
                  "To: <sip:bob@example.org>;tag=callee\r\n"
                  "Call-ID: b-call\r\n"
                  "CSeq: 1 INVITE\r\n"
                  "Contact: <sip:bob@203.0.113.7:5070>\r\n"
                  "Record-Route: <sip:p2.example.org;lr>\r\n"
                  "Record-Route: <sip:p1.example.org;lr>\r\n"
                  "Content-Length: 0\r\n\r\n");
  learn_from_response(leg, ok);
  CHECK(leg.remote.tag == "callee");
  CHECK(leg.remote_target == "sip:bob@203.0.113.7:5070");
  // RFC 3261 §12.1.2: the UAC's route set is the Record-Route reversed.
  CHECK(leg.route_set == std::vector<std::string>{"<sip:p1.example.org;lr>",
                                                  "<sip:p2.example.org;lr>"});
  auto ack = make_request(leg, "ACK", 2, inv.cseq);
  CHECK(ack.cseq == inv.cseq);
  CHECK(ack.to == "<sip:bob@example.org>;tag=callee");
  CHECK(ack.request_uri == "sip:bob@203.0.113.7:5070");
  CHECK(make_request(leg, "BYE", 3).cseq == inv.cseq + 1);
}

TEST_CASE("sip dialog: the CANCEL of an INVITE matches it (RFC 3261 §9.1)",
          "[call][sip_dialog]") {
  auto leg =
      callee_leg("b-call", {"Alice", "sip:alice@example.org", "a1"}, "bt",
                 {"", "sip:bob@example.org", ""}, "sip:bob@203.0.113.7:5062",
                 {"<sip:edge.example.org;lr>"}, "udp:203.0.113.7:5062",
                 "<sip:10.0.0.1:5060;transport=udp>");
  auto inv = make_request(leg, "INVITE", 1);
  inv.branch = "z9hG4bKours";
  inv.headers.push_back({"Supported", "timer"});
  inv.body = "v=0";
  auto c = cancel_of(inv);
  CHECK(c.method == "CANCEL");
  CHECK(c.request_uri == inv.request_uri);
  CHECK(c.route == inv.route);
  CHECK(c.next_hop == inv.next_hop);
  CHECK(c.from == inv.from);
  CHECK(c.to == inv.to); // no tag: the INVITE had none
  CHECK(c.call_id == inv.call_id);
  CHECK(c.cseq == inv.cseq);
  CHECK(c.branch == "z9hG4bKours");
  CHECK(c.stateless);
  CHECK(c.headers.empty());
  CHECK(c.body.empty());
  CHECK(c.contact.empty());
}

TEST_CASE("sip dialog: bodies an INVITE may carry", "[call][sip_dialog]") {
  CHECK_FALSE(unacceptable_body(invite()));
  CHECK_FALSE(unacceptable_body(
      invite("Content-Type: application/sdp\r\n", "v=0\r\n")));
  auto other =
      unacceptable_body(invite("Content-Type: text/plain\r\n", "hello"));
  REQUIRE(other);
  CHECK(other->code == 415);
  CHECK(other->headers.at(0).name == "Accept");
  auto accept = unacceptable_body(invite("Accept: text/nobodyknowsthis\r\n"));
  REQUIRE(accept);
  CHECK(accept->code == 406);
  CHECK_FALSE(unacceptable_body(invite("Accept: application/sdp, text/x\r\n")));
  CHECK(has_sdp(invite("Content-Type: application/SDP\r\n", "v=0\r\n")));
  CHECK_FALSE(has_sdp(invite("Content-Type: application/sdp\r\n")));
}

TEST_CASE("sip dialog: what crosses from one leg to the other",
          "[call][sip_dialog]") {
  auto m = invite("Require: 100rel\r\nSupported: timer\r\n"
                  "User-Agent: phone\r\nX-Secret: internal\r\n");
  auto h = relayed_headers(m);
  REQUIRE(h.size() == 2);
  CHECK(h[0].name == "Require");
  CHECK(h[1].name == "Supported");
  CHECK(renumber_rack("1 7 INVITE", 1) == "1 1 INVITE");
  CHECK(renumber_rack("  42 9  INVITE", 3) == "42 3 INVITE");
  CHECK(renumber_rack("garbage", 3) == "garbage");
  CHECK(contact_for("udp:127.0.0.1:5060") ==
        "<sip:127.0.0.1:5060;transport=udp>");
  CHECK(format_name_addr({"Bob B", "sip:b@x", "t"}) ==
        "\"Bob B\" <sip:b@x>;tag=t");
}

TEST_CASE("sip dialog: an SDP that holds the call", "[call][sip_dialog]") {
  auto sdp = [](std::string c, std::string attr) {
    return "v=0\r\no=- 1 1 IN IP4 " + c + "\r\ns=-\r\nc=IN IP4 " + c +
           "\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8\r\n" + attr;
  };
  CHECK_FALSE(sdp_holds(sdp("192.0.2.1", "")));
  CHECK_FALSE(sdp_holds(sdp("192.0.2.1", "a=recvonly\r\n")));
  CHECK(sdp_holds(sdp("192.0.2.1", "a=sendonly\r\n")));
  CHECK(sdp_holds(sdp("192.0.2.1", "a=inactive\r\n")));
  CHECK(sdp_holds(sdp("0.0.0.0", "")));
  CHECK_FALSE(sdp_holds("not sdp"));
}
