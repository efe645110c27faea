// SDP parse and relay rewrite (sip/sdp): the offers real UAs send, the
// rewrite's effects line by line, and malformed input answered with errors.
#include "sip/sdp/sdp.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

using namespace sb::sip;

std::string crlf(std::string_view lf_text) {
  std::string out;
  for (char c : lf_text) {
    if (c == '\n')
      out += '\r';
    out += c;
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto e = s.find("\r\n", pos);
    REQUIRE(e != std::string::npos); // every line ends in CRLF
    out.push_back(s.substr(pos, e - pos));
    pos = e + 2;
  }
  return out;
}

sb::net::ip_address ip(std::string_view s) {
  auto a = sb::net::parse_ip_address(s);
  REQUIRE(a);
  return *a;
}

relay_plan plan_for(std::string_view addr,
                    std::vector<std::optional<relay_media>> media) {
  relay_plan p;
  p.address = ip(addr);
  p.origin = {"sbc", 4711, 2};
  p.media = std::move(media);
  return p;
}

// As SIPp's uac scenario sends it.
const std::string sipp_offer = crlf("v=0\n"
                                    "o=user1 53655765 2353687637 IN IP4 "
                                    "192.168.1.23\n"
                                    "s=-\n"
                                    "c=IN IP4 192.168.1.23\n"
                                    "t=0 0\n"
                                    "m=audio 6000 RTP/AVP 0 8 101\n"
                                    "a=rtpmap:0 PCMU/8000\n"
                                    "a=rtpmap:8 PCMA/8000\n"
                                    "a=rtpmap:101 telephone-event/8000\n"
                                    "a=fmtp:101 0-15\n"
                                    "a=ptime:20\n");

} // namespace

TEST_CASE("parse_sdp reads a SIPp G.711 offer", "[sdp]") {
  auto r = parse_sdp(sipp_offer);
  REQUIRE(r);
  CHECK(r->origin.username == "user1");
  CHECK(r->origin.session_id == "53655765");
  CHECK(r->origin.session_version == "2353687637");
  CHECK(r->origin.connection.address == "192.168.1.23");
  CHECK(r->session_name == "-");
  REQUIRE(r->session_connection);
  CHECK(r->session_connection->addrtype == "IP4");
  REQUIRE(r->media.size() == 1);
  const auto& m = r->media[0];
  CHECK(m.type == "audio");
  CHECK(m.port == 6000);
  CHECK(m.port_count == 1);
  CHECK(m.proto == "RTP/AVP");
  CHECK(m.formats == std::vector<std::string>{"0", "8", "101"});
  REQUIRE(m.connection);
  CHECK(m.connection->address == "192.168.1.23");
  CHECK_FALSE(m.media_level_connection);
  CHECK_FALSE(m.rtcp);
  CHECK_FALSE(m.rtcp_mux);
  CHECK(m.direction == media_direction::sendrecv);
  CHECK_FALSE(m.held);
  CHECK_FALSE(m.disabled());
}

TEST_CASE("parse_sdp accepts bare LF and a missing final line end", "[sdp]") {
  auto r = parse_sdp("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\n"
                     "t=0 0\nm=audio 4000 RTP/AVP 0");
  REQUIRE(r);
  REQUIRE(r->media.size() == 1);
  CHECK(r->media[0].port == 4000);
}

TEST_CASE("parse_sdp: media-level c= only, rtcp, rtcp-mux", "[sdp]") {
  auto r = parse_sdp(crlf("v=0\n"
                          "o=- 1 1 IN IP4 10.0.0.1\n"
                          "s=-\n"
                          "t=0 0\n"
                          "m=audio 4000 RTP/AVP 0\n"
                          "c=IN IP4 10.0.0.2\n"
                          "a=rtcp:4005 IN IP4 10.0.0.3\n"
                          "a=rtcp-mux\n"
                          "m=video 5000 RTP/AVP 96\n"
                          "c=IN IP4 10.0.0.4\n"
                          "a=rtcp:5001\n"));
  REQUIRE(r);
  CHECK_FALSE(r->session_connection);
  REQUIRE(r->media.size() == 2);
  const auto& a = r->media[0];
  CHECK(a.media_level_connection);
  CHECK(a.connection->address == "10.0.0.2");
  REQUIRE(a.rtcp);
  CHECK(a.rtcp->port == 4005);
  REQUIRE(a.rtcp->connection);
  CHECK(a.rtcp->connection->address == "10.0.0.3");
  CHECK(a.rtcp_mux);
  const auto& v = r->media[1];
  CHECK(v.connection->address == "10.0.0.4");
  REQUIRE(v.rtcp);
  CHECK(v.rtcp->port == 5001);
  CHECK_FALSE(v.rtcp->connection);
  CHECK_FALSE(v.rtcp_mux);
}

