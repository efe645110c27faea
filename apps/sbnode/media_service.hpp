#pragma once

#include "actors/media/media_session_actor.hpp"
#include "common/config/loader.hpp"
#include "common/metrics/fwd.hpp"

#include <memory>
#include <thread>

namespace sb::apps {

/// The node's media relay side (lb role): the port pool of
/// rtpproxy.minport..maxport, the relay address (the first rtp_ext
/// interface), and the I/O thread every relay's sockets run in. Media
/// session actors (spawned by call actors) share its `media_env`.
class media_service {
public:
  static result<std::unique_ptr<media_service>>
  start(const config::loaded_config& cfg, const config::settings& s,
        metrics::registry& metrics);

  ~media_service();

  /// Stops the I/O thread; relays still open stop forwarding.
  void stop();

  std::shared_ptr<actors::media::media_env> env() const { return env_; }

private:
  media_service() = default;

  boost::asio::io_context io_{1};
  std::unique_ptr<
      boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>
      work_;
  std::thread thread_;
  std::shared_ptr<actors::media::media_env> env_;
};

} // namespace sb::apps
