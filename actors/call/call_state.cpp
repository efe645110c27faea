#include "actors/call/call_state.hpp"

#include <algorithm>
#include <array>

namespace sb::actors::call {

namespace {

using billing::status_of;

int64_t unix_ms(time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

bool pending(const branch& b) {
  return b.status == branch_status::trying ||
         b.status == branch_status::ringing;
}

// Ends the call: fills the CDR's times and outcome and hands it over.
void finish(call_state& st, call_effects& fx, std::optional<int> code,
            time_point now) {
  st.phase = call_phase::ended;
  auto& c = st.cdr;
  c.code = code;
  c.status = status_of(code);
  c.init_ms = unix_ms(st.init_time);
  bool answered = code && *code >= 200 && *code < 300;
  c.start_ms = unix_ms(answered ? st.answer_time : now);
  c.duration_ms = answered ? unix_ms(now) - unix_ms(st.answer_time) : 0;
  fx.cdr = c;
}

void cancel_pending(call_state& st, call_effects& fx,
                    std::optional<size_t> except = std::nullopt) {
  for (size_t i = 0; i < st.branches.size(); ++i)
    if (i != except && pending(st.branches[i])) {
      st.branches[i].status = branch_status::cancelled;
      fx.cancel.push_back(i);
    }
}

// A call that never got answered ends with this reply to A.
void fail_call(call_state& st, call_effects& fx, int code, std::string reason,
               time_point now) {
  cancel_pending(st, fx);
  fx.reply.push_back({code, std::move(reason), std::nullopt, false});
  finish(st, fx, code, now);
}

void hang_up_both(call_state& st, call_effects& fx, time_point now) {
  // B still waits for the ACK of its 2xx when A never sent one.
  if (st.phase == call_phase::answered && st.winner)
    fx.ack.push_back(*st.winner);
  if (st.winner)
    fx.bye.push_back(*st.winner);
  fx.bye_caller = true;
  finish(st, fx, 200, now);
}

bool in_dialog(call_phase p) {
  return p == call_phase::answered || p == call_phase::confirmed;
}

// Where the response class ranks for RFC 3261 §16.7: 6xx first, then
// lower classes before higher ones.
int class_rank(int code) {
  int cls = code / 100;
  return cls == 6 ? 0 : cls;
}

void on_response(call_state& st, call_effects& fx, const branch_response& r,
                 time_point now) {
  if (r.branch >= st.branches.size() || r.code < 100 || r.code > 699 ||
      r.code == 100)
    return;
  auto& b = st.branches[r.branch];
  bool success = r.code >= 200 && r.code < 300;
  if (success && !pending(b)) {
    // A 2xx retransmission of the winner: the shell resends the ACK.
    if (b.status == branch_status::answered) {
      fx.ack.push_back(r.branch);
      return;
    }
    // A 2xx after we cancelled (the race RFC 3261 §9.1 allows) or after
    // the call ended: ACK it and hang it up.
    b.status = branch_status::released;
    b.final_code = r.code;
    fx.ack.push_back(r.branch);
    fx.bye.push_back(r.branch);
    return;
  }
  if (!pending(b) || st.phase == call_phase::ended || (st.winner && !success))
    return;
  if (r.code < 200) {
    b.status = branch_status::ringing;
    if (st.phase == call_phase::calling)
      st.phase = call_phase::early;
    // A sees one early dialog: early SDP comes from the first branch that
    // sent one (the media session latches to it); others ring without.
    bool sdp = r.has_sdp &&
               (!st.early_media_branch || *st.early_media_branch == r.branch);
    if (sdp)
      st.early_media_branch = r.branch;
    fx.reply.push_back(
        {sdp ? r.code : 180, sdp ? r.reason : "Ringing", r.branch, sdp});
    return;
  }
  b.final_code = r.code;
  if (success) {
    if (st.winner) {
      b.status = branch_status::released;
      fx.ack.push_back(r.branch);
      fx.bye.push_back(r.branch);
      return;
    }
    b.status = branch_status::answered;
    st.winner = r.branch;
    st.answer_time = now;
    st.phase = call_phase::answered;
    cancel_pending(st, fx, r.branch);
    fx.reply.push_back({r.code, r.reason, r.branch, r.has_sdp});
    fx.timers.push_back(
        {timer_kind::max_duration, now + st.settings.max_duration});
    return;
  }
  b.status = branch_status::failed;
  if (std::any_of(st.branches.begin(), st.branches.end(), pending))
    return;
  int code = best_final_code(st.branches);
  // Relay the chosen branch's answer (its reason phrase and headers).
  std::optional<size_t> from;
  for (size_t i = 0; i < st.branches.size(); ++i)
    if (st.branches[i].final_code == code) {
      from = i;
      break;
    }
  fx.reply.push_back({code, from == r.branch ? r.reason : "", from, false});
  finish(st, fx, code, now);
}

void on_dialog_request(call_state& st, call_effects& fx,
                       const dialog_request& rq) {
  bool early_ok =
      st.phase == call_phase::early &&
      (rq.method == "PRACK" || rq.method == "UPDATE" || rq.method == "INFO");
  if (!in_dialog(st.phase) && !early_ok) {
    fx.refuse.push_back(
        {rq.from, rq.txn, 481, "Call/Transaction Does Not Exist"});
    return;
  }
  if (rq.offer) {
    if (st.offer) {
      // RFC 3261 §14.2 / RFC 3311 §5.2: an offer while ours is pending.
      fx.refuse.push_back({rq.from, rq.txn, 491, "Request Pending"});
      return;
    }
    st.offer = pending_offer{rq.from, rq.txn};
  }
  fx.relays.push_back(
      {rq.from == side::a ? side::b : side::a, rq.txn, rq.method, 0});
}

void on_dialog_response(call_state& st, call_effects& fx,
                        const dialog_response& r) {
  // 100 Trying is hop by hop: each side's transaction layer sends its own.
  if (st.phase == call_phase::ended || r.code <= 100)
    return;
  if (r.code >= 200 && st.offer && st.offer->txn == r.txn &&
      st.offer->from != r.from)
    st.offer.reset();
  fx.relays.push_back(
      {r.from == side::a ? side::b : side::a, r.txn, "", r.code});
}

} // namespace

std::string_view to_string(call_phase p) {
  static constexpr std::array<std::string_view, 5> names = {
      "calling", "early", "answered", "confirmed", "ended"};
  return names[static_cast<size_t>(p)];
}

int best_final_code(const std::vector<branch>& branches) {
  std::optional<int> best;
  auto better = [](int a, int b) {
    if (class_rank(a) != class_rank(b))
      return class_rank(a) < class_rank(b);
    auto preferred = [](int c) { return c == 486 || c == 480; };
    return preferred(a) && !preferred(b);
  };
  for (const auto& b : branches)
    if (b.final_code && *b.final_code >= 300 &&
        (!best || better(*b.final_code, *best)))
      best = b.final_code;
  // No branch answered at all (all cancelled): nobody answered.
  return best.value_or(480);
}

call_effects start(call_state& st, call_plan plan, time_point now) {
  call_effects fx;
  st = call_state{};
  st.init_time = now;
  st.settings = plan.settings;
  st.cdr = std::move(plan.cdr);
  if (plan.reject || plan.targets.empty()) {
    auto r = plan.reject.value_or(rejection{480, "Offline"});
    fx.reply.push_back({r.code, r.reason, std::nullopt, false});
    finish(st, fx, r.code, now);
    return fx;
  }
  for (auto& t : plan.targets) {
    fx.invite.push_back(st.branches.size());
    st.branches.push_back(branch{std::move(t), branch_status::trying, {}});
  }
  fx.timers.push_back({timer_kind::ring, now + st.settings.ring_timeout});
  return fx;
}

call_effects on_event(call_state& st, const call_event& ev, time_point now) {
  call_effects fx;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, branch_response>) {
          on_response(st, fx, e, now);
        } else if constexpr (std::is_same_v<T, caller_cancel>) {
          if (st.phase == call_phase::calling || st.phase == call_phase::early)
            fail_call(st, fx, 487, "Request Terminated", now);
        } else if constexpr (std::is_same_v<T, caller_ack>) {
          if (st.phase == call_phase::answered) {
            st.phase = call_phase::confirmed;
            fx.ack.push_back(*st.winner);
          }
        } else if constexpr (std::is_same_v<T, caller_ack_timeout>) {
          // RFC 3261 §13.3.1.4: no ACK for the 2xx, end the session.
          if (st.phase == call_phase::answered)
            hang_up_both(st, fx, now);
        } else if constexpr (std::is_same_v<T, hangup>) {
          if (in_dialog(st.phase)) {
            if (e.from == side::a) {
              if (st.phase == call_phase::answered)
                fx.ack.push_back(*st.winner); // B still waits for its ACK
              fx.bye.push_back(*st.winner);
            } else {
              fx.bye_caller = true;
            }
            finish(st, fx, 200, now);
          }
        } else if constexpr (std::is_same_v<T, timer_fired>) {
          if (e.kind == timer_kind::ring && (st.phase == call_phase::calling ||
                                             st.phase == call_phase::early))
            fail_call(st, fx, 480, "No Answer", now);
          else if (e.kind == timer_kind::max_duration && in_dialog(st.phase))
            hang_up_both(st, fx, now);
        } else if constexpr (std::is_same_v<T, media_timeout> ||
                             std::is_same_v<T, session_expired>) {
          if (in_dialog(st.phase))
            hang_up_both(st, fx, now);
        } else if constexpr (std::is_same_v<T, node_leaving>) {
          if (st.phase == call_phase::calling || st.phase == call_phase::early)
            fail_call(st, fx, 503, "Service Unavailable", now);
          else if (in_dialog(st.phase))
            hang_up_both(st, fx, now);
        } else if constexpr (std::is_same_v<T, dialog_request>) {
          on_dialog_request(st, fx, e);
        } else if constexpr (std::is_same_v<T, dialog_response>) {
          on_dialog_response(st, fx, e);
        }
      },
      ev);
  return fx;
}

} // namespace sb::actors::call
