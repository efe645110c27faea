#include "actors/call/call_trace.hpp"

#include "actors/call/call_snapshot.hpp"

#include <array>

namespace sb::actors::call {

using nlohmann::json;

int64_t ms_of(time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             t.time_since_epoch())
      .count();
}

time_point at_ms(int64_t ms) {
  return time_point{std::chrono::milliseconds{ms}};
}

namespace {

std::string_view side_name(side s) {
  return s == side::a ? "a" : "b";
}

result<side> side_of(const json& j, const char* member) {
  auto v = j.value(member, std::string{});
  if (v == "a")
    return side::a;
  if (v == "b")
    return side::b;
  return error{std::string(member) + ": not 'a' or 'b'"};
}

std::string_view timer_name(timer_kind k) {
  return k == timer_kind::ring ? "ring" : "max_duration";
}

} // namespace

json party_to_json(const billing::cdr_party& p) {
  return {{"user_id", p.user_id},
          {"subscriber_id", p.subscriber_id},
          {"account_id", p.account_id},
          {"reseller_id", p.reseller_id},
          {"user", p.user},
          {"domain", p.domain},
          {"cli", p.cli},
          {"clir", p.clir},
          {"ip", p.ip}};
}

billing::cdr_party party_from_json(const json& j) {
  billing::cdr_party p;
  p.user_id = j.value("user_id", "");
  p.subscriber_id = j.value("subscriber_id", uint64_t{0});
  p.account_id = j.value("account_id", uint64_t{0});
  p.reseller_id = j.value("reseller_id", uint64_t{0});
  p.user = j.value("user", "");
  p.domain = j.value("domain", "");
  p.cli = j.value("cli", "");
  p.clir = j.value("clir", false);
  p.ip = j.value("ip", "");
  return p;
}

json cdr_to_json(const billing::cdr_record& r) {
  return {{"call_id", r.call_id},
          {"type", billing::to_string(r.type)},
          {"status", billing::to_string(r.status)},
          {"code", r.code ? json(*r.code) : json()},
          {"init_ms", r.init_ms},
          {"start_ms", r.start_ms},
          {"duration_ms", r.duration_ms},
          {"source", party_to_json(r.source)},
          {"destination", party_to_json(r.destination)},
          {"destination_user_dialed", r.destination_user_dialed},
          {"destination_user_in", r.destination_user_in},
          {"destination_domain_in", r.destination_domain_in}};
}

// A plan's CDR holds the parties; times and status are the core's.
billing::cdr_record cdr_from_json(const json& j) {
  billing::cdr_record r;
  r.call_id = j.value("call_id", "");
  r.source = party_from_json(j.value("source", json::object()));
  r.destination = party_from_json(j.value("destination", json::object()));
  r.destination_user_dialed = j.value("destination_user_dialed", "");
  r.destination_user_in = j.value("destination_user_in", "");
  r.destination_domain_in = j.value("destination_domain_in", "");
  return r;
}

json event_to_json(const call_event& e) {
  return std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, branch_response>)
          return {{"type", "branch_response"},
                  {"branch", v.branch},
                  {"code", v.code},
                  {"reason", v.reason},
                  {"has_sdp", v.has_sdp}};
        else if constexpr (std::is_same_v<T, caller_cancel>)
          return {{"type", "caller_cancel"}};
        else if constexpr (std::is_same_v<T, caller_ack>)
          return {{"type", "caller_ack"}};
        else if constexpr (std::is_same_v<T, caller_ack_timeout>)
          return {{"type", "caller_ack_timeout"}};
        else if constexpr (std::is_same_v<T, hangup>)
          return {{"type", "hangup"}, {"from", side_name(v.from)}};
        else if constexpr (std::is_same_v<T, timer_fired>)
          return {{"type", "timer_fired"}, {"kind", timer_name(v.kind)}};
        else if constexpr (std::is_same_v<T, media_timeout>)
          return {{"type", "media_timeout"}};
        else if constexpr (std::is_same_v<T, node_leaving>)
          return {{"type", "node_leaving"}};
        else if constexpr (std::is_same_v<T, session_expired>)
          return {{"type", "session_expired"}, {"leg", side_name(v.leg)}};
        else if constexpr (std::is_same_v<T, dialog_request>)
          return {{"type", "dialog_request"},
                  {"from", side_name(v.from)},
                  {"method", v.method},
                  {"txn", v.txn},
                  {"offer", v.offer}};
        else
          return {{"type", "dialog_response"},
                  {"from", side_name(v.from)},
                  {"txn", v.txn},
                  {"code", v.code}};
      },
      e);
}

