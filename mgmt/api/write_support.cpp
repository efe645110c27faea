#include "mgmt/api/write_support.hpp"

#include "mgmt/api/api_service.hpp"
#include "mgmt/api/keys.hpp"
#include "persistence/entities/entity_txn.hpp"

#include <spdlog/spdlog.h>

namespace sb::mgmt::api {

std::optional<uint64_t> id_member(const json& doc, std::string_view name) {
  auto it = doc.find(name);
  if (it == doc.end() || !it->is_number_integer() || it->get<int64_t>() <= 0)
    return std::nullopt;
  return it->get<uint64_t>();
}

rest::api_error invalid_field(std::string_view field, const json& input,
                              std::string message) {
  return rest::validation_failed(
      {{std::string(field), rest::input_text(input), {std::move(message)}}});
}

rest::field_error field_problem(std::string field, const json& input,
                                std::string message) {
  return {std::move(field), rest::input_text(input), {std::move(message)}};
}

rest::api_error storage_failure(const error& e) {
  spdlog::error("api: storage: {}", e.message);
  return rest::internal_error();
}

rest::api_status refuse_if_terminated(const json* old, std::string_view what) {
  if (old && old->value("status", "") == "terminated")
    return rest::unprocessable(std::string(what) +
                               " is already terminated and cannot be changed.");
  return rest::api_ok();
}

bool usable(const write_ctx& c, const auth::ownership& owner) {
  return auth::can_see(c.who, owner);
}

rest::api_result<json>
referenced(write_ctx& c, std::string_view kind, const json& input,
           std::string_view field,
           const std::function<auth::ownership(uint64_t, const json&)>& owner) {
  auto value = input.value(std::string(field), json{});
  auto id = id_member(input, field);
  auto bad =
      invalid_field(field, value, "Invalid '" + std::string(field) + "'");
  if (!id)
    return bad;
  auto doc = c.txn.load(kind, *id);
  if (!doc)
    return storage_failure(doc.err());
  if (!*doc)
    return bad;
  if (!usable(c, owner ? owner(*id, **doc) : owner_from_members(**doc)))
    return bad;
  return std::move(**doc);
}

rest::api_result<uint64_t> resolve_reseller(write_ctx& c, const json& input,
                                            std::optional<uint64_t> fallback) {
  auto given = input.value("reseller_id", json{});
  if (c.who.role == auth::role::reseller) {
    if (!given.is_null() &&
        id_member(input, "reseller_id") != c.who.reseller_id)
      return invalid_field("reseller_id", given, "Invalid 'reseller_id'");
    return *c.who.reseller_id;
  }
  if (given.is_null()) {
    if (!fallback)
      return invalid_field("reseller_id", given, "Required field");
    return *fallback;
  }
  auto r = referenced(c, kind_resellers, input, "reseller_id",
                      [](uint64_t id, const json&) {
                        return auth::ownership{id, {}, {}};
                      });
  if (!r)
    return r.err();
  return *id_member(input, "reseller_id");
}

rest::api_status claim(write_ctx& c, std::string_view index,
                       const std::string& value, uint64_t id,
                       std::string_view field, const json& input,
                       std::string_view what) {
  auto owner = c.txn.unique_owner(index, value);
  if (!owner)
    return storage_failure(owner.err());
  if (*owner && **owner != id)
    return invalid_field(field, input.value(std::string(field), json{}),
                         std::string(what) + " already exists");
  if (auto st = c.txn.claim_unique(index, value, id); !st)
    return storage_failure(st.err());
  return rest::api_ok();
}

rest::api_status reclaim(write_ctx& c, std::string_view index,
                         const std::string& old_value,
                         const std::string& new_value, uint64_t id,
                         std::string_view field, const json& input,
                         std::string_view what) {
  if (old_value == new_value)
    return rest::api_ok();
  if (!new_value.empty()) {
    auto st = claim(c, index, new_value, id, field, input, what);
    if (!st)
      return st;
  }
  if (!old_value.empty())
    c.txn.release_unique(index, old_value);
  return rest::api_ok();
}

void rereference(write_ctx& c, std::string_view kind, std::string_view field,
                 uint64_t old_parent, uint64_t new_parent, uint64_t id) {
  if (old_parent == new_parent)
    return;
  if (old_parent != 0)
    c.txn.remove_ref(kind, field, old_parent, id);
  if (new_parent != 0)
    c.txn.add_ref(kind, field, new_parent, id);
}

rest::api_result<uint64_t> item_id(write_ctx& c, std::string_view kind,
                                   std::optional<uint64_t> id) {
  if (id)
    return *id;
  auto next = c.txn.next_id(kind);
  if (!next)
    return storage_failure(next.err());
  return *next;
}

void stamp(json& doc, const json* old, int64_t now_ms) {
  auto now = timestamp_text(now_ms);
  doc["create_timestamp"] =
      old ? json(old->value("create_timestamp", now)) : json(now);
  doc["modify_timestamp"] = now;
}

void keep_private(json& doc, const json* old) {
  if (!old)
    return;
  for (auto it = old->begin(); it != old->end(); ++it)
    if (!it.key().empty() && it.key()[0] == '_' && !doc.contains(it.key()))
      doc[it.key()] = it.value();
}

} // namespace sb::mgmt::api
