// The pure core of a call actor: one back-to-back user agent per call
// (RFC 3261 §6 B2BUA, RFC 3261 §16.7 for choosing among forked answers).
// The A leg is the caller's dialog; each target of the callee (a binding,
// later a peer) gets its own B branch with its own dialog, so nothing of
// one side reaches the other except what the shell relays on purpose.
//
// Functional core, actor shell (ARCHITECTURE.md §2.2): `start` and
// `on_event` take the state, one input and `now`, change the state and
// return what the shell must do (send or cancel INVITEs, answer the A leg,
// ACK/BYE branches, relay in-dialog requests, arm timers, write the CDR,
// release the media). No CAF, no sockets, no clock reads, no SIP text:
// SIP messages are the shell's; this decides which ones.
//
// Phases: calling (INVITEs out) → early (a provisional came back) →
// answered (a 2xx won, A has not ACKed yet) → confirmed → ended. A call
// ends exactly once, with exactly one CDR (the reference writes one per
// INVITE leg; forward legs will be calls of their own).
#pragma once

#include "billing/cdr/cdr_record.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sb::actors::call {

/// Wall-clock time as given by the shell. Never read here.
using time_point = std::chrono::system_clock::time_point;

enum class side : uint8_t { a, b };

/// Where one B branch goes: what routing resolved (a binding's contact,
/// its Path and the address that reaches it through NAT).
struct branch_target {
  std::string uri;
  std::vector<std::string> path;
  std::string next_hop; ///< "transport:ip:port", empty: resolve the URI
};

struct call_settings {
  /// Unanswered this long: the branches are cancelled, A gets 480.
  std::chrono::seconds ring_timeout{180};
  /// Answered this long: both legs get BYE (the reference's calltimer,
  /// 6 h unless max_call_duration says otherwise).
  std::chrono::seconds max_duration{21600};
};

/// A final answer decided before any branch (routing refused the call).
struct rejection {
  int code = 500;
  std::string reason;
};

/// What routing decided: the targets to fork to in parallel, or a
/// rejection; the CDR with the parties filled in.
struct call_plan {
  std::vector<branch_target> targets;
  std::optional<rejection> reject;
  billing::cdr_record cdr;
  call_settings settings;
};

enum class call_phase : uint8_t { calling, early, answered, confirmed, ended };
std::string_view to_string(call_phase p);

enum class branch_status : uint8_t {
  trying,    ///< INVITE sent, nothing or 100 back
  ringing,   ///< a provisional (180/183) came back
  answered,  ///< the winning 2xx
  failed,    ///< a final non-2xx
  cancelled, ///< CANCEL sent (its 487 is the shell's to absorb)
  released   ///< a late 2xx that was ACKed and hung up at once
};

struct branch {
  branch_target target;
  branch_status status = branch_status::trying;
  std::optional<int> final_code;
};

enum class timer_kind : uint8_t { ring, max_duration };

/// An offer (re-INVITE or UPDATE) relayed and not yet answered: a second
/// one from the other side meets it and is refused with 491 (glare).
struct pending_offer {
  side from = side::a;
  uint64_t txn = 0;
};

struct call_state {
  call_phase phase = call_phase::calling;
  std::vector<branch> branches;
  std::optional<size_t> winner;
  /// The branch whose early SDP A was given (early media comes from it).
  std::optional<size_t> early_media_branch;
  std::optional<pending_offer> offer;
  time_point init_time{};
  time_point answer_time{};
  call_settings settings;
  billing::cdr_record cdr; ///< parties from the plan; times at the end
};

// -- events -------------------------------------------------------------------

/// A response from branch `branch` to its INVITE.
struct branch_response {
  size_t branch = 0;
  int code = 0;
  std::string reason;
  bool has_sdp = false;
};
/// A CANCELled the INVITE.
struct caller_cancel {};
/// A ACKed the 2xx it was given.
struct caller_ack {};
/// The 2xx to A was retransmitted for 64*T1 and never ACKed.
struct caller_ack_timeout {};
/// A BYE from one side.
struct hangup {
  side from = side::a;
};
struct timer_fired {
  timer_kind kind = timer_kind::ring;
};
/// The media session saw no RTP for its timeout on an answered call.
struct media_timeout {};
/// A leg's session timer ran out without a refresh (RFC 4028 §10), or our
/// refresh on it failed: the session is gone on that leg.
struct session_expired {
  side leg = side::a;
};
/// An in-dialog request to relay (re-INVITE, UPDATE, INFO, PRACK, ...);
/// `txn` names it for the answer. `offer`: it carries an SDP offer.
struct dialog_request {
  side from = side::a;
  std::string method;
  uint64_t txn = 0;
  bool offer = false;
};
/// The answer to a relayed in-dialog request, from the side it went to.
struct dialog_response {
  side from = side::b;
  uint64_t txn = 0;
  int code = 0;
};

/// The node running the call goes away and the call cannot move with it
/// (a drain hands over established calls; one still being set up has no
/// snapshot, and its transactions die with the node): it ends here, with
/// its CDR, A told 503 or both sides BYE.
struct node_leaving {};

using call_event =
    std::variant<branch_response, caller_cancel, caller_ack, caller_ack_timeout,
                 hangup, timer_fired, media_timeout, session_expired,
                 dialog_request, dialog_response, node_leaving>;

// -- effects ------------------------------------------------------------------

/// An answer to A's INVITE. `from_branch`: relay that branch's answer
/// (its SDP when `with_sdp`), else a reply of our own.
struct caller_reply {
  int code = 0;
  std::string reason;
  std::optional<size_t> from_branch;
  bool with_sdp = false;
};

struct relay {
  side to = side::b;
  uint64_t txn = 0;
  std::string method; ///< request: its method; response: empty
  int code = 0;       ///< response: its code; request: 0
};

struct refusal {
  side to = side::a;
  uint64_t txn = 0;
  int code = 0;
  std::string reason;
};

struct timer_request {
  timer_kind kind = timer_kind::ring;
  time_point at{};
};

struct call_effects {
  std::vector<size_t> invite;      ///< send the INVITE to these branches
  std::vector<caller_reply> reply; ///< to A's INVITE, in order
  std::vector<size_t> cancel;      ///< CANCEL these branches
  std::vector<size_t> ack;         ///< ACK this branch's 2xx
  std::vector<size_t> bye;         ///< BYE these branches
  bool bye_caller = false;         ///< BYE the A leg
  std::vector<relay> relays;       ///< in-dialog requests and answers
  std::vector<refusal> refuse;     ///< in-dialog requests refused here
  std::vector<timer_request> timers;
  /// The call ended: write this CDR durably, release the media, stop.
  std::optional<billing::cdr_record> cdr;
};

/// Starts the call: forks to every target (arming the ring timer) or, with
/// no target or a rejection, answers A at once and ends.
call_effects start(call_state& st, call_plan plan, time_point now);

/// Applies one event. Events that do not apply to the phase (a timer of a
/// past phase, a response of a released branch) change nothing, except
/// that a 2xx is always ACKed and, unless it won, hung up (RFC 3261
/// §13.2.2.4: every 2xx needs its ACK; a B2BUA has one A dialog to give).
call_effects on_event(call_state& st, const call_event& ev, time_point now);

/// RFC 3261 §16.7 step 6, the answer A gets when every branch failed: a
/// 6xx if there is one, else the lowest class, and in it the first that
/// came (486 and 480 before other 4xx, so a busy or absent callee shows
/// as such next to branches that failed otherwise).
int best_final_code(const std::vector<branch>& branches);

} // namespace sb::actors::call