result<call_event> event_from_json(const json& j) {
  if (!j.is_object())
    return error{"not an object"};
  auto type = j.value("type", std::string{});
  try {
    if (type == "branch_response")
      return call_event{
          branch_response{j.at("branch").get<size_t>(), j.at("code").get<int>(),
                          j.value("reason", ""), j.value("has_sdp", false)}};
    if (type == "caller_cancel")
      return call_event{caller_cancel{}};
    if (type == "caller_ack")
      return call_event{caller_ack{}};
    if (type == "caller_ack_timeout")
      return call_event{caller_ack_timeout{}};
    if (type == "media_timeout")
      return call_event{media_timeout{}};
    if (type == "node_leaving")
      return call_event{node_leaving{}};
    if (type == "timer_fired") {
      auto k = j.value("kind", std::string{});
      if (k != "ring" && k != "max_duration")
        return error{"kind: not 'ring' or 'max_duration'"};
      return call_event{timer_fired{k == "ring" ? timer_kind::ring
                                                : timer_kind::max_duration}};
    }
    if (type == "hangup" || type == "session_expired" ||
        type == "dialog_request" || type == "dialog_response") {
      auto s = side_of(j, type == "session_expired" ? "leg" : "from");
      if (!s)
        return s.err();
      if (type == "hangup")
        return call_event{hangup{*s}};
      if (type == "session_expired")
        return call_event{session_expired{*s}};
      if (type == "dialog_request")
        return call_event{dialog_request{*s, j.at("method").get<std::string>(),
                                         j.at("txn").get<uint64_t>(),
                                         j.value("offer", false)}};
      return call_event{dialog_response{*s, j.at("txn").get<uint64_t>(),
                                        j.at("code").get<int>()}};
    }
  } catch (const json::exception& e) {
    return error{type + ": " + e.what()};
  }
  return error{"unknown type '" + type + "'"};
}

json effects_to_json(const call_effects& fx) {
  json replies = json::array();
  for (const auto& r : fx.reply)
    replies.push_back(
        {{"code", r.code},
         {"reason", r.reason},
         {"from_branch", r.from_branch ? json(*r.from_branch) : json()},
         {"with_sdp", r.with_sdp}});
  json relays = json::array();
  for (const auto& r : fx.relays)
    relays.push_back({{"to", side_name(r.to)},
                      {"txn", r.txn},
                      {"method", r.method},
                      {"code", r.code}});
  json refusals = json::array();
  for (const auto& r : fx.refuse)
    refusals.push_back({{"to", side_name(r.to)},
                        {"txn", r.txn},
                        {"code", r.code},
                        {"reason", r.reason}});
  json timers = json::array();
  for (const auto& t : fx.timers)
    timers.push_back({{"kind", timer_name(t.kind)}, {"at_ms", ms_of(t.at)}});
  return {
      {"invite", fx.invite}, {"reply", replies},
      {"cancel", fx.cancel}, {"ack", fx.ack},
      {"bye", fx.bye},       {"bye_caller", fx.bye_caller},
      {"relays", relays},    {"refuse", refusals},
      {"timers", timers},    {"cdr", fx.cdr ? cdr_to_json(*fx.cdr) : json()}};
}

json plan_to_json(const call_plan& p) {
  json targets = json::array();
  for (const auto& t : p.targets)
    targets.push_back(
        {{"uri", t.uri}, {"path", t.path}, {"next_hop", t.next_hop}});
  return {{"targets", targets},
          {"reject", p.reject ? json{{"code", p.reject->code},
                                     {"reason", p.reject->reason}}
                              : json()},
          {"cdr", cdr_to_json(p.cdr)},
          {"ring_timeout_s", p.settings.ring_timeout.count()},
          {"max_duration_s", p.settings.max_duration.count()}};
}

