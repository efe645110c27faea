#pragma once

#include "common/text.hpp"
#include "mgmt/http/fwd.hpp"

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::mgmt::http {

/// One parsed HTTP request, owned by the handler that receives it.
struct request {
  std::string method; ///< as sent, e.g. "GET"
  std::string target; ///< raw request-target, e.g. "/a%20b?x=1"
  std::string path;   ///< percent-decoded path part of `target`
  std::multimap<std::string, std::string> query; ///< decoded, `+` is space
  std::vector<std::pair<std::string, std::string>> headers; ///< as received
  std::string body;
  std::string remote_address; ///< peer IP address
  /// Path parameters filled by `router` (`{id}` -> params["id"]), decoded.
  std::map<std::string, std::string> params;

  /// The first header called `name`, compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;

  /// The first query value for `key`.
  std::optional<std::string> query_value(std::string_view key) const;
};

/// What a handler answers. Content-Length and Connection are set by the
/// server; a handler's own values for them are ignored.
struct response {
  unsigned status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// Replaces every header called `name` (case-insensitive) by one value.
  response& set_header(std::string name, std::string value);

  /// The first header called `name`, compared case-insensitively.
  std::optional<std::string> header(std::string_view name) const;

  /// `body` serialised, Content-Type application/json.
  static response json(unsigned status, const nlohmann::json& body);

  /// Content-Type text/plain; charset=utf-8.
  static response text(unsigned status, std::string body);

  /// The API's error shape: `{"code":status,"message":message}` as JSON.
  static response error(unsigned status, std::string_view message);
};

/// ASCII case-insensitive equality, for header names and methods.
using sb::iequals;

/// Decodes `%XX` escapes (and `+` as space if `plus_is_space`). Malformed
/// escapes are kept literally.
std::string percent_decode(std::string_view s, bool plus_is_space = false);

/// Splits `a=1&b=x%20y&c` into decoded pairs (`c` maps to "").
std::multimap<std::string, std::string> parse_query(std::string_view query);

/// Splits a request-target into its raw path and raw query (without '?').
std::pair<std::string_view, std::string_view>
split_target(std::string_view target) noexcept;

} // namespace sb::mgmt::http
