// Read-only views of what the SIP side writes: subscriberregistrations
// (the registrar's bindings), cdrs and calllists (the call actors' CDRs).
// Document shapes are fixed here so the writers and the API agree:
//  registrations/<id>: subscriber_id, customer_id, reseller_id, contact,
//    expires ("YYYY-MM-DD HH:MM:SS" UTC), q, path, nat, received, socket,
//    user_agent, call_id
//  cdrs/<id>: the reference's accounting.cdr columns (digest §4.1) plus
//    _source_subscriber_id, _destination_subscriber_id,
//    _source_reseller_id, _destination_reseller_id
#include "mgmt/api/keys.hpp"
#include "mgmt/api/resources/resources.hpp"
#include "mgmt/api/write_support.hpp"

#include <ctime>

namespace sb::mgmt::api {

namespace {

// Unix seconds from "1700000000[.123]" or "YYYY-MM-DD[ HH:MM:SS]" (UTC).
std::optional<double> parse_time(const std::string& s) {
  if (!s.empty() && std::isdigit(static_cast<unsigned char>(s[0])) &&
      s.find('-') == std::string::npos) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    return end && *end == '\0' ? std::optional<double>{v} : std::nullopt;
  }
  std::tm tm{};
  const char* end = strptime(s.c_str(), "%Y-%m-%d %H:%M:%S", &tm);
  if (!end || *end != '\0') {
    tm = {};
    end = strptime(s.c_str(), "%Y-%m-%d", &tm);
    if (!end || *end != '\0')
      return std::nullopt;
  }
  return static_cast<double>(timegm(&tm));
}

filter_fn time_bound(const char* member, bool lower_bound) {
  return
      [member, lower_bound](const std::string& v, uint64_t, const json& doc) {
        auto t = parse_time(v);
        auto it = doc.find(member);
        if (!t || it == doc.end() || !it->is_number())
          return false;
        double x = it->get<double>();
        return lower_bound ? x >= *t : x <= *t;
      };
}

// A filter comparing one member with the value (or its negation).
filter_fn member_is(const char* member, bool equal) {
  return [member, equal](const std::string& v, uint64_t, const json& doc) {
    return (doc.value(member, "") == v) == equal;
  };
}

std::optional<uint64_t> filter_id(const std::map<std::string, std::string>& f,
                                  const char* name) {
  auto it = f.find(name);
  if (it == f.end())
    return std::nullopt;
  try {
    return std::stoull(it->second);
  } catch (...) {
    return 0;
  }
}

// Whether the CDR is a call of the subscriber or customer the calllist
// request names, and whether that direction is outgoing.
std::optional<bool> involved(const view_ctx& v, const json& cdr) {
  if (auto sid = filter_id(v.filters, "subscriber_id")) {
    if (cdr.value("_source_subscriber_id", 0u) == *sid)
      return true;
    if (cdr.value("_destination_subscriber_id", 0u) == *sid)
      return false;
    return std::nullopt;
  }
  if (auto cid = filter_id(v.filters, "customer_id")) {
    if (cdr.value("source_account_id", 0u) == *cid)
      return true;
    if (cdr.value("destination_account_id", 0u) == *cid)
      return false;
  }
  return std::nullopt;
}

// Whether the caller may see the subscriber or customer a calllist names.
bool may_list(const view_ctx& v) {
  if (auto sid = filter_id(v.filters, "subscriber_id")) {
    auto doc = v.reader.load(kind_subscribers, *sid);
    if (!doc || !*doc)
      return false;
    auto o = owner_from_members(**doc);
    o.subscriber_id = *sid;
    return auth::can_see(v.who, o);
  }
  if (auto cid = filter_id(v.filters, "customer_id")) {
    if (v.who.role == auth::role::subscriber)
      return false;
    auto doc = v.reader.load(kind_customers, *cid);
    if (!doc || !*doc)
      return false;
    auto o = owner_from_members(**doc);
    o.customer_id = *cid;
    return auth::can_see(v.who, o);
  }
  return false;
}

} // namespace

resource_def subscriberregistrations_resource() {
  resource_def r;
  r.name = "subscriberregistrations";
  r.item = "subscriberregistration";
  r.kind = std::string(kind_registrations);
  r.family = persistence::cf::registrations;
  r.description = "Registered contacts (bindings) of subscribers.";
  r.roles = {all_roles, {}, {}, {}, {}};
  r.list = {{"subscriber_id", "expires", "contact"},
            {"subscriber_id", "contact", "user_agent"}};
  r.links = [](uint64_t, const json& doc) {
    return std::vector<rest::hal_link>{
        {"subscribers",
         rest::item_href("subscribers", doc.value("subscriber_id", 0))}};
  };
  return r;
}

