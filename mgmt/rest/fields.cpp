#include "mgmt/rest/fields.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace sb::mgmt::rest {

namespace {

using json = nlohmann::json;

const char* type_name(field_type t) noexcept {
  switch (t) {
  case field_type::string:
    return "string";
  case field_type::integer:
    return "integer";
  case field_type::number:
    return "number";
  case field_type::boolean:
    return "boolean";
  case field_type::object:
    return "object";
  case field_type::array:
    return "array";
  case field_type::any:
    break;
  }
  return "value";
}

std::optional<std::int64_t> integer_from(const std::string& s) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
    return std::nullopt;
  return v;
}

std::optional<double> number_from(const std::string& s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() ||
      !std::isfinite(v))
    return std::nullopt;
  return v;
}

/// `v` converted to the field's JSON type, or nullopt if it is not one.
std::optional<json> coerce(const json& v, field_type t) {
  switch (t) {
  case field_type::string:
    return v.is_string() ? std::optional<json>(v) : std::nullopt;
  case field_type::integer:
    if (v.is_number_integer())
      return v;
    if (v.is_string())
      if (auto n = integer_from(v.get<std::string>()))
        return json(*n);
    return std::nullopt;
  case field_type::number:
    if (v.is_number())
      return v;
    if (v.is_string()) {
      if (auto n = integer_from(v.get<std::string>()))
        return json(*n);
      if (auto d = number_from(v.get<std::string>()))
        return json(*d);
    }
    return std::nullopt;
  case field_type::boolean:
    if (v.is_boolean())
      return v;
    if (v.is_number_integer() && (v == 0 || v == 1))
      return json(v == 1);
    return std::nullopt;
  case field_type::object:
    return v.is_object() ? std::optional<json>(v) : std::nullopt;
  case field_type::array:
    return v.is_array() ? std::optional<json>(v) : std::nullopt;
  case field_type::any:
    break;
  }
  return v;
}

std::size_t code_points(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::optional<std::string> range_error(const json& v, const field_spec& f) {
  if (!v.is_number() || (!f.min && !f.max))
    return std::nullopt;
  bool low = false;
  bool high = false;
  if (v.is_number_unsigned()) {
    // May exceed int64: compare in uint64 space.
    const auto u = v.get<std::uint64_t>();
    low = f.min && *f.min > 0 && u < static_cast<std::uint64_t>(*f.min);
    high = f.max && (*f.max < 0 || u > static_cast<std::uint64_t>(*f.max));
  } else if (v.is_number_integer()) {
    const auto i = v.get<std::int64_t>();
    low = f.min && i < *f.min;
    high = f.max && i > *f.max;
  } else {
    const auto d = v.get<double>();
    low = f.min && d < static_cast<double>(*f.min);
    high = f.max && d > static_cast<double>(*f.max);
  }
  if (!low && !high)
    return std::nullopt;
  if (f.min && f.max)
    return "Value must be between " + std::to_string(*f.min) + " and " +
           std::to_string(*f.max);
  if (f.min)
    return "Value must be greater than or equal to " + std::to_string(*f.min);
  return "Value must be less than or equal to " + std::to_string(*f.max);
}

/// The errors of one present, non-null value.
std::vector<std::string> check_value(const json& raw, const field_spec& f) {
  auto v = coerce(raw, f.type);
  if (!v)
    return {std::string("Not a valid ") + type_name(f.type)};
  std::vector<std::string> errs;
  if (!f.enum_values.empty() &&
      std::find(f.enum_values.begin(), f.enum_values.end(), *v) ==
          f.enum_values.end())
    errs.emplace_back("Not a valid choice");
  if (auto e = range_error(*v, f))
    errs.push_back(std::move(*e));
  if (f.max_length && v->is_string()) {
    const auto n = code_points(v->get_ref<const std::string&>());
    if (n > *f.max_length)
      errs.push_back("Field should not exceed " +
                     std::to_string(*f.max_length) +
                     " characters. You entered " + std::to_string(n));
  }
  if (f.check)
    if (auto e = f.check(*v))
      errs.push_back(std::move(*e));
  return errs;
}

const field_spec* find_spec(const std::vector<field_spec>& specs,
                            std::string_view name) {
  auto it = std::find_if(specs.begin(), specs.end(),
                         [&](const field_spec& f) { return f.name == name; });
  return it == specs.end() ? nullptr : &*it;
}

} // namespace

bool is_hal_member(std::string_view name) noexcept {
  return name == "_links" || name == "_embedded" || name == "id";
}

std::vector<field_error> validate(const json& body,
                                  const std::vector<field_spec>& specs,
                                  unknown_fields unknown) {
  if (!body.is_object())
    return {{"", input_text(body), {"Not a valid object"}}};
  std::vector<field_error> out;
  for (const auto& f : specs) {
    if (f.read_only)
      continue;
    auto it = body.find(f.name);
    const bool absent = it == body.end() || (it->is_null() && !f.nullable);
    if (absent) {
      if (f.required)
        out.push_back({f.name, "", {"Required field"}});
      continue;
    }
    if (it->is_null())
      continue; // nullable
    if (auto errs = check_value(*it, f); !errs.empty())
      out.push_back({f.name, input_text(*it), std::move(errs)});
  }
  if (unknown == unknown_fields::reject) {
    for (const auto& [key, value] : body.items()) {
      if (!is_hal_member(key) && !find_spec(specs, key))
        out.push_back({key, input_text(value), {"Unknown field"}});
    }
  }
  return out;
}

json normalize(const json& body, const std::vector<field_spec>& specs) {
  json out = json::object();
  if (!body.is_object())
    return out;
  for (const auto& f : specs) {
    if (f.read_only)
      continue;
    auto it = body.find(f.name);
    if (it != body.end() && (!it->is_null() || f.nullable)) {
      auto v = it->is_null() ? std::optional<json>(*it) : coerce(*it, f.type);
      out[f.name] = v ? std::move(*v) : *it;
    } else if (f.default_value) {
      out[f.name] = *f.default_value;
    }
  }
  return out;
}

api_result<json> validate_and_normalize(const json& body,
                                        const std::vector<field_spec>& specs,
                                        unknown_fields unknown) {
  if (auto errs = validate(body, specs, unknown); !errs.empty())
    return validation_failed(errs);
  return normalize(body, specs);
}

} // namespace sb::mgmt::rest
