// Provisioning API throughput over HTTPS, end to end: subscriber creates and
// reads through a running node's management listener, each client on one
// keep-alive connection, as a bulk import would drive it. The figures
// include TLS, HTTP, auth, JSON and the durable provisioning write that
// provlog_bench measures alone.
//
//   bench/api_bench [--host 127.0.0.1] [--port 1443] [--user administrator]
//                   [--pass administrator] [--count 100000] [--clients 4]
//                   [--domain bench.example]
//
// Each run creates its own domain (--domain with the unix time appended), so
// it can be repeated against the same node.

#include "common/asio.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using clock_type = std::chrono::steady_clock;
using json = nlohmann::json;

// A request slower than this means the node is stuck, not slow: stop rather
// than report a figure that hides it.
constexpr auto request_limit = std::chrono::seconds(30);
constexpr size_t failures_shown = 5;
constexpr size_t body_shown = 300;

struct options {
  std::string host = "127.0.0.1";
  std::string port = "1443";
  std::string user = "administrator";
  std::string pass = "administrator";
  size_t count = 100000;
  size_t clients = 4;
  std::string domain = "bench.example";
};

// Ends the run: the node is unreachable, stuck or refused the setup.
struct fatal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void usage() {
  std::fprintf(stderr,
               "usage: api_bench [--host H] [--port P] [--user U] [--pass P]\n"
               "                 [--count N] [--clients C] [--domain D]\n");
}

std::optional<size_t> positive(const std::string& s) {
  char* end = nullptr;
  unsigned long long n = std::strtoull(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || n == 0 || s.front() == '-')
    return std::nullopt;
  return static_cast<size_t>(n);
}

std::optional<options> parse_options(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; i += 2) {
    std::string_view name = argv[i];
    if (i + 1 >= argc)
      return std::nullopt;
    std::string value = argv[i + 1];
    if (name == "--host")
      opt.host = value;
    else if (name == "--port" && positive(value) && *positive(value) <= 65535)
      opt.port = value;
    else if (name == "--user")
      opt.user = value;
    else if (name == "--pass")
      opt.pass = value;
    else if (name == "--count" && positive(value))
      opt.count = *positive(value);
    else if (name == "--clients" && positive(value))
      opt.clients = *positive(value);
    else if (name == "--domain" && !value.empty())
      opt.domain = value;
    else
      return std::nullopt;
  }
  opt.clients = std::min(opt.clients, opt.count);
  return opt;
}

