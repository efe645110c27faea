#include "common/metrics/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sb::metrics {

result<bucket_bounds> make_bucket_bounds(std::vector<double> bounds) {
  if (!bounds.empty() &&
      bounds.back() == std::numeric_limits<double>::infinity())
    bounds.pop_back();
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]))
      return error{"histogram bucket bounds must be finite"};
    if (i > 0 && !(bounds[i - 1] < bounds[i]))
      return error{"histogram bucket bounds must strictly increase"};
  }
  return bounds;
}

bucket_bounds default_latency_buckets() {
  return {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

histogram::histogram(std::shared_ptr<const bucket_bounds> bounds)
    : bounds_(std::move(bounds))
    , buckets_(new std::atomic<uint64_t>[bounds_->size() + 1]) {
  for (size_t i = 0; i <= bounds_->size(); ++i)
    buckets_[i].store(0, std::memory_order_relaxed);
}

void histogram::observe(double v) noexcept {
  const auto& b = *bounds_;
  // NaN compares false everywhere, so it lands in +Inf like in client_golang.
  auto idx = std::isnan(v)
                 ? b.size()
                 : static_cast<size_t>(std::lower_bound(b.begin(), b.end(), v) -
                                       b.begin());
  buckets_[idx].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> histogram::cumulative_counts() const {
  std::vector<uint64_t> out(bounds_->size() + 1);
  uint64_t acc = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    acc += buckets_[i].load(std::memory_order_relaxed);
    out[i] = acc;
  }
  return out;
}

uint64_t histogram::count() const {
  return cumulative_counts().back();
}

} // namespace sb::metrics
