#include "actors/subscriber/subscriber_trace.hpp"

#include "common/json_fields.hpp"

#include <stdexcept>

namespace sb::actors::subscriber {

using nlohmann::json;

namespace {

json source_json(const source_address& a) {
  return {
      {"transport", to_string(a.transport)}, {"ip", a.ip}, {"port", a.port}};
}

source_address source_of(const json& j) {
  auto name = j.at("transport").get<std::string>();
  auto t = parse_transport(name);
  if (!t)
    throw std::invalid_argument("transport '" + name + "'");
  return {*t, j.at("ip").get<std::string>(), j.at("port").get<uint16_t>()};
}

json request_json(const register_request& r) {
  json contacts = json::array();
  for (const auto& c : r.contacts)
    contacts.push_back({{"uri", c.uri},
                        {"q", nullable(c.q)},
                        {"expires", nullable(c.expires)},
                        {"instance", nullable(c.instance)},
                        {"reg_id", nullable(c.reg_id)},
                        {"params", c.params}});
  return {{"aor", r.aor},
          {"contacts", contacts},
          {"star", r.star},
          {"expires", nullable(r.expires)},
          {"call_id", r.call_id},
          {"cseq", r.cseq},
          {"path", r.path},
          {"source", source_json(r.source)},
          {"via",
           {{"host", r.via.host},
            {"port", nullable(r.via.port)},
            {"rport", r.via.rport}}},
          {"user_agent", r.user_agent},
          {"local_socket", r.local_socket}};
}

register_request request_of(const json& j) {
  register_request r;
  r.aor = j.at("aor").get<std::string>();
  for (const auto& c : j.at("contacts"))
    r.contacts.push_back({c.at("uri").get<std::string>(),
                          optional_of<std::string>(c.at("q")),
                          optional_of<uint32_t>(c.at("expires")),
                          optional_of<std::string>(c.at("instance")),
                          optional_of<uint32_t>(c.at("reg_id")),
                          c.at("params").get<std::string>()});
  r.star = j.at("star").get<bool>();
  r.expires = optional_of<uint32_t>(j.at("expires"));
  r.call_id = j.at("call_id").get<std::string>();
  r.cseq = j.at("cseq").get<uint32_t>();
  r.path = j.at("path").get<std::vector<std::string>>();
  r.source = source_of(j.at("source"));
  const auto& v = j.at("via");
  r.via = {v.at("host").get<std::string>(), optional_of<uint16_t>(v.at("port")),
           v.at("rport").get<bool>()};
  r.user_agent = j.at("user_agent").get<std::string>();
  r.local_socket = j.at("local_socket").get<std::string>();
  return r;
}

json config_json(const registrar_config& c) {
  return {{"min_expires", c.min_expires},
          {"max_expires", c.max_expires},
          {"default_expires", c.default_expires},
          {"max_contacts", c.max_contacts}};
}

registrar_config config_of(const json& j) {
  return {j.at("min_expires").get<uint32_t>(),
          j.at("max_expires").get<uint32_t>(),
          j.at("default_expires").get<uint32_t>(),
          j.at("max_contacts").get<uint32_t>()};
}

json bindings_json(const std::vector<binding>& bs) {
  json out = json::array();
  for (const auto& b : bs)
    out.push_back(to_json(b));
  return out;
}

json effects_json(const registrar_effects& fx) {
  return {{"changed", fx.changed},
          {"added", bindings_json(fx.added)},
          {"refreshed", bindings_json(fx.refreshed)},
          {"removed", bindings_json(fx.removed)},
          {"expired", bindings_json(fx.expired)},
          {"timer", fx.timer ? json(to_unix_ns(*fx.timer)) : json(nullptr)}};
}

json outcome_json(const register_outcome& o) {
  json contacts = json::array();
  for (const auto& c : o.reply.contacts)
    contacts.push_back({{"uri", c.uri},
                        {"expires", c.expires},
                        {"q", nullable(c.q)},
                        {"instance", nullable(c.instance)},
                        {"reg_id", nullable(c.reg_id)},
                        {"permanent", c.permanent}});
  return {{"status", to_string(o.status)},
          {"code", o.reply.code},
          {"reason", o.reply.reason},
          {"detail", o.reply.detail},
          {"min_expires", nullable(o.reply.min_expires)},
          {"contacts", contacts},
          {"effects", effects_json(o.effects)}};
}

json added_json(const result<registrar_effects>& r) {
  if (!r)
    return {{"error", r.err().message}};
  return effects_json(*r);
}

} // namespace

json event_to_json(const subscriber_event& e) {
  return std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, register_event>)
          return {{"type", "register"},
                  {"request", request_json(v.request)},
                  {"config", config_json(v.config)}};
        else if constexpr (std::is_same_v<T, expiry_event>)
          return {{"type", "expiry"}};
        else if constexpr (std::is_same_v<T, add_binding_event>)
          return {{"type", "add_binding"},
                  {"uri", v.request.uri},
                  {"q", nullable(v.request.q)},
                  {"path", v.request.path},
                  {"local_socket", v.request.local_socket},
                  {"user_agent", v.request.user_agent}};
        else if constexpr (std::is_same_v<T, remove_binding_event>)
          return {{"type", "remove_binding"}, {"uri", v.uri}};
        else if constexpr (std::is_same_v<T, remove_all_event>)
          return {{"type", "remove_all"}};
        else
          return {{"type", "rolled_back"}, {"state", to_json(v.state)}};
      },
      e);
}

