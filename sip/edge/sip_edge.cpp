#include "sip/edge/sip_edge.hpp"

#include "common/log.hpp"
#include "common/metrics/registry.hpp"
#include "common/text.hpp"
#include "sip/edge/transaction_cache.hpp"
#include "sip/msg/parse_sofia.hpp"

#define SU_ROOT_MAGIC_T void
#define SU_WAKEUP_ARG_T void
#define SU_TIMER_ARG_T void
#define NTA_AGENT_MAGIC_T void
#define NTA_INCOMING_MAGIC_T void
#define NTA_OUTGOING_MAGIC_T void

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_addr.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_stateless.h>
#include <sofia-sip/nta_tport.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/tport.h>
#include <sofia-sip/tport_tag.h>

#include <sys/eventfd.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <array>
#include <atomic>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <variant>

namespace sb::sip::edge {

namespace {

// The message as text (edge_options::keep_raw): what crosses to the node
// of the actor it is for. Allocated in the message's home, freed with it.
std::string raw_text(msg_t* msg) {
  size_t len = 0;
  char* text = msg_as_string(msg_home(msg), msg, msg_object(msg), 0, &len);
  return text ? std::string(text, len) : std::string();
}

// Methods counted under their own label; anything else is "other" so a
// scanner cannot grow the metric without bound.
std::string method_label(std::string_view m) {
  static constexpr std::array<std::string_view, 14> known{
      "REGISTER", "INVITE",  "ACK",     "BYE",   "CANCEL",
      "OPTIONS",  "INFO",    "UPDATE",  "PRACK", "SUBSCRIBE",
      "NOTIFY",   "PUBLISH", "MESSAGE", "REFER"};
  for (auto k : known)
    if (k == m)
      return std::string(k);
  return "other";
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty())
      out += sep;
    out += s;
  }
  return out;
}

// The peer of a received message as text.
source_address peer_of(msg_t* msg, tport_t* tp) {
  source_address a;
  if (tp) {
    if (auto t = parse_transport(tport_name(tp)->tpn_proto))
      a.transport = *t;
  }
  su_addrinfo_t* ai = msg_addrinfo(msg);
  if (!ai || !ai->ai_addr)
    return a;
  char buf[INET6_ADDRSTRLEN] = {};
  if (ai->ai_addr->sa_family == AF_INET) {
    auto* sin = reinterpret_cast<const sockaddr_in*>(ai->ai_addr);
    inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof buf);
    a.port = ntohs(sin->sin_port);
  } else if (ai->ai_addr->sa_family == AF_INET6) {
    auto* sin6 = reinterpret_cast<const sockaddr_in6*>(ai->ai_addr);
    inet_ntop(AF_INET6, &sin6->sin6_addr, buf, sizeof buf);
    a.port = ntohs(sin6->sin6_port);
  }
  a.ip = buf;
  return a;
}

struct reply_job {
  uint64_t key;
  sip_reply r;
};
struct cancel_job {
  uint64_t id;
};
using job = std::variant<reply_job, outgoing_options, outgoing_request,
                         cancel_job, orphan_reply>;

// "udp:203.0.113.5:40000" → "sip:203.0.113.5:40000;transport=udp", the
// route URL nta sends to; empty for anything else.
std::string route_url_of(std::string_view next_hop) {
  auto colon = next_hop.find(':');
  if (colon == std::string_view::npos)
    return {};
  auto t = parse_transport(next_hop.substr(0, colon));
  if (!t)
    return {};
  return "sip:" + std::string(next_hop.substr(colon + 1)) +
         ";transport=" + std::string(to_string(*t));
}

// Where to send a request to `a` (an IPv6 address in brackets).
std::string route_url_to(const source_address& a) {
  std::string host =
      a.ip.find(':') != std::string::npos ? "[" + a.ip + "]" : a.ip;
  return "sip:" + host + ":" + std::to_string(a.port) +
         ";transport=" + std::string(to_string(a.transport));
}

// Header lines for SIPTAG_HEADER_STR.
std::string header_lines(const std::vector<header_field>& headers) {
  std::string out;
  for (const auto& h : headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  return out;
}

} // namespace

std::string listener::name() const {
  std::string host = ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
  return std::string(to_string(transport)) + ":" + host + ":" +
         std::to_string(port);
}

struct sip_edge::impl {
  edge_options opts;
  request_handler on_request;
  screen_hook screen;
  response_handler on_response;
  std::atomic<uint64_t> next_request_id{0};

  // Metrics (families live as long as the registry).
  metrics::counter_family* requests = nullptr;
  metrics::counter_family* responses = nullptr;
  metrics::counter_family* dropped = nullptr;
  metrics::counter* parse_errors = nullptr;
  metrics::counter* retransmissions = nullptr;
  metrics::counter* guard_fired = nullptr;
  metrics::counter* late_replies = nullptr;
  metrics::gauge* pending_gauge = nullptr;

  // Cross-thread queue into the sofia loop.
  std::mutex mu;
  std::deque<job> jobs;
  bool stopping = false;
  int efd = -1;

  std::thread thread;
  std::atomic<std::size_t> pending_count{0};

