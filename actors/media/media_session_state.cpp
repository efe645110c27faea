#include "actors/media/media_session_state.hpp"

namespace sb::actors::media {

namespace {

size_t index(leg_id l) {
  return static_cast<size_t>(l);
}
leg_id other(leg_id l) {
  return l == leg_id::a ? leg_id::b : leg_id::a;
}

std::optional<peer_address> peer_of(const sip::sdp_media& m) {
  if (m.disabled() || !m.connection)
    return std::nullopt;
  auto ip = net::parse_ip_address(m.connection->address);
  if (!ip)
    return std::nullopt;
  uint16_t rtcp = m.rtcp ? m.rtcp->port
                  : m.rtcp_mux
                      ? m.port
                      : static_cast<uint16_t>(m.port + 1); // RFC 3550 §11
  return peer_address{*ip, m.port, rtcp};
}

// Rewrites `sdp` for leg `to` and keeps its origin version: unchanged
// when the body is the one sent last, one up otherwise.
result<std::string> present(media_session_state& st, leg_id to,
                            std::string_view sdp, sip::relay_plan plan) {
  auto& origin = st.origin[index(to)];
  plan.origin = origin;
  auto body = sip::rewrite_sdp(sdp, plan);
  if (!body)
    return body.err();
  if (!st.last_sent[index(to)].empty() && *body != st.last_sent[index(to)]) {
    ++plan.origin.session_version;
    body = sip::rewrite_sdp(sdp, plan);
    if (!body)
      return body.err();
    origin = plan.origin;
  }
  st.last_sent[index(to)] = *body;
  return body;
}

} // namespace

media_session_state make_media_session(uint64_t session_id) {
  media_session_state st;
  st.origin[0] = {"-", session_id, 1};
  st.origin[1] = {"-", session_id + 1, 1};
  return st;
}

result<sdp_forward> on_offer(media_session_state& st,
                             sb::media::port_pool& pool, leg_id from,
                             std::string_view sdp,
                             const net::ip_address& relay) {
  auto info = sip::parse_sdp(sdp);
  if (!info)
    return info.err();
  const auto& media = info->media;
  if (media.size() < st.streams.size())
    return error{"the offer has " + std::to_string(media.size()) +
                 " m= lines, fewer than the " +
                 std::to_string(st.streams.size()) + " before"};
  auto streams = st.streams;
  streams.resize(media.size());
  sdp_forward out;
  auto undo = [&] {
    for (auto p : out.allocated)
      pool.release(p);
  };
  leg_id to = other(from);
  sip::relay_plan plan{relay, {}, {}};
  for (size_t i = 0; i < media.size(); ++i) {
    const auto& m = media[i];
    out.expect.push_back(peer_of(m));
    if (m.disabled()) {
      plan.media.push_back(std::nullopt);
      continue;
    }
    for (auto& port : streams[i].port)
      if (!port) {
        port = pool.allocate();
        if (!port) {
          undo();
          return error{"no media ports left (" +
                       std::to_string(pool.capacity()) + " pairs in use)"};
        }
        out.allocated.push_back(*port);
      }
    streams[i].mux_offered[index(from)] = m.rtcp_mux;
    auto p = *streams[i].port[index(to)];
    plan.media.push_back(
        sip::relay_media{p, static_cast<uint16_t>(p + 1), m.rtcp_mux});
  }
  auto body = present(st, to, sdp, std::move(plan));
  if (!body) {
    undo();
    return body.err();
  }
  out.body = std::move(*body);
  st.streams = std::move(streams);
  st.offerer = from;
  st.offered_streams = media.size();
  return out;
}

result<sdp_forward> on_answer(media_session_state& st, leg_id from,
                              std::string_view sdp,
                              const net::ip_address& relay) {
  if (!st.offerer || *st.offerer == from)
    return error{"no offer from the other side is waiting for an answer"};
  auto info = sip::parse_sdp(sdp);
  if (!info)
    return info.err();
  const auto& media = info->media;
  if (media.size() != st.offered_streams)
    return error{"the answer has " + std::to_string(media.size()) +
                 " m= lines, the offer " + std::to_string(st.offered_streams)};
  leg_id to = *st.offerer;
  sdp_forward out;
  sip::relay_plan plan{relay, {}, {}};
  for (size_t i = 0; i < media.size(); ++i) {
    const auto& m = media[i];
    out.expect.push_back(peer_of(m));
    auto& s = st.streams[i];
    if (m.disabled() || !s.port[index(to)]) {
      plan.media.push_back(std::nullopt);
      continue;
    }
    s.mux_offered[index(from)] = m.rtcp_mux;
    auto p = *s.port[index(to)];
    bool mux = s.mux_offered[index(to)] && m.rtcp_mux;
    plan.media.push_back(
        sip::relay_media{p, static_cast<uint16_t>(p + 1), mux});
  }
  auto body = present(st, to, sdp, std::move(plan));
  if (!body)
    return body.err();
  out.body = std::move(*body);
  // The offerer stays: the answer may come again until the next offer
  // (a 183's answer repeated in the 200, or the answers of forked
  // branches, RFC 3264 §5 / RFC 3261 §13.2.1).
  return out;
}

void release_ports(media_session_state& st, sb::media::port_pool& pool) {
  for (auto& s : st.streams)
    for (auto& p : s.port)
      if (p) {
        pool.release(*p);
        p.reset();
      }
}

} // namespace sb::actors::media
