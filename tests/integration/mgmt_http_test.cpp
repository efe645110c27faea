#include "mgmt/http/router.hpp"
#include "mgmt/http/self_signed.hpp"
#include "mgmt/http/server.hpp"

#include "common/metrics/registry.hpp"
#include "tests/integration/mgmt_http_client.hpp"
#include "tests/support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

using namespace sb::mgmt::http;
using sb::test::http_client;
using sb::test::make_req;
using verb = boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

/// A server on 127.0.0.1:0 with a fresh self-signed certificate, its
/// io_context run by one thread, and the test routes.
class fixture {
public:
  explicit fixture(bool tls = true, server_options opts = {}) {
    if (tls) {
      auto cert = dir_ / "mgmt.crt";
      auto key = dir_ / "mgmt.key";
      REQUIRE(ensure_self_signed_certificate(cert, key, "localhost",
                                             {"127.0.0.1"}, 2));
      opts.tls = tls_files{cert, key};
    }
    opts.address = "127.0.0.1";
    opts.port = 0;
    add_routes();
    srv_ = std::make_unique<server>(ioc_, opts, routes_.to_handler());
    auto p = srv_->start();
    REQUIRE(p);
    port = *p;
    io_thread_ = std::thread([this] {
      ioc_.run();
      io_done_.set_value();
    });
  }

  ~fixture() {
    srv_->stop();
    if (io_done_future_.wait_for(5s) != std::future_status::ready)
      ioc_.stop(); // fail safe; the stop test checks this path is not taken
    io_thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& t : helpers_)
      t.join();
  }

  server& srv() { return *srv_; }

  /// Waits until the io thread's run() returned (the server holds no work).
  bool io_finished(std::chrono::milliseconds within) {
    return io_done_future_.wait_for(within) == std::future_status::ready;
  }

private:
  sb::test::temp_dir dir_{"sb-mgmt-http"};
  boost::asio::io_context ioc_; // declared first: destroyed last

public:
  uint16_t port = 0;
  std::promise<void> held_arrived;
  std::optional<respond_fn> held; ///< the /hold request's respond

private:
  void add_routes() {
    auto ok = [](const sb::status& st) { REQUIRE(st); };
    ok(routes_.add("GET", "/hello", [](request, respond_fn respond) {
      respond(response::text(200, "hello"));
    }));
    ok(routes_.add("POST", "/echo", [](request rq, respond_fn respond) {
      respond(response::text(200, rq.body));
    }));
    ok(routes_.add("GET", "/api/items/{id}", [](request rq, respond_fn r) {
      r(response::json(200, {{"id", rq.params["id"]},
                             {"q", rq.query_value("q").value_or("")},
                             {"remote", rq.remote_address}}));
    }));
    ok(routes_.add("DELETE", "/api/items/{id}", [](request, respond_fn r) {
      r(response{204, {}, {}});
    }));
    ok(routes_.add("GET", "/async", [this](request, respond_fn respond) {
      std::lock_guard<std::mutex> lock(mu_);
      helpers_.emplace_back([respond = std::move(respond)] {
        respond(response::text(202, "from another thread"));
      });
    }));
    ok(routes_.add("GET", "/never", [](request, respond_fn) {}));
    ok(routes_.add("GET", "/throw", [](request, respond_fn) {
      throw std::runtime_error("boom");
    }));
    ok(routes_.add("GET", "/hold", [this](request, respond_fn respond) {
      held = std::move(respond);
      held_arrived.set_value();
    }));
  }

  router routes_;
  std::unique_ptr<server> srv_;
  std::promise<void> io_done_;
  std::shared_future<void> io_done_future_ = io_done_.get_future().share();
  std::thread io_thread_;
  std::mutex mu_;
  std::vector<std::thread> helpers_;
};

std::string header(const sb::test::http_reply& r, std::string_view name) {
  auto it = r.find(boost::beast::string_view(name.data(), name.size()));
  return it == r.end() ? std::string() : std::string(it->value());
}

} // namespace

TEST_CASE("mgmt_http: HTTPS GET, keep-alive and pipelining", "[mgmt][http]") {
  fixture fx;
  http_client<true> c;
  REQUIRE_FALSE(c.connect(fx.port));

  auto r1 = c.request(make_req(verb::get, "/hello"));
  REQUIRE(r1);
  CHECK(r1->result_int() == 200);
  CHECK(r1->body() == "hello");
  CHECK(header(*r1, "Content-Type") == "text/plain; charset=utf-8");
  CHECK(r1->keep_alive());

  // Same connection, second request.
  auto r2 = c.request(make_req(verb::get, "/api/items/a%20b?q=x%2By"));
  REQUIRE(r2);
  auto j = nlohmann::json::parse(r2->body());
  CHECK(j["id"] == "a b");
  CHECK(j["q"] == "x+y");
  CHECK(j["remote"] == "127.0.0.1");
  CHECK(fx.srv().connections() == 1);

  // Two requests written before reading: answered in order.
  auto p1 = make_req(verb::post, "/echo", "first");
  auto p2 = make_req(verb::post, "/echo", "second");
  REQUIRE_FALSE(c.send(p1));
  REQUIRE_FALSE(c.send(p2));
  auto e1 = c.read();
  auto e2 = c.read();
  REQUIRE(e1);
  REQUIRE(e2);
  CHECK(e1->body() == "first");
  CHECK(e2->body() == "second");

  auto head = c.request(make_req(verb::head, "/hello"));
  REQUIRE(head);
  CHECK(head->result_int() == 200);
  CHECK(header(*head, "Content-Length") == "5");
  CHECK(head->body().empty());
}

