#include "actors/call/call_snapshot.hpp"

#include "actors/call/call_trace.hpp"
#include "actors/media/media_snapshot.hpp"

namespace sb::actors::call {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 6> status_names = {
    "trying", "ringing", "answered", "failed", "cancelled", "released"};

json addr_json(const sip::name_addr& a) {
  return {{"display", a.display}, {"uri", a.uri}, {"tag", a.tag}};
}

sip::name_addr addr_of(const json& j) {
  return {j.at("display").get<std::string>(), j.at("uri").get<std::string>(),
          j.at("tag").get<std::string>()};
}

json leg_json(const dialog_leg& l) {
  return {{"call_id", l.call_id},          {"local", addr_json(l.local)},
          {"remote", addr_json(l.remote)}, {"remote_target", l.remote_target},
          {"route_set", l.route_set},      {"next_hop", l.next_hop},
          {"contact", l.contact},          {"local_cseq", l.local_cseq},
          {"remote_cseq", l.remote_cseq}};
}

dialog_leg leg_of(const json& j) {
  dialog_leg l;
  l.call_id = j.at("call_id").get<std::string>();
  l.local = addr_of(j.at("local"));
  l.remote = addr_of(j.at("remote"));
  l.remote_target = j.at("remote_target").get<std::string>();
  l.route_set = j.at("route_set").get<std::vector<std::string>>();
  l.next_hop = j.at("next_hop").get<std::string>();
  l.contact = j.at("contact").get<std::string>();
  l.local_cseq = j.at("local_cseq").get<uint32_t>();
  l.remote_cseq = j.at("remote_cseq").get<uint32_t>();
  return l;
}

json timer_json(const std::optional<leg_timer>& t) {
  if (!t)
    return json();
  return {{"interval", t->interval},
          {"refresher", t->who == refresher::us ? "us" : "peer"}};
}

std::optional<leg_timer> timer_of(const json& j) {
  if (j.is_null())
    return std::nullopt;
  leg_timer t;
  t.interval = j.at("interval").get<uint32_t>();
  auto who = j.at("refresher").get<std::string>();
  if (who != "us" && who != "peer")
    throw std::invalid_argument("refresher '" + who + "'");
  t.who = who == "us" ? refresher::us : refresher::peer;
  return t;
}

json state_json(const call_state& st) {
  json branches = json::array();
  for (const auto& b : st.branches)
    branches.push_back(
        {{"uri", b.target.uri},
         {"path", b.target.path},
         {"next_hop", b.target.next_hop},
         {"status", status_names[static_cast<size_t>(b.status)]},
         {"final_code", b.final_code ? json(*b.final_code) : json()}});
  return {{"phase", to_string(st.phase)},
          {"branches", branches},
          {"winner", st.winner ? json(*st.winner) : json()},
          {"init_ms", ms_of(st.init_time)},
          {"answer_ms", ms_of(st.answer_time)},
          {"ring_timeout_s", st.settings.ring_timeout.count()},
          {"max_duration_s", st.settings.max_duration.count()},
          {"cdr", cdr_to_json(st.cdr)}};
}

// A snapshot's state is confirmed with a winner; a setup record's is
// calling or early.
call_state state_of(const json& j, bool setup = false) {
  call_state st;
  auto phase = j.at("phase").get<std::string>();
  if (!setup && phase != to_string(call_phase::confirmed) &&
      phase != to_string(call_phase::answered))
    throw std::invalid_argument("phase '" + phase +
                                "' is not answered or confirmed");
  if (setup && phase != to_string(call_phase::calling) &&
      phase != to_string(call_phase::early))
    throw std::invalid_argument("phase '" + phase +
                                "' is not calling or early");
  st.phase = phase == to_string(call_phase::calling)    ? call_phase::calling
             : phase == to_string(call_phase::early)    ? call_phase::early
             : phase == to_string(call_phase::answered) ? call_phase::answered
                                                        : call_phase::confirmed;
  for (const auto& b : j.at("branches")) {
    branch br;
    br.target = {b.at("uri").get<std::string>(),
                 b.at("path").get<std::vector<std::string>>(),
                 b.at("next_hop").get<std::string>()};
    auto status = b.at("status").get<std::string>();
    auto it = std::find(status_names.begin(), status_names.end(), status);
    if (it == status_names.end())
      throw std::invalid_argument("branch status '" + status + "'");
    br.status = static_cast<branch_status>(it - status_names.begin());
    if (!b.at("final_code").is_null())
      br.final_code = b.at("final_code").get<int>();
    st.branches.push_back(std::move(br));
  }
  if (!setup) {
    st.winner = j.at("winner").get<size_t>();
    if (*st.winner >= st.branches.size())
      throw std::out_of_range("winner " + std::to_string(*st.winner) + " of " +
                              std::to_string(st.branches.size()) + " branches");
  }
  st.init_time = at_ms(j.at("init_ms").get<int64_t>());
  st.answer_time = at_ms(j.at("answer_ms").get<int64_t>());
  st.settings.ring_timeout =
      std::chrono::seconds{j.at("ring_timeout_s").get<int64_t>()};
  st.settings.max_duration =
      std::chrono::seconds{j.at("max_duration_s").get<int64_t>()};
  st.cdr = cdr_from_json(j.at("cdr"));
  return st;
}

} // namespace

resumed_call resume(call_snapshot s, time_point now) {
  s.a.local_cseq += restored_cseq_gap;
  s.b.local_cseq += restored_cseq_gap;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      s.core.answer_time + s.core.settings.max_duration - now);
  bool hang_up = s.core.phase == call_phase::answered;
  return {std::move(s), std::max(left, std::chrono::milliseconds::zero()),
          hang_up};
}

