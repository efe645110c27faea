// Call traces: recorded through the core, carried as JSON, replayed
// identically; a changed state machine shows where it diverges; the golden
// traces in tests/traces/ replay on every build.
#include "actors/call/call_trace.hpp"

#include "actors/call/call_snapshot.hpp"

#include "common/fs.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace sb::actors::call;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const time_point t0 = time_point{std::chrono::seconds{1'800'000'000}};

call_plan forked_plan() {
  call_plan p;
  p.targets = {{"sip:bob@192.0.2.7:5062", {}, "udp:192.0.2.7:5062"},
               {"sip:bob@192.0.2.8:5062", {}, ""}};
  p.cdr.call_id = "trace-basic-1";
  p.cdr.source.user = "alice";
  p.cdr.source.domain = "example.org";
  p.cdr.source.subscriber_id = 11;
  p.cdr.destination.user = "bob";
  p.cdr.destination.domain = "example.org";
  p.cdr.destination.subscriber_id = 12;
  return p;
}

// A basic forked call: one branch rings, the other answers with SDP, A
// ACKs, talks 42 s, hangs up.
call_trace record_basic_call() {
  call_recorder rec;
  call_state st;
  rec.start(st, forked_plan(), t0);
  rec.on(st, branch_response{0, 180, "Ringing", false}, t0 + 1s);
  rec.on(st, branch_response{1, 200, "OK", true}, t0 + 3s);
  rec.on(st, branch_response{0, 487, "Request Terminated", false}, t0 + 3s);
  rec.on(st, caller_ack{}, t0 + 3s + 20ms);
  rec.on(st, dialog_request{side::b, "INFO", 1, false}, t0 + 10s);
  rec.on(st, dialog_response{side::a, 1, 200}, t0 + 10s + 5ms);
  rec.on(st, hangup{side::a}, t0 + 45s);
  return rec.trace();
}

// A failover: the basic call runs on one node until it is confirmed; its
// state goes through the snapshot's JSON (as to Redis and back); another
// node goes on with it, recording from the restored state: the callee
// holds with a re-INVITE, then hangs up, 60 s after the answer.
call_trace record_failover_call() {
  call_state before;
  start(before, forked_plan(), t0);
  on_event(before, branch_response{1, 200, "OK", true}, t0 + 3s);
  on_event(before, caller_ack{}, t0 + 3s + 20ms);
  auto st = state_from_json(json::parse(state_to_json(before).dump()));
  REQUIRE(st.ok());
  call_recorder rec;
  rec.restored(*st);
  rec.on(*st, dialog_request{side::b, "INVITE", 1, true}, t0 + 20s);
  rec.on(*st, dialog_response{side::a, 1, 200}, t0 + 20s + 40ms);
  rec.on(*st, hangup{side::b}, t0 + 63s);
  return rec.trace();
}

// A migration (sbctl node drain): the call is put on hold and taken off
// hold on the draining node; once quiet (no offer open), it is frozen and
// its state moves through the snapshot's JSON; the node it moved to takes
// the caller's second re-INVITE and its BYE.
call_trace record_migrated_call() {
  call_state before;
  start(before, forked_plan(), t0);
  on_event(before, branch_response{1, 200, "OK", true}, t0 + 3s);
  on_event(before, caller_ack{}, t0 + 3s + 20ms);
  on_event(before, dialog_request{side::a, "INVITE", 1, true}, t0 + 10s);
  on_event(before, dialog_response{side::b, 1, 200}, t0 + 10s + 30ms);
  REQUIRE_FALSE(before.offer); // quiet: it may move
  auto st = state_from_json(json::parse(state_to_json(before).dump()));
  REQUIRE(st.ok());
  call_recorder rec;
  rec.restored(*st);
  rec.on(*st, dialog_request{side::a, "INVITE", 2, true}, t0 + 30s);
  rec.on(*st, dialog_response{side::b, 2, 200}, t0 + 30s + 25ms);
  rec.on(*st, hangup{side::a}, t0 + 48s);
  return rec.trace();
}

std::filesystem::path golden(const char* name) {
  return std::filesystem::path(SB_SOURCE_DIR) / "tests" / "traces" / name;
}

} // namespace

