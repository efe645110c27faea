#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace sb::net {

/// Whether a TCP connection to `host` (a numeric address) and `port` is
/// accepted within `timeout`; the connection is closed at once. A blocking
/// connect to a host that is gone (no RST, only silence) waits for the
/// kernel's SYN retries, about two minutes; this bounds that wait for
/// callers that must stay responsive (the cluster's connectors, which a
/// shutdown joins).
bool tcp_reachable(const std::string& host, uint16_t port,
                   std::chrono::milliseconds timeout);

} // namespace sb::net
