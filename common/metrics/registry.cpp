#include "common/metrics/registry.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <set>

namespace sb::metrics {

std::string to_string(metric_type t) {
  switch (t) {
  case metric_type::counter:
    return "counter";
  case metric_type::gauge:
    return "gauge";
  case metric_type::histogram:
    return "histogram";
  }
  return "untyped";
}

family_base::family_base(std::string name, std::string help,
                         std::vector<std::string> label_names, metric_type type,
                         std::shared_ptr<const bucket_bounds> bounds)
    : name_(std::move(name))
    , help_(std::move(help))
    , label_names_(std::move(label_names))
    , type_(type)
    , bounds_(std::move(bounds)) {}

std::string family_base::label_text(const label_values& values) const {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0)
      out += ',';
    out += label_names_[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  return out;
}

void family_base::append_header(std::string& out) const {
  out += "# HELP " + name_ + ' ' + escape_help(help_) + '\n';
  out += "# TYPE " + name_ + ' ' + to_string(type_) + '\n';
}

void family_base::label_count_mismatch(size_t got) const {
  std::fprintf(stderr, "metric %s: %zu label values for %zu label names\n",
               name_.c_str(), got, label_names_.size());
  std::abort();
}

namespace {

status check_names(const std::string& name,
                   const std::vector<std::string>& labels) {
  if (!valid_metric_name(name))
    return error{"invalid metric name '" + name + "'"};
  std::set<std::string_view> seen;
  for (const auto& l : labels) {
    if (!valid_label_name(l))
      return error{"metric " + name + ": invalid label name '" + l + "'"};
    if (!seen.insert(l).second)
      return error{"metric " + name + ": duplicate label name '" + l + "'"};
  }
  return {};
}

} // namespace

result<family_base*>
registry::add_family(std::unique_ptr<family_base> candidate) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = families_.find(candidate->name());
  if (it == families_.end()) {
    auto* raw = candidate.get();
    families_.emplace(raw->name(), std::move(candidate));
    return raw;
  }
  const auto& existing = *it->second;
  if (existing.type() != candidate->type())
    return error{"metric " + existing.name() + " is already registered as a " +
                 to_string(existing.type())};
  if (existing.label_names() != candidate->label_names())
    return error{"metric " + existing.name() +
                 " is already registered with other label names"};
  if (existing.bounds() && *existing.bounds() != *candidate->bounds())
    return error{"metric " + existing.name() +
                 " is already registered with other buckets"};
  return it->second.get();
}

result<counter_family*> registry::add_counter(std::string name,
                                              std::string help,
                                              std::vector<std::string> labels) {
  if (auto st = check_names(name, labels); !st)
    return st.err();
  auto r = add_family(std::make_unique<counter_family>(
      std::move(name), std::move(help), std::move(labels),
      metric_type::counter));
  if (!r)
    return r.err();
  return static_cast<counter_family*>(*r);
}

result<gauge_family*> registry::add_gauge(std::string name, std::string help,
                                          std::vector<std::string> labels) {
  if (auto st = check_names(name, labels); !st)
    return st.err();
  auto r = add_family(std::make_unique<gauge_family>(
      std::move(name), std::move(help), std::move(labels), metric_type::gauge));
  if (!r)
    return r.err();
  return static_cast<gauge_family*>(*r);
}

result<histogram_family*>
registry::add_histogram(std::string name, std::string help,
                        std::vector<double> buckets,
                        std::vector<std::string> labels) {
  if (auto st = check_names(name, labels); !st)
    return st.err();
  if (std::find(labels.begin(), labels.end(), "le") != labels.end())
    return error{"histogram " + name + ": label name 'le' is reserved"};
  auto bounds = make_bucket_bounds(std::move(buckets));
  if (!bounds)
    return error{"histogram " + name + ": " + bounds.err().message};
  auto shared =
      std::make_shared<const bucket_bounds>(std::move(bounds).value());
  auto r = add_family(std::make_unique<histogram_family>(
      std::move(name), std::move(help), std::move(labels),
      metric_type::histogram, std::move(shared)));
  if (!r)
    return r.err();
  return static_cast<histogram_family*>(*r);
}

std::string registry::render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [name, fam] : families_)
    fam->render(out);
  return out;
}

size_t registry::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return families_.size();
}

registry& default_registry() {
  // Never destroyed: metrics may be touched from threads and static
  // destructors that outlive main().
  static auto* instance = new registry();
  return *instance;
}

} // namespace sb::metrics
