#include "actors/subscriber/registrar_state.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace sb::actors::subscriber;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const std::string alice = "sip:alice@example.test";
// The manual clock of these tests: whatever `now` each call is given.
const time_point t0 = time_point{} + 1'700'000'000s;

registrar_config config(uint32_t max_contacts = 0) {
  return {60, 3600, 1800, max_contacts};
}

contact_input contact(std::string uri,
                      std::optional<uint32_t> expires = std::nullopt) {
  contact_input c;
  c.uri = std::move(uri);
  c.expires = expires;
  return c;
}

contact_input with_q(contact_input c, std::string q) {
  c.q = std::move(q);
  return c;
}

contact_input with_instance(contact_input c, std::string instance,
                            std::optional<uint32_t> reg_id) {
  c.instance = std::move(instance);
  c.reg_id = reg_id;
  return c;
}

// A REGISTER from a host with a public address, no NAT.
register_request reg(std::vector<contact_input> contacts,
                     std::string call_id = "cid-1", uint32_t cseq = 1) {
  register_request rq;
  rq.aor = alice;
  rq.contacts = std::move(contacts);
  rq.call_id = std::move(call_id);
  rq.cseq = cseq;
  rq.source = {sip_transport::udp, "198.51.100.7", 5060};
  rq.via = {"198.51.100.7", 5060, false};
  rq.user_agent = "phone/1.0";
  rq.local_socket = "udp:public";
  return rq;
}

register_request star(std::string call_id, uint32_t cseq,
                      std::optional<uint32_t> expires = 0u) {
  auto rq = reg({}, std::move(call_id), cseq);
  rq.star = true;
  rq.expires = expires;
  return rq;
}

registrar_state fresh() {
  registrar_state st;
  st.aor = alice;
  return st;
}

register_outcome apply(registrar_state& st, const register_request& rq,
                       time_point now = t0,
                       const registrar_config& cfg = config()) {
  return on_register(st, rq, cfg, now);
}

std::vector<std::string> uris(const std::vector<binding>& bs) {
  std::vector<std::string> out;
  for (const auto& b : bs)
    out.push_back(b.uri);
  return out;
}

std::vector<std::string> uris(const std::vector<reply_contact>& cs) {
  std::vector<std::string> out;
  for (const auto& c : cs)
    out.push_back(c.uri);
  return out;
}

// Registers each URI with its own Call-ID, one second apart.
registrar_state with_bindings(const std::vector<std::string>& us) {
  auto st = fresh();
  auto now = t0;
  for (const auto& u : us) {
    REQUIRE(apply(st, reg({contact(u)}, "cid-" + u, 1), now).reply.code == 200);
    now += 1s;
  }
  return st;
}

} // namespace

TEST_CASE("registrar: a REGISTER adds a binding", "[registrar]") {
  auto st = fresh();
  auto out = apply(st, reg({contact("sip:alice@198.51.100.7")}));
  CHECK(out.status == register_status::ok);
  CHECK(out.reply.code == 200);
  CHECK(out.reply.reason == "OK");
  CHECK(out.reply.detail.empty());
  REQUIRE(out.reply.contacts.size() == 1);
  CHECK(out.reply.contacts[0].uri == "sip:alice@198.51.100.7");
  CHECK(out.reply.contacts[0].expires == 1800); // default_expires
  CHECK_FALSE(out.reply.contacts[0].permanent);
  CHECK(out.effects.changed);
  CHECK(uris(out.effects.added) ==
        std::vector<std::string>{"sip:alice@198.51.100.7"});
  CHECK(out.effects.refreshed.empty());
  CHECK(out.effects.timer == t0 + 1800s);
  REQUIRE(st.bindings.size() == 1);
  const auto& b = st.bindings[0];
  CHECK(b.call_id == "cid-1");
  CHECK(b.cseq == 1);
  CHECK(b.expires_at == t0 + 1800s);
  CHECK(b.updated_at == t0);
  CHECK(b.user_agent == "phone/1.0");
  CHECK(b.local_socket == "udp:public");
  CHECK(st.seq == 1);
  CHECK(b.seq == 1);
}

TEST_CASE("registrar: a REGISTER without Contact is a query", "[registrar]") {
  auto st = with_bindings({"sip:a@192.0.2.1", "sip:b@192.0.2.2"});
  auto before = st;
  auto out = apply(st, reg({}, "other", 1), t0 + 10s);
  CHECK(out.reply.code == 200);
  CHECK(out.reply.contacts.size() == 2);
  CHECK_FALSE(out.effects.changed);
  CHECK(st == before);
}

TEST_CASE("registrar: a refresh with a higher CSeq moves the expiry",
          "[registrar]") {
  auto st = fresh();
  auto u = "sip:alice@198.51.100.7";
  REQUIRE(apply(st, reg({contact(u, 600)}, "cid-1", 1)).reply.code == 200);
  auto out = apply(st, reg({contact(u, 900)}, "cid-1", 2), t0 + 300s);
  CHECK(out.reply.code == 200);
  CHECK(out.effects.added.empty());
  CHECK(uris(out.effects.refreshed) == std::vector<std::string>{u});
  REQUIRE(st.bindings.size() == 1);
  CHECK(st.bindings[0].cseq == 2);
  CHECK(st.bindings[0].expires_at == t0 + 1200s);
  CHECK(st.bindings[0].updated_at == t0 + 300s);
  CHECK(out.effects.timer == t0 + 1200s);
  CHECK(out.reply.contacts.at(0).expires == 900);
}

