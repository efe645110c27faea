// The B2BUA core of a call actor: forking, provisional relay, the winner
// and its losers, CANCEL, timers, hang-ups, in-dialog relay and glare, and
// the single CDR every call ends with. Pure: `now` is an input.
#include "actors/call/call_state.hpp"
#include "actors/call/routing.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::call;
using namespace std::chrono_literals;
using sb::billing::call_status;

namespace {

const time_point t0 = time_point{} + 1'700'000'000s;

call_plan plan_to(size_t targets) {
  call_plan p;
  for (size_t i = 0; i < targets; ++i)
    p.targets.push_back({"sip:bob@192.0.2." + std::to_string(10 + i), {}, ""});
  p.cdr.call_id = "call-1";
  p.cdr.source.user = "alice";
  p.cdr.destination.user = "bob";
  p.settings.ring_timeout = 30s;
  p.settings.max_duration = 3600s;
  return p;
}

branch_response resp(size_t branch, int code, bool sdp = false) {
  return {branch, code, "R" + std::to_string(code), sdp};
}

// A call to one target, answered at t0+5s and ACKed.
call_state confirmed_call() {
  call_state st;
  start(st, plan_to(1), t0);
  on_event(st, resp(0, 200, true), t0 + 5s);
  on_event(st, caller_ack{}, t0 + 5s);
  REQUIRE(st.phase == call_phase::confirmed);
  return st;
}

} // namespace

TEST_CASE("call: a basic call rings, is answered, ACKed and hung up by A",
          "[call]") {
  call_state st;
  auto fx = start(st, plan_to(1), t0);
  CHECK(fx.invite == std::vector<size_t>{0});
  REQUIRE(fx.timers.size() == 1);
  CHECK(fx.timers[0].kind == timer_kind::ring);
  CHECK(fx.timers[0].at == t0 + 30s);
  CHECK(st.phase == call_phase::calling);

  CHECK(on_event(st, resp(0, 100), t0).reply.empty()); // 100 is hop-by-hop
  fx = on_event(st, resp(0, 180), t0 + 1s);
  CHECK(st.phase == call_phase::early);
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 180);
  CHECK(fx.reply[0].from_branch == 0u);

  fx = on_event(st, resp(0, 200, true), t0 + 5s);
  CHECK(st.phase == call_phase::answered);
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 200);
  CHECK(fx.reply[0].with_sdp);
  CHECK(fx.cancel.empty());
  REQUIRE(fx.timers.size() == 1);
  CHECK(fx.timers[0].kind == timer_kind::max_duration);
  CHECK(fx.timers[0].at == t0 + 5s + 3600s);

  fx = on_event(st, caller_ack{}, t0 + 5s);
  CHECK(st.phase == call_phase::confirmed);
  CHECK(fx.ack == std::vector<size_t>{0});
  CHECK_FALSE(fx.cdr);

  // A 2xx retransmission is ACKed again and changes nothing.
  fx = on_event(st, resp(0, 200, true), t0 + 6s);
  CHECK(fx.ack == std::vector<size_t>{0});
  CHECK(fx.bye.empty());

  fx = on_event(st, hangup{side::a}, t0 + 65s + 250ms);
  CHECK(st.phase == call_phase::ended);
  CHECK(fx.bye == std::vector<size_t>{0});
  CHECK_FALSE(fx.bye_caller);
  REQUIRE(fx.cdr);
  CHECK(fx.cdr->status == call_status::ok);
  CHECK(fx.cdr->code == 200);
  CHECK(fx.cdr->call_id == "call-1");
  CHECK(fx.cdr->source.user == "alice");
  CHECK(fx.cdr->init_ms == 1'700'000'000'000);
  CHECK(fx.cdr->start_ms == 1'700'000'005'000);
  CHECK(fx.cdr->duration_ms == 60'250);
  // Ended: nothing more happens, and no second CDR.
  CHECK_FALSE(on_event(st, hangup{side::b}, t0 + 70s).cdr);
  CHECK_FALSE(on_event(st, timer_fired{timer_kind::max_duration}, t0 + 9h).cdr);
}

