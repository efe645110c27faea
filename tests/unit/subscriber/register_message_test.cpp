// The SIP side of the registrar core: a parsed REGISTER into the core's
// register_request, and the core's outcome (from on_register) into the SIP
// reply. Pure; messages are built with the real parser.
#include "actors/subscriber/register_message.hpp"

#include "sip/msg/parse.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sb::actors::subscriber;
using namespace std::chrono_literals;
using sb::sip::sip_message;

namespace {

const time_point t0 = time_point{} + 1'700'000'000s;
const std::string aor = "sip:alice@example.test";
const sb::sip::source_address from_nat{sb::sip::sip_transport::udp,
                                       "203.0.113.5", 40000};
const std::string instance =
    "\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"";

registrar_config config() {
  return {60, 3600, 1800, 0};
}

sip_message parse(const std::string& text) {
  auto r = sb::sip::parse_message(text);
  INFO(text);
  REQUIRE(std::holds_alternative<sip_message>(r));
  return std::get<sip_message>(r);
}

// A REGISTER with `extra` header lines (each ending in CRLF).
sip_message
register_msg(const std::string& extra, uint32_t cseq = 1,
             const std::string& via =
                 "SIP/2.0/UDP 192.0.2.1:5062;branch=z9hG4bK776;rport") {
  return parse("REGISTER sip:example.test SIP/2.0\r\n"
               "Via: " +
               via +
               "\r\n"
               "Max-Forwards: 70\r\n"
               "From: <sip:alice@example.test>;tag=a73kszlfl\r\n"
               "To: <sip:alice@example.test>\r\n"
               "Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.1\r\n"
               "CSeq: " +
               std::to_string(cseq) + " REGISTER\r\n" + extra +
               "Content-Length: 0\r\n\r\n");
}

std::vector<std::string> values(const sb::sip::edge::sip_reply& r,
                                std::string_view name) {
  std::vector<std::string> out;
  for (const auto& h : r.headers)
    if (h.name == name)
      out.push_back(h.value);
  return out;
}

// Runs a message through the core and renders the reply.
struct exchange {
  register_outcome outcome;
  sb::sip::edge::sip_reply reply;
};

exchange run(registrar_state& st, const sip_message& m, time_point now = t0) {
  auto rq = to_register_request(m, aor, from_nat, "udp:127.0.0.1:5060");
  exchange x;
  x.outcome = on_register(st, rq, config(), now);
  x.reply = to_sip_reply(x.outcome, m);
  return x;
}

} // namespace

TEST_CASE("register message: contacts and their parameters",
          "[subscriber][register_message]") {
  auto m = register_msg(
      "Contact: <sip:alice@192.0.2.1:5062>;q=0.7;expires=600;+sip.instance=" +
      instance +
      ";reg-id=1, <sip:alice@198.51.100.2>\r\n"
      "Path: <sip:edge1.example.test;lr>, <sip:edge2.example.test;lr>\r\n"
      "Expires: 3600\r\n"
      "User-Agent: test-phone/1.0\r\n");
  auto r = to_register_request(m, aor, from_nat, "udp:127.0.0.1:5060");
  CHECK(r.aor == aor);
  CHECK_FALSE(r.star);
  REQUIRE(r.contacts.size() == 2);
  const auto& c0 = r.contacts[0];
  CHECK(c0.uri == "sip:alice@192.0.2.1:5062");
  CHECK(c0.q == std::optional<std::string>("0.7"));
  CHECK(c0.expires == 600u);
  CHECK(c0.instance == std::optional<std::string>(instance));
  CHECK(c0.reg_id == 1u);
  CHECK(c0.params.find("q=0.7") != std::string::npos);
  CHECK(c0.params.find("reg-id=1") != std::string::npos);
  CHECK(c0.params.find("+sip.instance=") != std::string::npos);
  const auto& c1 = r.contacts[1];
  CHECK(c1.uri == "sip:alice@198.51.100.2");
  CHECK_FALSE(c1.q);
  CHECK_FALSE(c1.expires);
  CHECK_FALSE(c1.instance);
  CHECK_FALSE(c1.reg_id);
  CHECK(c1.params.empty());

  CHECK(r.expires == 3600u);
  CHECK(r.call_id == "1j9FpLxk3uxtm8tn@192.0.2.1");
  CHECK(r.cseq == 1);
  CHECK(r.path == std::vector<std::string>{"<sip:edge1.example.test;lr>",
                                           "<sip:edge2.example.test;lr>"});
  CHECK(r.source == from_nat);
  CHECK(r.via.host == "192.0.2.1");
  CHECK(r.via.port == 5062);
  CHECK(r.via.rport);
  CHECK(r.user_agent == "test-phone/1.0");
  CHECK(r.local_socket == "udp:127.0.0.1:5060");
}

