#include "actors/media/media_session_actor.hpp"

#include "actors/media/media_snapshot.hpp"
#include "common/json_fields.hpp"
#include "common/log.hpp"
#include "common/metrics/registry.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

namespace sb::actors::media {

namespace {

using sb::media::leg_ports;
using sb::media::rtp_relay;
using udp = boost::asio::ip::udp;

// The session's ports and relays. Destroyed with the actor's state, on
// every path out: closes the relays and returns the ports.
struct resources {
  std::shared_ptr<media_env> env;
  media_session_state state;
  std::vector<std::shared_ptr<rtp_relay>> relays; ///< one per stream

  explicit resources(std::shared_ptr<media_env> e)
      : env(std::move(e)) {
    if (env->metrics.sessions)
      env->metrics.sessions->inc();
  }
  resources(const resources&) = delete;
  resources& operator=(const resources&) = delete;

  ~resources() {
    const auto& m = env->metrics;
    for (auto& r : relays)
      if (r) {
        if (m.packets) {
          m.packets->with({"a"}).inc(r->stats(leg_id::a).packets);
          m.packets->with({"b"}).inc(r->stats(leg_id::b).packets);
        }
        r->close();
      }
    if (m.sessions)
      m.sessions->dec();
    std::lock_guard lock(env->pool_mu);
    for (const auto& s : state.streams)
      for (const auto& p : s.port)
        if (p)
          env->holders.erase(*p);
    release_ports(state, env->pool);
    count_pairs(*env);
  }

  // Records `self` as the holder of every port it has (pool_mu held).
  void hold(const caf::actor_addr& self) {
    for (const auto& s : state.streams)
      for (const auto& p : s.port)
        if (p)
          env->holders[*p] = self;
  }