  // Sofia-thread state below: touched only on the edge thread.
  su_root_t* root = nullptr;
  nta_agent_t* agent = nullptr;
  su_timer_t* timer = nullptr;
  int wait_index = -1;
  struct pending_request {
    msg_t* msg;
    std::string tid;
    std::string method;
    steady_time deadline;
    bool stream;
  };
  std::map<uint64_t, pending_request> pending; // keys rise with time
  // INVITE server transactions: unanswered ones by key (their guard times
  // differ, so they are scanned, not ordered), and every live one by irq
  // until its ACK, ACK timeout or the end.
  struct pending_invite {
    nta_incoming_t* irq;
    steady_time deadline;
  };
  std::unordered_map<uint64_t, pending_invite> invites;
  std::unordered_map<nta_incoming_t*, uint64_t> invite_keys;
  // Client transactions by request id; an INVITE's is kept after its 2xx
  // (nta absorbs retransmitted 2xx and resends the ACK) until forget_at.
  struct client_txn {
    nta_outgoing_t* orq = nullptr;
    std::string method;
    nta_outgoing_t* ack = nullptr;
    bool final = false;
    steady_time forget_at{};
  };
  std::unordered_map<uint64_t, client_txn> clients;
  std::unordered_map<nta_outgoing_t*, uint64_t> client_ids;
  transaction_cache cache;
  uint64_t next_key = 0;
  std::mt19937_64 rng{std::random_device{}()};

  impl(edge_options o, request_handler h, screen_hook s, metrics::registry& reg)
      : opts(std::move(o))
      , on_request(std::move(h))
      , screen(std::move(s))
      , cache(opts.retransmit_linger, opts.max_cached_transactions) {
    requests = reg.add_counter("sb_sip_requests_total",
                               "SIP requests received, by method.", {"method"})
                   .value();
    responses = reg.add_counter(
                       "sb_sip_responses_total",
                       "SIP responses sent, by request method and status code.",
                       {"method", "code"})
                    .value();
    dropped =
        reg.add_counter("sb_sip_dropped_total",
                        "SIP messages dropped without an answer, by reason.",
                        {"reason"})
            .value();
    parse_errors = &reg.add_counter("sb_sip_parse_errors_total",
                                    "SIP messages refused as malformed.")
                        .value()
                        ->with({});
    retransmissions =
        &reg.add_counter("sb_sip_retransmissions_total",
                         "Request retransmissions absorbed or re-answered.")
             .value()
             ->with({});
    guard_fired = &reg.add_counter("sb_sip_reply_guard_total",
                                   "Requests the platform left unanswered: "
                                   "the edge answered 500 (a bug).")
                       .value()
                       ->with({});
    late_replies = &reg.add_counter("sb_sip_late_replies_total",
                                    "Replies that arrived after the guard "
                                    "had answered.")
                        .value()
                        ->with({});
    pending_gauge = &reg.add_gauge("sb_sip_pending_requests",
                                   "Requests handed to the platform and not "
                                   "yet answered.")
                         .value()
                         ->with({});
  }

  // Queues `j` for the sofia loop and wakes it; any thread.
  void post(job j) {
    bool wake;
    {
      std::lock_guard lock{mu};
      wake = jobs.empty() || stopping;
      jobs.push_back(std::move(j));
    }
    if (wake)
      wake_loop();
  }

  void wake_loop() const {
    uint64_t one = 1;
    if (efd >= 0) [[maybe_unused]]
      auto n = ::write(efd, &one, sizeof one);
  }

  // -- sofia thread --------------------------------------------------------

  void count_response(const std::string& method, int code) {
    responses->with({method_label(method), std::to_string(code)}).inc();
  }

  void count_drop(const std::string& reason) { dropped->with({reason}).inc(); }

  // Sends `r` as the stateless reply to `msg` (consumed).
  void send_reply(msg_t* msg, const std::string& method, const sip_reply& r) {
    std::string headers = header_lines(r.headers);
    const char* phrase =
        r.reason.empty() ? sip_status_phrase(r.code) : r.reason.c_str();
    if (!phrase)
      phrase = "Unknown";
    nta_msg_treply(
        agent, msg, r.code, phrase, SIPTAG_SERVER_STR(opts.server.c_str()),
        TAG_IF(!headers.empty(), SIPTAG_HEADER_STR(headers.c_str())),
        TAG_IF(!r.body.empty(),
               SIPTAG_CONTENT_TYPE_STR(r.content_type.c_str())),
        TAG_IF(!r.body.empty(), SIPTAG_PAYLOAD_STR(r.body.c_str())), TAG_END());
    count_response(method, r.code);
  }

  unsigned udp_buffer() const {
    return static_cast<unsigned>(
        std::min<std::size_t>(opts.udp_buffer_bytes, 1u << 30));
  }

  std::string allow_header() const {
    auto methods = opts.routed_methods;
    methods.push_back("OPTIONS");
    return join(methods, ", ");
  }

  bool routed(const std::string& method) const {
    for (const auto& m : opts.routed_methods)
      if (m == method)
        return true;
    return false;
  }