TEST_CASE("mgmt_http: 404, 405 with Allow, OPTIONS, 204", "[mgmt][http]") {
  fixture fx;
  http_client<true> c;
  REQUIRE_FALSE(c.connect(fx.port));

  auto nf = c.request(make_req(verb::get, "/nope"));
  REQUIRE(nf);
  CHECK(nf->result_int() == 404);
  CHECK(nlohmann::json::parse(nf->body())["code"] == 404);

  auto na = c.request(make_req(verb::put, "/api/items/7"));
  REQUIRE(na);
  CHECK(na->result_int() == 405);
  CHECK(header(*na, "Allow") == "DELETE, GET, HEAD, OPTIONS");

  auto opt = c.request(make_req(verb::options, "/api/items/7"));
  REQUIRE(opt);
  CHECK(opt->result_int() == 204);
  CHECK(header(*opt, "Allow") == "DELETE, GET, HEAD, OPTIONS");

  auto del = c.request(make_req(verb::delete_, "/api/items/7"));
  REQUIRE(del);
  CHECK(del->result_int() == 204);
  // The connection survived every answer above.
  CHECK(c.request(make_req(verb::get, "/hello")));
}

TEST_CASE("mgmt_http: oversized body gets 413 and the connection closes",
          "[mgmt][http]") {
  server_options opts;
  opts.max_body_bytes = 1024;
  fixture fx(true, opts);
  {
    http_client<true> c;
    REQUIRE_FALSE(c.connect(fx.port));
    auto ok = c.request(make_req(verb::post, "/echo", std::string(1024, 'a')));
    REQUIRE(ok);
    CHECK(ok->result_int() == 200);
    auto big =
        c.request(make_req(verb::post, "/echo", std::string(64 * 1024, 'b')));
    REQUIRE(big);
    CHECK(big->result_int() == 413);
    CHECK_FALSE(big->keep_alive());
    CHECK(nlohmann::json::parse(big->body())["code"] == 413);
    CHECK(c.closed_by_peer());
  }
  // Chunked bodies are limited too (plain HTTP to write chunks by hand).
  fixture plain(false, opts);
  http_client<false> c;
  REQUIRE_FALSE(c.connect(plain.port));
  std::string chunk(2000, 'c');
  REQUIRE_FALSE(c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n7d0\r\n" +
                           chunk + "\r\n0\r\n\r\n"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 413);
}

TEST_CASE("mgmt_http: respond from another thread", "[mgmt][http]") {
  fixture fx;
  http_client<true> c;
  REQUIRE_FALSE(c.connect(fx.port));
  for (int i = 0; i < 3; ++i) {
    auto r = c.request(make_req(verb::get, "/async"));
    REQUIRE(r);
    CHECK(r->result_int() == 202);
    CHECK(r->body() == "from another thread");
  }
  CHECK(fx.srv().in_flight() == 0);
}

TEST_CASE("mgmt_http: a handler that never responds or throws yields 500",
          "[mgmt][http]") {
  fixture fx;
  auto& unanswered =
      (*sb::metrics::default_registry().add_counter(
           "sb_mgmt_http_unanswered_total",
           "Requests whose handler dropped respond without calling it (500)."))
          ->with({});
  auto before = unanswered.integer_part();
  http_client<true> c;
  REQUIRE_FALSE(c.connect(fx.port));
  auto r = c.request(make_req(verb::get, "/never"));
  REQUIRE(r);
  CHECK(r->result_int() == 500);
  CHECK(nlohmann::json::parse(r->body())["code"] == 500);
  CHECK(unanswered.integer_part() == before + 1);

  auto t = c.request(make_req(verb::get, "/throw"));
  REQUIRE(t);
  CHECK(t->result_int() == 500);
  CHECK(c.request(make_req(verb::get, "/hello"))->result_int() == 200);
  CHECK(fx.srv().in_flight() == 0);
}

