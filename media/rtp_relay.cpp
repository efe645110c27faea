#include "media/rtp_relay.hpp"

#include "media/rtp_header.hpp"

namespace sb::media {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

// Sockets by index: leg A RTP, leg A RTCP, leg B RTP, leg B RTCP. The
// socket a packet leaves through is the same kind on the other leg: i ^ 2.
constexpr size_t socket_count = 4;
constexpr size_t leg_of(size_t socket) {
  return socket / 2;
}
constexpr bool is_rtp(size_t socket) {
  return socket % 2 == 0;
}

// Large enough for any RTP packet on an Ethernet path; a longer datagram
// is truncated (the kernel drops the rest), which no codec produces.
constexpr size_t buffer_bytes = 4096;

std::string text_of(const udp::endpoint& e) {
  auto a = e.address();
  return (a.is_v6() ? "[" + a.to_string() + "]" : a.to_string()) + ":" +
         std::to_string(e.port());
}

} // namespace

struct rtp_relay::impl {
  explicit impl(asio::io_context& io)
      : io(io)
      , sockets{udp::socket(io), udp::socket(io), udp::socket(io),
                udp::socket(io)} {}

  asio::io_context& io;
  std::array<udp::socket, socket_count> sockets;
  std::array<std::array<uint8_t, buffer_bytes>, socket_count> buffers{};
  std::array<udp::endpoint, socket_count> senders;
  // I/O thread only.
  std::array<std::optional<udp::endpoint>, socket_count> peer;
  std::array<bool, socket_count> latched{};
  std::array<loss_tracker, 2> loss;
  // Read by the actor's thread.
  mutable std::mutex mu;
  std::array<leg_stats, 2> stats;
};

rtp_relay::rtp_relay(std::unique_ptr<impl> p)
    : impl_(std::move(p)) {}

rtp_relay::~rtp_relay() = default;

result<std::shared_ptr<rtp_relay>> rtp_relay::open(asio::io_context& io,
                                                   const std::string& local_ip,
                                                   leg_ports a, leg_ports b,
                                                   uint16_t* failed_rtp) {
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(local_ip, ec);
  if (ec)
    return error{"media: relay address '" + local_ip + "' is not an IP"};
  auto p = std::make_unique<impl>(io);
  const std::array<uint16_t, socket_count> ports{a.rtp, a.rtcp, b.rtp, b.rtcp};
  for (size_t i = 0; i < socket_count; ++i) {
    udp::endpoint at(addr, ports[i]);
    p->sockets[i].open(at.protocol(), ec);
    if (!ec)
      p->sockets[i].bind(at, ec);
    if (ec) {
      if (failed_rtp)
        *failed_rtp = i < 2 ? a.rtp : b.rtp;
      return error{"media: cannot bind udp " + text_of(at) + ": " +
                   ec.message()};
    }
  }
  return std::shared_ptr<rtp_relay>(new rtp_relay(std::move(p)));
}

leg_ports rtp_relay::local_ports(leg_id leg) const {
  auto i = static_cast<size_t>(leg) * 2;
  boost::system::error_code ec;
  return {impl_->sockets[i].local_endpoint(ec).port(),
          impl_->sockets[i + 1].local_endpoint(ec).port()};
}

void rtp_relay::expect(leg_id leg, udp::endpoint rtp, udp::endpoint rtcp) {
  asio::post(impl_->io, [self = shared_from_this(), leg, rtp, rtcp] {
    auto& d = *self->impl_;
    auto i = static_cast<size_t>(leg) * 2;
    d.peer[i] = rtp;
    d.peer[i + 1] = rtcp;
    d.latched[i] = d.latched[i + 1] = false;
    std::lock_guard lock(d.mu);
    d.stats[static_cast<size_t>(leg)].latched.reset();
  });
}

void rtp_relay::start() {
  for (size_t i = 0; i < socket_count; ++i)
    receive(i);
}

void rtp_relay::close() {
  asio::post(impl_->io, [self = shared_from_this()] {
    boost::system::error_code ec;
    for (auto& s : self->impl_->sockets)
      s.close(ec);
  });
}

leg_stats rtp_relay::stats(leg_id leg) const {
  std::lock_guard lock(impl_->mu);
  return impl_->stats[static_cast<size_t>(leg)];
}

void rtp_relay::receive(size_t i) {
  auto& d = *impl_;
  d.sockets[i].async_receive_from(
      asio::buffer(d.buffers[i]), d.senders[i],
      [self = shared_from_this(), i](const boost::system::error_code& ec,
                                     std::size_t n) {
        if (ec == asio::error::operation_aborted ||
            !self->impl_->sockets[i].is_open())
          return;
        // Other errors (an ICMP unreachable reported on a UDP socket) end
        // nothing: the next datagram is still wanted.
        if (!ec)
          self->on_packet(i, n);
        self->receive(i);
      });
}

void rtp_relay::on_packet(size_t i, std::size_t size) {
  auto& d = *impl_;
  const auto& from = d.senders[i];
  auto leg = leg_of(i);
  bool latching = !d.latched[i];
  if (latching) {
    d.peer[i] = from;
    d.latched[i] = true;
  }
  std::optional<rtp_header> rtp;
  if (is_rtp(i))
    rtp = parse_rtp_header(d.buffers[i].data(), size);
  size_t out = i ^ 2;
  bool foreign = !latching && from != *d.peer[i];
  bool routable = d.peer[out].has_value();
  {
    std::lock_guard lock(d.mu);
    auto& s = d.stats[leg];
    if (foreign) {
      ++s.foreign;
      return;
    }
    if (latching && is_rtp(i))
      s.latched = text_of(from);
    ++s.packets;
    s.bytes += size;
    s.last_packet = std::chrono::steady_clock::now();
    if (rtp) {
      d.loss[leg].on_packet(*rtp);
      s.rtp_packets = d.loss[leg].received();
      s.lost = d.loss[leg].lost();
    }
    if (!routable)
      ++s.unroutable;
  }
  if (!routable)
    return;
  // UDP sends do not block in practice; a failed one is a lost packet,
  // which RTP tolerates.
  boost::system::error_code ec;
  d.sockets[out].send_to(asio::buffer(d.buffers[i].data(), size), *d.peer[out],
                         0, ec);
}

} // namespace sb::media