  // RFC 3261 §8.2.2.1 and §8.2.2.3, in that order: a Request-URI scheme
  // we do not serve → 416; a Require option we do not support → 420 with
  // Unsupported listing them (path for REGISTER; 100rel and timer travel
  // end to end through the B2BUA, which relays PRACK and UPDATE).
  static std::optional<sip_reply>
  check_uri_and_extensions(const sip_message& m) {
    auto colon = m.request_uri.find(':');
    auto scheme = ascii_lower(
        m.request_uri.substr(0, colon == std::string::npos ? 0 : colon));
    if (scheme != "sip" && scheme != "sips" && scheme != "tel")
      return sip_reply::of(416, "Unsupported URI Scheme");
    std::vector<std::string> unsupported;
    for (auto& tag : m.header_tokens("Require"))
      if (!iequals(tag, "path") && !iequals(tag, "100rel") &&
          !iequals(tag, "timer"))
        unsupported.push_back(std::move(tag));
    if (unsupported.empty())
      return std::nullopt;
    return sip_reply::of(420, "Bad Extension",
                         {{"Unsupported", join(unsupported, ", ")}});
  }

  int on_message(msg_t* msg, sip_t* sip) {
    if (!sip || !sip->sip_request) {
      // Responses to our stateless keepalives, or strays. A failure to an
      // INVITE whose transaction is gone (a node that took over a dead
      // one's call in setup CANCELled it) still gets the ACK that
      // transaction would have sent (RFC 3261 §17.1.1.3), or the UAS
      // resends it for 32 s.
      if (sip && sip->sip_status && sip->sip_status->st_status >= 300 &&
          sip->sip_cseq && sip->sip_cseq->cs_method == sip_method_invite)
        ack_stray(msg, sip);
      count_drop("response");
      msg_destroy(msg);
      return 0;
    }
    tport_t* tp = nta_incoming_transport(agent, nullptr, msg);
    source_address source = peer_of(msg, tp);
    bool stream = tp && tport_is_stream(tp);
    std::string local;
    if (tp) {
      const tp_name_t* n = tport_name(tport_parent(tp));
      listener l{
          source.transport, n->tpn_host ? n->tpn_host : "",
          static_cast<uint16_t>(n->tpn_port ? std::atoi(n->tpn_port) : 0)};
      local = l.name();
      tport_unref(tp);
    }
    auto parsed = copy_message(msg);
    if (auto* err = std::get_if<parse_error>(&parsed)) {
      parse_errors->inc();
      std::string method = sip->sip_request->rq_method_name
                               ? sip->sip_request->rq_method_name
                               : "";
      // A Via of another SIP version cannot be answered at the source
      // address: sofia would resolve its host name, blocking this thread
      // on DNS. Over a stream the answer goes back on the connection.
      bool foreign_via =
          sip->sip_via && sip->sip_via->v_protocol &&
          std::strncmp(sip->sip_via->v_protocol, "SIP/2.0/", 8) != 0;
      if (err->status == 0 || (foreign_via && !stream)) {
        count_drop("unanswerable");
        msg_destroy(msg);
        return 0;
      }
      spdlog::debug("sip: {} from {}:{} refused: {}", method, source.ip,
                    source.port, err->reason);
      send_reply(
          msg, method,
          sip_reply::of(static_cast<uint16_t>(err->status), err->reason));
      return 0;
    }
    auto& m = std::get<sip_message>(parsed);
    requests->with({method_label(m.method)}).inc();
    if (m.method == "ACK") {
      // The ACK of a 2xx whose transaction is gone (or a stray): the call
      // actor knows whether it matches. ACKs get no answer.
      std::string raw = opts.keep_raw ? raw_text(msg) : std::string();
      msg_destroy(msg);
      if (!routed("INVITE")) {
        count_drop("ack");
        return 0;
      }
      incoming_request rq;
      rq.raw = std::move(raw);
      rq.message = std::move(m);
      rq.source = std::move(source);
      rq.local_socket = std::move(local);
      rq.received_at = std::chrono::steady_clock::now();
      rq.needs_reply = false;
      on_request(std::move(rq));
      return 0;
    }
    if (screen) {
      auto verdict = screen(m, source);
      if (verdict.what == screen_verdict::action::drop) {
        count_drop(verdict.why.empty() ? "screened" : verdict.why);
        msg_destroy(msg);
        return 0;
      }
      if (verdict.what == screen_verdict::action::reject) {
        send_reply(msg, m.method, verdict.rejection);
        return 0;
      }
    }
    auto now = std::chrono::steady_clock::now();
    auto tid = transaction_id(m);
    if (const auto* e = cache.find(tid, now)) {
      retransmissions->inc();
      if (e->answer)
        send_reply(msg, m.method, *e->answer);
      else
        msg_destroy(msg); // still with the platform: absorb
      return 0;
    }
    if (auto refusal =
            m.method == "CANCEL" ? std::nullopt : check_uri_and_extensions(m)) {
      send_reply(msg, m.method, *refusal);
      return 0;
    }
    if (m.method == "OPTIONS") {
      send_reply(msg, m.method,
                 sip_reply::of(200, "",
                               {{"Allow", allow_header()},
                                {"Accept", "application/sdp"},
                                {"Accept-Language", "en"},
                                {"Supported", "path"}}));
      return 0;
    }
    if (m.method == "CANCEL") {
      send_reply(msg, m.method, sip_reply::of(481));
      return 0;
    }
    if (!routed(m.method)) {
      send_reply(msg, m.method,
                 sip_reply::of(405, "", {{"Allow", allow_header()}}));
      return 0;
    }
    if (m.method == "INVITE")
      return begin_invite(msg, sip, std::move(m), std::move(source),
                          std::move(local), now);
    uint64_t key = ++next_key;
    pending.emplace(key, pending_request{msg, tid, m.method,
                                         now + opts.reply_guard, stream});
    pending_count.store(pending.size() + invites.size(),
                        std::memory_order_relaxed);
    cache.begin(tid, key, now);
    incoming_request rq{key, std::move(m), std::move(source), std::move(local),
                        now};
    if (opts.keep_raw)
      rq.raw = raw_text(msg);
    on_request(std::move(rq));
    return 0;
  }