TEST_CASE("call: BYE from the callee hangs up A", "[call]") {
  auto st = confirmed_call();
  auto fx = on_event(st, hangup{side::b}, t0 + 10s);
  CHECK(fx.bye_caller);
  CHECK(fx.bye.empty());
  REQUIRE(fx.cdr);
  CHECK(fx.cdr->duration_ms == 5'000);
}

TEST_CASE("call: parallel forking, the first 2xx wins", "[call]") {
  call_state st;
  auto fx = start(st, plan_to(3), t0);
  CHECK(fx.invite == std::vector<size_t>{0, 1, 2});
  on_event(st, resp(1, 180), t0 + 1s);
  on_event(st, resp(2, 486), t0 + 1s); // one phone is busy
  fx = on_event(st, resp(0, 200, true), t0 + 3s);
  CHECK(st.winner == 0u);
  CHECK(fx.cancel == std::vector<size_t>{1}); // 2 already failed
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].from_branch == 0u);

  SECTION("a late 2xx of a cancelled branch is ACKed and hung up") {
    fx = on_event(st, resp(1, 200, true), t0 + 3s + 10ms);
    CHECK(fx.ack == std::vector<size_t>{1});
    CHECK(fx.bye == std::vector<size_t>{1});
    CHECK(fx.reply.empty());
    CHECK(st.winner == 0u);
    CHECK(st.branches[1].status == branch_status::released);
  }
  SECTION("the cancelled branch's 487 changes nothing") {
    fx = on_event(st, resp(1, 487), t0 + 3s + 10ms);
    CHECK(fx.reply.empty());
    CHECK_FALSE(fx.cdr);
    CHECK(st.phase == call_phase::answered);
  }
}

TEST_CASE("call: early media comes from the first branch with SDP", "[call]") {
  call_state st;
  start(st, plan_to(2), t0);
  auto fx = on_event(st, resp(1, 183, true), t0 + 1s);
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 183);
  CHECK(fx.reply[0].with_sdp);
  CHECK(st.early_media_branch == 1u);
  fx = on_event(st, resp(0, 183, true), t0 + 2s);
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 180); // A gets ringing, not a second early SDP
  CHECK_FALSE(fx.reply[0].with_sdp);
}

TEST_CASE("call: CANCEL from the caller", "[call]") {
  call_state st;
  start(st, plan_to(2), t0);
  on_event(st, resp(0, 180), t0 + 1s);
  auto fx = on_event(st, caller_cancel{}, t0 + 4s);
  CHECK(fx.cancel == std::vector<size_t>{0, 1});
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 487);
  REQUIRE(fx.cdr);
  CHECK(fx.cdr->status == call_status::cancel);
  CHECK(fx.cdr->duration_ms == 0);
  CHECK(fx.cdr->start_ms == 1'700'000'004'000);
  CHECK(st.phase == call_phase::ended);
  // A CANCEL after the answer does nothing (RFC 3261 §9.2).
  auto st2 = confirmed_call();
  fx = on_event(st2, caller_cancel{}, t0 + 6s);
  CHECK(fx.reply.empty());
  CHECK(st2.phase == call_phase::confirmed);
}

TEST_CASE("call: every branch fails: the best answer goes to A", "[call]") {
  struct row {
    std::vector<int> codes;
    int best;
    call_status status;
  };
  for (const auto& r :
       std::vector<row>{{{486}, 486, call_status::busy},
                        {{404, 486}, 486, call_status::busy},
                        {{503, 603}, 603, call_status::other},
                        {{500, 408}, 408, call_status::timeout},
                        {{403, 480}, 480, call_status::noanswer},
                        {{302, 404}, 302, call_status::other}}) {
    INFO(r.best);
    call_state st;
    start(st, plan_to(r.codes.size()), t0);
    call_effects fx;
    for (size_t i = 0; i < r.codes.size(); ++i) {
      CHECK_FALSE(fx.cdr);
      fx = on_event(st, resp(i, r.codes[i]), t0 + 1s);
    }
    REQUIRE(fx.reply.size() == 1);
    CHECK(fx.reply[0].code == r.best);
    REQUIRE(fx.reply[0].from_branch);
    CHECK(st.branches[*fx.reply[0].from_branch].final_code == r.best);
    REQUIRE(fx.cdr);
    CHECK(fx.cdr->status == r.status);
    CHECK(fx.cdr->code == r.best);
  }
}

TEST_CASE("call: no answer before the ring timeout", "[call]") {
  call_state st;
  start(st, plan_to(2), t0);
  on_event(st, resp(0, 180), t0 + 1s);
  auto fx = on_event(st, timer_fired{timer_kind::ring}, t0 + 30s);
  CHECK(fx.cancel == std::vector<size_t>{0, 1});
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 480);
  CHECK(fx.reply[0].reason == "No Answer");
  REQUIRE(fx.cdr);
  CHECK(fx.cdr->status == call_status::noanswer);
  // The ring timer of an answered call is stale.
  auto st2 = confirmed_call();
  CHECK_FALSE(on_event(st2, timer_fired{timer_kind::ring}, t0 + 30s).cdr);
}