TEST_CASE("parse_sdp: media c= overrides the session one", "[sdp]") {
  auto r = parse_sdp(crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n"
                          "c=IN IP4 10.0.0.1\nt=0 0\n"
                          "m=audio 4000 RTP/AVP 0\n"
                          "m=audio 4002 RTP/AVP 0\nc=IN IP4 10.9.9.9\n"));
  REQUIRE(r);
  CHECK(r->media[0].connection->address == "10.0.0.1");
  CHECK(r->media[1].connection->address == "10.9.9.9");
}

TEST_CASE("parse_sdp reads IPv6", "[sdp]") {
  auto r = parse_sdp(crlf("v=0\no=- 1 1 IN IP6 2001:db8::5\ns=-\n"
                          "c=IN IP6 2001:db8::5\nt=0 0\n"
                          "m=audio 4000 RTP/AVP 0\n"));
  REQUIRE(r);
  CHECK(r->origin.connection.addrtype == "IP6");
  CHECK(r->media[0].connection->addrtype == "IP6");
  CHECK(r->media[0].connection->address == "2001:db8::5");
}

TEST_CASE("parse_sdp reports hold forms", "[sdp]") {
  auto with = [](std::string_view conn, std::string_view attrs) {
    return crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 " +
                std::string(conn) + "\nt=0 0\nm=audio 4000 RTP/AVP 0\n" +
                std::string(attrs));
  };
  SECTION("sendonly") {
    auto r = parse_sdp(with("10.0.0.1", "a=sendonly\n"));
    REQUIRE(r);
    CHECK(r->media[0].direction == media_direction::sendonly);
    CHECK(r->media[0].held);
  }
  SECTION("inactive") {
    auto r = parse_sdp(with("10.0.0.1", "a=inactive\n"));
    REQUIRE(r);
    CHECK(r->media[0].direction == media_direction::inactive);
    CHECK(r->media[0].held);
  }
  SECTION("recvonly is not hold") {
    auto r = parse_sdp(with("10.0.0.1", "a=recvonly\n"));
    REQUIRE(r);
    CHECK(r->media[0].direction == media_direction::recvonly);
    CHECK_FALSE(r->media[0].held);
  }
  SECTION("c=0.0.0.0 (RFC 2543)") {
    auto r = parse_sdp(with("0.0.0.0", ""));
    REQUIRE(r);
    CHECK(r->media[0].direction == media_direction::sendrecv);
    CHECK(r->media[0].held);
  }
  SECTION("session-level direction applies to media without one") {
    auto r = parse_sdp(crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n"
                            "c=IN IP4 10.0.0.1\nt=0 0\na=sendonly\n"
                            "m=audio 4000 RTP/AVP 0\n"
                            "m=audio 4002 RTP/AVP 0\na=sendrecv\n"));
    REQUIRE(r);
    CHECK(r->session_direction == media_direction::sendonly);
    CHECK(r->media[0].held);
    CHECK_FALSE(r->media[1].held);
  }
}

