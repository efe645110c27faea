#include "actors/media/media_report.hpp"

namespace sb::actors::media {

using nlohmann::json;
using std::chrono::steady_clock;

namespace {

json leg_json(const sb::media::leg_stats& s, steady_clock::time_point now) {
  json j{{"packets", s.packets},         {"bytes", s.bytes},
         {"rtp_packets", s.rtp_packets}, {"lost", s.lost},
         {"foreign", s.foreign},         {"unroutable", s.unroutable}};
  j["latched"] = s.latched ? json(*s.latched) : json();
  j["idle_ms"] =
      s.last_packet
          ? json(std::chrono::duration_cast<std::chrono::milliseconds>(
                     now - *s.last_packet)
                     .count())
          : json();
  return j;
}

sb::media::leg_stats leg_of(const json& j, steady_clock::time_point now) {
  sb::media::leg_stats s;
  s.packets = j.at("packets").get<uint64_t>();
  s.bytes = j.at("bytes").get<uint64_t>();
  s.rtp_packets = j.at("rtp_packets").get<uint64_t>();
  s.lost = j.at("lost").get<uint64_t>();
  s.foreign = j.at("foreign").get<uint64_t>();
  s.unroutable = j.at("unroutable").get<uint64_t>();
  if (!j.at("latched").is_null())
    s.latched = j["latched"].get<std::string>();
  if (!j.at("idle_ms").is_null()) {
    auto age = j["idle_ms"].get<int64_t>();
    if (age < 0)
      throw std::out_of_range("idle_ms " + std::to_string(age) + " < 0");
    s.last_packet = now - std::chrono::milliseconds(age);
  }
  return s;
}

} // namespace

json report_to_json(const media_report& r, steady_clock::time_point now) {
  json streams = json::array();
  for (const auto& s : r.streams)
    streams.push_back({leg_json(s[0], now), leg_json(s[1], now)});
  return {{"streams", streams}};
}

result<media_report> report_from_json(const json& j,
                                      steady_clock::time_point now) {
  try {
    media_report r;
    for (const auto& s : j.at("streams")) {
      if (!s.is_array() || s.size() != 2)
        return error{"media report: a stream is not a pair of legs"};
      r.streams.push_back({leg_of(s[0], now), leg_of(s[1], now)});
    }
    return r;
  } catch (const std::exception& e) { // json's, or an age out of range
    return error{std::string("media report: ") + e.what()};
  }
}

} // namespace sb::actors::media
