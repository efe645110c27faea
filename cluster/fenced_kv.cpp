#include "cluster/fenced_kv.hpp"

#include "persistence/redis/redis_client.hpp"

namespace sb::cluster {

namespace {

// KEYS[1] the hash, KEYS[2] the index set; ARGV: epoch, value, erase flag,
// tombstone ttl (ms), the key's name in the index.
// Returns 1, or the stored (newer) epoch as a negative number when fenced.
constexpr const char* put_script = R"(
local e = redis.call('HGET', KEYS[1], 'epoch')
if e and tonumber(e) > tonumber(ARGV[1]) then return -tonumber(e) end
if ARGV[3] == '1' then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'value', '', 'gone', '1')
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  redis.call('SREM', KEYS[2], ARGV[5])
else
  redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'value', ARGV[2], 'gone', '0')
  redis.call('PERSIST', KEYS[1])
  redis.call('SADD', KEYS[2], ARGV[5])
end
return 1
)";

} // namespace

fenced_kv::fenced_kv(persistence::redis_client& redis, std::string prefix,
                     std::chrono::milliseconds timeout,
                     std::function<uint64_t()> epoch)
    : redis_(redis)
    , prefix_(std::move(prefix))
    , timeout_(timeout)
    , epoch_(std::move(epoch)) {}

result<std::optional<std::string>> fenced_kv::get(const std::string& key) {
  auto r =
      redis_.command_sync({"HMGET", prefix_ + key, "value", "gone"}, timeout_);
  if (!r)
    return r.err();
  if (r->is_error())
    return error{"redis: " + r->str};
  if (r->elements.size() != 2 || r->elements[0].is_nil() ||
      r->elements[1].str == "1")
    return std::optional<std::string>{};
  return std::optional<std::string>{std::move(r->elements[0].str)};
}

status fenced_kv::put(const std::string& key,
                      const std::optional<std::string>& value) {
  auto epoch = epoch_();
  auto r = redis_.command_sync(
      {"EVAL", put_script, "2", prefix_ + key, prefix_ + "index",
       std::to_string(epoch), value.value_or(""), value ? "0" : "1",
       std::to_string(std::chrono::milliseconds(tombstone_ttl).count()), key},
      timeout_);
  if (!r)
    return r.err();
  if (r->is_error())
    return error{"redis: " + r->str};
  if (r->integer < 0)
    return error{"fenced: " + key + " was written at epoch " +
                 std::to_string(-r->integer) + ", this node is at " +
                 std::to_string(epoch)};
  return {};
}

status fenced_kv::each_key(const std::function<void(const std::string&)>& fn) {
  std::string cursor = "0";
  do {
    auto r = redis_.command_sync(
        {"SSCAN", prefix_ + "index", cursor, "COUNT", "1000"}, timeout_);
    if (!r)
      return r.err();
    if (r->is_error() || r->elements.size() != 2)
      return error{"redis: SSCAN: " + r->to_string()};
    cursor = r->elements[0].str;
    for (const auto& k : r->elements[1].elements)
      fn(k.str);
  } while (cursor != "0");
  return {};
}

} // namespace sb::cluster
