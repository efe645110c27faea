#pragma once

#include <functional>

namespace sb::mgmt::http {

struct request;
struct response;
struct server_options;
class server;
class router;

/// Delivers the response to a request. Callable once from any thread;
/// later calls are ignored.
using respond_fn = std::function<void(response)>;

/// Serves one request. Runs on the connection's strand and should return
/// quickly; it may keep `respond` and call it later from any thread. If
/// every copy of `respond` is dropped without a call, the client gets 500.
using handler = std::function<void(request, respond_fn)>;

} // namespace sb::mgmt::http
