#include "cluster/cluster_view.hpp"

namespace sb::cluster {

void cluster_view::publish(cluster_snapshot s) {
  std::lock_guard lock{mu_};
  snap_ = std::move(s);
}

cluster_snapshot cluster_view::get() const {
  std::lock_guard lock{mu_};
  return snap_;
}

std::optional<std::string> cluster_view::owner_of(std::string_view key,
                                                  std::string_view role) const {
  std::lock_guard lock{mu_};
  return cluster::owner_of(key, snap_.live, role);
}

caf::actor cluster_view::service(const std::string& node,
                                 const std::string& name) const {
  std::lock_guard lock{mu_};
  auto it = snap_.services.find({node, name});
  return it == snap_.services.end() ? caf::actor{} : it->second;
}

std::string cluster_view::self() const {
  std::lock_guard lock{mu_};
  return snap_.self;
}

uint64_t cluster_view::epoch() const {
  std::lock_guard lock{mu_};
  return snap_.epoch;
}

void cluster_view::set_lease_valid_until(steady_time t) {
  std::lock_guard lock{mu_};
  lease_until_ = t;
}

bool cluster_view::lease_valid(steady_time now) const {
  std::lock_guard lock{mu_};
  return now < lease_until_;
}

} // namespace sb::cluster