TEST_CASE("registrar: expires 0 removes a binding", "[registrar]") {
  auto st = with_bindings({"sip:a@192.0.2.1", "sip:b@192.0.2.2"});
  SECTION("by the contact's expires param") {
    auto out = apply(
        st, reg({contact("sip:a@192.0.2.1", 0)}, "cid-sip:a@192.0.2.1", 2));
    CHECK(out.reply.code == 200);
    CHECK(uris(out.effects.removed) ==
          std::vector<std::string>{"sip:a@192.0.2.1"});
    CHECK(uris(st.bindings) == std::vector<std::string>{"sip:b@192.0.2.2"});
    CHECK(uris(out.reply.contacts) ==
          std::vector<std::string>{"sip:b@192.0.2.2"});
    CHECK(out.effects.changed);
  }
  SECTION("by the Expires header") {
    auto rq = reg({contact("sip:b@192.0.2.2")}, "cid-sip:b@192.0.2.2", 2);
    rq.expires = 0;
    auto out = apply(st, rq);
    CHECK(out.reply.code == 200);
    CHECK(uris(st.bindings) == std::vector<std::string>{"sip:a@192.0.2.1"});
  }
  SECTION("an unknown contact with expires 0 changes nothing") {
    auto before = st;
    auto out = apply(st, reg({contact("sip:zz@192.0.2.9", 0)}));
    CHECK(out.reply.code == 200);
    CHECK_FALSE(out.effects.changed);
    CHECK(st == before);
  }
}

TEST_CASE("registrar: Contact * rules", "[registrar]") {
  auto st = with_bindings({"sip:a@192.0.2.1", "sip:b@192.0.2.2"});
  auto before = st;
  SECTION("with another Contact: 400") {
    auto rq = star("new", 1);
    rq.contacts.push_back(contact("sip:c@192.0.2.3"));
    auto out = apply(st, rq);
    CHECK(out.reply.code == 400);
    CHECK(out.status == register_status::star_with_contacts);
    CHECK_FALSE(out.reply.detail.empty());
    CHECK(st == before);
  }
  SECTION("with Expires other than 0: 400") {
    auto out = apply(st, star("new", 1, 3600u));
    CHECK(out.reply.code == 400);
    CHECK(out.status == register_status::star_expires_not_zero);
    CHECK(st == before);
  }
  SECTION("without Expires: 400") {
    auto out = apply(st, star("new", 1, std::nullopt));
    CHECK(out.reply.code == 400);
    CHECK(st == before);
  }
  SECTION("another Call-ID removes every binding") {
    auto out = apply(st, star("new", 1));
    CHECK(out.reply.code == 200);
    CHECK(out.reply.contacts.empty());
    CHECK(st.bindings.empty());
    CHECK(out.effects.removed.size() == 2);
    CHECK_FALSE(out.effects.timer.has_value());
  }
  SECTION("the same Call-ID with a CSeq not higher aborts: 500, no change") {
    for (uint32_t cseq : {0u, 1u}) {
      auto out = apply(st, star("cid-sip:b@192.0.2.2", cseq));
      CHECK(out.reply.code == 500);
      CHECK(out.status == register_status::out_of_order);
      CHECK(st == before);
    }
  }
  SECTION("the same Call-ID with a higher CSeq removes") {
    auto out = apply(st, star("cid-sip:b@192.0.2.2", 2));
    CHECK(out.reply.code == 200);
    CHECK(st.bindings.empty());
  }
}

TEST_CASE("registrar: an old or retransmitted REGISTER fails as a whole",
          "[registrar]") {
  auto st = fresh();
  auto u = "sip:alice@198.51.100.7";
  REQUIRE(apply(st, reg({contact(u)}, "cid-1", 5)).reply.code == 200);
  auto before = st;
  SECTION("retransmission (same CSeq)") {
    auto out = apply(st, reg({contact(u)}, "cid-1", 5), t0 + 1s);
    CHECK(out.reply.code == 500);
    CHECK(out.reply.reason == "Server Internal Error");
    CHECK(out.status == register_status::out_of_order);
    CHECK_FALSE(out.effects.changed);
    CHECK(out.reply.contacts.empty());
    CHECK(st == before);
  }
  SECTION("older CSeq, even with a new contact beside it") {
    auto out = apply(
        st, reg({contact("sip:new@192.0.2.5"), contact(u, 0)}, "cid-1", 4));
    CHECK(out.reply.code == 500);
    CHECK(st == before);
    CHECK(out.effects.timer == t0 + 1800s); // the old timer stays armed
  }
}

TEST_CASE("registrar: another Call-ID replaces the binding", "[registrar]") {
  auto st = fresh();
  auto u = "sip:alice@198.51.100.7";
  REQUIRE(apply(st, reg({contact(u)}, "before-reboot", 90)).reply.code == 200);
  auto out = apply(st, reg({contact(u, 120)}, "after-reboot", 1), t0 + 5s);
  CHECK(out.reply.code == 200);
  CHECK(out.effects.refreshed.size() == 1);
  REQUIRE(st.bindings.size() == 1);
  CHECK(st.bindings[0].call_id == "after-reboot");
  CHECK(st.bindings[0].cseq == 1);
  CHECK(st.bindings[0].expires_at == t0 + 125s);
}

