#include "common/prefs/preference_catalogue.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cstdlib>

namespace sb::prefs {

namespace {

using json = nlohmann::json;

constexpr uint8_t U = level_subscriber;
constexpr uint8_t D = level_domain;
constexpr uint8_t C = level_customer;

preference_def boolean(std::string_view name, std::string_view label,
                       uint8_t levels, std::string_view doc) {
  return {name, label, doc, pref_type::boolean, false, levels};
}

preference_def integer(std::string_view name, std::string_view label,
                       uint8_t levels, int64_t min, int64_t max,
                       std::string_view doc) {
  preference_def d{name, label, doc, pref_type::integer, false, levels};
  d.min = min;
  d.max = max;
  return d;
}

preference_def text(std::string_view name, std::string_view label,
                    uint8_t levels, std::string_view doc,
                    pref_format format = pref_format::none,
                    bool multi = false) {
  preference_def d{name, label, doc, pref_type::string, multi, levels};
  d.format = format;
  return d;
}

preference_def choice(std::string_view name, std::string_view label,
                      uint8_t levels, std::vector<std::string_view> choices,
                      std::string_view doc) {
  preference_def d{name, label, doc, pref_type::enumeration, false, levels};
  d.choices = std::move(choices);
  return d;
}

std::vector<preference_def> build() {
  constexpr int64_t big = 2147483647;
  const std::vector<std::string_view> yes_no{"yes", "no"};
  std::vector<preference_def> v{
      boolean("adm_block_in_clir", "Block anonymous inbound (admin)", U | D | C,
              "Reject incoming calls with CLIR, set by the operator."),
      text("adm_block_in_list", "Inbound block list (admin)", U | D | C,
           "Caller numbers (with * wildcards) checked against "
           "adm_block_in_mode, set by the operator.",
           pref_format::none, true),
      boolean("adm_block_in_mode", "Inbound block mode (admin)", U | D | C,
              "false: adm_block_in_list is a blacklist; true: a whitelist."),
      text("adm_block_out_list", "Outbound block list (admin)", U | D | C,
           "Callee numbers (with * wildcards) checked against "
           "adm_block_out_mode, set by the operator.",
           pref_format::none, true),
      boolean("adm_block_out_mode", "Outbound block mode (admin)", U | D | C,
              "false: adm_block_out_list is a blacklist; true: a whitelist."),
      text("adm_ncos", "NCOS level (admin)", U | D | C,
           "Name of the NCOS level the operator applies to outgoing calls."),
      text("allowed_ips", "Allowed source IPs", U | D,
           "IP networks a subscriber may register and call from.",
           pref_format::ip_network, true),
      text("ac", "Area code", U | D,
           "Default area code used to normalise dialled numbers.",
           pref_format::digits),
      boolean("block_in_clir", "Block anonymous inbound", U | D | C,
              "Reject incoming calls with CLIR."),
      text("block_in_list", "Inbound block list", U | D | C,
           "Caller numbers (with * wildcards) checked against block_in_mode.",
           pref_format::none, true),
      boolean("block_in_mode", "Inbound block mode", U | D | C,
              "false: block_in_list is a blacklist; true: a whitelist."),
      text("block_out_list", "Outbound block list", U | D | C,
           "Callee numbers (with * wildcards) checked against block_out_mode.",
           pref_format::none, true),
      boolean("block_out_mode", "Outbound block mode", U | D | C,
              "false: block_out_list is a blacklist; true: a whitelist."),
      text("block_out_override_pin", "Block override PIN", U,
           "PIN that lifts the outbound block list for one call."),
      text("cc", "Country code", U | D,
           "Default country code used to normalise dialled numbers.",
           pref_format::digits),
      text("cli", "Network-provided number", U,
           "The number presented for outgoing calls (NPN), E.164 without '+'.",
           pref_format::digits),
      boolean("clir", "Hide own number", U | D,
              "Restrict the presentation of the caller's number (CLIR)."),
      text("codecs_list", "Codec list", U | D,
           "Comma-separated codec names, filtered as codecs_filter says.",
           pref_format::codec_list),
      boolean("codecs_filter", "Codec filter mode", U | D,
              "true: codecs_list is a whitelist; false: a blacklist."),
      integer("concurrent_max", "Max concurrent calls", U | D, 0, big,
              "Maximum simultaneous calls of the subscriber, in and out."),
      integer("concurrent_max_in", "Max concurrent incoming calls", U | D, 0,
              big, "Maximum simultaneous incoming calls of the subscriber."),
      integer("concurrent_max_in_per_account",
              "Max concurrent incoming calls per customer", U | C, 0, big,
              "Maximum simultaneous incoming calls of the whole customer."),
      integer("concurrent_max_out", "Max concurrent outgoing calls", U | D, 0,
              big, "Maximum simultaneous outgoing calls of the subscriber."),
      integer("concurrent_max_out_per_account",
              "Max concurrent outgoing calls per customer", U | C, 0, big,
              "Maximum simultaneous outgoing calls of the whole customer."),
      integer("concurrent_max_per_account", "Max concurrent calls per customer",
              U | C, 0, big,
              "Maximum simultaneous calls of the whole customer."),
      text("conference_pin", "Conference PIN", U,
           "PIN callers must enter to join the subscriber's conference room.",
           pref_format::digits),
      text("display_name", "Display name", U,
           "Display name presented for outgoing calls."),
      boolean("dnd", "Do not disturb", U,
              "Reject every incoming call as busy."),
      boolean("e164_to_ruri", "E.164 to R-URI", U | D,
              "Send the E.164 number instead of the username to the callee."),
      boolean("ignore_allowed_ips", "Ignore allowed IPs", U,
              "Skip the allowed_ips check (man_allowed_ips still applies)."),
      integer("lock", "Lock level", U, 0, 5,
              "0 none, 1 foreign, 2 outgoing, 3 incoming and outgoing, "
              "4 global, 5 ported. Mirrors the subscriber's lock."),
      text("man_allowed_ips", "Mandatory allowed source IPs", U,
           "IP networks a subscriber may use, enforced even with "
           "ignore_allowed_ips.",
           pref_format::ip_network, true),
      integer("max_call_duration", "Max call duration", U | D | C, 0, big,
              "Seconds after which an answered call is ended; 0 no limit."),
      choice("nat_sipping", "NAT keepalive", U | D, yes_no,
             "Send OPTIONS keepalives to NATed contacts."),
      text("ncos", "NCOS level", U | D | C,
           "Name of the NCOS level applied to outgoing calls."),
      boolean("record_call", "Record calls", U | D,
              "Record the audio of the subscriber's calls."),
      boolean("reject_emergency", "Reject emergency calls", U | D,
              "Reject calls to emergency numbers."),
      boolean("reject_vsc", "Reject star codes", U | D,
              "Reject vertical service codes dialled by the subscriber."),
      integer("rewrite_rule_set", "Rewrite rule set", U | D, 1, big,
              "Id of the rewrite rule set for caller and callee numbers."),
      integer("ringtimeout", "Ring timeout", U | D, 1, 3600,
              "Seconds a call rings before it is no answer (default 180)."),
      choice("sst_enable", "Session timers", U | D, yes_no,
             "Use SIP session timers (RFC 4028)."),
      integer("sst_expires", "Session expires", U | D, 90, 86400,
              "Session-Expires offered, seconds (default 300)."),
      integer("sst_max_timer", "Max session timer", U | D, 90, 86400,
              "Largest session interval accepted, seconds (default 7200)."),
      integer("sst_min_timer", "Min session timer", U | D, 90, 86400,
              "Min-SE, seconds (default 90)."),
      choice("sst_refresh_method", "Session refresh method", U | D,
             {"UPDATE", "INVITE", "UPDATE_FALLBACK_INVITE"},
             "Request used to refresh the session."),
      text("ua_filter_list", "User-Agent filter list", U | D,
           "User-Agent patterns checked as ua_filter_mode says.",
           pref_format::none, true),
      boolean("ua_filter_mode", "User-Agent filter mode", U | D,
              "false: ua_filter_list is a blacklist; true: a whitelist."),
      boolean("unauth_inbound_calls", "Unauthenticated inbound calls", D,
              "Accept calls from foreign domains without authentication."),
      text("user_cli", "User-provided number", U,
           "Number the subscriber may present (UPN fallback), E.164 without "
           "'+'.",
           pref_format::digits),
  };
  std::sort(v.begin(), v.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return v;
}

bool is_ip_network(const std::string& s) {
  auto slash = s.find('/');
  std::string addr = s.substr(0, slash);
  unsigned char buf[16];
  int bits = 0;
  if (inet_pton(AF_INET, addr.c_str(), buf) == 1)
    bits = 32;
  else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1)
    bits = 128;
  else
    return false;
  if (slash == std::string::npos)
    return true;
  auto len = s.substr(slash + 1);
  if (len.empty() || len.size() > 3 ||
      !std::all_of(len.begin(), len.end(), ::isdigit))
    return false;
  return std::atoi(len.c_str()) <= bits;
}

bool is_digits(const std::string& s) {
  return !s.empty() && s.size() <= 31 &&
         std::all_of(s.begin(), s.end(), ::isdigit);
}

bool is_codec_list(const std::string& s) {
  if (s.empty())
    return false;
  size_t start = 0;
  while (start <= s.size()) {
    auto comma = s.find(',', start);
    auto item = s.substr(start, comma - start);
    if (item.empty() || !std::all_of(item.begin(), item.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                 c == '_' || c == '/';
        }))
      return false;
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  return true;
}

std::optional<std::string> check_scalar(const preference_def& d,
                                        const json& v) {
  switch (d.type) {
  case pref_type::boolean:
    if (v.is_boolean() ||
        (v.is_number_integer() && (v.get<int64_t>() == 0 || v == 1)))
      return std::nullopt;
    return "Not a valid boolean";
  case pref_type::integer: {
    int64_t n = 0;
    if (v.is_number_integer()) {
      n = v.get<int64_t>();
    } else if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      auto body = s.substr(!s.empty() && s[0] == '-' ? 1 : 0);
      if (body.empty() || body.size() > 18 ||
          !std::all_of(body.begin(), body.end(), ::isdigit))
        return "Not a valid integer";
      n = std::stoll(s);
    } else {
      return "Not a valid integer";
    }
    if ((d.min && n < *d.min) || (d.max && n > *d.max))
      return "Value must be between " + std::to_string(d.min.value_or(0)) +
             " and " + std::to_string(d.max.value_or(0));
    return std::nullopt;
  }
  case pref_type::enumeration:
    if (v.is_string() &&
        std::find(d.choices.begin(), d.choices.end(),
                  v.get_ref<const std::string&>()) != d.choices.end())
      return std::nullopt;
    return "Not a valid choice";
  case pref_type::string:
    break;
  }
  if (!v.is_string())
    return "Not a valid string";
  const auto& s = v.get_ref<const std::string&>();
  if (s.size() > 255)
    return "Value too long";
  switch (d.format) {
  case pref_format::ip_network:
    return is_ip_network(s) ? std::nullopt
                            : std::optional<std::string>{
                                  "Not a valid IP address or network"};
  case pref_format::digits:
    return is_digits(s) ? std::nullopt
                        : std::optional<std::string>{
                              "Must be digits only (E.164 without '+')"};
  case pref_format::codec_list:
    return is_codec_list(s)
               ? std::nullopt
               : std::optional<std::string>{"Not a valid codec list"};
  case pref_format::none:
    break;
  }
  return std::nullopt;
}

json normalize_scalar(const preference_def& d, const json& v) {
  if (d.type == pref_type::boolean && v.is_number_integer())
    return v.get<int64_t>() != 0;
  if (d.type == pref_type::integer && v.is_string())
    return std::stoll(v.get<std::string>());
  return v;
}

} // namespace

