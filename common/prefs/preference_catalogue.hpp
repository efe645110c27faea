#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::prefs {

/// Value type of a preference (the reference's `data_type`).
enum class pref_type : uint8_t { boolean = 1, integer, string, enumeration };

/// "boolean", "int", "string", "enum" (the reference's spelling).
std::string_view to_string(pref_type t);

/// Where a preference may be set, as bit flags (the reference's usr_pref,
/// dom_pref, contract_pref columns).
enum pref_level : uint8_t {
  level_subscriber = 1,
  level_domain = 2,
  level_customer = 4,
};

/// A syntactic check on top of the type, for values the call logic parses.
enum class pref_format : uint8_t {
  none = 0,
  ip_network, ///< IPv4/IPv6 address, optionally with /prefix
  digits,     ///< E.164 digits without '+', e.g. a CLI
  codec_list, ///< comma-separated codec names
};

/// One entry of the typed preference catalogue. The catalogue only holds
/// preferences that some part of the platform reads (or will read in the
/// feature it is named for); it grows with the features.
struct preference_def {
  std::string_view name;
  std::string_view label;
  std::string_view description;
  pref_type type = pref_type::string;
  bool multi = false;                      ///< a list of values (max_occur 0)
  uint8_t levels = 0;                      ///< pref_level bits
  std::vector<std::string_view> choices{}; ///< enumeration values
  std::optional<int64_t> min{};            ///< integer range
  std::optional<int64_t> max{};
  pref_format format = pref_format::none;
  /// Maintained by the platform (e.g. `lock` through subscriber status).
  bool read_only = false;
};

/// Every known preference, sorted by name.
const std::vector<preference_def>& catalogue();

/// The definition called `name` (case-sensitive), or null.
const preference_def* find(std::string_view name);

/// Why `value` is not acceptable for `def`, or nullopt. A multi-value
/// preference takes an array of values (a single value is accepted as a
/// one-element list by `normalize_value`); a single one takes a scalar.
/// Booleans accept true/false and 0/1, integers numeric strings.
std::optional<std::string> check_value(const preference_def& def,
                                       const nlohmann::json& value);

/// The stored form of a checked value: arrays for multi-value preferences,
/// JSON booleans and integers converted from their accepted spellings.
nlohmann::json normalize_value(const preference_def& def,
                               const nlohmann::json& value);

/// The catalogue entry as the `*preferencedefs` resources show it.
nlohmann::json describe(const preference_def& def);

} // namespace sb::prefs
