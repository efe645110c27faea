#include "actors/call/call_actor.hpp"

#include "actors/call/call_key.hpp"
#include "actors/call/call_messages.hpp"
#include "actors/call/call_snapshot.hpp"
#include "actors/call/call_state.hpp"
#include "actors/call/call_trace.hpp"
#include "actors/call/callee_stage.hpp"
#include "actors/call/caller_stage.hpp"
#include "actors/call/dialog_wait.hpp"
#include "actors/call/limits_stage.hpp"
#include "actors/call/media_watch.hpp"
#include "actors/call/routing.hpp"
#include "actors/call/session_timer.hpp"
#include "actors/call/sip_dialog.hpp"
#include "actors/media/media_snapshot.hpp"
#include "actors/subscriber/profile_lookup.hpp"
#include "actors/subscriber/register_auth.hpp"
#include "actors/support/remote_sip.hpp"
#include "common/json_fields.hpp"
#include "common/log.hpp"

#include <deque>
#include <map>
#include <random>
#include <unordered_map>
#include <variant>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

namespace sb::actors::call {

namespace edge = sip::edge;
using edge::incoming_request;
using edge::incoming_response;
using edge::sip_reply;
using request_ptr = std::shared_ptr<incoming_request>;
using response_ptr = std::shared_ptr<incoming_response>;

namespace {

std::string random_token(std::mt19937_64& rng) {
  static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string out;
  for (int i = 0; i < 16; ++i)
    out += digits[rng() % 36];
  return out;
}

std::mt19937_64& thread_rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

time_point wall_now() {
  return std::chrono::system_clock::now();
}

media::leg_id leg_of(side s) {
  return s == side::a ? media::leg_id::a : media::leg_id::b;
}

side other(side s) {
  return s == side::a ? side::b : side::a;
}

// -- the shell ----------------------------------------------------------------

// One B branch as SIP: its dialog, its INVITE, what it answered.
struct branch_leg {
  dialog_leg leg;
  uint64_t invite_id = 0;
  uint32_t invite_cseq = 0;
  std::string sdp_for_a; ///< its answer, rewritten for A
  std::vector<sip::header_field> relayed;
  /// The CANCEL of its INVITE as another process would send it (cluster
  /// mode: kept in the call's setup record).
  std::optional<edge::outgoing_request> cancel;
};

// An in-dialog request relayed from one leg to the other.
struct relay_txn {
  side from = side::a;
  uint64_t key = 0; ///< the edge key to answer
  sip::sip_message request;
  std::string body_out; ///< the body for the other leg
  std::optional<sip::sip_message> answer;
  std::string answer_body; ///< the answer's body for the requester
};

// A re-INVITE relayed to `to` and answered 2xx: the requester's ACK is
// relayed as an ACK on `to`.
struct relayed_invite {
  uint64_t out_id = 0;
  uint32_t cseq = 0;
};

using input = std::variant<request_ptr, response_ptr, timer_fired,
                           media_timeout, session_expired, node_leaving>;

// A session refresh we sent on a leg.
struct refresh_out {
  side leg = side::a;
  std::string method;
  uint32_t cseq = 0;
};

// How long the call waits for its media session's answer (it may run on
// another node) before it takes the session as gone.
constexpr std::chrono::seconds media_answer_timeout{5};

size_t idx(side s) {
  return static_cast<size_t>(s);
}

struct call_shell {
  std::shared_ptr<call_env> env;
  caf::event_based_actor* self = nullptr;
  request_ptr invite;
  subscriber::auth_profile caller;

  call_state core;
  std::optional<call_recorder> recorder; ///< when this call is traced
  uint32_t a_invite_cseq = 0;            ///< the caller's INVITE
  /// The media session's state after the last SDP it passed (snapshot).
  std::optional<media::media_session_state> media_state;
  /// What Redis holds for this call under its key (call_snapshot.hpp):
  /// nothing, the setup record (its INVITEs are out), or the snapshot of
  /// the answered or confirmed call, whose text is `saved_snapshot`.
  enum class stored { nothing, setup, snapshot };
  stored saved = stored::nothing;
  std::string saved_snapshot;
  bool setup_tried = false; ///< the setup record is written once, or never
  bool started = false;
  bool ended = false;
  dialog_leg a;
  std::string b_call_id;
  std::string b_tag;
  std::vector<branch_leg> b;
  caf::actor media;
  /// Cluster mode: the remote_sip actor of the lb node whose edge has the
  /// caller's INVITE, when that is not this node; null: this node's edge.
  caf::actor edge_sip;
  std::string edge_node; ///< its name, for the snapshot
  std::string offer_for_b;
  /// A late offer (RFC 3261 §13.2.1): the caller's INVITE had no SDP, the
  /// callee's 2xx offers and the caller's ACK answers.
  bool late_offer = false;
  std::string ack_body_for_b; ///< the caller's answer, rewritten
  std::vector<routing_context::admission> admissions;

  std::map<uint64_t, relay_txn> relays;
  uint64_t next_txn = 0;
  std::unordered_map<uint64_t, uint64_t> out_txn; ///< request id → txn
  std::vector<uint64_t> requests;                 ///< ids in the registry
  std::array<std::optional<relayed_invite>, 2> reinvite;

  // Session timers (RFC 4028), per leg; a check carries the generation it
  // was armed with, so a refresh since makes it moot.
  std::array<std::optional<leg_timer>, 2> timers;
  std::array<uint32_t, 2> timer_gen{};
  std::array<bool, 2> allows_update{};
  std::array<std::string, 2> last_sdp; ///< the SDP we last sent on the leg
  std::unordered_map<uint64_t, refresh_out> refreshes;

  std::deque<input> inbox;
  std::function<void(result<std::string>)> sdp_continuation;
  std::chrono::steady_clock::time_point answered_at{};
  bool on_hold = false; ///< the last accepted offer holds (media timeout)

  // -- plumbing --------------------------------------------------------------

  caf::actor me() const { return caf::actor_cast<caf::actor>(self); }

  uint64_t track_request() {
    auto id = env->new_request_id();
    env->registry.add_request(id, me());
    requests.push_back(id);
    return id;
  }

  dialog_leg& leg_on(side s) {
    if (s == side::a)
      return a;
    return b[b_index()].leg;
  }

  // The B branch in-dialog requests go to: the winner, else the one A
  // hears early media from, else the first with an early dialog.
  size_t b_index() const {
    if (core.winner)
      return *core.winner;
    if (core.early_media_branch)
      return *core.early_media_branch;
    for (size_t i = 0; i < b.size(); ++i)
      if (!b[i].leg.remote.tag.empty())
        return i;
    return 0;
  }

