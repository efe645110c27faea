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
#include <variant>

namespace sb::sip::edge {

namespace {

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
using job = std::variant<reply_job, outgoing_options>;

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
    std::string headers;
    for (const auto& h : r.headers) {
      headers += h.name;
      headers += ": ";
      headers += h.value;
      headers += "\r\n";
    }
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
  // Unsupported listing them.
  static std::optional<sip_reply>
  check_uri_and_extensions(const sip_message& m) {
    auto colon = m.request_uri.find(':');
    auto scheme = ascii_lower(
        m.request_uri.substr(0, colon == std::string::npos ? 0 : colon));
    if (scheme != "sip" && scheme != "sips" && scheme != "tel")
      return sip_reply::of(416, "Unsupported URI Scheme");
    std::vector<std::string> unsupported;
    for (const auto& value : m.headers_named("Require")) {
      std::string_view rest = value;
      while (!rest.empty()) {
        auto comma = rest.find(',');
        auto tag = rest.substr(0, comma);
        while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t'))
          tag.remove_prefix(1);
        while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t'))
          tag.remove_suffix(1);
        if (!tag.empty() && !iequals(tag, "path"))
          unsupported.emplace_back(tag);
        rest = comma == std::string_view::npos ? std::string_view{}
                                               : rest.substr(comma + 1);
      }
    }
    if (unsupported.empty())
      return std::nullopt;
    return sip_reply::of(420, "Bad Extension",
                         {{"Unsupported", join(unsupported, ", ")}});
  }

  int on_message(msg_t* msg, sip_t* sip) {
    if (!sip || !sip->sip_request) {
      // Responses to our stateless keepalives, or strays.
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
      // No INVITE is answered here yet: an ACK has nothing to match.
      count_drop("ack");
      msg_destroy(msg);
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
    uint64_t key = ++next_key;
    pending.emplace(key, pending_request{msg, tid, m.method,
                                         now + opts.reply_guard, stream});
    pending_count.store(pending.size(), std::memory_order_relaxed);
    cache.begin(tid, key, now);
    incoming_request rq{key, std::move(m), std::move(source), std::move(local),
                        now};
    on_request(std::move(rq));
    return 0;
  }

  void answer(uint64_t key, const sip_reply& r) {
    auto it = pending.find(key);
    if (it == pending.end()) {
      late_replies->inc();
      return;
    }
    auto p = std::move(it->second);
    pending.erase(it);
    pending_count.store(pending.size(), std::memory_order_relaxed);
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
    std::string host = o.target.ip.find(':') != std::string::npos
                           ? "[" + o.target.ip + "]"
                           : o.target.ip;
    auto route = "sip:" + host + ":" + std::to_string(o.target.port) +
                 ";transport=" + std::string(to_string(o.target.transport));
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
    auto* orq = nta_outgoing_mcreate(agent, nullptr, nullptr,
                                     URL_STRING_MAKE(route.c_str()), msg,
                                     NTATAG_STATELESS(1), TAG_END());
    if (!orq)
      msg_destroy(msg);
    else
      nta_outgoing_destroy(orq);
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
      else
        send_keepalive(std::get<outgoing_options>(j));
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
    cache.expire(now);
    pending_gauge->set(static_cast<double>(pending.size()));
  }

  static int message_cb(void* self, nta_agent_t*, msg_t* msg, sip_t* sip) {
    return static_cast<impl*>(self)->on_message(msg, sip);
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
        NTATAG_MAXSIZE(opts.max_message_bytes), NTATAG_UA(0),
        NTATAG_SERVER_RPORT(1), NTATAG_SIPFLAGS(MSG_DO_CANONIC),
        TPTAG_UDP_RMEM(udp_buffer()), TPTAG_UDP_WMEM(udp_buffer()), TAG_END());
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
