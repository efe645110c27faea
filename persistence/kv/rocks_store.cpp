#include "persistence/kv/rocks_store.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <system_error>

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

namespace sb::persistence {

void write_batch::put(cf family, std::string_view key, std::string_view value) {
  ops_.push_back(op{family, std::string(key), std::string(value)});
}

void write_batch::del(cf family, std::string_view key) {
  ops_.push_back(op{family, std::string(key), std::nullopt});
}

struct rocks_store::impl {
  std::filesystem::path dir;
  std::unique_ptr<rocksdb::DB> db;
  std::array<rocksdb::ColumnFamilyHandle*, cf_count> handles{};
  // Families of a newer binary, opened only so that the open succeeds.
  std::vector<rocksdb::ColumnFamilyHandle*> unknown_handles;
  std::vector<std::string> unknown_names;
  std::array<std::atomic<uint64_t>, cf_count> generations{};

  rocksdb::ColumnFamilyHandle* handle(cf family) const {
    return handles[static_cast<size_t>(family)];
  }

  error fail(std::string_view what, const rocksdb::Status& s) const {
    return error{"rocksdb " + std::string(what) + " in " + dir.string() + ": " +
                 s.ToString()};
  }

  ~impl() {
    if (!db)
      return;
    for (auto* h : handles)
      if (h != nullptr)
        db->DestroyColumnFamilyHandle(h);
    for (auto* h : unknown_handles)
      db->DestroyColumnFamilyHandle(h);
    // Close() waits for background work; its status cannot be acted on here
    // (every write that mattered was already acknowledged or failed).
    (void)db->Close();
  }
};

namespace {

std::string describe(cf family, std::string_view key) {
  return std::string(to_string(family)) + "/'" + std::string(key) + "'";
}

rocksdb::Slice slice(std::string_view s) {
  return {s.data(), s.size()};
}

result<std::vector<std::string>> families_on_disk(const rocksdb::Options& o,
                                                  const std::string& dir) {
  std::vector<std::string> names;
  auto s = rocksdb::DB::ListColumnFamilies(o, dir, &names);
  if (!s.ok())
    return error{"cannot list column families of the database at " + dir +
                 ": " + s.ToString()};
  return names;
}

result<std::optional<uint32_t>> parse_version(const std::string& text) {
  uint32_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return error{"schema version '" + text + "' is not a number"};
  return std::optional<uint32_t>(v);
}

} // namespace

rocks_store::rocks_store(std::unique_ptr<impl> p)
    : impl_(std::move(p)) {}

rocks_store::~rocks_store() = default;

result<std::unique_ptr<rocks_store>>
rocks_store::open(const std::filesystem::path& dir, const rocks_options& opts) {
  std::error_code ec;
  bool exists = std::filesystem::exists(dir / "CURRENT", ec);
  if (!exists && !opts.create_if_missing)
    return error{"no database at " + dir.string()};
  if (!exists) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return error{"cannot create database directory " + dir.string() + ": " +
                   ec.message()};
  }

  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.keep_log_file_num = 5;
  // Bindings are rewritten at every refresh, so a family's memtable fills
  // with overwritten versions: flush at 16 MB (not 64) and keep all
  // memtables together under 64 MB, so RSS stays bounded under load.
  o.write_buffer_size = 16 << 20;
  o.db_write_buffer_size = 64 << 20;

  // RocksDB refuses to open read-write unless every family on disk is
  // listed, so start from what is there and add what is missing.
  std::vector<std::string> names;
  if (exists) {
    auto listed = families_on_disk(o, dir.string());
    if (!listed)
      return listed.err();
    names = std::move(*listed);
  } else {
    names.push_back(rocksdb::kDefaultColumnFamilyName);
  }
  for (auto n : cf_names)
    if (std::find(names.begin(), names.end(), n) == names.end())
      names.emplace_back(n);

  std::vector<rocksdb::ColumnFamilyDescriptor> descs;
  for (const auto& n : names)
    descs.emplace_back(n, rocksdb::ColumnFamilyOptions(o));

  auto p = std::make_unique<impl>();
  p->dir = dir;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(o, dir.string(), descs, &handles, &raw);
  if (!s.ok())
    return error{"cannot open database at " + dir.string() + ": " +
                 s.ToString()};
  p->db.reset(raw);
  for (size_t i = 0; i < handles.size(); ++i) {
    if (auto known = cf_from_string(names[i])) {
      p->handles[static_cast<size_t>(*known)] = handles[i];
    } else if (names[i] == rocksdb::kDefaultColumnFamilyName) {
      p->unknown_handles.push_back(handles[i]); // always present, unused
    } else {
      p->unknown_handles.push_back(handles[i]);
      p->unknown_names.push_back(names[i]);
    }
  }

  auto store = std::unique_ptr<rocks_store>(new rocks_store(std::move(p)));
  if (auto st = store->check_schema(); !st)
    return st.err();
  return store;
}

