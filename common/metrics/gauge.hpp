#pragma once

#include "common/metrics/fwd.hpp"

#include <atomic>
#include <functional>
#include <mutex>

namespace sb::metrics {

/// A value that goes up and down. `set`, `inc` and `dec` are lock-free and
/// may be called from any thread. A gauge may instead take its value from a
/// callback evaluated at render time (e.g. a queue depth owned elsewhere).
class gauge {
public:
  gauge() = default;
  gauge(const gauge&) = delete;
  gauge& operator=(const gauge&) = delete;

  void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
  void inc(double d = 1.0) noexcept {
    value_.fetch_add(d, std::memory_order_relaxed);
  }
  void dec(double d = 1.0) noexcept {
    value_.fetch_sub(d, std::memory_order_relaxed);
  }

  /// Makes `value()` return `fn()` from now on. `fn` runs on the thread that
  /// renders, must be thread-safe, quick and must not touch the registry.
  /// Whatever `fn` captures must outlive the gauge or a `clear_callback`.
  void set_callback(std::function<double()> fn);

  /// Returns the gauge to its stored value.
  void clear_callback();

  /// The callback's result if one is set, else the stored value.
  double value() const;

private:
  std::atomic<double> value_{0.0};
  // Checked first so that plain gauges never take the lock.
  std::atomic<bool> has_callback_{false};
  mutable std::mutex callback_mu_;
  std::function<double()> callback_;
};

} // namespace sb::metrics
