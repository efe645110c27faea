#include "mgmt/node/node_routes.hpp"

#include "actors/support/trace_store.hpp"
#include "cluster/cluster_view.hpp"
#include "mgmt/node/control_token.hpp"

#include <charconv>
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

void add_trace_routes(http::router& r, actors::trace_store& traces,
                      std::string token) {
  must(r.add(
      "PUT", "/control/trace", authorized(token, [&traces](const request& req) {
        auto j = nlohmann::json::parse(req.body, nullptr, false);
        if (j.is_discarded() || !j.is_object())
          return response::error(400, "expected {\"kind\", \"key\", \"rate\"}");
        actors::trace_filter f;
        if (j.contains("kind") && !j["kind"].is_string())
          return response::error(422, "field='kind', errors='not a "
                                      "string'");
        f.kind = j.value("kind", "call");
        if (f.kind != "call" && f.kind != "subscriber")
          return response::error(
              422, "field='kind', input='" + f.kind +
                       "', errors='call or subscriber actors record "
                       "traces'");
        if (j.contains("key") && !j["key"].is_string())
          return response::error(422, "field='key', errors='not a "
                                      "string'");
        f.key = j.value("key", "");
        if (j.contains("rate") &&
            (!j["rate"].is_number() || j["rate"].get<double>() <= 0 ||
             j["rate"].get<double>() > 1))
          return response::error(422,
                                 "field='rate', errors='a number in (0, 1]'");
        f.rate = j.value("rate", 1.0);
        traces.start(f);
        return response::json(
            200, {{"kind", f.kind}, {"key", f.key}, {"rate", f.rate}});
      })));
  must(r.add("DELETE", "/control/trace",
             authorized(token, [&traces](const request&) {
               traces.stop();
               return response::json(200, {{"recording", false}});
             })));
  must(r.add(
      "GET", "/control/traces", authorized(token, [&traces](const request&) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& e : traces.list())
          list.push_back({{"id", e.id},
                          {"kind", e.kind},
                          {"key", e.key},
                          {"at_ms", e.at_ms},
                          {"steps", e.steps}});
        auto f = traces.filter();
        nlohmann::json filter = f ? nlohmann::json{{"kind", f->kind},
                                                   {"key", f->key},
                                                   {"rate", f->rate}}
                                  : nlohmann::json();
        return response::json(200, {{"recording", filter}, {"traces", list}});
      })));
  must(r.add("GET", "/control/traces/{id}",
             authorized(token, [&traces](const request& req) {
               auto it = req.params.find("id");
               uint64_t id = 0;
               if (it == req.params.end() ||
                   std::from_chars(it->second.data(),
                                   it->second.data() + it->second.size(), id)
                           .ec != std::errc{})
                 return response::error(404, "no such trace");
               auto t = traces.get(id);
               if (!t)
                 return response::error(404, "no such trace");
               return response::json(200, *t);
             })));
}

void add_cluster_routes(http::router& r,
                        std::shared_ptr<const cluster::cluster_view> view,
                        std::function<nlohmann::json()> drain,
                        std::string token) {
  must(r.add("POST", "/control/drain",
             authorized(token, [drain = std::move(drain)](const request&) {
               return response::json(202, drain());
             })));
  must(r.add(
      "GET", "/control/cluster", authorized(token, [view](const request& req) {
        auto snap = view->get();
        nlohmann::json members = nlohmann::json::array();
        for (const auto& m : snap.members)
          members.push_back(
              {{"name", m.name},
               {"roles", m.roles},
               {"state", m.draining && m.state != cluster::peer_state::dead
                             ? std::string{"draining"}
                             : std::string{cluster::to_string(m.state)}},
               {"self", m.self},
               {"connected", m.connected},
               {"incarnation", m.incarnation},
               {"epoch", m.epoch},
               {"actors", m.actors},
               {"heartbeat_age_ms", m.heartbeat_age_ms},
               {"lease_ms", m.lease_ms}});
        nlohmann::json out{{"self", snap.self},
                           {"epoch", snap.epoch},
                           {"fenced", snap.fenced_count},
                           {"members", members}};
        // ?key=K&role=R: where that entity lives in this view.
        if (auto key = req.query_value("key")) {
          auto role = req.query_value("role").value_or("proxy");
          auto owner = cluster::owner_of(*key, snap.live, role);
          out["owner"] = owner ? nlohmann::json(*owner) : nlohmann::json();
        }
        return response::json(200, out);
      })));
}

} // namespace sb::mgmt
