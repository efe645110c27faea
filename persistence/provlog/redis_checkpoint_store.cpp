#include "persistence/provlog/redis_checkpoint_store.hpp"

#include "common/text.hpp"
#include "persistence/redis/redis_client.hpp"

namespace sb::persistence {

namespace {

// KEYS[1] checkpoint hash, ARGV[1] position, ARGV[2] blob. Returns 1 when
// kept, 0 when a checkpoint as new or newer is there already.
constexpr const char* publish_script = R"lua(
local have = tonumber(redis.call('HGET', KEYS[1], 'position') or '0')
if tonumber(ARGV[1]) <= have then return 0 end
redis.call('HSET', KEYS[1], 'position', ARGV[1], 'data', ARGV[2])
return 1
)lua";

} // namespace

redis_checkpoint_store::redis_checkpoint_store(
    redis_client& client, std::string prefix, std::chrono::milliseconds timeout)
    : client_(client)
    , checkpoint_(prefix + ":checkpoint")
    , applied_(prefix + ":applied")
    , timeout_(timeout) {}

status redis_checkpoint_store::publish(uint64_t position,
                                       std::string_view blob) {
  auto r = client_.command_sync({"EVAL", publish_script, "1", checkpoint_,
                                 std::to_string(position), std::string(blob)},
                                timeout_);
  if (!r)
    return error{"checkpoint publish: " + r.err().message};
  if (r->type != redis_reply::kind::integer)
    return error{"checkpoint publish to " + checkpoint_ + ": " +
                 r->to_string()};
  return {};
}

result<std::optional<std::string>> redis_checkpoint_store::latest() {
  auto r = client_.command_sync({"HGET", checkpoint_, "data"}, timeout_);
  if (!r)
    return error{"checkpoint read: " + r.err().message};
  if (r->is_nil())
    return std::optional<std::string>{};
  if (r->type != redis_reply::kind::string)
    return error{"checkpoint read of " + checkpoint_ + ": " + r->to_string()};
  return std::optional<std::string>{std::move(r->str)};
}

result<uint64_t> redis_checkpoint_store::latest_position() {
  auto r = client_.command_sync({"HGET", checkpoint_, "position"}, timeout_);
  if (!r)
    return error{"checkpoint read: " + r.err().message};
  if (r->is_nil())
    return uint64_t{0};
  auto v = r->as_u64();
  if (!v)
    return error{"checkpoint position in " + checkpoint_ + " is " +
                 r->to_string()};
  return *v;
}

status redis_checkpoint_store::report_applied(std::string_view node,
                                              uint64_t position) {
  auto r = client_.command_sync(
      {"HSET", applied_, std::string(node), std::to_string(position)},
      timeout_);
  if (!r)
    return error{"applied position report: " + r.err().message};
  return {};
}

result<std::map<std::string, uint64_t>>
redis_checkpoint_store::applied_positions() {
  auto r = client_.command_sync({"HGETALL", applied_}, timeout_);
  if (!r)
    return error{"applied positions read: " + r.err().message};
  if (r->type != redis_reply::kind::array)
    return error{"applied positions in " + applied_ + ": " + r->to_string()};
  std::map<std::string, uint64_t> out;
  for (size_t i = 0; i + 1 < r->elements.size(); i += 2)
    if (auto v = parse_u64(r->elements[i + 1].str))
      out[r->elements[i].str] = *v;
  return out;
}

} // namespace sb::persistence
