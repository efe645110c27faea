#pragma once

#include "common/time_text.hpp"
#include "mgmt/api/authenticator.hpp"
#include "mgmt/api/resource.hpp"
#include "mgmt/http/router.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace sb::actors {
struct provisioning_txn;
}

namespace sb::mgmt::api {

/// Hands a write to the node's provisioning actor.
using submit_fn =
    std::function<void(std::shared_ptr<actors::provisioning_txn>)>;

/// A write as the API runs it: the hook's result, or why it was refused.
using write_build = std::function<rest::api_result<uint64_t>(write_ctx&)>;

/// A route of the API that is not a stored collection (bans at the SIP
/// edge, binding control through the subscriber actors). The engine
/// authenticates, checks `roles`, lists it in /api/openapi.json, then calls
/// `run` with the caller.
struct api_operation {
  std::string method;  ///< "GET", "POST", "DELETE"
  std::string pattern; ///< "/api/bannedips/{id}"
  std::string summary;
  auth::role_set roles;
  std::string success; ///< "200" / "201" / "204", for the document
  std::function<void(const auth::principal&, http::request, http::respond_fn)>
      run;
};

/// The provisioning REST API of a node: its resources, authentication,
/// read path (local store) and write path (provisioning actor).
class api_service {
public:
  api_service(persistence::rocks_store& store, submit_fn submit,
              auth::login_guard guard);
  api_service(const api_service&) = delete;
  api_service& operator=(const api_service&) = delete;

  /// Registers a resource. Call before `add_routes`.
  void add(resource_def r);
  /// Every registered resource, in registration order.
  std::vector<const resource_def*> resources() const;
  /// The resource called `name`, or null.
  const resource_def* find(std::string_view name) const;
  /// Reads the documents of resource `name` from `source` from now on.
  /// Call before `add_routes`; false for an unknown resource.
  bool set_source(std::string_view name,
                  std::shared_ptr<const document_source> source);

  /// A document of `r` by id (nullopt: none), from its source or its family.
  result<std::optional<json>> load(const resource_def& r, uint64_t id) const;
  /// Visits every document of `r`, from its source or its family.
  status each(const resource_def& r,
              const std::function<bool(uint64_t, const json&)>& visit) const;

  /// Registers an operation. Call before `add_routes`.
  void add_operation(api_operation op);
  const std::vector<api_operation>& operations() const { return operations_; }

  /// Routes of every resource and operation plus `/api/`,
  /// `/api/openapi.json` and the preference catalogues.
  status add_routes(http::router& router);

  const store_reader& reader() const { return reader_; }
  api::authenticator& authenticator() { return auth_; }

  /// Runs `build` in the provisioning actor as `who`; `done` gets the id,
  /// or the hook's error, or 500 when the log append failed. `done` runs on
  /// the actor's thread after the change is applied locally.
  void write(const auth::principal& who, write_build build,
             std::function<void(rest::api_result<uint64_t>)> done);

  /// The HAL item of a stored document as `who` sees it.
  json item_json(const resource_def& r, const auth::principal& who, uint64_t id,
                 const json& doc,
                 const std::map<std::string, std::string>& filters = {}) const;

private:
  status add_resource_routes(http::router& router, const resource_def& r);

  store_reader reader_;
  submit_fn submit_;
  api::authenticator auth_;
  std::vector<std::unique_ptr<resource_def>> resources_;
  std::vector<api_operation> operations_;
};

/// Time as the API shows it: "YYYY-MM-DD HH:MM:SS" in UTC.
using sb::timestamp_text;

/// Milliseconds since the Unix epoch, now.
int64_t now_ms();

} // namespace sb::mgmt::api