TEST_CASE("register message: a request without the optional parts",
          "[subscriber][register_message]") {
  auto m = register_msg("Contact: <sip:alice@192.0.2.1>;reg-id=x\r\n", 1,
                        "SIP/2.0/TCP host.example.test;branch=z9hG4bK9");
  auto r = to_register_request(m, aor, from_nat, "tcp:public");
  REQUIRE(r.contacts.size() == 1);
  CHECK_FALSE(r.contacts[0].reg_id); // not a number
  CHECK(r.contacts[0].params == "reg-id=x");
  CHECK_FALSE(r.expires);
  CHECK(r.path.empty());
  CHECK(r.user_agent.empty());
  CHECK(r.via.host == "host.example.test");
  CHECK_FALSE(r.via.port);
  CHECK_FALSE(r.via.rport);
}

TEST_CASE("register message: Contact star", "[subscriber][register_message]") {
  auto m = register_msg("Contact: *\r\nExpires: 0\r\n");
  auto r = to_register_request(m, aor, from_nat, "udp:x");
  CHECK(r.star);
  CHECK(r.contacts.empty());
  CHECK(r.expires == 0u);
}

TEST_CASE("register message: a 200 lists every binding with expires and q",
          "[subscriber][register_message]") {
  registrar_state st;
  st.aor = aor;
  auto m = register_msg(
      "Contact: <sip:alice@192.0.2.1:5062>;q=0.7;expires=600;+sip.instance=" +
      instance +
      ";reg-id=1, <sip:alice@198.51.100.2>\r\n"
      "Path: <sip:edge1.example.test;lr>\r\n"
      "Expires: 3600\r\n");
  auto x = run(st, m);
  REQUIRE(x.outcome.status == register_status::ok);
  CHECK(x.reply.code == 200);
  auto contacts = values(x.reply, "Contact");
  REQUIRE(contacts.size() == 2);
  // targets order: missing q (1.0) before 0.7.
  CHECK(contacts[0] == "<sip:alice@198.51.100.2>;expires=3600");
  CHECK(contacts[1] == "<sip:alice@192.0.2.1:5062>;expires=600;q=0.7"
                       ";+sip.instance=" +
                           instance + ";reg-id=1");
  CHECK(values(x.reply, "Path") ==
        std::vector<std::string>{"<sip:edge1.example.test;lr>"});
  CHECK(values(x.reply, "Supported") == std::vector<std::string>{"path"});
  CHECK(values(x.reply, "Min-Expires").empty());
  CHECK(values(x.reply, "Warning").empty());

  SECTION("a later query shows the remaining seconds") {
    auto q = register_msg("", 2);
    auto y = run(st, q, t0 + 100s);
    REQUIRE(y.reply.code == 200);
    auto cs = values(y.reply, "Contact");
    REQUIRE(cs.size() == 2);
    CHECK(cs[0] == "<sip:alice@198.51.100.2>;expires=3500");
    CHECK(cs[1].rfind("<sip:alice@192.0.2.1:5062>;expires=500;q=0.7", 0) == 0);
    // No Path in the query: none echoed, no Supported.
    CHECK(values(y.reply, "Path").empty());
    CHECK(values(y.reply, "Supported").empty());
  }
  SECTION("the default expiry applies without Expires") {
    registrar_state s2;
    s2.aor = aor;
    auto y = run(s2, register_msg("Contact: <sip:alice@192.0.2.9>\r\n"));
    CHECK(values(y.reply, "Contact") ==
          std::vector<std::string>{"<sip:alice@192.0.2.9>;expires=1800"});
  }
}

