#include "actors/provisioning/provisioning_actor.hpp"

#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/change.hpp"
#include "persistence/provlog/provisioning_log.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace sb::actors {

namespace {

struct context {
  persistence::provisioning_log* log;
  persistence::rocks_store* store;
  provisioning_progress* progress;
  size_t batch;
  std::chrono::milliseconds poll;
};

// Applies until caught up or an error; records progress. Returns the error
// text, empty on success.
std::string catch_up(const context& cx) {
  for (;;) {
    auto n = persistence::apply_pending(*cx.log, *cx.store, cx.batch);
    if (!n) {
      cx.progress->failing = true;
      return n.err().message;
    }
    if (auto pos = persistence::applied_position(*cx.store))
      cx.progress->applied = *pos;
    if (*n < cx.batch)
      break;
  }
  if (auto last = cx.log->last_position())
    cx.progress->last = *last;
  cx.progress->failing = false;
  return {};
}

caf::behavior provisioning(caf::event_based_actor* self, context cx) {
  if (auto err = catch_up(cx); !err.empty())
    spdlog::error("provisioning: {}", err);
  self->delayed_send(self, cx.poll, prov_apply_atom::value);
  return {
      [=](prov_append_atom,
          const std::string& encoded) -> caf::result<uint64_t> {
        auto c = persistence::decode_change(encoded);
        if (!c)
          return caf::make_error(caf::sec::invalid_argument, c.err().message);
        auto pos = cx.log->append(std::move(*c));
        if (!pos)
          return caf::make_error(caf::sec::runtime_error, pos.err().message);
        // A write is acknowledged only once this node applied it, so a read
        // right after a 201 sees it.
        if (auto err = catch_up(cx); !err.empty())
          return caf::make_error(caf::sec::runtime_error, err);
        return *pos;
      },
      [=](prov_apply_atom) {
        if (auto err = catch_up(cx); !err.empty())
          spdlog::error("provisioning: {}", err);
        self->delayed_send(self, cx.poll, prov_apply_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_provisioning_actor(caf::actor_system& sys,
                                    persistence::provisioning_log& log,
                                    persistence::rocks_store& store,
                                    provisioning_progress& progress,
                                    size_t apply_batch,
                                    std::chrono::milliseconds poll_interval) {
  return sys.spawn<caf::detached>(
      provisioning,
      context{&log, &store, &progress, apply_batch, poll_interval});
}

} // namespace sb::actors
