// The edge's retransmission absorption: RFC 3261 §17.2.3 transaction ids and
// the bounded cache of pending and answered transactions. Time is given by
// hand; no sockets.
#include "sip/edge/transaction_cache.hpp"

#include "sip/msg/parse.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb::sip::edge;
using namespace std::chrono_literals;
using sb::sip::sip_message;

namespace {

const steady_time t0 = steady_time{} + 1'000'000s;

struct request_spec {
  std::string method = "REGISTER";
  std::string branch = "z9hG4bK776asdhds";
  std::string sent_by = "192.0.2.1:5062";
  std::string call_id = "a84b4c76e66710@pc33";
  uint32_t cseq = 1;
  std::string from_tag = "1928301774";
  std::string to_tag;
  std::string request_uri = "sip:example.test";
};

sip_message request(const request_spec& s) {
  std::string text = s.method + " " + s.request_uri + " SIP/2.0\r\n";
  text += "Via: SIP/2.0/UDP " + s.sent_by;
  if (!s.branch.empty())
    text += ";branch=" + s.branch;
  text += "\r\nMax-Forwards: 70\r\n"
          "From: <sip:alice@example.test>;tag=" +
          s.from_tag + "\r\nTo: <sip:alice@example.test>";
  if (!s.to_tag.empty())
    text += ";tag=" + s.to_tag;
  text += "\r\nCall-ID: " + s.call_id + "\r\nCSeq: " + std::to_string(s.cseq) +
          " " + s.method + "\r\nContent-Length: 0\r\n\r\n";
  auto r = sb::sip::parse_message(text);
  INFO(text);
  REQUIRE(std::holds_alternative<sip_message>(r));
  return std::get<sip_message>(r);
}

std::string id_of(const request_spec& s) {
  return transaction_id(request(s));
}

sip_reply ok_reply() {
  return sip_reply::of(200, "OK");
}

} // namespace

TEST_CASE("edge transaction id: a retransmission has the same id",
          "[sip][edge][transaction]") {
  request_spec s;
  CHECK(id_of(s) == id_of(s));
  // Only branch, sent-by and method count for RFC 3261 branches.
  request_spec other = s;
  other.call_id = "different@pc33";
  other.cseq = 2;
  other.from_tag = "x";
  other.request_uri = "sip:other.test";
  CHECK(id_of(other) == id_of(s));
}

TEST_CASE("edge transaction id: ACK maps to the INVITE transaction",
          "[sip][edge][transaction]") {
  request_spec invite;
  invite.method = "INVITE";
  request_spec ack = invite;
  ack.method = "ACK";
  ack.to_tag = "314159";
  CHECK(id_of(ack) == id_of(invite));
}

TEST_CASE("edge transaction id: branch, sent-by and method distinguish",
          "[sip][edge][transaction]") {
  request_spec s;
  auto base = id_of(s);
  SECTION("another branch") {
    request_spec o = s;
    o.branch = "z9hG4bK776asdhdt";
    CHECK(id_of(o) != base);
  }
  SECTION("another sent-by port") {
    request_spec o = s;
    o.sent_by = "192.0.2.1:5063";
    CHECK(id_of(o) != base);
  }
  SECTION("another sent-by host") {
    request_spec o = s;
    o.sent_by = "192.0.2.2:5062";
    CHECK(id_of(o) != base);
  }
  SECTION("another method (CANCEL shares the INVITE's branch)") {
    request_spec invite = s;
    invite.method = "INVITE";
    request_spec cancel = invite;
    cancel.method = "CANCEL";
    CHECK(id_of(invite) != id_of(cancel));
    CHECK(id_of(invite) != base);
  }
  SECTION("the sent-by host compares case-insensitively") {
    request_spec a = s, b = s;
    a.sent_by = "Host.Example.TEST:5062";
    b.sent_by = "host.example.test:5062";
    CHECK(id_of(a) == id_of(b));
  }
}

