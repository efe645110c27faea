#include "mgmt/node/node_routes.hpp"

#include "mgmt/node/control_token.hpp"

#include <cstdlib>

#include <spdlog/spdlog.h>

namespace sb::mgmt {

namespace {

using http::request;
using http::response;
using respond_fn = std::function<void(response)>;

// Wraps a control handler with the bearer-token check.
http::handler authorized(std::string token,
                         std::function<response(const request&)> fn) {
  return [token = std::move(token), fn = std::move(fn)](request req,
                                                        respond_fn respond) {
    auto auth = req.header("Authorization").value_or("");
    const std::string prefix = "Bearer ";
    if (auth.rfind(prefix, 0) != 0 ||
        !token_matches(auth.substr(prefix.size()), token)) {
      auto r = response::error(401, "control token required");
      r.set_header("WWW-Authenticate", "Bearer");
      return respond(std::move(r));
    }
    respond(fn(req));
  };
}

// The node's routes are fixed at build time: a refused one is a bug.
void must(status st) {
  if (!st) {
    spdlog::critical("node routes: {}", st.err().message);
    std::abort();
  }
}

} // namespace

void add_node_routes(http::router& r, node_control& control,
                     const metrics::registry& reg, std::string token) {
  must(r.add("GET", "/healthz", [](request, respond_fn respond) {
    respond(response::json(200, {{"status", "ok"}}));
  }));
  must(r.add("GET", "/readyz", [&control](request, respond_fn respond) {
    auto rd = control.ready();
    respond(response::json(rd.ready ? 200 : 503,
                           {{"status", rd.ready ? "ready" : "not ready"},
                            {"reasons", rd.reasons}}));
  }));
  must(r.add("GET", "/metrics", [&reg](request, respond_fn respond) {
    response res;
    res.body = reg.render();
    res.set_header("Content-Type", metrics::text_content_type);
    respond(std::move(res));
  }));
  must(r.add("GET", "/control/status",
             authorized(token, [&control](const request&) {
               return response::json(200, control.status());
             })));
  must(r.add("POST", "/control/reload",
             authorized(token, [&control](const request&) {
               auto report = control.reload();
               if (!report)
                 return response::error(422, report.err().message);
               return response::json(200, *report);
             })));
  must(r.add(
      "PUT", "/control/log-level",
      authorized(token, [&control](const request& req) {
        auto j = nlohmann::json::parse(req.body, nullptr, false);
        if (j.is_discarded() || !j.is_object() || !j.contains("level") ||
            !j["level"].is_string())
          return response::error(400, "expected {\"level\": \"<name>\"}");
        auto level = j["level"].get<std::string>();
        if (!control.set_log_level(level))
          return response::error(
              422, "field='level', input='" + level +
                       "', errors='not one of trace, debug, info, warn, error, "
                       "critical, off'");
        return response::json(200, {{"level", level}});
      })));
}

} // namespace sb::mgmt