TEST_CASE("registrar: q values", "[registrar]") {
  SECTION("parse") {
    CHECK(parse_q("0") == 0);
    CHECK(parse_q("0.") == 0);
    CHECK(parse_q("0.5") == 500);
    CHECK(parse_q("0.05") == 50);
    CHECK(parse_q("0.125") == 125);
    CHECK(parse_q("1") == 1000);
    CHECK(parse_q("1.0") == 1000);
    CHECK(parse_q("1.000") == 1000);
    for (auto bad : {"", ".5", "1.5", "1.001", "0.1234", "2", "-0.5", " 0.5",
                     "0.5 ", "01", "0,5", "1e-1", "0.a"})
      CHECK_FALSE(parse_q(bad).has_value());
  }
  SECTION("format") {
    CHECK(format_q(0) == "0.0");
    CHECK(format_q(50) == "0.05");
    CHECK(format_q(500) == "0.5");
    CHECK(format_q(125) == "0.125");
    CHECK(format_q(1000) == "1.0");
  }
  SECTION("an invalid q refuses the request: 400") {
    auto st = with_bindings({"sip:a@192.0.2.1"});
    auto before = st;
    auto out = apply(st, reg({contact("sip:b@192.0.2.2"),
                              with_q(contact("sip:c@192.0.2.3"), "1.1")}));
    CHECK(out.reply.code == 400);
    CHECK(out.status == register_status::invalid_q);
    CHECK(st == before);
  }
  SECTION("stored, echoed and used for ordering") {
    auto st = fresh();
    auto out = apply(st, reg({with_q(contact("sip:low@192.0.2.1"), "0.1"),
                              contact("sip:none@192.0.2.2"),
                              with_q(contact("sip:mid@192.0.2.3"), "0.5")}));
    REQUIRE(out.reply.code == 200);
    // A missing q counts as 1.0 and is not echoed.
    CHECK(uris(out.reply.contacts) ==
          std::vector<std::string>{"sip:none@192.0.2.2", "sip:mid@192.0.2.3",
                                   "sip:low@192.0.2.1"});
    CHECK_FALSE(out.reply.contacts[0].q.has_value());
    CHECK(out.reply.contacts[1].q == 500);
    CHECK(out.reply.contacts[2].q == 100);
  }
}

TEST_CASE("registrar: targets order by q, then most recent first",
          "[registrar]") {
  auto st = fresh();
  REQUIRE(
      apply(st, reg({with_q(contact("sip:old@192.0.2.1"), "0.5")}, "c1"), t0)
          .reply.code == 200);
  REQUIRE(apply(st, reg({with_q(contact("sip:new@192.0.2.2"), "0.5")}, "c2"),
                t0 + 10s)
              .reply.code == 200);
  REQUIRE(apply(st, reg({with_q(contact("sip:top@192.0.2.3"), "0.9")}, "c3"),
                t0 + 5s)
              .reply.code == 200);
  CHECK(uris(targets(st, t0 + 20s)) ==
        std::vector<std::string>{"sip:top@192.0.2.3", "sip:new@192.0.2.2",
                                 "sip:old@192.0.2.1"});
  // A refresh makes "old" the most recent of the 0.5 ones.
  REQUIRE(apply(st, reg({with_q(contact("sip:old@192.0.2.1"), "0.5")}, "c1", 2),
                t0 + 30s)
              .reply.code == 200);
  CHECK(uris(targets(st, t0 + 31s)) ==
        std::vector<std::string>{"sip:top@192.0.2.3", "sip:old@192.0.2.1",
                                 "sip:new@192.0.2.2"});
  // Expired bindings are no targets.
  CHECK(uris(targets(st, t0 + 1811s)) ==
        std::vector<std::string>{"sip:old@192.0.2.1"});
}

TEST_CASE("registrar: expiry is the param, else Expires, else the default, "
          "shortened to max and refused below min",
          "[registrar]") {
  auto st = fresh();
  SECTION("default") {
    REQUIRE(apply(st, reg({contact("sip:a@192.0.2.1")})).reply.code == 200);
    CHECK(st.bindings[0].expires_at == t0 + 1800s);
  }
  SECTION("Expires header, and the param wins over it") {
    auto rq =
        reg({contact("sip:a@192.0.2.1"), contact("sip:b@192.0.2.2", 120)});
    rq.expires = 300;
    auto out = apply(st, rq);
    REQUIRE(out.reply.code == 200);
    CHECK(st.bindings[0].expires_at == t0 + 300s);
    CHECK(st.bindings[1].expires_at == t0 + 120s);
  }
  SECTION("above max_expires is shortened") {
    auto out = apply(st, reg({contact("sip:a@192.0.2.1", 86400)}));
    REQUIRE(out.reply.code == 200);
    CHECK(out.reply.contacts[0].expires == 3600);
    CHECK(st.bindings[0].expires_at == t0 + 3600s);
  }
  SECTION("below min_expires: 423 with Min-Expires, nothing changed") {
    auto out = apply(st, reg({contact("sip:a@192.0.2.1", 3600),
                              contact("sip:b@192.0.2.2", 30)}));
    CHECK(out.reply.code == 423);
    CHECK(out.reply.reason == "Interval Too Brief");
    CHECK(out.status == register_status::interval_too_brief);
    CHECK(out.reply.min_expires == 60u);
    CHECK(st.bindings.empty());
    CHECK_FALSE(out.effects.changed);
  }
  SECTION("a low Expires header counts only where no param overrides it") {
    auto rq = reg({contact("sip:a@192.0.2.1", 600)});
    rq.expires = 10;
    CHECK(apply(st, rq).reply.code == 200);
    rq.contacts.push_back(contact("sip:b@192.0.2.2"));
    CHECK(apply(st, rq).reply.code == 423);
  }
  SECTION("exactly min_expires is accepted, and min 0 allows any") {
    CHECK(apply(st, reg({contact("sip:a@192.0.2.1", 60)})).reply.code == 200);
    auto cfg = config();
    cfg.min_expires = 0;
    CHECK(apply(st, reg({contact("sip:b@192.0.2.2", 1)}), t0, cfg).reply.code ==
          200);
  }
  SECTION("no Min-Expires outside 423") {
    CHECK_FALSE(apply(st, reg({contact("sip:a@192.0.2.1")}))
                    .reply.min_expires.has_value());
  }
}