  // An INVITE gets its server transaction and 100 Trying at once.
  int begin_invite(msg_t* msg, sip_t* sip, sip_message m, source_address source,
                   std::string local, steady_time now) {
    nta_incoming_t* irq = nta_incoming_create(agent, nullptr, msg, sip,
                                              TAG_END()); // consumes msg
    if (!irq) {
      count_drop("no_transaction");
      return 0;
    }
    nta_incoming_bind(irq, &impl::invite_event_cb, this);
    nta_incoming_treply(irq, SIP_100_TRYING,
                        SIPTAG_SERVER_STR(opts.server.c_str()), TAG_END());
    count_response("INVITE", 100);
    uint64_t key = ++next_key;
    invites.emplace(key, pending_invite{irq, now + opts.invite_reply_guard});
    invite_keys.emplace(irq, key);
    pending_count.store(pending.size() + invites.size(),
                        std::memory_order_relaxed);
    incoming_request rq{key, std::move(m), std::move(source), std::move(local),
                        now};
    if (opts.keep_raw)
      rq.raw = raw_text(msg);
    on_request(std::move(rq));
    return 0;
  }

  // A copy of `m` (a reference, released here) as a notification.
  void notify(uint64_t key, msg_t* m, bool ack_timeout) {
    if (!m)
      return;
    auto parsed = copy_message(m);
    std::string raw = opts.keep_raw ? raw_text(m) : std::string();
    msg_destroy(m);
    auto* copied = std::get_if<sip_message>(&parsed);
    if (!copied)
      return;
    incoming_request rq;
    rq.raw = std::move(raw);
    rq.key = key;
    rq.message = std::move(*copied);
    rq.received_at = std::chrono::steady_clock::now();
    rq.needs_reply = false;
    rq.ack_timeout = ack_timeout;
    on_request(std::move(rq));
  }

  void finish_invite(nta_incoming_t* irq) {
    invite_keys.erase(irq);
    nta_incoming_destroy(irq);
  }

  // nta's calls about a live INVITE transaction: its CANCEL (nta has
  // answered it 200), its ACK, or Timer H (sip null: no ACK came).
  void on_invite_event(nta_incoming_t* irq, const sip_t* sip) {
    auto it = invite_keys.find(irq);
    if (it == invite_keys.end())
      return;
    uint64_t key = it->second;
    int status = nta_incoming_status(irq);
    if (!sip) {
      if (status >= 200 && status < 300)
        notify(key, nta_incoming_getrequest(irq), true);
      finish_invite(irq);
      return;
    }
    if (!sip->sip_request)
      return;
    if (sip->sip_request->rq_method == sip_method_cancel) {
      notify(key, nta_incoming_getrequest_ackcancel(irq), false);
      return;
    }
    if (sip->sip_request->rq_method == sip_method_ack) {
      if (status >= 200 && status < 300)
        notify(key, nta_incoming_getrequest_ackcancel(irq), false);
      finish_invite(irq); // a failure's ACK is absorbed
    }
  }

  void reply_invite(uint64_t key, pending_invite& p, const sip_reply& r) {
    if (!r.to_tag.empty() && !nta_incoming_gettag(p.irq))
      nta_incoming_tag(p.irq, r.to_tag.c_str());
    std::string headers = header_lines(r.headers);
    const char* phrase =
        r.reason.empty() ? sip_status_phrase(r.code) : r.reason.c_str();
    if (!phrase)
      phrase = "Unknown";
    nta_incoming_treply(
        p.irq, r.code, phrase, SIPTAG_SERVER_STR(opts.server.c_str()),
        TAG_IF(!headers.empty(), SIPTAG_HEADER_STR(headers.c_str())),
        TAG_IF(!r.body.empty(),
               SIPTAG_CONTENT_TYPE_STR(r.content_type.c_str())),
        TAG_IF(!r.body.empty(), SIPTAG_PAYLOAD_STR(r.body.c_str())), TAG_END());
    count_response("INVITE", r.code);
    if (r.code < 200) {
      p.deadline = std::chrono::steady_clock::now() + opts.invite_reply_guard;
      return;
    }
    invites.erase(key);
    pending_count.store(pending.size() + invites.size(),
                        std::memory_order_relaxed);
  }