std::string base64(const std::string& in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

struct reply {
  unsigned status = 0;
  std::string location;
  std::string body;
};

/// One client: a keep-alive HTTPS connection (no certificate checks, the
/// listener's certificate is self-signed), reopened when the server closes
/// it. Every call is bounded by request_limit; past it the run stops.
class connection {
public:
  explicit connection(const options& opt)
      : opt_(opt)
      , auth_("Basic " + base64(opt.user + ":" + opt.pass)) {
    ssl_.set_verify_mode(asio::ssl::verify_none);
  }

  reply call(bhttp::verb verb, const std::string& target,
             const std::string& body = {}) {
    auto deadline = clock_type::now() + request_limit;
    auto req = make_request(verb, target, body);
    bool reused = stream_.has_value();
    if (!reused)
      connect(deadline);
    response_type res;
    auto ec = exchange(req, res, deadline);
    // An idle keep-alive connection may have been closed by the server just
    // before we wrote; retry once on a new one. (A POST the server did see
    // would then fail as a duplicate, and be counted.)
    if (ec && reused && !expired(ec, deadline)) {
      connect(deadline);
      res = {};
      ec = exchange(req, res, deadline);
    }
    if (ec) {
      stream_.reset();
      throw fatal(std::string(expired(ec, deadline)
                                  ? "no answer within 30 s to "
                                  : "request failed: ") +
                  std::string(req.method_string()) + " " + target + " (" +
                  ec.message() + ")");
    }
    if (!res.keep_alive())
      stream_.reset();
    return {res.result_int(), std::string(res[bhttp::field::location]),
            std::move(res.body())};
  }

private:
  using request_type = bhttp::request<bhttp::string_body>;
  using response_type = bhttp::response<bhttp::string_body>;
  using stream_type = beast::ssl_stream<beast::tcp_stream>;

  static bool expired(beast::error_code ec, clock_type::time_point deadline) {
    return ec == beast::error::timeout || clock_type::now() >= deadline;
  }

  request_type make_request(bhttp::verb verb, const std::string& target,
                            const std::string& body) const {
    request_type req{verb, target, 11};
    req.set(bhttp::field::host, opt_.host);
    req.set(bhttp::field::authorization, auth_);
    req.keep_alive(true);
    if (!body.empty()) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    return req;
  }

  void connect(clock_type::time_point deadline) {
    stream_.emplace(ioc_, ssl_);
    buffer_.clear();
    if (endpoints_.empty())
      endpoints_ = asio::ip::tcp::resolver(ioc_).resolve(opt_.host, opt_.port);
    auto& tcp = beast::get_lowest_layer(*stream_);
    auto ec =
        run(deadline, [&](auto done) { tcp.async_connect(endpoints_, done); });
    // Without it a request written in two segments waits for a delayed ACK.
    if (!ec)
      tcp.socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (!ec)
      ec = run(deadline, [&](auto done) {
        stream_->async_handshake(asio::ssl::stream_base::client, done);
      });
    if (ec) {
      stream_.reset();
      throw fatal("cannot connect to " + opt_.host + ":" + opt_.port + " (" +
                  ec.message() + ")");
    }
  }

  beast::error_code exchange(request_type& req, response_type& res,
                             clock_type::time_point deadline) {
    auto ec = run(deadline,
                  [&](auto done) { bhttp::async_write(*stream_, req, done); });
    if (ec)
      return ec;
    return run(deadline, [&](auto done) {
      bhttp::async_read(*stream_, buffer_, res, done);
    });
  }

  // Runs one asynchronous step to completion; the stream's timer makes it
  // fail with beast::error::timeout at `deadline`.
  template <class Start>
  beast::error_code run(clock_type::time_point deadline, Start start) {
    beast::error_code result;
    beast::get_lowest_layer(*stream_).expires_at(deadline);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  const options& opt_;
  std::string auth_;
  asio::io_context ioc_;
  asio::ssl::context ssl_{asio::ssl::context::tls_client};
  std::optional<stream_type> stream_;
  beast::flat_buffer buffer_;
  asio::ip::tcp::resolver::results_type endpoints_;
};

/// The id at the end of a Location header ("/api/<coll>/<id>").
std::optional<uint64_t> id_from_location(const std::string& location) {
  auto slash = location.find_last_of('/');
  std::string tail =
      slash == std::string::npos ? location : location.substr(slash + 1);
  auto id = positive(tail);
  if (!id)
    return std::nullopt;
  return static_cast<uint64_t>(*id);
}

std::string shorten(std::string body) {
  if (body.size() > body_shown)
    body.resize(body_shown);
  return body;
}

uint64_t create(connection& c, const std::string& coll, const json& body) {
  auto r = c.call(bhttp::verb::post, "/api/" + coll + "/", body.dump());
  if (r.status != 201)
    throw fatal("POST /api/" + coll + "/: " + std::to_string(r.status) + " " +
                shorten(r.body));
  auto id = id_from_location(r.location);
  if (!id)
    throw fatal("POST /api/" + coll + "/: no id in Location '" + r.location +
                "'");
  return *id;
}

/// What every subscriber of the run hangs off.
struct fixture {
  uint64_t customer = 0;
  uint64_t domain = 0;
  std::string domain_name;
  // Numbers are unique on the whole node, so each run takes its own area
  // code (the domain id); cc + ac + sn stays within E.164's 15 digits.
  std::string ac;
};

fixture make_fixture(const options& opt) {
  connection c(opt);
  fixture f;
  auto contact = create(c, "customercontacts",
                        {{"reseller_id", 1}, {"email", "bench@example.com"}});
  f.customer = create(c, "customers",
                      {{"contact_id", contact},
                       {"status", "active"},
                       {"type", "sipaccount"},
                       {"billing_profile_id", 1}});
  f.domain_name = opt.domain + "-" + std::to_string(std::time(nullptr));
  f.domain =
      create(c, "domains", {{"domain", f.domain_name}, {"reseller_id", 1}});
  f.ac = std::to_string(f.domain % 10000);
  return f;
}

std::string subscriber_body(const fixture& f, size_t i) {
  auto sn = std::to_string(100000000 + i);
  return json{{"customer_id", f.customer},
              {"domain_id", f.domain},
              {"username", "u" + sn},
              {"password", "secret123"},
              {"primary_number", {{"cc", "43"}, {"ac", f.ac}, {"sn", sn}}}}
      .dump();
}

/// What the clients of one phase share: the first failures to print, and
/// the reason to stop early.
class run_state {
public:
  bool aborted() const { return aborted_.load(std::memory_order_relaxed); }

  void abort(const std::string& why) {
    std::lock_guard<std::mutex> lock(mu_);
    if (reason_.empty())
      reason_ = why;
    aborted_ = true;
  }

  std::string reason() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reason_;
  }

  void failure(const std::string& what, const reply& r) {
    std::lock_guard<std::mutex> lock(mu_);
    if (shown_++ < failures_shown)
      std::fprintf(stderr, "failure: %s: %u %s\n", what.c_str(), r.status,
                   shorten(r.body).c_str());
  }

private:
  mutable std::mutex mu_;
  std::atomic<bool> aborted_{false};
  std::string reason_;
  size_t shown_ = 0;
};

/// One client's share of a phase.
struct tally {
  std::vector<double> latency_ms;
  std::vector<uint64_t> ids; ///< subscribers created
  size_t failures = 0;

  void merge(tally&& other) {
    latency_ms.insert(latency_ms.end(), other.latency_ms.begin(),
                      other.latency_ms.end());
    ids.insert(ids.end(), other.ids.begin(), other.ids.end());
    failures += other.failures;
  }
};

struct phase_result {
  tally total;
  double seconds = 0;
};

/// Runs `step(connection, index, tally)` for every index in [0, count),
/// split in contiguous slices over `opt.clients` threads, each with its own
/// connection.
template <class Step>
phase_result run_phase(const options& opt, size_t count, run_state& state,
                       Step step) {
  std::vector<tally> tallies(opt.clients);
  std::vector<std::thread> threads;
  auto t0 = clock_type::now();
  for (size_t k = 0; k < opt.clients; ++k) {
    threads.emplace_back([&, k] {
      try {
        connection c(opt);
        for (size_t i = count * k / opt.clients;
             i < count * (k + 1) / opt.clients && !state.aborted(); ++i) {
          auto s0 = clock_type::now();
          step(c, i, tallies[k]);
          std::chrono::duration<double, std::milli> ms = clock_type::now() - s0;
          tallies[k].latency_ms.push_back(ms.count());
        }
      } catch (const std::exception& e) {
        state.abort(e.what());
      }
    });
  }
  for (auto& t : threads)
    t.join();
  phase_result out;
  out.seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
  for (auto& t : tallies)
    out.total.merge(std::move(t));
  return out;
}

/// Nearest-rank percentile of sorted samples.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto rank =
      static_cast<size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::max<size_t>(rank, 1) - 1];
}

