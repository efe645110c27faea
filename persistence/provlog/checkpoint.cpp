#include "persistence/provlog/checkpoint.hpp"

#include "common/text.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "persistence/provlog/applier.hpp"

#include <utility>
#include <vector>

namespace sb::persistence {

namespace {

constexpr std::string_view magic = "sb-checkpoint 1 ";
constexpr std::string_view trailer = "end\n";

// Reads "<number><sep>" at `at`, advancing past the separator.
std::optional<uint64_t> number(std::string_view blob, size_t& at, char sep) {
  auto end = blob.find(sep, at);
  if (end == std::string_view::npos || end == at)
    return std::nullopt;
  auto v = parse_u64(blob.substr(at, end - at));
  if (!v)
    return std::nullopt;
  at = end + 1;
  return v;
}

struct header {
  uint64_t position = 0;
  uint64_t entries = 0;
  size_t body = 0; ///< offset of the first entry
};

result<header> read_header(std::string_view blob) {
  if (blob.substr(0, magic.size()) != magic)
    return error{"not a provisioning checkpoint (no 'sb-checkpoint 1' header)"};
  size_t at = magic.size();
  auto position = number(blob, at, ' ');
  auto entries = position ? number(blob, at, '\n') : std::nullopt;
  if (!entries)
    return error{"checkpoint header is not 'sb-checkpoint 1 <position> "
                 "<entries>'"};
  return header{*position, *entries, at};
}

} // namespace

result<std::string> encode_checkpoint(rocks_store& store) {
  auto position = applied_position(store);
  if (!position)
    return position.err();
  std::string body;
  uint64_t entries = 0;
  auto st = store.scan(cf::provisioning, {}, {}, SIZE_MAX,
                       [&](std::string_view key, std::string_view value) {
                         body += std::to_string(key.size());
                         body += ' ';
                         body += std::to_string(value.size());
                         body += '\n';
                         body += key;
                         body += value;
                         ++entries;
                         return true;
                       });
  if (!st)
    return error{"cannot read the provisioning data for a checkpoint: " +
                 st.err().message};
  std::string out{magic};
  out += std::to_string(*position) + ' ' + std::to_string(entries) + '\n';
  out += body;
  out += trailer;
  return out;
}

result<uint64_t> checkpoint_position(std::string_view blob) {
  auto h = read_header(blob);
  if (!h)
    return h.err();
  return h->position;
}

result<uint64_t> load_checkpoint(rocks_store& store, std::string_view blob) {
  auto h = read_header(blob);
  if (!h)
    return h.err();
  // Parse everything before touching the store.
  std::vector<std::pair<std::string_view, std::string_view>> entries;
  size_t at = h->body;
  for (uint64_t i = 0; i < h->entries; ++i) {
    auto klen = number(blob, at, ' ');
    auto vlen = klen ? number(blob, at, '\n') : std::nullopt;
    if (!vlen || *klen == 0 || blob.size() - at < *klen + *vlen)
      return error{"checkpoint entry " + std::to_string(i + 1) + " of " +
                   std::to_string(h->entries) + " is malformed or truncated"};
    entries.emplace_back(blob.substr(at, *klen),
                         blob.substr(at + *klen, *vlen));
    at += *klen + *vlen;
  }
  if (blob.substr(at) != trailer)
    return error{"checkpoint does not end after its " +
                 std::to_string(h->entries) + " entries"};

  write_batch batch;
  auto st = store.scan(cf::provisioning, {}, {}, SIZE_MAX,
                       [&](std::string_view key, std::string_view) {
                         batch.del(cf::provisioning, key);
                         return true;
                       });
  if (!st)
    return st.err();
  for (const auto& [key, value] : entries)
    batch.put(cf::provisioning, key, value);
  batch.put(cf::meta, applied_position_key, std::to_string(h->position));
  if (auto c = store.commit(batch, true); !c)
    return error{"cannot load the checkpoint: " + c.err().message};
  return h->position;
}

} // namespace sb::persistence
