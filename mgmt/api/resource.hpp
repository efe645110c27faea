#pragma once

#include "mgmt/auth/access.hpp"
#include "mgmt/auth/principal.hpp"
#include "mgmt/rest/errors.hpp"
#include "mgmt/rest/fields.hpp"
#include "mgmt/rest/hal.hpp"
#include "mgmt/rest/patch.hpp"
#include "mgmt/rest/query.hpp"
#include "persistence/entities/store_reader.hpp"
#include "persistence/kv/rocks_store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::persistence {
class entity_txn;
}

namespace sb::mgmt::api {

using nlohmann::json;
using persistence::store_reader;

/// What `render`, `links` and `visible` see.
struct view_ctx {
  const store_reader& reader;
  const auth::principal& who;
  /// The declared filters of a collection request (empty for items).
  const std::map<std::string, std::string>& filters;
};

/// What a write hook sees. Writes made through `txn` become one change of
/// the provisioning log, applied before the client gets its answer.
struct write_ctx {
  const auth::principal& who;
  persistence::entity_txn& txn;
  int64_t now_ms;
};

/// Whether a write creates the item or replaces it (PUT, PATCH).
enum class write_mode : uint8_t { create = 1, replace };

/// Checks a request body beyond its field specs; returns every problem.
using input_check = std::function<std::vector<rest::field_error>(
    const json& body, write_mode mode)>;

/// Stores an item: `old` is null on create. Returns the item's id. The hook
/// saves the document and maintains its indexes itself.
using write_hook = std::function<rest::api_result<uint64_t>(
    write_ctx& ctx, std::optional<uint64_t> id, const json* old,
    const json& input)>;

/// Removes an item (DELETE).
using delete_hook = std::function<rest::api_status(write_ctx& ctx, uint64_t id,
                                                   const json& old)>;

/// A filter parameter that is not a plain comparison with one member.
using filter_fn =
    std::function<bool(const std::string& value, uint64_t id, const json& doc)>;

/// Where a collection's documents come from when the node's own store is
/// not their truth: registrations in cluster mode live in Redis, written by
/// whichever node runs the subscriber's actor, so every node must list
/// them from there. `each` visits every document (return false to stop),
/// `load` one by id.
struct document_source {
  std::function<result<std::optional<json>>(uint64_t id)> load;
  std::function<status(const std::function<bool(uint64_t, const json&)>&)> each;
};

/// One REST collection, described as data; `add_resource_routes` gives it
/// the reference's routes and conventions. A stored document is the item's
/// representation plus private members whose names start with '_'.
struct resource_def {
  std::string name; ///< collection, e.g. "domains"
  std::string item; ///< item name for "Entity '<item>' not found."
  std::string kind; ///< storage kind of the documents (entity_keys.hpp)
  persistence::cf family = persistence::cf::provisioning;
  std::string description; ///< one line, for the OpenAPI document
  auth::method_roles roles;
  std::vector<rest::field_spec> fields;
  rest::unknown_fields unknown = rest::unknown_fields::reject;
  rest::list_spec list;
  std::vector<rest::patch_op> patch_ops = rest::default_patch_ops;
  /// Filters with their own logic; other declared filters compare the
  /// member of that name (as text, '*' wildcards, case-insensitive).
  std::map<std::string, filter_fn> custom_filters;
  input_check check;
  /// Runs on the HTTP thread after validation, before the write is queued:
  /// slow work such as password hashing that must not stall the single
  /// provisioning writer.
  std::function<rest::api_result<json>(json input)> prepare;
  write_hook write;  ///< required when POST, PUT or PATCH is offered
  delete_hook erase; ///< required when DELETE is offered
  /// Who owns a stored item. Default: its reseller_id, customer_id and
  /// subscriber_id members.
  std::function<auth::ownership(uint64_t id, const json& doc)> owner;
  /// Whether the caller may see a stored item. Default: can_see(owner).
  std::function<bool(const view_ctx&, uint64_t id, const json& doc)> visible;
  /// The representation's members (without id and _links). Default: every
  /// member not starting with '_'.
  std::function<json(const view_ctx&, uint64_t id, const json& doc)> render;
  /// Extra `ngcp:` links of an item.
  std::function<std::vector<rest::hal_link>(uint64_t id, const json& doc)>
      links;
  /// The only ids that can match a collection request's filters, when an
  /// index knows them; nullopt scans every item. The ids are still checked
  /// against visibility and every filter.
  std::function<std::optional<std::vector<uint64_t>>(const view_ctx&)>
      candidates;
  /// A collection GET refuses to list without one of these filters.
  std::vector<std::string> required_filters;
  /// Set: the documents come from here instead of `family` (read-only
  /// views; writes still go through their own operations).
  std::shared_ptr<const document_source> source;
};

/// The default `owner`: reseller_id, customer_id, subscriber_id members.
auth::ownership owner_from_members(const json& doc);

/// Every member of `doc` not starting with '_'.
json public_members(const json& doc);

} // namespace sb::mgmt::api
