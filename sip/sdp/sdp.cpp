#include "sip/sdp/sdp.hpp"

#include "common/text.hpp"

#include <charconv>

namespace sb::sip {

namespace {

constexpr std::string_view crlf = "\r\n";

/// One "<type>=<value>" line of the body, with its 1-based number for
/// error messages.
struct sdp_line {
  char type;
  std::string_view value;
  std::size_t number;
};

error line_error(std::size_t number, std::string_view what) {
  return error{"SDP line " + std::to_string(number) + ": " + std::string(what)};
}

/// Splits on runs of spaces and tabs. RFC 8866 says single SP, but UAs
/// that double a space are common enough not to refuse.
std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
      ++i;
    std::size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t')
      ++i;
    if (i > start)
      out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<uint16_t> parse_port(std::string_view s) {
  unsigned v = 0;
  if (s.empty() || s.size() > 5 || s[0] < '0' || s[0] > '9')
    return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(v);
}

bool known_type(char t) {
  return std::string_view("vosiuepcbtrzkam").find(t) != std::string_view::npos;
}

/// Cuts the body into lines. Refuses what no SDP can contain: control
/// characters (NUL included), blank lines inside the body, lines that are
/// not "<lowercase letter>=...", unknown type letters (RFC 8866 §5: such a
/// description must be ignored as a whole).
result<std::vector<sdp_line>> split_lines(std::string_view body) {
  if (body.size() > max_sdp_size)
    return error{"SDP body of " + std::to_string(body.size()) +
                 " bytes exceeds the limit of " + std::to_string(max_sdp_size)};
  std::vector<sdp_line> lines;
  std::size_t pos = 0;
  std::size_t number = 0;
  bool blank_seen = false;
  while (pos < body.size()) {
    std::size_t nl = body.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? body.size() : nl;
    std::string_view raw = body.substr(pos, end - pos);
    pos = end == body.size() ? end : end + 1;
    ++number;
    if (!raw.empty() && raw.back() == '\r')
      raw.remove_suffix(1);
    if (raw.empty()) {
      blank_seen = true; // fine only as trailing padding
      continue;
    }
    if (blank_seen)
      return line_error(number - 1, "empty line inside the body");
    for (char c : raw) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f)
        return line_error(number, "control character 0x" +
                                      std::to_string(u / 16) +
                                      "0123456789abcdef"[u % 16]);
    }
    if (raw.size() < 2 || raw[1] != '=' || raw[0] < 'a' || raw[0] > 'z')
      return line_error(number, "not a <type>=<value> line");
    if (!known_type(raw[0]))
      return line_error(number,
                        std::string("unknown line type '") + raw[0] + "'");
    lines.push_back({raw[0], raw.substr(2), number});
  }
  if (lines.empty())
    return error{"empty SDP body"};
  return lines;
}

result<sdp_connection> parse_connection(const std::vector<std::string_view>& f,
                                        std::size_t first) {
  if (f.size() != first + 3)
    return error{"expected \"IN IP4|IP6 <address>\""};
  if (!iequals(f[first], "IN"))
    return error{"network type \"" + std::string(f[first]) + "\" is not IN"};
  if (!iequals(f[first + 1], "IP4") && !iequals(f[first + 1], "IP6"))
    return error{"address type \"" + std::string(f[first + 1]) +
                 "\" is neither IP4 nor IP6"};
  return sdp_connection{std::string(f[first + 1]), std::string(f[first + 2])};
}

/// The attribute name of an a= value ("rtcp" of "rtcp:5001").
std::string_view attr_name(std::string_view value) {
  return value.substr(0, value.find(':'));
}

std::optional<media_direction> direction_of(std::string_view name) {
  if (iequals(name, "sendrecv"))
    return media_direction::sendrecv;
  if (iequals(name, "sendonly"))
    return media_direction::sendonly;
  if (iequals(name, "recvonly"))
    return media_direction::recvonly;
  if (iequals(name, "inactive"))
    return media_direction::inactive;
  return std::nullopt;
}

bool is_ice_attribute(std::string_view name) {
  for (std::string_view ice :
       {"candidate", "ice-ufrag", "ice-pwd", "ice-options", "ice-lite",
        "ice-mismatch", "ice-pacing", "end-of-candidates", "remote-candidates"})
    if (iequals(name, ice))
      return true;
  return false;
}

bool is_rtcp_mux(std::string_view name) {
  return iequals(name, "rtcp-mux") || iequals(name, "rtcp-mux-only");
}

