#include "persistence/entities/store_reader.hpp"

#include "persistence/entities/entity_keys.hpp"

#include <charconv>

namespace sb::persistence {

namespace {

result<json> parse_doc(std::string_view text, std::string_view key) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return error{"corrupt document at " + std::string(key)};
  return doc;
}

} // namespace

result<std::optional<json>> store_reader::load(std::string_view kind,
                                               uint64_t id, cf family) const {
  auto key = doc_key(kind, id);
  auto v = store_.get(family, key);
  if (!v)
    return v.err();
  if (!*v)
    return std::optional<json>{};
  auto doc = parse_doc(**v, key);
  if (!doc)
    return doc.err();
  return std::optional<json>{std::move(*doc)};
}

result<std::optional<uint64_t>>
store_reader::unique_owner(std::string_view index,
                           std::string_view value) const {
  auto v = store_.get(cf::provisioning, unique_key(index, value));
  if (!v)
    return v.err();
  if (!*v)
    return std::optional<uint64_t>{};
  uint64_t id = 0;
  const auto& s = **v;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc{} || p != s.data() + s.size())
    return error{"corrupt unique index " + std::string(index)};
  return std::optional<uint64_t>{id};
}

status
store_reader::each(std::string_view kind,
                   const std::function<bool(uint64_t, const json&)>& visit,
                   cf family) const {
  status inner;
  auto st =
      store_.scan(family, doc_prefix(kind), doc_prefix_end(kind), SIZE_MAX,
                  [&](std::string_view key, std::string_view value) {
                    auto doc = parse_doc(value, key);
                    if (!doc) {
                      inner = doc.err();
                      return false;
                    }
                    return visit(id_of_key(key), *doc);
                  });
  if (!st)
    return st;
  return inner;
}

result<std::vector<uint64_t>> store_reader::referrers(std::string_view kind,
                                                      std::string_view field,
                                                      uint64_t parent,
                                                      size_t limit) const {
  auto rows = store_.scan_prefix(cf::provisioning,
                                 ref_prefix(kind, field, parent), limit);
  if (!rows)
    return rows.err();
  std::vector<uint64_t> ids;
  for (const auto& [k, v] : *rows)
    ids.push_back(id_of_key(k));
  return ids;
}

} // namespace sb::persistence
