#include "apps/sbnode/cdr_service.hpp"

#include "actors/billing/cdr_shipping_actor.hpp"
#include "persistence/provlog/redis_checkpoint_store.hpp"
#include "persistence/provlog/redis_provisioning_log.hpp"
#include "persistence/redis/redis_thread.hpp"

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace sb::apps {

using std::chrono::milliseconds;

cdr_service::cdr_service(const config::loaded_config& cfg,
                         const config::settings& s)
    : cfg_(cfg) {
  persistence::redis_options opts;
  opts.connect_timeout = milliseconds(s.redis.connect_timeout_ms);
  redis_ = std::make_unique<persistence::redis_thread>(
      s.redis.host, static_cast<uint16_t>(s.redis.port), opts);
  log_ = std::make_unique<persistence::redis_provisioning_log>(
      redis_->client(), s.redis.key_prefix + "cdrlog",
      milliseconds(s.redis.command_timeout_ms));
  positions_ = std::make_unique<persistence::redis_checkpoint_store>(
      redis_->client(), s.redis.key_prefix + "cdrlog",
      milliseconds(s.redis.command_timeout_ms));
}

cdr_service::~cdr_service() {
  positions_.reset();
  log_.reset();
  redis_.reset();
}

void cdr_service::start(caf::actor_system& sys, persistence::rocks_store& store,
                        std::function<std::vector<std::string>()> live_nodes,
                        metrics::registry& metrics) {
  actors::cdr_shipping_settings cs;
  cs.node = cfg_.node;
  cs.collect = cfg_.host().has_role("db");
  for (const auto& h : cfg_.network.hosts)
    if (h.has_role("db"))
      cs.collectors.push_back(h.name);
  if (cs.collectors.empty())
    spdlog::warn("cdrs: no host of network.yml has the db role; the CDRs "
                 "stay in the cluster's CDR log until one has");
  cs.live_nodes = std::move(live_nodes);
  cs.positions = positions_.get();
  actor_ = actors::spawn_cdr_shipping_actor(sys, *log_, store, std::move(cs),
                                            metrics);
}

void cdr_service::stop(caf::actor_system& sys, milliseconds timeout) {
  if (!actor_)
    return;
  caf::scoped_actor self{sys};
  self->request(actor_, timeout, actors::cdr_flush_atom::value)
      .receive(
          [](uint64_t left) {
            if (left)
              spdlog::warn("cdrs: {} CDRs stay in this node's outbox; they "
                           "are shipped when it starts again",
                           left);
          },
          [&sys](const caf::error& e) {
            spdlog::warn("cdrs: the outbox was not shipped before stopping: "
                         "{}",
                         sys.render(e));
          });
  caf::anon_send_exit(actor_, caf::exit_reason::user_shutdown);
  actor_ = nullptr;
}

} // namespace sb::apps