  void answer(uint64_t key, const sip_reply& r) {
    if (auto inv = invites.find(key); inv != invites.end()) {
      reply_invite(key, inv->second, r);
      return;
    }
    auto it = pending.find(key);
    if (it == pending.end()) {
      late_replies->inc();
      return;
    }
    if (r.code < 200)
      return; // only INVITE answers are provisional here
    auto p = std::move(it->second);
    pending.erase(it);
    pending_count.store(pending.size() + invites.size(),
                        std::memory_order_relaxed);
    // Stream transports never retransmit (RFC 3261 §17.2.2).
    if (p.stream)
      cache.erase(p.tid);
    else
      cache.answer(p.tid, r, std::chrono::steady_clock::now());
    send_reply(p.msg, p.method, r);
  }

  void send_keepalive(const outgoing_options& o) {
    msg_t* msg = nta_msg_create(agent, 0);
    if (!msg)
      return;
    sip_t* sip = sip_object(msg);
    auto rl = "OPTIONS " + o.request_uri + " SIP/2.0";
    auto from = "<" + o.from_uri + ">;tag=" + std::to_string(rng() % 100000000);
    auto call_id = std::to_string(rng()) + "@switchboard";
    auto to = "<" + o.request_uri + ">";
    auto route = route_url_to(o.target);
    if (sip_add_tl(msg, sip, SIPTAG_REQUEST_STR(rl.c_str()),
                   SIPTAG_FROM_STR(from.c_str()), SIPTAG_TO_STR(to.c_str()),
                   SIPTAG_CALL_ID_STR(call_id.c_str()),
                   SIPTAG_CSEQ_STR("1 OPTIONS"), SIPTAG_MAX_FORWARDS_STR("70"),
                   SIPTAG_USER_AGENT_STR(opts.server.c_str()),
                   SIPTAG_CONTENT_LENGTH_STR("0"), TAG_END()) < 0) {
      msg_destroy(msg);
      return;
    }
    // Stateless: a keepalive only refreshes the NAT mapping; its answer
    // arrives as a stray response and is dropped.
    send_stateless(msg, URL_STRING_MAKE(route.c_str()), nullptr);
  }

  // Sends `msg` (consumed) once, without a transaction; `branch`: the Via
  // branch to use, null for a fresh one.
  void send_stateless(msg_t* msg, const url_string_t* route,
                      const char* branch) {
    auto* orq = nta_outgoing_mcreate(
        agent, nullptr, nullptr, route, msg, NTATAG_STATELESS(1),
        TAG_IF(branch, NTATAG_BRANCH_KEY(branch)), TAG_END());
    if (!orq)
      msg_destroy(msg);
    else
      nta_outgoing_destroy(orq);
  }

  // -- client transactions ------------------------------------------------

  void local_failure(uint64_t id, int code, std::string reason) {
    incoming_response out;
    out.id = id;
    out.message.is_request = false;
    out.message.status = code;
    out.message.reason = std::move(reason);
    if (on_response)
      on_response(std::move(out));
  }

  void send_request(const outgoing_request& r) {
    msg_t* msg = nta_msg_create(agent, 0);
    if (!msg)
      return local_failure(r.id, 503, "Cannot Create Request");
    sip_t* sip = sip_object(msg);
    auto rl = r.method + " " + r.request_uri + " SIP/2.0";
    auto cseq = std::to_string(r.cseq) + " " + r.method;
    std::string extra;
    for (const auto& route : r.route)
      extra += "Route: " + route + "\r\n";
    extra += header_lines(r.headers);
    if (sip_add_tl(
            msg, sip, SIPTAG_REQUEST_STR(rl.c_str()),
            SIPTAG_FROM_STR(r.from.c_str()), SIPTAG_TO_STR(r.to.c_str()),
            SIPTAG_CALL_ID_STR(r.call_id.c_str()),
            SIPTAG_CSEQ_STR(cseq.c_str()), SIPTAG_MAX_FORWARDS_STR("70"),
            TAG_IF(!r.contact.empty(), SIPTAG_CONTACT_STR(r.contact.c_str())),
            SIPTAG_USER_AGENT_STR(opts.server.c_str()),
            TAG_IF(!extra.empty(), SIPTAG_HEADER_STR(extra.c_str())),
            TAG_IF(!r.body.empty(),
                   SIPTAG_CONTENT_TYPE_STR(r.content_type.c_str())),
            TAG_IF(!r.body.empty(), SIPTAG_PAYLOAD_STR(r.body.c_str())),
            TAG_END()) < 0) {
      msg_destroy(msg);
      return local_failure(r.id, 503, "Cannot Create Request");
    }
    auto route = route_url_of(r.next_hop);
    const url_string_t* route_url =
        route.empty() ? nullptr : URL_STRING_MAKE(route.c_str());
    if (r.method == "ACK") {
      // Kept with its INVITE: nta resends it for a retransmitted 2xx. Once
      // the INVITE's transaction is forgotten the ACK goes statelessly: in
      // UA mode nta looks the INVITE up for an ACK and aborts without it.
      auto c = clients.find(r.ack_for);
      bool with_invite = c != clients.end();
      auto* orq = nta_outgoing_mcreate(
          agent, nullptr, nullptr, route_url, msg,
          TAG_IF(!with_invite, NTATAG_STATELESS(1)), TAG_END());
      if (!orq) {
        msg_destroy(msg);
        return;
      }
      if (!with_invite) {
        nta_outgoing_destroy(orq);
        return;
      }
      if (c->second.ack)
        nta_outgoing_destroy(c->second.ack);
      c->second.ack = orq;
      return;
    }
    const char* branch = r.branch.empty() ? nullptr : r.branch.c_str();
    if (r.stateless) {
      send_stateless(msg, route_url, branch);
      return;
    }
    auto* orq = nta_outgoing_mcreate(
        agent, &impl::response_cb, this, route_url, msg,
        TAG_IF(branch, NTATAG_BRANCH_KEY(branch)), TAG_END());
    if (!orq) {
      msg_destroy(msg);
      return local_failure(r.id, 503, "Cannot Send Request");
    }
    clients[r.id] = client_txn{orq, r.method, nullptr, false, {}};
    client_ids[orq] = r.id;
  }

