// What the edge relies on from sip/msg: split_uri (user and host of a
// sip/sips URI, for ban keys and AoRs) and the parser's refusal of an empty
// Call-ID (a fuzz finding, tests/fuzz/crashes/empty-call-id*.sip).
#include "sip/msg/parse.hpp"
#include "sip/msg/sip_message.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using sb::sip::parse_error;
using sb::sip::sip_message;
using sb::sip::split_uri;

namespace {

// "user|host" or "none", for compact expectations.
std::string split(std::string_view uri) {
  auto p = split_uri(uri);
  return p ? p->user + "|" + p->host : "none";
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

} // namespace

TEST_CASE("split_uri: user and host of sip and sips URIs", "[sip][edge][uri]") {
  CHECK(split("sip:alice@Example.com;x=y") == "alice|Example.com");
  CHECK(split("sip:alice@example.com") == "alice|example.com");
  CHECK(split("sips:bob@example.com:5061") == "bob|example.com");
  CHECK(split("SIP:alice@example.com") == "alice|example.com");
  CHECK(split("Sips:alice@example.com") == "alice|example.com");
  CHECK(split("sip:alice@example.com:5060;transport=tcp") ==
        "alice|example.com");
  CHECK(split("sip:alice@example.com?subject=hi") == "alice|example.com");
  CHECK(split("sip:alice@192.0.2.1:5062") == "alice|192.0.2.1");
}

TEST_CASE("split_uri: URIs without user", "[sip][edge][uri]") {
  CHECK(split("sip:example.com") == "|example.com");
  CHECK(split("sip:example.com:5060") == "|example.com");
  CHECK(split("sip:example.com;lr") == "|example.com");
  CHECK(split("sip:[2001:db8::1]:5060;transport=tcp") == "|[2001:db8::1]");
}

TEST_CASE("split_uri: IPv6 hosts keep their brackets", "[sip][edge][uri]") {
  CHECK(split("sip:alice@[2001:db8::1]") == "alice|[2001:db8::1]");
  CHECK(split("sip:alice@[2001:db8::1]:5070;transport=udp") ==
        "alice|[2001:db8::1]");
  CHECK(split("sips:[::1]") == "|[::1]");
  CHECK(split("sip:alice@[2001:db8::1") == "none"); // unclosed
}

TEST_CASE("split_uri: the password is not part of the user",
          "[sip][edge][uri]") {
  CHECK(split("sip:alice:secret@example.com") == "alice|example.com");
  CHECK(split("sip:alice:@example.com:5060") == "alice|example.com");
  // user-unreserved allows ';' before '@'.
  CHECK(split("sip:alice;phone-context=x@example.com") ==
        "alice;phone-context=x|example.com");
}

TEST_CASE("split_uri: other schemes and URIs without host are refused",
          "[sip][edge][uri]") {
  CHECK(split("tel:+15551234567") == "none");
  CHECK(split("sip:") == "none");
  CHECK(split("sips:") == "none");
  CHECK(split("sip:alice@") == "none");
  CHECK(split("sip:alice@;x=y") == "none");
  CHECK(split("sip:;x=y") == "none");
  CHECK(split("") == "none");
  CHECK(split("http://example.com") == "none");
  CHECK(split("<sip:alice@example.com>") == "none");
  CHECK(split("si") == "none");
}

TEST_CASE("parse: an empty Call-ID is a 400, not a message",
          "[sip][edge][parse]") {
  std::string text = "OPTIONS sip:u@example.test SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                     "From: <sip:a@example.test>;tag=1\r\n"
                     "To: <sip:b@example.test>\r\n"
                     "Call-ID:\r\n"
                     "CSeq: 1 OPTIONS\r\n"
                     "Content-Length: 0\r\n\r\n";
  auto r = sb::sip::parse_message(text);
  REQUIRE(std::holds_alternative<parse_error>(r));
  CHECK(std::get<parse_error>(r).status == 400);
  CHECK(std::get<parse_error>(r).reason == "Empty Call-ID header");

  SECTION("a REGISTER likewise") {
    std::string reg = "REGISTER sip:example.test SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK2\r\n"
                      "From: <sip:a@example.test>;tag=1\r\n"
                      "To: <sip:a@example.test>\r\n"
                      "Call-ID: \r\n"
                      "CSeq: 1 REGISTER\r\n"
                      "Content-Length: 0\r\n\r\n";
    auto rr = sb::sip::parse_message(reg);
    REQUIRE(std::holds_alternative<parse_error>(rr));
    CHECK(std::get<parse_error>(rr).status == 400);
    CHECK(std::get<parse_error>(rr).reason == "Empty Call-ID header");
  }
  SECTION("a non-empty Call-ID still parses") {
    auto pos = text.find("Call-ID:");
    text.insert(pos + 8, " abc@host");
    auto ok = sb::sip::parse_message(text);
    REQUIRE(std::holds_alternative<sip_message>(ok));
    CHECK(std::get<sip_message>(ok).call_id == "abc@host");
  }
}

TEST_CASE("parse: the fuzz reproducers of the empty Call-ID are refused",
          "[sip][edge][parse]") {
  auto dir = std::filesystem::path(SB_SOURCE_DIR) / "tests/fuzz/crashes";
  SECTION("empty-call-id.sip") {
    auto bytes = read_file(dir / "empty-call-id.sip");
    REQUIRE_FALSE(bytes.empty());
    auto r = sb::sip::parse_message(bytes);
    REQUIRE(std::holds_alternative<parse_error>(r));
    CHECK(std::get<parse_error>(r).status == 400);
    CHECK(std::get<parse_error>(r).reason == "Empty Call-ID header");
  }
  SECTION("empty-call-id-min.sip") {
    auto bytes = read_file(dir / "empty-call-id-min.sip");
    REQUIRE_FALSE(bytes.empty());
    auto r = sb::sip::parse_message(bytes);
    REQUIRE(std::holds_alternative<parse_error>(r));
    const auto& e = std::get<parse_error>(r);
    CHECK((e.status == 0 || e.status == 400));
    CHECK_FALSE(e.reason.empty());
  }
}