TEST_CASE("parse_sdp without m= lines is a session without media", "[sdp]") {
  auto r = parse_sdp(crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\n"));
  REQUIRE(r);
  CHECK(r->media.empty());
}

TEST_CASE("parse_sdp: a disabled stream may lack c=", "[sdp]") {
  auto base = std::string("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nt=0 0\n");
  CHECK(parse_sdp(crlf(base + "m=video 0 RTP/AVP 96\n")));
  auto r = parse_sdp(crlf(base + "m=audio 4000 RTP/AVP 0\n"));
  REQUIRE_FALSE(r);
  CHECK(r.err().message.find("no c= line") != std::string::npos);
}

TEST_CASE("parse_sdp refuses malformed input", "[sdp]") {
  const std::string ok_head = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n"
                              "c=IN IP4 10.0.0.1\r\nt=0 0\r\n";
  auto refused = [](std::string_view body) {
    auto r = parse_sdp(body);
    if (r)
      return false;
    CHECK_FALSE(r.err().message.empty());
    return true;
  };
  CHECK(refused(""));
  CHECK(refused("\r\n\r\n"));
  CHECK(refused("o=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\n"));            // no v=
  CHECK(refused("v=1\r\no=- 1 1 IN IP4 10.0.0.1\r\n"));            // version
  CHECK(refused("v=0\r\ns=-\r\nc=IN IP4 1.2.3.4\r\n"));            // no o=
  CHECK(refused("v=0\r\no=- 1 1 IN IP4\r\n"));                     // short o=
  CHECK(refused(ok_head + "m=audio abc RTP/AVP 0\r\n"));           // port
  CHECK(refused(ok_head + "m=audio 70000 RTP/AVP 0\r\n"));         // port
  CHECK(refused(ok_head + "m=audio -1 RTP/AVP 0\r\n"));            // port
  CHECK(refused(ok_head + "m=audio 4000/x RTP/AVP 0\r\n"));        // count
  CHECK(refused(ok_head + "m=audio 4000 RTP/AVP\r\n"));            // no fmt
  CHECK(refused(ok_head + "m=audio\r\n"));                         // truncated
  CHECK(refused(ok_head + "m="));                                  // truncated
  CHECK(refused(ok_head + "m"));                                   // truncated
  CHECK(refused(ok_head + "c=IN IP4\r\n"));                        // truncated
  CHECK(refused(ok_head + "c=XX IP4 1.2.3.4\r\n"));                // nettype
  CHECK(refused(ok_head + "c=IN IPX 1.2.3.4\r\n"));                // addrtype
  CHECK(refused(ok_head + "m=audio 1 RTP/AVP 0\r\na=rtcp:x\r\n")); // rtcp
  CHECK(refused(ok_head + "m=audio 1 RTP/AVP 0\r\na=rtcp:9 IN\r\n"));
  CHECK(refused(ok_head + "x=unknown type\r\n"));
  CHECK(refused(ok_head + "A=capital\r\n"));
  CHECK(refused(ok_head + "no equals sign\r\n"));
  CHECK(refused(ok_head + "\r\nm=audio 1 RTP/AVP 0\r\n")); // blank inside
  CHECK(refused(ok_head + "v=0\r\n"));                     // second v=
  CHECK(refused(ok_head + "m=audio 1 RTP/AVP 0\r\no=- 1 1 IN IP4 1.1.1.1\r\n"));
  CHECK(refused(ok_head + "s=a\rb\r\n")); // bare CR

  SECTION("embedded NUL") {
    std::string body = ok_head + "m=audio 4000 RTP/AVP 0\r\n";
    body.insert(body.find("RTP"), 1, '\0');
    CHECK(refused(body));
    CHECK(refused(std::string("v=0\0\r\n", 6)));
  }
  SECTION("64 KB of garbage") {
    std::string junk(64 * 1024, '\0');
    uint32_t x = 12345;
    for (auto& c : junk) {
      x = x * 1103515245 + 12345;
      c = static_cast<char>(x >> 16);
    }
    CHECK(refused(junk));
    CHECK(refused("v=0\r\n" + junk));
    CHECK(refused(std::string(64 * 1024, 'a')));
  }
  SECTION("over the size limit, even when well-formed") {
    std::string body = ok_head + "m=audio 4000 RTP/AVP 0\r\n";
    while (body.size() <= max_sdp_size)
      body += "a=x-padding:0123456789\r\n";
    auto r = parse_sdp(body);
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("exceeds") != std::string::npos);
  }
  SECTION("every prefix of a valid body parses or fails cleanly") {
    for (std::size_t n = 0; n <= sipp_offer.size(); ++n)
      (void)parse_sdp(std::string_view(sipp_offer).substr(0, n));
    SUCCEED();
  }
}

