#include "sip/auth/digest.hpp"

#include <algorithm>

namespace sb::sip::auth {

nonce_counter::nonce_counter(std::size_t capacity)
    : capacity_(std::max<std::size_t>(capacity, 1)) {
  index_.reserve(capacity_);
}

nc_verdict nonce_counter::accept(std::string_view nonce, uint32_t nc) {
  if (auto it = index_.find(nonce); it != index_.end()) {
    auto pos = it->second;
    if (nc <= pos->highest_nc)
      return nc_verdict::replay;
    pos->highest_nc = nc;
    lru_.splice(lru_.begin(), lru_, pos);
    return nc_verdict::accepted;
  }
  auto issued = nonce_timestamp(nonce);
  if (!issued || (horizon_ && *issued <= *horizon_))
    return nc_verdict::unknown_evicted;
  // nc 0 is not a count (they start at 1); recording it would let the same
  // request through twice.
  if (nc == 0)
    return nc_verdict::replay;
  if (index_.size() >= capacity_) {
    const entry& victim = lru_.back();
    horizon_ = std::max(horizon_.value_or(victim.issued_s), victim.issued_s);
    index_.erase(victim.nonce);
    lru_.pop_back();
  }
  lru_.push_front(entry{std::string(nonce), *issued, nc});
  // The key views the string inside the list node, which never moves.
  index_.emplace(lru_.front().nonce, lru_.begin());
  return nc_verdict::accepted;
}

} // namespace sb::sip::auth
