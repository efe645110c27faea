#pragma once

#include "sip/edge/edge_types.hpp"

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>

// Retransmission absorption for requests the edge answers without an nta
// server transaction (REGISTER, OPTIONS and the other non-INVITE requests
// that go to actors). nta would keep ~10 KB per transaction for 64*T1;
// this keeps the reply value only, which is all a retransmission needs
// (RFC 3261 §17.2.2: resend the last response). Pure: time is a parameter.
namespace sb::sip::edge {

/// RFC 3261 §17.2.3 server transaction id: the topmost Via branch with the
/// magic cookie plus its sent-by and the method (ACK counts as INVITE); for
/// RFC 2543 branches, Request-URI, tags, Call-ID, CSeq and the top Via.
std::string transaction_id(const sip_message& request);

/// What is known about a transaction id.
struct transaction_entry {
  uint64_t key = 0;                ///< the request key handed to the platform
  std::optional<sip_reply> answer; ///< set once answered
  steady_time expires_at{};        ///< answered entries are forgotten then
};

/// Pending and recently answered transactions, bounded in count.
class transaction_cache {
public:
  /// `linger`: how long an answer is kept for retransmissions (64*T1 =
  /// 32 s on UDP). `capacity`: most entries kept; when full the oldest
  /// answered entries go first (a late retransmission then reaches the
  /// platform again, which is safe: the registrar answers it from state).
  transaction_cache(std::chrono::milliseconds linger, std::size_t capacity);

  /// The entry for `id`, if any and not expired at `now`.
  const transaction_entry* find(const std::string& id, steady_time now) const;

  /// Records a request handed to the platform under `key`.
  void begin(const std::string& id, uint64_t key, steady_time now);

  /// Records the final answer; the entry lingers for retransmissions.
  void answer(const std::string& id, const sip_reply& r, steady_time now);

  /// Forgets `id` at once (stream transports need no linger).
  void erase(const std::string& id);

  /// Drops entries whose linger ended; call periodically.
  void expire(steady_time now);

  std::size_t size() const noexcept { return entries_.size(); }

private:
  void evict_one();

  std::chrono::milliseconds linger_;
  std::size_t capacity_;
  std::unordered_map<std::string, transaction_entry> entries_;
  // Ids in the order they were answered (their expiries are monotonic);
  // stale ids (erased or re-answered) are skipped when popped.
  std::deque<std::pair<steady_time, std::string>> order_;
};

} // namespace sb::sip::edge
