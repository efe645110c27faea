#include "actors/support/trace_store.hpp"

namespace sb::actors {

trace_store::trace_store(std::size_t capacity)
    : capacity_(capacity == 0 ? 1 : capacity) {}

void trace_store::start(trace_filter f) {
  std::lock_guard lock{mu_};
  filter_ = std::move(f);
}

void trace_store::stop() {
  std::lock_guard lock{mu_};
  filter_.reset();
}

std::optional<trace_filter> trace_store::filter() const {
  std::lock_guard lock{mu_};
  return filter_;
}

bool trace_store::wants(std::string_view kind, std::string_view key,
                        double u) const {
  std::lock_guard lock{mu_};
  if (!filter_ || filter_->kind != kind)
    return false;
  if (!filter_->key.empty() && filter_->key != key)
    return false;
  return u < filter_->rate;
}

uint64_t trace_store::add(std::string kind, std::string key,
                          nlohmann::json trace, int64_t at_ms) {
  std::lock_guard lock{mu_};
  stored s;
  s.e.id = ++next_id_;
  s.e.kind = std::move(kind);
  s.e.key = std::move(key);
  s.e.at_ms = at_ms;
  if (auto it = trace.find("steps"); it != trace.end() && it->is_array())
    s.e.steps = it->size();
  s.trace = std::move(trace);
  traces_.push_back(std::move(s));
  while (traces_.size() > capacity_)
    traces_.pop_front();
  return next_id_;
}

bool trace_store::update(uint64_t id, nlohmann::json trace) {
  std::lock_guard lock{mu_};
  for (auto& s : traces_)
    if (s.e.id == id) {
      if (auto it = trace.find("steps"); it != trace.end() && it->is_array())
        s.e.steps = it->size();
      s.trace = std::move(trace);
      return true;
    }
  return false;
}

std::vector<trace_store::entry> trace_store::list() const {
  std::lock_guard lock{mu_};
  std::vector<entry> out;
  for (const auto& s : traces_)
    out.push_back(s.e);
  return out;
}

std::optional<nlohmann::json> trace_store::get(uint64_t id) const {
  std::lock_guard lock{mu_};
  for (const auto& s : traces_)
    if (s.e.id == id)
      return s.trace;
  return std::nullopt;
}

} // namespace sb::actors
