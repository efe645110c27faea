#include "cluster/member_actor.hpp"

#include "common/net/tcp_probe.hpp"
#include "persistence/redis/redis_client.hpp"

#include <atomic>
#include <condition_variable>
#include <thread>

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

namespace sb::cluster {

namespace {

using namespace std::chrono_literals;
using std::chrono::milliseconds;

// (from, incarnation, epoch, actors, draining)
using hb_atom = caf::atom_constant<caf::atom("cl_hb")>;
// From a connector thread: (peer name, its member actor).
using connected_atom = caf::atom_constant<caf::atom("cl_conn")>;
// Asked by peers: (name) -> caf::actor.
using service_atom = caf::atom_constant<caf::atom("cl_svc")>;
using tick_atom = caf::atom_constant<caf::atom("cl_tick")>;
// A peer's lease as read from Redis: (name, pttl ms, sent at ns).
using lease_atom = caf::atom_constant<caf::atom("cl_lease")>;
// Our lease renewed: (sent at ns).
using renewed_atom = caf::atom_constant<caf::atom("cl_renew")>;
// The cluster epoch from Redis: (value).
using epoch_atom = caf::atom_constant<caf::atom("cl_epoch")>;
// This node leaves placement (sbctl node drain).
using drain_atom = caf::atom_constant<caf::atom("cl_drain")>;

int64_t to_ns(steady_time t) {
  return t.time_since_epoch().count();
}
steady_time from_ns(int64_t ns) {
  return steady_time{steady_time::duration{ns}};
}

struct peer_link {
  caf::actor member;
  uint64_t incarnation = 0;
  uint64_t epoch = 0;
  uint64_t actors = 0;
  std::map<std::string, caf::actor> services;
};

struct member_state {
  member_options opts;
  std::shared_ptr<cluster_view> view;
  persistence::redis_client* redis = nullptr;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> connected;
  membership_view mv;
  uint64_t incarnation = 0;
  uint64_t epoch = 0;
  std::optional<steady_time> renewed;
  uint64_t fenced_count = 0;
  std::map<std::string, peer_link> links;
  std::map<std::string, int64_t> lease_ms;
  static inline const char* name = "cluster_member";
};

using member_actor = caf::stateful_actor<member_state>;

std::string lease_key(const member_options& o, const std::string& node) {
  return o.key_prefix + "cluster:lease:" + node;
}

void publish(member_actor* self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  cluster_snapshot snap;
  snap.self = st.opts.self;
  snap.epoch = st.epoch;
  snap.fenced_count = st.fenced_count;
  member_status me;
  me.name = st.opts.self;
  me.roles = st.opts.self_roles;
  me.state = peer_state::alive;
  me.self = true;
  me.connected = true;
  me.incarnation = st.incarnation;
  me.epoch = st.epoch;
  me.actors = st.opts.actor_count ? st.opts.actor_count() : 0;
  me.heartbeat_age_ms = 0;
  me.draining = st.mv.self_draining;
  me.lease_ms = st.renewed ? std::chrono::duration_cast<milliseconds>(
                                 *st.renewed + st.opts.lease_ttl - now)
                                 .count()
                           : -1;
  snap.members.push_back(me);
  for (const auto& peer : st.opts.peers) {
    const auto& info = st.mv.peers.at(peer.name);
    member_status m;
    m.name = peer.name;
    m.roles = peer.roles;
    m.state = info.state;
    m.draining = info.draining;
    if (auto it = st.links.find(peer.name); it != st.links.end()) {
      m.connected = true;
      m.incarnation = it->second.incarnation;
      m.epoch = it->second.epoch;
      m.actors = it->second.actors;
      for (const auto& [name, a] : it->second.services)
        snap.services[{peer.name, name}] = a;
    }
    if (info.last_heartbeat)
      m.heartbeat_age_ms =
          std::chrono::duration_cast<milliseconds>(now - *info.last_heartbeat)
              .count();
    if (auto it = st.lease_ms.find(peer.name); it != st.lease_ms.end())
      m.lease_ms = it->second;
    snap.members.push_back(std::move(m));
  }
  for (const auto& name : live_members(st.mv)) {
    if (name == st.opts.self) {
      snap.live.push_back({name, st.opts.self_roles});
      continue;
    }
    for (const auto& peer : st.opts.peers)
      if (peer.name == name)
        snap.live.push_back({name, peer.roles});
  }
  st.view->publish(std::move(snap));
}

void bump_epoch(member_actor* self) {
  auto& st = self->state;
  auto me = caf::actor_cast<caf::actor>(self);
  st.redis->command(
      {"INCR", st.opts.key_prefix + "cluster:epoch"}, st.opts.redis_timeout,
      [me](result<persistence::redis_reply> r) {
        if (r && r->type == persistence::redis_reply::kind::integer)
          caf::anon_send(me, epoch_atom::value,
                         static_cast<uint64_t>(r->integer));
      });
}

void changed(member_actor* self, const membership_change& c,
             std::string_view why = "dead") {
  auto& st = self->state;
  for (const auto& n : c.joined)
    spdlog::info("cluster: {} joined", n);
  for (const auto& n : c.left)
    spdlog::warn("cluster: {} left ({})", n, why);
  publish(self);
  bump_epoch(self);
  if (st.opts.on_change)
    st.opts.on_change(c);
}

void renew_and_read_leases(member_actor* self, steady_time now) {
  auto& st = self->state;
  auto me = caf::actor_cast<caf::actor>(self);
  auto sent = to_ns(now);
  st.redis->command(
      {"SET", lease_key(st.opts, st.opts.self), std::to_string(st.incarnation),
       "PX", std::to_string(st.opts.lease_ttl.count())},
      st.opts.redis_timeout, [me, sent](result<persistence::redis_reply> r) {
        if (r && !r->is_error())
          caf::anon_send(me, renewed_atom::value, sent);
      });
  for (const auto& peer : st.opts.peers)
    st.redis->command(
        {"PTTL", lease_key(st.opts, peer.name)}, st.opts.redis_timeout,
        [me, sent, name = peer.name](result<persistence::redis_reply> r) {
          if (r && r->type == persistence::redis_reply::kind::integer)
            caf::anon_send(me, lease_atom::value, name, r->integer, sent);
        });
}

void fence(member_actor* self, steady_time now) {
  auto& st = self->state;
  ++st.fenced_count;
  ++st.incarnation;
  st.renewed.reset();
  st.view->set_lease_valid_until(steady_time{});
  restart_grace(st.mv, now);
  spdlog::warn("cluster: this node's lease lapsed (frozen or cut off from "
               "Redis): fenced, dropping every key it owned");
  if (st.opts.on_fenced)
    st.opts.on_fenced();
  bump_epoch(self);
}

void tick(member_actor* self) {
  auto& st = self->state;
  auto now = std::chrono::steady_clock::now();
  if (lease_lapsed(st.renewed, now, st.opts.lease_ttl))
    fence(self, now);
  uint64_t actors = st.opts.actor_count ? st.opts.actor_count() : 0;
  for (const auto& [name, link] : st.links)
    self->send(link.member, hb_atom::value, st.opts.self, st.incarnation,
               st.epoch, actors, st.mv.self_draining);
  if (auto c = on_tick(st.mv, now, st.opts.detector))
    changed(self, *c);
  renew_and_read_leases(self, now);
  publish(self);
  self->delayed_send(self, st.opts.heartbeat_interval, tick_atom::value);
}

void drop_link(member_actor* self, std::string name) {
  auto& st = self->state;
  st.links.erase(name);
  if (auto it = st.connected.find(name); it != st.connected.end())
    it->second->store(false);
}

caf::behavior member_fun(
    member_actor* self, member_options opts, std::shared_ptr<cluster_view> view,
    persistence::redis_client* redis,
    std::map<std::string, std::shared_ptr<std::atomic<bool>>> connected) {
  auto& st = self->state;
  st.opts = std::move(opts);
  st.view = std::move(view);
  st.redis = redis;
  st.connected = std::move(connected);
  std::vector<std::string> names;
  for (const auto& p : st.opts.peers)
    names.push_back(p.name);
  st.mv = make_view(st.opts.self, names);
  st.incarnation = static_cast<uint64_t>(
      std::chrono::system_clock::now().time_since_epoch().count());
  self->set_down_handler([self](caf::down_msg& dm) {
    for (auto& [name, link] : self->state.links)
      if (link.member.address() == dm.source) {
        spdlog::info("cluster: connection to {} lost", name);
        // A copy: drop_link erases the entry `name` refers to.
        drop_link(self, std::string{name});
        publish(self);
        return;
      }
  });
  bump_epoch(self);
  publish(self);
  self->send(self, tick_atom::value);
  return {
      [self](tick_atom) { tick(self); },
      [self](hb_atom, const std::string& from, uint64_t incarnation,
             uint64_t epoch, uint64_t actors, bool draining) {
        auto& st = self->state;
        auto it = st.links.find(from);
        if (it != st.links.end()) {
          it->second.incarnation = incarnation;
          it->second.epoch = epoch;
          it->second.actors = actors;
        }
        if (auto c = on_draining(st.mv, from, draining))
          changed(self, *c, "draining");
        if (epoch > st.epoch)
          st.epoch = epoch;
        if (auto c =
                on_heartbeat(st.mv, from, std::chrono::steady_clock::now()))
          changed(self, *c);
      },
      [self](connected_atom, const std::string& name, caf::actor peer) {
        auto& st = self->state;
        self->monitor(peer);
        auto& link = st.links[name];
        link.member = peer;
        link.services.clear();
        spdlog::info("cluster: connected to {}", name);
        for (const auto& svc : st.opts.peer_services)
          self->request(peer, std::chrono::seconds{2}, service_atom::value, svc)
              .then(
                  [self, name, svc, peer](caf::actor a) {
                    auto it = self->state.links.find(name);
                    if (it == self->state.links.end() ||
                        it->second.member != peer || !a)
                      return;
                    it->second.services[svc] = a;
                    publish(self);
                  },
                  [name, svc](caf::error& e) {
                    spdlog::warn("cluster: service {} of {}: {}", svc, name,
                                 caf::to_string(e));
                  });
        publish(self);
      },
      [self](service_atom, const std::string& name) -> caf::actor {
        auto it = self->state.opts.services.find(name);
        return it == self->state.opts.services.end() ? caf::actor{}
                                                     : it->second;
      },
      [self](renewed_atom, int64_t sent_ns) {
        auto& st = self->state;
        auto sent = from_ns(sent_ns);
        if (st.renewed && sent <= *st.renewed)
          return;
        // A renewal that succeeds after a gap longer than the TTL: the
        // lease was gone in between and the keys may have moved.
        if (lease_lapsed(st.renewed, sent, st.opts.lease_ttl))
          fence(self, std::chrono::steady_clock::now());
        bool was_fenced = !st.renewed && st.fenced_count > 0;
        st.renewed = sent;
        st.view->set_lease_valid_until(sent + st.opts.lease_ttl);
        if (was_fenced && st.opts.on_rejoined)
          st.opts.on_rejoined();
      },
      [self](lease_atom, const std::string& name, int64_t pttl,
             int64_t sent_ns) {
        auto& st = self->state;
        auto sent = from_ns(sent_ns);
        st.lease_ms[name] = pttl > 0 ? pttl : -1;
        on_lease(st.mv, name, pttl > 0 ? sent + milliseconds(pttl) : sent);
      },
      [self](drain_atom) {
        auto& st = self->state;
        if (auto c = drain_self(st.mv)) {
          spdlog::info("cluster: draining: this node hands its keys over");
          changed(self, *c, "draining");
        }
      },
      [self](epoch_atom, uint64_t e) {
        auto& st = self->state;
        if (e > st.epoch) {
          st.epoch = e;
          st.mv.epoch = e;
          publish(self);
        }
      },
  };
}

} // namespace

struct membership::connector {
  std::string name;
  std::string host;
  uint16_t port = 0;
  std::shared_ptr<std::atomic<bool>> connected =
      std::make_shared<std::atomic<bool>>(false);
  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;
  std::thread thread;