result<subscriber_event> event_from_json(const json& j) {
  if (!j.is_object())
    return error{"not an object"};
  auto type = j.value("type", std::string{});
  try {
    if (type == "register")
      return subscriber_event{register_event{request_of(j.at("request")),
                                             config_of(j.at("config"))}};
    if (type == "expiry")
      return subscriber_event{expiry_event{}};
    if (type == "add_binding") {
      permanent_binding_request r;
      r.uri = j.at("uri").get<std::string>();
      r.q = optional_of<uint16_t>(j.at("q"));
      r.path = j.at("path").get<std::vector<std::string>>();
      r.local_socket = j.at("local_socket").get<std::string>();
      r.user_agent = j.at("user_agent").get<std::string>();
      return subscriber_event{add_binding_event{std::move(r)}};
    }
    if (type == "remove_binding")
      return subscriber_event{
          remove_binding_event{j.at("uri").get<std::string>()}};
    if (type == "remove_all")
      return subscriber_event{remove_all_event{}};
    if (type == "rolled_back") {
      auto st = registrar_state_from_json(j.at("state"));
      if (!st)
        return st.err();
      return subscriber_event{rolled_back_event{std::move(*st)}};
    }
  } catch (const std::exception& e) {
    return error{type + ": " + e.what()};
  }
  return error{"unknown type '" + type + "'"};
}

json step(registrar_state& st, const subscriber_event& e, time_point now) {
  return std::visit(
      [&](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, register_event>)
          return outcome_json(on_register(st, v.request, v.config, now));
        else if constexpr (std::is_same_v<T, expiry_event>)
          return effects_json(on_timer(st, now));
        else if constexpr (std::is_same_v<T, add_binding_event>)
          return added_json(add_permanent_binding(st, v.request, now));
        else if constexpr (std::is_same_v<T, remove_binding_event>)
          return effects_json(remove_binding(st, v.uri, now));
        else if constexpr (std::is_same_v<T, remove_all_event>)
          return effects_json(remove_all_bindings(st, now));
        else {
          st = v.state;
          return {{"rolled_back", true}};
        }
      },
      e);
}

