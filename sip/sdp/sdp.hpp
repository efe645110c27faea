#pragma once

#include "common/net/ip_net.hpp"
#include "common/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// SDP (RFC 8866, formerly RFC 4566) as the media relay needs it: what a
// body offers (parse_sdp) and the same body with the relay put in place of
// the endpoint (rewrite_sdp, B2BUA topology hiding). Pure functions on text.
// Hand-written line parser: sofia's sdp_print reorders attributes (rtpmap
// and fmtp first, direction moved), and a relay must keep the order.
namespace sb::sip {

/// Bodies larger than this are refused: a real offer is a few KB, and the
/// parser should not be a way to make us copy megabytes.
inline constexpr std::size_t max_sdp_size = 64 * 1024;

/// Direction attribute (RFC 3264 §5.1); sendrecv when none is given.
enum class media_direction { sendrecv, sendonly, recvonly, inactive };

/// A c= line (or the address part of a=rtcp): "IN <addrtype> <address>".
/// The address is kept as text: it may be a host name or a multicast
/// address with TTL ("224.2.1.1/127"), which the relay does not interpret.
struct sdp_connection {
  std::string addrtype; ///< "IP4" or "IP6" (as written)
  std::string address;

  friend bool operator==(const sdp_connection&,
                         const sdp_connection&) = default;
};

/// a=rtcp (RFC 3605): the RTCP port, and its address when given.
struct sdp_rtcp {
  uint16_t port = 0;
  std::optional<sdp_connection> connection;
};

/// One m= section.
struct sdp_media {
  std::string type;  ///< "audio", "video", "image", "application", ...
  uint16_t port = 0; ///< 0: the stream is disabled / rejected
  /// The "/<n>" of "m=video 49170/2 ..." (RFC 8866 §5.14), 1 when absent.
  unsigned port_count = 1;
  std::string proto;                ///< "RTP/AVP", "RTP/SAVP", "udptl", ...
  std::vector<std::string> formats; ///< payload types / format tokens
  /// The media-level c= if any, else the session-level one.
  std::optional<sdp_connection> connection;
  bool media_level_connection = false;
  std::optional<sdp_rtcp> rtcp;
  bool rtcp_mux = false; ///< a=rtcp-mux present
  /// The media-level direction attribute, else the session-level one.
  media_direction direction = media_direction::sendrecv;
  /// On hold as RFC 3264 §8.4 (and the older RFC 2543 0.0.0.0 form) say:
  /// direction sendonly or inactive, or connection address 0.0.0.0 / ::.
  bool held = false;

  bool disabled() const noexcept { return port == 0; }
};

/// The o= line.
struct sdp_origin {
  std::string username;
  std::string session_id;
  std::string session_version;
  sdp_connection connection;
};

/// What an SDP body describes.
struct sdp_info {
  sdp_origin origin;
  std::string session_name; ///< s=, empty when absent
  std::optional<sdp_connection> session_connection;
  media_direction session_direction = media_direction::sendrecv;
  std::vector<sdp_media> media; ///< in m= order
};

/// Parses an SDP body. Total: any input (binary, truncated, huge) gives a
/// value or an error naming the line, never an exception or a crash.
/// Accepts CRLF and bare LF line ends (RFC 8866 §5 asks parsers to) and a
/// missing final line end. Requires v=0 first and an o= line; s= and t=
/// are not required (some UAs omit them and the relay only copies them).
/// A body without m= lines is valid (RFC 8866 allows sessions without
/// media) and gives an empty `media`; the caller decides whether that is
/// acceptable. An enabled m= section without any c= (its own or the
/// session's) is an error; a disabled one (port 0) may lack it.
result<sdp_info> parse_sdp(std::string_view body);

/// The origin the relay presents in place of the endpoint's o= line. The
/// caller keeps one per call leg and increments `session_version` every
/// time the SDP it sends on that leg changes (RFC 3264 §8).
struct sdp_origin_spec {
  std::string username = "-";
  uint64_t session_id = 0;
  uint64_t session_version = 0;
};

/// What the relay allocated for one m= section.
struct relay_media {
  uint16_t rtp_port = 0;
  uint16_t rtcp_port = 0;
  /// Keep a=rtcp-mux (and a=rtcp-mux-only) when the relay muxes this leg.
  bool keep_rtcp_mux = false;
};

/// How to rewrite a body: the relay address, the origin to show, and per
/// m= section (in order) either the relay's ports or nullopt for "leave
/// disabled": the section goes out with port 0 (an already disabled one
/// stays so, an enabled one is rejected as RFC 3264 §6 describes).
struct relay_plan {
  net::ip_address address;
  sdp_origin_spec origin;
  std::vector<std::optional<relay_media>> media;
};

/// `original` as the relay presents it: o= is the plan's origin with the
/// relay address (the endpoint's address must not leak); every c= line
/// (session and media level) is "c=IN IP4|IP6 <relay>"; each enabled m=
/// port is rtp_port; a=rtcp becomes "a=rtcp:<rtcp_port>" (added at the end
/// of the section when absent); a=rtcp-mux / a=rtcp-mux-only are kept only
/// with keep_rtcp_mux; ICE attributes (candidate, ice-ufrag, ice-pwd,
/// ice-options, ice-lite, ice-mismatch, ice-pacing, end-of-candidates,
/// remote-candidates) are removed at both levels, as rtpengine's
/// ICE=remove does, since they name addresses the relay does not serve. A
/// disabled section also loses a=rtcp (it may carry an address). All other
/// lines (b=, t=, s=, rtpmap, fmtp, ptime, direction, unknown attributes)
/// are kept in order. Output lines end in CRLF. Errors: `original` does not
/// parse, the plan's media count differs from the body's, the plan gives
/// ports to a section that is disabled in the body, or a section uses a
/// port count ("/2"; the relay allocates one pair per section). Free text
/// (s=, i=, u=, e=, p=) and unknown attributes are copied as they are, so
/// an address the endpoint wrote there stays.
result<std::string> rewrite_sdp(std::string_view original,
                                const relay_plan& plan);

} // namespace sb::sip
