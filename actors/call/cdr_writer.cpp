#include "actors/call/cdr_writer.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/kv/rocks_store.hpp"

namespace sb::actors::call {

using persistence::cf;

cdr_writer::cdr_writer(persistence::rocks_store& store, std::string_view kind)
    : store_(store)
    , kind_(kind) {}

result<uint64_t> cdr_writer::write(const billing::cdr_record& r) {
  std::lock_guard lock{mu_};
  auto seq = persistence::seq_key(kind_);
  if (!loaded_) {
    auto last = store_.get_u64(cf::cdrs, seq);
    if (!last)
      return last.err();
    last_id_ = *last;
    loaded_ = true;
  }
  uint64_t id = last_id_ + 1;
  auto doc = billing::cdr_document(r);
  persistence::write_batch batch;
  batch.put(cf::cdrs, persistence::doc_key(kind_, id), doc.dump());
  batch.put(cf::cdrs, seq, std::to_string(id));
  if (auto st = store_.commit(batch, false); !st)
    return st.err();
  last_id_ = id;
  return id;
}

} // namespace sb::actors::call
