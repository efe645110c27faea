#pragma once

#include <chrono>

namespace sb::sip::protect {

/// The clock of every guard in this folder. The guards never read it: the
/// caller passes `now` into each call, so tests drive time by hand and a
/// replay sees the same decisions.
using clock = std::chrono::steady_clock;
using time_point = clock::time_point;
using seconds = std::chrono::seconds;

} // namespace sb::sip::protect
