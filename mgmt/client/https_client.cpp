#include "mgmt/client/https_client.hpp"

#include "common/asio.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/version.hpp>

namespace sb::mgmt {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

result<http_reply> https_request(const http_call& call) {
  asio::io_context io;
  asio::ssl::context ctx{asio::ssl::context::tls_client};
  if (call.verify_peer) {
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
  } else {
    ctx.set_verify_mode(asio::ssl::verify_none);
  }
  beast::ssl_stream<beast::tcp_stream> stream{io, ctx};
  http::request<http::string_body> req{http::string_to_verb(call.method),
                                       call.target, 11};
  req.set(http::field::host, call.host + ":" + std::to_string(call.port));
  req.set(http::field::user_agent, "sbctl");
  for (const auto& [k, v] : call.headers)
    req.set(k, v);
  if (!call.body.empty() || call.method == "POST" || call.method == "PUT" ||
      call.method == "PATCH") {
    req.set(http::field::content_type, call.content_type);
    req.body() = call.body;
    req.prepare_payload();
  }
  http::response<http::string_body> res;
  beast::flat_buffer buf;
  beast::error_code failure;
  std::string stage = "connect";
  auto fail = [&](const char* what, beast::error_code ec) {
    if (!failure) {
      failure = ec;
      stage = what;
    }
  };

  boost::system::error_code ec;
  auto addr = asio::ip::make_address(call.host, ec);
  if (ec)
    return error{"invalid address " + call.host};
  asio::ip::tcp::endpoint ep{addr, call.port};
  auto& tcp = beast::get_lowest_layer(stream);
  tcp.expires_after(call.timeout);
  tcp.async_connect(ep, [&](beast::error_code e) {
    if (e)
      return fail("connect", e);
    stream.async_handshake(
        asio::ssl::stream_base::client, [&](beast::error_code e) {
          if (e)
            return fail("TLS handshake", e);
          http::async_write(stream, req, [&](beast::error_code e, size_t) {
            if (e)
              return fail("write", e);
            http::async_read(stream, buf, res,
                             [&](beast::error_code e, size_t) {
                               if (e)
                                 return fail("read", e);
                               tcp.cancel();
                             });
          });
        });
  });
  io.run();
  if (failure)
    return error{stage + " to " + call.host + ":" + std::to_string(call.port) +
                 " failed: " + failure.message()};
  return http_reply{res.result_int(), std::move(res.body())};
}

} // namespace sb::mgmt
