#include "sip/msg/parse.hpp"
#include "sip/msg/parse_sofia.hpp"

#include <sofia-sip/msg.h>
#include <sofia-sip/msg_header.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_protos.h>
#include <sofia-sip/url.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <memory>

namespace sb::sip {

namespace {

struct msg_deleter {
  void operator()(msg_t* m) const { msg_destroy(m); }
};
using msg_ptr = std::unique_ptr<msg_t, msg_deleter>;

std::string text(const char* s) {
  return s ? std::string(s) : std::string();
}

template <class Int>
std::optional<Int> number(const char* s) {
  if (!s || !*s)
    return std::nullopt;
  Int v{};
  auto end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, v);
  if (ec != std::errc{} || p != end)
    return std::nullopt;
  return v;
}

std::string uri_of(msg_t* m, const url_t* u) {
  char* s = url_as_string(msg_home(m), u);
  return text(s);
}

// The field value of a header as sofia prints it (canonical spacing).
// sofia's parameter encoder counts but does not write the last parameter
// when it would end exactly one byte before the end of the buffer, so a
// length is trusted only with a byte to spare (the fuzzer found a 511-byte
// Via printed with stack garbage from a 512-byte buffer).
std::string field_value(const msg_header_t* h) {
  char buf[512];
  auto n = msg_header_field_e(buf, sizeof buf, h, 0);
  if (n < 0)
    return {};
  if (static_cast<size_t>(n) + 1 < sizeof buf)
    return std::string(buf, static_cast<size_t>(n));
  std::string big(static_cast<size_t>(n) + 2, '\0');
  n = msg_header_field_e(big.data(), static_cast<isize_t>(big.size()), h, 0);
  big.resize(n < 0 || static_cast<size_t>(n) + 1 >= big.size()
                 ? 0
                 : static_cast<size_t>(n));
  return big;
}

std::string unquote(const char* s) {
  std::string v = text(s);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    v = v.substr(1, v.size() - 2);
  return v;
}

name_addr addr_of(msg_t* m, const sip_addr_t* a) {
  return {unquote(a->a_display), uri_of(m, a->a_url), text(a->a_tag)};
}

via_hop via_of(const sip_via_t* v) {
  via_hop h;
  h.protocol = text(v->v_protocol);
  auto slash = h.protocol.rfind('/');
  h.transport =
      slash == std::string::npos ? h.protocol : h.protocol.substr(slash + 1);
  for (auto& c : h.transport)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  h.host = text(v->v_host);
  h.port = number<uint16_t>(v->v_port);
  h.branch = text(v->v_branch);
  if (v->v_received)
    h.received = v->v_received;
  if (v->v_rport) {
    h.rport = true;
    h.rport_value = number<uint16_t>(v->v_rport);
  }
  return h;
}

contact_entry contact_of(msg_t* m, const sip_contact_t* c) {
  contact_entry e;
  e.display = unquote(c->m_display);
  e.uri = uri_of(m, c->m_url);
  if (c->m_q)
    e.q = c->m_q;
  e.expires = number<uint32_t>(c->m_expires);
  for (auto p = c->m_params; p && *p; ++p)
    e.params.emplace_back(*p);
  return e;
}

template <class H>
std::vector<std::string> values_of(const H* first) {
  std::vector<std::string> out;
  for (auto h = first; h; h = h->r_next)
    out.push_back(field_value(reinterpret_cast<const msg_header_t*>(h)));
  return out;
}

// What a bad message lacks or breaks, in the order a reader checks it.
std::optional<parse_error> problems(msg_t* m, const sip_t* sip) {
  bool answerable = sip->sip_request && sip->sip_via;
  auto fail = [&](std::string reason, int status = 400) {
    return parse_error{std::move(reason), answerable ? status : 0};
  };
  if (sip->sip_request &&
      std::strcmp(text(sip->sip_request->rq_version).c_str(), "SIP/2.0") != 0)
    return fail("Version Not Supported", 505);
  if (sip->sip_error) {
    // er_name is not reliably set by this sofia; the raw bytes of the bad
    // header name it.
    const auto* common = sip->sip_error->er_common;
    std::string_view raw{static_cast<const char*>(common->h_data),
                         common->h_data ? common->h_len : 0};
    auto name = raw.substr(0, std::min(raw.find(':'), size_t{40}));
    while (!name.empty() &&
           std::isspace(static_cast<unsigned char>(name.back())))
      name.remove_suffix(1);
    bool printable = std::all_of(name.begin(), name.end(), [](char c) {
      return std::isgraph(static_cast<unsigned char>(c));
    });
    return fail(name.empty() || !printable
                    ? "Malformed header"
                    : "Bad " + std::string(name) + " header");
  }
  if (msg_has_error(m))
    return fail("Malformed message");
  if (!sip->sip_via)
    return fail("Missing Via header");
  if (!sip->sip_from)
    return fail("Missing From header");
  if (!sip->sip_to)
    return fail("Missing To header");
  if (!sip->sip_call_id)
    return fail("Missing Call-ID header");
  // sofia accepts "Call-ID:" with nothing after it; RFC 3261 §25.1 does not.
  if (!sip->sip_call_id->i_id || !*sip->sip_call_id->i_id)
    return fail("Empty Call-ID header");
  if (!sip->sip_cseq)
    return fail("Missing CSeq header");
  if (sip->sip_request &&
      std::strcmp(text(sip->sip_cseq->cs_method_name).c_str(),
                  text(sip->sip_request->rq_method_name).c_str()) != 0)
    return fail("CSeq method does not match the request method");
  auto body = sip->sip_payload ? sip->sip_payload->pl_len : 0;
  if (sip->sip_content_length && sip->sip_content_length->l_length > body)
    return fail("Content-Length exceeds the body");
  return std::nullopt;
}

} // namespace