TEST_CASE("edge transaction id: RFC 2543 branches fall back to the dialog "
          "fields",
          "[sip][edge][transaction]") {
  for (std::string branch : {"", "1234abcd"}) {
    INFO("branch=" << branch);
    request_spec s;
    s.branch = branch;
    auto base = id_of(s);
    CHECK(id_of(s) == base);

    request_spec o = s;
    o.call_id = "another@pc33";
    CHECK(id_of(o) != base);
    o = s;
    o.cseq = 2;
    CHECK(id_of(o) != base);
    o = s;
    o.from_tag = "99";
    CHECK(id_of(o) != base);
    o = s;
    o.to_tag = "77";
    CHECK(id_of(o) != base);
    o = s;
    o.request_uri = "sip:bob@example.test";
    CHECK(id_of(o) != base);
    o = s;
    o.sent_by = "192.0.2.9:5062";
    CHECK(id_of(o) != base);

    request_spec invite = s;
    invite.method = "INVITE";
    request_spec ack = invite;
    ack.method = "ACK";
    CHECK(id_of(ack) == id_of(invite));
  }
  // A magic-cookie branch never equals the fallback id of the same message.
  request_spec with_cookie;
  request_spec without = with_cookie;
  without.branch = "776asdhds";
  CHECK(id_of(with_cookie) != id_of(without));
}

TEST_CASE("transaction cache: begin records a pending entry",
          "[sip][edge][transaction]") {
  transaction_cache c(32s, 10);
  CHECK(c.find("t1", t0) == nullptr);
  c.begin("t1", 42, t0);
  const auto* e = c.find("t1", t0);
  REQUIRE(e != nullptr);
  CHECK(e->key == 42);
  CHECK_FALSE(e->answer.has_value());
  CHECK(c.size() == 1);
  // A pending entry waits for its answer however long it takes.
  REQUIRE(c.find("t1", t0 + 1h) != nullptr);
  CHECK(c.find("t1", t0 + 1h)->key == 42);
  c.expire(t0 + 1h);
  CHECK(c.find("t1", t0 + 1h) != nullptr);
}

TEST_CASE("transaction cache: an answer lingers for retransmissions",
          "[sip][edge][transaction]") {
  transaction_cache c(32s, 10);
  c.begin("t1", 7, t0);
  c.answer("t1", sip_reply::of(401, "Unauthorized"), t0 + 1s);
  const auto* e = c.find("t1", t0 + 1s);
  REQUIRE(e != nullptr);
  CHECK(e->key == 7);
  REQUIRE(e->answer.has_value());
  CHECK(e->answer->code == 401);
  CHECK(e->answer->reason == "Unauthorized");
  CHECK(e->expires_at == t0 + 33s);

  REQUIRE(c.find("t1", t0 + 32s) != nullptr);
  CHECK(c.find("t1", t0 + 32s)->answer->code == 401);
  // The linger ends at answer time + linger.
  CHECK(c.find("t1", t0 + 33s) == nullptr);
  CHECK(c.find("t1", t0 + 40s) == nullptr);
}

TEST_CASE("transaction cache: expire drops answered entries whose linger "
          "ended",
          "[sip][edge][transaction]") {
  transaction_cache c(32s, 10);
  c.begin("pending", 1, t0);
  c.answer("early", ok_reply(), t0);
  c.answer("late", ok_reply(), t0 + 10s);
  CHECK(c.size() == 3);

  c.expire(t0 + 31s);
  CHECK(c.size() == 3);
  c.expire(t0 + 32s);
  CHECK(c.size() == 2);
  CHECK(c.find("early", t0) == nullptr);
  CHECK(c.find("late", t0 + 32s) != nullptr);
  c.expire(t0 + 1h);
  CHECK(c.size() == 1);
  CHECK(c.find("pending", t0 + 1h) != nullptr);
}

TEST_CASE("transaction cache: a re-answer keeps the entry for its own linger",
          "[sip][edge][transaction]") {
  transaction_cache c(32s, 10);
  c.answer("t", sip_reply::of(100, "Trying"), t0);
  c.answer("t", ok_reply(), t0 + 10s);
  c.expire(t0 + 32s); // the first answer's expiry: not this entry's any more
  REQUIRE(c.find("t", t0 + 32s) != nullptr);
  CHECK(c.find("t", t0 + 32s)->answer->code == 200);
  c.expire(t0 + 42s);
  CHECK(c.size() == 0);
}