TEST_CASE("rewrite_sdp: SIPp offer through an IPv4 relay", "[sdp]") {
  auto r = rewrite_sdp(sipp_offer,
                       plan_for("203.0.113.7", {relay_media{30000, 30001}}));
  REQUIRE(r);
  CHECK(lines_of(*r) == std::vector<std::string>{
                            "v=0",
                            "o=sbc 4711 2 IN IP4 203.0.113.7",
                            "s=-",
                            "c=IN IP4 203.0.113.7",
                            "t=0 0",
                            "m=audio 30000 RTP/AVP 0 8 101",
                            "a=rtpmap:0 PCMU/8000",
                            "a=rtpmap:8 PCMA/8000",
                            "a=rtpmap:101 telephone-event/8000",
                            "a=fmtp:101 0-15",
                            "a=ptime:20",
                            "a=rtcp:30001",
                        });
  CHECK(r->find("192.168.1.23") == std::string::npos);
  // The result is itself valid SDP describing the relay.
  auto again = parse_sdp(*r);
  REQUIRE(again);
  CHECK(again->media[0].port == 30000);
  CHECK(again->media[0].rtcp->port == 30001);
  CHECK(again->media[0].connection->address == "203.0.113.7");
}

TEST_CASE("rewrite_sdp: LF input gives CRLF output", "[sdp]") {
  auto in = std::string("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\n"
                        "c=IN IP4 10.0.0.1\nt=0 0\nm=audio 4000 RTP/AVP 0");
  auto r = rewrite_sdp(in, plan_for("192.0.2.1", {relay_media{30000, 30001}}));
  REQUIRE(r);
  CHECK(lines_of(*r).size() == 7);
  CHECK(r->substr(r->size() - 2) == "\r\n");
}

TEST_CASE("rewrite_sdp: media-level c= only, IPv6 relay", "[sdp]") {
  auto in = crlf("v=0\n"
                 "o=alice 1 1 IN IP4 10.1.2.3\n"
                 "s=call\n"
                 "t=0 0\n"
                 "m=audio 4000 RTP/AVP 0\n"
                 "c=IN IP4 10.1.2.3\n"
                 "a=sendrecv\n");
  auto r =
      rewrite_sdp(in, plan_for("2001:db8::7", {relay_media{30010, 30011}}));
  REQUIRE(r);
  CHECK(lines_of(*r) == std::vector<std::string>{
                            "v=0",
                            "o=sbc 4711 2 IN IP6 2001:db8::7",
                            "s=call",
                            "t=0 0",
                            "m=audio 30010 RTP/AVP 0",
                            "c=IN IP6 2001:db8::7",
                            "a=sendrecv",
                            "a=rtcp:30011",
                        });
  CHECK(r->find("10.1.2.3") == std::string::npos);
}

TEST_CASE("rewrite_sdp: IPv6 offer through an IPv4 relay", "[sdp]") {
  auto in = crlf("v=0\no=- 7 7 IN IP6 fd00::1234\ns=-\n"
                 "c=IN IP6 fd00::1234\nt=0 0\nm=audio 4000 RTP/AVP 8\n");
  auto r =
      rewrite_sdp(in, plan_for("198.51.100.2", {relay_media{31000, 31001}}));
  REQUIRE(r);
  CHECK(r->find("fd00::1234") == std::string::npos);
  CHECK(r->find("IP6") == std::string::npos);
  CHECK(r->find("c=IN IP4 198.51.100.2\r\n") != std::string::npos);
}

