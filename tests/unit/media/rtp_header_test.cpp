// RTP fixed-header parsing (total) and per-leg loss counting.
#include "media/rtp_header.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace sb::media;

namespace {

std::vector<uint8_t> packet(uint16_t seq, uint32_t ssrc = 7, uint8_t pt = 0,
                            uint8_t csrc = 0) {
  std::vector<uint8_t> p(12 + 4 * csrc + 20, 0);
  p[0] = static_cast<uint8_t>(0x80 | csrc);
  p[1] = pt;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  p[4] = 0x01;
  p[7] = 0x02;
  p[8] = static_cast<uint8_t>(ssrc >> 24);
  p[11] = static_cast<uint8_t>(ssrc);
  return p;
}

rtp_header hdr(uint16_t seq, uint32_t ssrc = 7) {
  auto p = packet(seq, ssrc);
  return *parse_rtp_header(p.data(), p.size());
}

} // namespace

TEST_CASE("rtp header: fields of a valid packet", "[media][rtp]") {
  auto p = packet(0xbeef, 0x0a0000ff, 8 | 0x80); // marker bit set
  auto h = parse_rtp_header(p.data(), p.size());
  REQUIRE(h);
  CHECK(h->sequence == 0xbeef);
  CHECK(h->payload_type == 8);
  CHECK(h->timestamp == 0x01000002);
  CHECK(h->ssrc == 0x0a0000ff);
}

TEST_CASE("rtp header: what is not RTP is nullopt", "[media][rtp]") {
  CHECK_FALSE(parse_rtp_header(nullptr, 0));
  auto p = packet(1);
  CHECK_FALSE(parse_rtp_header(p.data(), 11)); // short
  p[0] = 0x40;                                 // version 1
  CHECK_FALSE(parse_rtp_header(p.data(), p.size()));
  auto rtcp = packet(1, 7, 200); // an RTCP sender report on a muxed port
  CHECK_FALSE(parse_rtp_header(rtcp.data(), rtcp.size()));
  auto csrc = packet(1, 7, 0, 15); // 15 CSRCs need 72 bytes of header
  CHECK(parse_rtp_header(csrc.data(), csrc.size()));
  CHECK_FALSE(parse_rtp_header(csrc.data(), 12 + 4 * 14));
}

TEST_CASE("rtp loss: gaps, reordering, wrap-around and a new source",
          "[media][rtp]") {
  loss_tracker t;
  CHECK(t.lost() == 0);
  for (uint16_t s : {10, 11, 13, 14}) // 12 lost
    t.on_packet(hdr(s));
  CHECK(t.received() == 4);
  CHECK(t.lost() == 1);
  t.on_packet(hdr(12)); // late, not lost after all
  CHECK(t.lost() == 0);

  loss_tracker w;
  for (uint16_t s : {65534, 65535, 0, 2}) // wraps; 1 lost
    w.on_packet(hdr(s));
  CHECK(w.lost() == 1);
  CHECK(w.received() == 4);

  // The source restarts with a new SSRC and sequence: no phantom loss.
  w.on_packet(hdr(5000, 99));
  w.on_packet(hdr(5001, 99));
  CHECK(w.lost() == 1);
  CHECK(w.received() == 6);
}
