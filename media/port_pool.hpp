#pragma once

#include "common/result.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

// RTP/RTCP port pairs for the media relay, as a plain value: the shell
// owns one per relay address and does the binding. No sockets here.
namespace sb::media {

/// Hands out port pairs from [min_port, max_port]: an even RTP port and
/// RTCP on the next odd one (RFC 3550 §11), always a pair even for
/// rtcp-mux legs, so a leg can drop mux on re-INVITE without a new port.
///
/// Allocation is round-robin from the last allocated pair, so a pair just
/// released is handed out again only after the rest of the range was
/// tried: late packets of the previous call then find a closed port, not
/// the next call. Cost: O(1) while free pairs are spread out; the scan is
/// bounded by the pair count (5000 one-byte checks for 30000-40000) when
/// the pool is nearly full, and a full pool answers at once.
class port_pool {
public:
  /// Validates the range: 1024 <= min_port < max_port <= 65535, min_port
  /// even. An even max_port is allowed; its port is then unused (it would
  /// need max_port + 1 for RTCP). Takes wide integers so a config value
  /// like 70000 gets an error rather than wrapping.
  static result<port_pool> create(long min_port, long max_port);

  /// The RTP port of a free pair (RTCP is that + 1), or nullopt when every
  /// pair is in use or unusable.
  std::optional<uint16_t> allocate();

  /// Allocates the pair of `rtp_port` itself (a call restored after a
  /// restart keeps the ports its peers send to). False, changing nothing,
  /// if that is not the RTP port of a free pair.
  bool reserve(uint16_t rtp_port);

  /// Frees the pair of `rtp_port`. False, changing nothing, if that is not
  /// the RTP port of an allocated pair (odd, out of range, free, or
  /// unusable).
  bool release(uint16_t rtp_port);

  /// Takes the pair of `rtp_port` out of circulation (its bind failed:
  /// something else holds one of the two ports). Works on an allocated
  /// pair (the allocation ends; no release needed) or a free one. False if
  /// `rtp_port` is not the RTP port of a pair in range, or already marked.
  /// The shell then calls allocate() again for the next pair.
  bool mark_unusable(uint16_t rtp_port);

  /// Puts every unusable pair back into circulation (e.g. periodically, as
  /// the foreign holder of a port may have gone). Returns how many.
  std::size_t restore_unusable();

  bool is_allocated(uint16_t rtp_port) const noexcept;

  uint16_t min_port() const noexcept { return min_; }
  /// The RTCP port of the last pair (max_port, or max_port - 1 if even).
  uint16_t max_port() const noexcept {
    return static_cast<uint16_t>(min_ + 2 * state_.size() - 1);
  }

  /// Pairs in the range.
  std::size_t capacity() const noexcept { return state_.size(); }
  /// Pairs allocated now.
  std::size_t in_use() const noexcept { return in_use_; }
  /// Pairs marked unusable.
  std::size_t unusable() const noexcept { return unusable_; }
  /// Pairs allocate() can still hand out.
  std::size_t available() const noexcept {
    return state_.size() - in_use_ - unusable_;
  }

private:
  enum class slot : uint8_t { free, allocated, unusable };

  port_pool(uint16_t min_port, std::size_t pairs)
      : min_(min_port)
      , state_(pairs, slot::free) {}

  /// The pair index of `rtp_port`, if it is the RTP port of a pair.
  std::optional<std::size_t> index_of(uint16_t rtp_port) const noexcept;

  uint16_t min_;
  std::vector<slot> state_;
  std::size_t next_ = 0; ///< where the next allocate() starts looking
  std::size_t in_use_ = 0;
  std::size_t unusable_ = 0;
};

} // namespace sb::media
