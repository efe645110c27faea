#include "apps/sbnode/media_service.hpp"

#include "common/log.hpp"
#include "common/metrics/registry.hpp"

namespace sb::apps {

result<std::unique_ptr<media_service>>
media_service::start(const config::loaded_config& cfg,
                     const config::settings& s, metrics::registry& metrics) {
  // An HA pair announces (and relays on) the shared address, which moves
  // to whichever node is active; the standby binds it non-locally
  // (net.ipv4.ip_nonlocal_bind, docs/operations.md).
  std::optional<net::ip_address> address;
  for (const auto& i : cfg.host().interfaces)
    if (i.has_type("rtp_ext")) {
      address = net::parse_ip_address(
          i.shared_ip.empty() ? i.ip : i.shared_ip.front());
      break;
    }
  if (!address)
    return error{"network.yml: host " + cfg.node +
                 " has the lb role but no rtp_ext interface with an IP"};
  auto pool = media::port_pool::create(s.rtpproxy.minport, s.rtpproxy.maxport);
  if (!pool)
    return error{"rtpproxy: " + pool.err().message};
  std::unique_ptr<media_service> svc{new media_service()};
  svc->env_ = std::make_shared<actors::media::media_env>(svc->io_, *address,
                                                         std::move(*pool));
  auto& m = svc->env_->metrics;
  m.sessions = &metrics
                    .add_gauge("sb_media_sessions",
                               "Media sessions (calls with relayed media).")
                    .value()
                    ->with({});
  m.pairs_in_use = &metrics
                        .add_gauge("sb_media_port_pairs_in_use",
                                   "RTP/RTCP port pairs allocated.")
                        .value()
                        ->with({});
  m.packets = metrics
                  .add_counter("sb_media_relayed_packets_total",
                               "Packets the relay received from each leg's "
                               "peer, counted when a session ends.",
                               {"leg"})
                  .value();
  svc->work_ = std::make_unique<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
      svc->io_.get_executor());
  svc->thread_ = std::thread([io = &svc->io_] {
    pthread_setname_np(pthread_self(), "media-io");
    io->run();
  });
  spdlog::info("media: relay on {} ports {}-{} ({} pairs)",
               address->to_string(), s.rtpproxy.minport, s.rtpproxy.maxport,
               svc->env_->pool.capacity());
  return svc;
}

void media_service::stop() {
  if (!thread_.joinable())
    return;
  work_.reset();
  io_.stop();
  thread_.join();
}

media_service::~media_service() {
  stop();
}

} // namespace sb::apps