TEST_CASE("register message: 423 carries Min-Expires",
          "[subscriber][register_message]") {
  registrar_state st;
  st.aor = aor;
  auto x =
      run(st, register_msg("Contact: <sip:alice@192.0.2.1>;expires=10\r\n"));
  CHECK(x.outcome.status == register_status::interval_too_brief);
  CHECK(x.reply.code == 423);
  CHECK(values(x.reply, "Min-Expires") == std::vector<std::string>{"60"});
  CHECK(values(x.reply, "Contact").empty());
  CHECK(st.bindings.empty());
}

TEST_CASE("register message: errors carry a Warning 399",
          "[subscriber][register_message]") {
  registrar_state st;
  st.aor = aor;
  SECTION("star with contacts") {
    auto x = run(st, register_msg("Contact: *\r\nContact: <sip:a@192.0.2.1>\r\n"
                                  "Expires: 0\r\n"));
    CHECK(x.outcome.status == register_status::star_with_contacts);
    CHECK(x.reply.code == 400);
    auto w = values(x.reply, "Warning");
    REQUIRE(w.size() == 1);
    CHECK(w[0].rfind("399 switchboard \"", 0) == 0);
    CHECK(w[0].back() == '"');
    CHECK(w[0].size() > std::string("399 switchboard \"\"").size());
    CHECK(values(x.reply, "Contact").empty());
    CHECK(values(x.reply, "Min-Expires").empty());
  }
  SECTION("out of order CSeq") {
    REQUIRE(
        run(st, register_msg("Contact: <sip:a@192.0.2.1>\r\n", 5)).reply.code ==
        200);
    auto x = run(st, register_msg("Contact: <sip:a@192.0.2.1>\r\n", 5));
    CHECK(x.outcome.status == register_status::out_of_order);
    CHECK(x.reply.code == 500);
    auto w = values(x.reply, "Warning");
    REQUIRE(w.size() == 1);
    CHECK(w[0].rfind("399 switchboard \"", 0) == 0);
    // Nothing inside the quoted text may end the quoted string early.
    auto inner = w[0].substr(17, w[0].size() - 18);
    CHECK(inner.find('"') == std::string::npos);
    CHECK(inner.find('\\') == std::string::npos);
  }
}

TEST_CASE("register message: the Warning text is sanitised",
          "[subscriber][register_message]") {
  register_outcome out;
  out.status = register_status::invalid_q;
  out.reply.code = 400;
  out.reply.reason = "Bad Request";
  out.reply.detail = "bad \"q\"\\ value\r\nX: y";
  auto r = to_sip_reply(out, register_msg(""));
  CHECK(r.code == 400);
  CHECK(r.reason == "Bad Request");
  CHECK(values(r, "Warning") ==
        std::vector<std::string>{"399 switchboard \"bad q valueX: y\""});
}

TEST_CASE("register message: canonical_aor lower-cases the domain only",
          "[subscriber][register_message]") {
  CHECK(canonical_aor("Alice", "Example.TEST") == "sip:Alice@example.test");
  CHECK(canonical_aor("alice", "example.test") == "sip:alice@example.test");
  CHECK(canonical_aor("+4312345", "VOIP.Example.com") ==
        "sip:+4312345@voip.example.com");
}
