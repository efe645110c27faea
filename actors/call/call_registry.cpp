#include "actors/call/call_registry.hpp"

#include <algorithm>

namespace sb::actors::call {

void call_registry::add_dialog(const std::string& call_id, caf::actor a) {
  std::lock_guard lock{mu_};
  dialogs_[call_id] = std::move(a);
}

void call_registry::remove_dialog(const std::string& call_id) {
  std::lock_guard lock{mu_};
  dialogs_.erase(call_id);
}

std::optional<caf::actor>
call_registry::by_call_id(const std::string& call_id) const {
  std::lock_guard lock{mu_};
  auto it = dialogs_.find(call_id);
  if (it == dialogs_.end())
    return std::nullopt;
  return it->second;
}

std::vector<caf::actor> call_registry::calls() const {
  std::lock_guard lock{mu_};
  std::vector<caf::actor> out;
  for (const auto& [id, a] : dialogs_)
    if (std::find(out.begin(), out.end(), a) == out.end())
      out.push_back(a);
  return out;
}

void call_registry::add_request(uint64_t id, caf::actor a) {
  std::lock_guard lock{mu_};
  requests_[id] = std::move(a);
}

void call_registry::remove_request(uint64_t id) {
  std::lock_guard lock{mu_};
  requests_.erase(id);
}

std::optional<caf::actor> call_registry::by_request(uint64_t id) const {
  std::lock_guard lock{mu_};
  auto it = requests_.find(id);
  if (it == requests_.end())
    return std::nullopt;
  return it->second;
}

bool call_registry::admit(uint64_t subscriber_id, bool out, int64_t max_total,
                          int64_t max_out) {
  std::lock_guard lock{mu_};
  auto& c = active_[subscriber_id];
  bool full = (max_total > 0 && c.in + c.out >= max_total) ||
              (out && max_out > 0 && c.out >= max_out);
  if (full) {
    if (c.in == 0 && c.out == 0)
      active_.erase(subscriber_id);
    return false;
  }
  ++(out ? c.out : c.in);
  return true;
}

void call_registry::release(uint64_t subscriber_id, bool out) {
  std::lock_guard lock{mu_};
  auto it = active_.find(subscriber_id);
  if (it == active_.end())
    return;
  auto& n = out ? it->second.out : it->second.in;
  if (n > 0)
    --n;
  if (it->second.in == 0 && it->second.out == 0)
    active_.erase(it);
}

int64_t call_registry::active(uint64_t subscriber_id,
                              std::optional<bool> out) const {
  std::lock_guard lock{mu_};
  auto it = active_.find(subscriber_id);
  if (it == active_.end())
    return 0;
  if (!out)
    return it->second.in + it->second.out;
  return *out ? it->second.out : it->second.in;
}

} // namespace sb::actors::call
