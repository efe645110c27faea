#include "actors/call/cdr_writer.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/entities/provisioning_keys.hpp"
#include "persistence/kv/rocks_store.hpp"

#include <charconv>

namespace sb::actors::call {

namespace keys = persistence::keys;
using persistence::cf;

cdr_writer::cdr_writer(persistence::rocks_store& store)
    : store_(store) {}

result<uint64_t> cdr_writer::write(const billing::cdr_record& r) {
  std::lock_guard lock{mu_};
  auto seq = persistence::seq_key(keys::kind_cdrs);
  if (!loaded_) {
    auto v = store_.get(cf::cdrs, seq);
    if (!v)
      return v.err();
    if (*v) {
      const auto& text = **v;
      std::from_chars(text.data(), text.data() + text.size(), last_id_);
    }
    loaded_ = true;
  }
  uint64_t id = last_id_ + 1;
  auto doc = billing::cdr_document(r);
  persistence::write_batch batch;
  batch.put(cf::cdrs, persistence::doc_key(keys::kind_cdrs, id), doc.dump());
  batch.put(cf::cdrs, seq, std::to_string(id));
  if (auto st = store_.commit(batch, false); !st)
    return st.err();
  last_id_ = id;
  return id;
}

} // namespace sb::actors::call
