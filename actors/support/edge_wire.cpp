#include "actors/support/edge_wire.hpp"

namespace sb::actors {

using nlohmann::json;

namespace {

json headers_json(const std::vector<sip::header_field>& hs) {
  json out = json::array();
  for (const auto& h : hs)
    out.push_back({h.name, h.value});
  return out;
}

std::vector<sip::header_field> headers_of(const json& j) {
  std::vector<sip::header_field> out;
  for (const auto& h : j) {
    if (!h.is_array() || h.size() != 2)
      throw std::invalid_argument("a header is not a [name, value] pair");
    out.push_back({h[0].get<std::string>(), h[1].get<std::string>()});
  }
  return out;
}

} // namespace

json reply_to_json(const sip::edge::sip_reply& r) {
  return {{"code", r.code},
          {"reason", r.reason},
          {"headers", headers_json(r.headers)},
          {"content_type", r.content_type},
          {"body", r.body},
          {"to_tag", r.to_tag}};
}

sip::edge::sip_reply reply_from_json(const json& j) {
  try {
    sip::edge::sip_reply r;
    r.code = j.value("code", uint16_t{500});
    r.reason = j.value("reason", "");
    r.headers = headers_of(j.value("headers", json::array()));
    r.content_type = j.value("content_type", "");
    r.body = j.value("body", "");
    r.to_tag = j.value("to_tag", "");
    return r;
  } catch (const std::exception&) {
    return sip::edge::sip_reply::of(500, "Bad Answer From Peer Node");
  }
}

json request_to_json(const sip::edge::outgoing_request& r) {
  return {{"id", r.id},
          {"method", r.method},
          {"request_uri", r.request_uri},
          {"next_hop", r.next_hop},
          {"route", r.route},
          {"from", r.from},
          {"to", r.to},
          {"call_id", r.call_id},
          {"cseq", r.cseq},
          {"contact", r.contact},
          {"headers", headers_json(r.headers)},
          {"content_type", r.content_type},
          {"body", r.body},
          {"ack_for", r.ack_for},
          {"branch", r.branch},
          {"stateless", r.stateless}};
}

result<sip::edge::outgoing_request> request_from_json(const json& j) {
  try {
    sip::edge::outgoing_request r;
    r.id = j.at("id").get<uint64_t>();
    r.method = j.at("method").get<std::string>();
    r.request_uri = j.at("request_uri").get<std::string>();
    r.next_hop = j.at("next_hop").get<std::string>();
    r.route = j.at("route").get<std::vector<std::string>>();
    r.from = j.at("from").get<std::string>();
    r.to = j.at("to").get<std::string>();
    r.call_id = j.at("call_id").get<std::string>();
    r.cseq = j.at("cseq").get<uint32_t>();
    r.contact = j.at("contact").get<std::string>();
    r.headers = headers_of(j.at("headers"));
    r.content_type = j.at("content_type").get<std::string>();
    r.body = j.at("body").get<std::string>();
    r.ack_for = j.at("ack_for").get<uint64_t>();
    r.branch = j.at("branch").get<std::string>();
    r.stateless = j.at("stateless").get<bool>();
    if (r.method.empty() || r.request_uri.empty())
      return error{"a forwarded request without method or Request-URI"};
    return r;
  } catch (const std::exception& e) {
    return error{std::string("a forwarded request does not decode: ") +
                 e.what()};
  }
}

json orphan_to_json(const sip::edge::orphan_reply& o) {
  return {{"request", o.request},
          {"transport", static_cast<int>(o.source.transport)},
          {"ip", o.source.ip},
          {"port", o.source.port},
          {"reply", reply_to_json(o.reply)}};
}

result<sip::edge::orphan_reply> orphan_from_json(const json& j) {
  try {
    sip::edge::orphan_reply o;
    o.request = j.at("request").get<std::string>();
    auto t = j.at("transport").get<int>();
    if (t < 0 || t > static_cast<int>(sip::sip_transport::wss))
      return error{"an orphan answer with transport " + std::to_string(t)};
    o.source.transport = static_cast<sip::sip_transport>(t);
    o.source.ip = j.at("ip").get<std::string>();
    o.source.port = j.at("port").get<uint16_t>();
    o.reply = reply_from_json(j.at("reply"));
    return o;
  } catch (const std::exception& e) {
    return error{std::string("an orphan answer does not decode: ") + e.what()};
  }
}

} // namespace sb::actors