  void push(input in) {
    inbox.push_back(std::move(in));
    pump();
  }

  void pump() {
    while (!sdp_continuation && !inbox.empty() && !ended) {
      auto in = std::move(inbox.front());
      inbox.pop_front();
      std::visit([this](auto& v) { handle(v); }, in);
    }
    persist();
  }

  // -- snapshots (call_snapshot.hpp)
  // -------------------------------------------

  // Writes the setup record once the INVITEs are out, then the snapshot of
  // the answered or confirmed call whenever it changed. A failed write is
  // logged and the call goes on: it then only lives on this node.
  void persist() {
    if (!env->snapshots || ended)
      return;
    if (!setup_tried && saved == stored::nothing &&
        (core.phase == call_phase::calling || core.phase == call_phase::early))
      persist_setup();
    // From the winning 2xx on: a call answered but not yet ACKed that is
    // restored elsewhere is hung up on both sides (restore), where the
    // setup record would have refused the caller after its 200.
    if ((core.phase != call_phase::answered &&
         core.phase != call_phase::confirmed) ||
        !core.winner || sdp_continuation)
      return;
    call_snapshot s;
    s.node = env->node;
    s.edge = edge_node;
    s.core = core;
    s.core.offer.reset();
    s.a = a;
    s.b = b[*core.winner].leg;
    s.a_invite_cseq = a_invite_cseq;
    s.b_invite_cseq = b[*core.winner].invite_cseq;
    s.timers = timers;
    s.allows_update = allows_update;
    s.last_sdp = last_sdp;
    s.on_hold = on_hold;
    s.admissions = admissions;
    s.media = media_state;
    auto text = snapshot_to_json(s).dump();
    if (saved == stored::snapshot && text == saved_snapshot)
      return;
    if (auto st = env->snapshots->put(a.call_id, text); !st) {
      spdlog::warn("call {}: snapshot not written: {}", a.call_id,
                   st.err().message);
      return;
    }
    saved = stored::snapshot;
    saved_snapshot = std::move(text);
  }

  // Once, when the INVITEs are out: what ending the call needs if this
  // node dies before it is confirmed (call_setup_record).
  void persist_setup() {
    setup_tried = true;
    if (!invite || invite->raw.empty())
      return;
    call_setup_record r;
    r.node = env->node;
    r.edge = edge_node;
    r.core = core;
    r.invite = invite->raw;
    r.source = invite->source;
    r.to_tag = a.local.tag;
    for (const auto& br : b)
      r.cancels.push_back(br.cancel.value_or(edge::outgoing_request{}));
    auto text = setup_to_json(r).dump();
    if (auto st = env->snapshots->put(a.call_id, text); !st) {
      spdlog::warn("call {}: setup record not written: {}", a.call_id,
                   st.err().message);
      return;
    }
    saved = stored::setup;
  }

  // The node lost its lease: another node may be running this call from
  // its snapshot, so this one stops sending anything and goes.
  void hand_over() {
    if (ended)
      return;
    ended = true;
    spdlog::info("call {}: handed over (this node was fenced)", a.call_id);
    env->call_handed_over();
    // The media session may be the new owner's already (adopted on the
    // lb): it is not ours to end. One still ours ends with us (it
    // monitors us).
    media = nullptr;
    cleanup();
    self->quit();
  }

  // Its lb died and the lb's HA peer has the address now
  // (call_edge_moved_atom).
  void edge_moved(const std::string& dead, const std::string& peer) {
    if (ended || edge_node.empty() || edge_node != dead)
      return;
    if (core.phase != call_phase::answered &&
        core.phase != call_phase::confirmed) {
      spdlog::info("call {}: its lb {} died while it was being set up; "
                   "ending it",
                   a.call_id, dead);
      push(node_leaving{});
      return;
    }
    auto next = env->edge_named ? env->edge_named(peer) : caf::actor{};
    if (!next) {
      spdlog::warn("call {}: its lb {} died and {} is not connected; its "
                   "requests are dropped until it ends",
                   a.call_id, dead, peer);
      return;
    }
    spdlog::info("call {}: its lb {} died; going on through {}", a.call_id,
                 dead, peer);
    edge_node = peer;
    edge_sip = std::move(next);
    env->call_edge_moved();
    if (media_state && !sdp_continuation)
      restore_remote_media(*media_state); // persists once it is open
    else
      persist();
  }

  // The node drains towards its HA peer (call_migrate_atom). Only between
  // transactions: an offer, a relayed request or a refresh in flight would
  // be answered to a node that no longer runs the call.
  void migrate() {
    if (ended)
      return;
    if (core.phase != call_phase::confirmed) {
      push(node_leaving{});
      return;
    }
    bool quiet = !sdp_continuation && inbox.empty() && !core.offer &&
                 relays.empty() && refreshes.empty() && !reinvite[0] &&
                 !reinvite[1];
    if (!quiet)
      return;
    persist();
    // Only the call's own snapshot may go on elsewhere; with the setup
    // record still there the peer would end the call as unanswered.
    if (saved != stored::snapshot)
      return; // not written (Redis): the next ask tries again
    ended = true;
    spdlog::info("call {}: migrated (this node is draining)", a.call_id);
    env->call_handed_over();
    cleanup();
    self->quit();
  }

  void forget_snapshot() {
    if (!env->snapshots || saved == stored::nothing)
      return;
    if (auto st = env->snapshots->put(a.call_id, std::nullopt); !st)
      spdlog::warn("call {}: snapshot not erased: {}", a.call_id,
                   st.err().message);
    saved = stored::nothing;
    saved_snapshot.clear();
  }

