#include "actors/billing/cdr_shipping_actor.hpp"

#include "common/metrics/registry.hpp"
#include "common/wall_clock.hpp"
#include "persistence/cdrlog/cdr_log.hpp"
#include "persistence/provlog/checkpoint.hpp"
#include "persistence/provlog/provisioning_log.hpp"

#include <algorithm>
#include <memory>

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

namespace sb::actors {

namespace {

struct meters {
  metrics::gauge* outbox;
  metrics::counter* shipped;
  metrics::counter* collected;
  metrics::counter* duplicates;
  metrics::gauge* collect_delay;
  metrics::gauge* collected_position;
};

meters make_meters(metrics::registry& r) {
  auto gauge = [&](const char* name, const char* help) {
    return &r.add_gauge(name, help).value()->with({});
  };
  auto counter = [&](const char* name, const char* help) {
    return &r.add_counter(name, help).value()->with({});
  };
  return {
      gauge("sb_cdr_outbox", "CDRs of this node's calls not yet in the "
                             "cluster's CDR log (counted every 10 s while "
                             "shipping fails)."),
      counter("sb_cdrs_shipped_total",
              "CDRs this node appended to the cluster's CDR log."),
      counter("sb_cdrs_collected_total",
              "CDRs this db node stored from the cluster's CDR log."),
      counter("sb_cdrs_duplicate_total",
              "CDRs shipped twice (a node died between append and outbox "
              "delete) and stored once."),
      gauge("sb_cdr_collect_delay_ms",
            "How long after its append the last CDR change was collected "
            "here."),
      gauge("sb_cdr_collected_position",
            "The last CDR log position collected here."),
  };
}

struct context {
  persistence::provisioning_log* log;
  persistence::rocks_store* store;
  cdr_shipping_settings s;
  meters m;
};

// Logs a failing step once, and its recovery once, not every tick.
class step_log {
public:
  explicit step_log(const char* what)
      : what_(what) {}
  void failed(const std::string& why) {
    if (why != last_)
      spdlog::error("cdrs: {}: {}", what_, why);
    last_ = why;
  }
  void ok() {
    if (!last_.empty())
      spdlog::info("cdrs: {} works again", what_);
    last_.clear();
  }

private:
  const char* what_;
  std::string last_;
};

struct loop_state {
  step_log ship{"shipping the outbox"};
  step_log collect{"collecting the CDR log"};
  std::chrono::steady_clock::time_point next_maintenance{};
};

void ship(context& cx, loop_state& ls) {
  for (;;) {
    auto n = persistence::ship_cdrs(*cx.store, *cx.log, cx.s.node, cx.s.batch,
                                    unix_now_ms());
    if (!n)
      return ls.ship.failed(n.err().message);
    ls.ship.ok();
    cx.m.shipped->inc(*n);
    if (*n < cx.s.batch) {
      // Empty now; while shipping fails, maintain() counts it.
      cx.m.outbox->set(0);
      return;
    }
  }
}

void collect(context& cx, loop_state& ls) {
  for (;;) {
    auto r = persistence::collect_cdrs(*cx.log, *cx.store, cx.s.batch);
    if (!r)
      return ls.collect.failed(r.err().message);
    ls.collect.ok();
    if (r->skipped_from)
      spdlog::warn("cdrs: the CDR log no longer holds positions {} to {}; "
                   "their CDRs are on the other db nodes only",
                   r->skipped_from, r->skipped_to);
    if (r->rejected)
      spdlog::error("cdrs: {} entries of the CDR log are no CDR; skipped",
                    r->rejected);
    if (r->changes == 0)
      return;
    cx.m.collected->inc(r->stored);
    cx.m.duplicates->inc(r->duplicates);
    cx.m.collect_delay->set(static_cast<double>(
        std::max<int64_t>(0, unix_now_ms() - r->newest_ms)));
    if (r->changes < cx.s.batch)
      return;
  }
}

// Reports this collector's position; the first live collector by name
// trims through what every collector of network.yml has reported.
void maintain(context& cx) {
  if (auto n = persistence::cdr_outbox_size(*cx.store))
    cx.m.outbox->set(static_cast<double>(*n));
  if (!cx.s.collect || !cx.s.positions)
    return;
  auto at = persistence::cdr_collected_position(*cx.store);
  if (!at)
    return;
  cx.m.collected_position->set(static_cast<double>(*at));
  if (auto st = cx.s.positions->report_applied(cx.s.node, *at); !st) {
    spdlog::warn("cdrs: position not reported: {}", st.err().message);
    return;
  }
  auto reported = cx.s.positions->applied_positions();
  if (!reported)
    return;
  auto live =
      cx.s.live_nodes ? cx.s.live_nodes() : std::vector<std::string>{cx.s.node};
  auto through = persistence::cdr_trim_through(cx.s.node, cx.s.collectors, live,
                                               *reported);
  if (through == 0)
    return;
  if (auto st = cx.log->trim_through(through); !st)
    spdlog::warn("cdrs: CDR log not trimmed: {}", st.err().message);
}

caf::behavior cdr_shipping(caf::event_based_actor* self, context cx) {
  auto ls = std::make_shared<loop_state>();
  auto cxp = std::make_shared<context>(std::move(cx));
  if (auto n = persistence::cdr_outbox_size(*cxp->store))
    cxp->m.outbox->set(static_cast<double>(*n));
  self->send(self, cdr_tick_atom::value);
  return {
      [=](cdr_tick_atom) {
        ship(*cxp, *ls);
        if (cxp->s.collect)
          collect(*cxp, *ls);
        if (auto now = std::chrono::steady_clock::now();
            now >= ls->next_maintenance) {
          ls->next_maintenance = now + cxp->s.maintain_interval;
          maintain(*cxp);
        }
        self->delayed_send(self, cxp->s.poll, cdr_tick_atom::value);
      },
      [=](cdr_flush_atom) -> caf::result<uint64_t> {
        ship(*cxp, *ls);
        auto left = persistence::cdr_outbox_size(*cxp->store);
        if (!left)
          return caf::make_error(caf::sec::runtime_error, left.err().message);
        return uint64_t{*left};
      },
  };
}

} // namespace

caf::actor spawn_cdr_shipping_actor(caf::actor_system& sys,
                                    persistence::provisioning_log& log,
                                    persistence::rocks_store& store,
                                    cdr_shipping_settings settings,
                                    metrics::registry& metrics) {
  return sys.spawn<caf::detached>(
      cdr_shipping,
      context{&log, &store, std::move(settings), make_meters(metrics)});
}

} // namespace sb::actors
