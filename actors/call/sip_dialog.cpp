#include "actors/call/sip_dialog.hpp"

#include "common/text.hpp"
#include "sip/sdp/sdp.hpp"

#include <algorithm>
#include <array>

namespace sb::actors::call {

std::string format_name_addr(const sip::name_addr& a) {
  std::string out;
  if (!a.display.empty())
    out += "\"" + a.display + "\" ";
  out += "<" + a.uri + ">";
  if (!a.tag.empty())
    out += ";tag=" + a.tag;
  return out;
}

std::string contact_for(std::string_view local_socket) {
  auto colon = local_socket.find(':');
  if (colon == std::string_view::npos)
    return {};
  auto transport = local_socket.substr(0, colon);
  auto hostport = local_socket.substr(colon + 1);
  return "<sip:" + std::string(hostport) +
         ";transport=" + std::string(transport) + ">";
}

dialog_leg caller_leg(const sip::sip_message& invite,
                      const sip::source_address& source, std::string our_tag,
                      std::string contact) {
  dialog_leg leg;
  leg.call_id = invite.call_id;
  leg.remote = invite.from;
  leg.local = invite.to;
  leg.local.tag = std::move(our_tag);
  leg.remote_target =
      invite.contacts.empty() ? invite.from.uri : invite.contacts.front().uri;
  leg.route_set = invite.record_route;
  leg.next_hop = sip::to_string(source);
  leg.contact = std::move(contact);
  leg.remote_cseq = invite.cseq;
  return leg;
}

dialog_leg callee_leg(std::string call_id, sip::name_addr caller,
                      std::string our_tag, sip::name_addr callee_aor,
                      std::string target_uri, std::vector<std::string> path,
                      std::string next_hop, std::string contact) {
  dialog_leg leg;
  leg.call_id = std::move(call_id);
  leg.local = std::move(caller);
  leg.local.tag = std::move(our_tag);
  leg.remote = std::move(callee_aor);
  leg.remote.tag.clear();
  leg.remote_target = std::move(target_uri);
  leg.route_set = std::move(path);
  leg.next_hop = std::move(next_hop);
  leg.contact = std::move(contact);
  return leg;
}

sip::edge::outgoing_request make_request(dialog_leg& leg, std::string method,
                                         uint64_t id,
                                         std::optional<uint32_t> cseq) {
  sip::edge::outgoing_request r;
  r.id = id;
  r.method = std::move(method);
  r.request_uri = leg.remote_target;
  r.next_hop = leg.next_hop;
  r.route = leg.route_set;
  r.from = format_name_addr(leg.local);
  r.to = format_name_addr(leg.remote);
  r.call_id = leg.call_id;
  r.cseq = cseq ? *cseq : ++leg.local_cseq;
  if (r.method != "ACK" && r.method != "BYE" && r.method != "CANCEL")
    r.contact = leg.contact;
  return r;
}

void learn_from_response(dialog_leg& leg, const sip::sip_message& response) {
  if (response.to.tag.empty())
    return;
  bool first = leg.remote.tag.empty();
  leg.remote.tag = response.to.tag;
  if (!response.contacts.empty())
    leg.remote_target = response.contacts.front().uri;
  if (first || response.status / 100 == 2) {
    // The route set is fixed by the answer that establishes the dialog;
    // a Path of the binding stays in front only until then (the peer's
    // Record-Route covers the proxies on the way back).
    if (!response.record_route.empty() || !first) {
      leg.route_set.assign(response.record_route.rbegin(),
                           response.record_route.rend());
    }
  }
}

std::optional<sip::edge::sip_reply>
unacceptable_body(const sip::sip_message& m) {
  if (!m.body.empty() && m.content_type &&
      ascii_lower(*m.content_type).rfind("application/sdp", 0) != 0)
    return sip::edge::sip_reply::of(415, "Unsupported Media Type",
                                    {{"Accept", "application/sdp"}});
  auto accepts = m.headers_named("Accept");
  if (accepts.empty())
    return std::nullopt;
  for (const auto& value : accepts) {
    auto v = ascii_lower(value);
    if (v.find("application/sdp") != std::string::npos ||
        v.find("application/*") != std::string::npos ||
        v.find("*/*") != std::string::npos ||
        v.find_first_not_of(" \t") == std::string::npos)
      return std::nullopt;
  }
  return sip::edge::sip_reply::of(406, "Not Acceptable",
                                  {{"Accept", "application/sdp"}});
}

bool has_token(const sip::sip_message& m, std::string_view header,
               std::string_view token) {
  for (const auto& item : m.header_tokens(header))
    if (iequals(item, token))
      return true;
  return false;
}

bool sdp_holds(std::string_view body) {
  auto info = sip::parse_sdp(body);
  if (!info)
    return false;
  for (const auto& m : info->media)
    if (m.port != 0 && m.held)
      return true;
  return false;
}

bool has_sdp(const sip::sip_message& m) {
  return !m.body.empty() && m.content_type &&
         ascii_lower(*m.content_type).rfind("application/sdp", 0) == 0;
}

std::vector<sip::header_field> relayed_headers(const sip::sip_message& m) {
  static constexpr std::array<std::string_view, 7> end_to_end{
      "Require",      "Supported", "RSeq",  "RAck",
      "Info-Package", "Event",     "Reason"};
  std::vector<sip::header_field> out;
  for (const auto& h : m.headers)
    for (auto name : end_to_end)
      if (iequals(h.name, name))
        out.push_back(h);
  return out;
}

std::string renumber_rack(std::string_view rack, uint32_t invite_cseq) {
  // "<rseq> <cseq> <method>"
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    return s;
  };
  rack = trim(rack);
  auto sp = rack.find_first_of(" \t");
  if (sp == std::string_view::npos)
    return std::string(rack);
  auto rseq = rack.substr(0, sp);
  auto rest = trim(rack.substr(sp));
  auto sp2 = rest.find_first_of(" \t");
  if (sp2 == std::string_view::npos)
    return std::string(rack);
  return std::string(rseq) + " " + std::to_string(invite_cseq) + " " +
         std::string(trim(rest.substr(sp2)));
}

sip::edge::outgoing_request
cancel_of(const sip::edge::outgoing_request& invite) {
  sip::edge::outgoing_request c;
  c.method = "CANCEL";
  c.request_uri = invite.request_uri;
  c.next_hop = invite.next_hop;
  c.route = invite.route;
  c.from = invite.from;
  c.to = invite.to;
  c.call_id = invite.call_id;
  c.cseq = invite.cseq;
  c.branch = invite.branch;
  c.stateless = true;
  return c;
}

} // namespace sb::actors::call