  // Goes on with a call another process ran (restore_calls).
  void restore(call_snapshot snap) {
    auto [s, max_left, hang_up] = resume(std::move(snap), wall_now());
    started = true;
    core = std::move(s.core);
    auto w = *core.winner;
    a = std::move(s.a);
    b.resize(core.branches.size());
    b[w].leg = std::move(s.b);
    b[w].invite_cseq = s.b_invite_cseq;
    b_call_id = b[w].leg.call_id;
    b_tag = b[w].leg.local.tag;
    a_invite_cseq = s.a_invite_cseq;
    timers = s.timers;
    allows_update = s.allows_update;
    last_sdp = std::move(s.last_sdp);
    on_hold = s.on_hold;
    admissions = std::move(s.admissions);
    for (const auto& adm : admissions)
      env->registry.admit(adm.subscriber_id, adm.out, 0, 0);
    env->call_started();
    env->registry.add_dialog(a.call_id, me());
    env->registry.add_dialog(b_call_id, me());
    answered_at = std::chrono::steady_clock::now();
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (env->registrar->traces.wants("call", a.call_id, u(thread_rng()))) {
      recorder.emplace();
      recorder->restored(core);
    }
    edge_node = s.edge == env->node ? std::string() : s.edge;
    if (!edge_node.empty()) {
      edge_sip = env->edge_named ? env->edge_named(edge_node) : caf::actor{};
      if (!edge_sip)
        spdlog::warn("call {}: its edge {} is not connected", a.call_id,
                     edge_node);
    }
    if (s.media && edge_sip) {
      restore_remote_media(std::move(*s.media));
    } else if (s.media && env->media) {
      auto m = media::spawn_restored_media_session(self->home_system(),
                                                   env->media, me(), *s.media);
      if (!m) {
        spdlog::error("call {}: media not restored, ending the call: {}",
                      a.call_id, m.err().message);
        push(media_timeout{});
        return;
      }
      media = std::move(*m);
      media_state = std::move(s.media);
      self->delayed_send(self, env->settings()->media_check,
                         call_media_check_atom::value);
    }
    arm_session(side::a);
    arm_session(side::b);
    self->delayed_send(self, max_left, call_timer_atom::value,
                       static_cast<uint8_t>(timer_kind::max_duration));
    spdlog::info("call {}: restored from the snapshot of node {}", a.call_id,
                 s.node);
    persist();
    if (hang_up) { // answered, not ACKed (resume)
      spdlog::info("call {}: was answered but not yet acknowledged; hanging "
                   "up both sides",
                   a.call_id);
      push(node_leaving{});
    }
  }

  // The media session of a call restored here whose media is on its lb:
  // reopened there on the same ports. Inputs wait meanwhile.
  void restore_remote_media(media::media_session_state st) {
    sdp_continuation = [](result<std::string>) {}; // holds the inbox
    auto text = media::session_to_json(st).dump();
    self->request(edge_sip, media_answer_timeout, media_restore_atom::value,
                  me(), text)
        .then(
            [this, st](const caf::actor& session) {
              media = session;
              media_state = st;
              sdp_continuation = nullptr;
              persist(); // names this node and the edge the media is on
              check_media_later();
              pump();
            },
            [this](caf::error& e) {
              spdlog::error("call {}: media not restored on {}, ending the "
                            "call: {}",
                            a.call_id, edge_node, self->system().render(e));
              sdp_continuation = nullptr;
              push(media_timeout{});
            });
  }

  // Passes an SDP through the media session; `then` runs with the body
  // for the other leg. Inputs wait meanwhile, so the core sees them in
  // order. Without a relay the body passes unchanged.
  void rewrite(side from, bool offer, std::string body,
               std::function<void(result<std::string>)> then) {
    if (!media) {
      then(std::move(body));
      return;
    }
    sdp_continuation = std::move(then);
    self->request(media, media_answer_timeout, media::media_sdp_atom::value,
                  static_cast<uint8_t>(leg_of(from)), offer, std::move(body))
        .then(
            [this](bool ok, const std::string& text, const std::string& after) {
              auto passed = media::sdp_answer(ok, text, after);
              if (!passed) {
                on_sdp(passed.err());
                return;
              }
              media_state = std::move(passed->after);
              on_sdp(std::move(passed->body));
            },
            [this](caf::error& e) {
              on_sdp(error{"the media session did not answer: " +
                           self->system().render(e)});
            });
  }

  void on_sdp(result<std::string> body) {
    auto then = std::move(sdp_continuation);
    sdp_continuation = nullptr;
    if (then)
      then(std::move(body));
    pump();
  }

  void feed(const call_event& ev) {
    auto now = wall_now();
    auto fx = recorder ? recorder->on(core, ev, now) : on_event(core, ev, now);
    // The new state is durable before the network hears of it (a node
    // that dies right after the ACK to B has the confirmed call in Redis);
    // what sending changes (CSeqs) is covered by restored_cseq_gap and
    // written after the input, in pump().
    persist();
    apply(fx);
  }

  // -- start -----------------------------------------------------------------

  void start() {
    env->call_started();
    if (env->edge_of)
      if (auto e = env->edge_of(invite->key)) {
        edge_sip = std::move(e->sip);
        edge_node = std::move(e->node);
      }
    const auto& m = invite->message;
    a_invite_cseq = m.cseq;
    a = caller_leg(m, invite->source, random_token(thread_rng()),
                   contact_for(invite->local_socket));
    timers[idx(side::a)] =
        negotiate_as_uas(m, env->settings()->session_timers).timer;
    allows_update[idx(side::a)] = has_token(m, "Allow", "UPDATE");
    b_call_id = b_leg_call_id(random_token(thread_rng()), m.call_id);
    b_tag = random_token(thread_rng());
    env->registry.add_dialog(a.call_id, me());
    env->registry.add_dialog(b_call_id, me());

    routing_context ctx;
    ctx.call_id = m.call_id;
    if (auto from = sip::split_uri(m.from.uri)) {
      ctx.from_user = from->user;
      ctx.from_domain = from->host;
    }
    if (auto ruri = sip::split_uri(m.request_uri)) {
      ctx.request_user = ruri->user;
      ctx.request_domain = ruri->host;
    }
    ctx.source_ip = invite->source.ip;
    ctx.now = wall_now();
    ctx.caller_subscriber_id = caller.subscriber_id;
    auto s = env->settings();
    ctx.plan.settings.ring_timeout = s->ring_timeout;
    ctx.plan.settings.max_duration = s->max_duration;
    ctx.plan.cdr.call_id = m.call_id;
    ctx.plan.cdr.source.ip = invite->source.ip;
    const auto& reader = env->registrar->reader;
    std::vector<routing_stage> stages{
        caller_stage(store_caller_lookup(reader)),
        callee_stage(store_lookups(reader, *env->registrar->locations)),
        limits_stage(env->registry, store_caller_lookup(reader))};
    auto stopped = run_pipeline(stages, ctx);
    admissions = ctx.admissions;
    if (!stopped.empty())
      spdlog::debug("call {}: stage {} answered {}", m.call_id, stopped,
                    ctx.plan.reject ? ctx.plan.reject->code : 0);
    auto plan = std::move(ctx.plan);
    if (plan.reject || (!env->media && !edge_sip)) {
      offer_for_b = m.body;
      begin(std::move(plan));
      return;
    }
    open_media([this, plan = std::move(plan)](bool opened) mutable {
      const auto& m = invite->message;
      if (!opened) {
        plan.targets.clear();
        plan.reject = rejection{503, "Media Relay Unavailable"};
        begin(std::move(plan));
        return;
      }
      if (!has_sdp(m)) {
        late_offer = true;
        begin(std::move(plan));
        return;
      }
      rewrite(side::a, true, m.body,
              [this, plan = std::move(plan)](result<std::string> r) mutable {
                if (!r) {
                  spdlog::info("call {}: offer refused: {}", a.call_id,
                               r.err().message);
                  plan.targets.clear();
                  plan.reject = rejection{488, "Not Acceptable Here"};
                } else {
                  offer_for_b = std::move(*r);
                }
                begin(std::move(plan));
              });
    });
  }

