#include "actors/support/remote_sip.hpp"

#include "actors/support/edge_wire.hpp"
#include "common/json_fields.hpp"

#include "sip/msg/parse.hpp"

#include <caf/actor_cast.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include <optional>
#include <unordered_map>
#include <vector>

namespace sb::actors {

namespace {

// (raw text, transport, source ip, source port, local socket, origin key,
// origin's remote_sip actor, flags: 1 needs a reply, 2 an ACK timeout)
using remote_request_atom = caf::atom_constant<caf::atom("rs_req")>;
// To an lb: (outgoing request as JSON) / (request id) / (orphan reply as
// JSON), from a call on another node.
using remote_send_atom = caf::atom_constant<caf::atom("rs_send")>;
using remote_cancel_atom = caf::atom_constant<caf::atom("rs_canc")>;
using remote_orphan_atom = caf::atom_constant<caf::atom("rs_orph")>;
// To a call's node: (request id, response text or "", status, reason).
using remote_response_atom = caf::atom_constant<caf::atom("rs_rsp")>;
// To an lb: (source ip, user, success), a digest outcome for its shield.
using remote_auth_atom = caf::atom_constant<caf::atom("rs_auth")>;
constexpr uint8_t flag_needs_reply = 1;
constexpr uint8_t flag_ack_timeout = 2;
// (origin key, answer as JSON text)
using remote_reply_atom = caf::atom_constant<caf::atom("rs_rep")>;
// (node whose calls to take over)
using remote_take_over_atom = caf::atom_constant<caf::atom("rs_take")>;
// Local, to the origin's remote_sip actor: (owner's remote_sip actor,
// shared_ptr<admin_op>).
using admin_out_atom = caf::atom_constant<caf::atom("rs_admo")>;
// To the owner: (subscriber id, binding to add as JSON or "", URI to
// remove) -> (ok, binding id, error text).
using remote_admin_atom = caf::atom_constant<caf::atom("rs_adm")>;
// Local, the owner's op is done: (promise key, ok, binding id, error).
using admin_done_atom = caf::atom_constant<caf::atom("rs_admd")>;
// To an lb: (request URI, transport, target ip, target port, From URI,
// local socket), a NAT keepalive to send.
using remote_options_atom = caf::atom_constant<caf::atom("rs_opt")>;

std::string
binding_request_to_json(const subscriber::permanent_binding_request& b) {
  nlohmann::json j{{"uri", b.uri},
                   {"path", b.path},
                   {"local_socket", b.local_socket},
                   {"user_agent", b.user_agent}};
  if (b.q)
    j["q"] = *b.q;
  return j.dump();
}

std::optional<subscriber::permanent_binding_request>
binding_request_from_json(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  try {
    if (j.is_discarded() || !j.is_object())
      return std::nullopt;
    subscriber::permanent_binding_request b;
    b.uri = j.value("uri", "");
    b.path = j.value("path", std::vector<std::string>{});
    b.local_socket = j.value("local_socket", "");
    b.user_agent = j.value("user_agent", "");
    if (j.contains("q"))
      b.q = j["q"].get<uint16_t>();
    return b;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

} // namespace

uint64_t remote_requests::add(caf::actor origin, uint64_t origin_key,
                              std::chrono::steady_clock::time_point now) {
  std::lock_guard lock{mu_};
  if (now - last_purge_ > max_age) {
    std::erase_if(pending_,
                  [&](const auto& kv) { return now - kv.second.at > max_age; });
    last_purge_ = now;
  }
  uint64_t key = (uint64_t{1} << 63) | ++next_;
  pending_.emplace(key, entry{std::move(origin), origin_key, now});
  return key;
}

bool remote_requests::reply(uint64_t key, const sip::edge::sip_reply& r) {
  entry e;
  {
    std::lock_guard lock{mu_};
    auto it = pending_.find(key);
    if (it == pending_.end())
      return false;
    // Provisional answers keep the entry for the final one.
    e = it->second;
    if (r.code >= 200)
      pending_.erase(it);
  }
  caf::anon_send(e.origin, remote_reply_atom::value, e.origin_key,
                 reply_to_json(r).dump());
  return true;
}

uint64_t remote_requests::find(const caf::actor& origin, uint64_t origin_key) {
  std::lock_guard lock{mu_};
  for (const auto& [key, e] : pending_)
    if (e.origin_key == origin_key && e.origin == origin)
      return key;
  return 0;
}

caf::actor remote_requests::origin_of(uint64_t key) {
  std::lock_guard lock{mu_};
  auto it = pending_.find(key);
  return it == pending_.end() ? caf::actor{} : it->second.origin;
}

void forward_request(const caf::actor& owner, const caf::actor& local,
                     const sip::edge::incoming_request& rq) {
  uint8_t flags = (rq.needs_reply ? flag_needs_reply : 0) |
                  (rq.ack_timeout ? flag_ack_timeout : 0);
  caf::anon_send(owner, remote_request_atom::value, rq.raw,
                 static_cast<uint8_t>(rq.source.transport), rq.source.ip,
                 rq.source.port, rq.local_socket, rq.key, local, flags);
}

void send_request_via(const caf::actor& lb,
                      const sip::edge::outgoing_request& r) {
  caf::anon_send(lb, remote_send_atom::value, request_to_json(r).dump());
}

void cancel_request_via(const caf::actor& lb, uint64_t id) {
  caf::anon_send(lb, remote_cancel_atom::value, id);
}

void reply_orphan_via(const caf::actor& lb, const sip::edge::orphan_reply& o) {
  caf::anon_send(lb, remote_orphan_atom::value, orphan_to_json(o).dump());
}

void forward_auth(const caf::actor& lb, const std::string& ip,
                  const std::string& user, bool success) {
  caf::anon_send(lb, remote_auth_atom::value, ip, user, success);
}

void forward_response(const caf::actor& owner,
                      const sip::edge::incoming_response& r) {
  caf::anon_send(owner, remote_response_atom::value, r.id, r.raw,
                 static_cast<uint16_t>(r.message.status), r.message.reason);
}

void ask_take_over(const caf::actor& peer, const std::string& node) {
  caf::anon_send(peer, remote_take_over_atom::value, node);
}

void forward_admin(const caf::actor& local, const caf::actor& owner,
                   std::shared_ptr<subscriber::admin_op> op) {
  caf::anon_send(local, admin_out_atom::value, owner, std::move(op));
}

void forward_options(const caf::actor& lb,
                     const sip::edge::outgoing_options& o) {
  caf::anon_send(lb, remote_options_atom::value, o.request_uri,
                 static_cast<uint8_t>(o.target.transport), o.target.ip,
                 o.target.port, o.from_uri, o.local_socket);
}

namespace {

// Spawned with its state as arguments: CAF 0.17 mishandles the stored
// (empty) argument tuple of a capturing lambda spawned without arguments
// (UBSan: null reference; ASan: use after free in init_fun_factory).
caf::behavior remote_sip_actor(caf::event_based_actor* self,
                               std::shared_ptr<remote_requests> table,
                               remote_sip_hooks hooks) {
  // Answers owed to other nodes' admin requests, delivered on this actor's
  // thread when the local op is done.
  auto promises =
      std::make_shared<std::unordered_map<uint64_t, caf::response_promise>>();
  auto next_promise = std::make_shared<uint64_t>(0);
  return {
      [table, hooks](remote_request_atom, const std::string& raw,
                     uint8_t transport, const std::string& ip, uint16_t port,
                     const std::string& local, uint64_t origin_key,
                     const caf::actor& origin, uint8_t flags) {
        auto parsed = sip::parse_message(raw);
        auto* m = std::get_if<sip::sip_message>(&parsed);
        if (!m) {
          // The origin's edge parsed it: this is a bug, not bad input.
          spdlog::error("cluster: a forwarded request does not parse: {}",
                        std::get<sip::parse_error>(parsed).reason);
          caf::anon_send(origin, remote_reply_atom::value, origin_key,
                         reply_to_json(sip::edge::sip_reply::of(500)).dump());
          return;
        }
        auto now = std::chrono::steady_clock::now();
        auto rq = std::make_shared<sip::edge::incoming_request>();
        rq->needs_reply = flags & flag_needs_reply;
        rq->ack_timeout = flags & flag_ack_timeout;
        // A notification is not answered: an ACK has no key, a CANCEL
        // names the INVITE it cancels by that INVITE's key here.
        if (rq->needs_reply)
          rq->key = table->add(origin, origin_key, now);
        else if (m->method == "CANCEL")
          rq->key = table->find(origin, origin_key);
        rq->message = std::move(*m);
        rq->source.transport = static_cast<sip::sip_transport>(transport);
        rq->source.ip = ip;
        rq->source.port = port;
        rq->local_socket = local;
        rq->received_at = now;
        rq->forwarded = true;
        hooks.deliver(std::move(rq));
      },
      [hooks](remote_reply_atom, uint64_t key, const std::string& text) {
        auto j = nlohmann::json::parse(text, nullptr, false);
        if (j.is_discarded())
          return;
        hooks.reply(key, reply_from_json(j));
      },
      [hooks](remote_take_over_atom, const std::string& node) {
        if (hooks.take_over)
          hooks.take_over(node);
      },
      [self](admin_out_atom, const caf::actor& owner,
             std::shared_ptr<subscriber::admin_op>& op) {
        auto add = op->add ? binding_request_to_json(*op->add) : "";
        self->request(owner, admin_timeout, remote_admin_atom::value,
                      op->subscriber_id, add, op->remove_uri)
            .then(
                [op](bool ok, uint64_t id, const std::string& err) {
                  if (ok)
                    op->done(id);
                  else
                    op->done(error{err});
                },
                [self, op](caf::error& e) {
                  op->done(error{"the owner node did not answer: " +
                                 self->system().render(e)});
                });
      },
      [self, hooks, promises, next_promise](
          remote_admin_atom, uint64_t subscriber_id, const std::string& add,
          const std::string& remove_uri) -> caf::response_promise {
        auto rp = self->make_response_promise();
        auto op = std::make_shared<subscriber::admin_op>();
        op->subscriber_id = subscriber_id;
        op->remove_uri = remove_uri;
        op->forwarded = true;
        if (!add.empty()) {
          op->add = binding_request_from_json(add);
          if (!op->add) {
            rp.deliver(false, uint64_t{0},
                       std::string("a forwarded binding does not parse"));
            return rp;
          }
        }
        if (!hooks.admin) {
          rp.deliver(false, uint64_t{0},
                     std::string("this node has no subscriber directory"));
          return rp;
        }
        auto key = ++*next_promise;
        promises->emplace(key, rp);
        op->done = [me = caf::actor_cast<caf::actor>(self),
                    key](result<uint64_t> r) {
          caf::anon_send(me, admin_done_atom::value, key, r.ok(),
                         r.ok() ? *r : uint64_t{0},
                         r.ok() ? std::string() : r.err().message);
        };
        hooks.admin(std::move(op));
        return rp;
      },
      [hooks](remote_send_atom, const std::string& text) {
        auto r =
            decode_json_text(text, "a forwarded request", [](const auto& j) {
              return request_from_json(j);
            });
        if (!r) {
          spdlog::error("cluster: {}", r.err().message);
          return;
        }
        if (hooks.send_request)
          hooks.send_request(std::move(*r));
      },
      [hooks](remote_cancel_atom, uint64_t id) {
        if (hooks.cancel_request)
          hooks.cancel_request(id);
      },
      [hooks](remote_orphan_atom, const std::string& text) {
        auto o =
            decode_json_text(text, "a forwarded answer",
                             [](const auto& j) { return orphan_from_json(j); });
        if (!o) {
          spdlog::error("cluster: {}", o.err().message);
          return;
        }
        if (hooks.reply_orphan)
          hooks.reply_orphan(std::move(*o));
      },
      [hooks](remote_response_atom, uint64_t id, const std::string& raw,
              uint16_t status, const std::string& reason) {
        sip::edge::incoming_response r;
        r.id = id;
        if (!raw.empty()) {
          auto parsed = sip::parse_message(raw);
          auto* m = std::get_if<sip::sip_message>(&parsed);
          if (!m || m->is_request) {
            spdlog::error("cluster: a forwarded response does not parse");
            return;
          }
          r.message = std::move(*m);
        } else { // the edge's own answer: a status line says all
          r.message.is_request = false;
          r.message.status = status;
          r.message.reason = reason;
        }
        if (hooks.response)
          hooks.response(std::move(r));
      },
      [hooks](media_spawn_atom, const caf::actor& owner,
              uint64_t session_id) -> caf::result<caf::actor> {
        auto session = hooks.spawn_media ? hooks.spawn_media(owner, session_id)
                                         : caf::actor{};
        if (!session)
          return caf::make_error(caf::sec::runtime_error,
                                 "no media relay on this node");
        return session;
      },
      [hooks](media_restore_atom, const caf::actor& owner,
              const std::string& state) -> caf::result<caf::actor> {
        auto session = hooks.restore_media
                           ? hooks.restore_media(owner, state)
                           : result<caf::actor>{error{"no media relay"}};
        if (!session)
          return caf::make_error(caf::sec::runtime_error,
                                 session.err().message);
        return *session;
      },
      [hooks](remote_auth_atom, const std::string& ip, const std::string& user,
              bool success) {
        if (hooks.on_auth)
          hooks.on_auth(ip, user, success);
      },
      [hooks](remote_options_atom, const std::string& uri, uint8_t transport,
              const std::string& ip, uint16_t port, const std::string& from,
              const std::string& local) {
        if (!hooks.send_options || transport > 4)
          return;
        hooks.send_options(
            {uri,
             {static_cast<sip::sip_transport>(transport), ip, port},
             from,
             local});
      },
      [promises](admin_done_atom, uint64_t key, bool ok, uint64_t id,
                 const std::string& err) {
        auto it = promises->find(key);
        if (it == promises->end())
          return;
        it->second.deliver(ok, id, err);
        promises->erase(it);
      },
  };
}

} // namespace

caf::actor spawn_remote_sip(caf::actor_system& sys,
                            std::shared_ptr<remote_requests> table,
                            remote_sip_hooks hooks) {
  return sys.spawn(remote_sip_actor, std::move(table), std::move(hooks));
}

} // namespace sb::actors
