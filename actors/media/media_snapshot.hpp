// The JSON form of a media session's control state, kept with its call's
// snapshot so that a node that restores the call (after a restart, or the
// standby that took over the address) reopens the relay on the same ports
// with the same SDP versions.
#pragma once

#include "actors/media/media_session_state.hpp"

#include <nlohmann/json.hpp>

namespace sb::actors::media {

nlohmann::json session_to_json(const media_session_state& st);
/// Errors name what is wrong; a port out of 1..65535 is an error.
result<media_session_state> session_from_json(const nlohmann::json& j);

} // namespace sb::actors::media
