#pragma once

#include "mgmt/rest/errors.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sb::mgmt::rest {

/// JSON type a field accepts. Like the reference's form fields, `integer`
/// and `number` also accept numeric strings ("5") and `boolean` accepts 0/1;
/// `normalize` converts those to the JSON type.
enum class field_type : std::uint8_t {
  string = 1,
  integer,
  number,
  boolean,
  object,
  array,
  any
};

/// A custom check: returns an error message, or nullopt when fine. Runs only
/// on a present, non-null value of the right type.
using field_check =
    std::function<std::optional<std::string>(const nlohmann::json&)>;

/// One member of a resource representation.
struct field_spec {
  std::string name{};
  field_type type = field_type::any;
  bool required = false;
  /// Null is a value. Otherwise null counts as absent (the reference maps
  /// JSON null to an undefined, i.e. missing, form input).
  bool nullable = false;
  /// Output only: never checked on input, dropped by `normalize`.
  bool read_only = false;
  std::vector<nlohmann::json> enum_values{}; ///< empty: any value
  std::optional<std::int64_t> min{};         ///< integer/number range
  std::optional<std::int64_t> max{};
  std::optional<std::size_t> max_length{};       ///< strings, in code points
  std::optional<nlohmann::json> default_value{}; ///< filled in by `normalize`
  field_check check{};
};

/// What to do with members that no spec names.
enum class unknown_fields : std::uint8_t { reject = 1, ignore };

/// Members always ignored as input: HAL decoration that a client sends back
/// after a GET (`_links`, `_embedded`) and the id, which comes from the URI.
bool is_hal_member(std::string_view name) noexcept;

/// Every problem of `body`, in spec order then unknown members in key order;
/// empty when valid. Messages: "Required field", "Not a valid <type>" (type
/// as in field_type), "Not a valid choice", "Value must be between <min>
/// and <max>" / "Value must be greater than or equal to <min>" / "Value must
/// be less than or equal to <max>", "Field should not exceed <n>
/// characters. You entered <m>", the custom check's message, and
/// "Unknown field" (when `unknown` is reject). A wrong type stops the other
/// checks of that field; the others accumulate. A body that is not an
/// object is one error: field "", errors {"Not a valid object"}.
std::vector<field_error>
validate(const nlohmann::json& body, const std::vector<field_spec>& specs,
         unknown_fields unknown = unknown_fields::reject);

/// A validated body made ready for storage: read-only, unknown and HAL
/// members dropped, null in non-nullable fields treated as absent, absent
/// fields given their `default_value`, numeric strings and 0/1 booleans
/// converted. Only meaningful when `validate` returned no errors.
nlohmann::json normalize(const nlohmann::json& body,
                         const std::vector<field_spec>& specs);

/// 422 `validation_failed` if `validate` finds problems, else `normalize`.
api_result<nlohmann::json>
validate_and_normalize(const nlohmann::json& body,
                       const std::vector<field_spec>& specs,
                       unknown_fields unknown = unknown_fields::reject);

} // namespace sb::mgmt::rest