  // The call's media session: on this node's relay, or for a call whose
  // edge is another node's, on that lb's relay (the UAs' media goes
  // through the address their SIP went to). Inputs wait meanwhile.
  void open_media(std::function<void(bool opened)> then) {
    if (!edge_sip) {
      media = media::spawn_media_session(self->home_system(), env->media, me(),
                                         thread_rng()());
      then(true);
      return;
    }
    sdp_continuation = [](result<std::string>) {}; // holds the inbox
    self->request(edge_sip, media_answer_timeout, media_spawn_atom::value, me(),
                  thread_rng()())
        .then(
            [this, then](const caf::actor& session) {
              media = session;
              sdp_continuation = nullptr;
              then(true);
              pump();
            },
            [this, then](caf::error& e) {
              spdlog::warn("call {}: no media session on the lb: {}", a.call_id,
                           self->system().render(e));
              sdp_continuation = nullptr;
              then(false);
              pump();
            });
  }

  // Requests leave through the edge that has the call's caller: this
  // node's, or the lb's that forwarded the INVITE.
  void send_out(edge::outgoing_request r) {
    if (edge_sip)
      send_request_via(edge_sip, r);
    else
      env->send_request(std::move(r));
  }

  void cancel_out(uint64_t id) {
    if (edge_sip)
      cancel_request_via(edge_sip, id);
    else
      env->cancel_request(id);
  }

  void begin(call_plan plan) {
    started = true;
    auto now = wall_now();
    std::uniform_real_distribution<double> u(0.0, 1.0);
    if (env->registrar->traces.wants("call", a.call_id, u(thread_rng())))
      recorder.emplace();
    apply(recorder ? recorder->start(core, std::move(plan), now)
                   : call::start(core, std::move(plan), now));
    persist();
  }

  // -- effects ---------------------------------------------------------------

  void apply(const call_effects& fx) {
    for (auto i : fx.invite)
      send_invite(i);
    for (const auto& r : fx.reply)
      reply_caller(r);
    for (auto i : fx.cancel)
      cancel_out(b[i].invite_id);
    for (auto i : fx.ack) {
      auto req = make_request(b[i].leg, "ACK", env->new_request_id(),
                              b[i].invite_cseq);
      req.ack_for = b[i].invite_id;
      if (late_offer && !ack_body_for_b.empty()) {
        req.content_type = "application/sdp";
        req.body = ack_body_for_b;
        last_sdp[idx(side::b)] = ack_body_for_b;
      }
      send_out(std::move(req));
    }
    for (auto i : fx.bye)
      send_out(make_request(b[i].leg, "BYE", track_request()));
    if (fx.bye_caller)
      send_out(make_request(a, "BYE", track_request()));
    for (const auto& r : fx.relays)
      relay_out(r);
    for (const auto& r : fx.refuse) {
      auto it = relays.find(r.txn);
      if (it == relays.end())
        continue;
      env->reply(it->second.key,
                 sip_reply::of(static_cast<uint16_t>(r.code), r.reason));
      relays.erase(it);
    }
    for (const auto& t : fx.timers) {
      auto delay = std::max(t.at - wall_now(), time_point::duration::zero());
      self->delayed_send(
          self, std::chrono::duration_cast<std::chrono::milliseconds>(delay),
          call_timer_atom::value, static_cast<uint8_t>(t.kind));
    }
    if (core.phase == call_phase::answered ||
        core.phase == call_phase::confirmed) {
      if (answered_at == std::chrono::steady_clock::time_point{}) {
        answered_at = std::chrono::steady_clock::now();
        arm_session(side::a);
        arm_session(side::b);
        if (media)
          self->delayed_send(self, env->settings()->media_check,
                             call_media_check_atom::value);
      }
    }
    if (fx.cdr)
      finish(*fx.cdr);
  }

  void send_invite(size_t i) {
    if (b.size() <= i)
      b.resize(i + 1);
    const auto& target = core.branches[i].target;
    auto callee = invite->message.to;
    callee.tag.clear();
    auto caller_id = invite->message.from;
    b[i].leg = callee_leg(b_call_id, caller_id, b_tag, callee, target.uri,
                          target.path, target.next_hop, a.contact);
    b[i].invite_id = track_request();
    auto req = make_request(b[i].leg, "INVITE", b[i].invite_id);
    b[i].invite_cseq = req.cseq;
    req.headers = relayed_headers(invite->message);
    const auto& timer_settings = env->settings()->session_timers;
    for (auto& h :
         uac_request_headers(timer_settings.session_expires, timer_settings))
      req.headers.push_back(std::move(h));
    if (!offer_for_b.empty()) {
      last_sdp[idx(side::b)] = offer_for_b;
      req.content_type =
          invite->message.content_type.value_or("application/sdp");
      req.body = offer_for_b;
    }
    if (env->snapshots) {
      // Our own branch, so that a node that finds this call orphaned can
      // CANCEL the INVITE (RFC 3261 §9.1: same branch, Route, CSeq number).
      req.branch = "z9hG4bK" + random_token(thread_rng());
      b[i].cancel = cancel_of(req);
    }
    send_out(std::move(req));
  }

  void reply_caller(const caller_reply& r) {
    if (!invite)
      return; // restored: the INVITE transaction ended with the old node
    auto rep = sip_reply::of(static_cast<uint16_t>(r.code), r.reason);
    rep.to_tag = a.local.tag;
    if (r.code > 100 && r.code < 300)
      rep.headers.push_back({"Contact", a.contact});
    if (r.from_branch && *r.from_branch < b.size()) {
      const auto& br = b[*r.from_branch];
      for (const auto& h : br.relayed)
        rep.headers.push_back(h);
      if (r.with_sdp && !br.sdp_for_a.empty()) {
        rep.content_type = "application/sdp";
        rep.body = br.sdp_for_a;
        last_sdp[idx(side::a)] = br.sdp_for_a;
      }
    }
    if (r.code / 100 == 2 && timers[idx(side::a)])
      for (auto& h : uas_answer_headers(*timers[idx(side::a)]))
        rep.headers.push_back(std::move(h));
    env->reply(invite->key, std::move(rep));
  }

