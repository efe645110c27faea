// What a confirmed call needs to go on in another process (issue 6 item 4):
// the node restarted after a crash, or the standby that took over its
// address. The call actor writes its snapshot to the cluster's shared
// records when the call is confirmed and after every step while it is, and
// erases it when the call ends; a node that restores it re-registers both
// dialogs, reopens the media relay on the same ports and re-arms the
// timers, so re-INVITE, UPDATE and BYE from either side go on and the CDR
// carries the true start and duration. Calls still in setup cannot go on
// (their transactions die with the node): their setup records let the node
// that finds them end them cleanly.
#pragma once

#include "actors/call/call_state.hpp"
#include "actors/call/routing.hpp"
#include "actors/call/session_timer.hpp"
#include "actors/call/sip_dialog.hpp"
#include "actors/media/media_session_state.hpp"
#include "common/result.hpp"
#include "sip/edge/edge_types.hpp"

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::actors::call {

struct call_snapshot {
  std::string node; ///< the node that ran the call
  /// The lb node whose edge has the call's transactions and whose relay
  /// its media, when not `node` (a call placed on a proxy); empty: `node`.
  std::string edge;
  call_state core;
  dialog_leg a;
  dialog_leg b; ///< the winning branch's dialog
  uint32_t a_invite_cseq = 0;
  uint32_t b_invite_cseq = 0;
  std::array<std::optional<leg_timer>, 2> timers;
  std::array<bool, 2> allows_update{};
  std::array<std::string, 2> last_sdp; ///< the SDP last sent on each leg
  bool on_hold = false;
  std::vector<routing_context::admission> admissions;
  std::optional<media::media_session_state> media;
};

/// A call still being set up (calling or early), written once its INVITEs
/// are out. It cannot go on elsewhere (its transactions live in the node's
/// SIP stack), but a node that finds it after its node died ends it
/// cleanly: the caller gets an answer, the branches a CANCEL, the call its
/// CDR. Confirmed, the call's snapshot replaces it.
struct call_setup_record {
  std::string node;
  std::string edge; ///< as in call_snapshot
  call_state core;
  std::string invite;         ///< the caller's INVITE as received
  sip::source_address source; ///< where it came from
  std::string to_tag;         ///< the tag the A leg gave itself
  /// Per branch, the CANCEL of its INVITE (same branch, stateless).
  std::vector<sip::edge::outgoing_request> cancels;
};

/// CSeq numbers a restored call skips on each leg: a request sent after
/// the last snapshot must not be repeated with the same number (RFC 3261
/// §12.2.1.1 wants them increasing, not contiguous).
inline constexpr uint32_t restored_cseq_gap = 100;

/// How a call restored at `now` goes on: both legs' CSeqs moved on by
/// `restored_cseq_gap`, how long it may still last (max duration from its
/// answer; zero when that has passed: the shell ends it at once), and
/// whether it cannot go on at all: answered but not yet ACKed, the 2xx's
/// retransmissions and the ACK they would bring died with the other
/// node's transaction, so both sides are hung up (`node_leaving`).
struct resumed_call {
  call_snapshot snapshot;
  std::chrono::milliseconds max_duration_left{0};
  bool hang_up = false;
};
resumed_call resume(call_snapshot s, time_point now);

/// The core's state of an answered or confirmed call (snapshots, and
/// traces of restored calls); only such a state with a winner is read back.
nlohmann::json state_to_json(const call_state& st);
result<call_state> state_from_json(const nlohmann::json& j);

nlohmann::json snapshot_to_json(const call_snapshot& s);
/// Errors name what is wrong; only confirmed calls with a winner restore.
result<call_snapshot> snapshot_from_json(const nlohmann::json& j);

/// A record under a call's key is a setup record or a snapshot.
bool is_setup_record(const nlohmann::json& j);
nlohmann::json setup_to_json(const call_setup_record& s);
/// Only a calling or early call is read back.
result<call_setup_record> setup_from_json(const nlohmann::json& j);

} // namespace sb::actors::call