result<sdp_media> parse_media_line(const sdp_line& l) {
  auto f = split_fields(l.value);
  if (f.size() < 4)
    return line_error(l.number, "m= needs <media> <port> <proto> <fmt>...");
  sdp_media m;
  m.type = std::string(f[0]);
  std::string_view port = f[1];
  if (auto slash = port.find('/'); slash != std::string_view::npos) {
    auto count = parse_port(port.substr(slash + 1));
    if (!count || *count == 0)
      return line_error(l.number, "bad port count in m=");
    m.port_count = *count;
    port = port.substr(0, slash);
  }
  auto p = parse_port(port);
  if (!p)
    return line_error(l.number,
                      "m= port \"" + std::string(f[1]) + "\" is not a port");
  m.port = *p;
  m.proto = std::string(f[2]);
  for (std::size_t i = 3; i < f.size(); ++i)
    m.formats.emplace_back(f[i]);
  return m;
}

result<sdp_rtcp> parse_rtcp(const sdp_line& l, std::string_view value) {
  auto f = split_fields(value);
  std::optional<uint16_t> port = f.empty() ? std::nullopt : parse_port(f[0]);
  if (!port || (f.size() != 1 && f.size() != 4))
    return line_error(l.number, "a=rtcp needs <port> [IN IP4|IP6 <address>]");
  sdp_rtcp r;
  r.port = *port;
  if (f.size() == 4) {
    auto c = parse_connection(f, 1);
    if (!c)
      return line_error(l.number, "a=rtcp: " + c.err().message);
    r.connection = std::move(*c);
  }
  return r;
}

bool null_address(const std::optional<sdp_connection>& c) {
  return c && (c->address == "0.0.0.0" || c->address == "::");
}

result<sdp_info> parse_lines(const std::vector<sdp_line>& lines) {
  if (lines[0].type != 'v' || lines[0].value != "0")
    return line_error(lines[0].number, "an SDP body starts with v=0");
  sdp_info info;
  bool have_origin = false;
  bool have_name = false;
  std::vector<std::optional<media_direction>> media_dirs;
  std::optional<media_direction> session_dir;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& l = lines[i];
    sdp_media* cur = info.media.empty() ? nullptr : &info.media.back();
    switch (l.type) {
    case 'v':
      return line_error(l.number, "second v= line");
    case 'o': {
      if (cur || have_origin)
        return line_error(l.number, "o= must appear once, before any m=");
      auto f = split_fields(l.value);
      if (f.size() != 6)
        return line_error(l.number, "o= needs <username> <sess-id> "
                                    "<sess-version> IN IP4|IP6 <address>");
      auto c = parse_connection(f, 3);
      if (!c)
        return line_error(l.number, "o=: " + c.err().message);
      info.origin = {std::string(f[0]), std::string(f[1]), std::string(f[2]),
                     std::move(*c)};
      have_origin = true;
      break;
    }
    case 's':
      if (!cur && !have_name) {
        info.session_name = std::string(l.value);
        have_name = true;
      }
      break;
    case 'c': {
      auto c = parse_connection(split_fields(l.value), 0);
      if (!c)
        return line_error(l.number, "c=: " + c.err().message);
      // RFC 8866 allows several media-level c= for layered multicast;
      // the first one is the one to describe.
      if (cur && !cur->media_level_connection) {
        cur->connection = std::move(*c);
        cur->media_level_connection = true;
      } else if (!cur && !info.session_connection) {
        info.session_connection = std::move(*c);
      }
      break;
    }
    case 'm': {
      auto m = parse_media_line(l);
      if (!m)
        return m.err();
      info.media.push_back(std::move(*m));
      media_dirs.emplace_back();
      break;
    }
    case 'a': {
      auto name = attr_name(l.value);
      if (auto d = direction_of(name)) {
        (cur ? media_dirs.back() : session_dir) = *d;
      } else if (cur && iequals(name, "rtcp")) {
        auto colon = l.value.find(':');
        auto r = parse_rtcp(l, colon == std::string_view::npos
                                   ? std::string_view{}
                                   : l.value.substr(colon + 1));
        if (!r)
          return r.err();
        cur->rtcp = std::move(*r);
      } else if (cur && iequals(name, "rtcp-mux")) {
        cur->rtcp_mux = true;
      }
      break;
    }
    default: // i u e p b t r z k: not the relay's business
      break;
    }
  }
  if (!have_origin)
    return error{"SDP body has no o= line"};
  info.session_direction = session_dir.value_or(media_direction::sendrecv);
  for (std::size_t i = 0; i < info.media.size(); ++i) {
    auto& m = info.media[i];
    if (!m.media_level_connection)
      m.connection = info.session_connection;
    if (!m.disabled() && !m.connection)
      return error{"SDP media " + std::to_string(i + 1) + " (" + m.type +
                   ") has no c= line and the session has none"};
    m.direction = media_dirs[i].value_or(info.session_direction);
    m.held = m.direction == media_direction::sendonly ||
             m.direction == media_direction::inactive ||
             null_address(m.connection);
  }
  return info;
}

