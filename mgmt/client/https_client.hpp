#pragma once

#include "common/result.hpp"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sb::mgmt {

/// What came back from one HTTP request.
struct http_reply {
  unsigned status = 0;
  std::string body;
};

/// One request to a node's management listener.
struct http_call {
  std::string host;
  uint16_t port = 0;
  std::string method = "GET";
  std::string target = "/";
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{5000};
  /// Verify the server certificate against the system store. Off for
  /// sbctl talking to a node's self-signed listener on a trusted address.
  bool verify_peer = false;
};

/// Performs one HTTPS request synchronously (sbctl, tests). An error means
/// no HTTP answer at all: refused, timed out, TLS failure.
result<http_reply> https_request(const http_call& call);

} // namespace sb::mgmt
