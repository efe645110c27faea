#pragma once

#include "common/metrics/family.hpp"
#include "common/metrics/fwd.hpp"
#include "common/result.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sb::metrics {

/// A set of metric families rendered together as one Prometheus text page.
/// Thread-safe. Families live as long as the registry; references to them
/// and to their children stay valid until it is destroyed.
///
/// Registering a name again with the same type, label names (and buckets)
/// returns the existing family, so two components may share a metric;
/// anything else under a taken name is an error.
class registry {
public:
  registry() = default;
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  /// A counter family. Names follow `sb_<subsystem>_<quantity>_total`.
  result<counter_family*> add_counter(std::string name, std::string help,
                                      std::vector<std::string> labels = {});

  /// A gauge family.
  result<gauge_family*> add_gauge(std::string name, std::string help,
                                  std::vector<std::string> labels = {});

  /// A histogram family with fixed `buckets` (see make_bucket_bounds). The
  /// label name `le` is reserved.
  result<histogram_family*> add_histogram(std::string name, std::string help,
                                          std::vector<double> buckets,
                                          std::vector<std::string> labels = {});

  /// The whole registry in text exposition format 0.0.4, families ordered
  /// by name. Evaluates gauge callbacks on the calling thread.
  std::string render() const;

  /// Number of families.
  size_t size() const;

private:
  result<family_base*> add_family(std::unique_ptr<family_base> candidate);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<family_base>, std::less<>> families_;
};

/// The process-wide registry served on /metrics. Tests that need exact
/// output create their own `registry` instead.
registry& default_registry();

/// The media type of `registry::render()` output, for Content-Type.
inline constexpr const char* text_content_type =
    "text/plain; version=0.0.4; charset=utf-8";

} // namespace sb::metrics
