#include "apps/sbnode/cluster_service.hpp"

#include <spdlog/spdlog.h>

namespace sb::apps {

using std::chrono::milliseconds;

cluster_service::cluster_service(const config::loaded_config& cfg)
    : cfg_(cfg)
    , view_(std::make_shared<cluster::cluster_view>()) {
  cluster::cluster_snapshot first;
  first.self = cfg.node;
  first.live.push_back({cfg.node, cfg.host().roles});
  view_->publish(std::move(first));
  persistence::redis_options ro;
  ro.connect_timeout = milliseconds(cfg.values.redis.connect_timeout_ms);
  redis_ = std::make_unique<persistence::redis_thread>(
      cfg.values.redis.host, static_cast<uint16_t>(cfg.values.redis.port), ro);
}

cluster_service::~cluster_service() {
  stop();
}

status cluster_service::start(caf::actor_system& sys,
                              std::map<std::string, caf::actor> services,
                              std::vector<std::string> peer_services,
                              std::function<uint64_t()> actor_count,
                              std::function<void()> on_change,
                              std::function<void()> on_fenced,
                              std::function<void()> on_rejoined) {
  const auto& s = cfg_.values;
  cluster::member_options o;
  o.self = cfg_.node;
  o.self_roles = cfg_.host().roles;
  const auto* ha = cfg_.host().interface_of_type("ha_int");
  if (!ha)
    return error{"network.yml: host " + cfg_.node +
                 " has no ha_int interface (cluster.enable needs one)"};
  o.listen_host = ha->ip;
  o.listen_port = static_cast<uint16_t>(s.cluster.port);
  for (const auto& h : cfg_.network.hosts) {
    if (h.name == cfg_.node || h.status == "offline")
      continue;
    const auto* peer_ha = h.interface_of_type("ha_int");
    if (!peer_ha)
      return error{"network.yml: host " + h.name +
                   " has no ha_int interface (cluster.enable needs one)"};
    o.peers.push_back({h.name, peer_ha->ip, o.listen_port, h.roles});
  }
  o.heartbeat_interval = milliseconds(s.cluster.heartbeat_interval_ms);
  o.detector.suspect_after = milliseconds(s.cluster.suspect_after_ms);
  o.detector.dead_after = milliseconds(s.cluster.dead_after_ms);
  o.lease_ttl = milliseconds(s.cluster.lease_ttl_ms);
  o.redis_timeout = milliseconds(s.redis.command_timeout_ms);
  o.key_prefix = s.redis.key_prefix;
  o.services = std::move(services);
  o.peer_services = std::move(peer_services);
  o.actor_count = std::move(actor_count);
  o.on_change = [f = std::move(on_change)](const cluster::membership_change&) {
    if (f)
      f();
  };
  o.on_fenced = std::move(on_fenced);
  o.on_rejoined = std::move(on_rejoined);

  auto m =
      cluster::membership::start(sys, redis_->client(), std::move(o), view_);
  if (!m)
    return m.err();
  membership_ = std::move(*m);
  spdlog::info("cluster: member {} listening on {}:{}, {} peer(s)", cfg_.node,
               ha->ip, s.cluster.port, cfg_.network.hosts.size() - 1);
  return {};
}

void cluster_service::drain() {
  if (membership_)
    membership_->drain();
}

void cluster_service::stop() {
  if (membership_)
    membership_->stop();
  membership_.reset();
}

} // namespace sb::apps
