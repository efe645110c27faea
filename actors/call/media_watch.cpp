#include "actors/call/media_watch.hpp"

namespace sb::actors::call {

steady_clock::duration media_idle(const media::media_report& rep,
                                  steady_clock::time_point since,
                                  steady_clock::time_point now) {
  auto newest = since;
  for (const auto& stream : rep.streams)
    for (const auto& leg : stream)
      if (leg.last_packet && *leg.last_packet > newest)
        newest = *leg.last_packet;
  return now - newest;
}

bool media_timed_out(steady_clock::duration idle, bool on_hold,
                     std::chrono::seconds limit,
                     std::chrono::seconds limit_on_hold) {
  return idle >= (on_hold ? limit_on_hold : limit);
}

} // namespace sb::actors::call
