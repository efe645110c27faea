// Session timers (RFC 4028) per leg: negotiation as the caller's UAS and
// the callee's UAC, the headers, and when a leg is due.
#include "actors/call/session_timer.hpp"

#include "sip/msg/parse.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::call;
using sb::sip::sip_message;

namespace {

sip_message msg(std::string first_line, std::string extra) {
  auto r = sb::sip::parse_message(
      first_line +
      "\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKst\r\n"
      "From: <sip:alice@example.org>;tag=a\r\nTo: <sip:bob@example.org>\r\n"
      "Call-ID: st-1\r\nCSeq: 1 INVITE\r\n" +
      extra + "Content-Length: 0\r\n\r\n");
  REQUIRE(std::holds_alternative<sip_message>(r));
  return std::get<sip_message>(r);
}

sip_message invite(std::string extra) {
  return msg("INVITE sip:bob@example.org SIP/2.0", extra);
}

sip_message ok(std::string extra) {
  return msg("SIP/2.0 200 OK", extra);
}

} // namespace

TEST_CASE("session timer: the caller's INVITE", "[call][session_timer]") {
  session_timer_settings s;
  SECTION("no support, no header: no timer") {
    auto n = negotiate_as_uas(invite(""), s);
    CHECK_FALSE(n.reject);
    CHECK_FALSE(n.timer);
  }
  SECTION("Supported: timer without Session-Expires: ours, caller refreshes") {
    auto n = negotiate_as_uas(invite("Supported: 100rel, timer\r\n"), s);
    REQUIRE(n.timer);
    CHECK(n.timer->interval == 1800);
    CHECK(n.timer->who == refresher::peer);
    auto h = uas_answer_headers(*n.timer);
    CHECK(h[0].name == "Session-Expires");
    CHECK(h[0].value == "1800;refresher=uac");
    CHECK(h[1].name == "Require");
    CHECK(h[1].value == "timer");
  }
  SECTION("its own interval is granted") {
    auto n = negotiate_as_uas(
        invite("Supported: timer\r\nSession-Expires: 600;refresher=uac\r\n"),
        s);
    REQUIRE(n.timer);
    CHECK(n.timer->interval == 600);
  }
  SECTION("below Min-SE: 422 with our Min-SE") {
    auto n = negotiate_as_uas(
        invite("Supported: timer\r\nSession-Expires: 30\r\n"), s);
    REQUIRE(n.reject);
    CHECK(n.reject->code == 422);
    CHECK(n.reject->headers.at(0).name == "Min-SE");
    CHECK(n.reject->headers.at(0).value == "90");
  }
  SECTION("a Session-Expires without support: no timer on that leg") {
    auto n = negotiate_as_uas(invite("Session-Expires: 600\r\n"), s);
    CHECK_FALSE(n.reject);
    CHECK_FALSE(n.timer);
  }
}

TEST_CASE("session timer: the callee's answer decides the B leg",
          "[call][session_timer]") {
  CHECK_FALSE(from_uac_answer(ok("")));
  auto uac = from_uac_answer(ok("Session-Expires: 900;refresher=uac\r\n"));
  REQUIRE(uac);
  CHECK(uac->interval == 900);
  CHECK(uac->who == refresher::us);
  auto uas = from_uac_answer(ok("Session-Expires: 900;refresher=uas\r\n"));
  REQUIRE(uas);
  CHECK(uas->who == refresher::peer);
  // No refresher parameter: the UAC (us) refreshes.
  CHECK(from_uac_answer(ok("Session-Expires: 900\r\n"))->who == refresher::us);
  // (A Session-Expires that does not parse never gets here: the edge's
  // parser answers 400 Bad Session-Expires Header.)
  auto h = uac_request_headers(1800, {});
  CHECK(h[0].value == "timer");
  CHECK(h[1].value == "1800");
  CHECK(h[2].value == "90");
}

TEST_CASE("session timer: when a leg is due", "[call][session_timer]") {
  CHECK(due_after({1800, refresher::us}) == std::chrono::seconds{900});
  CHECK(due_after({1800, refresher::peer}) == std::chrono::seconds{1768});
  CHECK(due_after({90, refresher::peer}) == std::chrono::seconds{60});
  CHECK(session_interval(" 90;refresher=uac") == 90u);
  CHECK_FALSE(session_interval("x"));
}

TEST_CASE("session timer: how we refresh a leg", "[call][session_timer]") {
  CHECK(refresh_method(true, true) == "UPDATE");
  CHECK(refresh_method(false, true) == "INVITE");
  CHECK(refresh_method(false, false) == "UPDATE"); // nothing to re-offer
}
