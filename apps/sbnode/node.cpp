#include "apps/sbnode/node.hpp"

#include "actors/provisioning/provisioning_actor.hpp"
#include "actors/support/caf_config.hpp"
#include "apps/sbnode/cdr_service.hpp"
#include "apps/sbnode/cluster_service.hpp"
#include "apps/sbnode/media_service.hpp"
#include "apps/sbnode/node_state.hpp"
#include "apps/sbnode/provisioning_backend.hpp"
#include "apps/sbnode/sip_service.hpp"
#include "common/asio.hpp"
#include "common/fs.hpp"
#include "common/log.hpp"
#include "common/metrics/registry.hpp"
#include "mgmt/api/api_service.hpp"
#include "mgmt/api/bootstrap.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/sip_operations.hpp"
#include "mgmt/http/router.hpp"
#include "mgmt/http/self_signed.hpp"
#include "mgmt/http/server.hpp"
#include "mgmt/node/control_token.hpp"
#include "mgmt/node/node_routes.hpp"
#include "persistence/kv/rocks_store.hpp"

#include <chrono>
#include <csignal>
#include <future>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>

namespace sb::apps {

namespace {

namespace asio = boost::asio;
namespace stdfs = std::filesystem;
using namespace std::chrono_literals;

// Stops accepting, lets requests in flight finish within the drain timeout,
// then stops the listener and the I/O loop.
void drain_and_stop(asio::io_context& io, mgmt::http::server& server,
                    node_state& st) {
  st.draining = true;
  server.stop_accepting();
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(st.running.mgmt.drain_timeout_ms);
  auto timer = std::make_shared<asio::steady_timer>(io);
  auto poll = std::make_shared<std::function<void()>>();
  *poll = [&io, &server, timer, poll, deadline] {
    if (server.in_flight() == 0 ||
        std::chrono::steady_clock::now() >= deadline) {
      if (server.in_flight() > 0)
        spdlog::warn("drain timeout: {} request(s) still in flight",
                     server.in_flight());
      server.stop();
      io.stop();
      *poll = nullptr; // break the self-reference
      return;
    }
    timer->expires_after(20ms);
    timer->async_wait([poll](boost::system::error_code) {
      if (*poll)
        (*poll)();
    });
  };
  (*poll)();
}

// sbctl node drain: the membership gives this node's keys away, new calls
// are refused; every poll stops the subscriber actors that a request from a
// peer with an older view activated here since, and in an HA pair moves the
// calls to the peer once the service address went there; once no actor is
// left (the calls have ended or moved) for a second, or the timeout passes,
// the node stops as on SIGTERM.
nlohmann::json begin_drain(asio::io_context& io, mgmt::http::server& server,
                           node_state& st, cluster_service& cluster,
                           sip_service* sip, std::chrono::seconds timeout) {
  if (st.draining)
    return {{"draining", true}, {"already", true}};
  st.draining = true; // not ready: no new traffic
  spdlog::info("drain: handing every actor over, then exiting");
  cluster.drain();
  if (sip)
    sip->drain();
  auto begun = std::chrono::steady_clock::now();
  auto deadline = begun + timeout;
  // In an HA pair the calls wait for the service address to move to the
  // peer; by half the timeout they move without it.
  auto give_up_waiting = begun + timeout / 2;
  auto timer = std::make_shared<asio::steady_timer>(io);
  auto poll = std::make_shared<std::function<void()>>();
  auto quiet_polls = std::make_shared<int>(0);
  *poll = [&io, &server, &st, sip, timer, poll, deadline, give_up_waiting,
           quiet_polls] {
    if (sip)
      sip->drain_step(std::chrono::steady_clock::now() >= give_up_waiting);
    uint64_t left = sip ? sip->live_actors() : 0;
    *quiet_polls = left ? 0 : *quiet_polls + 1;
    // Quiet for a second: the peers have seen the draining flag in several
    // heartbeats, so nothing new is forwarded here, and what was forwarded
    // before has been answered.
    if (*quiet_polls >= 20 || std::chrono::steady_clock::now() >= deadline) {
      if (left)
        spdlog::warn("drain: timeout with {} actor(s) left", left);
      else
        spdlog::info("drain: no actor left");
      drain_and_stop(io, server, st);
      *poll = nullptr; // last: it destroys this closure
      return;
    }
    if (sip)
      sip->cluster_changed();
    // Often: a call moving to the HA peer is unreachable (its RTP is lost)
    // from the address leaving until the peer has it.
    timer->expires_after(50ms);
    timer->async_wait([poll](boost::system::error_code) {
      if (*poll)
        (*poll)();
    });
  };
  // Not at once: this runs inside the drain request, whose answer must go
  // out before the listener stops.
  timer->expires_after(200ms);
  timer->async_wait([poll](boost::system::error_code) {
    if (*poll)
      (*poll)();
  });
  return {{"draining", true},
          {"actors", sip ? sip->live_actors() : 0},
          {"timeout_s", timeout.count()}};
}

void wait_for_signals(asio::signal_set& signals, asio::io_context& io,
                      mgmt::http::server& server, node_state& st) {
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec)
      return;
    if (sig == SIGHUP) {
      auto report = st.reload();
      if (report)
        spdlog::info("SIGHUP: reloaded: {}", report->dump());
      else
        spdlog::error("SIGHUP: configuration not reloaded:\n{}",
                      report.err().message);
      wait_for_signals(signals, io, server, st);
      return;
    }
    spdlog::info("{}: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    drain_and_stop(io, server, st);
  });
}

