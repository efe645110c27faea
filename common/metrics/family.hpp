#pragma once

#include "common/metrics/counter.hpp"
#include "common/metrics/fwd.hpp"
#include "common/metrics/gauge.hpp"
#include "common/metrics/histogram.hpp"
#include "common/metrics/text_format.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <vector>

namespace sb::metrics {

enum class metric_type : uint8_t { counter = 1, gauge, histogram };

/// The `# TYPE` word: "counter", "gauge", "histogram".
std::string to_string(metric_type t);

/// What all families share: identity and rendering. Owned by a registry;
/// lives as long as it.
class family_base {
public:
  virtual ~family_base() = default;
  family_base(const family_base&) = delete;
  family_base& operator=(const family_base&) = delete;

  const std::string& name() const noexcept { return name_; }
  const std::string& help() const noexcept { return help_; }
  const std::vector<std::string>& label_names() const noexcept {
    return label_names_;
  }
  metric_type type() const noexcept { return type_; }

  /// Bucket bounds for histograms, null for other types.
  const std::shared_ptr<const bucket_bounds>& bounds() const noexcept {
    return bounds_;
  }

  /// Appends `# HELP`, `# TYPE` and one block of samples per child, children
  /// ordered by label values. Appends nothing for a family without children.
  virtual void render(std::string& out) const = 0;

protected:
  family_base(std::string name, std::string help,
              std::vector<std::string> label_names, metric_type type,
              std::shared_ptr<const bucket_bounds> bounds);

  /// `a="x",b="y"` for `values`, escaped.
  std::string label_text(const label_values& values) const;

  /// Header lines for `render`.
  void append_header(std::string& out) const;

  /// A caller passed the wrong number of label values: a programming error,
  /// so crash with the family name rather than publish a broken series.
  [[noreturn]] void label_count_mismatch(size_t got) const;

private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  metric_type type_;
  std::shared_ptr<const bucket_bounds> bounds_;
};

/// Metrics of one name, one child per combination of label values.
/// Thread-safe. `with` may lock (it is meant to be called once, at setup);
/// the returned reference stays valid for the registry's lifetime, and
/// updating it is lock-free.
template <class Metric>
class family final : public family_base {
public:
  family(std::string name, std::string help,
         std::vector<std::string> label_names, metric_type type,
         std::shared_ptr<const bucket_bounds> bounds = nullptr)
      : family_base(std::move(name), std::move(help), std::move(label_names),
                    type, std::move(bounds)) {
    // An unlabelled metric exists from the start, so it renders as 0
    // before its first update.
    if (label_names_size() == 0)
      with({});
  }

  /// The child for `values` (one per label name, in order), created on
  /// first use. Aborts if the number of values is wrong.
  Metric& with(const label_values& values) {
    if (values.size() != label_names_size())
      label_count_mismatch(values.size());
    std::lock_guard<std::mutex> lock(mu_);
    auto& slot = children_[values];
    if (!slot)
      slot = make_child();
    return *slot;
  }

  void render(std::string& out) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (children_.empty())
      return;
    append_header(out);
    for (const auto& [values, child] : children_)
      detail::append_samples(out, name(), label_text(values), *child);
  }

private:
  size_t label_names_size() const noexcept { return label_names().size(); }

  std::unique_ptr<Metric> make_child() const {
    if constexpr (std::is_same_v<Metric, histogram>)
      return std::make_unique<histogram>(bounds());
    else
      return std::make_unique<Metric>();
  }

  mutable std::mutex mu_;
  // A map keeps children sorted for deterministic output; unique_ptr keeps
  // their addresses stable.
  std::map<label_values, std::unique_ptr<Metric>> children_;
};

} // namespace sb::metrics
