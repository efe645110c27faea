#include "persistence/redis/redis_reply.hpp"

#include "common/text.hpp"

#include <hiredis/hiredis.h>

namespace sb::persistence {

std::string_view to_string(redis_reply::kind k) {
  switch (k) {
  case redis_reply::kind::nil:
    return "nil";
  case redis_reply::kind::integer:
    return "integer";
  case redis_reply::kind::string:
    return "string";
  case redis_reply::kind::status:
    return "status";
  case redis_reply::kind::error:
    return "error";
  case redis_reply::kind::array:
    return "array";
  }
  return "unknown";
}

std::optional<uint64_t> redis_reply::as_u64() const {
  if (type == kind::integer)
    return integer < 0
               ? std::nullopt
               : std::optional<uint64_t>(static_cast<uint64_t>(integer));
  if (type == kind::string)
    return parse_u64(str);
  return std::nullopt;
}

redis_reply redis_reply::from_hiredis(const ::redisReply& r) {
  redis_reply out;
  switch (r.type) {
  case REDIS_REPLY_INTEGER:
    out.type = kind::integer;
    out.integer = r.integer;
    break;
  case REDIS_REPLY_STRING:
  case REDIS_REPLY_STATUS:
  case REDIS_REPLY_ERROR:
    out.type = r.type == REDIS_REPLY_STRING   ? kind::string
               : r.type == REDIS_REPLY_STATUS ? kind::status
                                              : kind::error;
    if (r.str != nullptr)
      out.str.assign(r.str, r.len);
    break;
  case REDIS_REPLY_ARRAY:
    out.type = kind::array;
    out.elements.reserve(r.elements);
    for (size_t i = 0; i < r.elements; ++i) {
      if (r.element[i] != nullptr)
        out.elements.push_back(from_hiredis(*r.element[i]));
      else
        out.elements.emplace_back();
    }
    break;
  default:
    break; // REDIS_REPLY_NIL, or a type a newer hiredis might add
  }
  return out;
}

std::string redis_reply::to_string() const {
  switch (type) {
  case kind::nil:
    return "nil";
  case kind::integer:
    return std::to_string(integer);
  case kind::string:
    return '"' + str + '"';
  case kind::status:
    return str;
  case kind::error:
    return "(error) " + str;
  case kind::array: {
    std::string out = "[";
    for (size_t i = 0; i < elements.size(); ++i)
      out += (i ? ", " : "") + elements[i].to_string();
    return out + "]";
  }
  }
  return "?";
}

} // namespace sb::persistence