TEST_CASE("rewrite_sdp: audio + disabled video", "[sdp]") {
  auto in = crlf("v=0\n"
                 "o=- 1 1 IN IP4 10.0.0.9\n"
                 "s=-\n"
                 "c=IN IP4 10.0.0.9\n"
                 "b=AS:512\n"
                 "t=0 0\n"
                 "m=audio 4000 RTP/AVP 0\n"
                 "a=rtcp:4001 IN IP4 10.0.0.9\n"
                 "m=video 0 RTP/AVP 96\n"
                 "c=IN IP4 10.0.0.9\n"
                 "a=rtpmap:96 H264/90000\n"
                 "a=rtcp:5001 IN IP4 10.0.0.9\n");
  auto r = rewrite_sdp(
      in, plan_for("192.0.2.1", {relay_media{30000, 30001}, std::nullopt}));
  REQUIRE(r);
  CHECK(lines_of(*r) == std::vector<std::string>{
                            "v=0",
                            "o=sbc 4711 2 IN IP4 192.0.2.1",
                            "s=-",
                            "c=IN IP4 192.0.2.1",
                            "b=AS:512",
                            "t=0 0",
                            "m=audio 30000 RTP/AVP 0",
                            "a=rtcp:30001",
                            "m=video 0 RTP/AVP 96",
                            "c=IN IP4 192.0.2.1",
                            "a=rtpmap:96 H264/90000",
                        });
  CHECK(r->find("10.0.0.9") == std::string::npos);
}

TEST_CASE("rewrite_sdp: leaving an enabled section disabled rejects it",
          "[sdp]") {
  auto r = rewrite_sdp(sipp_offer, plan_for("192.0.2.1", {std::nullopt}));
  REQUIRE(r);
  CHECK(r->find("m=audio 0 RTP/AVP 0 8 101\r\n") != std::string::npos);
  CHECK(r->find("a=rtcp") == std::string::npos);
}

TEST_CASE("rewrite_sdp: rtcp-mux kept or removed", "[sdp]") {
  auto in = crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\n"
                 "t=0 0\nm=audio 4000 RTP/AVP 0\n"
                 "a=rtcp:4000\na=rtcp-mux\na=ptime:20\n");
  SECTION("kept") {
    auto r = rewrite_sdp(
        in, plan_for("192.0.2.1", {relay_media{30000, 30000, true}}));
    REQUIRE(r);
    auto l = lines_of(*r);
    CHECK(std::vector<std::string>(l.end() - 4, l.end()) ==
          std::vector<std::string>{"m=audio 30000 RTP/AVP 0", "a=rtcp:30000",
                                   "a=rtcp-mux", "a=ptime:20"});
  }
  SECTION("removed") {
    auto r = rewrite_sdp(
        in, plan_for("192.0.2.1", {relay_media{30000, 30001, false}}));
    REQUIRE(r);
    auto l = lines_of(*r);
    CHECK(std::vector<std::string>(l.end() - 3, l.end()) ==
          std::vector<std::string>{"m=audio 30000 RTP/AVP 0", "a=rtcp:30001",
                                   "a=ptime:20"});
    CHECK(r->find("rtcp-mux") == std::string::npos);
  }
  SECTION("rtcp-mux-only follows rtcp-mux") {
    auto in2 = in + "a=rtcp-mux-only\r\n";
    auto kept = rewrite_sdp(
        in2, plan_for("192.0.2.1", {relay_media{30000, 30000, true}}));
    REQUIRE(kept);
    CHECK(kept->find("a=rtcp-mux-only\r\n") != std::string::npos);
    auto gone = rewrite_sdp(
        in2, plan_for("192.0.2.1", {relay_media{30000, 30001, false}}));
    REQUIRE(gone);
    CHECK(gone->find("rtcp-mux") == std::string::npos);
  }
}