TEST_CASE("registrar: config validation", "[registrar]") {
  CHECK(validate(registrar_config{}).ok());
  CHECK(validate(config(5)).ok());
  CHECK_FALSE(validate({0, 0, 0, 0}).ok());
  CHECK_FALSE(validate({600, 3600, 300, 0}).ok());   // default < min
  CHECK_FALSE(validate({60, 3600, 7200, 0}).ok());   // default > max
  CHECK_FALSE(validate({4000, 3600, 3600, 0}).ok()); // min > max
}

TEST_CASE("registrar: max_contacts refuses the whole request: 503",
          "[registrar]") {
  auto cfg = config(2);
  auto st = fresh();
  REQUIRE(
      apply(st, reg({contact("sip:a@192.0.2.1")}, "c1"), t0, cfg).reply.code ==
      200);
  SECTION("two more when one is free: nothing added") {
    auto before = st;
    auto out = apply(
        st, reg({contact("sip:b@192.0.2.2"), contact("sip:c@192.0.2.3")}, "c2"),
        t0, cfg);
    CHECK(out.reply.code == 503);
    CHECK(out.reply.reason == "Service Unavailable");
    CHECK(out.reply.detail.find("Too many registered contacts") == 0);
    CHECK(out.status == register_status::too_many_contacts);
    CHECK(st == before);
  }
  SECTION("one removed and one added at the limit is fine") {
    REQUIRE(apply(st, reg({contact("sip:b@192.0.2.2")}, "c2"), t0, cfg)
                .reply.code == 200);
    auto out =
        apply(st,
              reg({contact("sip:a@192.0.2.1", 0), contact("sip:c@192.0.2.3")},
                  "c1", 2),
              t0, cfg);
    CHECK(out.reply.code == 200);
    CHECK(uris(st.bindings) ==
          std::vector<std::string>{"sip:b@192.0.2.2", "sip:c@192.0.2.3"});
  }
  SECTION("expired bindings do not count") {
    REQUIRE(apply(st, reg({contact("sip:b@192.0.2.2", 60)}, "c2"), t0, cfg)
                .reply.code == 200);
    auto out =
        apply(st, reg({contact("sip:c@192.0.2.3")}, "c3"), t0 + 61s, cfg);
    CHECK(out.reply.code == 200);
    CHECK(uris(out.effects.expired) ==
          std::vector<std::string>{"sip:b@192.0.2.2"});
  }
  SECTION("refreshes still work after the limit was lowered") {
    REQUIRE(apply(st, reg({contact("sip:b@192.0.2.2")}, "c2"), t0, cfg)
                .reply.code == 200);
    auto lower = config(1);
    CHECK(apply(st, reg({contact("sip:b@192.0.2.2")}, "c2", 2), t0, lower)
              .reply.code == 200);
    CHECK(apply(st, reg({contact("sip:c@192.0.2.3")}, "c3"), t0, lower)
              .reply.code == 503);
  }
  SECTION("permanent bindings do not count") {
    REQUIRE(
        add_permanent_binding(st, {"sip:pbx@192.0.2.50", {}, {}, "", ""}, t0)
            .ok());
    CHECK(apply(st, reg({contact("sip:b@192.0.2.2")}, "c2"), t0, cfg)
              .reply.code == 200);
    CHECK(st.bindings.size() == 3);
  }
}

TEST_CASE("registrar: a state never holds more than max_contacts",
          "[registrar]") {
  auto cfg = config(3);
  auto st = fresh();
  auto now = t0;
  for (int i = 0; i < 40; ++i) {
    std::vector<contact_input> cs;
    for (int k = 0; k <= i % 3; ++k)
      cs.push_back(
          contact("sip:d" + std::to_string((i * 7 + k) % 11) + "@192.0.2.1",
                  (i + k) % 4 == 0 ? 0u : 600u));
    auto out = apply(st, reg(cs, "cid-" + std::to_string(i)), now, cfg);
    CHECK((out.reply.code == 200 || out.reply.code == 503));
    CHECK(st.bindings.size() <= 3);
    now += 100s;
  }
}

TEST_CASE("registrar: the Path is kept per binding", "[registrar]") {
  auto st = fresh();
  auto rq = reg({contact("sip:alice@10.0.0.5:5060")});
  rq.path = {"<sip:lb1.example.test;lr;received=sip:203.0.113.9:41000>",
             "<sip:edge.example.test;lr>"};
  REQUIRE(apply(st, rq).reply.code == 200);
  REQUIRE(st.bindings.size() == 1);
  CHECK(st.bindings[0].path == rq.path);
  CHECK(targets(st, t0)[0].path == rq.path);
  // A refresh without Path drops it: the new request is the truth.
  auto again = reg({contact("sip:alice@10.0.0.5:5060")}, "cid-1", 2);
  REQUIRE(apply(st, again).reply.code == 200);
  CHECK(st.bindings[0].path.empty());
}