  void run(caf::actor_system& sys, caf::actor member) {
    std::unique_lock lock{mu};
    while (!stopping) {
      // remote_actor blocks for minutes on a host that is gone (its SYNs
      // unanswered), and stop() joins this thread: probe first.
      if (!connected->load() &&
          net::tcp_reachable(host, port, std::chrono::milliseconds(500))) {
        lock.unlock();
        auto peer = sys.middleman().remote_actor(host, port);
        lock.lock();
        if (stopping)
          break;
        if (peer) {
          connected->store(true);
          caf::anon_send(member, connected_atom::value, name, *peer);
        }
      }
      cv.wait_for(lock, 300ms, [this] { return stopping; });
    }
  }
};

result<std::unique_ptr<membership>>
membership::start(caf::actor_system& sys, persistence::redis_client& redis,
                  member_options opts, std::shared_ptr<cluster_view> view) {
  std::unique_ptr<membership> m{new membership()};
  m->sys_ = &sys;
  m->view_ = view;
  std::map<std::string, std::shared_ptr<std::atomic<bool>>> flags;
  for (const auto& p : opts.peers) {
    auto c = std::make_unique<connector>();
    c->name = p.name;
    c->host = p.host;
    c->port = p.port;
    flags[p.name] = c->connected;
    m->connectors_.push_back(std::move(c));
  }
  auto host = opts.listen_host;
  auto port = opts.listen_port;
  m->actor_ = sys.spawn(member_fun, std::move(opts), view, &redis, flags);
  auto bound = sys.middleman().publish(m->actor_, port, host.c_str(), true);
  if (!bound) {
    caf::anon_send_exit(m->actor_, caf::exit_reason::user_shutdown);
    return error{"cluster: cannot listen on " + host + ":" +
                 std::to_string(port) + ": " + caf::to_string(bound.error())};
  }
  m->port_ = *bound;
  for (auto& c : m->connectors_)
    c->thread =
        std::thread([c = c.get(), &sys, a = m->actor_] { c->run(sys, a); });
  return m;
}

void membership::drain() {
  if (actor_)
    caf::anon_send(actor_, drain_atom::value);
}

membership::~membership() {
  stop();
}

void membership::stop() {
  for (auto& c : connectors_) {
    {
      std::lock_guard lock{c->mu};
      c->stopping = true;
    }
    c->cv.notify_all();
  }
  for (auto& c : connectors_)
    if (c->thread.joinable())
      c->thread.join();
  connectors_.clear();
  if (actor_) {
    sys_->middleman().unpublish(actor_, port_);
    caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
    actor_ = nullptr;
  }
}

} // namespace sb::cluster
