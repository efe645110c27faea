// Activation and passivation of subscriber actors (virtual actors keyed by
// address of record), and the answers that need no actor: malformed To,
// unknown domain, no or malformed credentials (the challenge), unknown
// user.
//
// What it read from provisioning it keeps while the store's provisioning
// generation is unchanged (any provisioning write moves it): domain ids,
// and the profile of every live actor, found again by login key. A
// re-registration of a live subscriber then reads nothing.
#include "actors/subscriber/profile_lookup.hpp"
#include "actors/subscriber/register_message.hpp"
#include "actors/subscriber/subscriber_actor.hpp"
#include "actors/subscriber/subscriber_messages.hpp"
#include "common/log.hpp"
#include "persistence/entities/provisioning_keys.hpp"

#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

namespace sb::actors::subscriber {

namespace {

using sip::edge::sip_reply;

struct live_entry {
  caf::actor actor;
  uint64_t sent = 0; ///< requests forwarded to it
  std::string login; ///< login key (web_login_key) last routed here
  std::optional<auth_profile> profile; ///< as read at `generation`
  uint64_t generation = 0;
};

// Bounds the domain cache against requests for random domains.
constexpr size_t max_cached_domains = 10000;

struct directory_data {
  std::shared_ptr<registrar_env> env;
  std::unordered_map<std::string, live_entry> live; ///< by AoR
  std::unordered_map<std::string, std::string> aor_of_login;
  /// lower-case domain -> id (nullopt: not provisioned), at
  /// `domains_generation`.
  std::unordered_map<std::string, std::optional<uint64_t>> domains;
  uint64_t domains_generation = 0;
};

using self_t = caf::stateful_actor<directory_data>;

live_entry& activate(self_t* self, const std::string& aor) {
  auto it = self->state.live.find(aor);
  if (it == self->state.live.end()) {
    auto a = spawn_subscriber_actor(self->system(), self->state.env, aor,
                                    caf::actor_cast<caf::actor>(self));
    // Linked: the directory's exit (node shutdown) ends every actor.
    self->link_to(a);
    live_entry fresh;
    fresh.actor = std::move(a);
    it = self->state.live.emplace(aor, std::move(fresh)).first;
  }
  return it->second;
}

void answer(self_t* self, const sip::edge::incoming_request& rq, sip_reply r,
            std::string_view outcome) {
  self->state.env->count_register(outcome);
  self->state.env->reply(rq.key, std::move(r));
}

// Answers a decision taken without an actor.
void answer_decision(self_t* self, const sip::edge::incoming_request& rq,
                     const std::string& user, std::string_view realm,
                     auth_decision d) {
  auto& env = *self->state.env;
  env.count_auth(d.why);
  if (env.on_auth && d.event != auth_event::none)
    env.on_auth(rq.source.ip, user + "@" + std::string(realm), d.event);
  answer(self, rq, std::move(d.reply), "auth_" + d.why);
}

// An unknown user gets exactly what a wrong password gets.
void answer_unknown_user(self_t* self, const sip::edge::incoming_request& rq,
                         const std::string& user, std::string_view realm) {
  auto [in, settings] = self->state.env->auth_inputs(rq.source.ip);
  answer_decision(self, rq, user, realm,
                  authenticate(rq.message, user, realm, nullptr, in, nullptr));
}

result<std::optional<uint64_t>> domain_id(self_t* self, const std::string& name,
                                          uint64_t generation) {
  auto& st = self->state;
  if (st.domains_generation != generation ||
      st.domains.size() >= max_cached_domains) {
    st.domains.clear();
    st.domains_generation = generation;
  }
  if (auto it = st.domains.find(name); it != st.domains.end())
    return it->second;
  auto id = lookup_domain(st.env->reader, name);
  if (id)
    st.domains.emplace(name, *id);
  return id;
}

// The profile kept for a live actor under this login, if still current.
const auth_profile* known_profile(self_t* self, const std::string& login,
                                  uint64_t generation) {
  auto& st = self->state;
  auto a = st.aor_of_login.find(login);
  if (a == st.aor_of_login.end())
    return nullptr;
  auto e = st.live.find(a->second);
  if (e == st.live.end() || !e->second.profile ||
      e->second.generation != generation)
    return nullptr;
  return &*e->second.profile;
}

void forget_login(self_t* self, live_entry& e, const std::string& aor) {
  auto it = self->state.aor_of_login.find(e.login);
  if (it != self->state.aor_of_login.end() && it->second == aor)
    self->state.aor_of_login.erase(it);
  e.login.clear();
}

void storage_failure(self_t* self, const sip::edge::incoming_request& rq,
                     const error& e) {
  spdlog::error("registrar: provisioning lookup: {}", e.message);
  answer(self, rq, sip_reply::of(500, "Server Internal Error"),
         "storage_error");
}

void route(self_t* self, std::shared_ptr<sip::edge::incoming_request> rq) {
  auto& env = *self->state.env;
  auto parts = sip::split_uri(rq->message.to.uri);
  if (!parts || parts->user.empty()) {
    answer(self, *rq, sip_reply::of(400, "To header has no user part"),
           "bad_to");
    return;
  }
  // Read before anything from the store: data read after it is at least
  // this fresh.
  auto generation = env.reader.provisioning_generation();
  auto realm = ascii_lower(parts->host);
  auto did = domain_id(self, realm, generation);
  if (!did)
    return storage_failure(self, *rq, did.err());
  if (!*did) {
    answer(self, *rq, sip_reply::of(403, "Relaying Denied"), "unknown_domain");
    return;
  }
  {
    auto [in, settings] = env.auth_inputs(rq->source.ip);
    if (auto early = answer_without_profile(rq->message, realm, in))
      return answer_decision(self, *rq, parts->user, realm, std::move(*early));
  }
  auto login = persistence::keys::web_login_key(**did, parts->user);
  std::optional<auth_profile> fresh;
  const auth_profile* profile = known_profile(self, login, generation);
  if (!profile) {
    auto found = lookup_user(env.reader, **did, parts->user);
    if (!found)
      return storage_failure(self, *rq, found.err());
    if (!*found)
      return answer_unknown_user(self, *rq, parts->user, realm);
    fresh = std::move(*found);
    profile = &*fresh;
  }
  auto aor = canonical_aor(profile->username, profile->domain);
  if (!rq->forwarded && env.owns && !env.owns(aor)) {
    if (!env.forward || !env.forward(aor, *rq))
      answer(self, *rq, sip_reply::of(503, "Owner Node Unreachable"),
             "owner_unreachable");
    return;
  }
  auto& e = activate(self, aor);
  ++e.sent;
  if (fresh) {
    if (e.login != login) {
      forget_login(self, e, aor);
      e.login = login;
      self->state.aor_of_login[login] = aor;
    }
    e.profile = std::move(fresh);
    e.generation = generation;
  }
  auto rr = std::make_shared<routed_register>(
      routed_register{std::move(*rq), *e.profile});
  self->send(e.actor, register_atom::value, std::move(rr));
}

void route_admin(self_t* self, std::shared_ptr<admin_op> op) {
  auto p = load_profile(self->state.env->reader, op->subscriber_id);
  if (!p || !*p) {
    op->done(p ? error{"no such subscriber"} : p.err());
    return;
  }
  auto aor = canonical_aor((*p)->username, (*p)->domain);
  // Only the owner's actor may change the AoR: an actor here would write
  // the shared record behind the owner's back, and the owner's next
  // REGISTER would overwrite the change with its own (stale) state.
  auto& env = *self->state.env;
  if (!op->forwarded && env.owns && !env.owns(aor)) {
    if (!env.forward_admin || !env.forward_admin(aor, op))
      op->done(error{"the node owning " + aor + " is unreachable"});
    return;
  }
  auto& e = activate(self, aor);
  ++e.sent;
  op->profile = std::move(**p);
  self->send(e.actor, admin_atom::value, std::move(op));
}

// Stops the live actors whose AoR `gone` names; each saved its state with
// its last change, so the next owner loads it from the shared store.
void stop_where(self_t* self,
                const std::function<bool(const std::string&)>& gone) {
  size_t n = 0;
  for (auto it = self->state.live.begin(); it != self->state.live.end();) {
    if (!gone(it->first)) {
      ++it;
      continue;
    }
    self->unlink_from(it->second.actor);
    self->send(it->second.actor, stop_atom::value);
    forget_login(self, it->second, it->first);
    it = self->state.live.erase(it);
    ++n;
  }
  if (n)
    spdlog::info("registrar: {} subscriber actor(s) handed over", n);
}

// Activates every AoR with a shared record that this node owns now and
// does not run: the keys of a dead node (or a node's share when it joins)
// come back to life at once, with their expiry timers and keepalives,
// instead of at their next request.
void adopt(self_t* self) {
  auto& env = *self->state.env;
  std::vector<std::string> mine;
  auto st = env.locations->each_aor([&](const std::string& aor) {
    if (!self->state.live.count(aor) && env.owns(aor))
      mine.push_back(aor);
  });
  if (!st) {
    spdlog::error("registrar: cannot list the shared bindings: {}",
                  st.err().message);
    return;
  }
  for (const auto& aor : mine)
    activate(self, aor);
  if (!mine.empty())
    spdlog::info("registrar: {} subscriber actor(s) taken over", mine.size());
}

caf::behavior directory(self_t* self, std::shared_ptr<registrar_env> env) {
  self->state.env = std::move(env);
  return {
      [=](sip_request_atom, std::shared_ptr<sip::edge::incoming_request>& rq) {
        route(self, std::move(rq));
      },
      [=](admin_atom, std::shared_ptr<admin_op>& op) {
        route_admin(self, std::move(op));
      },
      [=](passivate_atom, const std::string& aor, const caf::actor& who,
          uint64_t handled) {
        auto it = self->state.live.find(aor);
        if (it == self->state.live.end() || it->second.actor != who ||
            it->second.sent != handled)
          return;
        self->send(who, stop_atom::value);
        forget_login(self, it->second, aor);
        self->state.live.erase(it);
      },
      [=](rebalance_atom) {
        auto& env = *self->state.env;
        if (!env.owns)
          return;
        stop_where(self,
                   [&](const std::string& aor) { return !env.owns(aor); });
        adopt(self);
      },
      [=](fenced_atom) {
        stop_where(self, [](const std::string&) { return true; });
      },
      [=](restore_atom) {
        std::vector<std::string> aors;
        auto st = self->state.env->locations->each_aor(
            [&](const std::string& aor) { aors.push_back(aor); });
        if (!st)
          spdlog::error("registrar: cannot list stored bindings: {}",
                        st.err().message);
        for (const auto& aor : aors)
          activate(self, aor);
        spdlog::info("registrar: {} address(es) of record with stored "
                     "bindings activated",
                     aors.size());
      },
  };
}

} // namespace

caf::actor spawn_subscriber_directory(caf::actor_system& sys,
                                      std::shared_ptr<registrar_env> env) {
  return sys.spawn(directory, std::move(env));
}

} // namespace sb::actors::subscriber
