// relay_bench: hosts N media relays (media/rtp_relay) for the shared RTP
// blaster, so the relay's throughput and CPU can be measured the way
// ../shared/bench/rtp/relay-bench.sh measures rtpengine. Not a test.
//
//   relay_bench --sessions N --plan FILE [--threads T] [--seconds S]
//
// Session i's side A is 127.0.0.2:(20000+2i) and side B 127.0.0.3:(20000+2i)
// (the shared harness's layout); the relay listens on 127.0.0.1 with ports
// from a 30000-59999 pool and is told each side's address as an SDP would.
// FILE gets the blaster's plan ("<local_ip> <local_port> <relay_ip>
// <relay_port>", two lines per session), written once every relay is
// open. The process then forwards until SIGTERM/SIGINT or S seconds.
#include "common/asio.hpp"
#include "media/port_pool.hpp"
#include "media/rtp_relay.hpp"

#include <CLI/CLI.hpp>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using sb::media::leg_id;
using sb::media::rtp_relay;
using udp = asio::ip::udp;

int main(int argc, char** argv) {
  CLI::App app{"relay_bench: host media relays for the RTP blaster"};
  size_t sessions = 250;
  size_t threads = 1;
  std::string plan_file;
  int seconds = 600;
  app.add_option("--sessions", sessions, "Relayed sessions")
      ->check(CLI::Range(1, 7000));
  app.add_option("--threads", threads, "I/O threads (one io_context each)")
      ->check(CLI::Range(1, 16));
  app.add_option("--plan", plan_file, "Where to write the blaster plan")
      ->required();
  app.add_option("--seconds", seconds, "Stop after this long")
      ->check(CLI::Range(1, 3600));
  CLI11_PARSE(app, argc, argv);

  auto pool = sb::media::port_pool::create(30000, 59999);
  if (!pool) {
    std::cerr << pool.err().message << "\n";
    return 2;
  }
  // One io_context per thread, sessions spread round robin: the layout the
  // node will use (ARCHITECTURE.md §5), no locks on the packet path.
  std::vector<std::unique_ptr<asio::io_context>> ios;
  for (size_t t = 0; t < threads; ++t)
    ios.push_back(std::make_unique<asio::io_context>(1));
  std::vector<std::shared_ptr<rtp_relay>> relays;
  std::ofstream plan(plan_file + ".tmp");
  for (size_t i = 0; i < sessions; ++i) {
    auto& io = *ios[i % threads];
    std::shared_ptr<rtp_relay> relay;
    for (int attempt = 0; attempt < 8 && !relay; ++attempt) {
      auto pa = pool->allocate(), pb = pool->allocate();
      if (!pa || !pb) {
        std::cerr << "relay_bench: port pool exhausted\n";
        return 2;
      }
      auto r = rtp_relay::open(io, "127.0.0.1",
                               {*pa, static_cast<uint16_t>(*pa + 1)},
                               {*pb, static_cast<uint16_t>(*pb + 1)});
      if (r)
        relay = *r;
      else { // taken by someone else: skip that pair for good
        pool->mark_unusable(*pa);
        pool->mark_unusable(*pb);
      }
    }
    if (!relay) {
      std::cerr << "relay_bench: cannot bind relay ports\n";
      return 2;
    }
    auto port = static_cast<uint16_t>(20000 + 2 * i);
    udp::endpoint a(asio::ip::make_address("127.0.0.2"), port);
    udp::endpoint b(asio::ip::make_address("127.0.0.3"), port);
    relay->expect(leg_id::a, a, {a.address(), static_cast<uint16_t>(port + 1)});
    relay->expect(leg_id::b, b, {b.address(), static_cast<uint16_t>(port + 1)});
    relay->start();
    plan << "127.0.0.2 " << port << " 127.0.0.1 "
         << relay->local_ports(leg_id::a).rtp << "\n"
         << "127.0.0.3 " << port << " 127.0.0.1 "
         << relay->local_ports(leg_id::b).rtp << "\n";
    relays.push_back(std::move(relay));
  }
  plan.close();
  std::rename((plan_file + ".tmp").c_str(), plan_file.c_str());

  asio::signal_set signals(*ios[0], SIGINT, SIGTERM);
  asio::steady_timer deadline(*ios[0], std::chrono::seconds(seconds));
  auto stop_all = [&] {
    for (auto& io : ios)
      io->stop();
  };
  signals.async_wait([&](auto, int) { stop_all(); });
  deadline.async_wait([&](auto) { stop_all(); });
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t)
    workers.emplace_back([&io = *ios[t]] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
  ios[0]->run();
  stop_all();
  for (auto& w : workers)
    w.join();

  uint64_t packets = 0, lost = 0;
  for (const auto& r : relays)
    for (auto leg : {leg_id::a, leg_id::b}) {
      auto s = r->stats(leg);
      packets += s.packets;
      lost += s.lost;
    }
  std::cout << "relay_bench: sessions=" << sessions << " threads=" << threads
            << " packets_in=" << packets << " rtp_lost=" << lost << "\n";
  return 0;
}
