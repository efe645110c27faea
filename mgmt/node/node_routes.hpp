#pragma once

#include "common/metrics/registry.hpp"
#include "mgmt/http/router.hpp"
#include "mgmt/node/node_control.hpp"

namespace sb::actors {
class trace_store;
}
namespace sb::cluster {
class cluster_view;
}

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace sb::mgmt {

/// Adds the node's own endpoints to the management router:
///   GET  /healthz          200 while the process serves requests (liveness)
///   GET  /readyz           200 when it should get traffic, else 503 + reasons
///   GET  /metrics          Prometheus text from `reg`
///   GET  /control/status, POST /control/reload, PUT /control/log-level
///        for sbctl only: they need "Authorization: Bearer <token>"
/// `control` and `reg` must outlive the router.
void add_node_routes(http::router& r, node_control& control,
                     const metrics::registry& reg, std::string token);

/// Adds the actor-trace control endpoints (sbctl trace), token-protected:
///   PUT    /control/trace        {"kind","key","rate"}: start recording
///   DELETE /control/trace        stop recording
///   GET    /control/traces       the filter in force and the kept traces
///   GET    /control/traces/{id}  one trace (JSON, for sbctl trace replay)
/// `traces` must outlive the router.
void add_trace_routes(http::router& r, actors::trace_store& traces,
                      std::string token);

/// Adds GET /control/cluster (sbctl node list), token-protected: this
/// node's view of the members, their roles, states, epochs and actors;
/// with ?key=K[&role=R] also the owner of entity K (e.g.
/// "subscriber:sip:alice@example.org"; role proxy by default).
/// POST /control/drain starts `drain` (sbctl node drain), which answers
/// what it did as JSON.
void add_cluster_routes(http::router& r,
                        std::shared_ptr<const cluster::cluster_view> view,
                        std::function<nlohmann::json()> drain,
                        std::string token);

} // namespace sb::mgmt
