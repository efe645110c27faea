#include "persistence/redis/redis_client.hpp"

#include "common/asio.hpp"
#include "tests/support/io_runner.hpp"
#include "tests/support/redis_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

using namespace sb::persistence;
using namespace std::chrono_literals;
using sb::test::io_runner;

namespace {

// A private redis-server, an io thread and a connected client. Members are
// destroyed client first, then the io thread, then the server, also when a
// REQUIRE in the constructor throws.
struct redis_fixture {
  std::unique_ptr<sb::test::redis_server> server;
  io_runner runner;
  std::unique_ptr<redis_client> client;

  redis_fixture() {
    auto s = sb::test::redis_server::start();
    INFO((s ? std::string() : s.err().message));
    REQUIRE(s.ok());
    server = std::move(s).value();
    redis_options o;
    o.reconnect_initial = 20ms;
    o.reconnect_max = 200ms;
    client = std::make_unique<redis_client>(runner.io, o);
    client->connect("127.0.0.1", server->port());
    REQUIRE(client->wait_connected(5s));
  }

  redis_reply sync(std::vector<std::string> args) {
    auto r = client->command_sync(std::move(args), 5s);
    INFO((r ? std::string() : r.err().message));
    REQUIRE(r.ok());
    return std::move(r).value();
  }
};

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

} // namespace

TEST_CASE("redis client: commands return typed replies", "[redis]") {
  redis_fixture fx;
  using k = redis_reply::kind;
  CHECK(fx.sync({"PING"}).type == k::status);
  CHECK(fx.sync({"PING"}).str == "PONG");
  CHECK(fx.sync({"SET", "a", std::string("x\0y", 3)}).str == "OK");
  auto got = fx.sync({"GET", "a"});
  CHECK(got.type == k::string);
  CHECK(got.str == std::string("x\0y", 3));
  CHECK(fx.sync({"GET", "missing"}).is_nil());
  auto n = fx.sync({"INCRBY", "n", "41"});
  CHECK(n.type == k::integer);
  CHECK(n.integer == 41);
  fx.sync({"RPUSH", "l", "1", "2"});
  auto list = fx.sync({"LRANGE", "l", "0", "-1"});
  REQUIRE(list.type == k::array);
  CHECK(list.to_string() == R"(["1", "2"])");
  auto err = fx.sync({"INCR", "l"}); // wrong type: a reply, not a failure
  CHECK(err.is_error());
  CHECK_THAT(err.str, Catch::Contains("WRONGTYPE"));
  CHECK(fx.client->reconnect_count() == 0);
}

TEST_CASE("redis client: many pipelined commands complete in order",
          "[redis]") {
  redis_fixture fx;
  constexpr int count = 20000;
  // Shared with the callbacks, which may outlive this scope if it fails.
  struct tally {
    std::atomic<int> done{0}, failed{0}, out_of_order{0};
    int64_t last = 0; // io thread only
    std::promise<void> all_done;
  };
  auto t = std::make_shared<tally>();
  for (int i = 0; i < count; ++i)
    fx.client->command({"INCR", "counter"}, 30s,
                       [t](sb::result<redis_reply> r) {
                         if (!r || r->type != redis_reply::kind::integer)
                           ++t->failed;
                         else if (r->integer != t->last + 1)
                           ++t->out_of_order;
                         else
                           t->last = r->integer;
                         if (++t->done == count)
                           t->all_done.set_value();
                       });
  REQUIRE(t->all_done.get_future().wait_for(60s) == std::future_status::ready);
  CHECK(t->failed == 0);
  CHECK(t->out_of_order == 0);
  CHECK(fx.sync({"GET", "counter"}).str == std::to_string(count));
}

TEST_CASE("redis client: an unanswered command times out and the connection "
          "stays usable",
          "[redis]") {
  redis_fixture fx;
  auto start = std::chrono::steady_clock::now();
  // The server holds BLPOP for 1 s; our timeout is 100 ms.
  auto r = fx.client->command_sync({"BLPOP", "empty", "1"}, 100ms);
  auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("BLPOP timed out after 100 ms"));
  CHECK(took < 900ms);
  // The late BLPOP reply is discarded; the next reply is PING's own.
  CHECK(fx.sync({"PING"}).str == "PONG");
  CHECK(fx.client->connected());
}

