#pragma once

// Messages of the call manager and call actors. They carry edge values
// and closures, so they stay on their node (issue 6 moves call snapshots).
#include "actors/media/media_session_actor.hpp"
#include "actors/subscriber/subscriber_messages.hpp" // incoming_request
#include "common/result.hpp"
#include "sip/edge/edge_types.hpp"

#include <memory>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

namespace sb::actors::call {

/// A request or notification of a call: shared_ptr<incoming_request>.
using call_request_atom = caf::atom_constant<caf::atom("cl_req")>;
/// An answer to a request a call sent: shared_ptr<incoming_response>.
using call_response_atom = caf::atom_constant<caf::atom("cl_rsp")>;
/// Time for the call manager to look at its parked in-dialog requests
/// (dialog_wait.hpp).
using call_wait_tick_atom = caf::atom_constant<caf::atom("cl_wait")>;
/// A timer of the call core: (generation, timer kind as uint8_t).
using call_timer_atom = caf::atom_constant<caf::atom("cl_tmr")>;
/// Time to look at the media counters.
using call_media_check_atom = caf::atom_constant<caf::atom("cl_mchk")>;
/// The node was fenced: the call leaves it without a word to either side
/// and without a CDR; its snapshot stays for whoever owns it now.
using call_hand_over_atom = caf::atom_constant<caf::atom("cl_hand")>;
/// The node drains and its calls move to its HA peer: a quiet established
/// call writes its last snapshot and leaves without a word (the peer goes
/// on with it); one being set up ends here with its CDR; a busy one waits
/// for the next ask.
using call_migrate_atom = caf::atom_constant<caf::atom("cl_migr")>;
/// The lb node `dead` (first string) died and its HA peer (second string)
/// took over its service address: a call whose SIP and media went through
/// `dead` goes on through the peer, which reopens its media on the same
/// ports; one still being set up ends (its transactions died with the lb).
/// Calls through other lbs ignore it.
using call_edge_moved_atom = caf::atom_constant<caf::atom("cl_edgemv")>;
/// A leg's session timer is due: (side as uint8_t, generation).
using call_session_atom = caf::atom_constant<caf::atom("cl_sess")>;

} // namespace sb::actors::call

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<sb::sip::edge::incoming_response>)