resource_def cdrs_resource() {
  resource_def r;
  r.name = "cdrs";
  r.item = "cdr";
  r.kind = std::string(kind_cdrs);
  r.family = persistence::cf::cdrs;
  r.description = "Call detail records, one per INVITE leg.";
  r.roles = {admins_resellers, {}, {}, {}, {}};
  r.list = {{"init_time", "start_time", "duration", "call_status"},
            {"call_id", "call_status", "call_type", "source_user_id",
             "destination_user_id", "source_account_id",
             "destination_account_id", "start_ge", "start_le"}};
  r.custom_filters["start_ge"] = time_bound("start_time", true);
  r.custom_filters["start_le"] = time_bound("start_time", false);
  r.visible = [](const view_ctx& v, uint64_t, const json& doc) {
    if (v.who.role == auth::role::admin)
      return true;
    return v.who.role == auth::role::reseller &&
           (id_member(doc, "_source_reseller_id") == v.who.reseller_id ||
            id_member(doc, "_destination_reseller_id") == v.who.reseller_id);
  };
  return r;
}

resource_def calllists_resource() {
  resource_def r;
  r.name = "calllists";
  r.item = "calllist";
  r.kind = std::string(kind_cdrs);
  r.family = persistence::cf::cdrs;
  r.description = "Calls of one subscriber or customer, as its call list "
                  "(requires subscriber_id or customer_id).";
  r.roles = {all_roles, {}, {}, {}, {}};
  r.required_filters = {"subscriber_id", "customer_id"};
  r.list = {{"init_time", "start_time", "duration"},
            {"subscriber_id", "customer_id", "call_id", "direction", "status",
             "status_ne", "type", "type_ne", "start_ge", "start_le", "init_ge",
             "init_le"}};
  r.custom_filters["subscriber_id"] = [](const std::string&, uint64_t,
                                         const json&) { return true; };
  r.custom_filters["customer_id"] = r.custom_filters["subscriber_id"];
  r.custom_filters["status"] = member_is("call_status", true);
  r.custom_filters["status_ne"] = member_is("call_status", false);
  r.custom_filters["type"] = member_is("call_type", true);
  r.custom_filters["type_ne"] = member_is("call_type", false);
  // Checked in `visible`, which knows the perspective.
  r.custom_filters["direction"] = [](const std::string&, uint64_t,
                                     const json&) { return true; };
  r.custom_filters["start_ge"] = time_bound("start_time", true);
  r.custom_filters["start_le"] = time_bound("start_time", false);
  r.custom_filters["init_ge"] = time_bound("init_time", true);
  r.custom_filters["init_le"] = time_bound("init_time", false);
  r.visible = [](const view_ctx& v, uint64_t, const json& doc) {
    auto out = involved(v, doc);
    if (!out || !may_list(v))
      return false;
    auto dir = v.filters.find("direction");
    return dir == v.filters.end() || dir->second == (*out ? "out" : "in");
  };
  r.render = [](const view_ctx& v, uint64_t, const json& d) {
    bool out = involved(v, d).value_or(true);
    auto side = [&](const char* what) {
      return d.value(std::string(out ? "source_" : "destination_") + what,
                     json{});
    };
    auto other = [&](const char* what) {
      return d.value(std::string(out ? "destination_" : "source_") + what,
                     json{});
    };
    return json{
        {"direction", out ? "out" : "in"},
        {"own_cli", out ? side("cli") : d.value("destination_user_in", json{})},
        {"other_cli",
         out ? d.value("destination_user_in", json{}) : other("cli")},
        {"clir", d.value("source_clir", false)},
        {"status", d.value("call_status", json{})},
        {"rating_status", d.value("rating_status", "unrated")},
        {"type", d.value("call_type", json{})},
        {"init_time", d.value("init_time", json{})},
        {"start_time", d.value("start_time", json{})},
        {"duration", d.value("duration", json{})},
        {"customer_cost", side("customer_cost")},
        {"customer_free_time", side("customer_free_time")},
        {"intra_customer", d.value("source_account_id", 0u) != 0 &&
                               d.value("source_account_id", 0u) ==
                                   d.value("destination_account_id", 0u)},
        {"call_id", d.value("call_id", json{})}};
  };
  return r;
}

} // namespace sb::mgmt::api
