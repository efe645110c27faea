#pragma once

#include "common/metrics/fwd.hpp"

#include <atomic>
#include <cstdint>

namespace sb::metrics {

/// A monotonic counter. Thread-safe and lock-free: any thread may increment
/// it at any time. Integer increments are exact (kept apart from fractional
/// ones), so a counter of events never loses precision to double rounding.
class counter {
public:
  counter() = default;
  counter(const counter&) = delete;
  counter& operator=(const counter&) = delete;

  /// Adds `n` (default 1).
  void inc(uint64_t n = 1) noexcept {
    ints_.fetch_add(n, std::memory_order_relaxed);
  }

  /// Adds a non-negative amount, e.g. seconds of CPU. Negative and NaN
  /// amounts are dropped: a counter never goes down.
  void add(double amount) noexcept {
    if (amount > 0)
      reals_.fetch_add(amount, std::memory_order_relaxed);
  }

  /// The current total.
  double value() const noexcept {
    return static_cast<double>(integer_part()) + real_part();
  }

  /// The sum of all `inc` calls, exact.
  uint64_t integer_part() const noexcept {
    return ints_.load(std::memory_order_relaxed);
  }

  /// The sum of all `add` calls.
  double real_part() const noexcept {
    return reals_.load(std::memory_order_relaxed);
  }

private:
  std::atomic<uint64_t> ints_{0};
  std::atomic<double> reals_{0.0};
};

} // namespace sb::metrics