TEST_CASE("transaction cache: an id re-used after erase is not expired by "
          "the old answer",
          "[sip][edge][transaction]") {
  transaction_cache c(32s, 10);
  c.answer("t", ok_reply(), t0);
  c.erase("t");
  c.begin("t", 9, t0 + 1s);
  c.expire(t0 + 32s);
  REQUIRE(c.find("t", t0 + 32s) != nullptr);
  CHECK(c.find("t", t0 + 32s)->key == 9);
  CHECK_FALSE(c.find("t", t0 + 32s)->answer);
}

TEST_CASE("transaction cache: erase forgets at once",
          "[sip][edge][transaction]") {
  transaction_cache c(32s, 10);
  c.begin("a", 1, t0);
  c.answer("b", ok_reply(), t0);
  c.erase("a");
  c.erase("b");
  c.erase("never-seen");
  CHECK(c.find("a", t0) == nullptr);
  CHECK(c.find("b", t0) == nullptr);
  CHECK(c.size() == 0);
}

TEST_CASE("transaction cache: at capacity the oldest answered entry goes "
          "first, never a pending one",
          "[sip][edge][transaction]") {
  SECTION("answered before pending") {
    transaction_cache c(32s, 3);
    c.begin("p1", 1, t0);
    c.answer("a1", ok_reply(), t0 + 1s);
    c.answer("a2", ok_reply(), t0 + 2s);
    c.begin("p2", 2, t0 + 3s); // full: a1 goes
    CHECK(c.size() == 3);
    CHECK(c.find("a1", t0 + 3s) == nullptr);
    CHECK(c.find("a2", t0 + 3s) != nullptr);
    CHECK(c.find("p1", t0 + 3s) != nullptr);
    CHECK(c.find("p2", t0 + 3s) != nullptr);
    c.begin("p3", 3, t0 + 4s); // a2 goes
    CHECK(c.find("a2", t0 + 4s) == nullptr);
    CHECK(c.find("p1", t0 + 4s) != nullptr);
    CHECK(c.size() == 3);
  }
  SECTION("the answer order decides, not the begin order") {
    transaction_cache c(32s, 2);
    c.begin("x", 1, t0);
    c.begin("y", 2, t0);
    c.answer("y", ok_reply(), t0 + 1s);
    c.answer("x", ok_reply(), t0 + 2s);
    c.begin("z", 3, t0 + 3s);
    CHECK(c.find("y", t0 + 3s) == nullptr);
    CHECK(c.find("x", t0 + 3s) != nullptr);
    CHECK(c.find("z", t0 + 3s) != nullptr);
  }
  SECTION("only pending entries: the table exceeds its capacity") {
    transaction_cache c(32s, 2);
    c.begin("p1", 1, t0);
    c.begin("p2", 2, t0);
    c.begin("p3", 3, t0);
    CHECK(c.size() == 3);
    for (auto id : {"p1", "p2", "p3"})
      CHECK(c.find(id, t0) != nullptr);
  }
  SECTION("an erased answered entry is skipped, a live one goes") {
    transaction_cache c(32s, 2);
    c.answer("a1", ok_reply(), t0);
    c.answer("a2", ok_reply(), t0 + 1s);
    c.erase("a1");
    c.begin("p", 1, t0 + 2s); // room left: nothing evicted
    CHECK(c.size() == 2);
    c.begin("q", 2, t0 + 3s); // full: a2 is the oldest live answer
    CHECK(c.find("a2", t0 + 3s) == nullptr);
    CHECK(c.find("p", t0 + 3s) != nullptr);
    CHECK(c.find("q", t0 + 3s) != nullptr);
  }
  SECTION("begin of a known id never evicts") {
    transaction_cache c(32s, 2);
    c.answer("a", ok_reply(), t0);
    c.begin("b", 1, t0);
    c.begin("b", 1, t0 + 1s);
    CHECK(c.find("a", t0 + 1s) != nullptr);
    CHECK(c.size() == 2);
  }
}
