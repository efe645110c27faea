#pragma once

#include "common/metrics/fwd.hpp"
#include "common/result.hpp"
#include "sip/edge/edge_types.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

// The SIP edge: one sofia-sip thread owning an nta agent and its UDP, TCP
// and TLS listeners (INTEGRATION.md §3, ARCHITECTURE.md §3a). nta parses,
// frames streams, enforces the size limit and answers what cannot be
// parsed ("400 Bad <Header> Header", 413 and a closed connection for an
// oversized message on a stream). Everything else arrives in nta's
// stateless message callback, where the edge
//   - copies the message into a `sip_message` (sip/msg; its checks answer
//     400 with a reason or drop what cannot be answered),
//   - asks the screening hook (bans, rate limits, User-Agent blocks),
//   - absorbs retransmissions and resends the last reply
//     (`transaction_cache`, so no nta transaction lingers 32 s per REGISTER),
//   - answers OPTIONS itself (200) and CANCEL without a transaction (481),
//   - hands routed methods to the platform as `incoming_request` values
//     and answers every other method 405 with Allow.
// INVITEs are the exception to statelessness: each gets an nta server
// transaction (the agent runs in UA mode), so nta sends 100 Trying,
// retransmits the final answer (a 2xx until its ACK, RFC 3261 §13.3.1.4),
// absorbs retransmissions and the ACK of a failure, and answers CANCEL
// with 200; the ACK of a 2xx, a CANCEL and a 2xx never ACKed reach the
// platform as notifications. Requests the platform sends (B legs,
// in-dialog requests) are nta client transactions; their answers come
// back through the response handler. A failure to an INVITE whose client
// transaction is gone (another process sent it) is ACKed statelessly.
// Replies come back from any thread through `reply()`: a mutexed queue and
// an eventfd the sofia loop waits on. A request not answered within the
// guard time gets 500 and is counted: no request is ever left unanswered.
namespace sb::sip::edge {

/// One listening socket: its transport, address and port.
struct listener {
  sip_transport transport = sip_transport::udp;
  std::string ip;
  uint16_t port = 0;
  /// "udp:127.0.0.1:5060"
  std::string name() const;
};

struct edge_options {
  /// Addresses to listen on with UDP and TCP (sip_ext interfaces).
  std::vector<std::string> addresses{"127.0.0.1"};
  uint16_t port = 5060;
  /// TLS listener when `tls_dir` is set: a directory holding agent.pem
  /// (private key + certificate chain), as sofia's tport expects.
  uint16_t tls_port = 5061;
  std::string tls_dir;
  /// Largest message accepted (nta answers 413 or closes the stream).
  std::size_t max_message_bytes = 65535;
  /// SO_RCVBUF/SO_SNDBUF of the UDP sockets (the kernel caps them at
  /// net.core.rmem_max/wmem_max). The Linux default (208 KB) holds about
  /// 300 REGISTERs: a scheduling hiccup of the edge thread at a few
  /// thousand requests/s drops datagrams and costs the UAs 500 ms
  /// retransmissions.
  std::size_t udp_buffer_bytes = 4 << 20;
  /// Server header of every reply.
  std::string server = "Switchboard";
  /// Methods handed to the platform; others (but OPTIONS, ACK, CANCEL) get
  /// 405. Allow lists these plus OPTIONS.
  std::vector<std::string> routed_methods{"REGISTER"};
  /// Keep each routed non-INVITE request's text in `incoming_request::raw`
  /// (cluster mode: it may be handled on another node).
  bool keep_raw = false;
  /// A routed request unanswered this long gets 500 from the guard.
  std::chrono::milliseconds reply_guard{8000};
  /// The same for an INVITE, counted from its last provisional answer
  /// (a call may ring for minutes; the call actor's ring timer ends it).
  std::chrono::milliseconds invite_reply_guard{600000};
  /// How long an answer is kept to resend on retransmission (64*T1).
  std::chrono::milliseconds retransmit_linger{32000};
  std::size_t max_cached_transactions = 200000;
};

class sip_edge {
public:
  /// Called on the edge thread for each routed request; must not block.
  using request_handler = std::function<void(incoming_request&&)>;
  /// Called on the edge thread before routing; must not block.
  using screen_hook =
      std::function<screen_verdict(const sip_message&, const source_address&)>;
  /// Called on the edge thread for each answer to an outgoing request.
  using response_handler = std::function<void(incoming_response&&)>;

  sip_edge(edge_options opts, request_handler on_request, screen_hook screen,
           metrics::registry& metrics);
  ~sip_edge();
  sip_edge(const sip_edge&) = delete;
  sip_edge& operator=(const sip_edge&) = delete;

  /// Starts the thread and binds every listener; returns them, or why
  /// binding failed (nothing keeps running then).
  result<std::vector<listener>> start();

  /// Answers the request `key` with a final response. Thread-safe. A reply
  /// for a key already answered (by the guard) is dropped and counted.
  void reply(uint64_t key, sip_reply r);

  /// Sends an OPTIONS keepalive without a transaction. Thread-safe.
  void send_options(outgoing_options o);

  /// Where answers to outgoing requests go; set before `start()`.
  void set_response_handler(response_handler h);

  /// A fresh id for `send_request`. Thread-safe.
  uint64_t new_request_id();

  /// Sends a request as a client transaction (an ACK without one).
  /// Answers reach the response handler with `r.id`; a request that
  /// cannot be sent is answered with a local 503. Thread-safe.
  void send_request(outgoing_request r);

  /// Answers a request received by a former process, statelessly, to
  /// where it came from (To tag: `o.reply.to_tag`). Thread-safe.
  void reply_orphan(orphan_reply o);

  /// CANCELs outgoing INVITE `id` (RFC 3261 §9.1: once it has a
  /// provisional answer; nta holds the CANCEL until then). Its 487 comes
  /// back as the INVITE's answer. Thread-safe; unknown ids are ignored.
  void cancel_request(uint64_t id);

  /// Stops the thread; pending requests are dropped (their clients retry).
  /// Idempotent; the destructor calls it.
  void stop();

  /// Requests handed out and not yet answered.
  std::size_t pending() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace sb::sip::edge