// Waits for one write of the initial data; false (logged) on failure.
bool await_write(
    const char* what,
    const std::function<void(std::function<void(mgmt::rest::api_status)>)>&
        run) {
  auto done = std::make_shared<std::promise<mgmt::rest::api_status>>();
  auto outcome = done->get_future();
  run([done](mgmt::rest::api_status st) { done->set_value(std::move(st)); });
  if (outcome.wait_for(std::chrono::seconds{60}) != std::future_status::ready) {
    spdlog::critical("{}: no answer from the provisioning actor", what);
    return false;
  }
  auto st = outcome.get();
  if (!st) {
    spdlog::critical("{}: {}", what, st.err().message);
    return false;
  }
  return true;
}

// The names of the live members, for the logs' maintainers.
std::function<std::vector<std::string>()>
live_node_names(cluster_service& cluster) {
  return [view = cluster.view()] {
    std::vector<std::string> names;
    for (const auto& n : view->get().live)
      names.push_back(n.name);
    return names;
  };
}

// The bootstrap data of a fresh platform, and the demo data if asked.
bool initial_data(mgmt::api::api_service& api, bool demo) {
  if (!await_write("bootstrap", [&](auto done) {
        mgmt::api::bootstrap(api, std::move(done));
      }))
    return false;
  if (demo && !await_write("demo data", [&](auto done) {
        mgmt::api::provision_demo(api, std::move(done));
      }))
    return false;
  if (demo)
    spdlog::info("demo: domain 127.0.0.1, subscribers 1001-1003 (SIP "
                 "passwords demo1001-demo1003)");
  if (mgmt::api::default_password_in_use(api))
    spdlog::warn("the API administrator '{}' still has its default "
                 "password: change it (PATCH /api/admins/1, see docs/api.md)",
                 mgmt::api::default_admin_login);
  return true;
}

} // namespace

node::node(config::loaded_config cfg, std::optional<std::string> node_arg,
           std::optional<std::string> data_dir_arg, bool demo)
    : cfg_(std::move(cfg))
    , node_arg_(std::move(node_arg))
    , data_dir_arg_(std::move(data_dir_arg))
    , demo_(demo) {}

