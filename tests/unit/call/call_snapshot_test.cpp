// Call snapshots: a confirmed call, as the core and the shell hold it,
// goes through JSON unchanged; what cannot be restored is refused with the
// reason.
#include "actors/call/call_snapshot.hpp"

#include <catch2/catch.hpp>

using namespace sb::actors::call;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const time_point t0 = time_point{std::chrono::seconds{1'800'000'000}};

// A call forked to two targets, answered by the second, ACKed.
call_snapshot confirmed_call() {
  call_plan p;
  p.targets = {{"sip:bob@192.0.2.7:5062", {}, "udp:192.0.2.7:5062"},
               {"sip:bob@192.0.2.8:5062", {"<sip:edge;lr>"}, ""}};
  p.cdr.call_id = "snap-1";
  p.cdr.source.user = "alice";
  p.cdr.source.subscriber_id = 11;
  p.cdr.destination.user = "bob";
  p.cdr.destination.subscriber_id = 12;
  p.settings.max_duration = 3600s;
  call_snapshot s;
  start(s.core, p, t0);
  on_event(s.core, branch_response{1, 200, "OK", true}, t0 + 2s);
  on_event(s.core, caller_ack{}, t0 + 2100ms);
  REQUIRE(s.core.phase == call_phase::confirmed);
  s.node = "sp2";
  s.a.call_id = "snap-1";
  s.a.local = {"", "sip:bob@example.org", "ourtag"};
  s.a.remote = {"Alice", "sip:alice@example.org", "atag"};
  s.a.remote_target = "sip:alice@192.0.2.2:5060";
  s.a.route_set = {"<sip:p1;lr>", "<sip:p2;lr>"};
  s.a.next_hop = "udp:192.0.2.2:5060";
  s.a.contact = "<sip:127.0.0.11:5060;transport=udp>";
  s.a.local_cseq = 0;
  s.a.remote_cseq = 2;
  s.b = s.a;
  s.b.call_id = "xyz-b2b";
  s.b.local_cseq = 3;
  s.a_invite_cseq = 1;
  s.b_invite_cseq = 1;
  s.timers[0] = leg_timer{1800, refresher::peer};
  s.allows_update = {true, false};
  s.last_sdp = {"v=0 a", "v=0 b"};
  s.on_hold = true;
  s.admissions = {{11, true}, {12, false}};
  sb::actors::media::media_session_state m;
  m.streams.push_back({{30000, 30002}, {true, false}});
  m.streams.push_back({{std::nullopt, std::nullopt}, {false, false}});
  m.origin[0] = {"-", 77, 3};
  m.origin[1] = {"-", 78, 1};
  m.last_sent = {"sdp for a", "sdp for b"};
  m.offerer = sb::media::leg_id::b;
  m.offered_streams = 2;
  s.media = m;
  return s;
}

} // namespace

TEST_CASE("a confirmed call's snapshot goes through JSON unchanged",
          "[call][snapshot]") {
  auto s = confirmed_call();
  auto j = snapshot_to_json(s);
  auto back = snapshot_from_json(json::parse(j.dump()));
  REQUIRE(back.ok());
  CHECK(snapshot_to_json(*back) == j);
  CHECK(back->core.winner == std::optional<size_t>{1});
  CHECK(back->core.answer_time == t0 + 2s);
  CHECK(back->core.branches[1].target.path ==
        std::vector<std::string>{"<sip:edge;lr>"});
  CHECK(back->b.local_cseq == 3);
  CHECK(back->media->streams[0].port[1] == std::optional<uint16_t>{30002});
  CHECK(back->edge.empty());
  // A call placed on a proxy names the lb that has its edge and media; a
  // snapshot written before that field existed reads as the node's own.
  s.edge = "lb1";
  CHECK(snapshot_from_json(snapshot_to_json(s))->edge == "lb1");
  auto old = snapshot_to_json(s);
  old.erase("edge");
  REQUIRE(snapshot_from_json(old).ok());
  CHECK(snapshot_from_json(old)->edge.empty());
  CHECK(back->media->offerer == sb::media::leg_id::b);
  CHECK(back->timers[0]->who == refresher::peer);
  CHECK_FALSE(back->timers[1]);

  // Without media (a node with no relay).
  s.media.reset();
  auto no_media = snapshot_from_json(snapshot_to_json(s));
  REQUIRE(no_media.ok());
  CHECK_FALSE(no_media->media);
}

TEST_CASE("snapshots that cannot be restored are refused with the reason",
          "[call][snapshot]") {
  auto good = snapshot_to_json(confirmed_call());
  auto refused = [](json j, const std::string& why) {
    auto r = snapshot_from_json(j);
    REQUIRE_FALSE(r.ok());
    INFO(r.err().message);
    CHECK(r.err().message.find(why) != std::string::npos);
  };
  auto j = good;
  j["core"]["phase"] = "early";
  refused(j, "not answered or confirmed");
  j = good;
  j["core"]["phase"] = "ended";
  refused(j, "not answered or confirmed");
  // Answered, the caller's ACK not yet in: restorable (to be hung up).
  j = good;
  j["core"]["phase"] = "answered";
  auto answered = snapshot_from_json(j);
  REQUIRE(answered.ok());
  CHECK(answered->core.phase == call_phase::answered);
  j = good;
  j["core"]["winner"] = 5;
  refused(j, "winner 5 of 2");
  j = good;
  j["media"]["streams"][0]["port"][0] = 70000;
  refused(j, "port 70000");
  j = good;
  j["media"]["offerer"] = "c";
  refused(j, "offerer 'c'");
  j = good;
  j["timers"][0]["refresher"] = "nobody";
  refused(j, "refresher 'nobody'");
  j = good;
  j.erase("a");
  refused(j, "call snapshot");
  refused(json::array(), "not an object");
}

namespace {

// A call ringing on one of its two branches, as its setup record holds it.
call_setup_record ringing_call() {
  call_plan p;
  p.targets = {{"sip:bob@192.0.2.7:5062", {}, "udp:192.0.2.7:5062"},
               {"sip:bob@192.0.2.8:5062", {}, ""}};
  p.cdr.call_id = "setup-1";
  p.cdr.source.user = "alice";
  p.cdr.destination.user = "bob";
  call_setup_record r;
  start(r.core, p, t0);
  on_event(r.core, branch_response{0, 180, "Ringing", false}, t0 + 1s);
  r.node = "sp1";
  r.invite = "INVITE sip:bob@example.org SIP/2.0\r\n...";
  r.source = {sb::sip::sip_transport::udp, "192.0.2.2", 5060};
  r.to_tag = "ourtag";
  for (int i = 0; i < 2; ++i) {
    sb::sip::edge::outgoing_request c;
    c.method = "CANCEL";
    c.request_uri = p.targets[static_cast<size_t>(i)].uri;
    c.next_hop = p.targets[static_cast<size_t>(i)].next_hop;
    c.route = {"<sip:p1;lr>"};
    c.from = "<sip:alice@example.org>;tag=b2btag";
    c.to = "<sip:bob@example.org>";
    c.call_id = "xyz-b2b";
    c.cseq = 1;
    c.branch = "z9hG4bKbranch" + std::to_string(i);
    c.stateless = true;
    r.cancels.push_back(c);
  }
  return r;
}

} // namespace

TEST_CASE("a call in setup: its record goes through JSON and ends it "
          "cleanly on another node",
          "[call][snapshot]") {
  auto r = ringing_call();
  auto j = json::parse(setup_to_json(r).dump());
  CHECK(is_setup_record(j));
  CHECK_FALSE(is_setup_record(snapshot_to_json(confirmed_call())));
  auto back = setup_from_json(j);
  REQUIRE(back.ok());
  CHECK(back->node == "sp1");
  CHECK(back->edge.empty());
  auto placed = r;
  placed.edge = "lb1";
  CHECK(setup_from_json(json::parse(setup_to_json(placed).dump()))->edge ==
        "lb1");
  CHECK(back->core.phase == call_phase::early);
  CHECK(back->core.branches.size() == 2);
  CHECK(back->invite == r.invite);
  CHECK(back->source == r.source);
  CHECK(back->to_tag == "ourtag");
  REQUIRE(back->cancels.size() == 2);
  CHECK(back->cancels[1].branch == "z9hG4bKbranch1");
  CHECK(back->cancels[0].route == std::vector<std::string>{"<sip:p1;lr>"});
  CHECK(back->cancels[0].stateless);
  CHECK(setup_to_json(*back) == setup_to_json(r));

  // What the node that finds it does: the core ends it as a node leaving.
  auto fx = on_event(back->core, node_leaving{}, t0 + 9s);
  CHECK(fx.cancel == std::vector<size_t>{0, 1});
  REQUIRE(fx.reply.size() == 1);
  CHECK(fx.reply[0].code == 503);
  REQUIRE(fx.cdr);
  CHECK(fx.cdr->call_id == "setup-1");
  CHECK(fx.cdr->init_ms == 1'800'000'000'000);

  auto refused = [](json bad, const std::string& why) {
    auto res = setup_from_json(bad);
    REQUIRE_FALSE(res.ok());
    INFO(res.err().message);
    CHECK(res.err().message.find(why) != std::string::npos);
  };
  auto bad = j;
  bad["setup"]["core"]["phase"] = "confirmed";
  refused(bad, "not calling or early");
  bad = j;
  bad["setup"]["source"]["transport"] = "carrier-pigeon";
  refused(bad, "transport 'carrier-pigeon'");
  bad = j;
  bad["setup"]["invite"] = "";
  refused(bad, "no INVITE");
  bad = j;
  bad["setup"].erase("cancels");
  refused(bad, "call setup record");
  refused(snapshot_to_json(confirmed_call()), "not an object with 'setup'");
}

TEST_CASE("a restored call goes on with fresh CSeqs and the rest of its "
          "max duration",
          "[call][snapshot]") {
  auto s = confirmed_call(); // answered at t0 + 2 s, 3600 s at most
  auto r = resume(s, t0 + 602s);
  CHECK(r.snapshot.a.local_cseq == s.a.local_cseq + restored_cseq_gap);
  CHECK(r.snapshot.b.local_cseq == s.b.local_cseq + restored_cseq_gap);
  CHECK(r.snapshot.a.remote_cseq == s.a.remote_cseq);
  CHECK(r.max_duration_left == std::chrono::milliseconds{3'000'000});
  CHECK(resume(s, t0 + 5000s).max_duration_left ==
        std::chrono::milliseconds::zero());
  CHECK_FALSE(r.hang_up);
  // Answered and not ACKed: it cannot be completed elsewhere.
  s.core.phase = call_phase::answered;
  CHECK(resume(s, t0 + 602s).hang_up);
}
