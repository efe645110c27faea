#include "persistence/provlog/local_provisioning_log.hpp"

#include "persistence/kv/rocks_store.hpp"

#include <algorithm>

namespace sb::persistence {

namespace {

result<uint64_t> position_of(std::string_view key) {
  if (key.size() != 8)
    return error{"provlog key of " + std::to_string(key.size()) +
                 " bytes, expected 8"};
  uint64_t v = 0;
  for (char ch : key)
    v = (v << 8) | static_cast<uint8_t>(ch);
  return v;
}

} // namespace

std::string provlog_key(uint64_t position) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[static_cast<size_t>(i)] = static_cast<char>(position & 0xff);
    position >>= 8;
  }
  return key;
}

result<std::unique_ptr<local_provisioning_log>>
local_provisioning_log::open(rocks_store& store) {
  auto last = store.last_key(cf::provlog);
  if (!last)
    return last.err();
  uint64_t position = 0;
  if (last->has_value()) {
    auto p = position_of(**last);
    if (!p)
      return error{"provisioning log in " + store.dir().string() + ": " +
                   p.err().message};
    position = *p;
  }
  return std::unique_ptr<local_provisioning_log>(
      new local_provisioning_log(store, position));
}

result<uint64_t> local_provisioning_log::append(change c) {
  std::lock_guard lock(mutex_);
  c.position = last_ + 1;
  auto st =
      store_.put(cf::provlog, provlog_key(c.position), encode_change(c), true);
  if (!st)
    return error{"cannot append provisioning change " +
                 std::to_string(c.position) + ": " + st.err().message};
  last_ = c.position;
  return c.position;
}

result<std::vector<change>>
local_provisioning_log::read_after(uint64_t position, size_t max) {
  std::vector<change> out;
  if (position == UINT64_MAX || max == 0)
    return out;
  std::optional<error> failure;
  auto st = store_.scan(cf::provlog, provlog_key(position + 1), {}, max,
                        [&](std::string_view key, std::string_view value) {
                          auto p = position_of(key);
                          auto c = decode_change(value);
                          if (!p || !c) {
                            failure =
                                error{"provisioning log entry: " +
                                      (p ? c.err().message : p.err().message)};
                            return false;
                          }
                          c->position = *p;
                          out.push_back(std::move(*c));
                          return true;
                        });
  if (!st)
    return st.err();
  if (failure)
    return *failure;
  return out;
}

result<uint64_t> local_provisioning_log::last_position() {
  std::lock_guard lock(mutex_);
  return last_;
}

result<uint64_t> local_provisioning_log::first_position() {
  std::lock_guard lock(mutex_);
  std::optional<uint64_t> first;
  std::optional<error> failure;
  auto st = store_.scan(cf::provlog, {}, {}, 1,
                        [&](std::string_view key, std::string_view) {
                          auto p = position_of(key);
                          if (!p)
                            failure = p.err();
                          else
                            first = *p;
                          return false;
                        });
  if (!st)
    return st.err();
  if (failure)
    return *failure;
  return first.value_or(last_ + 1);
}

status local_provisioning_log::trim_through(uint64_t position) {
  std::lock_guard lock(mutex_);
  write_batch batch;
  auto st =
      store_.scan(cf::provlog, {}, provlog_key(std::min(position, last_) + 1),
                  SIZE_MAX, [&](std::string_view key, std::string_view) {
                    batch.del(cf::provlog, key);
                    return true;
                  });
  if (!st)
    return st.err();
  if (batch.empty())
    return {};
  return store_.commit(batch, true);
}

} // namespace sb::persistence
