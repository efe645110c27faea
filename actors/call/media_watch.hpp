// The media timeout of an answered call, decided from the relay's
// counters: how long neither leg sent a packet on any stream, and whether
// that is too long (a held call gets the longer limit). Pure: the shell
// polls the media session and passes `now`.
#pragma once

#include "actors/media/media_session_actor.hpp"

#include <chrono>

namespace sb::actors::call {

using steady_clock = std::chrono::steady_clock;

/// Time since the newest packet of any stream on either leg; counted from
/// `since` (the answer) when nothing came after it.
steady_clock::duration media_idle(const media::media_report& rep,
                                  steady_clock::time_point since,
                                  steady_clock::time_point now);

/// Whether `idle` ends the call: `limit`, or `limit_on_hold` while held.
bool media_timed_out(steady_clock::duration idle, bool on_hold,
                     std::chrono::seconds limit,
                     std::chrono::seconds limit_on_hold);

} // namespace sb::actors::call
