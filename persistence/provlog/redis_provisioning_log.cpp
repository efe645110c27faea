#include "persistence/provlog/redis_provisioning_log.hpp"

#include "common/text.hpp"
#include "persistence/redis/redis_client.hpp"

namespace sb::persistence {

namespace {

// KEYS[1] stream, KEYS[2] counter, ARGV[1] encoded change. Atomic in Redis,
// so ids are allocated and used in the same order by every appender.
constexpr const char* append_script = R"lua(
local seq = redis.call('INCR', KEYS[2])
redis.call('XADD', KEYS[1], '0-' .. seq, 'c', ARGV[1])
return seq
)lua";

// Entry ids we write are "0-<position>".
std::optional<uint64_t> position_of(std::string_view id) {
  if (id.substr(0, 2) != "0-")
    return std::nullopt;
  return parse_u64(id.substr(2));
}

result<change> entry_change(const redis_reply& entry) {
  if (entry.type != redis_reply::kind::array || entry.elements.size() != 2 ||
      entry.elements[1].type != redis_reply::kind::array)
    return error{"unexpected stream entry " + entry.to_string()};
  auto position = position_of(entry.elements[0].str);
  if (!position)
    return error{"stream entry id '" + entry.elements[0].str +
                 "' is not 0-<position>"};
  const auto& fields = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    if (fields[i].str != "c")
      continue;
    auto c = decode_change(fields[i + 1].str);
    if (!c)
      return error{"stream entry " + entry.elements[0].str + ": " +
                   c.err().message};
    c->position = *position;
    return c;
  }
  return error{"stream entry " + entry.elements[0].str + " has no field c"};
}

} // namespace

redis_provisioning_log::redis_provisioning_log(
    redis_client& client, std::string prefix, std::chrono::milliseconds timeout)
    : client_(client)
    , stream_(prefix)
    , seq_(prefix + ":seq")
    , timeout_(timeout) {}

result<uint64_t> redis_provisioning_log::append(change c) {
  c.position = 0; // the script allocates it; read_after sets it from the id
  auto r = client_.command_sync(
      {"EVAL", append_script, "2", stream_, seq_, encode_change(c)}, timeout_);
  if (!r)
    return error{"provisioning log append: " + r.err().message};
  if (r->type != redis_reply::kind::integer || r->integer <= 0)
    return error{"provisioning log append to " + stream_ + ": " +
                 r->to_string()};
  return static_cast<uint64_t>(r->integer);
}

result<std::vector<change>>
redis_provisioning_log::read_after(uint64_t position, size_t max) {
  std::vector<change> out;
  if (max == 0 || position == UINT64_MAX)
    return out;
  auto r =
      client_.command_sync({"XRANGE", stream_, "(0-" + std::to_string(position),
                            "+", "COUNT", std::to_string(max)},
                           timeout_);
  if (!r)
    return error{"provisioning log read: " + r.err().message};
  if (r->type != redis_reply::kind::array)
    return error{"provisioning log read of " + stream_ + ": " + r->to_string()};
  for (const auto& entry : r->elements) {
    auto c = entry_change(entry);
    if (!c)
      return error{"provisioning log " + stream_ + ": " + c.err().message};
    out.push_back(std::move(*c));
  }
  return out;
}

result<uint64_t> redis_provisioning_log::last_position() {
  auto r = client_.command_sync({"GET", seq_}, timeout_);
  if (!r)
    return error{"provisioning log position: " + r.err().message};
  if (r->is_nil())
    return uint64_t{0};
  auto v = r->as_u64();
  if (!v)
    return error{"provisioning log counter " + seq_ + " holds " +
                 r->to_string()};
  return *v;
}

result<uint64_t> redis_provisioning_log::first_position() {
  auto r = client_.command_sync({"XRANGE", stream_, "-", "+", "COUNT", "1"},
                                timeout_);
  if (!r)
    return error{"provisioning log read: " + r.err().message};
  if (r->type != redis_reply::kind::array)
    return error{"provisioning log read of " + stream_ + ": " + r->to_string()};
  if (r->elements.empty()) {
    auto last = last_position();
    if (!last)
      return last.err();
    return *last + 1;
  }
  const auto& entry = r->elements.front();
  auto position =
      entry.type == redis_reply::kind::array && !entry.elements.empty()
          ? position_of(entry.elements[0].str)
          : std::nullopt;
  if (!position)
    return error{"unexpected first entry of " + stream_ + ": " +
                 entry.to_string()};
  return *position;
}

status redis_provisioning_log::trim_through(uint64_t position) {
  if (position == UINT64_MAX)
    return error{"provisioning log trim: position out of range"};
  auto r = client_.command_sync(
      {"XTRIM", stream_, "MINID", "0-" + std::to_string(position + 1)},
      timeout_);
  if (!r)
    return error{"provisioning log trim: " + r.err().message};
  if (r->type != redis_reply::kind::integer)
    return error{"provisioning log trim of " + stream_ + ": " + r->to_string()};
  return {};
}

} // namespace sb::persistence