  void relay_out(const relay& r) {
    auto it = relays.find(r.txn);
    if (it == relays.end())
      return;
    auto& t = it->second;
    if (!r.method.empty()) { // the request, onto the other leg
      auto& leg = leg_on(r.to);
      auto id = track_request();
      out_txn[id] = r.txn;
      auto req = make_request(leg, r.method, id);
      for (auto h : relayed_headers(t.request)) {
        if (h.name == "RAck" || h.name == "rack")
          h.value = renumber_rack(h.value, r.to == side::a
                                               ? a_invite_cseq
                                               : b[b_index()].invite_cseq);
        req.headers.push_back(std::move(h));
      }
      if (!t.body_out.empty()) {
        req.content_type = t.request.content_type.value_or("application/sdp");
        req.body = t.body_out;
        if (has_sdp(t.request))
          last_sdp[idx(r.to)] = t.body_out;
      }
      if (r.method == "INVITE")
        reinvite[static_cast<size_t>(r.to)] = relayed_invite{id, req.cseq};
      send_out(std::move(req));
      return;
    }
    // The answer, back to the requester.
    auto rep = sip_reply::of(static_cast<uint16_t>(r.code),
                             t.answer ? t.answer->reason : std::string{});
    rep.to_tag = t.from == side::a ? a.local.tag : b_tag;
    if (t.answer)
      for (const auto& h : relayed_headers(*t.answer))
        rep.headers.push_back(h);
    bool refreshes_session =
        r.code / 100 == 2 &&
        (t.request.method == "INVITE" || t.request.method == "UPDATE");
    if (refreshes_session) {
      rep.headers.push_back({"Contact", leg_on(t.from).contact});
      if (const auto& timer = timers[idx(t.from)])
        for (auto& h : uas_answer_headers(*timer))
          rep.headers.push_back(std::move(h));
      arm_session(t.from);
    }
    if (!t.answer_body.empty()) {
      rep.content_type = t.answer && t.answer->content_type
                             ? *t.answer->content_type
                             : "application/sdp";
      rep.body = t.answer_body;
      if (t.answer && has_sdp(*t.answer))
        last_sdp[idx(t.from)] = t.answer_body;
    }
    env->reply(t.key, std::move(rep));
    if (r.code >= 200)
      relays.erase(it);
  }

  void finish(const billing::cdr_record& cdr) {
    if (ended)
      return;
    ended = true;
    auto id = env->cdrs.write(cdr);
    if (!id)
      spdlog::error("call {}: CDR not written: {}", cdr.call_id,
                    id.err().message);
    env->call_ended(billing::to_string(cdr.status));
    forget_snapshot();
    if (recorder)
      env->registrar->traces.add("call", a.call_id,
                                 trace_to_json(recorder->trace()), cdr.init_ms);
    cleanup();
    self->quit();
  }

  // Everything the call holds outside itself; runs once, on every end.
  void cleanup() {
    release_outside();
    if (media)
      self->send_exit(media, caf::exit_reason::normal);
    media = nullptr;
  }

  void release_outside() {
    for (const auto& adm : admissions)
      env->registry.release(adm.subscriber_id, adm.out);
    admissions.clear();
    env->registry.remove_dialog(a.call_id);
    env->registry.remove_dialog(b_call_id);
    for (auto id : requests)
      env->registry.remove_request(id);
    requests.clear();
  }

  call_shell() = default;
  call_shell(const call_shell&) = delete;
  call_shell& operator=(const call_shell&) = delete;

  // CAF destroys the state however the actor ends (a bug, a kill): what
  // the call holds outside is released and an unanswered caller gets 500.
  // (The media session monitors this actor and ends with it.)
  ~call_shell() {
    if (!env || ended)
      return;
    ended = true;
    if (invite && (!started || core.phase == call_phase::calling ||
                   core.phase == call_phase::early))
      env->reply(invite->key, sip_reply::of(500, "Call Failed"));
    env->call_ended("failed");
    release_outside();
  }

  // -- inputs ----------------------------------------------------------------

  void handle(const request_ptr& rq) {
    const auto& m = rq->message;
    side from = m.call_id == a.call_id ? side::a : side::b;
    if (rq->ack_timeout) {
      if (from == side::a && m.cseq == a_invite_cseq)
        feed(caller_ack_timeout{});
      return;
    }
    if (m.method == "ACK")
      return on_ack(from, m);
    if (m.method == "CANCEL") {
      if (from == side::a && invite && rq->key == invite->key)
        feed(caller_cancel{});
      return;
    }
    if (!rq->needs_reply)
      return;
    if (from == side::b &&
        (b.empty() || m.from.tag != leg_on(side::b).remote.tag)) {
      env->reply(rq->key,
                 sip_reply::of(481, "Call/Transaction Does Not Exist"));
      return;
    }
    if (m.method == "INVITE" && from == side::a && m.to.tag.empty()) {
      // A second initial INVITE with our Call-ID (a new transaction after
      // a 407 is routed by the manager before this call exists).
      env->reply(rq->key, sip_reply::of(482, "Loop Detected"));
      return;
    }
    leg_on(from).remote_cseq = m.cseq;
    if (m.method == "BYE") {
      env->reply(rq->key, sip_reply::of(200));
      feed(hangup{from});
      return;
    }
    if (m.method == "UPDATE" && !has_sdp(m) &&
        core.phase == call_phase::confirmed) {
      // A pure session refresh is this leg's business (RFC 4028 per leg).
      auto ok = sip_reply::of(200);
      ok.headers.push_back({"Contact", leg_on(from).contact});
      if (const auto& timer = timers[idx(from)])
        for (auto& h : uas_answer_headers(*timer))
          ok.headers.push_back(std::move(h));
      env->reply(rq->key, std::move(ok));
      arm_session(from);
      return;
    }
    auto txn = ++next_txn;
    relay_txn t;
    t.from = from;
    t.key = rq->key;
    t.request = m;
    bool offer = (m.method == "INVITE" || m.method == "UPDATE") && has_sdp(m);
    if (!offer) {
      t.body_out = m.body;
      relays.emplace(txn, std::move(t));
      feed(dialog_request{from, m.method, txn, false});
      return;
    }
    relays.emplace(txn, std::move(t));
    rewrite(from, true, m.body,
            [this, txn, from, method = m.method](result<std::string> r) {
              auto it = relays.find(txn);
              if (it == relays.end())
                return;
              if (!r) {
                env->reply(it->second.key,
                           sip_reply::of(488, "Not Acceptable Here"));
                relays.erase(it);
                return;
              }
              it->second.body_out = std::move(*r);
              feed(dialog_request{from, method, txn, true});
            });
  }

