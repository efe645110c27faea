#pragma once

#include "mgmt/rest/fields.hpp"

#include <optional>
#include <string>
#include <vector>

// Terse constructors for the field tables of the resources.
namespace sb::mgmt::api::fields {

inline rest::field_spec text(std::string name, bool required = false,
                             std::size_t max_length = 255) {
  return {.name = std::move(name),
          .type = rest::field_type::string,
          .required = required,
          .nullable = !required,
          .max_length = max_length};
}

inline rest::field_spec integer(std::string name, bool required = false,
                                std::optional<std::int64_t> min = {},
                                std::optional<std::int64_t> max = {}) {
  return {.name = std::move(name),
          .type = rest::field_type::integer,
          .required = required,
          .nullable = !required,
          .min = min,
          .max = max};
}

inline rest::field_spec number(std::string name,
                               std::optional<std::int64_t> min = {},
                               std::optional<std::int64_t> max = {},
                               double def = 0) {
  return {.name = std::move(name),
          .type = rest::field_type::number,
          .min = min,
          .max = max,
          .default_value = def};
}

inline rest::field_spec boolean(std::string name, bool def) {
  return {.name = std::move(name),
          .type = rest::field_type::boolean,
          .default_value = def};
}

inline rest::field_spec choice(std::string name, bool required,
                               std::vector<nlohmann::json> values,
                               std::optional<nlohmann::json> def = {}) {
  return {.name = std::move(name),
          .type = rest::field_type::string,
          .required = required,
          .enum_values = std::move(values),
          .default_value = std::move(def)};
}

inline rest::field_spec output(std::string name) {
  return {.name = std::move(name), .read_only = true};
}

} // namespace sb::mgmt::api::fields