  void ack_stray(msg_t* msg, sip_t* sip) {
    if (!sip->sip_via || !sip->sip_via->v_branch || !sip->sip_from ||
        !sip->sip_to || !sip->sip_call_id)
      return;
    tport_t* tp = nta_incoming_transport(agent, nullptr, msg);
    source_address peer = peer_of(msg, tp);
    if (tp)
      tport_unref(tp);
    if (peer.ip.empty() || !peer.port)
      return;
    su_home_t* home = msg_home(msg);
    char* to_uri = url_as_string(home, sip->sip_to->a_url);
    char* from = sip_header_as_string(
        home, reinterpret_cast<sip_header_t*>(sip->sip_from));
    char* to = sip_header_as_string(
        home, reinterpret_cast<sip_header_t*>(sip->sip_to));
    if (!to_uri || !from || !to)
      return;
    msg_t* ack = nta_msg_create(agent, 0);
    if (!ack)
      return;
    auto rl = std::string("ACK ") + to_uri + " SIP/2.0";
    auto cseq = std::to_string(sip->sip_cseq->cs_seq) + " ACK";
    if (sip_add_tl(ack, sip_object(ack), SIPTAG_REQUEST_STR(rl.c_str()),
                   SIPTAG_FROM_STR(from), SIPTAG_TO_STR(to),
                   SIPTAG_CALL_ID_STR(sip->sip_call_id->i_id),
                   SIPTAG_CSEQ_STR(cseq.c_str()), SIPTAG_MAX_FORWARDS_STR("70"),
                   SIPTAG_CONTENT_LENGTH_STR("0"), TAG_END()) < 0) {
      msg_destroy(ack);
      return;
    }
    auto route = route_url_to(peer);
    send_stateless(ack, URL_STRING_MAKE(route.c_str()), sip->sip_via->v_branch);
  }

  // The request's text is parsed again; its top Via gets the address it
  // came from (received, rport: RFC 3261 §18.2.1, RFC 3581), which is where
  // nta then sends the answer, as it would have for the original.
  void answer_orphan(const orphan_reply& o) {
    msg_t* msg = msg_make(sip_default_mclass(), 0, o.request.data(),
                          static_cast<ssize_t>(o.request.size()));
    sip_t* sip = msg ? sip_object(msg) : nullptr;
    if (!sip || !sip->sip_request || !sip->sip_via || !sip->sip_to) {
      if (msg)
        msg_destroy(msg);
      count_drop("orphan");
      spdlog::warn("sip: {} to {}:{} not sent: the stored INVITE does not "
                   "parse",
                   o.reply.code, o.source.ip, o.source.port);
      return;
    }
    // sofia keeps the parameter strings it is given: they live in the
    // message's home, not in temporaries.
    su_home_t* home = msg_home(msg);
    msg_header_replace_param(
        home, sip->sip_via->v_common,
        su_sprintf(home, "received=%s", o.source.ip.c_str()));
    if (sip->sip_via->v_rport)
      msg_header_replace_param(
          home, sip->sip_via->v_common,
          su_sprintf(home, "rport=%u", unsigned{o.source.port}));
    if (!sip->sip_to->a_tag && !o.reply.to_tag.empty())
      msg_header_add_param(home, sip->sip_to->a_common,
                           su_sprintf(home, "tag=%s", o.reply.to_tag.c_str()));
    std::string method = sip->sip_request->rq_method_name
                             ? sip->sip_request->rq_method_name
                             : "";
    send_reply(msg, method, o.reply);
  }

  void forget_client(uint64_t id) {
    auto it = clients.find(id);
    if (it == clients.end())
      return;
    client_ids.erase(it->second.orq);
    nta_outgoing_destroy(it->second.orq);
    if (it->second.ack)
      nta_outgoing_destroy(it->second.ack);
    clients.erase(it);
  }