TEST_CASE("call trace: a recorded call replays identically, also after a "
          "trip through JSON",
          "[call][trace]") {
  auto t = record_basic_call();
  REQUIRE(t.steps.size() == 7);
  CHECK(t.steps.back().effects["cdr"]["duration_ms"] == 42'000);
  auto r = replay(t);
  CHECK(r.identical);

  auto text = trace_to_json(t).dump(2);
  auto back = trace_from_json(json::parse(text));
  REQUIRE(back.ok());
  CHECK(trace_to_json(*back) == trace_to_json(t));
  CHECK(replay(*back).identical);
}

TEST_CASE("call trace: a changed state machine is caught at its first "
          "divergent effect",
          "[call][trace]") {
  auto t = record_basic_call();
  // A "regression": hanging up forgets to BYE the callee.
  call_step changed = [](call_state& st, const call_event& e, time_point now) {
    auto fx = on_event(st, e, now);
    if (std::holds_alternative<hangup>(e))
      fx.bye.clear();
    return fx;
  };
  auto r = replay(t, changed);
  CHECK_FALSE(r.identical);
  REQUIRE(r.step);
  CHECK(*r.step == 6);
  CHECK(r.expected["bye"] == json::array({1}));
  CHECK(r.actual["bye"] == json::array());
}

TEST_CASE("call trace: bad traces are refused with the place",
          "[call][trace]") {
  CHECK_FALSE(trace_from_json(json::object()).ok());
  auto j = trace_to_json(record_basic_call());
  j["steps"][2]["event"]["type"] = "teleport";
  auto bad = trace_from_json(j);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message == "steps[2].event: unknown type 'teleport'");
  j = trace_to_json(record_basic_call());
  j["steps"][6]["event"]["from"] = "c";
  CHECK_FALSE(trace_from_json(j).ok());
}

TEST_CASE("call trace: a call restored on another node replays from the "
          "state it was restored with",
          "[call][trace]") {
  auto t = record_failover_call();
  REQUIRE(t.restored);
  REQUIRE(t.steps.size() == 3);
  CHECK(t.steps.back().effects["cdr"]["duration_ms"] == 60'000);
  CHECK(replay(t).identical);
  auto back = trace_from_json(json::parse(trace_to_json(t).dump()));
  REQUIRE(back.ok());
  CHECK(replay(*back).identical);

  // The restored state is part of the trace: a different one diverges.
  auto j = trace_to_json(t);
  j["restored"]["answer_ms"] = j["restored"]["answer_ms"].get<int64_t>() + 1000;
  auto moved = trace_from_json(j);
  REQUIRE(moved.ok());
  auto r = replay(*moved);
  CHECK_FALSE(r.identical);
  CHECK(r.step == std::optional<size_t>{2});
  j["restored"]["phase"] = "calling";
  CHECK_FALSE(trace_from_json(j).ok());
}

TEST_CASE("call trace: a migrated call replays from the state it was "
          "frozen with",
          "[call][trace]") {
  auto t = record_migrated_call();
  REQUIRE(t.restored);
  CHECK(t.restored->phase == call_phase::confirmed);
  REQUIRE(t.steps.size() == 3);
  CHECK(t.steps.back().effects["cdr"]["duration_ms"] == 45'000);
  CHECK(replay(t).identical);
}

TEST_CASE("call trace: the golden traces replay", "[call][trace]") {
  auto path = golden("basic_call.json");
  if (std::getenv("SB_UPDATE_TRACES")) {
    // Regenerate on purpose only: SB_UPDATE_TRACES=1 unit_tests "[trace]".
    std::ofstream(path) << trace_to_json(record_basic_call()).dump(2) << "\n";
    std::ofstream(golden("failover_call.json"))
        << trace_to_json(record_failover_call()).dump(2) << "\n";
    std::ofstream(golden("migration_call.json"))
        << trace_to_json(record_migrated_call()).dump(2) << "\n";
  }
  for (const char* name :
       {"basic_call.json", "failover_call.json", "migration_call.json"}) {
    INFO(name);
    auto text = sb::fs::read_file(golden(name));
    REQUIRE(text.ok());
    auto t = trace_from_json(json::parse(*text));
    REQUIRE(t.ok());
    auto r = replay(*t);
    INFO("expected " << r.expected.dump() << "\nactual   " << r.actual.dump());
    CHECK(r.identical);
  }
}
