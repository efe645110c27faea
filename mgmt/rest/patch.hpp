#pragma once

#include "mgmt/rest/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sb::mgmt::rest {

/// RFC 6902 operations.
enum class patch_op : std::uint8_t {
  add = 1,
  remove,
  replace,
  move,
  copy,
  test
};

/// "add", "remove", ...
std::string_view to_string(patch_op op) noexcept;

/// The op called `name` (case-sensitive, as RFC 6902), if any.
std::optional<patch_op> patch_op_from(std::string_view name) noexcept;

/// Ops every resource accepts unless it declares more (the reference's
/// default `[qw/replace copy/]`).
inline const std::vector<patch_op> default_patch_ops{patch_op::replace,
                                                     patch_op::copy};

/// Checks the shape of a JSON Patch against the resource's `allowed` ops,
/// with the reference's rules and messages (all 400):
/// - not an array: "Body for PATCH must be an array."
/// - element not an object: "Array in body of PATCH must only contain
///   hashes."
/// - no op: "PATCH element must have an 'op' field."
/// - op not allowed: "Invalid PATCH op '<op>', must be one of 'replace',
///   'copy'" (allowed ops in the given order)
/// - unknown key: "Invalid PATCH key '<k>' for op '<op>', must be one of
///   'path', 'value'"
/// - missing keys: "Missing PATCH keys 'path', 'value' for op '<op>'"
/// - add's `mode` not "append": "Invalid PATCH op 'add' modifier 'mode'
///   value '<v>'. Allowed values are 'append'"
/// Keys per op (optional in brackets): replace/add/test {path, value},
/// copy/move {from, path}, remove {path}; add [mode], remove [value, index].
api_status validate_patch(const nlohmann::json& patch,
                          const std::vector<patch_op>& allowed);

/// Applies a validated patch to a copy of `doc`, all or nothing. Besides
/// RFC 6902 it supports the reference's extensions: `add` with
/// "mode":"append" appends `value` (or its elements, if an array) to the
/// array at `path` (a trailing "/-" is ignored), creating it when absent;
/// `remove` with `value` removes the array elements equal to it (or to any
/// element of an array `value`), only the `index`-th (0-based) match when
/// `index` is given, or the member itself when it is not an array and equal.
/// Any failure, including a failed `test`, is 422 "The entity could not be
/// processed: <detail>" as in the reference (Role/API.pm apply_patch).
api_result<nlohmann::json> apply_patch(const nlohmann::json& doc,
                                       const nlohmann::json& patch);

/// validate_patch, then apply_patch. The caller re-validates the result as
/// a full representation.
api_result<nlohmann::json>
patch_document(const nlohmann::json& doc, const nlohmann::json& patch,
               const std::vector<patch_op>& allowed = default_patch_ops);

} // namespace sb::mgmt::rest
