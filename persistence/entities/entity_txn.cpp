#include "persistence/entities/entity_txn.hpp"

#include "persistence/entities/entity_keys.hpp"
#include "persistence/kv/rocks_store.hpp"

#include <algorithm>
#include <charconv>

namespace sb::persistence {

namespace {

std::optional<uint64_t> parse_id(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size())
    return std::nullopt;
  return v;
}

} // namespace

entity_txn::entity_txn(rocks_store& store)
    : store_(store) {}

result<std::optional<std::string>> entity_txn::get(const std::string& key) {
  if (auto it = writes_.find(key); it != writes_.end())
    return it->second;
  return store_.get(cf::provisioning, key);
}

void entity_txn::put(std::string key, std::string value) {
  ++touches_;
  if (!writes_.count(key))
    order_.push_back(key);
  writes_[std::move(key)] = std::move(value);
}

void entity_txn::del(std::string key) {
  ++touches_;
  if (!writes_.count(key))
    order_.push_back(key);
  writes_[std::move(key)] = std::nullopt;
}

result<std::optional<nlohmann::json>> entity_txn::load(std::string_view kind,
                                                       uint64_t id) {
  auto raw = get(doc_key(kind, id));
  if (!raw)
    return raw.err();
  if (!*raw)
    return std::optional<nlohmann::json>{};
  auto j = nlohmann::json::parse(**raw, nullptr, false);
  if (j.is_discarded())
    return error{"corrupt entity " + doc_key(kind, id)};
  return std::optional<nlohmann::json>{std::move(j)};
}

result<uint64_t> entity_txn::last_id(std::string_view kind) {
  auto key = seq_key(kind);
  auto raw = get(key);
  if (!raw)
    return raw.err();
  if (!*raw)
    return uint64_t{0};
  auto v = parse_id(**raw);
  if (!v)
    return error{"corrupt id sequence " + key};
  return *v;
}

result<uint64_t> entity_txn::next_id(std::string_view kind) {
  auto last = last_id(kind);
  if (!last)
    return last;
  put(seq_key(kind), std::to_string(*last + 1));
  return *last + 1;
}

void entity_txn::save(std::string_view kind, uint64_t id,
                      const nlohmann::json& doc) {
  put(doc_key(kind, id), doc.dump());
}

void entity_txn::erase(std::string_view kind, uint64_t id) {
  del(doc_key(kind, id));
}

result<std::optional<uint64_t>>
entity_txn::unique_owner(std::string_view index, std::string_view value) {
  auto raw = get(unique_key(index, value));
  if (!raw)
    return raw.err();
  if (!*raw)
    return std::optional<uint64_t>{};
  auto v = parse_id(**raw);
  if (!v)
    return error{"corrupt unique index " + unique_key(index, value)};
  return std::optional<uint64_t>{*v};
}

status entity_txn::claim_unique(std::string_view index, std::string_view value,
                                uint64_t id) {
  auto owner = unique_owner(index, value);
  if (!owner)
    return owner.err();
  if (*owner && **owner != id)
    return error{"already in use by id " + std::to_string(**owner)};
  put(unique_key(index, value), std::to_string(id));
  return {};
}

void entity_txn::release_unique(std::string_view index,
                                std::string_view value) {
  del(unique_key(index, value));
}

void entity_txn::add_ref(std::string_view kind, std::string_view field,
                         uint64_t parent, uint64_t id) {
  put(ref_key(kind, field, parent, id), "");
}

void entity_txn::remove_ref(std::string_view kind, std::string_view field,
                            uint64_t parent, uint64_t id) {
  del(ref_key(kind, field, parent, id));
}

result<std::vector<uint64_t>> entity_txn::referrers(std::string_view kind,
                                                    std::string_view field,
                                                    uint64_t parent,
                                                    size_t limit) {
  auto prefix = ref_prefix(kind, field, parent);
  // Read a little more than asked: some stored refs may be deleted here.
  auto stored =
      store_.scan_prefix(cf::provisioning, prefix, limit + writes_.size());
  if (!stored)
    return stored.err();
  std::vector<uint64_t> ids;
  for (const auto& [key, value] : *stored) {
    auto it = writes_.find(key);
    if (it == writes_.end() || it->second)
      ids.push_back(id_of_key(key));
  }
  for (const auto& [key, value] : writes_)
    if (value && key.rfind(prefix, 0) == 0 &&
        std::find(ids.begin(), ids.end(), id_of_key(key)) == ids.end())
      ids.push_back(id_of_key(key));
  std::sort(ids.begin(), ids.end());
  if (ids.size() > limit)
    ids.resize(limit);
  return ids;
}

change entity_txn::to_change(int64_t time_ms, std::string origin) const {
  change c;
  c.time_ms = time_ms;
  c.origin = std::move(origin);
  for (const auto& key : order_)
    c.mutations.push_back(
        {std::string(to_string(cf::provisioning)), key, writes_.at(key)});
  return c;
}

void entity_txn::rollback(savepoint sp) {
  writes_ = std::move(sp.writes);
  order_ = std::move(sp.order);
  touches_ = sp.touches;
}

} // namespace sb::persistence