TEST_CASE("registrar: NAT detection", "[registrar]") {
  source_address src{sip_transport::udp, "203.0.113.9", 41000};
  CHECK(is_natted(src, {"10.0.0.5", 5060, true}));
  CHECK(is_natted(src, {"10.0.0.5", 5060, false}));
  CHECK(is_natted(src, {"203.0.113.9", 5060, true}));        // port differs
  CHECK_FALSE(is_natted(src, {"203.0.113.9", 5060, false})); // no rport
  CHECK_FALSE(is_natted(src, {"203.0.113.9", 41000, true}));
  CHECK(is_natted(src, {"phone.example.test", 41000, true})); // a name
  source_address plain{sip_transport::udp, "203.0.113.9", 5060};
  CHECK_FALSE(is_natted(plain, {"203.0.113.9", std::nullopt, true}));
  source_address tls{sip_transport::tls, "203.0.113.9", 5061};
  CHECK_FALSE(is_natted(tls, {"203.0.113.9", std::nullopt, true}));
  source_address v6{sip_transport::tcp, "2001:db8::1", 5060};
  CHECK_FALSE(is_natted(v6, {"[2001:DB8:0:0::1]", 5060, true}));
  CHECK(is_natted(v6, {"[2001:db8::2]", 5060, true}));

  auto st = fresh();
  auto rq = reg({contact("sip:alice@10.0.0.5:5060")});
  rq.source = src;
  rq.via = {"10.0.0.5", 5060, true};
  REQUIRE(apply(st, rq).reply.code == 200);
  auto tcp = reg({contact("sip:alice@10.0.0.6:5060;transport=tcp")}, "t");
  tcp.source = {sip_transport::tcp, "203.0.113.9", 50000};
  tcp.via = {"10.0.0.6", 5060, true};
  REQUIRE(apply(st, tcp).reply.code == 200);
  REQUIRE(apply(st, reg({contact("sip:alice@198.51.100.7")}, "p")).reply.code ==
          200);
  REQUIRE(st.bindings.size() == 3);
  CHECK(st.bindings[0].natted);
  CHECK(st.bindings[0].received == src);
  CHECK(st.bindings[1].natted);
  CHECK_FALSE(st.bindings[2].natted);
  REQUIRE(st.bindings[2].received.has_value());
  CHECK(st.bindings[2].received->ip == "198.51.100.7");
  // Only the natted UDP one is pinged.
  CHECK(uris(keepalive_targets(st)) ==
        std::vector<std::string>{"sip:alice@10.0.0.5:5060"});
}

TEST_CASE("registrar: +sip.instance and reg-id identify a binding",
          "[registrar]") {
  auto st = fresh();
  const std::string inst =
      "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"";
  REQUIRE(apply(st, reg({with_instance(contact("sip:alice@10.0.0.5"), inst, 1)},
                        "c1", 1))
              .reply.code == 200);
  SECTION("a new URI with the same instance and reg-id replaces") {
    auto out = apply(
        st, reg({with_instance(
                    contact("sip:alice@10.0.0.77"),
                    "<urn:uuid:00000000-0000-1000-8000-aabbccddeeff>", 1)},
                "c1", 2));
    CHECK(out.reply.code == 200);
    CHECK(out.effects.refreshed.size() == 1);
    CHECK(uris(st.bindings) == std::vector<std::string>{"sip:alice@10.0.0.77"});
    REQUIRE(out.reply.contacts.size() == 1);
    CHECK(out.reply.contacts[0].reg_id == 1u);
    CHECK(out.reply.contacts[0].instance.has_value());
  }
  SECTION("the CSeq rule applies to instance matches too") {
    auto out =
        apply(st, reg({with_instance(contact("sip:alice@10.0.0.77"), inst, 1)},
                      "c1", 1));
    CHECK(out.reply.code == 500);
  }
  SECTION("another reg-id is another binding (a second flow)") {
    auto out =
        apply(st, reg({with_instance(contact("sip:alice@10.0.0.5"), inst, 2)},
                      "c1", 2));
    CHECK(out.reply.code == 200);
    CHECK(st.bindings.size() == 2);
  }
  SECTION("a contact with instance takes over a plain binding of its URI") {
    auto st2 = with_bindings({"sip:bob@10.0.0.9"});
    auto out =
        apply(st2, reg({with_instance(contact("sip:bob@10.0.0.9"), inst, 1)},
                       "x", 1));
    CHECK(out.reply.code == 200);
    REQUIRE(st2.bindings.size() == 1);
    CHECK(st2.bindings[0].instance == inst);
  }
  SECTION("a contact without instance matches by URI") {
    auto out = apply(st, reg({contact("sip:alice@10.0.0.5", 0)}, "c1", 2));
    CHECK(out.reply.code == 200);
    CHECK(st.bindings.empty());
  }
  SECTION("instance comparison") {
    CHECK(instance_equal("\"<urn:uuid:ABC>\"", "<urn:uuid:abc>"));
    CHECK_FALSE(instance_equal("<urn:uuid:abc>", "<urn:uuid:abd>"));
  }
}

