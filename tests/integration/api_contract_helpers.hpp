#pragma once

// Small helpers shared by the resource contract tests (api_*_test.cpp):
// reading error messages, counting collections, building JSON Patches and
// seeding what the SIP side writes into the store.
#include "persistence/entities/entity_keys.hpp"
#include "persistence/kv/rocks_store.hpp"
#include "tests/support/api_fixture.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sb::test::contract {

using nlohmann::json;

using header_list = std::vector<std::pair<std::string, std::string>>;

/// The header asking a write to answer with the item.
inline header_list prefer_representation() {
  return {{"Prefer", "return=representation"}};
}

/// The `message` of an error body, "" when there is none.
inline std::string message(const api_reply& r) {
  return r.json.is_object() ? r.json.value("message", std::string{})
                            : std::string{};
}

/// Matches a 422 message naming `field` the way the reference does.
inline Catch::Matchers::StdString::ContainsMatcher
names_field(const std::string& field) {
  return Catch::Matchers::Contains("field='" + field + "'");
}

/// "/api/<coll>/<id>".
inline std::string item(const std::string& coll, uint64_t id) {
  return "/api/" + coll + "/" + std::to_string(id);
}

/// A JSON Patch of one operation with a value.
inline json patch_op(const std::string& op, const std::string& path,
                     json value) {
  return json::array(
      {{{"op", op}, {"path", path}, {"value", std::move(value)}}});
}

/// A JSON Patch removing `path`.
inline json remove_op(const std::string& path) {
  return json::array({{{"op", "remove"}, {"path", path}}});
}

/// GET of a collection as `who`, REQUIRing 200.
inline api_reply list(api_fixture& f, const std::string& coll,
                      const std::string& query = "",
                      const std::optional<credentials>& who = admin_login) {
  auto r = f.call("GET", "/api/" + coll + "/?" + query, std::nullopt, who);
  INFO("GET /api/" << coll << "/?" << query << ": " << r.body);
  REQUIRE(r.status == 200);
  return r;
}

/// total_count of a collection (with `query`) as `who`.
inline uint64_t total(api_fixture& f, const std::string& coll,
                      const std::string& query = "",
                      const std::optional<credentials>& who = admin_login) {
  return list(f, coll, query, who).json["total_count"].get<uint64_t>();
}

/// The embedded items of a collection page ([] when there are none).
inline json embedded(const api_reply& r, const std::string& coll) {
  const auto rel = "ngcp:" + coll;
  if (!r.json.contains("_embedded") || !r.json["_embedded"].contains(rel))
    return json::array();
  return r.json["_embedded"][rel];
}

/// The ids of every item a collection request returns (rows=1000).
inline std::vector<uint64_t>
ids(api_fixture& f, const std::string& coll, const std::string& query = "",
    const std::optional<credentials>& who = admin_login) {
  std::vector<uint64_t> out;
  for (const auto& i :
       embedded(list(f, coll,
                     query.empty() ? "rows=1000" : "rows=1000&" + query, who),
                coll))
    out.push_back(i["id"].get<uint64_t>());
  return out;
}

/// A reseller without a login of its own: system contact, reseller
/// contract, reseller. Cheaper than `api_fixture::reseller` (no password
/// hashing) when no one logs in as it.
inline uint64_t bare_reseller(api_fixture& f, const std::string& name) {
  auto contact = f.create("systemcontacts", {{"email", name + "@example.com"}});
  auto contract = f.create("contracts", {{"contact_id", contact},
                                         {"status", "active"},
                                         {"type", "reseller"},
                                         {"billing_profile_id", 1}});
  return f.create(
      "resellers",
      {{"contract_id", contract}, {"name", name}, {"status", "active"}});
}

/// Stores `doc` as `kind`/#id of `family`, as the SIP side would.
inline void seed(api_fixture& f, persistence::cf family,
                 const std::string& kind, uint64_t id, const json& doc) {
  auto st =
      f.store().put(family, persistence::doc_key(kind, id), doc.dump(), true);
  REQUIRE(st.ok());
}

/// The stored document `kind`/#id of `family` (with its private members),
/// or nullopt: what a write left behind.
inline std::optional<json>
stored(api_fixture& f, const std::string& kind, uint64_t id,
       persistence::cf family = persistence::cf::provisioning) {
  auto v = f.store().get(family, persistence::doc_key(kind, id));
  REQUIRE(v.ok());
  if (!*v)
    return std::nullopt;
  return json::parse(**v);
}

} // namespace sb::test::contract
