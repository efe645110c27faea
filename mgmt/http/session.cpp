#include "mgmt/http/responder.hpp"
#include "mgmt/http/server_state.hpp"

#include "common/log.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <type_traits>

namespace sb::mgmt::http::detail {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;
using beast_response = bhttp::response<bhttp::string_body>;

constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
// After an error response the client may still be sending a body we refused;
// closing at once would reset the connection and could destroy our answer
// in flight, so read and discard for a bounded time first (lingering close).
constexpr std::chrono::milliseconds linger_time{2000};
constexpr size_t linger_max_bytes = 8 * 1024 * 1024;

bool is_token_char(char c) {
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
}

bool valid_header_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), is_token_char);
}

// A CR or LF in a value would let a handler split the response.
std::string sanitize_value(std::string v) {
  std::replace_if(
      v.begin(), v.end(),
      [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  return v;
}

std::string_view to_std(beast::string_view v) {
  return {v.data(), v.size()};
}

bool is_parse_error(const error_code& ec) {
  static const auto& http_category =
      bhttp::make_error_code(bhttp::error::bad_method).category();
  return ec.category() == http_category && ec != bhttp::error::end_of_stream &&
         ec != bhttp::error::partial_message;
}

/// One connection. Every member runs on the stream's strand except the
/// constructor, close() and post_response().
template <class Stream>
class session final : public session_base,
                      public std::enable_shared_from_this<session<Stream>> {
  static constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

public:
  session(std::shared_ptr<server_state> st, tcp::socket socket, uint64_t id,
          std::string remote)
      : state_(std::move(st))
      , stream_(make_stream(*state_, std::move(socket)))
      , id_(id)
      , remote_(std::move(remote)) {}

  ~session() override { state_->remove_session(id_); }

  void run() {
    if (!state_->add_session(id_, this->weak_from_this()))
      return; // stopped meanwhile; the socket closes with us
    asio::dispatch(stream_.get_executor(),
                   [self = this->shared_from_this()] { self->begin(); });
  }

  void close() override {
    asio::dispatch(stream_.get_executor(),
                   [self = this->shared_from_this()] { self->finish(); });
  }

  void post_response(response r) override {
    asio::post(stream_.get_executor(),
               [self = this->shared_from_this(), r = std::move(r)]() mutable {
                 self->deliver(std::move(r));
               });
  }

private:
  static Stream make_stream(server_state& st, tcp::socket socket) {
    if constexpr (is_tls)
      return Stream(std::move(socket), *st.tls);
    else
      return Stream(std::move(socket));
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  const server_options& opts() const { return state_->opts; }

  void begin() {
    if (closed_)
      return;
    if constexpr (is_tls) {
      lowest().expires_after(opts().request_timeout);
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](error_code ec) {
            if (self->closed_)
              return;
            if (ec) {
              spdlog::debug("mgmt http: TLS handshake with {} failed: {}",
                            self->remote_, ec.message());
              return self->finish();
            }
            self->read_header();
          });
    } else {
      read_header();
    }
  }

  void read_header() {
    parser_.emplace();
    parser_->body_limit(opts().max_body_bytes);
    parser_->header_limit(static_cast<uint32_t>(opts().max_header_bytes));
    lowest().expires_after(opts().idle_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, size_t) {
          self->on_header(ec);
        });
  }

  void on_header(error_code ec) {
    if (closed_)
      return;
    if (ec)
      return on_read_error(ec);
    if (parser_->is_done())
      return dispatch_request();
    if (iequals(to_std(parser_->get()[bhttp::field::expect]), "100-continue")) {
      lowest().expires_after(opts().request_timeout);
      asio::async_write(
          stream_, asio::buffer(continue_line),
          [self = this->shared_from_this()](error_code wec, size_t) {
            if (self->closed_)
              return;
            if (wec)
              return self->finish();
            self->read_body();
          });
      return;
    }
    read_body();
  }

  void read_body() {
    lowest().expires_after(opts().request_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](error_code ec, size_t) {
                        if (self->closed_)
                          return;
                        if (ec)
                          return self->on_read_error(ec);
                        self->dispatch_request();
                      });
  }

  void on_read_error(const error_code& ec) {
    if (ec == bhttp::error::body_limit)
      return reject(413, "request body exceeds " +
                             std::to_string(opts().max_body_bytes) + " bytes");
    if (ec == bhttp::error::header_limit)
      return reject(431, "request header too large");
    if (is_parse_error(ec))
      return reject(400, "malformed request: " + ec.message());
    if (ec == bhttp::error::end_of_stream)
      return graceful_close();
    // Timeouts, resets, truncation: nobody to answer.
    finish();
  }

  void dispatch_request() {
    lowest().expires_never();
    auto msg = parser_->release();
    parser_.reset();
    version_ = msg.version();
    keep_alive_ = msg.keep_alive();
    head_ = msg.method() == bhttp::verb::head;

    request rq;
    rq.method = std::string(msg.method_string());
    rq.target = std::string(msg.target());
    auto [raw_path, raw_query] = split_target(rq.target);
    rq.path = percent_decode(raw_path);
    rq.query = parse_query(raw_query);
    for (const auto& f : msg)
      rq.headers.emplace_back(std::string(f.name_string()),
                              std::string(f.value()));
    rq.body = std::move(msg.body());
    rq.remote_address = remote_;

    auto guard = std::make_shared<responder>(this->shared_from_this(), state_);
    respond_fn respond = [guard](response r) { guard->send(std::move(r)); };
    guard.reset();
    try {
      state_->h(std::move(rq), std::move(respond));
    } catch (const std::exception& e) {
      // `respond` died in the unwinding, so the client still gets a 500.
      spdlog::warn("mgmt http: handler threw: {}", e.what());
    } catch (...) {
      spdlog::warn("mgmt http: handler threw a non-exception");
    }
  }

  void deliver(response r) {
    if (closed_)
      return;
    bool close = !keep_alive_;
    {
      std::lock_guard<std::mutex> lock(state_->mu);
      close = close || state_->stopped;
    }
    auto res = build(std::move(r), close);
    write(std::move(res), close);
  }

  std::shared_ptr<beast_response> build(response r, bool& close) {
    if (r.status < 200 || r.status > 999)
      r = response::error(500, "handler returned an invalid status");
    state_->count_response(r.status);
    auto res = std::make_shared<beast_response>();
    res->result(r.status);
    res->version(version_);
    res->set(bhttp::field::server, "switchboard");
    for (auto& [name, value] : r.headers) {
      if (iequals(name, "connection")) {
        close = close || iequals(value, "close");
        continue;
      }
      if (iequals(name, "content-length") ||
          iequals(name, "transfer-encoding") || !valid_header_name(name))
        continue;
      res->insert(name, sanitize_value(std::move(value)));
    }
    // These statuses must not carry a body (and Beast refuses to frame one).
    if (r.status == 204 || r.status == 304)
      r.body.clear();
    res->body() = std::move(r.body);
    res->keep_alive(!close);
    res->prepare_payload();
    if (head_) {
      auto n = res->body().size();
      res->body().clear();
      res->content_length(n);
    }
    return res;
  }

  void write(std::shared_ptr<beast_response> res, bool close) {
    lowest().expires_after(opts().request_timeout);
    bhttp::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res, close](error_code ec, size_t) {
          if (self->closed_)
            return;
          if (ec)
            return self->finish();
          if (self->linger_)
            return self->linger();
          if (close)
            return self->graceful_close();
          self->read_header();
        });
  }

  // The request could not be read: answer, then close without reading on.
  void reject(unsigned status, const std::string& message) {
    version_ = 11;
    head_ = false;
    linger_ = true;
    bool close = true;
    auto res = build(response::error(status, message), close);
    write(std::move(res), true);
  }

  void linger() {
    if constexpr (!is_tls) {
      error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    }
    lowest().expires_after(linger_time);
    drain();
  }

  void drain() {
    stream_.async_read_some(
        asio::buffer(drain_buf_),
        [self = this->shared_from_this()](error_code ec, size_t n) {
          self->drained_ += n;
          if (ec || self->closed_ || self->drained_ > linger_max_bytes)
            return self->finish();
          self->drain();
        });
  }

  void graceful_close() {
    if constexpr (is_tls) {
      lowest().expires_after(
          std::min(opts().request_timeout, std::chrono::milliseconds(2000)));
      stream_.async_shutdown(
          [self = this->shared_from_this()](error_code) { self->finish(); });
    } else {
      error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      finish();
    }
  }

  void finish() {
    if (closed_)
      return;
    closed_ = true;
    state_->remove_session(id_);
    // Cancels whatever is pending; its handler sees closed_ and stops.
    lowest().close();
  }

  std::shared_ptr<server_state> state_;
  Stream stream_;
  uint64_t id_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  bool linger_ = false;
  bool closed_ = false;
  size_t drained_ = 0;
  std::array<char, 4096> drain_buf_{};
};

} // namespace

void start_session(const std::shared_ptr<server_state>& state,
                   tcp::socket socket) {
  error_code ec;
  auto ep = socket.remote_endpoint(ec);
  auto remote = ec ? std::string() : ep.address().to_string();
  socket.set_option(tcp::no_delay(true), ec);
  auto id = state->next_id.fetch_add(1) + 1;
  if (state->tls)
    std::make_shared<session<tls_stream>>(state, std::move(socket), id,
                                          std::move(remote))
        ->run();
  else
    std::make_shared<session<plain_stream>>(state, std::move(socket), id,
                                            std::move(remote))
        ->run();
}

} // namespace sb::mgmt::http::detail
