#include "apps/sbnode/sip_service.hpp"

#include "actors/call/call_actor.hpp"
#include "actors/call/call_key.hpp"
#include "actors/call/call_messages.hpp"
#include "actors/media/media_snapshot.hpp"
#include "actors/subscriber/subscriber_actor.hpp"
#include "actors/subscriber/subscriber_messages.hpp"
#include "actors/support/remote_sip.hpp"
#include "apps/sbnode/cluster_service.hpp"
#include "cluster/cluster_view.hpp"
#include "cluster/fenced_kv.hpp"
#include "common/fs.hpp"
#include "common/json_fields.hpp"
#include "common/log.hpp"
#include "common/net/local_addresses.hpp"
#include "mgmt/node/control_token.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/redis/redis_client.hpp"

#include <algorithm>

#include <caf/blocking_actor.hpp>
#include <caf/send.hpp>

namespace sb::apps {

namespace stdfs = std::filesystem;
namespace sub = actors::subscriber;

namespace {

sip::edge::shield_config shield_settings(const config::settings& s) {
  sip::edge::shield_config c;
  const auto& sec = s.security;
  c.rate.enabled = sec.dos_ban_enable;
  c.rate.sampling_window = std::chrono::seconds{sec.dos_sampling_time_unit};
  c.rate.density = static_cast<uint32_t>(sec.dos_reqs_density_per_unit);
  c.rate.ban_time = std::chrono::seconds{sec.dos_ban_time};
  if (auto wl = net::ip_set::parse(sec.dos_whitelist_ip))
    c.rate.whitelist = std::move(*wl);
  c.auth.enabled = sec.failed_auth_ban_enable;
  c.auth.attempts = static_cast<uint32_t>(sec.failed_auth_attempts);
  c.auth.ban_time = std::chrono::seconds{sec.failed_auth_ban_time};
  c.block_useragents = sec.block_useragents;
  return c;
}

sub::registrar_settings registrar_settings(const config::settings& s,
                                           const std::string& secret,
                                           const std::string& from) {
  sub::registrar_settings r;
  r.registrar.min_expires = static_cast<uint32_t>(s.registrar.min_expires);
  r.registrar.max_expires = static_cast<uint32_t>(s.registrar.max_expires);
  r.registrar.default_expires =
      static_cast<uint32_t>(s.registrar.default_expires);
  r.registrar.max_contacts = static_cast<uint32_t>(s.registrar.max_contacts);
  r.nonce_secret = secret;
  r.nonce_max_age_s = s.sip.nonce_max_age_s;
  r.keepalive_interval = std::chrono::seconds{s.sip.nat_keepalive_interval_s};
  r.idle = std::chrono::seconds{s.sip.subscriber_idle_s};
  r.keepalive_from = from;
  return r;
}

actors::call::call_env_settings call_settings(const config::settings& s) {
  actors::call::call_env_settings c;
  c.ring_timeout = std::chrono::seconds{s.sip.ring_timeout_s};
  c.max_duration = std::chrono::seconds{s.sip.max_call_duration_s};
  c.rtp_timeout = std::chrono::seconds{s.rtpproxy.rtp_timeout};
  c.rtp_timeout_onhold = std::chrono::seconds{s.rtpproxy.rtp_timeout_onhold};
  c.session_timers.session_expires =
      static_cast<uint32_t>(s.sip.session_expires_s);
  c.session_timers.min_se = static_cast<uint32_t>(s.sip.min_se_s);
  return c;
}

// Records shared by the cluster (bindings, call snapshots): Redis, fenced
// by epoch.
class redis_records final : public actors::shared_records {
public:
  redis_records(cluster_service& c, const config::settings& s,
                const std::string& kind)
      : kv_(c.redis(), s.redis.key_prefix + kind + ":",
            std::chrono::milliseconds(s.redis.command_timeout_ms),
            [view = c.view()] { return view->epoch(); }) {}
  result<std::optional<std::string>> get(const std::string& key) override {
    return kv_.get(key);
  }
  status put(const std::string& key,
             const std::optional<std::string>& j) override {
    return kv_.put(key, j);
  }
  status each(const std::function<void(const std::string&)>& fn) override {
    return kv_.each_key(fn);
  }

private:
  cluster::fenced_kv kv_;
};

// The placement key of an AoR's subscriber actor.
std::string subscriber_key(const std::string& aor) {
  return "subscriber:" + aor;
}

// The methods the edge hands over: REGISTER to the subscriber directory,
// the rest to calls (ACK and CANCEL arrive as notifications).
const std::vector<std::string> routed_methods{
    "REGISTER", "INVITE", "ACK", "BYE", "CANCEL", "UPDATE", "PRACK", "INFO"};

// sofia's TLS transport reads <dir>/agent.pem (key and certificate chain).
result<std::string> tls_dir(const config::loaded_config& cfg,
                            const config::settings& s,
                            const stdfs::path& data_dir) {
  if (s.sip.tls_cert.empty())
    return std::string{};
  auto cert = fs::read_file(config::resolve(cfg, s.sip.tls_cert));
  if (!cert)
    return error{"sip.tls_cert: " + cert.err().message};
  auto key = fs::read_file(config::resolve(
      cfg, s.sip.tls_key.empty() ? s.sip.tls_cert : s.sip.tls_key));
  if (!key)
    return error{"sip.tls_key: " + key.err().message};
  auto dir = data_dir / "tls" / "sip";
  std::error_code ec;
  stdfs::create_directories(dir, ec);
  if (auto st =
          fs::write_file_durably(dir / "agent.pem", *key + "\n" + *cert, 0600);
      !st)
    return st.err();
  return dir.string();
}

} // namespace

namespace {

// Restores the calls whose snapshots name `node` (a dead or drained peer,
// or this node back from a fence). Its own thread: reading the snapshots blocks
// on Redis, which the membership thread that reported the change must not.
// Every path that restores calls (a restart, a dead or drained peer, a
// fence lifted) reports the same way.
void restore_and_report(caf::actor_system& sys,
                        std::shared_ptr<actors::call::call_env> env,
                        const std::string& node,
                        const actors::call::restore_filter& wanted = {}) {
  auto n = actors::call::restore_calls(sys, std::move(env), node, wanted);
  if (!n)
    spdlog::error("calls of {} not restored: {}", node, n.err().message);
  else
    spdlog::info("calls: {} restored from the snapshots of {}", *n, node);
}

// The calls of `peer` whose edge and media were its own: they move with
// its address to its HA peer (this node).
bool own_edge(const std::string& peer, const std::string& edge) {
  return edge.empty() || edge == peer;
}

void take_over_calls(caf::blocking_actor* self,
                     std::shared_ptr<actors::call::call_env> env,
                     std::string peer) {
  restore_and_report(self->system(), std::move(env), peer,
                     [peer](const std::string&, const std::string& edge) {
                       return own_edge(peer, edge);
                     });
}

// A dead node's calls placed there from an lb that lives on: each goes on
// at the new owner of its key, through the same lb.
void adopt_placed_calls(caf::blocking_actor* self,
                        std::shared_ptr<actors::call::call_env> env,
                        std::shared_ptr<cluster::cluster_view> view,
                        std::string dead) {
  restore_and_report(
      self->system(), std::move(env), dead,
      [view, dead](const std::string& id, const std::string& edge) {
        if (own_edge(dead, edge))
          return false;
        auto owner = view->owner_of(actors::call::call_home_key(id), "proxy");
        return owner && *owner == view->self();
      });
}

// The node of a peer's remote_sip actor, by the view's services.
std::string node_of_sip(const cluster::cluster_view& view,
                        const caf::actor& sip) {
  for (const auto& [key, a] : view.get().services)
    if (key.second == "sip" && a == sip)
      return key.first;
  return {};
}

} // namespace

result<std::unique_ptr<sip_service>>
sip_service::start(const config::loaded_config& cfg, const config::settings& s,
                   const stdfs::path& data_dir, persistence::rocks_store& store,
                   caf::actor_system& sys,
                   std::shared_ptr<actors::media::media_env> media,
                   metrics::registry& metrics, cluster_service* cluster) {
  std::unique_ptr<sip_service> svc{new sip_service()};
  // Every node that may answer for an AoR must check the nonces the others
  // issued; in cluster mode the secret file is distributed like the
  // configuration (docs/operations.md).
  auto secret = mgmt::ensure_secret_file(data_dir / "sip-nonce.secret",
                                         "SIP nonce secret");
  if (!secret)
    return secret.err();
  svc->nonce_secret_ = *secret;
  // In cluster mode the first node's secret becomes everyone's, through
  // Redis: the challenge may come from one node and the answer reach
  // another.
  if (cluster) {
    auto key = s.redis.key_prefix + "cluster:sip_nonce_secret";
    auto timeout = std::chrono::milliseconds(s.redis.connect_timeout_ms +
                                             s.redis.command_timeout_ms);
    auto set =
        cluster->redis().command_sync({"SET", key, *secret, "NX"}, timeout);
    auto got = set ? cluster->redis().command_sync({"GET", key}, timeout)
                   : result<persistence::redis_reply>{set.err()};
    if (!got || got->is_nil() || got->is_error())
      return error{"cluster: cannot share the SIP nonce secret through "
                   "Redis: " +
                   (got ? got->to_string() : got.err().message)};
    svc->nonce_secret_ = got->str;
  }

  // A node with the lb role has the SIP edge; one with only the proxy role
  // runs subscriber actors for the lb nodes, which forward to it, and
  // reaches UAs through them.
  const bool has_edge = cfg.host().has_role("lb");
  sip::edge::edge_options eo;
  // An HA pair's shared addresses first (the service address, from which
  // requests leave), bound non-locally by the standby; then its own.
  for (const auto& i : cfg.host().interfaces)
    if (i.has_type("sip_ext"))
      svc->shared_ips_.insert(svc->shared_ips_.end(), i.shared_ip.begin(),
                              i.shared_ip.end());
  eo.addresses = svc->shared_ips_;
  for (const auto& i : cfg.host().interfaces)
    if (i.has_type("sip_ext"))
      eo.addresses.push_back(i.ip);
  if (has_edge && eo.addresses.empty())
    return error{"network.yml: host " + cfg.node +
                 " has the lb role but no sip_ext interface"};
  if (eo.addresses.empty() && !cfg.host().interfaces.empty())
    eo.addresses.push_back(cfg.host().interfaces.front().ip);
  svc->keepalive_from_ =
      "sip:keepalive@" +
      (eo.addresses.empty() ? std::string("localhost") : eo.addresses.front());
  eo.port = static_cast<uint16_t>(s.sip.port);
  eo.tls_port = static_cast<uint16_t>(s.sip.tls_port);
  if (has_edge) {
    auto dir = tls_dir(cfg, s, data_dir);
    if (!dir)
      return dir.err();
    eo.tls_dir = *dir;
  }
  eo.max_message_bytes = static_cast<std::size_t>(s.sip.max_message_bytes);
  eo.server = s.sip.user_agent;
  eo.routed_methods = routed_methods;
  eo.keep_raw = cluster != nullptr;

  svc->shield_ =
      std::make_unique<sip::edge::edge_shield>(shield_settings(s), metrics);
  auto locations = sub::make_local_location_store(store);
  if (cluster) {
    svc->shared_locations_ =
        std::make_shared<redis_records>(*cluster, s, "loc");
    locations = sub::make_shared_location_store(std::move(locations),
                                                svc->shared_locations_);
  }
  svc->env_ = std::make_shared<sub::registrar_env>(
      store, std::move(locations),
      registrar_settings(s, svc->nonce_secret_, svc->keepalive_from_), metrics);
  svc->directory_ = sub::spawn_subscriber_directory(sys, svc->env_);
  svc->calls_ = std::make_shared<actors::call::call_env>(
      svc->env_, store,
      cluster ? persistence::keys::kind_cdr_outbox
              : persistence::keys::kind_cdrs,
      std::move(media), call_settings(s), metrics);
  if (cluster) {
    svc->calls_->snapshots =
        std::make_shared<redis_records>(*cluster, s, "call");
    svc->calls_->node = cfg.node;
    svc->view_ = cluster->view();
    svc->peer_ = cfg.host().peer;
    if (!svc->peer_.empty())
      svc->peer_watch_.emplace(svc->peer_);
    for (const auto& h : cfg.network.hosts) {
      if (h.name != cfg.node)
        svc->member_watches_.emplace_back(h.name);
      if (h.has_role("lb") && !h.peer.empty())
        svc->lb_peers_.emplace(h.name, h.peer);
    }
  }
  svc->sys_ = &sys;
  svc->call_manager_ = actors::call::spawn_call_manager(sys, svc->calls_);
  auto directory = svc->directory_;
  auto manager = svc->call_manager_;
  auto* calls = svc->calls_.get();
  auto* shield = svc->shield_.get();
  std::shared_ptr<cluster::cluster_view> view =
      cluster ? cluster->view() : nullptr;
  auto remote_edge = std::make_shared<std::function<void(
      uint64_t, sip::edge::sip_reply)>>(); // set once the edge exists
  auto remote_table = std::make_shared<actors::remote_requests>();
  // An INVITE transaction forwarded here stays pending while it rings.
  remote_table->max_age += std::chrono::seconds{s.sip.ring_timeout_s};
  // Cluster mode, an lb without the proxy role: the messages of a call go
  // to the call's home node, and the answers to its requests back there
  // (both set once remote_sip exists; true: it went there).
  auto route_call = std::make_shared<
      std::function<bool(const sip::edge::incoming_request&)>>();
  auto route_response =
      std::make_shared<std::function<void(sip::edge::incoming_response &&)>>();
  if (has_edge)
    svc->edge_ = std::make_unique<sip::edge::sip_edge>(
        eo,
        [directory, manager, calls, view, remote_edge,
         route_call](sip::edge::incoming_request&& rq) {
          // A node whose lease lapsed may have lost its keys: it acts on
          // none until the membership has renewed it and dropped what moved.
          if (view && !view->lease_valid(std::chrono::steady_clock::now())) {
            if (rq.needs_reply)
              (*remote_edge)(
                  rq.key, sip::edge::sip_reply::of(503, "Node Not In Cluster",
                                                   {{"Retry-After", "1"}}));
            return;
          }
          if (rq.message.method != "REGISTER") {
            if (*route_call && (*route_call)(rq))
              return;
            actors::call::dispatch_call_request(*calls, manager, std::move(rq));
            return;
          }
          caf::anon_send(
              directory, sub::sip_request_atom::value,
              std::make_shared<sip::edge::incoming_request>(std::move(rq)));
        },
        [shield](const sip::sip_message& m, const sip::source_address& a) {
          return shield->screen(m, a);
        },
        metrics);
  auto* edge = svc->edge_.get();
  if (edge) {
    edge->set_response_handler(
        [calls, route_response](sip::edge::incoming_response&& r) {
          if (*route_response)
            (*route_response)(std::move(r));
          else
            actors::call::dispatch_call_response(*calls, std::move(r));
        });
    *remote_edge = [edge](uint64_t key, sip::edge::sip_reply r) {
      edge->reply(key, std::move(r));
    };
  }
  // Answers to requests forwarded from other nodes go back to them.
  svc->env_->reply = [edge, remote_table](uint64_t key,
                                          sip::edge::sip_reply r) {
    if (actors::remote_requests::is_remote(key)) {
      remote_table->reply(key, r);
      return;
    }
    if (edge)
      edge->reply(key, std::move(r));
    else
      spdlog::error("sip: an answer for a request of no edge (key {})", key);
  };
  // NAT keepalives leave from the edge; in a cluster from the lb node that
  // has the address the binding came in on (it may be another node's).
  auto local_options = [edge](sip::edge::outgoing_options o) {
    if (edge)
      edge->send_options(std::move(o));
  };
  svc->env_->send_options = local_options;
  if (cluster) {
    svc->remote_sip_ = actors::spawn_remote_sip(
        sys, remote_table,
        {[directory, calls,
          manager](std::shared_ptr<sip::edge::incoming_request> rq) {
           if (rq->message.method == "REGISTER")
             caf::anon_send(directory, sub::sip_request_atom::value,
                            std::move(rq));
           else
             actors::call::dispatch_call_request(*calls, manager,
                                                 std::move(*rq));
         },
         [edge](uint64_t key, sip::edge::sip_reply r) {
           if (edge)
             edge->reply(key, std::move(r));
         },
         [&sys, calls = svc->calls_, view,
          peer = cfg.host().peer](const std::string& node) {
           // Its HA peer takes the calls whose edge moved with the
           // address; every node the calls placed there that it now owns.
           spdlog::info("calls: {} drains, taking over its calls", node);
           if (node == peer)
             sys.spawn<caf::detached>(take_over_calls, calls, node);
           sys.spawn<caf::detached>(adopt_placed_calls, calls, view, node);
         },
         [directory](std::shared_ptr<sub::admin_op> op) {
           caf::anon_send(directory, sub::admin_atom::value, std::move(op));
         },
         local_options,
         [edge](sip::edge::outgoing_request r) {
           if (edge)
             edge->send_request(std::move(r));
         },
         [edge](uint64_t id) {
           if (edge)
             edge->cancel_request(id);
         },
         [edge](sip::edge::orphan_reply o) {
           if (edge)
             edge->reply_orphan(std::move(o));
         },
         [calls](sip::edge::incoming_response r) {
           actors::call::dispatch_call_response(*calls, std::move(r));
         },
         [&sys, media = svc->calls_->media](caf::actor owner,
                                            uint64_t session_id) {
           return media ? actors::media::spawn_media_session(
                              sys, media, std::move(owner), session_id)
                        : caf::actor{};
         },
         [&sys, media = svc->calls_->media](
             caf::actor owner, const std::string& text) -> result<caf::actor> {
           if (!media)
             return error{"no media relay on this node"};
           auto st = decode_json_text(text, "a media session's state",
                                      actors::media::session_from_json);
           if (!st)
             return st.err();
           return actors::media::adopt_or_restore_media_session(
               sys, media, std::move(owner), std::move(*st));
         },
         [shield](const std::string& ip, const std::string& user,
                  bool success) { shield->on_auth(ip, user, success); }});
    // The remote_sip actor of the proxy node that owns `key` (a subscriber
    // or a call); null: none reachable.
    auto owner_sip = [view](const std::string& key) -> caf::actor {
      auto owner = view->owner_of(key, "proxy");
      return owner ? view->service(*owner, "sip") : caf::actor{};
    };
    svc->calls_->edge_of = [remote_table, view](uint64_t key)
        -> std::optional<actors::call::call_env::remote_edge> {
      if (!actors::remote_requests::is_remote(key))
        return std::nullopt;
      auto sip = remote_table->origin_of(key);
      if (!sip)
        return std::nullopt;
      return actors::call::call_env::remote_edge{sip, node_of_sip(*view, sip)};
    };
    svc->calls_->edge_named = [view](const std::string& node) {
      return view->service(node, "sip");
    };
    // Without the proxy role this node runs no call: each goes to its home
    // among the proxy nodes (call_key.hpp), found from either leg's
    // Call-ID; the answers to what a call sent come back by the request
    // id, which names the call's node.
    if (has_edge && !cfg.host().has_role("proxy")) {
      *route_call = [owner_sip, local = svc->remote_sip_](
                        const sip::edge::incoming_request& rq) {
        auto peer = owner_sip(actors::call::call_home_key(rq.message.call_id));
        if (!peer)
          return false; // no proxy reachable: the call runs here
        actors::forward_request(peer, local, rq);
        return true;
      };
    }
    *route_response = [calls, view, hosts = cfg.network.hosts,
                       self = cfg.node](sip::edge::incoming_response&& r) {
      auto host = actors::call::request_id_host(r.id);
      if (!host || *host >= hosts.size() || hosts[*host].name == self) {
        actors::call::dispatch_call_response(*calls, std::move(r));
        return;
      }
      if (auto peer = view->service(hosts[*host].name, "sip"))
        actors::forward_response(peer, r);
    };
    svc->env_->owns = [view](const std::string& aor) {
      auto owner = view->owner_of(subscriber_key(aor), "proxy");
      return !owner || *owner == view->self();
    };
    svc->env_->forward = [owner_sip, local = svc->remote_sip_](
                             const std::string& aor,
                             const sip::edge::incoming_request& rq) {
      auto peer = owner_sip(subscriber_key(aor));
      if (peer)
        actors::forward_request(peer, local, rq);
      return static_cast<bool>(peer);
    };
    svc->env_->forward_admin = [owner_sip, local = svc->remote_sip_](
                                   const std::string& aor,
                                   std::shared_ptr<sub::admin_op> op) {
      auto peer = owner_sip(subscriber_key(aor));
      if (peer)
        actors::forward_admin(local, peer, std::move(op));
      return static_cast<bool>(peer);
    };
    svc->env_->send_options = [view, local_options, has_edge,
                               network =
                                   cfg.network](sip::edge::outgoing_options o) {
      auto at = sip::parse_socket(o.local_socket);
      auto lbs = at ? network.with_address(at->ip, "lb", "sip_ext")
                    : std::vector<const config::host_config*>{};
      for (const auto* h : lbs) {
        if (h->name == view->self()) {
          local_options(std::move(o));
          return;
        }
        if (auto lb = view->service(h->name, "sip")) {
          actors::forward_options(lb, o);
          return;
        }
      }
      if (has_edge) // an address no lb has any more: from here
        local_options(std::move(o));
      else
        spdlog::debug("sip: no lb node reachable for {}; keepalive to {} "
                      "skipped",
                      o.local_socket, o.request_uri);
    };
  }
  auto no_edge = [](std::string_view what) {
    spdlog::error("sip: this node has no SIP edge; {} dropped", what);
  };
  svc->calls_->reply = svc->env_->reply;
  svc->calls_->send_request = [edge, no_edge](sip::edge::outgoing_request r) {
    if (edge)
      edge->send_request(std::move(r));
    else
      no_edge(r.method);
  };
  svc->calls_->cancel_request = [edge](uint64_t id) {
    if (edge)
      edge->cancel_request(id);
  };
  // In a cluster the ids name this node (call_key.hpp): a call's requests
  // may leave through another node's edge, whose answers come back here.
  auto ids = std::make_shared<std::atomic<uint64_t>>(0);
  std::optional<size_t> host_index;
  for (size_t i = 0; cluster && i < cfg.network.hosts.size(); ++i)
    if (cfg.network.hosts[i].name == cfg.node)
      host_index = i;
  svc->calls_->new_request_id = [edge, ids, host_index] {
    uint64_t n = edge ? edge->new_request_id() : ++*ids;
    return host_index ? actors::call::cluster_request_id(*host_index, n) : n;
  };
  svc->calls_->reply_orphan = [edge, no_edge](sip::edge::orphan_reply o) {
    if (edge)
      edge->reply_orphan(std::move(o));
    else
      no_edge("an answer to a former node's INVITE");
  };
  svc->env_->on_auth = [shield](const std::string& ip, const std::string& user,
                                sub::auth_event e) {
    shield->on_auth(ip, user, e == sub::auth_event::success);
  };
  if (cluster) {
    // The digest is checked where the subscriber's or the call's actor
    // runs, often not on the lb the request came through: every lb's
    // shield counts the outcome, so a guessing source is banned at every
    // edge, as it would be on a single node.
    std::vector<std::string> lbs;
    for (const auto& h : cfg.network.hosts)
      if (h.has_role("lb"))
        lbs.push_back(h.name);
    svc->env_->on_auth = [shield, view, lbs](const std::string& ip,
                                             const std::string& user,
                                             sub::auth_event e) {
      bool success = e == sub::auth_event::success;
      for (const auto& lb : lbs) {
        if (lb == view->self())
          shield->on_auth(ip, user, success);
        else if (auto peer = view->service(lb, "sip"))
          actors::forward_auth(peer, ip, user, success);
      }
    };
  }
  // Stored bindings come back before the first request is taken. In
  // cluster mode the AoRs' owners re-activate them from Redis on demand.
  if (!cluster)
    caf::anon_send(svc->directory_, sub::restore_atom::value);
  if (!edge) {
    spdlog::info("sip: no edge on this node (no lb role); its subscriber "
                 "actors answer through the lb nodes");
    return svc;
  }
  auto bound = edge->start();
  if (!bound) {
    svc->stop();
    return bound.err();
  }
  for (const auto& l : *bound)
    spdlog::info("sip: listening on {}", l.name());
  return svc;
}

sip_service::~sip_service() {
  stop();
}

void sip_service::restore_calls(caf::actor_system& sys) {
  restore_and_report(sys, calls_, calls_->node);
}

void sip_service::take_over_peer() {
  if (!peer_watch_ || !view_ || !sys_)
    return;
  auto members = view_->get().members;
  {
    std::lock_guard lock{peer_mu_};
    if (!peer_watch_->died(members))
      return;
  }
  sys_->spawn<caf::detached>(take_over_calls, calls_, peer_);
}

uint64_t sip_service::live_actors() const {
  return static_cast<uint64_t>(env_->live_actors.load() +
                               calls_->active_calls());
}

void sip_service::cluster_changed() {
  if (directory_)
    caf::anon_send(directory_, sub::rebalance_atom::value);
  take_over_peer();
  adopt_calls_of_dead();
}

void sip_service::adopt_calls_of_dead() {
  if (!view_ || !sys_)
    return;
  auto members = view_->get().members;
  std::vector<std::string> dead;
  {
    std::lock_guard lock{peer_mu_};
    for (auto& w : member_watches_)
      if (w.died(members))
        dead.push_back(w.member());
  }
  for (auto& node : dead) {
    sys_->spawn<caf::detached>(adopt_placed_calls, calls_, view_, node);
    // The calls this node runs through a dead lb go on through its HA peer,
    // which takes over the lb's address (keepalived).
    if (auto it = lb_peers_.find(node);
        it != lb_peers_.end() && it->second != view_->self())
      for (const auto& call : calls_->registry.calls())
        caf::anon_send(call, actors::call::call_edge_moved_atom::value, node,
                       it->second);
  }
}

void sip_service::rejoined() {
  // Back after a fence: the calls whose snapshots still name this node
  // (nobody took them over) go on here.
  if (calls_fenced_.exchange(false))
    sys_->spawn<caf::detached>(
        [](caf::blocking_actor* self,
           std::shared_ptr<actors::call::call_env> env) {
          auto node = env->node;
          restore_and_report(self->system(), std::move(env), node);
        },
        calls_);
}

void sip_service::drain() {
  calls_->draining = true;
  if (!calls_->snapshots || !view_)
    return;
  if (peer_.empty() || shared_ips_.empty()) {
    // No address to wait for: calls placed here from an lb move to the
    // new owners of their keys at once.
    handover_ = handover::migrating;
    spdlog::info("drain: the calls move to the new owners of their keys");
    return;
  }
  handover_ = handover::awaiting_address;
  spdlog::info("drain: the calls move to {} once {} has left this host", peer_,
               shared_ips_.front());
}

void sip_service::drain_step(bool give_up_waiting) {
  if (handover_ == handover::none || handover_ == handover::done)
    return;
  if (handover_ == handover::awaiting_address) {
    auto here = net::local_addresses_among(shared_ips_);
    if (!here.empty() && !give_up_waiting)
      return;
    handover_ = handover::migrating;
    if (here.empty())
      spdlog::info("drain: {} has left this host; {} call(s) move to {}",
                   shared_ips_.front(), calls_->active_calls(), peer_);
    else
      spdlog::warn("drain: {} is still on this host; {} call(s) move to {} "
                   "anyway",
                   here.front(), calls_->active_calls(), peer_);
  }
  // Asked again at every poll: a call in the middle of a transaction
  // ignores the ask until it is quiet.
  if (calls_->active_calls() > 0) {
    actors::call::migrate_calls(*calls_);
    return;
  }
  handover_ = handover::done;
  // Every connected node: the HA peer takes the calls whose edge moved
  // with the address, each node the placed calls it now owns.
  size_t asked = 0;
  for (const auto& m : view_->get().members) {
    if (m.self)
      continue;
    if (auto p = view_->service(m.name, "sip")) {
      actors::ask_take_over(p, calls_->node);
      ++asked;
    } else if (m.name == peer_) {
      spdlog::error("drain: {} is not connected; the calls' snapshots wait "
                    "in Redis for it",
                    peer_);
    }
  }
  spdlog::info("drain: {} node(s) asked to take over the calls", asked);
}

void sip_service::fenced() {
  if (directory_)
    caf::anon_send(directory_, sub::fenced_atom::value);
  if (calls_->snapshots) {
    actors::call::hand_over_calls(*calls_);
    calls_fenced_ = true;
  }
}

void sip_service::reload(const config::settings& s) {
  shield_->reconfigure(shield_settings(s));
  calls_->set_settings(call_settings(s));
  env_->set_settings(registrar_settings(s, nonce_secret_, keepalive_from_));
}

void sip_service::stop() {
  if (edge_)
    edge_->stop();
  if (call_manager_) {
    caf::anon_send_exit(call_manager_, caf::exit_reason::user_shutdown);
    call_manager_ = nullptr;
  }
  if (directory_) {
    caf::anon_send_exit(directory_, caf::exit_reason::user_shutdown);
    directory_ = nullptr;
  }
  if (remote_sip_) {
    caf::anon_send_exit(remote_sip_, caf::exit_reason::user_shutdown);
    remote_sip_ = nullptr;
  }
}

} // namespace sb::apps