void report(const char* what, phase_result& r) {
  auto& lat = r.total.latency_ms;
  std::sort(lat.begin(), lat.end());
  std::printf("%s: %zu in %.3f s = %.0f/s (p50 %.2f ms, p99 %.2f ms)\n", what,
              lat.size(), r.seconds,
              r.seconds > 0 ? static_cast<double>(lat.size()) / r.seconds : 0.0,
              percentile(lat, 0.50), percentile(lat, 0.99));
}

phase_result create_subscribers(const options& opt, const fixture& f,
                                run_state& state) {
  return run_phase(opt, opt.count, state,
                   [&](connection& c, size_t i, tally& t) {
                     auto r = c.call(bhttp::verb::post, "/api/subscribers/",
                                     subscriber_body(f, i));
                     auto id = id_from_location(r.location);
                     if (r.status == 201 && id) {
                       t.ids.push_back(*id);
                       return;
                     }
                     ++t.failures;
                     state.failure("create #" + std::to_string(i), r);
                   });
}

phase_result read_subscribers(const options& opt,
                              const std::vector<uint64_t>& ids,
                              run_state& state) {
  return run_phase(opt, ids.size(), state,
                   [&](connection& c, size_t i, tally& t) {
                     auto target = "/api/subscribers/" + std::to_string(ids[i]);
                     auto r = c.call(bhttp::verb::get, target);
                     if (r.status != 200) {
                       ++t.failures;
                       state.failure("GET " + target, r);
                     }
                   });
}

int run(const options& opt) {
  auto f = make_fixture(opt);
  std::printf("api_bench: %zu subscribers, %zu clients, domain %s (id %llu) "
              "on %s:%s\n",
              opt.count, opt.clients, f.domain_name.c_str(),
              static_cast<unsigned long long>(f.domain), opt.host.c_str(),
              opt.port.c_str());
  std::fflush(stdout);

  run_state state;
  auto creates = create_subscribers(opt, f, state);
  report("creates", creates);
  std::fflush(stdout);
  if (state.aborted())
    throw fatal(state.reason());

  auto reads = read_subscribers(opt, creates.total.ids, state);
  report("reads", reads);
  std::printf("failures: creates %zu, reads %zu\n", creates.total.failures,
              reads.total.failures);
  if (state.aborted())
    throw fatal(state.reason());
  return creates.total.failures + reads.total.failures == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
  auto opt = parse_options(argc, argv);
  if (!opt) {
    usage();
    return 2;
  }
  try {
    return run(*opt);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "api_bench: aborted: %s\n", e.what());
    return 1;
  }
}
