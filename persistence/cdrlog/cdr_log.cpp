#include "persistence/cdrlog/cdr_log.hpp"

#include "common/text.hpp"
#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/provisioning_log.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>

namespace sb::persistence {

namespace {

// In the `cdrs` family, beside the documents:
//   i/outbox            this store's outbox incarnation (16 hex digits)
//   o/<origin>          the newest outbox id collected from <origin>
constexpr std::string_view incarnation_key = "i/outbox";

std::string origin_key(std::string_view origin) {
  return "o/" + std::string(origin);
}

// A fresh database starts a new incarnation, so a node whose store was
// wiped (outbox ids from 1 again) is never taken for a repeat of itself.
result<std::string> incarnation(rocks_store& store) {
  auto v = store.get(cf::cdrs, incarnation_key);
  if (!v)
    return v.err();
  if (*v)
    return **v;
  std::mt19937_64 rng{std::random_device{}()};
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(rng()));
  if (auto st = store.put(cf::cdrs, incarnation_key, hex, true); !st)
    return st.err();
  return std::string(hex);
}

} // namespace

result<size_t> cdr_outbox_size(rocks_store& store) {
  size_t n = 0;
  auto st = store.scan(cf::cdrs, doc_prefix(keys::kind_cdr_outbox),
                       doc_prefix_end(keys::kind_cdr_outbox), SIZE_MAX,
                       [&](std::string_view, std::string_view) {
                         ++n;
                         return true;
                       });
  if (!st)
    return st.err();
  return n;
}

result<size_t> ship_cdrs(rocks_store& store, provisioning_log& log,
                         std::string_view node, size_t max, int64_t now_ms) {
  auto pending =
      store.scan_prefix(cf::cdrs, doc_prefix(keys::kind_cdr_outbox), max);
  if (!pending)
    return pending.err();
  if (pending->empty())
    return size_t{0};
  auto inc = incarnation(store);
  if (!inc)
    return inc.err();
  change c;
  c.time_ms = now_ms;
  c.origin = std::string(node) + "/" + *inc;
  for (const auto& [key, doc] : *pending)
    c.mutations.push_back({std::string(to_string(cf::cdrs)),
                           std::to_string(id_of_key(key)), doc});
  if (auto pos = log.append(std::move(c)); !pos)
    return pos.err();
  write_batch batch;
  for (const auto& kv : *pending)
    batch.del(cf::cdrs, kv.first);
  // A crash before this commit ships them again; the collectors skip them.
  if (auto st = store.commit(batch, true); !st)
    return st.err();
  return pending->size();
}

uint64_t cdr_trim_through(std::string_view self,
                          const std::vector<std::string>& collectors,
                          const std::vector<std::string>& live,
                          const std::map<std::string, uint64_t>& reported) {
  auto is_collector = [&](const std::string& n) {
    return std::find(collectors.begin(), collectors.end(), n) !=
           collectors.end();
  };
  const std::string* trimmer = nullptr;
  for (const auto& n : live)
    if (is_collector(n) && (!trimmer || n < *trimmer))
      trimmer = &n;
  if (!trimmer || *trimmer != self)
    return 0;
  uint64_t through = UINT64_MAX;
  for (const auto& c : collectors) {
    auto it = reported.find(c);
    through = std::min(through, it == reported.end() ? 0 : it->second);
  }
  return collectors.empty() ? 0 : through;
}

result<uint64_t> cdr_collected_position(rocks_store& store) {
  return store.get_u64(cf::meta, cdr_collected_key);
}

result<collect_result> collect_cdrs(provisioning_log& log, rocks_store& store,
                                    size_t max_changes) {
  auto at = cdr_collected_position(store);
  if (!at)
    return at.err();
  auto changes = log.read_after(*at, max_changes);
  if (!changes)
    return changes.err();
  collect_result out;
  if (changes->empty())
    return out;
  if (changes->front().position != *at + 1) {
    out.skipped_from = *at + 1;
    out.skipped_to = changes->front().position - 1;
  }
  auto seq_name = seq_key(keys::kind_cdrs);
  auto seq = store.get_u64(cf::cdrs, seq_name);
  if (!seq)
    return seq.err();
  uint64_t last_id = *seq;
  std::map<std::string, uint64_t, std::less<>> newest; // origin → outbox id
  for (const auto& c : *changes) {
    auto it = newest.find(c.origin);
    if (it == newest.end()) {
      auto n = store.get_u64(cf::cdrs, origin_key(c.origin));
      if (!n)
        return n.err();
      it = newest.emplace(c.origin, *n).first;
    }
    write_batch batch;
    uint64_t id = last_id;
    uint64_t seen = it->second;
    size_t stored = 0, duplicates = 0, rejected = 0;
    for (const auto& m : c.mutations) {
      auto outbox_id = parse_u64(m.key);
      if (m.cf != to_string(cf::cdrs) || !m.value || !outbox_id) {
        ++rejected;
        continue;
      }
      if (*outbox_id <= seen) {
        ++duplicates;
        continue;
      }
      seen = *outbox_id;
      batch.put(cf::cdrs, doc_key(keys::kind_cdrs, ++id), *m.value);
      ++stored;
    }
    batch.put(cf::cdrs, origin_key(c.origin), std::to_string(seen));
    batch.put(cf::cdrs, seq_name, std::to_string(id));
    batch.put(cf::meta, cdr_collected_key, std::to_string(c.position));
    if (auto st = store.commit(batch, true); !st)
      return out.changes ? result<collect_result>(out)
                         : result<collect_result>(st.err());
    last_id = id;
    it->second = seen;
    ++out.changes;
    out.stored += stored;
    out.duplicates += duplicates;
    out.rejected += rejected;
    out.newest_ms = c.time_ms;
  }
  return out;
}

} // namespace sb::persistence
