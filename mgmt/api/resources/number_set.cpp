#include "mgmt/api/resources/number_set.hpp"

#include "mgmt/api/keys.hpp"
#include "mgmt/api/write_support.hpp"
#include "persistence/entities/entity_txn.hpp"

#include <algorithm>
#include <map>

namespace sb::mgmt::api {

namespace {

bool digits(const json& v, size_t min, size_t max) {
  if (v.is_number_unsigned())
    return digits(json(std::to_string(v.get<uint64_t>())), min, max);
  if (!v.is_string())
    return false;
  const auto& s = v.get_ref<const std::string&>();
  return s.size() >= min && s.size() <= max &&
         std::all_of(s.begin(), s.end(), ::isdigit);
}

std::string text_of(const json& v) {
  if (v.is_string())
    return v.get<std::string>();
  if (v.is_number_unsigned())
    return std::to_string(v.get<uint64_t>());
  return {};
}

// One desired number of the subscriber.
struct wanted {
  json number;
  bool primary = false;
};

} // namespace

std::optional<std::string> check_number_field(const json& v) {
  if (!v.is_object())
    return "Not a valid object";
  for (auto it = v.begin(); it != v.end(); ++it)
    if (it.key() != "cc" && it.key() != "ac" && it.key() != "sn" &&
        it.key() != "number_id" && it.key() != "is_devid")
      return "Unknown member '" + it.key() + "'";
  auto cc = v.value("cc", json{});
  auto ac = v.value("ac", json(""));
  auto sn = v.value("sn", json{});
  if (!digits(cc, 1, 3) || text_of(cc)[0] == '0')
    return "'cc' must be 1 to 3 digits, not starting with 0";
  if (!ac.is_null() && !digits(ac, 0, 7))
    return "'ac' must be up to 7 digits";
  if (!digits(sn, 1, 31))
    return "'sn' must be 1 to 31 digits";
  if (e164_of(v).size() > 15)
    return "A number has at most 15 digits (E.164)";
  return std::nullopt;
}

std::optional<std::string> check_alias_numbers(const json& v) {
  for (const auto& n : v)
    if (auto e = check_number_field(n))
      return e;
  return std::nullopt;
}

std::string e164_of(const json& n) {
  return text_of(n.value("cc", json{})) + text_of(n.value("ac", json{})) +
         text_of(n.value("sn", json{}));
}

bool number_matches(const json& number, const std::string& pattern) {
  if (!number.is_object())
    return false;
  auto e164 = e164_of(number);
  if (pattern.find('*') == std::string::npos)
    return e164 == pattern;
  // Prefix/suffix wildcards are what operators use ("43*", "*1234").
  auto star = pattern.find('*');
  auto head = pattern.substr(0, star);
  auto tail = pattern.substr(pattern.rfind('*') + 1);
  return e164.size() >= head.size() + tail.size() &&
         e164.compare(0, head.size(), head) == 0 &&
         e164.compare(e164.size() - tail.size(), tail.size(), tail) == 0;
}

rest::api_status sync_numbers(write_ctx& c, const number_owner& owner,
                              const json* old, json& doc) {
  std::map<std::string, uint64_t> old_ids; // e164 -> number id
  if (old) {
    auto primary = old->value("primary_number", json{});
    if (primary.is_object())
      old_ids[e164_of(primary)] = primary.value("number_id", 0u);
    for (const auto& n : old->value("alias_numbers", json::array()))
      old_ids[e164_of(n)] = n.value("number_id", 0u);
  }
  std::vector<std::pair<std::string, wanted>> want;
  auto add = [&](const json& n, bool primary) -> bool {
    auto e = e164_of(n);
    for (const auto& w : want)
      if (w.first == e)
        return false;
    json clean{{"cc", text_of(n["cc"])},
               {"ac", text_of(n.value("ac", json("")))},
               {"sn", text_of(n["sn"])}};
    if (!primary)
      clean["is_devid"] = n.value("is_devid", false);
    want.push_back({e, {clean, primary}});
    return true;
  };
  if (doc["primary_number"].is_object())
    add(doc["primary_number"], true);
  for (const auto& n : doc.value("alias_numbers", json::array()))
    if (!add(n, false))
      return invalid_field("alias_numbers", doc["alias_numbers"],
                           "Number " + e164_of(n) + " is listed twice");

  // Numbers no longer wanted go first, so a number can move between the
  // primary and the aliases of the same subscriber.
  for (const auto& [e, nid] : old_ids) {
    bool kept = std::any_of(want.begin(), want.end(),
                            [&](const auto& w) { return w.first == e; });
    if (!kept) {
      c.txn.release_unique(index_number, e);
      c.txn.erase(kind_numbers, nid);
    }
  }
  json aliases = json::array();
  for (auto& [e, w] : want) {
    uint64_t nid = 0;
    if (auto it = old_ids.find(e); it != old_ids.end() && it->second != 0) {
      nid = it->second;
    } else {
      auto holder = c.txn.unique_owner(index_number, e);
      if (!holder)
        return storage_failure(holder.err());
      if (*holder) {
        const char* field = w.primary ? "primary_number" : "alias_numbers";
        return invalid_field(field, doc[field],
                             "Number " + e + " already exists");
      }
      auto next = c.txn.next_id(kind_numbers);
      if (!next)
        return storage_failure(next.err());
      nid = *next;
      if (auto st = c.txn.claim_unique(index_number, e, nid); !st)
        return storage_failure(st.err());
    }
    json entity = w.number;
    entity["is_primary"] = w.primary;
    entity["is_devid"] = w.number.value("is_devid", false);
    entity["subscriber_id"] = owner.subscriber_id;
    entity["customer_id"] = owner.customer_id;
    entity["reseller_id"] = owner.reseller_id;
    c.txn.save(kind_numbers, nid, entity);
    w.number["number_id"] = nid;
    if (w.primary)
      doc["primary_number"] = w.number;
    else
      aliases.push_back(w.number);
  }
  doc["alias_numbers"] = aliases;
  if (!doc["primary_number"].is_object())
    doc["primary_number"] = nullptr;
  return rest::api_ok();
}

void release_numbers(write_ctx& c, const json& doc) {
  auto drop = [&](const json& n) {
    c.txn.release_unique(index_number, e164_of(n));
    if (auto nid = n.value("number_id", 0u))
      c.txn.erase(kind_numbers, nid);
  };
  if (doc.contains("primary_number") && doc["primary_number"].is_object())
    drop(doc["primary_number"]);
  for (const auto& n : doc.value("alias_numbers", json::array()))
    drop(n);
}

} // namespace sb::mgmt::api
