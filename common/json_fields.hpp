#pragma once

#include <optional>

#include <nlohmann/json.hpp>

// Optional members in JSON documents: absent is null, both ways.
namespace sb {

template <class T>
nlohmann::json nullable(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

/// null → nullopt; otherwise the value (throws like json::get on a wrong
/// type).
template <class T>
std::optional<T> optional_of(const nlohmann::json& j) {
  if (j.is_null())
    return std::nullopt;
  return j.get<T>();
}

} // namespace sb
