#pragma once

#include <cstdint>
#include <string>

namespace sb {

/// A time as the API and the reference platform show it:
/// "YYYY-MM-DD HH:MM:SS" in UTC (sub-second part dropped).
std::string timestamp_text(int64_t unix_ms);

} // namespace sb