parse_result parse_message(std::string_view bytes) {
  if (bytes.empty())
    return parse_error{"Empty message", 0};
  msg_ptr m{msg_make(sip_default_mclass(), 0, bytes.data(),
                     static_cast<ssize_t>(bytes.size()))};
  if (!m)
    return parse_error{"Not a SIP message", 0};
  return copy_message(m.get());
}

parse_result copy_message(msg_t* msg) {
  const sip_t* sip = sip_object(msg);
  if (!sip || (!sip->sip_request && !sip->sip_status))
    return parse_error{"Not a SIP message", 0};
  if (auto p = problems(msg, sip))
    return *p;

  sip_message out;
  out.is_request = sip->sip_request != nullptr;
  if (out.is_request) {
    out.method = text(sip->sip_request->rq_method_name);
    out.request_uri = uri_of(msg, sip->sip_request->rq_url);
    // sofia accepts a name-addr here; RFC 3261 §25.1 allows only a URI.
    if (out.request_uri.empty() || out.request_uri.front() == '<')
      return parse_error{"Bad Request-URI", 400};
  } else {
    out.status = sip->sip_status->st_status;
    out.reason = text(sip->sip_status->st_phrase);
  }
  for (auto v = sip->sip_via; v; v = v->v_next)
    out.via.push_back(via_of(v));
  out.from = addr_of(msg, sip->sip_from);
  out.to = addr_of(msg, sip->sip_to);
  out.call_id = text(sip->sip_call_id->i_id);
  out.cseq = sip->sip_cseq->cs_seq;
  out.cseq_method = text(sip->sip_cseq->cs_method_name);
  if (sip->sip_max_forwards)
    out.max_forwards = static_cast<uint32_t>(sip->sip_max_forwards->mf_count);
  if (sip->sip_expires)
    out.expires = static_cast<uint32_t>(sip->sip_expires->ex_delta);
  for (auto c = sip->sip_contact; c; c = c->m_next) {
    if (c->m_url->url_type == url_any)
      out.contact_star = true;
    else
      out.contacts.push_back(contact_of(msg, c));
  }
  out.route = values_of(sip->sip_route);
  out.record_route = values_of(sip->sip_record_route);
  out.path = values_of(sip->sip_path);
  if (sip->sip_user_agent)
    out.user_agent = text(sip->sip_user_agent->g_string);
  if (sip->sip_content_type)
    out.content_type = field_value(
        reinterpret_cast<const msg_header_t*>(sip->sip_content_type));
  if (sip->sip_payload)
    out.body.assign(sip->sip_payload->pl_data, sip->sip_payload->pl_len);
  // Every header in wire order; the first line and the body are not
  // headers (they have no name).
  for (auto h = reinterpret_cast<const msg_header_t*>(
           sip->sip_request ? static_cast<const void*>(sip->sip_request)
                            : static_cast<const void*>(sip->sip_status));
       h; h = h->sh_succ) {
    const char* name = h->sh_class->hc_name;
    if (!name || !*name || h->sh_class == sip_payload_class ||
        h->sh_class == sip_separator_class)
      continue;
    out.headers.push_back(header_field{name, field_value(h)});
  }
  return out;
}

} // namespace sb::sip
