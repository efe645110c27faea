// Activation and passivation of subscriber actors (virtual actors keyed by
// address of record), and the answers that need no actor: malformed To,
// unknown domain, unknown user.
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
};

struct directory_data {
  std::shared_ptr<registrar_env> env;
  std::unordered_map<std::string, live_entry> live;
};

using self_t = caf::stateful_actor<directory_data>;

live_entry& activate(self_t* self, const std::string& aor) {
  auto it = self->state.live.find(aor);
  if (it == self->state.live.end()) {
    auto a = spawn_subscriber_actor(self->system(), self->state.env, aor,
                                    caf::actor_cast<caf::actor>(self));
    // Linked: the directory's exit (node shutdown) ends every actor.
    self->link_to(a);
    it = self->state.live.emplace(aor, live_entry{a, 0}).first;
  }
  return it->second;
}

void answer(self_t* self, const sip::edge::incoming_request& rq, sip_reply r,
            std::string_view outcome) {
  self->state.env->count_register(outcome);
  self->state.env->reply(rq.key, std::move(r));
}

// An unknown user gets exactly what a wrong password gets.
void answer_unknown_user(self_t* self, const sip::edge::incoming_request& rq,
                         const std::string& user, const std::string& domain) {
  auto& env = *self->state.env;
  auto [in, settings] = env.auth_inputs(rq.source.ip);
  auto d =
      authenticate(rq.message, user, ascii_lower(domain), nullptr, in, nullptr);
  env.count_auth(d.why);
  if (env.on_auth && d.event != auth_event::none)
    env.on_auth(rq.source.ip, user + "@" + ascii_lower(domain), d.event);
  answer(self, rq, std::move(d.reply), "auth_" + d.why);
}

void route(self_t* self, std::shared_ptr<sip::edge::incoming_request> rq) {
  auto& env = *self->state.env;
  auto parts = sip::split_uri(rq->message.to.uri);
  if (!parts || parts->user.empty()) {
    answer(self, *rq, sip_reply::of(400, "To header has no user part"),
           "bad_to");
    return;
  }
  auto found = lookup_profile(env.reader, parts->host, parts->user);
  if (!found) {
    spdlog::error("registrar: profile lookup: {}", found.err().message);
    answer(self, *rq, sip_reply::of(500, "Server Internal Error"),
           "storage_error");
    return;
  }
  if (!found->domain_known) {
    answer(self, *rq, sip_reply::of(403, "Relaying Denied"), "unknown_domain");
    return;
  }
  if (!found->profile) {
    answer_unknown_user(self, *rq, parts->user, parts->host);
    return;
  }
  auto aor = canonical_aor(found->profile->username, found->profile->domain);
  auto& e = activate(self, aor);
  ++e.sent;
  auto rr = std::make_shared<routed_register>(
      routed_register{std::move(*rq), std::move(*found->profile)});
  self->send(e.actor, register_atom::value, std::move(rr));
}

void route_admin(self_t* self, std::shared_ptr<admin_op> op) {
  auto p = load_profile(self->state.env->reader, op->subscriber_id);
  if (!p || !*p) {
    op->done(p ? error{"no such subscriber"} : p.err());
    return;
  }
  auto& e = activate(self, canonical_aor((*p)->username, (*p)->domain));
  ++e.sent;
  op->profile = std::move(**p);
  self->send(e.actor, admin_atom::value, std::move(op));
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
        self->state.live.erase(it);
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
