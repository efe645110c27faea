#pragma once

#include "common/metrics/fwd.hpp"
#include "common/result.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace sb::metrics {

/// Upper bounds of a histogram's buckets: finite, strictly increasing. The
/// +Inf bucket is implicit.
using bucket_bounds = std::vector<double>;

/// Checks `bounds` and drops a trailing +Inf. Errors on NaN, -Inf, +Inf in
/// the middle or bounds that do not strictly increase.
result<bucket_bounds> make_bucket_bounds(std::vector<double> bounds);

/// Latency buckets in seconds, from 1 ms to 10 s (Prometheus' defaults plus
/// 1 ms), for request/transaction durations.
bucket_bounds default_latency_buckets();

/// Counts observations into fixed buckets. `observe` is lock-free and may be
/// called from any thread. Buckets are stored non-cumulative and summed at
/// render time; `count()` is the sum of the buckets, so `_count` always
/// equals the +Inf bucket.
class histogram {
public:
  /// `bounds` must come from `make_bucket_bounds`.
  explicit histogram(std::shared_ptr<const bucket_bounds> bounds);
  histogram(const histogram&) = delete;
  histogram& operator=(const histogram&) = delete;

  /// Counts `v` into the first bucket whose bound is >= v (+Inf for NaN).
  void observe(double v) noexcept;

  const bucket_bounds& bounds() const noexcept { return *bounds_; }

  /// Cumulative counts, one per bound plus the last one for +Inf.
  std::vector<uint64_t> cumulative_counts() const;

  double sum() const noexcept { return sum_.load(std::memory_order_relaxed); }
  uint64_t count() const;

private:
  std::shared_ptr<const bucket_bounds> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

} // namespace sb::metrics