result<call_plan> plan_from_json(const json& j) {
  if (!j.is_object())
    return error{"plan: not an object"};
  call_plan p;
  try {
    for (const auto& t : j.value("targets", json::array()))
      p.targets.push_back({t.at("uri").get<std::string>(),
                           t.value("path", std::vector<std::string>{}),
                           t.value("next_hop", "")});
    if (auto r = j.find("reject"); r != j.end() && r->is_object())
      p.reject = rejection{r->at("code").get<int>(), r->value("reason", "")};
    p.cdr = cdr_from_json(j.value("cdr", json::object()));
    p.settings.ring_timeout =
        std::chrono::seconds{j.value("ring_timeout_s", int64_t{180})};
    p.settings.max_duration =
        std::chrono::seconds{j.value("max_duration_s", int64_t{21600})};
  } catch (const json::exception& e) {
    return error{std::string("plan: ") + e.what()};
  }
  return p;
}

json trace_to_json(const call_trace& t) {
  json steps = json::array();
  for (const auto& s : t.steps)
    steps.push_back({{"now_ms", ms_of(s.now)},
                     {"event", event_to_json(s.event)},
                     {"effects", s.effects}});
  if (t.restored)
    return {{"kind", "call"},
            {"restored", state_to_json(*t.restored)},
            {"steps", steps}};
  return {{"kind", "call"},
          {"plan", plan_to_json(t.plan)},
          {"started_ms", ms_of(t.started)},
          {"start_effects", t.start_effects},
          {"steps", steps}};
}

result<call_trace> trace_from_json(const json& j) {
  if (!j.is_object() || j.value("kind", "") != "call")
    return error{"not a call trace (kind must be 'call')"};
  call_trace t;
  if (auto r = j.find("restored"); r != j.end()) {
    auto st = state_from_json(*r);
    if (!st)
      return error{"restored: " + st.err().message};
    t.restored = std::move(*st);
    t.plan.cdr = t.restored->cdr;
  } else {
    auto plan = plan_from_json(j.value("plan", json()));
    if (!plan)
      return plan.err();
    t.plan = std::move(*plan);
    t.started = at_ms(j.value("started_ms", int64_t{0}));
    t.start_effects = j.value("start_effects", json::object());
  }
  auto steps = j.value("steps", json::array());
  for (size_t i = 0; i < steps.size(); ++i) {
    auto e = event_from_json(steps[i].value("event", json()));
    if (!e)
      return error{"steps[" + std::to_string(i) +
                   "].event: " + e.err().message};
    t.steps.push_back({std::move(*e),
                       at_ms(steps[i].value("now_ms", int64_t{0})),
                       steps[i].value("effects", json::object())});
  }
  return t;
}

call_effects call_recorder::start(call_state& st, call_plan plan,
                                  time_point now) {
  trace_.plan = plan;
  trace_.started = now;
  auto fx = call::start(st, std::move(plan), now);
  trace_.start_effects = effects_to_json(fx);
  return fx;
}

void call_recorder::restored(const call_state& st) {
  trace_.restored = st;
}

call_effects call_recorder::on(call_state& st, const call_event& e,
                               time_point now) {
  auto fx = on_event(st, e, now);
  trace_.steps.push_back({e, now, effects_to_json(fx)});
  return fx;
}

replay_result replay(const call_trace& t, const call_step& step) {
  replay_result out;
  call_state st;
  if (t.restored) {
    st = *t.restored;
  } else {
    auto first = effects_to_json(call::start(st, t.plan, t.started));
    if (first != t.start_effects)
      return {false, std::nullopt, t.start_effects, first};
  }
  for (size_t i = 0; i < t.steps.size(); ++i) {
    auto fx = effects_to_json(step(st, t.steps[i].event, t.steps[i].now));
    if (fx != t.steps[i].effects)
      return {false, i, t.steps[i].effects, fx};
  }
  return out;
}

} // namespace sb::actors::call