TEST_CASE("mgmt_http: stop() with a request in flight", "[mgmt][http]") {
  fixture fx;
  http_client<true> idle; // a second, idle keep-alive connection
  REQUIRE_FALSE(idle.connect(fx.port));
  REQUIRE(idle.request(make_req(verb::get, "/hello")));

  http_client<true> c;
  REQUIRE_FALSE(c.connect(fx.port));
  auto req = make_req(verb::get, "/hold");
  REQUIRE_FALSE(c.send(req));
  REQUIRE(fx.held_arrived.get_future().wait_for(5s) ==
          std::future_status::ready);
  CHECK(fx.srv().in_flight() == 1);

  fx.srv().stop();
  CHECK_FALSE(c.read()); // closed without an answer
  CHECK(c.last_error() != boost::beast::error::timeout);
  CHECK(idle.closed_by_peer());
  CHECK(fx.srv().connections() == 0);
  // The handler may still answer, so the io_context keeps running...
  CHECK_FALSE(fx.io_finished(0ms));
  CHECK(fx.srv().in_flight() == 1);
  // ...and drops the late answer quietly; then nothing is left to run.
  (*fx.held)(response::text(200, "too late"));
  CHECK(fx.srv().in_flight() == 0);
  CHECK(fx.io_finished(5s));
  http_client<true> late;
  CHECK(late.connect(fx.port));
}

TEST_CASE("mgmt_http: stop_accepting keeps open connections serving",
          "[mgmt][http]") {
  fixture fx;
  http_client<true> c;
  REQUIRE_FALSE(c.connect(fx.port));
  REQUIRE(c.request(make_req(verb::get, "/hello")));
  fx.srv().stop_accepting();
  auto r = c.request(make_req(verb::get, "/hello"));
  REQUIRE(r);
  CHECK(r->result_int() == 200);
}

TEST_CASE("mgmt_http: malformed requests get 400", "[mgmt][http]") {
  fixture fx(false);
  {
    http_client<false> c;
    REQUIRE_FALSE(c.connect(fx.port));
    REQUIRE_FALSE(c.send_raw("GARBAGE\r\n\r\n"));
    auto r = c.read();
    REQUIRE(r);
    CHECK(r->result_int() == 400);
    CHECK(header(*r, "Connection") == "close");
    CHECK(c.closed_by_peer());
  }
  http_client<false> c;
  REQUIRE_FALSE(c.connect(fx.port));
  REQUIRE_FALSE(c.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\n"
                           "Content-Length: nope\r\n\r\n"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 400);
}

TEST_CASE("mgmt_http: slow clients time out", "[mgmt][http]") {
  server_options opts;
  opts.idle_timeout = 300ms;
  opts.request_timeout = 300ms;
  fixture fx(true, opts);

  auto start = std::chrono::steady_clock::now();
  http_client<true> idle;
  REQUIRE_FALSE(idle.connect(fx.port));
  CHECK(idle.closed_by_peer());

  http_client<true> slow_header;
  REQUIRE_FALSE(slow_header.connect(fx.port));
  REQUIRE_FALSE(slow_header.send_raw("GET /hello HTTP/1.1\r\nHost: x\r\n"));
  CHECK(slow_header.closed_by_peer());

  http_client<true> slow_body;
  REQUIRE_FALSE(slow_body.connect(fx.port));
  REQUIRE_FALSE(slow_body.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Length: 10\r\n\r\nabc"));
  CHECK(slow_body.closed_by_peer());
  // Each waited about 300 ms, far below the client's 5 s deadline.
  CHECK(std::chrono::steady_clock::now() - start < 4s);
}

TEST_CASE("mgmt_http: start() reports a bad certificate", "[mgmt][http]") {
  sb::test::temp_dir dir("sb-mgmt-http");
  boost::asio::io_context ioc;
  server_options opts;
  opts.tls = tls_files{dir / "missing.crt", dir / "missing.key"};
  server srv(ioc, opts, [](request, respond_fn) {});
  auto r = srv.start();
  REQUIRE_FALSE(r);
  CHECK(r.err().message.find("missing.crt") != std::string::npos);

  server_options bad_addr;
  bad_addr.address = "not-an-address";
  server srv2(ioc, bad_addr, [](request, respond_fn) {});
  CHECK_FALSE(srv2.start());
}

TEST_CASE("mgmt_http: Expect 100-continue", "[mgmt][http]") {
  fixture fx(false);
  http_client<false> c;
  REQUIRE_FALSE(c.connect(fx.port));
  REQUIRE_FALSE(
      c.send_raw("POST /echo HTTP/1.1\r\nHost: x\r\n"
                 "Expect: 100-continue\r\nContent-Length: 4\r\n\r\n"));
  auto interim = c.read();
  REQUIRE(interim);
  CHECK(interim->result_int() == 100);
  REQUIRE_FALSE(c.send_raw("body"));
  auto r = c.read();
  REQUIRE(r);
  CHECK(r->result_int() == 200);
  CHECK(r->body() == "body");
}
