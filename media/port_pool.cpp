#include "media/port_pool.hpp"

#include <string>

namespace sb::media {

result<port_pool> port_pool::create(long min_port, long max_port) {
  auto range = "RTP port range " + std::to_string(min_port) + "-" +
               std::to_string(max_port);
  if (min_port < 1024 || max_port > 65535)
    return error{range + " is outside 1024-65535"};
  if (min_port >= max_port)
    return error{range + ": the minimum must be below the maximum"};
  if (min_port % 2 != 0)
    return error{range + ": the minimum must be even (RTP uses the even "
                         "port of each pair)"};
  auto pairs = static_cast<std::size_t>((max_port - min_port + 1) / 2);
  return port_pool(static_cast<uint16_t>(min_port), pairs);
}

std::optional<std::size_t>
port_pool::index_of(uint16_t rtp_port) const noexcept {
  if (rtp_port < min_ || (rtp_port - min_) % 2 != 0)
    return std::nullopt;
  auto i = static_cast<std::size_t>((rtp_port - min_) / 2);
  if (i >= state_.size())
    return std::nullopt;
  return i;
}

std::optional<uint16_t> port_pool::allocate() {
  if (available() == 0)
    return std::nullopt;
  // available() > 0 guarantees a free slot within one lap.
  for (std::size_t n = 0; n < state_.size(); ++n) {
    std::size_t i = (next_ + n) % state_.size();
    if (state_[i] == slot::free) {
      state_[i] = slot::allocated;
      ++in_use_;
      next_ = (i + 1) % state_.size();
      return static_cast<uint16_t>(min_ + 2 * i);
    }
  }
  return std::nullopt; // unreachable while the counters are right
}

bool port_pool::reserve(uint16_t rtp_port) {
  auto i = index_of(rtp_port);
  if (!i || state_[*i] != slot::free)
    return false;
  state_[*i] = slot::allocated;
  ++in_use_;
  return true;
}

bool port_pool::release(uint16_t rtp_port) {
  auto i = index_of(rtp_port);
  if (!i || state_[*i] != slot::allocated)
    return false;
  state_[*i] = slot::free;
  --in_use_;
  return true;
}

bool port_pool::mark_unusable(uint16_t rtp_port) {
  auto i = index_of(rtp_port);
  if (!i || state_[*i] == slot::unusable)
    return false;
  if (state_[*i] == slot::allocated)
    --in_use_;
  state_[*i] = slot::unusable;
  ++unusable_;
  return true;
}

std::size_t port_pool::restore_unusable() {
  std::size_t n = 0;
  for (auto& s : state_) {
    if (s == slot::unusable) {
      s = slot::free;
      ++n;
    }
  }
  unusable_ = 0;
  return n;
}

bool port_pool::is_allocated(uint16_t rtp_port) const noexcept {
  auto i = index_of(rtp_port);
  return i && state_[*i] == slot::allocated;
}

} // namespace sb::media