std::string_view to_string(pref_type t) {
  switch (t) {
  case pref_type::boolean:
    return "boolean";
  case pref_type::integer:
    return "int";
  case pref_type::string:
    return "string";
  case pref_type::enumeration:
    return "enum";
  }
  return "string";
}

const std::vector<preference_def>& catalogue() {
  static const std::vector<preference_def> all = build();
  return all;
}

const preference_def* find(std::string_view name) {
  const auto& all = catalogue();
  auto it = std::lower_bound(
      all.begin(), all.end(), name,
      [](const preference_def& d, std::string_view n) { return d.name < n; });
  return it != all.end() && it->name == name ? &*it : nullptr;
}

std::optional<std::string> check_value(const preference_def& def,
                                       const json& value) {
  if (value.is_array()) {
    if (!def.multi)
      return "Preference takes a single value, not a list";
    for (const auto& v : value)
      if (auto e = check_scalar(def, v))
        return e;
    return std::nullopt;
  }
  return check_scalar(def, value);
}

json normalize_value(const preference_def& def, const json& value) {
  if (!def.multi)
    return normalize_scalar(def, value);
  json out = json::array();
  if (value.is_array())
    for (const auto& v : value)
      out.push_back(normalize_scalar(def, v));
  else
    out.push_back(normalize_scalar(def, value));
  return out;
}

json describe(const preference_def& def) {
  json j{{"attribute", def.name},
         {"label", def.label},
         {"description", def.description},
         {"data_type", to_string(def.type)},
         {"max_occur", def.multi ? 0 : 1},
         {"read_only", def.read_only},
         {"usr_pref", (def.levels & level_subscriber) != 0},
         {"dom_pref", (def.levels & level_domain) != 0},
         {"contract_pref", (def.levels & level_customer) != 0}};
  if (def.type == pref_type::enumeration) {
    json e = json::array();
    for (auto c : def.choices)
      e.push_back({{"label", c}, {"value", c}});
    j["enum_values"] = e;
  }
  if (def.min)
    j["min"] = *def.min;
  if (def.max)
    j["max"] = *def.max;
  return j;
}

} // namespace sb::prefs