int node::run() {
  const auto& s = cfg_.values;
  log::init(cfg_.node, s.logging.format, s.logging.level);
  auto data_dir = data_dir_arg_ ? stdfs::absolute(*data_dir_arg_)
                                : config::resolve(cfg_, s.general.data_dir);
  spdlog::info("sbnode {} starting: node {}, config {} (fingerprint {}), "
               "data {}",
               SB_VERSION, cfg_.node, cfg_.dir.string(), cfg_.fingerprint,
               data_dir.string());
  std::error_code ec;
  stdfs::create_directories(data_dir, ec);
  if (ec) {
    spdlog::critical("cannot create data directory {}: {}", data_dir.string(),
                     ec.message());
    return 1;
  }
  auto token = mgmt::ensure_control_token(data_dir);
  if (!token) {
    spdlog::critical("{}", token.err().message);
    return 1;
  }

  auto store = persistence::rocks_store::open(data_dir / "db");
  if (!store) {
    spdlog::critical("storage: {}", store.err().message);
    return 1;
  }

  auto backend = provisioning_backend::open(s, **store);
  if (!backend) {
    spdlog::critical("provisioning log: {}", backend.err().message);
    return 1;
  }
  actors::provisioning_progress progress;
  // Cluster mode: the CDR log's connection, before the actor system, which
  // its actor must not outlive.
  std::unique_ptr<cdr_service> cdrs;
  if (s.cluster.enable)
    cdrs = std::make_unique<cdr_service>(cfg_, s);

  node_state st{cfg_, node_arg_};
  st.provisioning = &progress;
  st.register_metrics(metrics::default_registry());

  // Destroyed before the storage above (reverse order), after waiting for
  // every actor to finish.
  caf::actor_system_config caf_cfg;
  actors::apply_settings(caf_cfg, s);
  caf::actor_system sys{caf_cfg};
  st.actors_running = [&sys] {
    return static_cast<double>(sys.registry().running());
  };
  // Cluster mode: the view and the Redis connection first (provisioning
  // and the SIP service go by them), the membership once the services
  // exist.
  std::unique_ptr<cluster_service> cluster;
  if (s.cluster.enable)
    cluster = std::make_unique<cluster_service>(cfg_);
  actors::provisioning_retention retention;
  retention.checkpoints = (*backend)->checkpoints();
  retention.keep = static_cast<uint64_t>(s.provisioning.log_keep);
  retention.interval =
      std::chrono::seconds(s.provisioning.retention_interval_s);
  if (cluster)
    retention.live_nodes = live_node_names(*cluster);
  auto provisioning = actors::spawn_provisioning_actor(
      sys, cfg_.node, (*backend)->log(), **store, progress,
      static_cast<size_t>(s.provisioning.apply_batch), 200ms,
      std::move(retention));

  // The management listener: configured certificate, or a self-signed one
  // generated once into the data directory.
  const auto* api = cfg_.host().interface_of_type("api_int");
  stdfs::path cert = s.mgmt.tls_cert.empty()
                         ? data_dir / "tls" / "mgmt.crt"
                         : config::resolve(cfg_, s.mgmt.tls_cert);
  stdfs::path key = s.mgmt.tls_key.empty()
                        ? data_dir / "tls" / "mgmt.key"
                        : config::resolve(cfg_, s.mgmt.tls_key);
  if (s.mgmt.tls_cert.empty()) {
    stdfs::create_directories(data_dir / "tls", ec);
    auto st_cert = mgmt::http::ensure_self_signed_certificate(
        cert, key, cfg_.node, {api->ip},
        static_cast<int>(s.mgmt.self_signed_cert_days));
    if (!st_cert) {
      spdlog::critical("TLS: {}", st_cert.err().message);
      return 1;
    }
  }

  auto guard = mgmt::auth::login_guard::create(
      {static_cast<unsigned>(s.mgmt.login_max_failures),
       std::chrono::seconds{s.mgmt.login_window_s},
       std::chrono::seconds{s.mgmt.login_ban_s}});
  if (!guard) {
    spdlog::critical("API login guard: {}", guard.err().message);
    return 1;
  }
  mgmt::api::api_service prov_api{
      **store,
      [provisioning](std::shared_ptr<actors::provisioning_txn> t) {
        caf::anon_send(provisioning, actors::prov_txn_atom::value,
                       std::move(t));
      },
      std::move(*guard)};
  mgmt::api::add_all_resources(prov_api);
  if (!initial_data(prov_api, demo_)) {
    caf::anon_send_exit(provisioning, caf::exit_reason::user_shutdown);
    sys.await_all_actors_done();
    return 1;
  }

  // The media relay (lb role): ports, relay address, I/O thread.
  std::unique_ptr<media_service> media;
  if (cfg_.host().has_role("lb")) {
    auto svc = media_service::start(cfg_, s, metrics::default_registry());
    if (!svc) {
      spdlog::critical("{}", svc.err().message);
      caf::anon_send_exit(provisioning, caf::exit_reason::user_shutdown);
      sys.await_all_actors_done();
      return 1;
    }
    media = std::move(*svc);
  }
  // The SIP edge (lb role), the subscriber actors and the call actors (lb
  // role, and in a cluster the proxy role: the lb nodes forward to them).
  std::unique_ptr<sip_service> sip;
  if (cfg_.host().has_role("lb") ||
      (cluster && cfg_.host().has_role("proxy"))) {
    auto svc = sip_service::start(cfg_, s, data_dir, **store, sys,
                                  media ? media->env() : nullptr,
                                  metrics::default_registry(), cluster.get());
    if (!svc) {
      spdlog::critical("{}", svc.err().message);
      if (media)
        media->stop();
      caf::anon_send_exit(provisioning, caf::exit_reason::user_shutdown);
      sys.await_all_actors_done();
      return 1;
    }
    sip = std::move(*svc);
  }
  if (sip)
    mgmt::api::add_sip_operations(prov_api, sip->shield(), sip->directory(),
                                  sip->shared_locations());
  if (cluster) {
    std::map<std::string, caf::actor> services;
    if (sip)
      services.emplace("sip", sip->remote_sip());
    auto* sip_ptr = sip.get();
    auto started = cluster->start(
        sys, std::move(services), {"sip"},
        [sip_ptr] { return sip_ptr ? sip_ptr->live_actors() : 0; },
        [sip_ptr] {
          if (sip_ptr)
            sip_ptr->cluster_changed();
        },
        [sip_ptr] {
          if (sip_ptr)
            sip_ptr->fenced();
        },
        [sip_ptr] {
          if (sip_ptr)
            sip_ptr->rejoined();
        });
    if (!started) {
      spdlog::critical("{}", started.err().message);
      if (sip)
        sip->stop();
      if (media)
        media->stop();
      caf::anon_send_exit(provisioning, caf::exit_reason::user_shutdown);
      sys.await_all_actors_done();
      return 1;
    }
    // The calls this node ran before a restart go on, once its lease (and
    // so the epoch its snapshot writes carry) is in force.
    for (int i = 0;
         i < 100 && sip &&
         !cluster->view()->lease_valid(std::chrono::steady_clock::now());
         ++i)
      std::this_thread::sleep_for(50ms);
    if (sip)
      sip->restore_calls(sys); // reports what it did
  }
  st.on_reload = [&sip](const config::settings& fresh) {
    if (sip)
      sip->reload(fresh);
  };

  asio::io_context io{1};
  mgmt::http::router router;
  mgmt::add_node_routes(router, st, metrics::default_registry(), *token);
  if (sip)
    mgmt::add_trace_routes(router, sip->traces(), *token);
  mgmt::http::server* server_ptr = nullptr; // set once it exists
  if (cluster)
    mgmt::add_cluster_routes(
        router, cluster->view(),
        [&io, &server_ptr, &st, &cluster, &sip,
         timeout = std::chrono::seconds(s.cluster.drain_timeout_s)] {
          return begin_drain(io, *server_ptr, st, *cluster, sip.get(), timeout);
        },
        *token);
  if (auto st_api = prov_api.add_routes(router); !st_api) {
    spdlog::critical("API routes: {}", st_api.err().message);
    return 1;
  }
  mgmt::http::server_options opts;
  opts.address = api->ip;
  opts.port = static_cast<uint16_t>(s.mgmt.port);
  opts.tls = mgmt::http::tls_files{cert, key};
  opts.max_body_bytes = static_cast<size_t>(s.mgmt.max_body_bytes);
  mgmt::http::server server{io, opts, router.to_handler()};
  server_ptr = &server;
  auto port = server.start();
  if (!port) {
    spdlog::critical("management listener on {}:{}: {}", api->ip, s.mgmt.port,
                     port.err().message);
    return 1;
  }
  if (auto st_ep = fs::write_file_durably(
          mgmt::endpoint_path(data_dir), api->ip + ":" + std::to_string(*port));
      !st_ep)
    spdlog::warn("{}", st_ep.err().message);
  asio::signal_set signals{io, SIGTERM, SIGINT, SIGHUP};
  wait_for_signals(signals, io, server, st);
  st.storage_open = true;
  spdlog::info("ready: management on https://{}:{}", api->ip, *port);
  if (cdrs)
    cdrs->start(sys, **store, live_node_names(*cluster),
                metrics::default_registry());

  io.run();

  spdlog::info("stopping actors");
  st.on_reload = nullptr;
  if (cluster)
    cluster->stop();
  if (sip)
    sip->stop();
  if (media)
    media->stop();
  // After the calls: the CDRs they wrote go with the node's last shipment.
  if (cdrs)
    cdrs->stop(sys, 5000ms);
  st.unregister_metrics();
  st.actors_running = nullptr;
  caf::anon_send_exit(provisioning, caf::exit_reason::user_shutdown);
  // The provisioning backend (and its Redis thread) must outlive the actor.
  sys.await_all_actors_done();
  spdlog::info("stopped");
  return 0;
}

} // namespace sb::apps