json state_to_json(const call_state& st) {
  return state_json(st);
}

result<call_state> state_from_json(const json& j) {
  try {
    return state_of(j);
  } catch (const std::exception& e) {
    return error{std::string("call state: ") + e.what()};
  }
}

json snapshot_to_json(const call_snapshot& s) {
  json admissions = json::array();
  for (const auto& a : s.admissions)
    admissions.push_back({{"subscriber_id", a.subscriber_id}, {"out", a.out}});
  return {{"node", s.node},
          {"edge", s.edge},
          {"core", state_json(s.core)},
          {"a", leg_json(s.a)},
          {"b", leg_json(s.b)},
          {"a_invite_cseq", s.a_invite_cseq},
          {"b_invite_cseq", s.b_invite_cseq},
          {"timers", {timer_json(s.timers[0]), timer_json(s.timers[1])}},
          {"allows_update", {s.allows_update[0], s.allows_update[1]}},
          {"last_sdp", {s.last_sdp[0], s.last_sdp[1]}},
          {"on_hold", s.on_hold},
          {"admissions", admissions},
          {"media", s.media ? media::session_to_json(*s.media) : json()}};
}

result<call_snapshot> snapshot_from_json(const json& j) {
  if (!j.is_object())
    return error{"call snapshot: not an object"};
  call_snapshot s;
  try {
    s.node = j.at("node").get<std::string>();
    s.edge = j.value("edge", ""); // absent: written before edges moved
    s.core = state_of(j.at("core"));
    s.a = leg_of(j.at("a"));
    s.b = leg_of(j.at("b"));
    s.a_invite_cseq = j.at("a_invite_cseq").get<uint32_t>();
    s.b_invite_cseq = j.at("b_invite_cseq").get<uint32_t>();
    for (size_t i = 0; i < 2; ++i) {
      s.timers[i] = timer_of(j.at("timers").at(i));
      s.allows_update[i] = j.at("allows_update").at(i).get<bool>();
      s.last_sdp[i] = j.at("last_sdp").at(i).get<std::string>();
    }
    s.on_hold = j.at("on_hold").get<bool>();
    for (const auto& a : j.at("admissions"))
      s.admissions.push_back(
          {a.at("subscriber_id").get<uint64_t>(), a.at("out").get<bool>()});
    if (const auto& m = j.at("media"); !m.is_null()) {
      auto media = media::session_from_json(m);
      if (!media)
        return error{"call snapshot: " + media.err().message};
      s.media = std::move(*media);
    }
  } catch (const std::exception& e) {
    return error{std::string("call snapshot: ") + e.what()};
  }
  return s;
}

namespace {

json request_json(const sip::edge::outgoing_request& r) {
  return {
      {"method", r.method},   {"uri", r.request_uri}, {"next_hop", r.next_hop},
      {"route", r.route},     {"from", r.from},       {"to", r.to},
      {"call_id", r.call_id}, {"cseq", r.cseq},       {"branch", r.branch}};
}

sip::edge::outgoing_request request_of(const json& j) {
  sip::edge::outgoing_request r;
  r.method = j.at("method").get<std::string>();
  r.request_uri = j.at("uri").get<std::string>();
  r.next_hop = j.at("next_hop").get<std::string>();
  r.route = j.at("route").get<std::vector<std::string>>();
  r.from = j.at("from").get<std::string>();
  r.to = j.at("to").get<std::string>();
  r.call_id = j.at("call_id").get<std::string>();
  r.cseq = j.at("cseq").get<uint32_t>();
  r.branch = j.at("branch").get<std::string>();
  r.stateless = true;
  return r;
}

} // namespace

bool is_setup_record(const json& j) {
  return j.is_object() && j.contains("setup");
}

json setup_to_json(const call_setup_record& s) {
  json cancels = json::array();
  for (const auto& c : s.cancels)
    cancels.push_back(request_json(c));
  return {{"node", s.node},
          {"edge", s.edge},
          {"setup",
           {{"core", state_json(s.core)},
            {"invite", s.invite},
            {"source",
             {{"transport", sip::to_string(s.source.transport)},
              {"ip", s.source.ip},
              {"port", s.source.port}}},
            {"to_tag", s.to_tag},
            {"cancels", cancels}}}};
}

result<call_setup_record> setup_from_json(const json& j) {
  if (!is_setup_record(j))
    return error{"call setup record: not an object with 'setup'"};
  call_setup_record s;
  try {
    s.node = j.at("node").get<std::string>();
    s.edge = j.value("edge", "");
    const auto& u = j.at("setup");
    s.core = state_of(u.at("core"), true);
    s.invite = u.at("invite").get<std::string>();
    const auto& src = u.at("source");
    auto t = sip::parse_transport(src.at("transport").get<std::string>());
    if (!t)
      throw std::invalid_argument("transport '" +
                                  src.at("transport").get<std::string>() + "'");
    s.source = {*t, src.at("ip").get<std::string>(),
                src.at("port").get<uint16_t>()};
    s.to_tag = u.at("to_tag").get<std::string>();
    for (const auto& c : u.at("cancels"))
      s.cancels.push_back(request_of(c));
    if (s.invite.empty())
      throw std::invalid_argument("no INVITE");
  } catch (const std::exception& e) {
    return error{std::string("call setup record: ") + e.what()};
  }
  return s;
}

} // namespace sb::actors::call
