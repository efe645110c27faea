#pragma once

#include "common/result.hpp"

#include <optional>
#include <string>
#include <string_view>

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

/// Text from another node or process read as JSON by `decode` (json ->
/// result<T>); text that is not JSON is "<what>: not JSON".
template <class Decode>
auto decode_json_text(std::string_view text, std::string_view what,
                      Decode&& decode) -> decltype(decode(nlohmann::json{})) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded())
    return error{std::string(what) + ": not JSON"};
  return decode(j);
}

} // namespace sb