TEST_CASE("registrar: the same contact twice in one request: 400",
          "[registrar]") {
  auto st = with_bindings({"sip:a@192.0.2.1"});
  auto before = st;
  SECTION("equal URIs") {
    auto out = apply(st, reg({contact("sip:b@192.0.2.2", 0),
                              contact("sip:b@192.0.2.2;foo=bar", 600)}));
    CHECK(out.reply.code == 400);
    CHECK(out.status == register_status::duplicate_contact);
  }
  SECTION("two contacts resolving to one binding") {
    auto st2 = fresh();
    REQUIRE(apply(st2,
                  reg({with_instance(contact("sip:x@10.0.0.1"), "<urn:a>", 1)}))
                .reply.code == 200);
    auto out =
        apply(st2, reg({with_instance(contact("sip:y@10.0.0.2"), "<urn:a>", 1),
                        contact("sip:x@10.0.0.1")},
                       "cid-9", 1));
    CHECK(out.reply.code == 400);
    CHECK(st2.bindings.size() == 1);
  }
  CHECK(st == before);
}

TEST_CASE("registrar: a request for another AoR is refused: 500",
          "[registrar]") {
  auto st = fresh();
  auto rq = reg({contact("sip:bob@192.0.2.1")});
  rq.aor = "sip:bob@example.test";
  auto out = apply(st, rq);
  CHECK(out.reply.code == 500);
  CHECK(out.status == register_status::aor_mismatch);
  CHECK(st.bindings.empty());
}

