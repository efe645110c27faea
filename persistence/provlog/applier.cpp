#include "persistence/provlog/applier.hpp"

#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/provisioning_log.hpp"

namespace sb::persistence {

namespace {

result<write_batch> batch_of(const change& c) {
  write_batch b;
  for (const auto& m : c.mutations) {
    auto family = cf_from_string(m.cf);
    if (!family || *family == cf::meta || *family == cf::provlog)
      return error{"provisioning change " + std::to_string(c.position) +
                   " writes to column family '" + m.cf +
                   "', which is unknown or reserved"};
    if (m.value)
      b.put(*family, m.key, *m.value);
    else
      b.del(*family, m.key);
  }
  b.put(cf::meta, applied_position_key, std::to_string(c.position));
  return b;
}

} // namespace

result<uint64_t> applied_position(rocks_store& store) {
  return store.get_u64(cf::meta, applied_position_key);
}

result<size_t> apply_pending(provisioning_log& log, rocks_store& store,
                             size_t max_batch, int64_t* newest_time_ms) {
  auto applied = applied_position(store);
  if (!applied)
    return applied.err();
  auto pending = log.read_after(*applied, max_batch);
  if (!pending)
    return error{"cannot read the provisioning log after " +
                 std::to_string(*applied) + ": " + pending.err().message};
  uint64_t at = *applied;
  size_t done = 0;
  for (const auto& c : *pending) {
    if (c.position != at + 1)
      return error{"provisioning log gap: next change is at position " +
                   std::to_string(c.position) + " but " + std::to_string(at) +
                   " was applied last"};
    auto batch = batch_of(c);
    if (!batch)
      return batch.err();
    if (auto st = store.commit(*batch, true); !st)
      return error{"cannot apply provisioning change " +
                   std::to_string(c.position) + ": " + st.err().message};
    at = c.position;
    ++done;
    if (newest_time_ms)
      *newest_time_ms = c.time_ms;
  }
  return done;
}

} // namespace sb::persistence