bool valid_username(std::string_view u) {
  if (u.empty())
    return false;
  for (char c : u)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return false;
  return true;
}

} // namespace

result<sdp_info> parse_sdp(std::string_view body) {
  auto lines = split_lines(body);
  if (!lines)
    return lines.err();
  return parse_lines(*lines);
}

result<std::string> rewrite_sdp(std::string_view original,
                                const relay_plan& plan) {
  auto lines = split_lines(original);
  if (!lines)
    return lines.err();
  auto info = parse_lines(*lines);
  if (!info)
    return info.err();
  if (plan.media.size() != info->media.size())
    return error{"relay plan has " + std::to_string(plan.media.size()) +
                 " media sections, the SDP has " +
                 std::to_string(info->media.size())};
  if (!valid_username(plan.origin.username))
    return error{"relay origin username \"" + plan.origin.username +
                 "\" is empty or contains spaces"};
  for (std::size_t i = 0; i < plan.media.size(); ++i) {
    const auto& m = info->media[i];
    if (!plan.media[i])
      continue;
    auto which = "SDP media " + std::to_string(i + 1) + " (" + m.type + ")";
    if (m.disabled())
      return error{which + " is disabled (port 0) but the plan gives it ports"};
    if (m.port_count != 1)
      return error{which + " uses a port count, which the relay does not "
                           "support"};
    if (plan.media[i]->rtp_port == 0)
      return error{"relay plan gives " + which + " RTP port 0"};
  }

  const std::string addr_part = std::string(" IN ") +
                                (plan.address.is_v4() ? "IP4 " : "IP6 ") +
                                plan.address.to_string();
  std::string out;
  out.reserve(original.size() + 128);
  auto emit = [&out](std::string_view a, std::string_view b = {}) {
    out += a;
    out += b;
    out += crlf;
  };

  std::optional<std::size_t> section; // index of the current m= section
  bool rtcp_written = false;
  auto relay_of = [&]() -> const std::optional<relay_media>& {
    return plan.media[*section];
  };
  auto emit_rtcp = [&] {
    emit("a=rtcp:", std::to_string(relay_of()->rtcp_port));
    rtcp_written = true;
  };
  // a=rtcp is added where the section ends when the endpoint had none.
  auto finish_section = [&] {
    if (section && relay_of() && !rtcp_written)
      emit_rtcp();
  };

  for (const auto& l : *lines) {
    switch (l.type) {
    case 'o':
      emit("o=", plan.origin.username + " " +
                     std::to_string(plan.origin.session_id) + " " +
                     std::to_string(plan.origin.session_version) + addr_part);
      break;
    case 'c':
      emit("c=", addr_part.substr(1));
      break;
    case 'm': {
      finish_section();
      section = section ? *section + 1 : 0;
      rtcp_written = false;
      const auto& m = info->media[*section];
      std::string s = m.type + " " +
                      std::to_string(relay_of() ? relay_of()->rtp_port : 0) +
                      " " + m.proto;
      for (const auto& f : m.formats)
        s += " " + f;
      emit("m=", s);
      break;
    }
    case 'a': {
      auto name = attr_name(l.value);
      if (is_ice_attribute(name))
        break;
      if (iequals(name, "rtcp")) {
        // Session level is not a=rtcp's place (RFC 3605) and a disabled
        // section needs none; either could carry the endpoint's address.
        if (section && relay_of() && !rtcp_written)
          emit_rtcp();
        break;
      }
      if (section && relay_of() && is_rtcp_mux(name) &&
          !relay_of()->keep_rtcp_mux)
        break;
      emit("a=", l.value);
      break;
    }
    default:
      out += l.type;
      emit("=", l.value);
      break;
    }
  }
  finish_section();
  return out;
}

} // namespace sb::sip