  void on_response_msg(nta_outgoing_t* orq, const sip_t* sip) {
    auto idit = client_ids.find(orq);
    if (idit == client_ids.end())
      return;
    uint64_t id = idit->second;
    incoming_response out;
    out.id = id;
    msg_t* m = nta_outgoing_getresponse(orq);
    bool copied = false;
    if (m) {
      auto parsed = copy_message(m);
      if (opts.keep_raw)
        out.raw = raw_text(m);
      msg_destroy(m);
      if (auto* mm = std::get_if<sip_message>(&parsed)) {
        out.message = std::move(*mm);
        copied = true;
      }
    }
    if (!copied) { // a local answer (408 timeout, 503 unreachable)
      out.message.is_request = false;
      out.message.status = sip && sip->sip_status ? sip->sip_status->st_status
                                                  : nta_outgoing_status(orq);
      out.message.reason = sip && sip->sip_status && sip->sip_status->st_phrase
                               ? sip->sip_status->st_phrase
                               : "";
    }
    int status = out.message.status;
    auto& c = clients[id];
    if (status >= 200 && !c.final) {
      c.final = true;
      c.forget_at = std::chrono::steady_clock::now() + opts.retransmit_linger;
    }
    bool keep = c.method == "INVITE" && status >= 200 && status < 300;
    if (on_response)
      on_response(std::move(out));
    if (status >= 200 && !keep)
      forget_client(id);
  }

  void cancel_client(uint64_t id) {
    auto it = clients.find(id);
    if (it != clients.end() && it->second.method == "INVITE" &&
        !it->second.final)
      nta_outgoing_cancel(it->second.orq);
  }

  void drain_jobs() {
    std::deque<job> batch;
    bool stop_now;
    {
      std::lock_guard lock{mu};
      batch.swap(jobs);
      stop_now = stopping;
    }
    for (auto& j : batch) {
      if (auto* r = std::get_if<reply_job>(&j))
        answer(r->key, r->r);
      else if (auto* o = std::get_if<outgoing_options>(&j))
        send_keepalive(*o);
      else if (auto* q = std::get_if<outgoing_request>(&j))
        send_request(*q);
      else if (auto* o = std::get_if<orphan_reply>(&j))
        answer_orphan(*o);
      else
        cancel_client(std::get<cancel_job>(j).id);
    }
    if (stop_now)
      su_root_break(root);
  }

  void tick() {
    auto now = std::chrono::steady_clock::now();
    while (!pending.empty() && pending.begin()->second.deadline <= now) {
      auto key = pending.begin()->first;
      spdlog::error("sip: {} request {} unanswered after {} ms: 500",
                    pending.begin()->second.method, key,
                    opts.reply_guard.count());
      guard_fired->inc();
      answer(key, sip_reply::of(500, "Server Internal Error"));
    }
    std::vector<uint64_t> overdue;
    for (const auto& [key, inv] : invites)
      if (inv.deadline <= now)
        overdue.push_back(key);
    for (auto key : overdue) {
      spdlog::error("sip: INVITE request {} unanswered after {} ms: 500", key,
                    opts.invite_reply_guard.count());
      guard_fired->inc();
      answer(key, sip_reply::of(500, "Server Internal Error"));
    }
    std::vector<uint64_t> done;
    for (const auto& [id, c] : clients)
      if (c.final && c.forget_at <= now)
        done.push_back(id);
    for (auto id : done)
      forget_client(id);
    cache.expire(now);
    pending_gauge->set(static_cast<double>(pending.size() + invites.size()));
  }

  static int message_cb(void* self, nta_agent_t*, msg_t* msg, sip_t* sip) {
    return static_cast<impl*>(self)->on_message(msg, sip);
  }
  static int invite_event_cb(void* self, nta_incoming_t* irq,
                             const sip_t* sip) {
    static_cast<impl*>(self)->on_invite_event(irq, sip);
    return 0;
  }
  static int response_cb(void* self, nta_outgoing_t* orq, const sip_t* sip) {
    static_cast<impl*>(self)->on_response_msg(orq, sip);
    return 0;
  }
  static int wakeup_cb(void* self, su_wait_t*, void*) {
    auto* me = static_cast<impl*>(self);
    uint64_t n;
    [[maybe_unused]] auto r = ::read(me->efd, &n, sizeof n);
    me->drain_jobs();
    return 0;
  }
  static void timer_cb(void* self, su_timer_t*, void*) {
    static_cast<impl*>(self)->tick();
  }