  void on_ack(side from, const sip::sip_message& m) {
    if (from == side::a && m.cseq == a_invite_cseq) {
      if (late_offer && has_sdp(m) && ack_body_for_b.empty()) {
        rewrite(side::a, false, m.body, [this](result<std::string> r) {
          if (r)
            ack_body_for_b = std::move(*r);
          else
            spdlog::info("call {}: answer in the ACK refused: {}", a.call_id,
                         r.err().message);
          feed(caller_ack{});
        });
        return;
      }
      feed(caller_ack{});
      return;
    }
    // The ACK of a relayed re-INVITE's 2xx goes on to the other leg.
    auto& ri = reinvite[static_cast<size_t>(other(from))];
    if (!ri)
      return;
    auto req = make_request(leg_on(other(from)), "ACK", env->new_request_id(),
                            ri->cseq);
    req.ack_for = ri->out_id;
    send_out(std::move(req));
    ri.reset();
  }

  void handle(const response_ptr& r) {
    const auto& m = r->message;
    for (size_t i = 0; i < b.size(); ++i)
      if (b[i].invite_id == r->id)
        return on_branch_response(i, m);
    if (auto rf = refreshes.find(r->id); rf != refreshes.end()) {
      if (m.status >= 200)
        on_refresh_answer(r->id, m);
      return;
    }
    auto t = out_txn.find(r->id);
    if (t == out_txn.end())
      return; // a BYE's answer
    if (m.status < 200)
      return;
    auto txn = t->second;
    out_txn.erase(t);
    auto it = relays.find(txn);
    if (it == relays.end())
      return;
    it->second.answer = m;
    side answered_by = other(it->second.from);
    if (m.status / 100 == 2 && (it->second.request.method == "INVITE" ||
                                it->second.request.method == "UPDATE")) {
      arm_session(answered_by); // our relayed request refreshed that leg
      if (has_sdp(it->second.request))
        on_hold = sdp_holds(it->second.request.body);
    }
    bool offer_answered = m.status / 100 == 2 && has_sdp(m) &&
                          (it->second.request.method == "INVITE" ||
                           it->second.request.method == "UPDATE");
    if (!offer_answered) {
      if (m.status / 100 != 2 && it->second.request.method == "INVITE")
        reinvite[static_cast<size_t>(answered_by)].reset();
      it->second.answer_body = has_sdp(m) ? std::string{} : m.body;
      feed(dialog_response{answered_by, txn, m.status});
      return;
    }
    rewrite(answered_by, false, m.body,
            [this, txn, answered_by, code = m.status](result<std::string> rw) {
              auto it = relays.find(txn);
              if (it == relays.end())
                return;
              if (rw)
                it->second.answer_body = std::move(*rw);
              else
                spdlog::info("call {}: answer refused: {}", a.call_id,
                             rw.err().message);
              feed(dialog_response{answered_by, txn, code});
            });
  }

  void on_branch_response(size_t i, const sip::sip_message& m) {
    int code = m.status;
    if (code == 100)
      return;
    if (code < 300)
      learn_from_response(b[i].leg, m);
    if (code / 100 == 2 && !core.winner) {
      timers[idx(side::b)] = from_uac_answer(m);
      allows_update[idx(side::b)] = has_token(m, "Allow", "UPDATE");
    }
    b[i].relayed = relayed_headers(m);
    bool sdp = has_sdp(m) && code < 300;
    // Only the answer A will hear is passed through the relay: the first
    // 2xx, or early media from the first branch that sends it.
    bool wanted = sdp && (code / 100 == 2 ? !core.winner
                                          : (!core.early_media_branch ||
                                             *core.early_media_branch == i));
    if (!wanted) {
      feed(branch_response{i, code, m.reason, false});
      return;
    }
    // With a late offer the callee's 2xx (or reliable 1xx) offers.
    rewrite(side::b, late_offer, m.body,
            [this, i, code, reason = m.reason](result<std::string> r) {
              bool ok = static_cast<bool>(r);
              if (ok)
                b[i].sdp_for_a = std::move(*r);
              else
                spdlog::info("call {}: answer refused: {}", a.call_id,
                             r.err().message);
              feed(branch_response{i, code, reason, ok});
            });
  }

  void handle(const timer_fired& t) { feed(t); }
  void handle(const media_timeout& t) { feed(t); }
  void handle(const session_expired& t) { feed(t); }
  void handle(const node_leaving& t) { feed(t); }

  // -- session timers
  // ----------------------------------------------------------

  void arm_session(side s) {
    const auto& timer = timers[idx(s)];
    if (!timer || ended)
      return;
    auto gen = ++timer_gen[idx(s)];
    self->delayed_send(self, due_after(*timer), call_session_atom::value,
                       static_cast<uint8_t>(s), gen);
  }

  void on_session_due(side s, uint32_t gen) {
    const auto& timer = timers[idx(s)];
    if (ended || !timer || gen != timer_gen[idx(s)] ||
        core.phase != call_phase::confirmed)
      return;
    if (timer->who == refresher::peer) {
      spdlog::info("call {}: no session refresh on the {} leg in {} s: ending",
                   a.call_id, s == side::a ? "A" : "B", timer->interval);
      push(session_expired{s});
      return;
    }
    auto method =
        refresh_method(allows_update[idx(s)], !last_sdp[idx(s)].empty());
    bool update = method == "UPDATE";
    auto id = track_request();
    auto req = make_request(leg_on(s), std::string(method), id);
    for (auto& h :
         uac_request_headers(timer->interval, env->settings()->session_timers))
      req.headers.push_back(std::move(h));
    if (!update) {
      req.content_type = "application/sdp";
      req.body = last_sdp[idx(s)];
    }
    refreshes[id] = refresh_out{s, req.method, req.cseq};
    send_out(std::move(req));
    persist(); // the leg's CSeq moved
  }

  void on_refresh_answer(uint64_t id, const sip::sip_message& m) {
    auto rf = refreshes.at(id);
    refreshes.erase(id);
    if (rf.method == "INVITE" && m.status / 100 == 2) {
      auto ack =
          make_request(leg_on(rf.leg), "ACK", env->new_request_id(), rf.cseq);
      ack.ack_for = id;
      send_out(std::move(ack));
    }
    if (m.status == 408 || m.status == 481) {
      // The peer has no session any more (RFC 4028 §10).
      push(session_expired{rf.leg});
      return;
    }
    arm_session(rf.leg);
  }

