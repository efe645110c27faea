#include "billing/cdr/cdr_record.hpp"

#include <array>

namespace sb::billing {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 8> status_names = {
    "ok",      "busy",    "noanswer", "cancel",
    "offline", "timeout", "other",    "failed"};
constexpr std::array<std::string_view, 9> type_names = {
    "call", "cfu", "cft", "cfb", "cfna", "cfs", "sms", "cfr", "cfo"};

// Milliseconds as the reference's decimal(13,3) seconds.
double seconds(int64_t ms) {
  return static_cast<double>(ms) / 1000.0;
}

void put_party(json& d, const char* side, const cdr_party& p) {
  auto key = [side](const char* field) {
    return std::string(side) + "_" + field;
  };
  d[key("user_id")] = p.user_id;
  d[key("account_id")] = p.account_id;
  d[key("user")] = p.user;
  d[key("domain")] = p.domain;
  d[key("cli")] = p.cli;
  d[key("customer_cost")] = 0;
  d[key("customer_free_time")] = 0;
  d["_" + key("subscriber_id")] = p.subscriber_id;
  d["_" + key("reseller_id")] = p.reseller_id;
}

} // namespace

std::string_view to_string(call_status s) {
  return status_names[static_cast<size_t>(s)];
}

std::string_view to_string(call_type t) {
  return type_names[static_cast<size_t>(t)];
}

call_status status_of(std::optional<int> final_code) {
  if (!final_code)
    return call_status::failed;
  switch (*final_code) {
  case 200:
    return call_status::ok;
  case 486:
    return call_status::busy;
  case 480:
    return call_status::noanswer;
  case 487:
    return call_status::cancel;
  case 404:
    return call_status::offline;
  case 408:
    return call_status::timeout;
  default:
    return call_status::other;
  }
}

json cdr_document(const cdr_record& r) {
  json d;
  d["call_id"] = r.call_id;
  d["call_type"] = to_string(r.type);
  d["call_status"] = to_string(r.status);
  d["call_code"] = r.code ? json(std::to_string(*r.code)) : json("");
  d["init_time"] = seconds(r.init_ms);
  d["start_time"] = seconds(r.start_ms);
  d["duration"] = seconds(r.duration_ms);
  put_party(d, "source", r.source);
  d["source_clir"] = r.source.clir;
  d["source_ip"] = r.source.ip;
  put_party(d, "destination", r.destination);
  d["destination_user_dialed"] = r.destination_user_dialed;
  d["destination_user_in"] = r.destination_user_in;
  d["destination_domain_in"] = r.destination_domain_in;
  d["rating_status"] = "unrated";
  d["export_status"] = "unexported";
  return d;
}

} // namespace sb::billing
