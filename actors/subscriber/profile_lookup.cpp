#include "actors/subscriber/profile_lookup.hpp"

#include "persistence/entities/provisioning_keys.hpp"

namespace sb::actors::subscriber {

namespace keys = persistence::keys;
using persistence::json;

namespace {

std::vector<std::string> strings(const json& prefs, const char* name) {
  std::vector<std::string> out;
  auto it = prefs.find(name);
  if (it == prefs.end())
    return out;
  if (it->is_string())
    out.push_back(it->get<std::string>());
  else if (it->is_array())
    for (const auto& v : *it)
      if (v.is_string())
        out.push_back(v.get<std::string>());
  return out;
}

// A string member; empty when absent or not a string.
std::string text_member(const json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

// A numeric preference; 0 when unset or not a number.
int64_t int_pref(const json& prefs, const char* name) {
  auto it = prefs.find(name);
  return it != prefs.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

uint64_t id_member(const json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

} // namespace

result<std::optional<auth_profile>>
load_profile(const persistence::store_reader& reader, uint64_t id) {
  auto doc = reader.load(keys::kind_subscribers, id);
  if (!doc)
    return doc.err();
  if (!*doc)
    return std::optional<auth_profile>{};
  const json& d = **doc;
  auth_profile p;
  p.subscriber_id = id;
  p.customer_id = id_member(d, "customer_id");
  p.reseller_id = id_member(d, "reseller_id");
  p.username = d.value("username", "");
  p.domain = d.value("domain", "");
  p.uuid = d.value("uuid", "");
  p.ha1_md5 = d.value("_ha1", "");
  p.ha1_sha256 = d.value("_ha1_sha256", "");
  p.lock = d.value("lock", 0);
  auto prefs = reader.load(keys::kind_subscriber_prefs, id);
  if (!prefs)
    return prefs.err();
  // (Not `*prefs && **prefs`: a json in a boolean context is converted
  // with get<bool>(), which throws for the object a document is.)
  json sp = *prefs ? **prefs : json::object();
  p.allowed_ips = strings(sp, "allowed_ips");
  p.man_allowed_ips = strings(sp, "man_allowed_ips");
  p.ignore_allowed_ips = sp.value("ignore_allowed_ips", false);
  if (auto it = sp.find("cli"); it != sp.end() && it->is_string())
    p.cli = it->get<std::string>();
  else if (auto pn = d.find("primary_number"); pn != d.end() && pn->is_object())
    p.cli = text_member(*pn, "cc") + text_member(*pn, "ac") +
            text_member(*pn, "sn");
  p.concurrent_max = int_pref(sp, "concurrent_max");
  p.concurrent_max_out = int_pref(sp, "concurrent_max_out");
  p.max_call_duration = int_pref(sp, "max_call_duration");
  if (p.allowed_ips.empty()) {
    // Domain-level allowed_ips apply to subscribers without their own.
    auto dp = reader.load(keys::kind_domain_prefs, id_member(d, "domain_id"));
    if (!dp)
      return dp.err();
    if (*dp)
      p.allowed_ips = strings(**dp, "allowed_ips");
  }
  return std::optional<auth_profile>{std::move(p)};
}

result<std::optional<uint64_t>>
lookup_domain(const persistence::store_reader& reader,
              std::string_view domain) {
  return reader.unique_owner(keys::index_domain, ascii_lower(domain));
}

result<std::optional<auth_profile>>
lookup_user(const persistence::store_reader& reader, uint64_t domain_id,
            std::string_view user) {
  auto sid = reader.unique_owner(keys::index_subscriber_user,
                                 keys::web_login_key(domain_id, user));
  if (!sid)
    return sid.err();
  if (!*sid)
    return std::optional<auth_profile>{};
  return load_profile(reader, **sid);
}

} // namespace sb::actors::subscriber