  // Media: the newest packet on any stream of either leg.
  void on_media_report(const media::media_report& rep) {
    if (ended || core.phase == call_phase::ended)
      return;
    auto idle = media_idle(rep, answered_at, std::chrono::steady_clock::now());
    auto s = env->settings();
    if (media_timed_out(idle, on_hold, s->rtp_timeout, s->rtp_timeout_onhold)) {
      spdlog::info(
          "call {}: no RTP for {} s: ending it", a.call_id,
          std::chrono::duration_cast<std::chrono::seconds>(idle).count());
      push(media_timeout{});
      return;
    }
    check_media_later();
  }

  void check_media_later() {
    self->delayed_send(self, env->settings()->media_check,
                       call_media_check_atom::value);
  }
};

caf::behavior call_behavior(caf::stateful_actor<call_shell>* self);

caf::behavior call_actor(caf::stateful_actor<call_shell>* self,
                         std::shared_ptr<call_env> env, request_ptr invite,
                         subscriber::auth_profile caller) {
  auto& st = self->state;
  st.env = std::move(env);
  st.self = self;
  st.invite = std::move(invite);
  st.caller = std::move(caller);
  st.start();
  return call_behavior(self);
}

caf::behavior restored_call_actor(caf::stateful_actor<call_shell>* self,
                                  std::shared_ptr<call_env> env,
                                  std::shared_ptr<call_snapshot> snapshot) {
  auto& st = self->state;
  st.env = std::move(env);
  st.self = self;
  st.restore(std::move(*snapshot));
  return call_behavior(self);
}

caf::behavior call_behavior(caf::stateful_actor<call_shell>* self) {
  return {
      [self](call_request_atom, const request_ptr& rq) {
        self->state.push(rq);
      },
      [self](call_response_atom, const response_ptr& r) {
        self->state.push(r);
      },
      [self](call_timer_atom, uint8_t kind) {
        self->state.push(timer_fired{static_cast<timer_kind>(kind)});
      },
      [self](call_hand_over_atom) { self->state.hand_over(); },
      [self](call_migrate_atom) { self->state.migrate(); },
      [self](call_edge_moved_atom, const std::string& dead,
             const std::string& peer) { self->state.edge_moved(dead, peer); },
      [self](call_session_atom, uint8_t leg, uint32_t gen) {
        self->state.on_session_due(static_cast<side>(leg), gen);
      },
      [self](call_media_check_atom) {
        auto& s = self->state;
        if (s.ended || !s.media)
          return;
        self->request(s.media, media_answer_timeout,
                      media::media_stats_atom::value)
            .then(
                [self](const std::string& text) {
                  auto rep = decode_json_text(
                      text, "media report", [](const nlohmann::json& j) {
                        return media::report_from_json(
                            j, std::chrono::steady_clock::now());
                      });
                  if (!rep) {
                    spdlog::warn("call {}: {}", self->state.a.call_id,
                                 rep.err().message);
                    self->state.check_media_later();
                    return;
                  }
                  self->state.on_media_report(*rep);
                },
                [self](caf::error& e) {
                  spdlog::warn("call {}: no media counters: {}",
                               self->state.a.call_id, self->system().render(e));
                  self->state.check_media_later();
                });
      },
  };
}

// -- the manager
// ---------------------------------------------------------------

struct manager_state {
  std::shared_ptr<call_env> env;
  sip::auth::nonce_counter nonces{16384};
  /// In-dialog requests waiting for their call to be restored here.
  std::optional<dialog_wait<request_ptr>> waiting;
};

constexpr size_t max_waiting_requests = 4096;
constexpr auto wait_tick = std::chrono::milliseconds{100};

void answer_unknown_dialog(call_env& env, const request_ptr& rq) {
  if (rq->needs_reply)
    env.reply(rq->key, sip_reply::of(481, "Call/Transaction Does Not Exist"));
}

// Hands parked requests to calls restored since, answers those that
// waited long enough, and looks again while some wait.
void sweep_waiting(caf::stateful_actor<manager_state>* self) {
  auto& env = *self->state.env;
  auto& waiting = *self->state.waiting;
  waiting.sweep(
      std::chrono::steady_clock::now(),
      [&env](const std::string& id) { return env.registry.by_call_id(id); },
      [self](request_ptr rq, const caf::actor& call) {
        spdlog::info("call {}: {} waited for the call to be restored here",
                     rq->message.call_id, rq->message.method);
        self->send(call, call_request_atom::value, std::move(rq));
      },
      [&env](request_ptr rq) { answer_unknown_dialog(env, rq); });
  if (!waiting.empty())
    self->delayed_send(self, wait_tick, call_wait_tick_atom::value);
}

void on_new_invite(caf::stateful_actor<manager_state>* self,
                   const request_ptr& rq) {
  auto& env = *self->state.env;
  const auto& m = rq->message;
  if (env.draining) {
    env.reply(rq->key,
              sip_reply::of(503, "Node Draining", {{"Retry-After", "1"}}));
    return;
  }
  if (auto refusal = unacceptable_body(m)) {
    env.reply(rq->key, std::move(*refusal));
    return;
  }
  auto timers = negotiate_as_uas(m, env.settings()->session_timers);
  if (timers.reject) {
    env.reply(rq->key, std::move(*timers.reject));
    return;
  }
  auto from = sip::split_uri(m.from.uri);
  if (!from || from->user.empty()) {
    env.reply(rq->key, sip_reply::of(400, "Bad From URI"));
    return;
  }
  const auto& reader = env.registrar->reader;
  auto domain = subscriber::lookup_domain(reader, from->host);
  if (!domain) {
    spdlog::error("call {}: provisioning read failed: {}", m.call_id,
                  domain.err().message);
    env.reply(rq->key, sip_reply::of(500, "Server Internal Error"));
    return;
  }
  if (!*domain) {
    // Not one of ours, and no trusted source yet (peerings come later).
    env.reply(rq->key, sip_reply::of(403, "Forbidden"));
    return;
  }
  auto [in, settings] = env.registrar->auth_inputs(rq->source.ip);
  if (auto early = subscriber::answer_without_profile(
          m, from->host, in, subscriber::proxy_scheme)) {
    env.reply(rq->key, std::move(early->reply));
    return;
  }
  auto profile = subscriber::lookup_user(reader, **domain, from->user);
  if (!profile) {
    env.reply(rq->key, sip_reply::of(500, "Server Internal Error"));
    return;
  }
  const subscriber::auth_profile* p = *profile ? &**profile : nullptr;
  auto d =
      subscriber::authenticate(m, from->user, from->host, p, in,
                               &self->state.nonces, subscriber::proxy_scheme);
  if (d.event != subscriber::auth_event::none && env.registrar->on_auth)
    env.registrar->on_auth(rq->source.ip, from->user + "@" + from->host,
                           d.event);
  if (!d.authenticated) {
    env.reply(rq->key, std::move(d.reply));
    return;
  }
  self->spawn(call_actor, self->state.env, rq, **profile);
}

caf::behavior call_manager(caf::stateful_actor<manager_state>* self,
                           std::shared_ptr<call_env> env) {
  self->state.env = std::move(env);
  return {
      [self](call_request_atom, const request_ptr& rq) {
        auto& env = *self->state.env;
        const auto& m = rq->message;
        // A call spawned since the edge looked: its messages go there.
        if (auto call = env.registry.by_call_id(m.call_id)) {
          self->send(*call, call_request_atom::value, rq);
          return;
        }
        if (m.method == "INVITE" && m.to.tag.empty() && rq->needs_reply) {
          on_new_invite(self, rq);
          return;
        }
        // In a cluster the call may be about to be restored here (a
        // failover or a migration just moved its address): it waits.
        if (env.snapshots && !m.to.tag.empty()) {
          auto& waiting = self->state.waiting;
          if (!waiting)
            waiting.emplace(max_waiting_requests, env.settings()->dialog_wait);
          bool first = waiting->empty();
          if (waiting->park(m.call_id, rq, std::chrono::steady_clock::now())) {
            if (first)
              self->delayed_send(self, wait_tick, call_wait_tick_atom::value);
            return;
          }
        }
        answer_unknown_dialog(env, rq);
      },
      [self](call_wait_tick_atom) {
        if (self->state.waiting)
          sweep_waiting(self);
      },
  };
}

} // namespace

caf::actor spawn_call_manager(caf::actor_system& sys,
                              std::shared_ptr<call_env> env) {
  return sys.spawn(call_manager, std::move(env));
}

void hand_over_calls(call_env& env) {
  for (const auto& a : env.registry.calls())
    caf::anon_send(a, call_hand_over_atom::value);
}

void migrate_calls(call_env& env) {
  for (const auto& a : env.registry.calls())
    caf::anon_send(a, call_migrate_atom::value);
}

namespace {

// A call its node was setting up when it died: the core decides as for a
// node leaving (503 to A, CANCEL to the branches, the CDR), and this node
// carries it out statelessly: the INVITE transactions died with the node.
void end_orphaned_setup(call_env& env, const std::string& id,
                        call_setup_record r) {
  auto fx = on_event(r.core, node_leaving{}, wall_now());
  // Through the call's lb when it was placed on a proxy.
  caf::actor lb;
  if (!r.edge.empty() && r.edge != env.node && env.edge_named)
    lb = env.edge_named(r.edge);
  size_t cancelled = 0;
  for (auto i : fx.cancel) {
    if (i >= r.cancels.size() || r.cancels[i].branch.empty() ||
        !env.send_request)
      continue;
    auto c = r.cancels[i];
    c.id = env.new_request_id();
    if (lb)
      send_request_via(lb, c);
    else
      env.send_request(std::move(c));
    ++cancelled;
  }
  for (const auto& rep : fx.reply) {
    if (!env.reply_orphan)
      break;
    auto reply = sip_reply::of(static_cast<uint16_t>(rep.code), rep.reason);
    reply.to_tag = r.to_tag;
    if (lb)
      reply_orphan_via(lb, {r.invite, r.source, std::move(reply)});
    else
      env.reply_orphan({r.invite, r.source, std::move(reply)});
  }
  if (fx.cdr) {
    if (auto w = env.cdrs.write(*fx.cdr); !w)
      spdlog::error("call {}: CDR not written: {}", id, w.err().message);
    env.orphan_ended(billing::to_string(fx.cdr->status));
  }
  if (auto st = env.snapshots->put(id, std::nullopt); !st)
    spdlog::warn("call {}: setup record not erased: {}", id, st.err().message);
  spdlog::info("call {}: was being set up on {}; ended with {} to the caller, "
               "{} branch(es) cancelled, CDR written",
               id, r.node, fx.reply.empty() ? 0 : fx.reply.front().code,
               cancelled);
}

} // namespace

result<size_t> restore_calls(caf::actor_system& sys,
                             std::shared_ptr<call_env> env,
                             const std::string& node,
                             const restore_filter& wanted) {
  if (!env->snapshots)
    return size_t{0};
  std::vector<std::string> ids;
  if (auto st = env->snapshots->each(
          [&ids](const std::string& id) { ids.push_back(id); });
      !st)
    return error{"call snapshots: " + st.err().message};
  size_t restored = 0;
  for (const auto& id : ids) {
    auto text = env->snapshots->get(id);
    if (!text)
      return error{"call snapshot " + id + ": " + text.err().message};
    if (!*text)
      continue; // ended meanwhile
    auto j = nlohmann::json::parse(**text, nullptr, false);
    if (is_setup_record(j)) {
      auto setup = setup_from_json(j);
      if (!setup)
        spdlog::error("call {}: {}", id, setup.err().message);
      else if (setup->node == node && !env->registry.by_call_id(id) &&
               (!wanted || wanted(id, setup->edge)))
        end_orphaned_setup(*env, id, std::move(*setup));
      continue;
    }
    auto snap = j.is_discarded() ? result<call_snapshot>{error{"not JSON"}}
                                 : snapshot_from_json(j);
    if (!snap) {
      spdlog::error("call {}: snapshot not restored: {}", id,
                    snap.err().message);
      continue;
    }
    if (snap->node != node || env->registry.by_call_id(id) ||
        (wanted && !wanted(id, snap->edge)))
      continue;
    sys.spawn(restored_call_actor, env,
              std::make_shared<call_snapshot>(std::move(*snap)));
    ++restored;
  }
  return restored;
}

void dispatch_call_request(call_env& env, const caf::actor& manager,
                           incoming_request&& rq) {
  auto p = std::make_shared<incoming_request>(std::move(rq));
  if (auto call = env.registry.by_call_id(p->message.call_id))
    caf::anon_send(*call, call_request_atom::value, std::move(p));
  else
    caf::anon_send(manager, call_request_atom::value, std::move(p));
}

void dispatch_call_response(call_env& env, incoming_response&& r) {
  if (auto call = env.registry.by_request(r.id))
    caf::anon_send(*call, call_response_atom::value,
                   std::make_shared<incoming_response>(std::move(r)));
}

} // namespace sb::actors::call
