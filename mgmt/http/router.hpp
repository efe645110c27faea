#pragma once

#include "common/result.hpp"
#include "mgmt/http/fwd.hpp"
#include "mgmt/http/message.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sb::mgmt::http {

/// Outcome of matching a method and path against the routes.
struct route_match {
  enum class kind : uint8_t { found = 1, not_found, method_not_allowed };
  kind result = kind::not_found;
  /// The pattern that matched (found only).
  std::string pattern;
  /// Decoded path parameters (found only).
  std::map<std::string, std::string> params;
  /// Methods the path accepts, sorted, including HEAD (with GET) and
  /// OPTIONS; empty if no pattern matches the path.
  std::vector<std::string> allowed;
};

/// Maps method + path pattern to handlers. Patterns are absolute paths whose
/// segments are literals or `{name}` parameters: "/api/subscribers/{id}".
/// A literal segment beats a parameter where both match. Unknown paths get
/// 404, known paths with another method 405 with `Allow`, and OPTIONS is
/// answered with 204 + `Allow` unless a route handles it. HEAD uses the GET
/// route (the server drops the body).
///
/// Copies share one route table. Add every route before serving: `add` is
/// not synchronised with dispatch.
class router {
public:
  router();

  /// Adds a route. Errors on a malformed pattern (not starting with '/',
  /// empty or repeated parameter name) or a method+pattern already added.
  status add(std::string method, std::string_view pattern, handler h);

  /// Matches without dispatching, for tests and diagnostics. `raw_path` is
  /// the path part of the request-target, still percent-encoded.
  route_match match(std::string_view method, std::string_view raw_path) const;

  /// Serves `rq` with the matching route (filling `rq.params`) or answers
  /// 404/405/OPTIONS itself.
  void operator()(request rq, respond_fn respond) const;

  /// Every route added, as (method, pattern), in the order added.
  std::vector<std::pair<std::string, std::string>> routes() const;
  /// A server handler that keeps this router's table alive.
  handler to_handler() const;

private:
  struct table;
  std::shared_ptr<table> table_;
};

/// `methods` joined as an `Allow` header value: "GET, HEAD, OPTIONS".
std::string join_allow(const std::vector<std::string>& methods);

} // namespace sb::mgmt::http
