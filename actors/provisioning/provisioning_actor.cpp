#include "actors/provisioning/provisioning_actor.hpp"

#include "common/wall_clock.hpp"
#include "persistence/entities/entity_txn.hpp"
#include "persistence/provlog/applier.hpp"
#include "persistence/provlog/change.hpp"
#include "persistence/provlog/checkpoint.hpp"
#include "persistence/provlog/log_retention.hpp"
#include "persistence/provlog/provisioning_log.hpp"

#include <algorithm>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace sb::actors {

namespace {

struct context {
  std::string origin;
  persistence::provisioning_log* log;
  persistence::rocks_store* store;
  provisioning_progress* progress;
  size_t batch;
  std::chrono::milliseconds poll;
  provisioning_retention retention;
};

// The log no longer holds the change after what the store applied: loads
// the newest checkpoint when it covers the gap. Returns the error text,
// empty when loaded.
std::string load_newer_checkpoint(const context& cx) {
  auto applied = persistence::applied_position(*cx.store);
  auto first = cx.log->first_position();
  if (!applied || !first)
    return !applied ? applied.err().message : first.err().message;
  if (*first <= *applied + 1)
    return "the log is not trimmed past position " + std::to_string(*applied);
  auto* checkpoints = cx.retention.checkpoints;
  if (!checkpoints)
    return "the log starts at " + std::to_string(*first) +
           " and no checkpoint store is configured";
  auto blob = checkpoints->latest();
  if (!blob)
    return blob.err().message;
  if (!*blob)
    return "the log starts at " + std::to_string(*first) +
           " and no checkpoint was published";
  auto at = persistence::checkpoint_position(**blob);
  if (!at)
    return at.err().message;
  if (*at + 1 < *first)
    return "the newest checkpoint (position " + std::to_string(*at) +
           ") is older than the log's start (" + std::to_string(*first) + ")";
  if (*at <= *applied)
    return "the newest checkpoint (position " + std::to_string(*at) +
           ") is not newer than what this node applied";
  auto loaded = persistence::load_checkpoint(*cx.store, **blob);
  if (!loaded)
    return loaded.err().message;
  spdlog::info("provisioning: loaded the checkpoint at position {} ({} bytes); "
               "the log starts at {}",
               *loaded, blob->value().size(), *first);
  return {};
}

// Applies until caught up or an error; records progress. Returns the error
// text, empty on success.
std::string catch_up(const context& cx) {
  for (;;) {
    int64_t newest = 0;
    auto n = persistence::apply_pending(*cx.log, *cx.store, cx.batch, &newest);
    if (!n) {
      // A gap because the log was trimmed: catch up from a checkpoint.
      auto why = load_newer_checkpoint(cx);
      if (why.empty())
        continue;
      cx.progress->failing = true;
      return n.err().message + " (no checkpoint: " + why + ")";
    }
    if (*n > 0)
      cx.progress->apply_delay_ms =
          std::max<int64_t>(0, unix_now_ms() - newest);
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
  auto pos = cx.log->append(txn.to_change(unix_now_ms(), cx.origin));
  if (!pos) {
    for (auto& t : written)
      t->done(pos.err());
    return;
  }
  auto err = catch_up(cx);
  for (auto& t : written)
    err.empty() ? t->done(*pos) : t->done(error{err});
}

// Reports what this node applied; the maintainer (first live node by name)
// then publishes a checkpoint and trims the log as plan_retention says.
void maintain(const context& cx) {
  auto* checkpoints = cx.retention.checkpoints;
  if (!checkpoints)
    return;
  auto applied = persistence::applied_position(*cx.store);
  if (!applied)
    return;
  if (auto st = checkpoints->report_applied(cx.origin, *applied); !st) {
    spdlog::warn("provisioning: {}", st.err().message);
    return;
  }
  auto live = cx.retention.live_nodes ? cx.retention.live_nodes()
                                      : std::vector<std::string>{cx.origin};
  if (live.empty() || *std::min_element(live.begin(), live.end()) != cx.origin)
    return;
  auto reported = checkpoints->applied_positions();
  auto first = cx.log->first_position();
  auto last = cx.log->last_position();
  auto checkpoint = checkpoints->latest_position();
  if (!reported || !first || !last || !checkpoint) {
    spdlog::warn("provisioning: log retention skipped: {}",
                 !reported ? reported.err().message
                 : !first  ? first.err().message
                 : !last   ? last.err().message
                           : checkpoint.err().message);
    return;
  }
  persistence::retention_input in;
  in.first = *first;
  in.last = *last;
  in.keep = cx.retention.keep;
  in.checkpoint = *checkpoint;
  in.own_applied = *applied;
  for (const auto& node : live) {
    auto it = reported->find(node);
    // A live node that never reported may need everything.
    in.live_applied.push_back(it == reported->end() ? 0 : it->second);
  }
  auto plan = persistence::plan_retention(in);
  if (plan.publish_checkpoint) {
    auto blob = persistence::encode_checkpoint(*cx.store);
    auto st = blob ? checkpoints->publish(*applied, *blob) : status{blob.err()};
    if (!st) {
      spdlog::warn("provisioning: checkpoint not published: {}",
                   st.err().message);
      return;
    }
    spdlog::info("provisioning: published a checkpoint at position {} ({} "
                 "bytes)",
                 *applied, blob->size());
  }
  if (plan.trim_through) {
    if (auto st = cx.log->trim_through(plan.trim_through); !st)
      spdlog::warn("provisioning: log not trimmed: {}", st.err().message);
    else
      spdlog::debug("provisioning: log trimmed through position {}",
                    plan.trim_through);
  }
}

caf::behavior provisioning(caf::event_based_actor* self, context cx) {
  auto queue =
      std::make_shared<std::vector<std::shared_ptr<provisioning_txn>>>();
  if (auto err = catch_up(cx); !err.empty())
    spdlog::error("provisioning: {}", err);
  self->delayed_send(self, cx.poll, prov_apply_atom::value);
  auto next_maintenance =
      std::make_shared<std::chrono::steady_clock::time_point>();
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
        if (auto now = std::chrono::steady_clock::now();
            now >= *next_maintenance) {
          *next_maintenance = now + cx.retention.interval;
          maintain(cx);
        }
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
                                    std::chrono::milliseconds poll_interval,
                                    provisioning_retention retention) {
  return sys.spawn<caf::detached>(
      provisioning, context{std::move(origin), &log, &store, &progress,
                            apply_batch, poll_interval, std::move(retention)});
}

} // namespace sb::actors
