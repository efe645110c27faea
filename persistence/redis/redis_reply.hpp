#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct redisReply;

namespace sb::persistence {

/// A Redis reply copied out of hiredis, so it outlives the callback. An
/// `error` reply ("-ERR ...") is a reply from a healthy server, not a
/// transport failure: `redis_client` reports it here, not as sb::error.
struct redis_reply {
  enum class kind : uint8_t { nil, integer, string, status, error, array };

  kind type = kind::nil;
  int64_t integer = 0;               ///< for `integer`
  std::string str;                   ///< for `string`, `status`, `error`
  std::vector<redis_reply> elements; ///< for `array`

  bool is_nil() const { return type == kind::nil; }
  bool is_error() const { return type == kind::error; }

  /// A non-negative integer reply, or a string reply of a decimal number
  /// (GET of a counter); nullopt for anything else.
  std::optional<uint64_t> as_u64() const;

  /// A short rendering for logs and error messages, e.g. `["a", 1, nil]`.
  std::string to_string() const;

  /// A deep copy of a hiredis reply. Unknown hiredis types become `nil`.
  static redis_reply from_hiredis(const ::redisReply& r);

  friend bool operator==(const redis_reply&, const redis_reply&) = default;
};

/// The name of a reply kind ("nil", "integer", ...).
std::string_view to_string(redis_reply::kind k);

} // namespace sb::persistence