  // Called with pool_mu held.
  static void count_pairs(media_env& env) {
    if (env.metrics.pairs_in_use)
      env.metrics.pairs_in_use->set(static_cast<double>(env.pool.in_use()));
  }
};

struct session_data {
  std::unique_ptr<resources> res;
  caf::actor_addr owner;
};

using self_t = caf::stateful_actor<session_data>;

udp::endpoint endpoint_of(const net::ip_address& ip, uint16_t port) {
  return {boost::asio::ip::make_address(ip.to_string()), port};
}

// Opens a relay for every stream that got ports and has none yet, all or
// none: on a failure the relays opened here close again and `failed_rtp`
// names the pair that could not be bound.
status open_relays(resources& r, uint16_t& failed_rtp) {
  std::vector<std::pair<size_t, std::shared_ptr<rtp_relay>>> opened;
  for (size_t i = 0; i < r.state.streams.size(); ++i) {
    const auto& s = r.state.streams[i];
    if ((i < r.relays.size() && r.relays[i]) || !s.port[0] || !s.port[1])
      continue;
    auto pa = *s.port[0], pb = *s.port[1];
    auto relay = rtp_relay::open(r.env->io, r.env->address.to_string(),
                                 leg_ports{pa, static_cast<uint16_t>(pa + 1)},
                                 leg_ports{pb, static_cast<uint16_t>(pb + 1)},
                                 &failed_rtp);
    if (!relay) {
      for (auto& [j, o] : opened)
        o->close();
      return relay.err();
    }
    opened.emplace_back(i, std::move(*relay));
  }
  r.relays.resize(r.state.streams.size());
  for (auto& [i, relay] : opened) {
    relay->start();
    r.relays[i] = std::move(relay);
  }
  return {};
}

using sdp_reply = caf::result<bool, std::string, std::string>;

sdp_reply refused(std::string why) {
  return {false, std::move(why), std::string{}};
}

sdp_reply on_sdp(self_t* self, leg_id from, bool offer,
                 const std::string& body) {
  auto& r = *self->state.res;
  result<sdp_forward> fwd = error{""};
  // A port of the range may be held by another program: its pair is set
  // aside and the offer tries the next free ones (a few times).
  for (int attempt = 0;; ++attempt) {
    auto before = r.state;
    if (offer) {
      std::lock_guard lock(r.env->pool_mu);
      fwd = on_offer(r.state, r.env->pool, from, body, r.env->address);
      resources::count_pairs(*r.env);
    } else {
      fwd = on_answer(r.state, from, body, r.env->address);
    }
    if (!fwd)
      return refused(fwd.err().message);
    uint16_t failed = 0;
    auto st = open_relays(r, failed);
    if (st)
      break;
    spdlog::warn("{}", st.err().message);
    if (!offer || failed == 0 || attempt == 7)
      return refused(st.err().message);
    {
      std::lock_guard lock(r.env->pool_mu);
      for (auto p : fwd->allocated)
        if (p != failed)
          r.env->pool.release(p);
      r.env->pool.mark_unusable(failed);
      resources::count_pairs(*r.env);
    }
    r.state = std::move(before);
  }
  {
    std::lock_guard lock(r.env->pool_mu);
    r.hold(self->address());
  }
  for (size_t i = 0; i < fwd->expect.size() && i < r.relays.size(); ++i)
    if (fwd->expect[i] && r.relays[i])
      r.relays[i]->expect(
          from, endpoint_of(fwd->expect[i]->ip, fwd->expect[i]->rtp),
          endpoint_of(fwd->expect[i]->ip, fwd->expect[i]->rtcp));
  return {true, std::move(fwd->body), session_to_json(r.state).dump()};
}

caf::behavior media_session(self_t* self, std::shared_ptr<resources> res,
                            caf::actor owner) {
  // The resources pass through a shared_ptr because spawn arguments are
  // copied; only this actor holds them from here on.
  self->state.res = std::make_unique<resources>(res->env);
  self->state.res->state = std::move(res->state);
  self->state.res->relays = std::move(res->relays);
  res->relays.clear();
  res->state = {};
  {
    std::lock_guard lock(self->state.res->env->pool_mu);
    self->state.res->hold(self->address());
  }
  self->state.owner = owner.address();
  self->monitor(owner);
  self->set_down_handler([self](caf::down_msg& m) {
    // The call is gone: so is its media, whatever happened to the call.
    // (A former owner's end, after an adoption, is not.)
    if (m.source == self->state.owner)
      self->quit();
  });
  return {
      [=](media_sdp_atom, uint8_t leg, bool offer,
          const std::string& body) -> sdp_reply {
        if (leg > 1)
          return refused("no leg " + std::to_string(leg));
        return on_sdp(self, static_cast<leg_id>(leg), offer, body);
      },
      [=](media_adopt_atom, const caf::actor& new_owner) {
        if (self->state.owner)
          self->demonitor(self->state.owner);
        self->state.owner = new_owner.address();
        self->monitor(new_owner);
      },
      [=](media_stats_atom) {
        media_report rep;
        for (const auto& r : self->state.res->relays)
          if (r)
            rep.streams.push_back({r->stats(leg_id::a), r->stats(leg_id::b)});
          else
            rep.streams.emplace_back();
        return report_to_json(rep, std::chrono::steady_clock::now()).dump();
      },
  };
}

} // namespace

result<sdp_passed> sdp_answer(bool ok, const std::string& text,
                              const std::string& after_json) {
  if (!ok)
    return error{text};
  auto after = decode_json_text(after_json, "media: the session's state",
                                session_from_json);
  if (!after)
    return after.err();
  return sdp_passed{text, std::move(*after)};
}

caf::actor spawn_media_session(caf::actor_system& sys,
                               std::shared_ptr<media_env> env, caf::actor owner,
                               uint64_t session_id) {
  auto res = std::make_shared<resources>(std::move(env));
  res->state = make_media_session(session_id);
  return sys.spawn(media_session, std::move(res), std::move(owner));
}

result<caf::actor> spawn_restored_media_session(caf::actor_system& sys,
                                                std::shared_ptr<media_env> env,
                                                caf::actor owner,
                                                media_session_state state) {
  auto res = std::make_shared<resources>(std::move(env));
  {
    std::lock_guard lock(res->env->pool_mu);
    std::vector<uint16_t> taken;
    for (const auto& s : state.streams)
      for (const auto& p : s.port)
        if (p) {
          if (!res->env->pool.reserve(*p)) {
            for (auto t : taken)
              res->env->pool.release(t);
            return error{"media: port pair " + std::to_string(*p) +
                         " is in use or outside the range"};
          }
          taken.push_back(*p);
        }
    res->state = std::move(state);
    resources::count_pairs(*res->env);
  }
  uint16_t failed = 0;
  if (auto st = open_relays(*res, failed); !st)
    return st.err(); // ~resources returns the ports
  return sys.spawn(media_session, std::move(res), std::move(owner));
}

result<caf::actor>
adopt_or_restore_media_session(caf::actor_system& sys,
                               std::shared_ptr<media_env> env, caf::actor owner,
                               media_session_state state) {
  caf::actor holder;
  {
    std::lock_guard lock(env->pool_mu);
    for (const auto& s : state.streams)
      for (const auto& p : s.port)
        if (p && !holder)
          if (auto it = env->holders.find(*p); it != env->holders.end())
            holder = caf::actor_cast<caf::actor>(it->second);
  }
  if (!holder)
    return spawn_restored_media_session(sys, std::move(env), std::move(owner),
                                        std::move(state));
  caf::anon_send(holder, media_adopt_atom::value, std::move(owner));
  return holder;
}

} // namespace sb::actors::media