TEST_CASE("registrar: URI comparison follows RFC 3261 19.1.4", "[registrar]") {
  // The RFC's equivalent pairs.
  CHECK(sip_uri_equal("sip:%61lice@atlanta.com;transport=TCP",
                      "sip:alice@AtLanTa.CoM;Transport=tcp"));
  CHECK(sip_uri_equal("sip:carol@chicago.com",
                      "sip:carol@chicago.com;newparam=5"));
  CHECK(sip_uri_equal("sip:carol@chicago.com;security=on",
                      "sip:carol@chicago.com;newparam=5"));
  CHECK(sip_uri_equal(
      "sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
      "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
  CHECK(sip_uri_equal(
      "sip:alice@atlanta.com?subject=project%20x&priority=urgent",
      "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
  CHECK(sip_uri_equal("SIP:alice@host:05060", "sip:alice@HOST:5060"));
  // The RFC's different pairs.
  CHECK_FALSE(sip_uri_equal("SIP:ALICE@AtLanTa.CoM;Transport=udp",
                            "sip:alice@AtLanTa.CoM;Transport=UDP"));
  CHECK_FALSE(sip_uri_equal("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
  CHECK_FALSE(
      sip_uri_equal("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"));
  CHECK_FALSE(sip_uri_equal("sip:bob@biloxi.com:6000;transport=tcp",
                            "sip:bob@biloxi.com:6000"));
  CHECK_FALSE(sip_uri_equal("sip:carol@chicago.com",
                            "sip:carol@chicago.com?Subject=next%20meeting"));
  CHECK_FALSE(
      sip_uri_equal("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"));
  CHECK_FALSE(sip_uri_equal("sip:carol@chicago.com;security=on",
                            "sip:carol@chicago.com;security=off"));
  CHECK_FALSE(sip_uri_equal("sip:a@h", "sips:a@h"));
  CHECK_FALSE(sip_uri_equal("sip:a@h;maddr=1.2.3.4", "sip:a@h"));
  // Escaped reserved characters stay different.
  CHECK_FALSE(sip_uri_equal("sip:a%40b@h", "sip:a@b@h"));
  CHECK(sip_uri_equal("sip:a%3bb@h", "sip:a%3Bb@h"));
  // IPv6 references and other schemes.
  CHECK(sip_uri_equal("sip:a@[2001:DB8::1]:5060", "sip:a@[2001:db8::1]:5060"));
  CHECK_FALSE(sip_uri_equal("sip:a@[2001:db8::1]", "sip:a@[2001:db8::1]:5060"));
  CHECK(sip_uri_equal("TEL:+4312345", "tel:+4312345"));
  CHECK_FALSE(sip_uri_equal("tel:+4312345", "sip:+4312345@h"));
}

TEST_CASE("registrar: timers", "[registrar]") {
  auto st = fresh();
  auto out = apply(
      st, reg({contact("sip:a@192.0.2.1", 600), contact("sip:b@192.0.2.2", 300),
               contact("sip:c@192.0.2.3", 300)}));
  REQUIRE(out.reply.code == 200);
  CHECK(out.effects.timer == t0 + 300s);
  CHECK(next_expiry(st) == t0 + 300s);

  SECTION("a spurious early timer removes nothing") {
    auto fx = on_timer(st, t0 + 299s);
    CHECK_FALSE(fx.changed);
    CHECK(fx.expired.empty());
    CHECK(fx.timer == t0 + 300s);
    CHECK(st.bindings.size() == 3);
  }
  SECTION("on time removes exactly the expired, then the next timer") {
    auto fx = on_timer(st, t0 + 300s);
    CHECK(fx.changed);
    CHECK(uris(fx.expired) ==
          std::vector<std::string>{"sip:b@192.0.2.2", "sip:c@192.0.2.3"});
    CHECK(fx.removed.empty());
    CHECK(uris(st.bindings) == std::vector<std::string>{"sip:a@192.0.2.1"});
    CHECK(fx.timer == t0 + 600s);
    auto last = on_timer(st, t0 + 700s);
    CHECK(last.expired.size() == 1);
    CHECK(st.bindings.empty());
    CHECK_FALSE(last.timer.has_value());
  }
  SECTION("a permanent binding arms no timer") {
    auto st2 = fresh();
    auto fx =
        add_permanent_binding(st2, {"sip:pbx@192.0.2.50", {}, {}, "", ""}, t0);
    REQUIRE(fx.ok());
    CHECK_FALSE(fx->timer.has_value());
    CHECK_FALSE(on_timer(st2, t0 + 1000000h).changed);
  }
}

TEST_CASE("registrar: the reply shows what is left at a later now",
          "[registrar]") {
  auto st = fresh();
  REQUIRE(apply(st, reg({contact("sip:a@192.0.2.1", 3600)}, "c1")).reply.code ==
          200);
  auto out = apply(st, reg({contact("sip:b@192.0.2.2", 600)}, "c2"),
                   t0 + 100s + 500ms);
  REQUIRE(out.reply.code == 200);
  REQUIRE(out.reply.contacts.size() == 2);
  // Both 1.0: b is more recent.
  CHECK(out.reply.contacts[0].uri == "sip:b@192.0.2.2");
  CHECK(out.reply.contacts[0].expires == 600);
  CHECK(out.reply.contacts[1].expires == 3500); // 3499.5 s rounded up
  binding b;
  b.expires_at = t0 + 10s;
  CHECK(remaining_seconds(b, t0 + 9s + 999ms, 0) == 1);
  CHECK(remaining_seconds(b, t0 + 10s, 0) == 0);
  CHECK(remaining_seconds(b, t0 + 99s, 0) == 0);
  b.expires_at = permanent_expiry;
  CHECK(remaining_seconds(b, t0, 3600) == 3600);
}

TEST_CASE("registrar: expired bindings are dropped by the next REGISTER",
          "[registrar]") {
  auto st = fresh();
  REQUIRE(
      apply(st, reg({contact("sip:a@192.0.2.1", 60)}, "c1", 7)).reply.code ==
      200);
  // Same Call-ID, lower CSeq: the old binding is dead, so no 500.
  auto out =
      apply(st, reg({contact("sip:a@192.0.2.1", 60)}, "c1", 3), t0 + 60s);
  CHECK(out.reply.code == 200);
  CHECK(out.effects.expired.size() == 1);
  CHECK(out.effects.added.size() == 1);
}

TEST_CASE("registrar: permanent bindings", "[registrar]") {
  auto st = with_bindings({"sip:a@192.0.2.1"});
  permanent_binding_request pb{
      "sip:pbx@192.0.2.50", 200, {"<sip:lb;lr>"}, "udp:internal", "admin"};
  auto fx = add_permanent_binding(st, pb, t0 + 5s);
  REQUIRE(fx.ok());
  CHECK(fx->changed);
  CHECK(fx->added.size() == 1);
  CHECK(fx->timer == t0 + 1800s);
  REQUIRE(st.bindings.size() == 2);
  CHECK(is_permanent(st.bindings[1]));
  CHECK(st.bindings[1].path == pb.path);

  SECTION("listed with max_expires and the permanent flag") {
    auto out = apply(st, reg({}, "q", 1));
    REQUIRE(out.reply.contacts.size() == 2);
    CHECK(out.reply.contacts[1].uri == "sip:pbx@192.0.2.50");
    CHECK(out.reply.contacts[1].permanent);
    CHECK(out.reply.contacts[1].expires == 3600);
  }
  SECTION("Contact * and other contacts leave it alone") {
    REQUIRE(apply(st, star("other", 1)).reply.code == 200);
    REQUIRE(apply(st, reg({contact("sip:c@192.0.2.3")}, "x")).reply.code ==
            200);
    CHECK(uris(st.bindings) ==
          std::vector<std::string>{"sip:pbx@192.0.2.50", "sip:c@192.0.2.3"});
    CHECK_FALSE(on_timer(st, t0 + 10000h).expired.empty());
    CHECK(uris(st.bindings) == std::vector<std::string>{"sip:pbx@192.0.2.50"});
  }
  SECTION("a REGISTER naming its contact takes it over") {
    auto out = apply(st, reg({contact("sip:pbx@192.0.2.50", 0)}, "phone", 1));
    CHECK(out.reply.code == 200);
    CHECK(out.effects.removed.size() == 1);
    CHECK(uris(st.bindings) == std::vector<std::string>{"sip:a@192.0.2.1"});
  }
  SECTION("the admin API removes it, or replaces a registered binding") {
    auto gone = remove_binding(st, "sip:pbx@192.0.2.50", t0 + 6s);
    CHECK(gone.removed.size() == 1);
    CHECK(st.bindings.size() == 1);
    auto none = remove_binding(st, "sip:nobody@192.0.2.99", t0 + 6s);
    CHECK_FALSE(none.changed);
    auto again = add_permanent_binding(
        st, {"sip:a@192.0.2.1", std::nullopt, {}, "", ""}, t0 + 7s);
    REQUIRE(again.ok());
    CHECK(again->refreshed.size() == 1);
    REQUIRE(st.bindings.size() == 1);
    CHECK(is_permanent(st.bindings[0]));
    CHECK_FALSE(again->timer.has_value());
  }
  SECTION("a removed subscriber loses every binding, permanent ones too") {
    auto fx = remove_all_bindings(st, t0 + 6s);
    CHECK(fx.changed);
    CHECK(fx.removed.size() == 2);
    CHECK(fx.expired.empty());
    CHECK(st.bindings.empty());
    CHECK_FALSE(fx.timer.has_value());
    CHECK_FALSE(remove_all_bindings(st, t0 + 7s).changed);
  }
  SECTION("bad input is an error and changes nothing") {
    auto before = st;
    CHECK_FALSE(add_permanent_binding(st, {"", {}, {}, "", ""}, t0).ok());
    CHECK_FALSE(
        add_permanent_binding(st, {"sip:x@h", 1001, {}, "", ""}, t0).ok());
    CHECK(st == before);
  }
}

TEST_CASE("registrar: status names and transports", "[registrar]") {
  std::vector<std::string> names;
  for (int i = 0; i <= static_cast<int>(register_status::too_many_contacts);
       ++i) {
    auto name = std::string(to_string(static_cast<register_status>(i)));
    CHECK(name != "unknown");
    CHECK(std::find(names.begin(), names.end(), name) == names.end());
    names.push_back(name);
  }
  CHECK(to_string(register_status::out_of_order) == "out_of_order");
  for (auto t : {sip_transport::udp, sip_transport::tcp, sip_transport::tls,
                 sip_transport::ws, sip_transport::wss})
    CHECK(parse_transport(to_string(t)) == t);
  CHECK(parse_transport("TLS") == sip_transport::tls);
  CHECK_FALSE(parse_transport("sctp").has_value());
}

namespace {

// A state using every field: natted, Path, instance, q, a permanent one.
registrar_state rich_state() {
  auto st = fresh();
  auto rq = reg({with_q(with_instance(contact("sip:alice@10.0.0.5;ob"),
                                      "\"<urn:uuid:1>\"", 1),
                        "0.7")},
                "cid-rich", 42);
  rq.contacts[0].params = ";+sip.instance=\"<urn:uuid:1>\";reg-id=1;q=0.7";
  rq.path = {"<sip:lb;lr>"};
  rq.source = {sip_transport::wss, "203.0.113.9", 443};
  rq.via = {"x.invalid", std::nullopt, true};
  REQUIRE(on_register(st, rq, config(), t0 + 123456789ns).reply.code == 200);
  REQUIRE(add_permanent_binding(
              st, {"sip:pbx@192.0.2.50", 0, {}, "udp:int", ""}, t0)
              .ok());
  return st;
}

std::string decode_error(const json& j) {
  auto r = registrar_state_from_json(j);
  REQUIRE_FALSE(r.ok());
  return r.err().message;
}

} // namespace

TEST_CASE("registrar: JSON round trip", "[registrar]") {
  auto st = rich_state();
  auto j = to_json(st);
  CHECK(j.at("version") == registrar_state_version);
  CHECK(j.at("bindings").at(1).at("expires_at").is_null());
  // Through text, as persistence and replication carry it.
  auto back = registrar_state_from_json(json::parse(j.dump()));
  REQUIRE(back.ok());
  CHECK(*back == st);
  CHECK(back->bindings[0].natted);
  CHECK(back->bindings[0].received->transport == sip_transport::wss);
  auto empty = registrar_state_from_json(to_json(fresh()));
  REQUIRE(empty.ok());
  CHECK(*empty == fresh());
}

TEST_CASE("registrar: JSON decoding is strict", "[registrar]") {
  auto good = to_json(rich_state());
  auto with = [&](auto edit) {
    auto j = good;
    edit(j);
    return decode_error(j);
  };
  CHECK(decode_error(json::array()) ==
        "registrar state: (root): expected an object");
  CHECK(with([](json& j) { j.erase("aor"); }) ==
        "registrar state: /aor: missing");
  CHECK(with([](json& j) { j["extra"] = 1; }) ==
        "registrar state: /extra: unknown member");
  CHECK(with([](json& j) { j["version"] = 2; }).find("/version: unsupported") !=
        std::string::npos);
  CHECK(with([](json& j) { j["seq"] = "7"; }) ==
        "registrar state: /seq: expected an unsigned integer");
  CHECK(with([](json& j) { j["bindings"] = json::object(); }) ==
        "registrar state: /bindings: expected an array");
  CHECK(with([](json& j) { j["bindings"][0]["cseq"] = -1; }) ==
        "registrar state: /bindings/0/cseq: expected an unsigned integer");
  CHECK(with([](json& j) {
          j["bindings"][0]["cseq"] = 4294967296;
        }).find("/bindings/0/cseq: out of range") != std::string::npos);
  CHECK(with([](json& j) { j["bindings"][1].erase("natted"); }) ==
        "registrar state: /bindings/1/natted: missing");
  CHECK(with([](json& j) {
          j["bindings"][0]["q"] = 1001;
        }).find("/bindings/0/q: out of range") != std::string::npos);
  CHECK(with([](json& j) { j["bindings"][0]["q"] = 0.5; }) ==
        "registrar state: /bindings/0/q: expected an unsigned integer");
  CHECK(with([](json& j) {
          j["bindings"][0]["received"]["transport"] = "sctp";
        }) == "registrar state: /bindings/0/received/transport: unknown "
              "transport \"sctp\"");
  CHECK(with([](json& j) { j["bindings"][0]["path"][0] = 5; }) ==
        "registrar state: /bindings/0/path/0: expected a string");
  CHECK(with([](json& j) { j["bindings"][0]["received"] = nullptr; }) ==
        "registrar state: /bindings/0/received: a natted binding needs a "
        "received address");
  CHECK(with([](json& j) {
          j["bindings"][1]["uri"] = "SIP:alice@10.0.0.5;ob";
        }).find("/bindings/1: same binding as /bindings/0") !=
        std::string::npos);
  CHECK(with([](json& j) { j["bindings"][0]["seq"] = 99; }) ==
        "registrar state: /bindings/0/seq: higher than the state's seq");
}