TEST_CASE("call: a rejection or no target answers A at once", "[call]") {
  call_state st;
  auto p = plan_to(0);
  auto fx = start(st, p, t0);
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 480);
  CHECK(fx.reply[0].reason == "Offline");
  CHECK(fx.invite.empty());
  REQUIRE(fx.cdr);
  CHECK(fx.cdr->status == call_status::noanswer);

  auto q = plan_to(1);
  q.reject = rejection{404, "Not Found"};
  fx = start(st, q, t0);
  CHECK(fx.invite.empty());
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 404);
  REQUIRE(fx.cdr);
  CHECK(fx.cdr->status == call_status::offline);
  CHECK(st.phase == call_phase::ended);
}

TEST_CASE("call: max duration, media timeout and a missing ACK end both "
          "legs",
          "[call]") {
  SECTION("max duration") {
    auto st = confirmed_call();
    auto fx = on_event(st, timer_fired{timer_kind::max_duration}, t0 + 3605s);
    CHECK(fx.bye == std::vector<size_t>{0});
    CHECK(fx.bye_caller);
    REQUIRE(fx.cdr);
    CHECK(fx.cdr->duration_ms == 3'600'000);
    CHECK(fx.cdr->status == call_status::ok);
  }
  SECTION("media timeout") {
    auto st = confirmed_call();
    auto fx = on_event(st, media_timeout{}, t0 + 65s);
    CHECK(fx.bye_caller);
    CHECK(fx.bye == std::vector<size_t>{0});
    REQUIRE(fx.cdr);
    CHECK(fx.cdr->duration_ms == 60'000);
  }
  SECTION("a leg's session timer expired (RFC 4028 §10)") {
    auto st = confirmed_call();
    auto fx = on_event(st, session_expired{side::b}, t0 + 1805s);
    CHECK(fx.bye_caller);
    CHECK(fx.bye == std::vector<size_t>{0});
    REQUIRE(fx.cdr);
    CHECK(fx.cdr->status == call_status::ok);
    CHECK(on_event(st, session_expired{side::a}, t0 + 1806s).bye.empty());
  }
  SECTION("the 2xx to A is never ACKed: B gets its ACK, then BYE") {
    call_state st;
    start(st, plan_to(1), t0);
    on_event(st, resp(0, 200, true), t0 + 5s);
    auto fx = on_event(st, caller_ack_timeout{}, t0 + 37s);
    CHECK(fx.ack == std::vector<size_t>{0});
    CHECK(fx.bye == std::vector<size_t>{0});
    CHECK(fx.bye_caller);
    REQUIRE(fx.cdr);
  }
  SECTION("media timeout before the answer is ignored") {
    call_state st;
    start(st, plan_to(1), t0);
    CHECK_FALSE(on_event(st, media_timeout{}, t0 + 65s).cdr);
    CHECK(st.phase == call_phase::calling);
  }
}

TEST_CASE("call: the node leaving ends a call it cannot hand over", "[call]") {
  SECTION("ringing: the branches are cancelled, A gets 503, one CDR") {
    call_state st;
    start(st, plan_to(2), t0);
    on_event(st, resp(1, 180), t0 + 1s);
    auto fx = on_event(st, node_leaving{}, t0 + 3s);
    CHECK(fx.cancel == std::vector<size_t>{0, 1});
    REQUIRE(fx.reply.size() == 1);
    CHECK(fx.reply[0].code == 503);
    REQUIRE(fx.cdr);
    CHECK(fx.cdr->code == 503);
    CHECK(fx.cdr->duration_ms == 0);
    CHECK(st.phase == call_phase::ended);
    CHECK_FALSE(on_event(st, node_leaving{}, t0 + 4s).cdr);
  }
  SECTION("answered, not yet ACKed: B gets its ACK, both sides BYE") {
    call_state st;
    start(st, plan_to(1), t0);
    on_event(st, resp(0, 200, true), t0 + 5s);
    auto fx = on_event(st, node_leaving{}, t0 + 6s);
    CHECK(fx.ack == std::vector<size_t>{0});
    CHECK(fx.bye == std::vector<size_t>{0});
    CHECK(fx.bye_caller);
    REQUIRE(fx.cdr);
    CHECK(fx.cdr->duration_ms == 1000);
  }
  SECTION("established: both sides BYE, the CDR has the true duration") {
    auto st = confirmed_call();
    auto fx = on_event(st, node_leaving{}, t0 + 65s);
    CHECK(fx.bye == std::vector<size_t>{0});
    CHECK(fx.bye_caller);
    REQUIRE(fx.cdr);
    CHECK(fx.cdr->duration_ms == 60'000);
  }
}

TEST_CASE("call: in-dialog requests are relayed, crossing offers get 491",
          "[call]") {
  auto st = confirmed_call();
  // A puts the call on hold: its re-INVITE goes to B.
  auto fx = on_event(st, dialog_request{side::a, "INVITE", 7, true}, t0 + 10s);
  REQUIRE(fx.relays.size() == 1);
  CHECK(fx.relays[0].to == side::b);
  CHECK(fx.relays[0].method == "INVITE");
  CHECK(fx.relays[0].txn == 7);
  // B offers too before answering: glare.
  fx = on_event(st, dialog_request{side::b, "UPDATE", 9, true}, t0 + 10s);
  CHECK(fx.relays.empty());
  REQUIRE(fx.refuse.size() == 1);
  CHECK(fx.refuse[0].to == side::b);
  CHECK(fx.refuse[0].code == 491);
  // INFO without SDP passes meanwhile.
  fx = on_event(st, dialog_request{side::b, "INFO", 10, false}, t0 + 10s);
  REQUIRE(fx.relays.size() == 1);
  CHECK(fx.relays[0].to == side::a);
  // B's provisional does not settle the offer; its 200 does.
  fx = on_event(st, dialog_response{side::b, 7, 100}, t0 + 10s);
  CHECK(fx.relays.empty());
  fx = on_event(st, dialog_response{side::b, 7, 200}, t0 + 11s);
  REQUIRE(fx.relays.size() == 1);
  CHECK(fx.relays[0].to == side::a);
  CHECK(fx.relays[0].code == 200);
  CHECK_FALSE(st.offer);
  fx = on_event(st, dialog_request{side::b, "INVITE", 12, true}, t0 + 20s);
  CHECK(fx.refuse.empty());
  REQUIRE(fx.relays.size() == 1);

  SECTION("before the answer only PRACK, UPDATE and INFO are relayed") {
    call_state early;
    start(early, plan_to(1), t0);
    auto r = on_event(early, dialog_request{side::a, "INVITE", 1, true}, t0);
    REQUIRE(r.refuse.size() == 1);
    CHECK(r.refuse[0].code == 481);
    on_event(early, resp(0, 183, true), t0 + 1s);
    r = on_event(early, dialog_request{side::a, "PRACK", 2, false}, t0 + 1s);
    REQUIRE(r.relays.size() == 1);
    CHECK(r.relays[0].to == side::b);
  }
}

TEST_CASE("call: best_final_code follows RFC 3261 §16.7", "[call]") {
  auto with = [](std::vector<int> codes) {
    std::vector<branch> bs;
    for (int c : codes)
      bs.push_back(branch{{}, branch_status::failed, c});
    return best_final_code(bs);
  };
  CHECK(with({500, 600, 404}) == 600);
  CHECK(with({500, 404}) == 404);
  CHECK(with({404, 480}) == 480);
  CHECK(with({403, 486, 480}) == 486);
  CHECK(with({}) == 480);
}

TEST_CASE("routing: stages run in order until one stops", "[call][routing]") {
  std::vector<std::string> ran;
  auto stage = [&](std::string name, stage_result r,
                   std::optional<rejection> reject = std::nullopt) {
    return routing_stage{name, [&ran, name, r, reject](routing_context& c) {
                           ran.push_back(name);
                           if (reject)
                             c.plan.reject = reject;
                           return r;
                         }};
  };
  routing_context ctx;
  CHECK(run_pipeline({stage("caller", stage_result::next),
                      stage("callee", stage_result::next)},
                     ctx)
            .empty());
  CHECK(ran == std::vector<std::string>{"caller", "callee"});
  CHECK_FALSE(ctx.plan.reject);

  ran.clear();
  CHECK(run_pipeline(
            {stage("caller", stage_result::next),
             stage("callee", stage_result::stop, rejection{404, "Not Found"}),
             stage("media", stage_result::next)},
            ctx) == "callee");
  CHECK(ran == std::vector<std::string>{"caller", "callee"});
  REQUIRE(ctx.plan.reject);
  CHECK(ctx.plan.reject->code == 404);

  routing_context ctx2;
  CHECK(run_pipeline({stage("broken", stage_result::stop)}, ctx2) == "broken");
  REQUIRE(ctx2.plan.reject);
  CHECK(ctx2.plan.reject->code == 500);
}
