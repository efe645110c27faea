// Subscriber traces: what an AoR's actor fed its registrar core, recorded,
// carried as JSON and replayed identically; a changed core is caught at
// its first divergent step; the golden trace replays on every build.
#include "actors/subscriber/subscriber_trace.hpp"

#include "common/fs.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace sb::actors::subscriber;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const time_point t0 = time_point{} + 1'800'000'000s;
const registrar_config cfg{60, 3600, 1800, 0};

register_request reg(std::string uri, std::optional<uint32_t> expires,
                     uint32_t cseq, bool natted = false) {
  register_request rq;
  rq.aor = "sip:alice@example.test";
  contact_input c;
  c.uri = std::move(uri);
  c.expires = expires;
  c.q = "0.5";
  rq.contacts.push_back(c);
  rq.call_id = "cid-1";
  rq.cseq = cseq;
  rq.source = {sip_transport::udp, "203.0.113.9",
               static_cast<uint16_t>(natted ? 40000 : 5060)};
  rq.via = {"192.168.1.20", 5060, natted};
  rq.user_agent = "phone/1.0";
  rq.local_socket = "udp:127.0.0.1:5060";
  return rq;
}

// A phone registers behind NAT, refreshes, a second contact comes and
// goes, an admin adds a permanent binding, a save fails and rolls back,
// the first contact expires, provisioning removes the subscriber.
subscriber_trace record_subscriber() {
  registrar_state st;
  st.aor = "sip:alice@example.test";
  subscriber_recorder rec(st);
  rec.on_register(st, reg("sip:alice@192.168.1.20", 600, 1, true), cfg, t0);
  rec.on_register(st, reg("sip:alice@192.168.1.20", 600, 2, true), cfg,
                  t0 + 300s);
  rec.on_register(st, reg("sip:alice@192.168.1.21", 10, 3), cfg, t0 + 301s);
  rec.on_register(st, reg("sip:alice@192.168.1.21", 0, 4), cfg, t0 + 302s);
  permanent_binding_request add;
  add.uri = "sip:alice@pbx.example.test";
  add.q = 1000;
  REQUIRE(rec.add(st, add, t0 + 400s).ok());
  auto before = st;
  rec.remove(st, "sip:alice@pbx.example.test", t0 + 410s);
  st = before;
  rec.rolled_back(before, t0 + 410s);
  rec.on_timer(st, t0 + 901s);
  rec.remove_all(st, t0 + 1000s);
  return rec.trace();
}

std::filesystem::path golden() {
  return std::filesystem::path(SB_SOURCE_DIR) / "tests" / "traces" /
         "subscriber.json";
}

} // namespace

TEST_CASE("subscriber trace: a recorded AoR replays identically, also "
          "after a trip through JSON",
          "[subscriber][trace]") {
  auto t = record_subscriber();
  REQUIRE(t.steps.size() == 9);
  CHECK(t.steps[0].effects["code"] == 200);
  CHECK(t.steps[7].effects["expired"].size() == 1);
  CHECK(replay(t).identical);
  auto j = json::parse(trace_to_json(t).dump());
  CHECK(is_subscriber_trace(j));
  auto back = trace_from_json(j);
  REQUIRE(back.ok());
  CHECK(replay(*back).identical);
  CHECK(trace_to_json(*back) == trace_to_json(t));
}

TEST_CASE("subscriber trace: a changed core is caught at its first "
          "divergent step",
          "[subscriber][trace]") {
  auto t = record_subscriber();
  // A registrar that caps every expiry at 300 s.
  auto capped = [](registrar_state& st, const subscriber_event& e,
                   time_point now) {
    if (auto* r = std::get_if<register_event>(&e)) {
      auto c = r->config;
      c.max_expires = 300;
      c.default_expires = 300;
      return step(st, register_event{r->request, c}, now);
    }
    return step(st, e, now);
  };
  auto r = replay(t, capped);
  CHECK_FALSE(r.identical);
  CHECK(r.step == std::optional<size_t>{0});
  CHECK(r.expected["contacts"][0]["expires"] == 600);
  CHECK(r.actual["contacts"][0]["expires"] == 300);
}

TEST_CASE("subscriber trace: bad traces are refused with the place",
          "[subscriber][trace]") {
  auto j = trace_to_json(record_subscriber());
  auto bad = j;
  bad["steps"][2]["event"]["type"] = "teleport";
  auto r = trace_from_json(bad);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message == "steps[2].event: unknown type 'teleport'");
  bad = j;
  bad["steps"][0]["event"]["request"]["source"]["transport"] = "smoke";
  r = trace_from_json(bad);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message == "steps[0].event: register: transport 'smoke'");
  bad = j;
  bad["initial"]["version"] = 99;
  CHECK_FALSE(trace_from_json(bad).ok());
  bad = j;
  bad.erase("kind");
  CHECK_FALSE(trace_from_json(bad).ok());
  bad = j;
  bad["steps"][1].erase("now_ns");
  CHECK(trace_from_json(bad).err().message ==
        "steps[1]: expected now_ns, event and effects");
}

TEST_CASE("subscriber trace: the golden trace replays", "[subscriber][trace]") {
  if (std::getenv(
          "SB_UPDATE_TRACES")) // SB_UPDATE_TRACES=1 unit_tests "[trace]"
    std::ofstream(golden())
        << trace_to_json(record_subscriber()).dump(2) << "\n";
  auto text = sb::fs::read_file(golden());
  REQUIRE(text.ok());
  auto t = trace_from_json(json::parse(*text));
  REQUIRE(t.ok());
  auto r = replay(*t);
  INFO("expected " << r.expected.dump() << "\nactual   " << r.actual.dump());
  CHECK(r.identical);
}
