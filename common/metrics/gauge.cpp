#include "common/metrics/gauge.hpp"

namespace sb::metrics {

void gauge::set_callback(std::function<double()> fn) {
  std::lock_guard<std::mutex> lock(callback_mu_);
  callback_ = std::move(fn);
  has_callback_.store(static_cast<bool>(callback_), std::memory_order_release);
}

void gauge::clear_callback() {
  std::lock_guard<std::mutex> lock(callback_mu_);
  callback_ = nullptr;
  has_callback_.store(false, std::memory_order_release);
}

double gauge::value() const {
  if (has_callback_.load(std::memory_order_acquire)) {
    std::lock_guard<std::mutex> lock(callback_mu_);
    if (callback_)
      return callback_();
  }
  return value_.load(std::memory_order_relaxed);
}

} // namespace sb::metrics
