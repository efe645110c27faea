#include "actors/media/media_snapshot.hpp"

namespace sb::actors::media {

using nlohmann::json;

namespace {

json port_json(const std::optional<uint16_t>& p) {
  return p ? json(*p) : json();
}

std::optional<uint16_t> port_of(const json& j) {
  if (j.is_null())
    return std::nullopt;
  auto v = j.get<int64_t>();
  if (v < 1 || v > 65535)
    throw std::out_of_range("port " + std::to_string(v) + " out of range");
  return static_cast<uint16_t>(v);
}

} // namespace

json session_to_json(const media_session_state& st) {
  json streams = json::array();
  for (const auto& s : st.streams)
    streams.push_back({{"port", {port_json(s.port[0]), port_json(s.port[1])}},
                       {"mux", {s.mux_offered[0], s.mux_offered[1]}}});
  json origin = json::array();
  for (const auto& o : st.origin)
    origin.push_back({{"username", o.username},
                      {"session_id", o.session_id},
                      {"session_version", o.session_version}});
  return {{"streams", streams},
          {"origin", origin},
          {"last_sent", {st.last_sent[0], st.last_sent[1]}},
          {"offerer",
           st.offerer ? json(*st.offerer == leg_id::a ? "a" : "b") : json()},
          {"offered_streams", st.offered_streams}};
}

result<media_session_state> session_from_json(const json& j) {
  if (!j.is_object())
    return error{"media session: not an object"};
  media_session_state st;
  try {
    for (const auto& s : j.at("streams")) {
      media_stream m;
      for (size_t leg = 0; leg < 2; ++leg) {
        m.port[leg] = port_of(s.at("port").at(leg));
        m.mux_offered[leg] = s.at("mux").at(leg).get<bool>();
      }
      st.streams.push_back(m);
    }
    for (size_t leg = 0; leg < 2; ++leg) {
      const auto& o = j.at("origin").at(leg);
      st.origin[leg].username = o.at("username").get<std::string>();
      st.origin[leg].session_id = o.at("session_id").get<uint64_t>();
      st.origin[leg].session_version = o.at("session_version").get<uint64_t>();
      st.last_sent[leg] = j.at("last_sent").at(leg).get<std::string>();
    }
    const auto& offerer = j.at("offerer");
    if (!offerer.is_null()) {
      auto o = offerer.get<std::string>();
      if (o != "a" && o != "b")
        return error{"media session: offerer '" + o + "' is not a or b"};
      st.offerer = o == "a" ? leg_id::a : leg_id::b;
    }
    st.offered_streams = j.at("offered_streams").get<size_t>();
  } catch (const std::exception& e) {
    return error{std::string("media session: ") + e.what()};
  }
  return st;
}

} // namespace sb::actors::media