TEST_CASE("redis client: reconnects after the server is killed and restarted",
          "[redis]") {
  redis_fixture fx;
  REQUIRE(fx.sync({"SET", "k", "before"}).str == "OK");

  fx.server->kill(); // SIGKILL by PID
  REQUIRE(eventually([&] { return !fx.client->connected(); }, 5s));

  // While the server is down, commands fail (fast or on their timeout),
  // they never hang.
  auto start = std::chrono::steady_clock::now();
  auto down = fx.client->command_sync({"PING"}, 1s);
  CHECK_FALSE(down.ok());
  CHECK(std::chrono::steady_clock::now() - start < 2s);

  auto restarted = fx.server->restart();
  INFO((restarted ? std::string() : restarted.err().message));
  REQUIRE(restarted.ok());
  REQUIRE(fx.client->wait_connected(10s));
  CHECK(fx.client->reconnect_count() >= 1);
  CHECK(fx.sync({"GET", "k"}).is_nil()); // no persistence configured
  CHECK(fx.sync({"SET", "k", "after"}).str == "OK");
  CHECK(fx.sync({"GET", "k"}).str == "after");
}

TEST_CASE("redis client: commands can be issued from many threads", "[redis]") {
  redis_fixture fx;
  constexpr int threads = 4, per_thread = 200;
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        auto r = fx.client->command_sync({"INCR", "shared"}, 5s);
        if (!r || r->type != redis_reply::kind::integer)
          ++failures;
      }
    });
  for (auto& w : workers)
    w.join();
  CHECK(failures == 0);
  CHECK(fx.sync({"GET", "shared"}).str == std::to_string(threads * per_thread));
}

TEST_CASE("redis client: a closed client fails commands", "[redis]") {
  redis_fixture fx;
  fx.client->close();
  REQUIRE(eventually([&] { return !fx.client->connected(); }, 5s));
  auto r = fx.client->command_sync({"PING"}, 1s);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.err().message, Catch::Contains("closed"));
  CHECK_FALSE(fx.client->command_sync({}, 1s).ok());
}

TEST_CASE("redis client: without a server, commands fail instead of hanging",
          "[redis]") {
  auto port = sb::test::free_port();
  REQUIRE(port.ok());
  io_runner runner;
  redis_options o;
  o.reconnect_initial = 10ms;
  o.reconnect_max = 50ms;
  redis_client client(runner.io, o);
  client.connect("127.0.0.1", *port);
  std::this_thread::sleep_for(100ms);
  CHECK_FALSE(client.connected());
  for (int i = 0; i < 5; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto r = client.command_sync({"PING"}, 1s);
    REQUIRE_FALSE(r.ok());
    CHECK(std::chrono::steady_clock::now() - start < 1500ms);
    // Why it cannot connect, as the system said it.
    CHECK_THAT(r.err().message, Catch::Contains("Connection refused"));
  }
  CHECK(client.reconnect_count() == 0);
}

TEST_CASE("redis client: a server that refuses the connection is heard",
          "[redis]") {
  // Redis in protected mode (or at maxclients) answers a new connection
  // with one error line and closes it: an operator must see that text,
  // not only "not connected".
  namespace asio = boost::asio;
  io_runner server_io;
  asio::ip::tcp::acceptor acceptor(server_io.io,
                                   {asio::ip::make_address("127.0.0.1"), 0});
  auto port = acceptor.local_endpoint().port();
  std::function<void()> serve = [&] {
    acceptor.async_accept([&](auto ec, asio::ip::tcp::socket sock) {
      if (ec)
        return;
      auto s = std::make_shared<asio::ip::tcp::socket>(std::move(sock));
      static const std::string denied =
          "-DENIED Redis is running in protected mode\r\n";
      asio::async_write(*s, asio::buffer(denied), [s](auto, auto) {
        boost::system::error_code ignored;
        s->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      });
      serve();
    });
  };
  asio::post(server_io.io, serve);

  io_runner runner;
  redis_options o;
  o.reconnect_initial = 10ms;
  o.reconnect_max = 50ms;
  redis_client client(runner.io, o);
  client.connect("127.0.0.1", port);
  std::string seen;
  CHECK(eventually(
      [&] {
        // Sent before the line arrives, the command gets it as its reply;
        // after, it fails with the text the connection was closed with.
        auto r = client.command_sync({"PING"}, 500ms);
        seen = r ? r->str : r.err().message;
        return seen.find("DENIED Redis is running in protected mode") !=
                   std::string::npos &&
               !r;
      },
      5s));
  INFO(seen);
  CHECK_THAT(seen, Catch::Contains("last error: DENIED"));
  client.close();
  // Closed on the server's thread, which is then joined: the acceptor must
  // not be destroyed here while that thread still touches it.
  asio::post(server_io.io, [&] {
    boost::system::error_code ignored;
    acceptor.close(ignored);
  });
  server_io.stop();
}
