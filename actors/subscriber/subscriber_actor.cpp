// The CAF shell of one address of record: feeds REGISTERs, admin
// operations and timers into the pure cores (register_auth,
// registrar_state) and carries out their effects: reply through the edge,
// save the location record, arm the expiry timer, send NAT keepalives.
#include "actors/subscriber/subscriber_actor.hpp"

#include "actors/subscriber/profile_lookup.hpp"
#include "actors/subscriber/register_message.hpp"
#include "actors/subscriber/subscriber_messages.hpp"
#include "actors/subscriber/subscriber_trace.hpp"
#include "common/log.hpp"

#include <optional>
#include <random>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

namespace sb::actors::subscriber {

namespace {

using sys_clock = std::chrono::system_clock;

struct subscriber_data {
  std::shared_ptr<registrar_env> env;
  caf::actor directory;
  location_record rec;
  stored_binding_ids stored; ///< the binding documents saved for `rec`
  // A UA uses one or two nonces per refresh interval; a forgotten one only
  // costs it a stale round trip, so a few entries per AoR are enough.
  sip::auth::nonce_counter counter{4};
  uint64_t timer_gen = 0;
  /// When the armed expiry timer fires; nullopt when none is armed.
  std::optional<sys_clock::time_point> expiry_armed;
  bool keepalive_armed = false;
  bool idle_armed = false;
  std::chrono::steady_clock::time_point last_used;
  /// What this actor added to env->bindings; shared with its exit hook,
  /// which may run after the state is gone.
  std::shared_ptr<int64_t> counted = std::make_shared<int64_t>(0);
  uint64_t handled = 0; ///< requests received from the directory
  /// While this AoR is traced (sbctl trace start --kind subscriber): the
  /// recorder the core's operations go through, and the trace's id in the
  /// node's store, which gets the trace again after every step.
  std::optional<subscriber_recorder> recorder;
  uint64_t trace_id = 0;
  double draw = 0; ///< uniform in [0, 1), against the sampling rate
};

using self_t = caf::stateful_actor<subscriber_data>;

// A trace longer than this is handed in as it is and a new one starts from
// the current state: an AoR's actor may live for months.
constexpr std::size_t max_trace_steps = 256;

// Before each input: an AoR's actor lives long, so whether it records
// follows the node's filter as it is now (sbctl trace start|stop), with
// the actor's own draw against the sampling rate.
void follow_trace_filter(self_t* self) {
  auto& s = self->state;
  bool wanted = s.env->traces.wants("subscriber", s.rec.state.aor, s.draw);
  if (wanted && !s.recorder) {
    s.recorder.emplace(s.rec.state);
    s.trace_id = 0;
  } else if (!wanted && s.recorder) {
    s.recorder.reset(); // what it recorded stays in the store
  }
}

// Hands the trace in after a step (a live trace is visible at once).
void hand_in_trace(self_t* self) {
  auto& s = self->state;
  if (!s.recorder || s.recorder->trace().steps.empty())
    return;
  auto j = trace_to_json(s.recorder->trace());
  if (s.trace_id == 0 || !s.env->traces.update(s.trace_id, j))
    s.trace_id =
        s.env->traces.add("subscriber", s.rec.state.aor, std::move(j),
                          std::chrono::duration_cast<std::chrono::milliseconds>(
                              sys_clock::now().time_since_epoch())
                              .count());
  if (s.recorder->trace().steps.size() >= max_trace_steps) {
    s.recorder.emplace(s.rec.state);
    s.trace_id = 0;
  }
}

// Keeps env->bindings equal to the sum of live bindings of all actors.
void recount(self_t* self) {
  auto n = static_cast<int64_t>(self->state.rec.state.bindings.size());
  self->state.env->bindings += n - *self->state.counted;
  *self->state.counted = n;
}

void arm_idle(self_t* self) {
  self->state.last_used = std::chrono::steady_clock::now();
  if (self->state.idle_armed)
    return;
  self->state.idle_armed = true;
  self->delayed_send(self, self->state.env->settings()->idle, idle_atom::value);
}

void arm_keepalive(self_t* self) {
  auto interval = self->state.env->settings()->keepalive_interval;
  if (self->state.keepalive_armed || interval.count() <= 0 ||
      keepalive_targets(self->state.rec.state).empty())
    return;
  self->state.keepalive_armed = true;
  self->delayed_send(self, interval, keepalive_atom::value);
}

// Arms the expiry timer for `at` unless one fires earlier already: a
// refresh moves expiries later, and the earlier timer then finds nothing
// expired and re-arms for the new next expiry. This keeps a timer per
// refresh out of the (mutexed) clock.
void arm_expiry(self_t* self, sys_clock::time_point at) {
  auto& s = self->state;
  if (s.expiry_armed && *s.expiry_armed <= at)
    return;
  s.expiry_armed = at;
  auto delay = at - sys_clock::now();
  if (delay < std::chrono::milliseconds{0})
    delay = std::chrono::milliseconds{0};
  // Round up so the timer never fires just before the expiry.
  self->delayed_send(
      self,
      std::chrono::duration_cast<std::chrono::milliseconds>(delay) +
          std::chrono::milliseconds{1},
      expiry_atom::value, ++s.timer_gen);
}

// Carries out the effects every state change shares: the timer, the count,
// the keepalives.
void after_change(self_t* self, const registrar_effects& fx) {
  if (fx.timer)
    arm_expiry(self, *fx.timer);
  recount(self);
  arm_keepalive(self);
}

// Saves the record; on failure restores `before` and says why.
status persist(self_t* self, const registrar_state& before) {
  auto st =
      self->state.env->locations->save(self->state.rec, self->state.stored);
  if (!st) {
    spdlog::error("registrar {}: cannot save bindings: {}",
                  self->state.rec.state.aor, st.err().message);
    self->state.rec.state = before;
    if (self->state.recorder)
      self->state.recorder->rolled_back(before, sys_clock::now());
  }
  return st;
}

void adopt_profile(self_t* self, const auth_profile& p) {
  self->state.rec.subscriber_id = p.subscriber_id;
  self->state.rec.customer_id = p.customer_id;
  self->state.rec.reseller_id = p.reseller_id;
}

void on_register_request(self_t* self, const routed_register& rr) {
  auto& env = *self->state.env;
  const auto& rq = rr.request;
  const auto& p = rr.profile;
  auto now = sys_clock::now();
  auto [in, settings] = env.auth_inputs(rq.source.ip);
  auto d = authenticate(rq.message, p.username, p.domain, &p, in,
                        &self->state.counter);
  env.count_auth(d.why.empty() ? "ok" : d.why);
  if (env.on_auth && d.event != auth_event::none)
    env.on_auth(rq.source.ip, p.username + "@" + p.domain, d.event);
  if (!d.authenticated) {
    env.count_register("auth_" + d.why);
    env.reply(rq.key, std::move(d.reply));
    return;
  }
  adopt_profile(self, p);
  follow_trace_filter(self);
  auto before = self->state.rec.state;
  auto& st = self->state.rec.state;
  auto rqc =
      to_register_request(rq.message, st.aor, rq.source, rq.local_socket);
  auto* rec = self->state.recorder ? &*self->state.recorder : nullptr;
  auto out = rec ? rec->on_register(st, rqc, settings->registrar, now)
                 : on_register(st, rqc, settings->registrar, now);
  bool saved = !out.effects.changed || persist(self, before);
  hand_in_trace(self);
  if (!saved) {
    env.count_register("storage_error");
    env.reply(rq.key, sip::edge::sip_reply::of(500, "Server Internal Error"));
    return;
  }
  after_change(self, out.effects);
  env.count_register(to_string(out.status));
  env.reply(rq.key, to_sip_reply(out, rq.message));
}

void on_admin(self_t* self, admin_op& op) {
  adopt_profile(self, op.profile);
  follow_trace_filter(self);
  auto before = self->state.rec.state;
  auto now = sys_clock::now();
  result<uint64_t> outcome = uint64_t{0};
  registrar_effects fx;
  auto& st = self->state.rec.state;
  auto* rec = self->state.recorder ? &*self->state.recorder : nullptr;
  if (op.add) {
    auto r = rec ? rec->add(st, *op.add, now)
                 : add_permanent_binding(st, *op.add, now);
    if (!r) {
      hand_in_trace(self);
      op.done(r.err());
      return;
    }
    fx = std::move(*r);
    binding b;
    b.uri = op.add->uri;
    outcome = binding_id(self->state.rec.state.aor, b);
  } else {
    fx = rec ? rec->remove(st, op.remove_uri, now)
             : remove_binding(st, op.remove_uri, now);
  }
  bool saved = !fx.changed || persist(self, before);
  hand_in_trace(self);
  if (!saved) {
    op.done(error{"cannot save the binding"});
    return;
  }
  after_change(self, fx);
  op.done(outcome);
}

// A subscriber removed by provisioning loses its bindings (checked on the
// idle tick: at most sip.subscriber_idle_s after the removal).
void purge_if_removed(self_t* self) {
  auto& rec = self->state.rec;
  if (rec.subscriber_id == 0 || rec.state.bindings.empty())
    return;
  auto p = load_profile(self->state.env->reader, rec.subscriber_id);
  if (!p || *p)
    return; // still provisioned, or storage unreadable: keep
  spdlog::info("registrar {}: subscriber {} was removed: dropping {} "
               "binding(s)",
               rec.state.aor, rec.subscriber_id, rec.state.bindings.size());
  follow_trace_filter(self);
  auto before = rec.state;
  auto now = sys_clock::now();
  auto fx = self->state.recorder
                ? self->state.recorder->remove_all(rec.state, now)
                : remove_all_bindings(rec.state, now);
  bool saved = persist(self, before).ok();
  hand_in_trace(self);
  if (saved)
    after_change(self, fx);
}

// A failed save of expired bindings is retried after this long (the
// state keeps them meanwhile).
constexpr std::chrono::seconds expiry_retry{1};

// Drops the bindings that have expired by now; a failed save keeps them
// and retries after expiry_retry.
void expire(self_t* self) {
  follow_trace_filter(self);
  auto before = self->state.rec.state;
  auto now = sys_clock::now();
  auto fx = self->state.recorder
                ? self->state.recorder->on_timer(self->state.rec.state, now)
                : on_timer(self->state.rec.state, now);
  bool saved = !fx.changed || persist(self, before);
  if (fx.changed)
    hand_in_trace(self); // an idle tick that expired nothing is no step
  if (!saved)
    arm_expiry(self, sys_clock::now() + expiry_retry);
  else
    after_change(self, fx);
}

caf::behavior subscriber_actor(self_t* self, std::shared_ptr<registrar_env> env,
                               std::string aor, caf::actor directory) {
  self->state.env = std::move(env);
  self->state.directory = std::move(directory);
  self->state.rec.state.aor = aor;
  ++self->state.env->live_actors;
  self->attach_functor([env = self->state.env, counted = self->state.counted] {
    // Runs when the actor ends: its bindings stay stored, uncounted here.
    env->bindings -= *counted;
    --env->live_actors;
  });
  auto loaded = self->state.env->locations->load(aor);
  if (!loaded)
    spdlog::error("registrar {}: {}", aor, loaded.err().message);
  else if (*loaded) {
    self->state.rec = std::move(**loaded);
    self->state.stored = binding_ids(self->state.rec);
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  self->state.draw = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  // Bindings that expired while no actor watched them go now.
  expire(self);
  purge_if_removed(self);
  arm_idle(self);
  return {
      [=](register_atom, const std::shared_ptr<routed_register>& rr) {
        ++self->state.handled;
        arm_idle(self);
        on_register_request(self, *rr);
      },
      [=](admin_atom, const std::shared_ptr<admin_op>& op) {
        ++self->state.handled;
        arm_idle(self);
        on_admin(self, *op);
      },
      [=](expiry_atom, uint64_t gen) {
        if (gen != self->state.timer_gen)
          return; // re-armed since
        self->state.expiry_armed.reset();
        expire(self);
      },
      [=](keepalive_atom) {
        self->state.keepalive_armed = false;
        auto& env = *self->state.env;
        auto from = env.settings()->keepalive_from;
        for (const auto& b : keepalive_targets(self->state.rec.state))
          if (env.send_options && b.received)
            env.send_options(sip::edge::outgoing_options{b.uri, *b.received,
                                                         from, b.local_socket});
        arm_keepalive(self);
      },
      [=](idle_atom) {
        self->state.idle_armed = false;
        purge_if_removed(self);
        auto idle = self->state.env->settings()->idle;
        bool busy = next_expiry(self->state.rec.state).has_value();
        if (!busy &&
            std::chrono::steady_clock::now() - self->state.last_used >= idle) {
          // The directory stops us only if it sent nothing we have not
          // seen; otherwise this check runs again later.
          self->send(self->state.directory, passivate_atom::value,
                     self->state.rec.state.aor,
                     caf::actor_cast<caf::actor>(self), self->state.handled);
        }
        self->state.idle_armed = true;
        self->delayed_send(self, idle, idle_atom::value);
      },
      [=](stop_atom) { self->quit(); },
  };
}

} // namespace

caf::actor spawn_subscriber_actor(caf::actor_system& sys,
                                  std::shared_ptr<registrar_env> env,
                                  std::string aor, caf::actor directory) {
  return sys.spawn(subscriber_actor, std::move(env), std::move(aor),
                   std::move(directory));
}

} // namespace sb::actors::subscriber