TEST_CASE("rewrite_sdp keeps hold forms", "[sdp]") {
  auto in = crlf("v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\n"
                 "t=0 0\nm=audio 4000 RTP/AVP 0\na=sendonly\n"
                 "m=audio 4002 RTP/AVP 0\na=inactive\n");
  auto r = rewrite_sdp(in, plan_for("192.0.2.1", {relay_media{30000, 30001},
                                                  relay_media{30002, 30003}}));
  REQUIRE(r);
  auto info = parse_sdp(*r);
  REQUIRE(info);
  CHECK(info->media[0].direction == media_direction::sendonly);
  CHECK(info->media[1].direction == media_direction::inactive);
  CHECK(info->media[0].held);
  CHECK(info->media[1].held);
  // c=0.0.0.0 is replaced like any c= line: the relay decides how to show
  // hold (the direction attribute still says it when present).
  auto zero =
      rewrite_sdp(crlf("v=0\no=- 1 2 IN IP4 10.0.0.1\ns=-\nc=IN IP4 0.0.0.0\n"
                       "t=0 0\nm=audio 4000 RTP/AVP 0\n"),
                  plan_for("192.0.2.1", {relay_media{30000, 30001}}));
  REQUIRE(zero);
  CHECK(zero->find("0.0.0.0") == std::string::npos);
}

TEST_CASE("rewrite_sdp strips ICE and keeps everything else in order",
          "[sdp]") {
  auto in =
      crlf("v=0\n"
           "o=- 20518 0 IN IP4 192.168.7.7\n"
           "s=-\n"
           "t=0 0\n"
           "a=ice-lite\n"
           "a=ice-options:trickle\n"
           "a=x-session-thing:1\n"
           "m=audio 54400 RTP/SAVPF 111 0\n"
           "c=IN IP4 192.168.7.7\n"
           "b=TIAS:64000\n"
           "a=x-first\n"
           "a=ice-ufrag:F7gI\n"
           "a=ice-pwd:x9cml/YzichV2+XlhiMu8g\n"
           "a=candidate:1 1 UDP 2130706431 192.168.7.7 54400 typ host\n"
           "a=candidate:2 1 UDP 1694498815 198.51.100.9 54400 typ srflx "
           "raddr 192.168.7.7 rport 54400\n"
           "a=remote-candidates:1 192.168.7.7 54400\n"
           "a=end-of-candidates\n"
           "a=rtpmap:111 opus/48000/2\n"
           "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkp\n"
           "a=x-zzz:last\n"
           "a=fmtp:111 minptime=10\n"
           "a=rtcp:54401 IN IP4 192.168.7.7\n"
           "a=rtpmap:0 PCMU/8000\n"
           "a=recvonly\n");
  auto r = rewrite_sdp(in, plan_for("192.0.2.1", {relay_media{30000, 30001}}));
  REQUIRE(r);
  CHECK(lines_of(*r) ==
        std::vector<std::string>{
            "v=0",
            "o=sbc 4711 2 IN IP4 192.0.2.1",
            "s=-",
            "t=0 0",
            "a=x-session-thing:1",
            "m=audio 30000 RTP/SAVPF 111 0",
            "c=IN IP4 192.0.2.1",
            "b=TIAS:64000",
            "a=x-first",
            "a=rtpmap:111 opus/48000/2",
            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkp",
            "a=x-zzz:last",
            "a=fmtp:111 minptime=10",
            "a=rtcp:30001",
            "a=rtpmap:0 PCMU/8000",
            "a=recvonly",
        });
  CHECK(r->find("192.168.7.7") == std::string::npos);
  CHECK(r->find("198.51.100.9") == std::string::npos);
  CHECK(r->find("ice") == std::string::npos);
  CHECK(r->find("candidate") == std::string::npos);
}

TEST_CASE("rewrite_sdp: other line types are copied", "[sdp]") {
  auto in = crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=Talk\ni=info\n"
                 "u=http://example.com/x\ne=a@example.com\np=+1 555\n"
                 "c=IN IP4 10.0.0.1\nb=CT:128\nt=2873397496 2873404696\n"
                 "r=7d 1h 0 25h\nz=2882844526 -1h\nk=prompt\n"
                 "m=image 4000 udptl t38\na=T38FaxVersion:0\n");
  auto r = rewrite_sdp(in, plan_for("192.0.2.1", {relay_media{30000, 30001}}));
  REQUIRE(r);
  for (std::string_view l :
       {"s=Talk\r\n", "i=info\r\n", "u=http://example.com/x\r\n",
        "e=a@example.com\r\n", "p=+1 555\r\n", "b=CT:128\r\n",
        "t=2873397496 2873404696\r\n", "r=7d 1h 0 25h\r\n",
        "z=2882844526 -1h\r\n", "k=prompt\r\n", "m=image 30000 udptl t38\r\n",
        "a=T38FaxVersion:0\r\n"})
    CHECK(r->find(l) != std::string::npos);
}

