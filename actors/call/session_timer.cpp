#include "actors/call/session_timer.hpp"

#include "actors/call/sip_dialog.hpp"
#include "common/text.hpp"

#include <algorithm>
#include <charconv>

namespace sb::actors::call {

namespace {

std::optional<std::string> refresher_param(std::string_view value) {
  auto v = ascii_lower(value);
  auto p = v.find("refresher=");
  if (p == std::string::npos)
    return std::nullopt;
  auto r = v.substr(p + 10, 3);
  return r;
}

} // namespace

std::optional<uint32_t> session_interval(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  uint32_t n = 0;
  auto [end, ec] =
      std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc{} || end == value.data())
    return std::nullopt;
  return n;
}

uas_negotiation negotiate_as_uas(const sip::sip_message& invite,
                                 const session_timer_settings& s) {
  uas_negotiation out;
  auto se = invite.header("Session-Expires");
  bool supported = has_token(invite, "Supported", "timer") ||
                   has_token(invite, "Require", "timer");
  std::optional<uint32_t> asked;
  if (se) {
    asked = session_interval(*se);
    if (asked && *asked < s.min_se) {
      out.reject =
          sip::edge::sip_reply::of(422, "Session Interval Too Small",
                                   {{"Min-SE", std::to_string(s.min_se)}});
      return out;
    }
  }
  // A caller that supports timers refreshes (refresher=uac). One that
  // does not cannot be asked to, and we do not refresh towards a UA that
  // may not understand the header either: no timer on that leg.
  if (!supported)
    return out;
  leg_timer t;
  t.interval = asked ? *asked : std::max(s.session_expires, s.min_se);
  t.who = refresher::peer;
  out.timer = t;
  return out;
}

std::vector<sip::header_field> uas_answer_headers(const leg_timer& t) {
  return {{"Session-Expires", std::to_string(t.interval) + ";refresher=" +
                                  (t.who == refresher::peer ? "uac" : "uas")},
          {"Require", "timer"}};
}

std::vector<sip::header_field>
uac_request_headers(uint32_t interval, const session_timer_settings& s) {
  return {{"Supported", "timer"},
          {"Session-Expires", std::to_string(interval)},
          {"Min-SE", std::to_string(s.min_se)}};
}

std::optional<leg_timer> from_uac_answer(const sip::sip_message& response) {
  auto se = response.header("Session-Expires");
  if (!se)
    return std::nullopt;
  auto interval = session_interval(*se);
  if (!interval || *interval == 0)
    return std::nullopt;
  leg_timer t;
  t.interval = *interval;
  // RFC 4028 §7.2: a 2xx without refresher leaves it to the UAC (us).
  auto who = refresher_param(*se);
  t.who = who && *who == "uas" ? refresher::peer : refresher::us;
  return t;
}

std::string_view refresh_method(bool peer_allows_update, bool have_sdp) {
  return peer_allows_update || !have_sdp ? "UPDATE" : "INVITE";
}

std::chrono::seconds due_after(const leg_timer& t) {
  if (t.who == refresher::us)
    return std::chrono::seconds{t.interval / 2};
  uint32_t grace = std::min<uint32_t>(32, t.interval / 3);
  return std::chrono::seconds{t.interval - grace};
}

} // namespace sb::actors::call