  result<std::vector<listener>> bind() {
    if (opts.addresses.empty())
      return error{"sip: no sip_ext address to listen on"};
    auto url_of = [&](const std::string& ip, uint16_t port, bool tls) {
      std::string host =
          ip.find(':') != std::string::npos ? "[" + ip + "]" : ip;
      return std::string(tls ? "sips:" : "sip:") + host + ":" +
             std::to_string(port);
    };
    auto first = url_of(opts.addresses.front(), opts.port, false);
    agent = nta_agent_create(
        root, URL_STRING_MAKE(first.c_str()), &impl::message_cb, this,
        // UA mode: nta retransmits a 2xx to an INVITE until its ACK and
        // hands that ACK over (a B2BUA is the UAS of the A leg); the
        // stateless path of other requests is the same in either mode.
        // CANCEL_487 off: the call actor answers the INVITE it cancels.
        NTATAG_MAXSIZE(opts.max_message_bytes), NTATAG_UA(1),
        NTATAG_CANCEL_487(0), NTATAG_SERVER_RPORT(1),
        NTATAG_SIPFLAGS(MSG_DO_CANONIC), TPTAG_UDP_RMEM(udp_buffer()),
        TPTAG_UDP_WMEM(udp_buffer()), TAG_END());
    if (!agent)
      return error{"sip: cannot listen on " + first + ": " +
                   std::strerror(errno)};
    for (size_t i = 1; i < opts.addresses.size(); ++i) {
      auto url = url_of(opts.addresses[i], opts.port, false);
      if (nta_agent_add_tport(agent, URL_STRING_MAKE(url.c_str()),
                              TPTAG_UDP_RMEM(udp_buffer()),
                              TPTAG_UDP_WMEM(udp_buffer()), TAG_END()) < 0)
        return error{"sip: cannot listen on " + url + ": " +
                     std::strerror(errno)};
    }
    if (!opts.tls_dir.empty()) {
      for (const auto& ip : opts.addresses) {
        auto url = url_of(ip, opts.tls_port, true);
        if (nta_agent_add_tport(agent, URL_STRING_MAKE(url.c_str()),
                                TPTAG_CERTIFICATE(opts.tls_dir.c_str()),
                                TAG_END()) < 0)
          return error{"sip: cannot listen on " + url + " (TLS files in " +
                       opts.tls_dir + "): " + std::strerror(errno)};
      }
    }
    std::vector<listener> out;
    for (tport_t* tp = tport_primaries(nta_agent_tports(agent)); tp;
         tp = tport_next(tp)) {
      const tp_name_t* n = tport_name(tp);
      listener l;
      if (auto t = parse_transport(n->tpn_proto ? n->tpn_proto : ""))
        l.transport = *t;
      l.ip = n->tpn_host ? n->tpn_host : "";
      if (l.ip.size() > 2 && l.ip.front() == '[')
        l.ip = l.ip.substr(1, l.ip.size() - 2);
      l.port = static_cast<uint16_t>(n->tpn_port ? std::atoi(n->tpn_port) : 0);
      out.push_back(l);
    }
    return out;
  }

  void teardown() {
    for (auto& [key, p] : pending)
      msg_destroy(p.msg);
    pending.clear();
    for (auto& [irq, key] : invite_keys)
      nta_incoming_destroy(irq);
    invite_keys.clear();
    invites.clear();
    while (!clients.empty())
      forget_client(clients.begin()->first);
    pending_count = 0;
    if (timer)
      su_timer_destroy(timer);
    timer = nullptr;
    if (wait_index >= 0)
      su_root_deregister(root, wait_index);
    wait_index = -1;
    if (agent)
      nta_agent_destroy(agent);
    agent = nullptr;
    if (root)
      su_root_destroy(root);
    root = nullptr;
  }

  void run(std::promise<result<std::vector<listener>>>& started) {
    su_init();
    root = su_root_create(this);
    result<std::vector<listener>> bound = error{"sip: su_root_create failed"};
    if (root)
      bound = bind();
    if (bound) {
      su_wait_t w;
      su_wait_create(&w, efd, SU_WAIT_IN);
      wait_index = su_root_register(root, &w, &impl::wakeup_cb, nullptr, 0);
      timer = su_timer_create(su_root_task(root), 200);
      if (wait_index < 0 || !timer ||
          su_timer_run(timer, &impl::timer_cb, nullptr) < 0)
        bound = error{"sip: cannot set up the edge event loop"};
    }
    bool ok = static_cast<bool>(bound);
    started.set_value(std::move(bound));
    if (ok)
      su_root_run(root);
    teardown();
    su_deinit();
  }
};

sip_edge::sip_edge(edge_options opts, request_handler on_request,
                   screen_hook screen, metrics::registry& metrics)
    : impl_(std::make_unique<impl>(std::move(opts), std::move(on_request),
                                   std::move(screen), metrics)) {}

sip_edge::~sip_edge() {
  stop();
}

result<std::vector<listener>> sip_edge::start() {
  impl_->efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (impl_->efd < 0)
    return error{std::string("sip: eventfd: ") + std::strerror(errno)};
  std::promise<result<std::vector<listener>>> started;
  auto fut = started.get_future();
  impl_->thread = std::thread([this, &started] {
    pthread_setname_np(pthread_self(), "sip-edge");
    impl_->run(started);
  });
  auto bound = fut.get();
  if (!bound) {
    impl_->thread.join();
    ::close(impl_->efd);
    impl_->efd = -1;
  }
  return bound;
}

void sip_edge::reply(uint64_t key, sip_reply r) {
  impl_->post(reply_job{key, std::move(r)});
}

void sip_edge::send_options(outgoing_options o) {
  impl_->post(std::move(o));
}

void sip_edge::set_response_handler(response_handler h) {
  impl_->on_response = std::move(h);
}

uint64_t sip_edge::new_request_id() {
  return ++impl_->next_request_id;
}

void sip_edge::send_request(outgoing_request r) {
  impl_->post(std::move(r));
}

void sip_edge::reply_orphan(orphan_reply o) {
  impl_->post(std::move(o));
}

void sip_edge::cancel_request(uint64_t id) {
  impl_->post(cancel_job{id});
}

void sip_edge::stop() {
  if (!impl_ || !impl_->thread.joinable())
    return;
  {
    std::lock_guard lock{impl_->mu};
    impl_->stopping = true;
  }
  impl_->wake_loop();
  impl_->thread.join();
  ::close(impl_->efd);
  impl_->efd = -1;
}

std::size_t sip_edge::pending() const {
  return impl_->pending_count.load(std::memory_order_relaxed);
}

} // namespace sb::sip::edge