json trace_to_json(const subscriber_trace& t) {
  json steps = json::array();
  for (const auto& s : t.steps)
    steps.push_back({{"now_ns", to_unix_ns(s.now)},
                     {"event", event_to_json(s.event)},
                     {"effects", s.effects}});
  return {{"kind", "subscriber"},
          {"aor", t.initial.aor},
          {"initial", to_json(t.initial)},
          {"steps", steps}};
}

bool is_subscriber_trace(const json& j) {
  return j.is_object() && j.value("kind", std::string{}) == "subscriber";
}

result<subscriber_trace> trace_from_json(const json& j) {
  if (!is_subscriber_trace(j))
    return error{"not a subscriber trace (\"kind\": \"subscriber\")"};
  subscriber_trace t;
  if (!j.contains("initial"))
    return error{"initial: missing"};
  auto initial = registrar_state_from_json(j.at("initial"));
  if (!initial)
    return error{"initial: " + initial.err().message};
  t.initial = std::move(*initial);
  if (!j.contains("steps") || !j.at("steps").is_array())
    return error{"steps: expected an array"};
  const auto& steps = j.at("steps");
  for (size_t i = 0; i < steps.size(); ++i) {
    auto where = "steps[" + std::to_string(i) + "]";
    const auto& s = steps[i];
    if (!s.is_object() || !s.contains("now_ns") ||
        !s.at("now_ns").is_number_integer() || !s.contains("event") ||
        !s.contains("effects"))
      return error{where + ": expected now_ns, event and effects"};
    auto ev = event_from_json(s.at("event"));
    if (!ev)
      return error{where + ".event: " + ev.err().message};
    t.steps.push_back({std::move(*ev),
                       from_unix_ns(s.at("now_ns").get<int64_t>()),
                       s.at("effects")});
  }
  return t;
}

subscriber_recorder::subscriber_recorder(const registrar_state& initial) {
  trace_.initial = initial;
}

register_outcome subscriber_recorder::on_register(registrar_state& st,
                                                  const register_request& rq,
                                                  const registrar_config& cfg,
                                                  time_point now) {
  auto out = subscriber::on_register(st, rq, cfg, now);
  trace_.steps.push_back({register_event{rq, cfg}, now, outcome_json(out)});
  return out;
}

registrar_effects subscriber_recorder::on_timer(registrar_state& st,
                                                time_point now) {
  auto fx = subscriber::on_timer(st, now);
  trace_.steps.push_back({expiry_event{}, now, effects_json(fx)});
  return fx;
}

result<registrar_effects>
subscriber_recorder::add(registrar_state& st,
                         const permanent_binding_request& rq, time_point now) {
  auto r = add_permanent_binding(st, rq, now);
  trace_.steps.push_back({add_binding_event{rq}, now, added_json(r)});
  return r;
}

registrar_effects subscriber_recorder::remove(registrar_state& st,
                                              std::string_view uri,
                                              time_point now) {
  auto fx = remove_binding(st, uri, now);
  trace_.steps.push_back(
      {remove_binding_event{std::string(uri)}, now, effects_json(fx)});
  return fx;
}

registrar_effects subscriber_recorder::remove_all(registrar_state& st,
                                                  time_point now) {
  auto fx = remove_all_bindings(st, now);
  trace_.steps.push_back({remove_all_event{}, now, effects_json(fx)});
  return fx;
}

void subscriber_recorder::rolled_back(const registrar_state& before,
                                      time_point now) {
  trace_.steps.push_back(
      {rolled_back_event{before}, now, json{{"rolled_back", true}}});
}

replay_result replay(const subscriber_trace& t,
                     const subscriber_step& step_fn) {
  registrar_state st = t.initial;
  for (size_t i = 0; i < t.steps.size(); ++i) {
    auto fx = step_fn(st, t.steps[i].event, t.steps[i].now);
    if (fx != t.steps[i].effects)
      return {false, i, t.steps[i].effects, fx};
  }
  return {};
}

} // namespace sb::actors::subscriber
