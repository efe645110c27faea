// The counters of a media session's relays, per stream and leg, and their
// JSON form: the report is an answer to the call actor, which may run on
// another node than its media (ARCHITECTURE.md §2.5: what crosses a node
// is a value). The last packet's steady-clock time does not mean anything
// on another node, so the wire carries its age instead.
#pragma once

#include "common/result.hpp"
#include "media/rtp_relay.hpp"

#include <array>
#include <chrono>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::actors::media {

struct media_report {
  std::vector<std::array<sb::media::leg_stats, 2>> streams;
};

/// `now`: the sender's steady clock, to turn the last packet into an age.
nlohmann::json report_to_json(const media_report& r,
                              std::chrono::steady_clock::time_point now);
/// `now`: the receiver's steady clock; an age becomes a time before it.
/// Errors name what is wrong.
result<media_report>
report_from_json(const nlohmann::json& j,
                 std::chrono::steady_clock::time_point now);

} // namespace sb::actors::media
