#include "actors/provisioning/provisioning_actor.hpp"

#include "persistence/entities/entity_txn.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/change.hpp"
#include "persistence/provlog/provisioning_log.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace sb::actors {

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct context {
  std::string origin;
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
    int64_t newest = 0;
    auto n = persistence::apply_pending(*cx.log, *cx.store, cx.batch, &newest);
    if (!n) {
      cx.progress->failing = true;
      return n.err().message;
    }
    if (*n > 0)
      cx.progress->apply_delay_ms = std::max<int64_t>(0, now_ms() - newest);
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

// Most transactions in one change: bounds its size and the wait of the
// first of them.
constexpr size_t max_group = 256;

// Builds each queued transaction in turn on one entity_txn and writes the
// successful ones as one change.
void write_group(const context& cx,
                 std::vector<std::shared_ptr<provisioning_txn>> group) {
  persistence::entity_txn txn(*cx.store);
  std::vector<std::shared_ptr<provisioning_txn>> written;
  for (auto& t : group) {
    auto mark = txn.mark();
    if (auto st = t->build(txn); !st) {
      txn.rollback(std::move(mark));
      t->done(st.err());
    } else if (!txn.wrote_since(mark)) {
      t->done(uint64_t{0});
    } else {
      written.push_back(std::move(t));
    }
  }
  if (written.empty())
    return;
  auto pos = cx.log->append(txn.to_change(now_ms(), cx.origin));
  if (!pos) {
    for (auto& t : written)
      t->done(pos.err());
    return;
  }
  auto err = catch_up(cx);
  for (auto& t : written)
    err.empty() ? t->done(*pos) : t->done(error{err});
}

caf::behavior provisioning(caf::event_based_actor* self, context cx) {
  auto queue =
      std::make_shared<std::vector<std::shared_ptr<provisioning_txn>>>();
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
      [=](prov_txn_atom, const std::shared_ptr<provisioning_txn>& t) {
        // The flush is queued behind every transaction already in the
        // mailbox, so it finds them all.
        if (queue->empty())
          self->send(self, prov_flush_atom::value);
        queue->push_back(t);
      },
      [=](prov_flush_atom) {
        std::vector<std::shared_ptr<provisioning_txn>> group;
        auto n = std::min(queue->size(), max_group);
        group.assign(std::make_move_iterator(queue->begin()),
                     std::make_move_iterator(queue->begin() + n));
        queue->erase(queue->begin(), queue->begin() + n);
        if (!queue->empty())
          self->send(self, prov_flush_atom::value);
        write_group(cx, std::move(group));
      },
      [=](prov_apply_atom) {
        if (auto err = catch_up(cx); !err.empty())
          spdlog::error("provisioning: {}", err);
        self->delayed_send(self, cx.poll, prov_apply_atom::value);
      },
  };
}

} // namespace

caf::actor spawn_provisioning_actor(caf::actor_system& sys, std::string origin,
                                    persistence::provisioning_log& log,
                                    persistence::rocks_store& store,
                                    provisioning_progress& progress,
                                    size_t apply_batch,
                                    std::chrono::milliseconds poll_interval) {
  return sys.spawn<caf::detached>(
      provisioning, context{std::move(origin), &log, &store, &progress,
                            apply_batch, poll_interval});
}

} // namespace sb::actors
