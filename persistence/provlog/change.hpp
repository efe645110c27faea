#pragma once

#include "common/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::persistence {

/// One write of a provisioning change: set `key` in column family `cf` (a
/// name from `cf_names`, typically "provisioning") to `value`, or delete it
/// when `value` is nullopt. Keys and values are arbitrary bytes.
struct mutation {
  std::string cf;
  std::string key;
  std::optional<std::string> value;

  friend bool operator==(const mutation&, const mutation&) = default;
};

/// A provisioning change: mutations applied together, in order, at one log
/// position. `position` is assigned by `provisioning_log::append` (0 before).
struct change {
  uint64_t position = 0;
  int64_t time_ms = 0;
  std::string origin;
  std::vector<mutation> mutations;

  friend bool operator==(const change&, const change&) = default;
};

/// The encoding version `encode_change` writes.
inline constexpr uint8_t change_encoding_version = 1;

/// Compact, binary-safe encoding: "SBC", a version byte, then the fields
/// (fixed-width big-endian integers, length-prefixed byte strings).
std::string encode_change(const change& c);

/// Decodes `encode_change` output. Total: truncated, oversized, trailing or
/// otherwise malformed bytes, and unknown versions, give an error, never a
/// crash or an unbounded allocation.
result<change> decode_change(std::string_view bytes);

} // namespace sb::persistence
