#include "actors/subscriber/register_message.hpp"

#include "common/text.hpp"

#include <charconv>

namespace sb::actors::subscriber {

namespace {

// The value of contact-param `name` ("name=value" or bare "name").
std::optional<std::string> param(const std::vector<std::string>& params,
                                 std::string_view name) {
  for (const auto& p : params) {
    auto eq = p.find('=');
    if (iequals(std::string_view(p).substr(0, eq), name))
      return eq == std::string::npos ? std::string() : p.substr(eq + 1);
  }
  return std::nullopt;
}

std::optional<uint32_t> to_u32(const std::optional<std::string>& s) {
  if (!s || s->empty())
    return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc{} || p != s->data() + s->size())
    return std::nullopt;
  return v;
}

} // namespace

std::string canonical_aor(std::string_view user, std::string_view domain) {
  return "sip:" + std::string(user) + "@" + ascii_lower(domain);
}

register_request to_register_request(const sip::sip_message& rq,
                                     std::string aor,
                                     const sip::source_address& source,
                                     std::string local_socket) {
  register_request r;
  r.aor = std::move(aor);
  r.star = rq.contact_star;
  for (const auto& c : rq.contacts) {
    contact_input in;
    in.uri = c.uri;
    in.q = c.q;
    in.expires = c.expires;
    in.instance = param(c.params, "+sip.instance");
    in.reg_id = to_u32(param(c.params, "reg-id"));
    for (const auto& p : c.params) {
      if (!in.params.empty())
        in.params += ';';
      in.params += p;
    }
    r.contacts.push_back(std::move(in));
  }
  r.expires = rq.expires;
  r.call_id = rq.call_id;
  r.cseq = rq.cseq;
  r.path = rq.path;
  r.source = source;
  if (!rq.via.empty()) {
    r.via.host = rq.via.front().host;
    r.via.port = rq.via.front().port;
    r.via.rport = rq.via.front().rport;
  }
  r.user_agent = rq.user_agent.value_or("");
  r.local_socket = std::move(local_socket);
  return r;
}

sip::edge::sip_reply to_sip_reply(const register_outcome& out,
                                  const sip::sip_message& rq) {
  const auto& rp = out.reply;
  auto r = sip::edge::sip_reply::of(rp.code, rp.reason);
  if (rp.code >= 200 && rp.code < 300) {
    for (const auto& c : rp.contacts) {
      std::string v = "<" + c.uri + ">;expires=" + std::to_string(c.expires);
      if (c.q)
        v += ";q=" + format_q(*c.q);
      if (c.instance)
        v += ";+sip.instance=" + *c.instance;
      if (c.reg_id)
        v += ";reg-id=" + std::to_string(*c.reg_id);
      r.headers.push_back({"Contact", std::move(v)});
    }
    for (const auto& p : rq.path)
      r.headers.push_back({"Path", p});
    if (!rq.path.empty())
      r.headers.push_back({"Supported", "path"});
  }
  if (rp.min_expires)
    r.headers.push_back({"Min-Expires", std::to_string(*rp.min_expires)});
  if (!rp.detail.empty()) {
    std::string text;
    for (char c : rp.detail)
      if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20)
        text += c;
    r.headers.push_back({"Warning", "399 switchboard \"" + text + "\""});
  }
  return r;
}

} // namespace sb::actors::subscriber