TEST_CASE("rewrite_sdp errors", "[sdp]") {
  SECTION("media count mismatch") {
    auto r = rewrite_sdp(sipp_offer,
                         plan_for("192.0.2.1", {relay_media{30000, 30001},
                                                relay_media{30002, 30003}}));
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("2 media") != std::string::npos);
    CHECK_FALSE(rewrite_sdp(sipp_offer, plan_for("192.0.2.1", {})));
  }
  SECTION("ports for a disabled section") {
    auto in = crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\n"
                   "t=0 0\nm=video 0 RTP/AVP 96\n");
    auto r =
        rewrite_sdp(in, plan_for("192.0.2.1", {relay_media{30000, 30001}}));
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("disabled") != std::string::npos);
  }
  SECTION("port count") {
    auto in = crlf("v=0\no=- 1 1 IN IP4 10.0.0.1\ns=-\nc=IN IP4 10.0.0.1\n"
                   "t=0 0\nm=video 4000/2 RTP/AVP 96\n");
    auto parsed = parse_sdp(in);
    REQUIRE(parsed);
    CHECK(parsed->media[0].port_count == 2);
    CHECK_FALSE(
        rewrite_sdp(in, plan_for("192.0.2.1", {relay_media{30000, 30001}})));
  }
  SECTION("bad origin username") {
    auto p = plan_for("192.0.2.1", {relay_media{30000, 30001}});
    p.origin.username = "a b";
    CHECK_FALSE(rewrite_sdp(sipp_offer, p));
    p.origin.username = "";
    CHECK_FALSE(rewrite_sdp(sipp_offer, p));
  }
  SECTION("malformed original") {
    CHECK_FALSE(rewrite_sdp("", plan_for("192.0.2.1", {})));
    CHECK_FALSE(rewrite_sdp(std::string(100, '\0'), plan_for("192.0.2.1", {})));
  }
}

TEST_CASE("parse_sdp / rewrite_sdp on mutated bodies", "[sdp]") {
  // Deterministic byte flips, cuts and insertions of a valid offer: never
  // a crash, and whatever rewrite_sdp accepts comes out as valid SDP.
  uint32_t x = 7;
  auto next = [&x] {
    x = x * 1103515245u + 12345u;
    return x >> 8;
  };
  const char alphabet[] = "v=oscmat0123456789 /:\r\n\0\xff-IPN";
  std::size_t rewritten = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string body = sipp_offer;
    for (int k = 0, edits = 1 + next() % 4; k < edits; ++k) {
      auto pos = next() % (body.size() + 1);
      char c = alphabet[next() % (sizeof(alphabet) - 1)];
      switch (next() % 3) {
      case 0:
        if (pos < body.size())
          body[pos] = c;
        break;
      case 1:
        body.insert(pos, 1, c);
        break;
      default:
        body.erase(pos, next() % 8);
        break;
      }
    }
    auto info = parse_sdp(body);
    if (!info)
      continue;
    relay_plan plan = plan_for("192.0.2.1", {});
    for (const auto& m : info->media)
      plan.media.push_back(
          m.disabled() ? std::nullopt
                       : std::optional<relay_media>(relay_media{30000, 30001}));
    auto out = rewrite_sdp(body, plan);
    if (!out)
      continue;
    ++rewritten;
    auto again = parse_sdp(*out);
    REQUIRE(again);
    CHECK(again->media.size() == info->media.size());
    // Only structured fields are checked: a mutation can move the address
    // into free text (s=, i=, unknown a=), which is copied verbatim.
    CHECK(again->origin.connection.address == "192.0.2.1");
    for (const auto& m : again->media) {
      if (m.connection)
        CHECK(m.connection->address == "192.0.2.1");
      if (m.rtcp)
        CHECK_FALSE(m.rtcp->connection);
    }
  }
  CHECK(rewritten > 0);
}