status rocks_store::check_schema() {
  const auto& dir = impl_->dir;
  auto stored = get(cf::meta, schema_version_key);
  if (!stored)
    return stored.err();
  if (!stored->has_value()) {
    // Fresh database, or a crash between creation and this write: both are
    // empty. Data without a version is something we did not write.
    for (size_t i = 0; i < cf_count; ++i) {
      auto any = last_key(static_cast<cf>(i));
      if (!any)
        return any.err();
      if (any->has_value())
        return error{"database at " + dir.string() +
                     " has data but no schema version; refusing to guess"};
    }
    return put(cf::meta, schema_version_key,
               std::to_string(current_schema_version), true);
  }
  auto version = parse_version(**stored);
  if (!version)
    return error{"database at " + dir.string() + ": " + version.err().message};
  auto v = **version;
  if (v > current_schema_version)
    return error{"database at " + dir.string() + " has schema version " +
                 std::to_string(v) + ", this sbnode supports up to " +
                 std::to_string(current_schema_version) +
                 "; upgrade sbnode or restore a backup"};
  if (v < current_schema_version)
    // Migrations go here, one step per version, each in one synced batch.
    // Version 1 is the first, so nothing older can be upgraded.
    return error{"database at " + dir.string() + " has schema version " +
                 std::to_string(v) + ", which this sbnode cannot migrate"};
  return {};
}

result<std::optional<std::string>> rocks_store::get(cf family,
                                                    std::string_view key) {
  std::string value;
  auto s = impl_->db->Get(rocksdb::ReadOptions(), impl_->handle(family),
                          slice(key), &value);
  if (s.IsNotFound())
    return std::optional<std::string>();
  if (!s.ok())
    return impl_->fail("get " + describe(family, key), s);
  return std::optional<std::string>(std::move(value));
}

result<uint64_t> rocks_store::get_u64(cf family, std::string_view key) {
  auto v = get(family, key);
  if (!v)
    return v.err();
  if (!*v)
    return uint64_t{0};
  uint64_t n = 0;
  const auto& text = **v;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
    return error{std::string(key) + " '" + text + "' in " + dir().string() +
                 " is not a number"};
  return n;
}

status rocks_store::commit(const write_batch& batch, bool sync) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops()) {
    auto s = op.value ? wb.Put(impl_->handle(op.family), slice(op.key),
                               slice(*op.value))
                      : wb.Delete(impl_->handle(op.family), slice(op.key));
    if (!s.ok())
      return impl_->fail("batch " + describe(op.family, op.key), s);
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  auto s = impl_->db->Write(wo, &wb);
  if (!s.ok())
    return impl_->fail(
        "write of " + std::to_string(batch.size()) + " operations", s);
  std::array<bool, cf_count> touched{};
  for (const auto& op : batch.ops())
    touched[static_cast<size_t>(op.family)] = true;
  for (size_t i = 0; i < cf_count; ++i)
    if (touched[i])
      impl_->generations[i].fetch_add(1, std::memory_order_release);
  return {};
}

uint64_t rocks_store::generation(cf family) const noexcept {
  return impl_->generations[static_cast<size_t>(family)].load(
      std::memory_order_acquire);
}

status rocks_store::put(cf family, std::string_view key, std::string_view value,
                        bool sync) {
  write_batch b;
  b.put(family, key, value);
  return commit(b, sync);
}

status rocks_store::scan(cf family, std::string_view start,
                         std::string_view end, size_t limit,
                         const visitor& visit) {
  rocksdb::ReadOptions ro;
  rocksdb::Slice upper = slice(end);
  if (!end.empty())
    ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(ro, impl_->handle(family)));
  size_t n = 0;
  for (it->Seek(slice(start)); it->Valid() && n < limit; it->Next(), ++n) {
    auto k = it->key();
    auto v = it->value();
    if (!visit({k.data(), k.size()}, {v.data(), v.size()}))
      break;
  }
  if (!it->status().ok())
    return impl_->fail("scan of " + std::string(to_string(family)),
                       it->status());
  return {};
}

result<std::vector<std::pair<std::string, std::string>>>
rocks_store::scan_prefix(cf family, std::string_view prefix, size_t limit) {
  std::vector<std::pair<std::string, std::string>> out;
  auto st = scan(family, prefix, {}, limit,
                 [&](std::string_view k, std::string_view v) {
                   if (k.substr(0, prefix.size()) != prefix)
                     return false;
                   out.emplace_back(k, v);
                   return true;
                 });
  if (!st)
    return st.err();
  return out;
}

result<std::optional<std::string>> rocks_store::last_key(cf family) {
  std::unique_ptr<rocksdb::Iterator> it(
      impl_->db->NewIterator(rocksdb::ReadOptions(), impl_->handle(family)));
  it->SeekToLast();
  if (!it->status().ok())
    return impl_->fail("seek to last of " + std::string(to_string(family)),
                       it->status());
  if (!it->Valid())
    return std::optional<std::string>();
  return std::optional<std::string>(it->key().ToString());
}

status rocks_store::checkpoint(const std::filesystem::path& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  auto s = rocksdb::Checkpoint::Create(impl_->db.get(), &raw);
  if (!s.ok())
    return impl_->fail("checkpoint setup", s);
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  s = cp->CreateCheckpoint(dir.string());
  if (!s.ok())
    return impl_->fail("checkpoint to " + dir.string(), s);
  return {};
}

const std::vector<std::string>& rocks_store::unknown_families() const {
  return impl_->unknown_names;
}

const std::filesystem::path& rocks_store::dir() const {
  return impl_->dir;
}

} // namespace sb::persistence
