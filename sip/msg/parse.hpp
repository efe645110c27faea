#pragma once

#include "sip/msg/sip_message.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace sb::sip {

/// Why a datagram is not a usable SIP message.
struct parse_error {
  /// For the reason phrase of a 400, e.g. "Bad CSeq header" or "Missing
  /// Call-ID header".
  std::string reason;
  /// The status to answer with when the message can be answered (400, or
  /// 505 for another SIP version); 0 when it cannot even be answered (no
  /// usable Via/From/To/Call-ID/CSeq, or a response): drop it, as RFC 3261
  /// §16.3/§18 say.
  int status = 400;
};

using parse_result = std::variant<sip_message, parse_error>;

/// Parses one complete message (a UDP datagram, or one framed from a
/// stream) with sofia-sip's parser and copies it into a `sip_message`.
/// Beyond syntax it checks what every element needs: the SIP/2.0 version,
/// the mandatory headers (Via, From, To, Call-ID, CSeq; Max-Forwards is
/// optional as in RFC 3261 §8.1.1.6 for compatibility), a CSeq method that
/// matches the request method, and a Content-Length that does not exceed the
/// body. Never throws; safe on arbitrary bytes.
parse_result parse_message(std::string_view bytes);

} // namespace sb::sip
