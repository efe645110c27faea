#include "mgmt/http/server.hpp"

#include "common/log.hpp"
#include "mgmt/http/server_state.hpp"

#include <openssl/ssl.h>

#include <vector>

namespace sb::mgmt::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace detail {

server_state::server_state(asio::io_context& io, server_options o, handler hd)
    : ioc(io)
    , opts(std::move(o))
    , h(std::move(hd))
    , accept_strand(asio::make_strand(io))
    , acceptor(accept_strand)
    , accept_retry(accept_strand) {
  auto& reg = metrics::default_registry();
  if (auto f = reg.add_counter("sb_mgmt_http_responses_total",
                               "HTTP responses sent by status code.", {"code"}))
    responses = *f;
  if (auto f = reg.add_counter(
          "sb_mgmt_http_unanswered_total",
          "Requests whose handler dropped respond without calling it (500)."))
    unanswered = &(*f)->with({});
}

bool server_state::add_session(uint64_t id, std::weak_ptr<session_base> s) {
  std::lock_guard<std::mutex> lock(mu);
  if (stopped)
    return false;
  sessions.emplace(id, std::move(s));
  return true;
}

void server_state::remove_session(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu);
  sessions.erase(id);
}

void server_state::count_response(unsigned status) {
  if (responses)
    responses->with({std::to_string(status)}).inc();
}

} // namespace detail

namespace {

void accept_next(const std::shared_ptr<detail::server_state>& st);

void on_accept(const std::shared_ptr<detail::server_state>& st,
               boost::system::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !st->acceptor.is_open())
    return;
  if (ec) {
    // EMFILE and friends: back off instead of spinning on accept.
    spdlog::warn("mgmt http: accept failed: {}", ec.message());
    st->accept_retry.expires_after(std::chrono::milliseconds(100));
    st->accept_retry.async_wait([st](boost::system::error_code wec) {
      if (!wec)
        accept_next(st);
    });
    return;
  }
  detail::start_session(st, std::move(socket));
  accept_next(st);
}

void accept_next(const std::shared_ptr<detail::server_state>& st) {
  if (!st->acceptor.is_open())
    return;
  // Each connection gets its own strand, so its handlers never run
  // concurrently and `respond` can post to it.
  st->acceptor.async_accept(
      asio::make_strand(st->ioc),
      [st](boost::system::error_code ec, tcp::socket socket) {
        on_accept(st, ec, std::move(socket));
      });
}

result<asio::ssl::context> make_tls_context(const tls_files& files) {
  asio::ssl::context ctx{asio::ssl::context::tls_server};
  boost::system::error_code ec;
  ctx.set_options(
      asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
          asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use,
      ec);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  ctx.use_certificate_chain_file(files.cert_file.string(), ec);
  if (ec)
    return error{"cannot load certificate " + files.cert_file.string() + ": " +
                 ec.message()};
  ctx.use_private_key_file(files.key_file.string(), asio::ssl::context::pem,
                           ec);
  if (ec)
    return error{"cannot load private key " + files.key_file.string() + ": " +
                 ec.message()};
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return error{"private key " + files.key_file.string() +
                 " does not match certificate " + files.cert_file.string()};
  return ctx;
}

} // namespace

server::server(asio::io_context& ioc, server_options opts, handler h)
    : state_(std::make_shared<detail::server_state>(ioc, std::move(opts),
                                                    std::move(h))) {}

server::~server() {
  stop();
}

result<uint16_t> server::start() {
  auto& st = *state_;
  if (st.opts.tls) {
    auto ctx = make_tls_context(*st.opts.tls);
    if (!ctx)
      return ctx.err();
    st.tls.emplace(std::move(ctx).value());
  }
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(st.opts.address, ec);
  if (ec)
    return error{"invalid listen address '" + st.opts.address + "'"};
  tcp::endpoint ep{addr, st.opts.port};
  auto where = [&] {
    return st.opts.address + ":" + std::to_string(st.opts.port);
  };
  // Runs before any accept is pending, so touching the acceptor off its
  // strand is safe here.
  if (st.acceptor.open(ep.protocol(), ec); ec)
    return error{"cannot open socket for " + where() + ": " + ec.message()};
  st.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (st.acceptor.bind(ep, ec); ec) {
    st.acceptor.close(ec);
    return error{"cannot bind " + where() + ": " + ec.message()};
  }
  if (st.acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    st.acceptor.close(ec);
    return error{"cannot listen on " + where() + ": " + ec.message()};
  }
  auto port = st.acceptor.local_endpoint(ec).port();
  asio::dispatch(st.accept_strand, [s = state_] { accept_next(s); });
  return port;
}

void server::stop_accepting() {
  asio::dispatch(state_->accept_strand, [s = state_] {
    boost::system::error_code ec;
    s->acceptor.close(ec);
    s->accept_retry.cancel();
  });
}

size_t server::in_flight() const {
  return state_->in_flight.load();
}

size_t server::connections() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->sessions.size();
}

void server::stop() {
  stop_accepting();
  std::vector<std::shared_ptr<detail::session_base>> live;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopped = true;
    for (auto& [id, weak] : state_->sessions)
      if (auto s = weak.lock())
        live.push_back(std::move(s));
  }
  for (auto& s : live)
    s->close();
}

} // namespace sb::mgmt::http
