#pragma once

#include "sip/msg/parse.hpp"

// For the SIP edge only: the same checks and copy as `parse_message`, for a
// message sofia's transport layer has already parsed. Keeps sofia types out
// of every other header.
struct msg_s;

namespace sb::sip {

/// Checks and copies a message nta received (owned by the caller, not
/// consumed). Same contract as `parse_message`.
parse_result copy_message(msg_s* m);

} // namespace sb::sip
