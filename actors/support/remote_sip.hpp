// SIP requests that cross nodes (ARCHITECTURE.md §4, §7): the edge that
// received a request keeps its transaction; the node that owns the actor
// the request is for handles it and its answer travels back to that edge.
// On the wire a request is its text as received (re-parsed by the owner's
// one parser) plus where it came from; an answer is JSON. Each node runs
// one `remote_sip` actor, offered to its peers as the service "sip".
#pragma once

#include "actors/subscriber/subscriber_messages.hpp"
#include "sip/edge/edge_types.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <nlohmann/json.hpp>

namespace sb::actors {

/// The keys of requests that came from other nodes: the owner answers them
/// like local ones, and `reply` routes the answer back to the edge that has
/// the transaction. Keys have the top bit set, so they never collide with
/// an edge's own keys. Thread-safe.
class remote_requests {
public:
  static bool is_remote(uint64_t key) { return key >> 63; }
  /// A key for a request from `origin` (its remote_sip actor) that has
  /// `origin_key` there. Entries unanswered for `max_age` are dropped.
  uint64_t add(caf::actor origin, uint64_t origin_key,
               std::chrono::steady_clock::time_point now);
  /// Sends the answer of a remote key back; false for an unknown key.
  bool reply(uint64_t key, const sip::edge::sip_reply& r);
  /// The remote key of the request `origin` forwarded as `origin_key`
  /// (a CANCEL names its INVITE so); 0 when none is pending.
  uint64_t find(const caf::actor& origin, uint64_t origin_key);
  /// The remote_sip actor of the node whose edge has the request of
  /// `key`; null for an unknown key.
  caf::actor origin_of(uint64_t key);

  std::chrono::seconds max_age{32};

private:
  struct entry {
    caf::actor origin;
    uint64_t origin_key;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mu_;
  uint64_t next_ = 0;
  std::unordered_map<uint64_t, entry> pending_;
  std::chrono::steady_clock::time_point last_purge_{};
};

/// Hands `rq` to the node whose remote_sip actor is `owner`; answers come
/// back to `local` (this node's remote_sip actor). `rq.raw` must be set.
void forward_request(const caf::actor& owner, const caf::actor& local,
                     const sip::edge::incoming_request& rq);

/// A call on this node sends `r` through the edge of the lb node whose
/// remote_sip actor is `lb`. `r.id` names this node (call_key.hpp's
/// cluster_request_id): the answers come to its remote_sip by that.
void send_request_via(const caf::actor& lb,
                      const sip::edge::outgoing_request& r);
void cancel_request_via(const caf::actor& lb, uint64_t id);
void reply_orphan_via(const caf::actor& lb, const sip::edge::orphan_reply& o);
/// An answer the edge here got for a request a call on the node of
/// `owner` (its remote_sip actor) sent through it.
void forward_response(const caf::actor& owner,
                      const sip::edge::incoming_response& r);

/// To an lb node's remote_sip: (media_spawn_atom, caf::actor owner,
/// uint64_t session_id) -> caf::actor, a media session on its relay for a
/// call that runs on another node (its owner); an error when it has no
/// relay.
using media_spawn_atom = caf::atom_constant<caf::atom("rs_mdsp")>;
/// To an lb node's remote_sip: (media_restore_atom, caf::actor owner,
/// std::string state as JSON, media_snapshot.hpp) -> caf::actor, the media
/// session of a call restored on another node after its node died,
/// reopened on the same ports; an error when they are taken or there is no
/// relay.
using media_restore_atom = caf::atom_constant<caf::atom("rs_mdrs")>;

/// Asks the node whose remote_sip actor is `peer` to take over the calls
/// whose snapshots name `node` (a drain moving them to its HA peer).
void ask_take_over(const caf::actor& peer, const std::string& node);

/// Hands an API change of a binding to the node whose remote_sip actor is
/// `owner` (it owns the AoR), through `local`, this node's remote_sip
/// actor, which runs `op->done` with the owner's answer, or with an error
/// when none comes within `admin_timeout`.
void forward_admin(const caf::actor& local, const caf::actor& owner,
                   std::shared_ptr<subscriber::admin_op> op);
inline constexpr std::chrono::seconds admin_timeout{5};

/// Has the lb node whose remote_sip actor is `lb` send a NAT keepalive of
/// a binding this node's subscriber actor keeps.
void forward_options(const caf::actor& lb,
                     const sip::edge::outgoing_options& o);

/// The outcome of a digest check made here for a request that came
/// through the lb whose remote_sip actor is `lb`: its shield counts it
/// (failed-auth bans).
void forward_auth(const caf::actor& lb, const std::string& ip,
                  const std::string& user, bool success);

struct remote_sip_hooks {
  /// A request from another node, parsed, with a remote key: hand it to
  /// the local owner (the subscriber directory).
  std::function<void(std::shared_ptr<sip::edge::incoming_request>)> deliver;
  /// An answer from another node to one of this edge's requests.
  std::function<void(uint64_t key, sip::edge::sip_reply)> reply;
  /// Another node asks this one to take over the calls of `node`.
  std::function<void(const std::string& node)> take_over;
  /// An API change of a binding from another node (`forwarded` set): hand
  /// it to the local owner (the subscriber directory).
  std::function<void(std::shared_ptr<subscriber::admin_op>)> admin;
  /// A NAT keepalive another node's subscriber actor wants sent from this
  /// node's edge.
  std::function<void(sip::edge::outgoing_options)> send_options;
  /// A call on another node sends a request, cancels one, or answers an
  /// orphaned INVITE through this node's edge.
  std::function<void(sip::edge::outgoing_request)> send_request;
  std::function<void(uint64_t id)> cancel_request;
  std::function<void(sip::edge::orphan_reply)> reply_orphan;
  /// An answer to a request a call here sent through another node's edge.
  std::function<void(sip::edge::incoming_response)> response;
  /// A media session for a call on another node; null: no relay here.
  std::function<caf::actor(caf::actor owner, uint64_t session_id)> spawn_media;
  /// The media session of a call restored on another node, on the same
  /// ports (media_restore_atom).
  std::function<result<caf::actor>(caf::actor owner,
                                   const std::string& state_json)>
      restore_media;
  /// A digest outcome another node checked (forward_auth).
  std::function<void(const std::string& ip, const std::string& user,
                     bool success)>
      on_auth;
};

caf::actor spawn_remote_sip(caf::actor_system& sys,
                            std::shared_ptr<remote_requests> table,
                            remote_sip_hooks hooks);

} // namespace sb::actors
