#include "cluster/failure_detector.hpp"

#include <algorithm>

namespace sb::cluster {

std::string_view to_string(peer_state s) {
  switch (s) {
  case peer_state::alive:
    return "alive";
  case peer_state::suspect:
    return "suspect";
  case peer_state::dead:
    return "dead";
  }
  return "unknown";
}

membership_view make_view(std::string self,
                          const std::vector<std::string>& peers) {
  membership_view v;
  v.self = std::move(self);
  for (const auto& p : peers)
    if (p != v.self)
      v.peers.emplace(p, peer_info{});
  return v;
}

std::optional<membership_change>
on_heartbeat(membership_view& v, const std::string& peer, steady_time now) {
  auto it = v.peers.find(peer);
  if (it == v.peers.end())
    return std::nullopt;
  auto& p = it->second;
  p.last_heartbeat = now;
  auto was = p.state;
  p.state = peer_state::alive;
  if (was != peer_state::dead)
    return std::nullopt;
  return membership_change{++v.epoch, {peer}, {}};
}

void on_lease(membership_view& v, const std::string& peer, steady_time until) {
  if (auto it = v.peers.find(peer); it != v.peers.end())
    it->second.lease_until = until;
}

std::optional<membership_change> on_tick(membership_view& v, steady_time now,
                                         const detector_settings& s) {
  membership_change change;
  for (auto& [name, p] : v.peers) {
    if (p.state == peer_state::dead || !p.last_heartbeat)
      continue;
    auto silent = now - *p.last_heartbeat;
    bool lease_valid = p.lease_until && *p.lease_until > now;
    if (silent >= s.dead_after && !lease_valid) {
      p.state = peer_state::dead;
      change.left.push_back(name);
    } else if (silent >= s.suspect_after) {
      p.state = peer_state::suspect;
    }
  }
  if (change.left.empty())
    return std::nullopt;
  change.epoch = ++v.epoch;
  return change;
}

bool lease_lapsed(std::optional<steady_time> renewed, steady_time now,
                  std::chrono::milliseconds ttl) {
  return renewed && now - *renewed > ttl;
}

void restart_grace(membership_view& v, steady_time now) {
  for (auto& [name, p] : v.peers)
    if (p.last_heartbeat)
      p.last_heartbeat = now;
}

std::optional<membership_change>
on_draining(membership_view& v, const std::string& peer, bool draining) {
  auto it = v.peers.find(peer);
  if (it == v.peers.end() || it->second.draining == draining)
    return std::nullopt;
  it->second.draining = draining;
  if (draining)
    return membership_change{++v.epoch, {}, {peer}};
  return membership_change{++v.epoch, {peer}, {}};
}

std::optional<membership_change> drain_self(membership_view& v) {
  if (v.self_draining)
    return std::nullopt;
  v.self_draining = true;
  return membership_change{++v.epoch, {}, {v.self}};
}

std::vector<std::string> live_members(const membership_view& v) {
  std::vector<std::string> out;
  if (!v.self_draining)
    out.push_back(v.self);
  for (const auto& [name, p] : v.peers)
    if (p.state != peer_state::dead && !p.draining)
      out.push_back(name);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace sb::cluster
